"""Pictures of tracks and fields: ``plot`` (PNG maps) and ``explore`` (a self-contained HTML
page). Both take a file (any track format, or a gridded NetCDF/Parquet/GRIB/Zarr for ``plot``)
or a ``track_points`` DataFrame; see docs/plots.md."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from stormtrack import _core
from stormtrack._metrics import _value_column

PathLike = str | os.PathLike[str]


def _point_arrays(tracks: pl.DataFrame, value: str | None, calendar: str | None) -> tuple[list[np.ndarray], str, str | None]:
    """The columns of a ``track_points`` table as the extension takes them: ids, times (ms in
    their calendar), lat, lon, value; the value column's name; the calendar."""
    for c in ("time", "lat", "lon"):
        if c not in tracks.columns:
            raise _core.StormtrackError(f"column '{c}' not found; a track_points table has track_id, time, lat, lon and a value column")
    col = _value_column(tracks, value)
    time = tracks["time"]
    if isinstance(time.dtype, (pl.Datetime, pl.Date)):
        ms = time.cast(pl.Datetime("ms")).dt.epoch("ms")
    elif time.dtype.is_integer():
        # model calendars: Int64 ms in the data's calendar (docs/calendars.md), named by `calendar`
        ms = time.cast(pl.Int64)
    else:
        raise _core.StormtrackError(f"column 'time' must be a Datetime or Int64 milliseconds, not {time.dtype}")
    ids = tracks["track_id"].cast(pl.Int64) if "track_id" in tracks.columns else pl.Series([0] * len(tracks), dtype=pl.Int64)
    arrays = [ids.to_numpy(), ms.to_numpy().astype(np.int64), tracks["lat"].cast(pl.Float64).to_numpy(),
              tracks["lon"].cast(pl.Float64).to_numpy(), tracks[col].cast(pl.Float64).fill_null(float("nan")).to_numpy()]
    return [np.ascontiguousarray(a) for a in arrays], col, calendar


def plot(
    source: PathLike | pl.DataFrame,
    output: PathLike | None = None,
    *,
    view: Literal["global", "region", "north", "south"] = "global",
    region: Sequence[float] | None = None,
    central_lon: float | None = None,
    boundary_lat: float | None = None,
    color_by: Literal["intensity", "time", "track"] = "intensity",
    variable: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    width: int = 1200,
    height: int | None = None,
    title: str | None = None,
    frame: int | None = None,
    kind: Literal["auto", "tracks", "field"] = "auto",
    format: str | None = None,
    calendar: str | None = None,
    fields: Sequence[str] | None = None,
    mode: Literal["min", "max"] | None = None,
    unit: str = "",
) -> bytes:
    """A PNG map, as ``stormtrack plot`` draws it, returned as bytes (and written to
    ``output``, a ``.png``, when given): tracks coloured by ``color_by`` (``"intensity"``,
    ``"time"`` or ``"track"``), or a gridded field (``variable`` of a NetCDF, tidy Parquet,
    GRIB or Zarr input; the mean over time unless ``frame`` is given). ``view`` is
    ``"global"``, ``"north"``/``"south"`` (polar stereographic down to ``boundary_lat``) or a
    ``region=(west, east, south, north)``.

    ``source`` may be a ``track_points`` DataFrame (``st.read_tracks``, ``st.track``): its
    ``variable`` column (default ``value``) is the intensity, minima when ``mode="min"`` or
    when the column's name says so (``msl``), ``unit`` labels the colour bar. In a notebook,
    ``IPython.display.Image(st.plot(df))`` shows it.

    >>> import polars as pl, stormtrack as st
    >>> df = pl.DataFrame({"track_id": [1, 1, 1], "lat": [40.0, 42.0, 45.0], "lon": [-60.0, -50.0, -40.0],
    ...                    "time": pl.datetime_range(pl.datetime(2025, 12, 1), pl.datetime(2025, 12, 1, 12), "6h", eager=True),
    ...                    "msl": [99_000.0, 98_000.0, 97_000.0]})
    >>> png = st.plot(df, region=(-80, -20, 20, 60), width=600, unit="Pa")
    >>> png[1:4] == b"PNG", int.from_bytes(png[16:20], "big")  # the signature, the width
    (True, 600)
    """
    spec: dict[str, Any] = {
        "kind": kind, "view": view, "region": None if region is None else [float(v) for v in region],
        "central_lon": central_lon, "boundary_lat": boundary_lat, "colour_by": color_by, "variable": variable,
        "vmin": vmin, "vmax": vmax, "width": int(width), "height": height, "title": title, "frame": frame,
        "format": format, "calendar": calendar, "fields": list(fields or []), "mode": mode,
    }
    if region is not None and len(spec["region"]) != 4:
        raise ValueError("region must be (west, east, south, north)")
    out = None if output is None else os.fspath(output)
    if isinstance(source, pl.DataFrame):
        arrays, col, cal = _point_arrays(source, variable, calendar)
        spec["variable"] = None
        return _core.plot_points(*arrays, name=col, unit=unit, mode=mode, calendar=cal, output=out, spec=spec)
    return _core.plot_file(os.fspath(source), out, spec)


def explore(
    source: PathLike | pl.DataFrame,
    output: PathLike | None = None,
    *,
    title: str | None = None,
    variable: str | None = None,
    format: str | None = None,
    calendar: str | None = None,
    fields: Sequence[str] | None = None,
    mode: Literal["min", "max"] | None = None,
    unit: str = "",
) -> str:
    """The track explorer of ``stormtrack explore``: one self-contained HTML page (no network
    when viewed) to filter tracks by time, peak intensity, lifetime and region and click a
    track for its points. Returned as text, and written to ``output`` (``.html``) when given;
    in a notebook, ``IPython.display.HTML(st.explore(df))``. ``source`` is a track file or a
    ``track_points`` DataFrame (its ``variable`` column is the intensity, as in ``plot``).

    >>> from datetime import datetime
    >>> import polars as pl, stormtrack as st
    >>> df = pl.DataFrame({"track_id": [7, 7], "lat": [10.0, 11.0], "lon": [140.0, 139.0], "vo": [1e-4, 2e-4],
    ...                    "time": [datetime(2025, 8, 1), datetime(2025, 8, 1, 6)]})
    >>> html = st.explore(df, title="one typhoon")
    >>> "<title>one typhoon</title>" in html, '"id":7' in html
    (True, True)
    """
    out = None if output is None else os.fspath(output)
    if isinstance(source, pl.DataFrame):
        arrays, col, cal = _point_arrays(source, variable, calendar)
        return _core.explore_points(*arrays, name=col, unit=unit, mode=mode, calendar=cal, output=out, title=title)
    return _core.explore_file(os.fspath(source), out, title=title, format=format, calendar=calendar,
                              fields=list(fields or []), mode=mode)
