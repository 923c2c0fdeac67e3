"""The grids of the compatibility API's filters and regridder (``stormtrack.compat.preprocessing``):
coordinate names, CC/GL latitudes, reduced Gaussian rows, HEALPix pixel centres."""

from __future__ import annotations

from typing import Any

import numpy as np

from stormtrack import _core


_LATITUDE_NAMES = ("latitude", "lat")


_LONGITUDE_NAMES = ("longitude", "lon")


def _axis_name(data: Any, names: tuple[str, ...], standard_name: str) -> str:
    """The dimension of `data` holding latitudes (or longitudes): by CF standard name or units,
    else by the usual names."""
    for d in data.dims:
        if d in data.coords and data[d].attrs.get("standard_name") == standard_name:
            return str(d)
    for d in data.dims:
        if str(d).lower() in names:
            return str(d)
    raise ValueError(f"no {standard_name} dimension among {tuple(map(str, data.dims))}; name it {names[0]!r} or give it standard_name {standard_name!r}")


def _gaussian_latitudes(n: int, ascending: bool) -> np.ndarray:
    """The `n` Gauss-Legendre latitudes (degrees)."""
    nodes, _ = np.polynomial.legendre.leggauss(n)
    lat = np.rad2deg(np.arcsin(nodes))  # south to north
    return lat if ascending else lat[::-1]


def _grid_latitudes(geometry: str, n: int, ascending: bool) -> np.ndarray:
    """Latitudes of the `n`-row equiangular pole-to-pole (CC) or Gaussian (GL) grid."""
    if geometry == "CC":
        lat = np.linspace(-90.0, 90.0, n, dtype=np.float64)
        return lat if ascending else lat[::-1]
    return _gaussian_latitudes(n, ascending)


def _grid_longitudes(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) * (360.0 / n)


def _geometry_of(lat: np.ndarray) -> str:
    """`CC` for equally spaced pole-to-pole latitudes, `GL` for Gaussian ones, else refused."""
    ascending = np.sort(lat)
    if ascending.size > 1 and np.allclose(ascending, np.linspace(-90.0, 90.0, ascending.size), atol=1e-6):
        return "CC"
    if np.allclose(ascending, _gaussian_latitudes(ascending.size, True), atol=1e-6):
        return "GL"
    raise ValueError("the latitudes are neither equally spaced pole to pole (CC) nor Gaussian (GL); the spherical-harmonic filter needs a global regular grid")


def _max_degree(geometry: str, nlat: int, nlon: int) -> int:
    """The highest degree a CC (``nlat - 2``) or GL (``nlat - 1``) grid resolves, and
    ``(nlon - 1) // 2`` in longitude."""
    return min(nlat - 2 if geometry == "CC" else nlat - 1, (nlon - 1) // 2)


def _check_backend(backend: str) -> None:
    """Serial and Dask compute here (the same values); MPI is not supported."""
    if backend == "mpi":
        raise ValueError("backend='mpi' is not supported; use 'serial' or 'dask' (the values are the same)")
    if backend not in ("serial", "dask"):
        raise ValueError("backend must be 'serial' or 'dask' ('mpi' is not supported)")


def _reduced_pl(data: Any, pl: Any = None) -> np.ndarray | None:
    """The points per row of a reduced Gaussian DataArray (cfgrib's ``GRIB_pl``, or `pl`), or
    None for another layout."""
    if pl is None:
        if "values" not in data.dims and data.attrs.get("GRIB_gridType") != "reduced_gg":
            return None
        pl = data.attrs.get("GRIB_pl")
        if pl is None:
            raise ValueError("a reduced Gaussian input needs its points per row: the GRIB_pl attribute (cfgrib sets it) or pl=")
    return np.asarray(pl, dtype=np.int64)


class _ReducedGrid:
    """A reduced Gaussian DataArray as stormtrack reads ECMWF's native grids
    (docs/input.md#reduced-gaussian-grids): each row Fourier-interpolated onto the regular
    Gaussian grid of ``max(pl)`` longitudes, the reduced grid's own spherical-harmonic content."""

    def __init__(self, data: Any, pl: np.ndarray) -> None:
        self.spatial = "values" if "values" in data.dims else str(data.dims[-1])
        self.others = [d for d in data.dims if d != self.spatial]
        self.ordered = data.transpose(*self.others, self.spatial)
        self.values = np.ascontiguousarray(self.ordered.values, dtype=np.float64)
        if pl.size < 2 or (pl < 1).any() or int(pl.sum()) != self.values.shape[-1]:
            raise ValueError(f"the rows of pl hold {int(pl.sum())} points, the input {self.values.shape[-1]}; give the grid's own pl")
        self.pl = pl
        self.lat = _gaussian_latitudes(pl.size, ascending=False)
        if "latitude" in data.coords and data["latitude"].dims == (self.spatial,):
            starts = np.concatenate(([0], np.cumsum(pl)[:-1]))
            given = np.asarray(data["latitude"].values, dtype=np.float64)[starts]
            if not np.allclose(given, self.lat, atol=1e-3):
                raise ValueError("the rows' latitudes are not the Gaussian latitudes of a reduced Gaussian grid (north to south)")
        self.lon = _grid_longitudes(int(pl.max()))
        frames = self.values.reshape((-1, self.values.shape[-1]))
        self.regular = _core.reduced_to_regular(frames, pl.tolist())

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """The latitudes and longitudes of the reduced grid's points, row after row."""
        return np.repeat(self.lat, self.pl), np.concatenate([_grid_longitudes(int(p)) for p in self.pl])

    def on_points(self, out: np.ndarray, data: Any) -> Any:
        """`out` (one row of point values per frame) as `data`'s DataArray."""
        return self.ordered.copy(data=out.reshape(self.values.shape)).transpose(*data.dims)

    def on_grid(self, out: np.ndarray, lat: np.ndarray, lon: np.ndarray, dims: tuple[str, str]) -> Any:
        import xarray as xr

        coords = {d: self.ordered[d] for d in self.others if d in self.ordered.coords}
        coords.update({dims[0]: lat, dims[1]: lon})
        shape = self.values.shape[:-1] + (lat.size, lon.size)
        return xr.DataArray(out.reshape(shape), dims=(*self.others, *dims), coords=coords)


def _healpix_points(nside: int) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (degrees) of the HEALPix pixel centres in RING order."""
    from stormtrack.compat.io import healpix_rings

    rings = healpix_rings(nside)
    theta, nphi, phi0 = rings["theta"], rings["nphi"].astype(np.int64), rings["phi0"]
    point_lat = np.repeat(90.0 - np.rad2deg(theta), nphi)
    ring = np.repeat(np.arange(nphi.size), nphi)
    j = np.arange(point_lat.size) - np.repeat(rings["ringstart"].astype(np.int64), nphi)
    return point_lat, np.rad2deg(phi0[ring] + 2.0 * np.pi * j / nphi[ring])


def _healpix_result(out: np.ndarray, leading: tuple[int, ...], ordered: Any, others: list, data: Any, nside: int) -> Any:
    """HEALPix values `(frame, cell)` as a DataArray with `data`'s other dimensions, ``cell``
    last, its name and attributes with ``grid_type`` and ``nside``."""
    import xarray as xr

    coords = {d: ordered[d] for d in others if d in ordered.coords}
    coords["cell"] = np.arange(out.shape[-1])
    result = xr.DataArray(out.reshape(leading + (out.shape[-1],)), dims=(*others, "cell"), coords=coords, name=data.name)
    result.attrs = {**data.attrs, "grid_type": "healpix", "nside": nside}
    return result


class _LatLonFrames:
    """A DataArray with latitude and longitude dimensions as the transforms take it: those two
    last (``ordered``), every other dimension flattened into ``frames`` (``leading`` their
    sizes), with its axes."""

    def __init__(self, data: Any) -> None:
        lat_dim = _axis_name(data, _LATITUDE_NAMES, "latitude")
        lon_dim = _axis_name(data, _LONGITUDE_NAMES, "longitude")
        self.others = [d for d in data.dims if d not in (lat_dim, lon_dim)]
        self.ordered = data.transpose(*self.others, lat_dim, lon_dim)
        self.lat = np.asarray(self.ordered[lat_dim].values, dtype=np.float64)
        self.lon = np.asarray(self.ordered[lon_dim].values, dtype=np.float64)
        values = np.ascontiguousarray(self.ordered.values, dtype=np.float64)
        self.leading = values.shape[:-2]
        self.frames = values.reshape((-1, self.lat.size, self.lon.size))

    def other_coords(self) -> dict[str, Any]:
        """The coordinates of the dimensions other than latitude and longitude."""
        return {d: self.ordered[d] for d in self.others if d in self.ordered.coords}
