"""PyStormTracker 0.8's CORMAX on ERA5 (run in the peer's venv; see README.md here):
impact = daily mean msl, metric = daily mean 850 hPa vorticity, DJF 2025/26 at 2.5 degrees,
the default 60 x 20 degree window. Writes cormax_msl_vo850_daily.nc (the peer's result).

    /tmp/peer312/bin/python tests/data/reference/make_cormax.py ../shared/data/era5 tests/data/reference
"""

import sys
from pathlib import Path

import numpy as np
import xarray as xr
from pystormtracker.metrics import compute_cormax


def daily(path: Path, name: str) -> xr.DataArray:
    """Daily means of the 6-hourly field, float64, dims (time, lat, lon)."""
    ds = xr.open_dataset(path)
    x = ds[name].squeeze(drop=True).values.astype(np.float64)  # vo has a pressure level
    nt, ny, nx = x.shape
    days = x.reshape(nt // 4, 4, ny, nx).mean(axis=1)
    time = ds["valid_time"].values[::4]
    return xr.DataArray(days, dims=("time", "lat", "lon"), coords={"time": time, "lat": ds["latitude"].values, "lon": ds["longitude"].values}, name=name)


if __name__ == "__main__":
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    impact = daily(data / "era5_msl_djf2526_2.5deg.nc", "msl")
    metric = daily(data / "era5_vo850_djf2526_2.5deg.nc", "vo")
    c = compute_cormax(impact, metric)
    c.to_netcdf(out / "cormax_msl_vo850_daily.nc", encoding={"cormax": {"zlib": True, "complevel": 9}})
    print(c.shape, float(c.mean()), int(c.isnull().sum()))
