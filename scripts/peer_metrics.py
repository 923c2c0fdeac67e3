"""Reference gridded metrics from PyStormTracker 0.8 compute_track_metrics on a track file
(tests/data/reference/peer_metrics_hodges_msl_2.5.nc; see the README there).
usage: /tmp/peer/bin/python scripts/peer_metrics.py TRACKS OUT.nc [variable] [min|max]
The file written here keeps full float64 values; the repository's copy was rounded afterwards
to 40 significant bits (xarray encoding quantize_mode="BitRound", significant_digits=40) and
given the attributes tracks, points and made_with."""
import sys, time
import numpy as np, xarray as xr
from pystormtracker import load_tracks
from pystormtracker.metrics import compute_track_metrics

path, out = sys.argv[1], sys.argv[2]
tracks = load_tracks(path)
var = sys.argv[3] if len(sys.argv) > 3 else None
is_min = (sys.argv[4] == "min") if len(sys.argv) > 4 else False
lat = 90.0 - 2.5 * np.arange(73)
lon = 2.5 * np.arange(144)
parts = {}
for kernel in ["constant", "cressman", "linear", "quadratic"]:
    for monthly in [False, True]:
        for interp in (["linear", "linear_pchip"] if kernel == "constant" else ["linear"]):
            t0 = time.perf_counter()
            ds = compute_track_metrics(tracks, lat, lon, radius_km=500.0, kernel=kernel, variable_name=var, is_min=is_min, monthly=monthly, interpolation=interp)
            print(kernel, monthly, interp, f"{time.perf_counter() - t0:.2f} s", flush=True)
            tag = f"{kernel}_{'monthly' if monthly else 'all'}" + ("_pchip" if interp != "linear" else "")
            for name in ["cyclone_amplitude", "cyclone_frequency", "track_frequency", "aca", "ata"]:
                da = ds[name]
                if monthly:
                    da = da.rename({"time": "month"})
                parts[f"{name}__{tag}"] = da
out_ds = xr.Dataset(parts)
out_ds.attrs["source"] = f"PyStormTracker 0.8.0 compute_track_metrics on {path}, radius 500 km, variable {var}, is_min {is_min}"
enc = {k: {"zlib": True, "complevel": 9, "shuffle": True} for k in parts}
out_ds.to_netcdf(out, encoding=enc)
