"""Front-end overhead: linking 1,000,000 centres with the Rust core function (through
`_core.link_arrays`, NumPy in, NumPy out), the Polars expression plugin and the DataFusion
window function (Python datafusion through the FFI capsules), on the same data, in one run.
Also `st.detect` on the DJF file against `stormtrack detect`.

    PYTHONPATH=python python3 benches/frontends.py [--repeat 5]

Prints a Markdown table for docs/benchmarks.md. Timings are the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import polars as pl

import stormtrack as st

ROOT = Path(__file__).resolve().parents[1]
DJF = ROOT.parent / "shared/data/era5/era5_msl_djf2526_2.5deg.nc"


def centres(n_frames: int = 400, per_frame: int = 2500, seed: int = 2026) -> pl.DataFrame:
    """Storm-like centres: `per_frame` points moving eastward by ~2 degrees per 6 h with noise,
    plus births and deaths, so the linker does real work (about 1,000,000 rows)."""
    rng = np.random.default_rng(seed)
    lat0 = np.degrees(np.arcsin(rng.uniform(-1, 1, per_frame)))
    lon0 = rng.uniform(0, 360, per_frame)
    t = np.repeat(np.arange(n_frames, dtype=np.int64) * 6 * 3_600_000, per_frame)
    k = np.tile(np.arange(per_frame), n_frames)
    step = np.repeat(np.arange(n_frames), per_frame)
    lat = np.clip(lat0[k] + rng.normal(0, 0.3, k.size), -89.9, 89.9)
    lon = (lon0[k] + 2.0 * step + rng.normal(0, 0.3, k.size)) % 360 - 180
    df = pl.DataFrame({"time": t, "lat": lat, "lon": lon}).with_columns(pl.col("time").cast(pl.Datetime("ms", "UTC")))
    return df.sample(fraction=1.0, shuffle=True, seed=seed)  # unsorted, as a table would be


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    df = centres()
    n = df.height
    t_ms = df["time"].dt.epoch("ms").to_numpy()
    lat, lon = df["lat"].to_numpy(), df["lon"].to_numpy()

    core_ids = st._core.link_arrays(t_ms, lat, lon, max_km=500.0)
    plugin_ids = df.select(st.link("time", "lat", "lon"))["time"].to_numpy()
    import pyarrow as pa
    from datafusion import SessionContext

    ctx = st.sql_context(ctx=SessionContext())
    ctx.register_record_batches("c", [pa.table(df.to_arrow()).to_batches()])
    query = "SELECT link_tracks(time, lat, lon) OVER () AS id FROM c"
    sql_ids = np.concatenate([b.column(0).to_numpy() for b in ctx.sql(query).collect()])
    assert (core_ids == plugin_ids).all(), "plugin differs from the core"
    assert sorted(np.bincount(sql_ids)) == sorted(np.bincount(core_ids)), "SQL differs from the core"

    rows = []
    t_core = best(lambda: st._core.link_arrays(t_ms, lat, lon, max_km=500.0), args.repeat)
    t_plugin = best(lambda: df.select(st.link("time", "lat", "lon")), args.repeat)
    t_lazy = best(lambda: df.lazy().select(st.link("time", "lat", "lon")).collect(), args.repeat)
    t_sql = best(lambda: ctx.sql(query).collect(), args.repeat)
    rows += [
        (f"link {n:,} centres: Rust core (`_core.link_arrays`)", t_core, 1.0),
        ("link: Polars plugin, eager `df.select(st.link(...))`", t_plugin, t_plugin / t_core),
        ("link: Polars plugin, lazy", t_lazy, t_lazy / t_core),
        ("link: DataFusion `link_tracks() OVER ()` (Python, FFI)", t_sql, t_sql / t_core),
    ]
    if DJF.exists():
        binary = os.environ.get("STORMTRACK_BIN", str(ROOT / "target/release/stormtrack"))
        out = Path("/tmp/stormtrack_bench_centers.parquet")
        t_cli = best(lambda: subprocess.run([binary, "detect", "-i", str(DJF), "--variable", "msl", "-o", str(out), "--quiet"], check=True), args.repeat)
        t_py = best(lambda: st.detect(DJF, "msl"), args.repeat)
        rows += [
            ("detect DJF msl 2.5 deg: `stormtrack detect` (process, incl. Parquet write)", t_cli, 1.0),
            ("detect DJF msl 2.5 deg: `st.detect` (DataFrame out)", t_py, t_py / t_cli),
        ]
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average before the run {load[0]:.2f}\n")
    print("| what | best of %d (s) | ratio |" % args.repeat)
    print("|---|---|---|")
    for what, t, r in rows:
        print(f"| {what} | {t:.3f} | {r:.2f} |")


if __name__ == "__main__":
    main()
