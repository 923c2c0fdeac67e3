"""Record PyStormTracker 0.8.0 `sample_tracks` outputs as JSON references.

Run with the peer's interpreter:  /tmp/peer/bin/python scripts/peer_sample.py
Writes tests/data/sample_synthetic.json (synthetic grids, checked by tests/sample_peer.rs) and
tests/data/era5_sample_reference.json (real ERA5 msl, for the main crate to test later).

Field values are not stored: they come from `field_value` below, which uses only +, -, * on
exactly representable inputs, so Rust rebuilds the same float64 (or float32) numbers bit for bit.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from pystormtracker.io.data_loader import DataLoader
from pystormtracker.io.format import load_tracks
from pystormtracker.models.tracks import Tracks, TracksMetadata
from pystormtracker.sample import sample_tracks

warnings.simplefilter("ignore")
from peer_reference import main  # noqa: E402  (scripts/ is on sys.path when run)
T0 = int(np.datetime64("2025-12-01T00:00", "ms").astype(np.int64))
HOUR = 3_600_000
METHODS = ["nearest", "bilinear", "mean", "max", "min"]
RADII = [0.0, 300.0, 500.0, 2000.0]


def field_value(t: int, i: int, j: int, base: float, scale: float) -> float:
    """Pseudo-random field from integers; mirrored exactly in tests/sample_peer.rs."""
    h = (i * 131 + j * 197 + t * 71 + ((i * j) % 17) * 29) % 1009
    return base + h * scale + i * 0.75 - j * 0.3


def is_nan_cell(t: int, i: int, j: int, nan_mod: int) -> bool:
    h = (i * 131 + j * 197 + t * 71 + ((i * j) % 17) * 29) % 1009
    return nan_mod > 0 and h % nan_mod == 0


def build(spec: dict) -> xr.Dataset:
    lat, lon = np.asarray(spec["lat"]), np.asarray(spec["lon"])
    nt = len(spec["times"])
    data = np.empty((nt, lat.size, lon.size))
    for t in range(nt):
        for i in range(lat.size):
            for j in range(lon.size):
                jj = 0 if (spec["endpoint"] and j == lon.size - 1) else j
                v = field_value(t, i, jj, spec["base"], spec["scale"])
                if spec["endpoint"] == "near" and j == lon.size - 1:
                    v = v + v * 1e-6  # within np.allclose: still dropped
                if spec["endpoint"] == "conflict" and j == lon.size - 1:
                    v = v + 1.0
                data[t, i, j] = np.nan if is_nan_cell(t, i, jj, spec["nan_mod"]) else v
    data = data.astype(np.float32 if spec["dtype"] == "f32" else np.float64)
    times = np.asarray(spec["times"], dtype="datetime64[ms]")
    da = xr.DataArray(data, dims=("time", "lat", "lon"),
                      coords={"time": times, "lat": lat, "lon": lon})
    if spec["units"]:
        da.attrs["units"] = spec["units"]
    return xr.Dataset({spec["var"]: da})


def make_tracks(lats, lons, times) -> Tracks:
    n = len(lats)
    md = TracksMetadata(primary_variable="p", mode="min", units={"p": "1"})
    return Tracks(ids=np.arange(n), offsets=np.arange(n + 1), times=np.asarray(times, np.int64),
                  lats=np.asarray(lats, float), lons=np.asarray(lons, float),
                  variables={"p": np.zeros(n)}, metadata=md)


def jnum(x: float):
    return None if not math.isfinite(x) else float(x)


def run_all(tracks: Tracks, ds: xr.Dataset, var: str) -> dict:
    out: dict = {}
    for method in METHODS:
        radii = [0.0] if method in ("nearest", "bilinear") else RADII
        for r in radii:
            vals = sample_tracks(tracks, ds, var, method=method, radius_km=r).variables[var]
            out[f"{method}:{r:g}"] = [jnum(v) for v in vals]
    return out


def points_for(lat: np.ndarray, lon: np.ndarray, rng) -> tuple[list, list]:
    pts = [(10.0, 179.9), (10.0, -179.9), (-30.0, 180.0), (0.0, 179.99), (45.0, -180.0),
           (-62.5, 179.0), (90.0, 0.0), (-90.0, 45.0), (89.9, 100.0), (-89.5, -170.0),
           (90.0, -180.0), (88.0, 7.0), (-55.0, -55.0), (-55.0, -70.0), (35.0, 125.0),
           (20.0, 100.0), (60.0, 150.0), (59.9, 149.9)]
    for k in sorted({0, 1, lat.size // 3, lat.size // 2, lat.size - 1}):
        for m in sorted({0, lon.size // 4, lon.size // 2, lon.size - 1}):
            pts.append((float(lat[k]), float(lon[m])))  # grid nodes
    for k in sorted({0, lat.size // 2 - 1, lat.size - 2}):
        for m in sorted({0, lon.size // 3, lon.size - 2}):
            pts.append((0.5 * (lat[k] + lat[k + 1]), 0.5 * (lon[m] + lon[m + 1])))  # midpoints
    while len(pts) < 56:
        pts.append((float(rng.uniform(-90, 90)), float(rng.uniform(-180, 180))))
    return [p[0] for p in pts], [p[1] for p in pts]


def point_times(n: int, times: list[int]) -> list[int]:
    mid = (times[0] + times[1]) // 2  # exact tie between two steps
    cycle = [times[0], times[1], mid, times[0] - 5 * HOUR, times[-1] + 9 * HOUR,
             times[-1] - 1, mid + 1, mid - 1, times[2]]
    return [cycle[k % len(cycle)] for k in range(n)]


def synthetic() -> dict:
    rng = np.random.default_rng(20260901)
    times = [T0, T0 + 6 * HOUR, T0 + 12 * HOUR]
    g_desc, g_asc = np.arange(90.0, -90.1, -2.5), np.arange(-90.0, 90.1, 2.5)
    irr_lon = np.roll(np.sort(rng.uniform(0.0, 360.0, 40)), 13)
    irr_lat = np.sort(rng.uniform(-85.0, 85.0, 25))[::-1]
    base = dict(times=times, endpoint=None, nan_mod=0, units=None, var="field", dtype="f64",
                base=1000.0, scale=0.125)
    specs = [
        dict(base, name="g25_desc_0_360_f32_hpa", lat=g_desc, lon=np.arange(0.0, 360.0, 2.5),
             dtype="f32", var="msl", units="hPa"),
        dict(base, name="g25_asc_m180_signed", lat=g_asc, lon=np.arange(-180.0, 180.0, 2.5),
             nan_mod=23, base=-150.0, scale=0.37),
        dict(base, name="g25_dup360", lat=g_desc, lon=np.arange(0.0, 360.1, 2.5), endpoint="equal",
             nan_mod=31),
        dict(base, name="g25_dup_m180_180_near", lat=g_desc, lon=np.arange(-180.0, 180.1, 2.5),
             endpoint="near"),
        dict(base, name="regional", lat=np.arange(20.0, 60.1, 1.0),
             lon=np.arange(100.0, 150.1, 1.25), nan_mod=19),
        dict(base, name="irregular_rolled", lat=irr_lat, lon=irr_lon, nan_mod=0, scale=0.9),
        dict(base, name="conflicting_endpoint", lat=g_desc, lon=np.arange(0.0, 360.1, 2.5),
             endpoint="conflict"),
        dict(base, name="interior_duplicate", lat=np.array([10.0, 0.0]),
             lon=np.array([0.0, 10.0, 370.0, 20.0])),
    ]
    cases = []
    for spec in specs:
        ds = build(spec)
        plat, plon = points_for(np.asarray(spec["lat"]), np.asarray(spec["lon"]), rng)
        tracks = make_tracks(plat, plon, point_times(len(plat), times))
        case = {k: spec[k] for k in ("name", "times", "nan_mod", "units", "var", "dtype",
                                     "base", "scale", "endpoint")}
        case["lat"] = [float(x) for x in spec["lat"]]
        case["lon"] = [float(x) for x in spec["lon"]]
        case["factor"] = 100.0 if spec["units"] == "hPa" else 1.0
        try:
            case["results"] = run_all(tracks, ds, spec["var"])
            case["error"] = None
        except ValueError as exc:
            case["results"], case["error"] = {}, str(exc)
        # the lon actually used: Tracks normalises to [-180, 180)
        case["points"] = {"lat": [float(x) for x in tracks.lats],
                          "lon": [float(x) for x in tracks.lons],
                          "time": [int(x) for x in tracks.times]}
        cases.append(case)
    return {"generator": "scripts/peer_sample.py", "peer": "pystormtracker 0.8.0",
            "radii": RADII, "cases": cases, "time_cases": time_cases(rng)}


def time_cases(rng) -> list[dict]:
    """xarray `.sel(time=t, method="nearest")` on increasing and decreasing axes."""
    out = []
    axes = [[0, 10, 20, 30], [30, 20, 10, 0], [5], [0, 6 * HOUR, 12 * HOUR, 30 * HOUR],
            sorted(int(x) for x in rng.choice(10**6, 9, replace=False))]
    axes.append(axes[-1][::-1])
    for axis in axes:
        lo, hi = min(axis), max(axis)
        queries = sorted({lo - 7, hi + 7, *axis, *[int(x) for x in rng.integers(lo - 5, hi + 6, 12)],
                          *[(a + b) // 2 for a, b in zip(sorted(axis), sorted(axis)[1:])]})
        da = xr.DataArray(np.arange(len(axis)), dims="time",
                          coords={"time": np.asarray(axis, dtype="datetime64[ms]")})
        got = [int(da.sel(time=np.datetime64(q, "ms"), method="nearest").values) for q in queries]
        out.append({"times": axis, "queries": queries, "index": got})
    return out


def era5() -> dict:
    path = Path("/work/shared/data/era5/era5_msl_djf2526_2.5deg.nc")
    ds = DataLoader(str(path)).ensure_open()
    ref = load_tracks("/work/shared/reference/pst-0.8.0/simple_msl_2.5.trackjson")
    rng = np.random.default_rng(7)
    idx = np.sort(rng.choice(len(ref.times), 44, replace=False))
    lats, lons, times = list(ref.lats[idx]), list(ref.lons[idx]), list(ref.times[idx])
    t_all = ds["valid_time"].values.astype("datetime64[ms]").astype(np.int64)
    extra = [(90.0, 0.0, t_all[0]), (-90.0, 10.0, t_all[-1]), (0.0, -180.0, t_all[100]),
             (60.0, 179.9, t_all[200] + 3 * HOUR), (-45.0, -1.25, t_all[5] + 1),
             (71.3, 201.4, t_all[17] - 2 * HOUR)]
    for la, lo, t in extra:
        lats.append(la), lons.append(lo), times.append(int(t))
    tracks = make_tracks(lats, lons, times)
    return {"generator": "scripts/peer_sample.py", "peer": "pystormtracker 0.8.0",
            "file": path.name, "variable": "msl", "units": "Pa (stored float32; peer keeps float32)",
            "note": "time = track time (ms since 1970); the peer picks the nearest file step",
            "points": {"lat": [float(x) for x in tracks.lats], "lon": [float(x) for x in tracks.lons],
                       "time": [int(x) for x in tracks.times]},
            "results": run_all(tracks, ds, "msl")}



if __name__ == "__main__":
    main(("sample_synthetic.json", synthetic), ("era5_sample_reference.json", era5))
