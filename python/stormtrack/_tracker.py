"""``st.Tracker``: the Simple or Hodges tracker fed one frame at a time (an AI weather model
or a forecast pipeline tracking storms in process, without files; docs/datasets.md#streaming)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Sequence

import numpy as np
import polars as pl

from stormtrack import _core


def _time_ms(time: Any, calendar: str | None) -> int:
    """A frame time as int ms since 1970-01-01: an int (ms already), a datetime64, a datetime,
    or a cftime date (in the tracker's calendar)."""
    if isinstance(time, (int, np.integer)):
        return int(time)
    if isinstance(time, np.datetime64):
        return int(time.astype("datetime64[ms]").astype(np.int64))
    if isinstance(time, _dt.datetime) and not hasattr(time, "calendar"):
        return int(np.datetime64(time.replace(tzinfo=None), "ms").astype(np.int64))
    if hasattr(time, "calendar"):
        import cftime

        return int(round(cftime.date2num(time, "milliseconds since 1970-01-01 00:00:00", calendar=calendar or time.calendar)))
    raise _core.StormtrackError(f"cannot read a frame time from {type(time).__name__}; give datetime64, datetime, cftime or int milliseconds")


class Tracker:
    """Track storms one frame at a time with the Simple or the Hodges method.

    ``push(frame, time)`` takes one (latitude, longitude) frame (a NumPy array, or anything
    exposing DLPack, ``__array__`` or the buffer protocol, or a flat Arrow array) and returns the
    tracks that finished as a ``track_points`` DataFrame; ``finish()`` returns those still
    open. Over a run, the tracks returned are those of :func:`track` on the same frames, with
    the same ids, for both methods. The Simple tracker hands a track back at the first frame
    it is not continued in; ``algorithm="hodges"`` (with ``lmin``/``lmax`` and the Hodges
    keywords of :func:`track`) links by segments of ``segment_frames`` frames (62), so it
    hands tracks back once the segment after their end is complete and holds about a segment
    of frames (docs/datasets.md#streaming-the-hodges-tracker). ``algorithm="healpix"`` (with
    ``nside``) regrids each frame pushed to HEALPix and links as the Hodges tracker does.
    ``taper_points`` ramps the edges of every frame pushed to 0 first, as :func:`track` does
    (docs/algorithms.md#boundary-taper). ``closed_contours`` and ``merge_dist`` are
    TempestExtremes' criteria, as for :func:`track` (Simple only); a criterion on another
    variable needs that variable's frame with each push (``push(frame, time, others={"z":
    z_frame})``, its CF units in ``other_units``), docs/algorithms.md#closed-contour-criterion.

    >>> import numpy as np, stormtrack as st
    >>> lat, lon = np.arange(-30.0, 31.0, 2.5), np.arange(0.0, 360.0, 2.5)
    >>> tracker = st.Tracker(lat, lon, "msl", units="Pa")
    >>> for k in range(3):
    ...     frame = np.full((lat.size, lon.size), 101000.0)
    ...     frame[12, 10 + k] = 98000.0
    ...     done = tracker.push(frame, np.datetime64("2025-12-01T00") + np.timedelta64(6 * k, "h"))
    >>> tracker.finish().select("track_id", "step", "lon").rows()
    [(1, 0, 25.0), (1, 1, 27.5), (1, 2, 30.0)]
    """

    def __init__(
        self,
        lat: Sequence[float] | np.ndarray,
        lon: Sequence[float] | np.ndarray,
        variable: str,
        *,
        units: str | None = None,
        standard_name: str | None = None,
        calendar: str | None = None,
        mode: str = "auto",
        threshold: float | None = None,
        refinement: str | None = None,
        window: int | None = None,
        max_km: float | None = None,
        algorithm: str = "simple",
        lmin: int | None = None,
        lmax: int | None = None,
        taper_points: int = 0,
        nside: int | None = None,
        closed_contours: Sequence[str | Sequence[Any]] = (),
        merge_dist: float | None = None,
        other_units: dict[str, str] | None = None,
        **hodges: Any,
    ) -> None:
        from stormtrack._io import _HODGES_OPTIONS, _criteria, _taper

        unknown = sorted(set(hodges) - set(_HODGES_OPTIONS))
        if unknown:
            raise TypeError(f"Tracker() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; Hodges options are {', '.join(_HODGES_OPTIONS)}")
        self._calendar = calendar
        self._shape = (len(lat), len(lon))
        self._inner = _core.Tracker(
            [float(x) for x in np.asarray(lat)], [float(x) for x in np.asarray(lon)], variable=variable, units=units,
            standard_name=standard_name, calendar=calendar, mode=mode, threshold=threshold, refinement=refinement,
            window=window, max_km=max_km, algorithm=algorithm, lmin=lmin, lmax=lmax,
            hodges={k: v for k, v in hodges.items() if v is not None} or None, taper_points=_taper(taper_points) or 0,
            nside=nside, closed_contours=_criteria(closed_contours, None)["closed_contours"] or [], merge_dist=merge_dist,
            other_units=other_units,
        )
        #: The other variables the closed contours test: ``push`` takes a frame of each.
        self.other_variables: list[str] = list(self._inner.other_variables)

    def _frame(self, frame: Any) -> np.ndarray:
        if hasattr(frame, "__dlpack__") and not isinstance(frame, np.ndarray):
            try:
                frame = np.from_dlpack(frame)
            except (TypeError, RuntimeError, BufferError):
                pass
        if hasattr(frame, "to_numpy") and not hasattr(frame, "shape"):  # an Arrow array: flat
            frame = frame.to_numpy(zero_copy_only=False)
        a = np.asarray(frame, dtype=np.float64)
        if a.ndim == 1 and a.size == self._shape[0] * self._shape[1]:
            a = a.reshape(self._shape)
        if a.shape != self._shape:
            raise _core.StormtrackError(f"frame has shape {a.shape}, the tracker's grid is {self._shape} (latitude, longitude)")
        return np.ascontiguousarray(a)

    def push(self, frame: Any, time: Any, others: dict[str, Any] | None = None) -> pl.DataFrame:
        """Detect and link one frame; returns the track points of the tracks that ended.
        ``others`` holds a frame of each variable in ``other_variables`` (by name)."""
        given = dict(others or {})
        missing = [n for n in self.other_variables if n not in given]
        extra = sorted(set(given) - set(self.other_variables))
        if missing or extra:
            wanted = ", ".join(self.other_variables) or "none"
            raise _core.StormtrackError(f"others: the closed contours test {wanted}; give a frame of each by name (missing {missing or 'none'}, not tested {extra or 'none'})")
        frames = [self._frame(given[n]) for n in self.other_variables]
        points, _summary = self._inner.push(_time_ms(time, self._calendar), self._frame(frame), frames)
        return pl.DataFrame(points)

    def finish(self) -> pl.DataFrame:
        """The track points of every track still open; the tracker takes no more frames."""
        points, _summary = self._inner.finish()
        return pl.DataFrame(points)
