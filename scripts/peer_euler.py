"""Record PyStormTracker 0.8.0 Eulerian metrics (`metrics.eulerian`) as JSON references.

Run with the peer's interpreter:  /tmp/peer/bin/python scripts/peer_euler.py
Writes tests/data/euler_synthetic.json (checked by tests/euler_peer.rs) and
tests/data/era5_euler_reference.json (real ERA5 msl and vo850, for the main crate).

Input values are not stored: `value` below uses only +, -, * on exact inputs, so Rust rebuilds
the same float64 (or float32) numbers bit for bit.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from pystormtracker.metrics.eulerian import (
    compute_eke,
    compute_high_wind_index,
    compute_variance_metric,
)

warnings.simplefilter("ignore")
from peer_reference import main  # noqa: E402  (scripts/ is on sys.path when run)
HOUR_MS = 3_600_000
NCELLS = 6  # stored as (time, 2, 3)


def value(t: int, c: int, salt: int, base: float, scale: float) -> float:
    """Mirrored exactly in tests/euler_peer.rs."""
    h = (c * 131 + t * 197 + salt * 59 + ((c * t) % 17) * 29) % 1009
    return base + h * scale + c * 0.75 - t * 0.003


def is_nan(t: int, c: int, salt: int, nan_mod: int, nan_cells: list[int]) -> bool:
    h = (c * 131 + t * 197 + salt * 59 + ((c * t) % 17) * 29) % 1009
    return c in nan_cells or (nan_mod > 0 and h % nan_mod == 0)


def field(spec: dict, salt: int, base: float, scale: float) -> xr.DataArray:
    nt = len(spec["times"])
    data = np.empty((nt, NCELLS))
    for t in range(nt):
        for c in range(NCELLS):
            bad = is_nan(t, c, salt, spec["nan_mod"], spec["nan_cells"])
            data[t, c] = np.nan if bad else value(t, c, salt, base, scale)
    data = data.astype(np.float32 if spec["dtype"] == "f32" else np.float64).reshape(nt, 2, 3)
    times = np.asarray(spec["times"], dtype="datetime64[ms]").astype("datetime64[ns]")
    return xr.DataArray(data, dims=("time", "y", "x"), coords={"time": times})


def months(da: xr.DataArray) -> list[list]:
    return [[int(str(t)[:4]), int(str(t)[5:7])] for t in da.time.values]


def vals(da: xr.DataArray) -> list[list]:
    flat = np.asarray(da.values, dtype=np.float64).reshape(da.sizes["time"], -1)
    return [[None if not math.isfinite(x) else float(x) for x in row] for row in flat]


def hourly_times(start: str, stop: str, step_h: int, skip: tuple[str, str] | None = None) -> list[int]:
    t = np.arange(np.datetime64(start, "ms"), np.datetime64(stop, "ms"), np.timedelta64(step_h, "h"))
    if skip:
        t = t[(t < np.datetime64(skip[0], "ms")) | (t >= np.datetime64(skip[1], "ms"))]
    return [int(x) for x in t.astype(np.int64)]


def peer_step_hours(times_ms: list[int]) -> int | str:
    """The peer's own expression (compute_variance_metric), on a datetime64[ns] axis."""
    da = xr.DataArray(np.zeros(len(times_ms)), dims="time",
                      coords={"time": np.asarray(times_ms, "datetime64[ms]").astype("datetime64[ns]")})
    diffs = da.time.diff("time").values
    if len(diffs) == 0:
        return "too few"
    return int(np.median(diffs).astype("timedelta64[h]").astype(int))


def synthetic() -> dict:
    base = dict(nan_mod=0, nan_cells=[], dtype="f64", percentiles=[0.95, 0.5, 0.0, 1.0, 0.333])
    specs = [
        dict(base, name="6h_leap_feb_nans", times=hourly_times("2020-01-20T06", "2020-03-10T00", 6),
             nan_mod=13, nan_cells=[4]),
        dict(base, name="3h_year_end", times=hourly_times("2021-11-25T00", "2022-01-05T00", 3), nan_mod=29),
        dict(base, name="6h_f32_missing_february", dtype="f32",
             times=hourly_times("2025-01-25T00", "2025-03-05T00", 6, ("2025-02-01", "2025-03-01"))),
        dict(base, name="1h_short_nan_tail_month", times=hourly_times("2020-01-31T00", "2020-02-01T13", 1),
             nan_mod=7),
        dict(base, name="5h_peer_truncated_shift", times=hourly_times("2020-04-20T00", "2020-06-02T00", 5),
             nan_mod=11),
    ]
    cases = []
    for spec in specs:
        u = field(spec, 1, -3.0, 0.041)
        v = field(spec, 2, 1.5, 0.027)
        ds = xr.Dataset({"u": u, "v": v})
        case = {k: spec[k] for k in ("name", "times", "nan_mod", "nan_cells", "dtype")}
        case["step_hours"] = peer_step_hours(spec["times"])
        var_u = compute_variance_metric(u.rename("u"))
        case["var_u"] = {"months": months(var_u), "values": vals(var_u), "dtype": str(var_u.dtype)}
        eke = compute_eke(u.rename("u"), v.rename("v"))
        case["eke"] = {"months": months(eke), "values": vals(eke), "dtype": str(eke.dtype)}
        case["high_wind"] = []
        for q in spec["percentiles"]:
            hw = compute_high_wind_index(ds, "u", "v", percentile=q)
            case["high_wind"].append({"percentile": q, "months": months(hw), "values": vals(hw),
                                      "dtype": str(hw.dtype)})
        cases.append(case)
    h = HOUR_MS
    step_cases = [[0, 6 * h, 12 * h, 19 * h, 26 * h], [0, 90 * 60_000, 180 * 60_000],
                  [0, 30 * 60_000, 60 * 60_000], [0, 6 * h - 1, 12 * h], [0, 3 * h, 9 * h + 1, 16 * h],
                  [0, 25 * h], [0, h], [5]]
    steps = [{"times": t, "step_hours": peer_step_hours(t)} for t in step_cases]
    errors = {}
    for name, kw in {"percentile_95": dict(percentile=95.0), "percentile_neg": dict(percentile=-0.1)}.items():
        try:
            compute_high_wind_index(xr.Dataset({"u": cases and field(specs[0], 1, 0, 1),
                                                "v": field(specs[0], 2, 0, 1)}), "u", "v", **kw)
            errors[name] = None
        except ValueError as exc:
            errors[name] = str(exc)
    for name, t in {"step_30min": step_cases[2], "step_25h": step_cases[5]}.items():
        da = xr.DataArray(np.zeros(len(t)), dims="time",
                          coords={"time": np.asarray(t, "datetime64[ms]").astype("datetime64[ns]")})
        try:
            compute_variance_metric(da.rename("x"))
            errors[name] = None
        except ValueError as exc:
            errors[name] = str(exc)
    return {"generator": "scripts/peer_euler.py", "peer": "pystormtracker 0.8.0", "ncells": NCELLS,
            "cases": cases, "median_step": steps, "peer_errors": errors}


def era5() -> dict:
    root = Path("/work/shared/data/era5")
    rows, cols = [8, 20, 36, 52, 64], [0, 1, 56, 100, 143]
    out = {"generator": "scripts/peer_euler.py", "peer": "pystormtracker 0.8.0",
           "note": ("compute_variance_metric on the whole DJF file (time renamed from valid_time, "
                    "vo's pressure_level squeezed), cells picked afterwards; float32 data stay "
                    "float32 in the peer, so the values carry float32 rounding"),
           "fields": []}
    for fname, var in [("era5_msl_djf2526_2.5deg.nc", "msl"), ("era5_vo850_djf2526_2.5deg.nc", "vo")]:
        ds = xr.open_dataset(root / fname)
        da = ds[var].rename({"valid_time": "time"})
        if "pressure_level" in da.dims:
            da = da.isel(pressure_level=0)
        res = compute_variance_metric(da).isel(latitude=rows, longitude=cols)
        out["fields"].append({
            "file": fname, "variable": var, "units": ds[var].attrs.get("units"),
            "source_dtype": str(da.dtype), "result_dtype": str(res.dtype), "step_hours": 6,
            "lat": [float(x) for x in res.latitude.values], "lon": [float(x) for x in res.longitude.values],
            "rows": rows, "cols": cols, "cell_order": "row-major over (lat, lon) above",
            "months": months(res), "values": vals(res)})
    return out



if __name__ == "__main__":
    main(("euler_synthetic.json", synthetic), ("era5_euler_reference.json", era5))
