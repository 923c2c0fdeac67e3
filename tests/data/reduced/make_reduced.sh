#!/bin/sh
# Writes the reduced Gaussian NetCDF samples of tests/grids.rs from the octahedral O32 GRIB
# file (tests/data/grib/msl_o32.grib2, 40 frames of ERA5 msl written by ecCodes), by the two
# producers users get such files from (docs/input.md#reduced-gaussian-grids):
#
# - msl_o32_cdo.nc: CDO 2.1.1 (Debian's `cdo`), its first 12 frames: `msl(time, rgrid)` with
#   CDI_grid_type = "gaussian_reduced", the row latitudes in `lat` and the points per row in
#   `reduced_points`.
# - msl_o32_cfgrib.nc: the same frames opened by cfgrib (xarray) and written by xarray:
#   `msl(time, values)` with `latitude(values)` and `longitude(values)`.
#
#     sh tests/data/reduced/make_reduced.sh
set -e
here=$(dirname "$0")
grib="$here/../grib/msl_o32.grib2"
cdo -s -f nc4 -z zip_6 seltimestep,1/12 "$grib" "$here/msl_o32_cdo.nc"
python3 - "$grib" "$here/msl_o32_cfgrib.nc" <<'PY'
import sys

import xarray as xr

with xr.open_dataset(sys.argv[1], engine="cfgrib", backend_kwargs={"indexpath": ""}) as ds:
    da = ds["msl"].isel(time=slice(0, 12)).load()
encoding = {"msl": {"zlib": True, "complevel": 6}}
da.to_dataset().to_netcdf(sys.argv[2], encoding=encoding)
PY
