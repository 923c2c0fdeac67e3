"""The Python package's input routes against its NetCDF path, same data, same run (issue #12):
GRIB 1 and GRIB 2 written by ecCodes (read by the core's own decoder), the same GRIB 2 with
CCSDS packing (read through ecCodes), an xarray Dataset in memory, and a dask-backed
DataArray, each tracked by both trackers. Prints a Markdown table; the outputs must be
byte-identical.

    PYTHONPATH=python python3 benches/readers_python.py ERA5.nc OUTDIR [REPEAT] [FRAMES] [simple|both]
"""
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

import stormtrack as st


def write_grib(da: xr.DataArray, path: Path, edition: int = 1, packing: str | None = None) -> None:
    import eccodes

    lat, lon = da.latitude.values, da.longitude.values
    with open(path, "wb") as f:
        for k, t in enumerate(da.valid_time.values.astype("datetime64[h]").astype(object)):
            h = eccodes.codes_grib_new_from_samples(f"regular_ll_sfc_grib{edition}")
            for key, value in [
                ("Ni", len(lon)), ("Nj", len(lat)),
                ("latitudeOfFirstGridPointInDegrees", float(lat[0])), ("latitudeOfLastGridPointInDegrees", float(lat[-1])),
                ("longitudeOfFirstGridPointInDegrees", float(lon[0])), ("longitudeOfLastGridPointInDegrees", float(lon[-1])),
                ("iDirectionIncrementInDegrees", float(abs(lon[1] - lon[0]))), ("jDirectionIncrementInDegrees", float(abs(lat[1] - lat[0]))),
                ("jScansPositively", 0), ("dataDate", int(t.strftime("%Y%m%d"))), ("dataTime", t.hour * 100),
                ("paramId", 151), ("bitsPerValue", 24),
            ]:
                eccodes.codes_set(h, key, value)
            eccodes.codes_set_values(h, da.values[k].astype(np.float64).ravel())
            if packing:
                eccodes.codes_set(h, "packingType", packing)
            eccodes.codes_write(h, f)
            eccodes.codes_release(h)


def timed(repeat: int, call) -> float:
    call()  # warm-up
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    frames = int(sys.argv[4]) if len(sys.argv) > 4 else None
    trackers = sys.argv[5] if len(sys.argv) > 5 else "both"
    ds = xr.open_dataset(src)
    time_dim = "valid_time" if "valid_time" in ds.dims else "time"
    if frames is not None:
        ds = ds.isel({time_dim: slice(0, frames)})
        src = out / "msl.nc"
        ds.to_netcdf(src)
    ds = ds.load()
    grib, grib2, ccsds = out / "msl.grib", out / "msl.grib2", out / "msl_ccsds.grib2"
    write_grib(ds["msl"], grib)
    write_grib(ds["msl"], grib2, edition=2)
    write_grib(ds["msl"], ccsds, edition=2, packing="grid_ccsds")
    chunked = ds["msl"].chunk({time_dim: 30})
    routes = {
        "NetCDF file": lambda: src,
        "GRIB 1, simple packing (native)": lambda: grib,
        "GRIB 2, simple packing (native)": lambda: grib2,
        "GRIB 2, CCSDS packing (ecCodes)": lambda: ccsds,
        "xarray Dataset in memory": lambda: ds,
        # made once, as `ds` is loaded once: what is timed is the route, not dask's hashing of
        # the array it wraps
        "dask DataArray, 30-frame chunks": lambda: chunked,
    }
    print("| tracker | input | wall s | route / NetCDF file | output |")
    print("|---|---|---|---|---|")
    all_trackers = (("simple", {}), ("hodges", dict(algorithm="hodges", lmin=5, lmax=42)))
    for tracker, opts in all_trackers[: 1 if trackers == "simple" else 2]:
        base = None
        for name, source in routes.items():
            target = out / f"{tracker}_{len(name)}.trackjson"
            t = timed(repeat, lambda: st.track(source(), "msl", output=target, **opts))
            base = base or t
            reference = out / f"{tracker}_{len('NetCDF file')}.trackjson"
            same = "identical" if target.read_bytes() == reference.read_bytes() else "DIFFERENT"
            print(f"| {tracker} | {name} | {t:.2f} | {t / base:.2f} | {same if name != 'NetCDF file' else ''} |")


if __name__ == "__main__":
    main()
