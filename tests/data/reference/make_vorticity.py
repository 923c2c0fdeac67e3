"""PyStormTracker 0.8's compute_vorticity_divergence on ERA5 850 hPa winds (2.5 degrees, one
frame), run in the peer's venv: writes vorticity_uv850_peer.npz (dv, vo, float64).

    /tmp/peer312/bin/python tests/data/reference/make_vorticity.py ../shared/data/era5 tests/data/reference
"""

import sys
from pathlib import Path

import numpy as np
import xarray as xr
from pystormtracker.preprocessing import compute_vorticity_divergence

if __name__ == "__main__":
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    ds = xr.open_dataset(data / "era5_uv850_2025120100_2.5x2.5.nc")
    dv, vo = compute_vorticity_divergence(ds.u, ds.v)
    np.savez_compressed(out / "vorticity_uv850_peer.npz", dv=dv.values, vo=vo.values)
    print(vo.shape, float(abs(vo).max()))
