"""Writes the GRIB samples of tests/grib.rs with ecCodes (ECMWF's own library) from the shared
ERA5 DJF 2025/26 2.5-degree mean sea-level pressure, and what ecCodes decodes from them
(expected.json): the reader must give ecCodes' values to the last bit.

    python3 tests/data/grib/make_samples.py ../shared/data/era5/era5_msl_djf2526_2.5deg.nc

Samples (a 9 x 9 crop, 60N-40N, 0-20E, 3 frames):
- msl_grib1.grib: GRIB 1, 16-bit simple packing, scanning north to south, west to east.
- msl_grib2_bitmap.grib2: GRIB 2, 12-bit packing with a decimal scale factor, scanning south to
  north (jScansPositively), with two missing points (a bitmap).
- msl_grib2_ccsds.grib2: GRIB 2 with CCSDS packing, which the built-in reader refuses.
"""
import json
import sys

import eccodes
import numpy as np
import xarray as xr

src = sys.argv[1]
with xr.open_dataset(src) as ds:
    da = ds["msl"].isel(valid_time=slice(0, 3)).sel(latitude=slice(60, 40), longitude=slice(0, 20)).load()
lat, lon = da.latitude.values, da.longitude.values
times = da.valid_time.values.astype("datetime64[h]").astype(object)


def write(path, sample, keys, values_of, packing=None):
    expected = []
    with open(path, "wb") as f:
        for k, t in enumerate(times):
            h = eccodes.codes_grib_new_from_samples(sample)
            for key, value in keys + [("dataDate", int(t.strftime("%Y%m%d"))), ("dataTime", t.hour * 100)]:
                eccodes.codes_set(h, key, value)
            values = values_of(k)
            if np.isnan(values).any():
                eccodes.codes_set(h, "bitmapPresent", 1)
                eccodes.codes_set(h, "missingValue", 9999.0)
                values = np.where(np.isnan(values), 9999.0, values)
            eccodes.codes_set_values(h, values.ravel())
            if packing:
                eccodes.codes_set(h, "packingType", packing)
            eccodes.codes_write(h, f)
            eccodes.codes_release(h)
    with open(path, "rb") as f:
        while (h := eccodes.codes_grib_new_from_file(f)) is not None:
            v = eccodes.codes_get_values(h)
            v = np.where(v == eccodes.codes_get(h, "missingValue"), np.nan, v) if eccodes.codes_get(h, "bitmapPresent") else v
            expected.append({
                "valid_time": f"{eccodes.codes_get(h, 'validityDate')}{eccodes.codes_get(h, 'validityTime'):04d}",
                "latitudes": eccodes.codes_get_array(h, "distinctLatitudes").tolist(),
                "longitudes": eccodes.codes_get_array(h, "distinctLongitudes").tolist(),
                "values": [None if np.isnan(x) else float(x) for x in v],
            })
            eccodes.codes_release(h)
    return expected


grid = [
    ("Ni", len(lon)), ("Nj", len(lat)),
    ("iDirectionIncrementInDegrees", 2.5), ("jDirectionIncrementInDegrees", 2.5),
    ("longitudeOfFirstGridPointInDegrees", float(lon[0])), ("longitudeOfLastGridPointInDegrees", float(lon[-1])),
]
north_first = grid + [("jScansPositively", 0), ("latitudeOfFirstGridPointInDegrees", float(lat[0])), ("latitudeOfLastGridPointInDegrees", float(lat[-1]))]
south_first = grid + [("jScansPositively", 1), ("latitudeOfFirstGridPointInDegrees", float(lat[-1])), ("latitudeOfLastGridPointInDegrees", float(lat[0]))]


def with_gaps(k):
    v = da.values[k][::-1].astype(np.float64).copy()  # south first
    v[0, 0] = v[4, 7] = np.nan
    return v


expected = {
    "msl_grib1.grib": write("msl_grib1.grib", "regular_ll_sfc_grib1", north_first + [("paramId", 151), ("bitsPerValue", 16)],
                            lambda k: da.values[k].astype(np.float64)),
    "msl_grib2_bitmap.grib2": write("msl_grib2_bitmap.grib2", "regular_ll_sfc_grib2",
                                    south_first + [("paramId", 151), ("decimalScaleFactor", 1), ("bitsPerValue", 12)], with_gaps),
    "msl_grib2_ccsds.grib2": write("msl_grib2_ccsds.grib2", "regular_ll_sfc_grib2", north_first + [("paramId", 151)],
                                   lambda k: da.values[k].astype(np.float64), packing="grid_ccsds"),
}
with open("expected.json", "w") as f:
    json.dump(expected, f, indent=0)
