#!/usr/bin/env python3
"""Scale figures of issue 13 (docs/benchmarks.md#scale-a-year-at-025-and-the-distributed-run).

One year of 0.25-degree six-hourly msl frames (1460; made by make_quarter_degree.py --tile if
missing) tracked end to end by the Simple tracker:

- the CLI in one process (wall, peak RSS);
- st.track in one process (client=False);
- st.track on a distributed.LocalCluster of 2 worker processes (1 thread each), with the
  client's and each worker's peak RSS and the bytes the workers sent back;
- the per-frame costs the 40-year model rests on: detection alone (stormtrack detect) and
  linking alone (st.link on the gathered centres).

Each run once after a warm-up of the page cache (REPEAT=n for more; the median is printed).
Usage: python benches/scale_year.py [--frames 1460]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "era5"
BIN = os.environ.get("STORMTRACK", str(ROOT / "target" / "release" / "stormtrack"))
REPEAT = int(os.environ.get("REPEAT", "1"))


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Median wall seconds and peak RSS (MB) of `cmd` over REPEAT runs, and its last stderr."""
    walls, peaks, err = [], [], ""
    for _ in range(REPEAT):
        with tempfile.NamedTemporaryFile("r") as t:
            r = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, *cmd], capture_output=True, text=True, env=env)
            if r.returncode != 0:
                sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
            wall, kb = t.read().split()[-2:]
        walls.append(float(wall))
        peaks.append(int(kb) / 1024)
        err = r.stderr
    return statistics.median(walls), statistics.median(peaks), err


DISTRIBUTED = r"""
import json, os, resource, sys, time
sys.path.insert(0, {python!r})
import stormtrack as st
from stormtrack import _distributed
from distributed import Client, LocalCluster

sent = []
gathered = _distributed._gathered
def counting(futures):
    for b in gathered(futures):
        sent.append(len(b))
        yield b
_distributed._gathered = counting

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster) as c:
        start = time.perf_counter()
        st.track({path!r}, "msl", output={out!r}, client=c, threads=1)
        wall = time.perf_counter() - start
        workers = sorted(c.run(peak_mb).values())
    print(json.dumps(dict(wall=wall, client_mb=peak_mb(), workers_mb=workers, blocks=len(sent), bytes=sum(sent))))
"""

ONE_PROCESS = r"""
import json, resource, sys, time
sys.path.insert(0, {python!r})
import stormtrack as st
start = time.perf_counter()
points = st.track({path!r}, "msl", output={out!r}, client=False)
wall = time.perf_counter() - start
print(json.dumps(dict(wall=wall, client_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, points=len(points))))
"""

LINK_ONLY = r"""
import json, sys, time
sys.path.insert(0, {python!r})
import polars as pl
import stormtrack as st
centers = pl.read_parquet({centers!r})
start = time.perf_counter()
ids = centers.select(st.link("time", "lat", "lon"))
print(json.dumps(dict(link_s=time.perf_counter() - start, centers=len(centers), frames=centers["time"].n_unique())))
"""


def python_run(script: str, **kw: str) -> dict:
    r = subprocess.run([sys.executable, "-c", script.format(python=str(ROOT / "python"), **kw)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=1460)
    args = ap.parse_args()
    year = ROOT / "benches" / "data" / f"era5_msl_year_0.25deg_{args.frames}.nc"
    if not year.exists():
        subprocess.run([sys.executable, str(ROOT / "benches" / "make_quarter_degree.py"), str(DATA / "era5_msl_djf2526_2.5deg.nc"), str(year),
                        "--variable", "msl", "--frames", str(args.frames), "--tile"], check=True)
    subprocess.run(["cat", str(year)], stdout=subprocess.DEVNULL, check=True)  # page cache warm
    out = Path(tempfile.mkdtemp(prefix="scale_year."))
    load = os.getloadavg()[0]
    print(f"# {year.name}: {year.stat().st_size / 1e9:.2f} GB; load average before: {load:.2f}; {os.cpu_count()} cores")

    wall, mb, err = timed([BIN, "track", "-i", str(year), "--variable", "msl", "-o", str(out / "cli")])
    print(f"cli track (one process)        {wall:8.1f} s  {mb:7.0f} MB peak   {err.strip().splitlines()[-1]}")
    wall, mb, _ = timed([BIN, "detect", "-i", str(year), "--variable", "msl", "-o", str(out / "centers.parquet"), "--quiet"])
    print(f"cli detect only                {wall:8.1f} s  {mb:7.0f} MB peak   {wall / args.frames * 1e3:.1f} ms/frame on {os.cpu_count()} threads")
    wall, mb, _ = timed([BIN, "detect", "-i", str(year), "--variable", "msl", "-o", str(out / "centers1.parquet"), "--quiet", "--threads", "1"])
    print(f"cli detect only, 1 thread      {wall:8.1f} s  {mb:7.0f} MB peak   {wall / args.frames * 1e3:.1f} ms/frame/core")
    link = python_run(LINK_ONLY, centers=str(out / "centers.parquet"))
    print(f"link only (st.link)            {link['link_s']:8.2f} s  {link['centers']} centres, {link['centers'] / link['frames']:.0f} per frame, "
          f"{link['link_s'] / link['frames'] * 1e6:.0f} us/frame")
    one = python_run(ONE_PROCESS, path=str(year), out=str(out / "py"))
    print(f"st.track, one process          {one['wall']:8.1f} s  {one['client_mb']:7.0f} MB peak")
    dist = python_run(DISTRIBUTED, path=str(year), out=str(out / "dask"))
    print(f"st.track, LocalCluster 2x1     {dist['wall']:8.1f} s  client {dist['client_mb']:.0f} MB peak, workers {', '.join(f'{w:.0f}' for w in dist['workers_mb'])} MB peak; "
          f"{dist['blocks']} blocks, {dist['bytes'] / 1e6:.1f} MB sent ({dist['bytes'] / args.frames / 1e3:.1f} kB/frame; the field is "
          f"{721 * 1440 * 4 / 1e6:.1f} MB/frame as float32)")
    same = subprocess.run(["diff", "-r", str(out / "py" / ".generations"), str(out / "dask" / ".generations")], capture_output=True).returncode == 0
    print(f"distributed dataset == one-process dataset: {same}")
    print(f"# load average after: {os.getloadavg()[0]:.2f}; outputs in {out}")


if __name__ == "__main__":
    main()
