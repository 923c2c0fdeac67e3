"""Writes the Gaussian-grid GRIB samples of tests/grib.rs with ecCodes (ECMWF's own library)
and what ecCodes decodes from them (expected_gaussian.json):

    python3 tests/data/grib/make_gaussian.py ../shared/data/era5/era5_msl_djf2526_2.5deg.nc

- msl_o32.grib2: the first 40 frames of the shared ERA5 DJF 2025/26 2.5-degree mean sea-level
  pressure on the octahedral reduced Gaussian grid O32 (rows of 20, 24, ..., 144, ..., 24, 20
  points; 5248 points), interpolated bilinearly (periodic in longitude), GRIB 2, 16-bit simple
  packing: ECMWF's native grid family, for tracking.
- analytic_n32.grib: the classic reduced Gaussian grid N32 of ecCodes' own sample (rows of 20
  to 128 points, some odd), GRIB 1, 24-bit packing, 2 frames of a field whose rows are
  trigonometric polynomials of degree 3 (so interpolation along a row is exact).
- msl_n32_regular.grib2: frame 0 of the ERA5 field on the regular Gaussian grid N32 (64 x 128).

expected_gaussian.json holds, per sample, ecCodes' distinct latitudes, the points per row, and
for the first frame the values ecCodes decodes (not for the analytic field, which the test
computes).
"""
import json
import sys

import eccodes
import numpy as np
import xarray as xr
from scipy.interpolate import RegularGridInterpolator

src = sys.argv[1]
with xr.open_dataset(src) as ds:
    msl = ds["msl"].isel(valid_time=slice(0, 40)).load()
lat = msl.latitude.values[::-1]  # ascending for the interpolator
lon = np.append(msl.longitude.values, 360.0)
times = msl.valid_time.values.astype("datetime64[h]").astype(object)


def interpolator(k):
    v = msl.values[k][::-1]
    return RegularGridInterpolator((lat, lon), np.concatenate([v, v[:, :1]], axis=1))


def gaussian_lats():
    h = eccodes.codes_grib_new_from_samples("regular_gg_sfc_grib2")
    out = eccodes.codes_get_array(h, "distinctLatitudes")
    eccodes.codes_release(h)
    return np.sort(out)[::-1]


def points(lats, pl):
    return np.array([(la, 360.0 * i / p) for la, p in zip(lats, pl) for i in range(p)])


def write(path, sample, pl, n_frames, values_of, keys=()):
    with open(path, "wb") as f:
        for k in range(n_frames):
            t = times[k]
            h = eccodes.codes_grib_new_from_samples(sample)
            if pl is not None:
                eccodes.codes_set_array(h, "pl", np.asarray(pl, dtype=np.int64))
                eccodes.codes_set(h, "longitudeOfLastGridPointInDegrees", 360.0 - 360.0 / max(pl))
            for key, value in list(keys) + [("dataDate", int(t.strftime("%Y%m%d"))), ("dataTime", t.hour * 100)]:
                eccodes.codes_set(h, key, value)
            eccodes.codes_set_values(h, values_of(k))
            eccodes.codes_write(h, f)
            eccodes.codes_release(h)
    with open(path, "rb") as f:
        h = eccodes.codes_grib_new_from_file(f)
        out = {
            "latitudes": eccodes.codes_get_array(h, "distinctLatitudes").tolist(),
            "pl": eccodes.codes_get_array(h, "pl").tolist() if eccodes.codes_get(h, "gridType") == "reduced_gg" else None,
            "grid_type": eccodes.codes_get(h, "gridType"),
            "values": eccodes.codes_get_values(h).tolist(),
        }
        eccodes.codes_release(h)
    return out


lats = gaussian_lats()
expected = {}
octahedral = [20 + 4 * i for i in range(32)]
octahedral = octahedral + octahedral[::-1]
where = points(lats, octahedral)
msl_keys = [("shortName", "msl"), ("bitsPerValue", 16)]
expected["msl_o32.grib2"] = write("msl_o32.grib2", "reduced_gg_pl_32_grib2", octahedral, 40, lambda k: interpolator(k)(where), msl_keys)

h = eccodes.codes_grib_new_from_samples("reduced_gg_pl_32_grib1")
classic = eccodes.codes_get_array(h, "pl").astype(int).tolist()
eccodes.codes_release(h)
where_c = points(lats, classic)


def analytic(k):
    la, lo = np.radians(where_c[:, 0]), np.radians(where_c[:, 1])
    return 100000.0 + 1500.0 * np.cos(la) * np.cos(lo + 0.5 * k) - 800.0 * np.sin(la) * np.cos(la) ** 2 * np.sin(3 * lo) + 300.0 * np.sin(la)


expected["analytic_n32.grib"] = write("analytic_n32.grib", "reduced_gg_pl_32_grib1", None, 2, analytic, [("shortName", "msl"), ("bitsPerValue", 24)])

regular = np.array([(la, 360.0 * i / 128) for la in lats for i in range(128)])
expected["msl_n32_regular.grib2"] = write("msl_n32_regular.grib2", "regular_gg_sfc_grib2", None, 1, lambda k: interpolator(k)(regular), msl_keys)

expected["analytic_n32.grib"].pop("values")  # the test knows the field itself
with open("expected_gaussian.json", "w") as f:
    json.dump(expected, f, separators=(",", ":"))
for name, e in expected.items():
    print(name, e["grid_type"], len(e["latitudes"]), len(e.get("values", [])))
