"""Time the cross-validation metrics of PyStormTracker 0.8 and ours on the same fields (daily
means of ERA5 DJF 2025/26 at 2.5 degrees, latitudes ascending as the peer's CCA needs):
CORMAX (msl against 850 hPa vorticity, the default window; the second of two calls) and the
CCA truncation scores (vorticity predicting msl, leave 3 out, `MAX_MODES` modes, `pca=True`).
Run by benches/cross_validation_peer.sh with the peer's python (`peer`) and ours (`ours`);
prints one JSON line.

    python benches/cross_validation_peer.py peer|ours DATA_DIR MAX_MODES
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "data" / "reference"))
from make_cca import daily  # noqa: E402  (the fields of the CCA reference)


if __name__ == "__main__":
    who, data, max_modes = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    if who == "peer":
        from pystormtracker.metrics import compute_cormax, find_best_cca_truncation
    else:
        from stormtrack.compat.metrics import compute_cormax, find_best_cca_truncation
    msl, vo = daily(data / "era5_msl_djf2526_2.5deg.nc", "msl"), daily(data / "era5_vo850_djf2526_2.5deg.nc", "vo")
    compute_cormax(msl, vo)
    t0 = time.perf_counter()
    cormax = compute_cormax(msl, vo)
    t1 = time.perf_counter()
    scores = find_best_cca_truncation(vo, msl, max_modes=max_modes, leave_n_out=3)
    t2 = time.perf_counter()
    print(json.dumps({"who": who, "cormax_s": t1 - t0, "cca_s": t2 - t1, "cormax_mean": float(cormax.mean()), "acc": scores.acc.values.tolist(), "fve": scores.fve.values.tolist()}))
