"""Peer side of benches/metrics_peer.sh (run with the PyStormTracker 0.8.0 python).

  metrics_peer.py run TRACKS --grid D [--monthly] -o OUT.nc
      Loads TRACKS with pystormtracker.load_tracks, computes the five Lagrangian metrics
      with compute_track_metrics(radius_km=500, kernel="constant") on the global grid
      lat = 90 - D*k, lon = D*k, writes them to OUT.nc and prints one line
      "peer_compute_s=<s> load_s=<s> tracks=<n> points=<n>". peer_compute_s is the
      compute_track_metrics call alone, timed with perf_counter after a warm-up call on
      five tracks (so Numba compilation / cache loading is not counted).

  metrics_peer.py compare PEER.nc OURS.nc [--tol 1e-9]
      Compares the five variables (same grid, same months) and prints, per variable, the
      largest elementwise relative difference |a-b|/max(|a|,|b|) and the largest absolute
      difference scaled by max|peer|. Exits 1 if any exceeds --tol or the shapes differ.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

VARS = ("cyclone_amplitude", "cyclone_frequency", "track_frequency", "aca", "ata")


def run(args: argparse.Namespace) -> None:
    from pystormtracker import load_tracks
    from pystormtracker.metrics import compute_track_metrics

    t0 = time.perf_counter()
    tracks = load_tracks(args.tracks)
    load_s = time.perf_counter() - t0
    d = args.grid
    lat = 90.0 - d * np.arange(round(180.0 / d) + 1)
    lon = d * np.arange(round(360.0 / d))
    kw = dict(
        radius_km=500.0,
        kernel="constant",
        variable_name=tracks.primary_variable,
        is_min=tracks.mode == "min",
        monthly=args.monthly,
    )
    compute_track_metrics(tracks.subset(np.arange(min(5, len(tracks)))), lat, lon, **kw)
    t0 = time.perf_counter()
    ds = compute_track_metrics(tracks, lat, lon, **kw)
    compute_s = time.perf_counter() - t0
    ds.to_netcdf(args.output)
    print(
        f"peer_compute_s={compute_s:.3f} load_s={load_s:.3f} "
        f"tracks={len(tracks)} points={len(tracks.times)}"
    )


def month_keys(ds) -> list[str]:
    if "time" not in ds.dims:
        return []
    return [str(v)[:7] for v in np.asarray(ds["time"].values).astype("datetime64[M]")]


def compare(args: argparse.Namespace) -> None:
    import xarray as xr

    peer = xr.open_dataset(args.peer)
    ours = xr.open_dataset(args.ours)
    bad = False
    for c in ("lat", "lon"):
        if peer[c].shape != ours[c].shape or not np.allclose(peer[c], ours[c], atol=1e-9):
            print(f"MISMATCH: coordinate {c} differs ({peer[c].size} vs {ours[c].size})")
            bad = True
    mp, mo = month_keys(peer), month_keys(ours)
    if mp != mo:
        print(f"MISMATCH: months peer {mp} vs ours {mo}")
        bad = True
    for v in VARS:
        if v not in ours:
            print(f"MISMATCH: {v} missing from ours")
            bad = True
            continue
        a = np.asarray(peer[v].transpose(*ours[v].dims).values, dtype=np.float64)
        b = np.asarray(ours[v].values, dtype=np.float64)
        if a.shape != b.shape:
            print(f"MISMATCH: {v} shape peer {a.shape} vs ours {b.shape}")
            bad = True
            continue
        nan = np.isnan(a) != np.isnan(b)
        ok = ~np.isnan(a) & ~np.isnan(b)
        diff = np.abs(a[ok] - b[ok])
        den = np.maximum(np.abs(a[ok]), np.abs(b[ok]))
        rel = float(np.max(np.where(den > 0, diff / np.where(den > 0, den, 1), 0), initial=0))
        scale = float(np.max(np.abs(a[ok]), initial=0))
        scaled = float(np.max(diff, initial=0)) / scale if scale > 0 else 0.0
        flag = rel > args.tol or scaled > args.tol or nan.any()
        bad |= flag
        print(
            f"{'MISMATCH' if flag else 'ok'}: {v} {b.shape} max rel {rel:.2e}, "
            f"max abs/max|peer| {scaled:.2e}, NaN disagreements {int(nan.sum())}, "
            f"cells != 0 peer {int(np.count_nonzero(a))} ours {int(np.count_nonzero(b))}"
        )
    sys.exit(1 if bad else 0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("tracks")
    r.add_argument("--grid", type=float, required=True)
    r.add_argument("--monthly", action="store_true")
    r.add_argument("-o", "--output", required=True)
    c = sub.add_parser("compare")
    c.add_argument("peer")
    c.add_argument("ours")
    c.add_argument("--tol", type=float, default=1e-9)
    args = p.parse_args()
    run(args) if args.cmd == "run" else compare(args)


if __name__ == "__main__":
    main()
