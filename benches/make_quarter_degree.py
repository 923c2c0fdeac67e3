#!/usr/bin/env python3
"""Make a 0.25-degree benchmark input from a coarse global lat/lon NetCDF file.

Requirements:  pip install numpy scipy netCDF4

Usage:
    python benches/make_quarter_degree.py IN.nc OUT.nc --variable msl --frames 120
    python benches/make_quarter_degree.py IN.nc YEAR.nc --variable msl --frames 1460 --tile

With --tile, more frames than the input holds are made by repeating the interpolated input
frames in order, on a time axis that goes on at the input's step (a year of six-hourly
frames from a 90-day season: the cost of a year, the weather of the season repeated).

Takes the first N time steps of VARIABLE and interpolates each frame with a bicubic
interpolating spline (scipy RectBivariateSpline, kx=ky=3, s=0) onto a global grid
(latitude 90 .. -90 and longitude 0 .. 360-RES, step RES, default 0.25: 721 x 1440).
The longitude axis is treated as periodic: the source columns are padded cyclically
before the spline is built. Singleton axes between time and latitude (e.g. ERA5's
pressure_level) are dropped. The output appears only when complete. Output: NetCDF4, float32, zlib level 1, one chunk per
time step, the same variable name and attributes (GRIB_* grid attributes dropped),
the time coordinate copied with its attributes (units, calendar), and latitude /
longitude coordinates with units attributes.
"""

import argparse
import os
import sys
import time

import netCDF4
import numpy as np
from scipy.interpolate import RectBivariateSpline

TIME_NAMES = ("valid_time", "time")
LAT_NAMES = ("latitude", "lat")
LON_NAMES = ("longitude", "lon")
PAD = 4  # cyclic columns added on each side (enough for a cubic spline)


def find_dim(var, names, what):
    for name in var.dimensions:
        if name in names:
            return name
    sys.exit(f"error: no {what} dimension among {var.dimensions} (tried {names})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--variable", default="msl")
    ap.add_argument("--frames", type=int, default=120, help="first N time steps (default 120)")
    ap.add_argument("--resolution", type=float, default=0.25, help="grid step in degrees")
    ap.add_argument("--tile", action="store_true", help="repeat the input frames to reach --frames")
    args = ap.parse_args()

    src = netCDF4.Dataset(args.input)
    if args.variable not in src.variables:
        sys.exit(f"error: variable {args.variable!r} not in {args.input}")
    var = src.variables[args.variable]
    var.set_auto_maskandscale(False)
    tdim = find_dim(var, TIME_NAMES, "time")
    ydim = find_dim(var, LAT_NAMES, "latitude")
    xdim = find_dim(var, LON_NAMES, "longitude")
    dims = var.dimensions
    if dims[0] != tdim or dims[-2:] != (ydim, xdim):
        sys.exit(f"error: expected ({tdim}, ..., {ydim}, {xdim}), got {dims}")
    for d, n in zip(dims[1:-2], var.shape[1:-2]):
        if n != 1:
            sys.exit(f"error: extra dimension {d} has size {n}; only singleton ones are dropped")

    nt_src = min(args.frames, var.shape[0])
    nt = args.frames if args.tile else nt_src
    lat_in = np.asarray(src.variables[ydim][:], dtype=np.float64)
    lon_in = np.asarray(src.variables[xdim][:], dtype=np.float64)
    ny_in, nx_in = len(lat_in), len(lon_in)

    # Latitude must be increasing for the spline; remember the flip.
    lat_flip = lat_in[0] > lat_in[-1]
    lat_s = lat_in[::-1] if lat_flip else lat_in
    # Longitude: sort ascending, then pad cyclically.
    lon_order = np.argsort(lon_in)
    lon_s = lon_in[lon_order]
    if not np.allclose(np.diff(lon_s), 360.0 / nx_in, atol=1e-6):
        sys.exit("error: the input longitude is not a regular global grid")
    lon_ext = np.concatenate([lon_s[-PAD:] - 360.0, lon_s, lon_s[:PAD] + 360.0])

    res = args.resolution
    ny = int(round(180.0 / res)) + 1
    nx = int(round(360.0 / res))
    lat_out = 90.0 - res * np.arange(ny)  # 90 .. -90 (north to south, as ERA5)
    lon_out = res * np.arange(nx)  # 0 .. 360-res
    # Evaluation points in increasing order, inside the padded source range.
    lat_eval = lat_out[::-1]
    lon_eval = lon_s[0] + np.mod(lon_out - lon_s[0], 360.0)
    lon_eval_order = np.argsort(lon_eval, kind="stable")
    lon_eval_sorted = lon_eval[lon_eval_order]
    lon_back = np.empty_like(lon_eval_order)
    lon_back[lon_eval_order] = np.arange(nx)
    if lat_eval[0] < lat_s[0] - 1e-9 or lat_eval[-1] > lat_s[-1] + 1e-9:
        print("warning: output latitudes extend beyond the input; the spline extrapolates",
              file=sys.stderr)

    # written beside the output and renamed at the end: an interrupted run leaves no file whose
    # unwritten chunks read as missing values (a 12 MB file of NaN was once benchmarked so)
    partial = args.output + ".partial"
    dst = netCDF4.Dataset(partial, "w", format="NETCDF4")
    for a in src.ncattrs():
        if a != "source_conversion":  # would claim the values are unchanged
            dst.setncattr(a, src.getncattr(a))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    tiled = f", repeated to {nt} frames" if nt > nt_src else ""
    hist = (f"{stamp} make_quarter_degree.py: first {nt_src} frames of {args.variable}{tiled}, bicubic "
            f"spline onto a {res} degree global grid, from {args.input}")
    old = dst.getncattr("history") if "history" in dst.ncattrs() else ""
    dst.setncattr("history", hist + ("\n" + old if old else ""))

    dst.createDimension(tdim, nt)
    dst.createDimension(ydim, ny)
    dst.createDimension(xdim, nx)

    tv_in = src.variables[tdim]
    tv = dst.createVariable(tdim, tv_in.dtype, (tdim,))
    for a in tv_in.ncattrs():
        if a != "_FillValue":
            tv.setncattr(a, tv_in.getncattr(a))
    tv_in.set_auto_maskandscale(False)
    times = np.asarray(tv_in[:nt_src])
    if nt > nt_src:
        step = times[1] - times[0]
        times = np.concatenate([times, times[-1] + step * np.arange(1, nt - nt_src + 1)])
    tv[:] = times

    yv = dst.createVariable(ydim, "f8", (ydim,))
    yv.setncatts({"units": "degrees_north", "standard_name": "latitude", "long_name": "latitude"})
    yv[:] = lat_out
    xv = dst.createVariable(xdim, "f8", (xdim,))
    xv.setncatts({"units": "degrees_east", "standard_name": "longitude", "long_name": "longitude"})
    xv[:] = lon_out

    attrs = {a: var.getncattr(a) for a in var.ncattrs()}
    fill = attrs.pop("_FillValue", None)
    attrs.pop("coordinates", None)  # names auxiliary variables that are not copied
    attrs = {k: v for k, v in attrs.items() if not k.startswith("GRIB_")}
    out = dst.createVariable(
        args.variable, "f4", (tdim, ydim, xdim),
        zlib=True, complevel=1, shuffle=True, chunksizes=(1, ny, nx),
        fill_value=None if fill is None else np.float32(fill),
    )
    out.setncatts(attrs)

    t0 = time.perf_counter()
    for k in range(nt):
        if k >= nt_src:
            out[k, :, :] = out[k % nt_src, :, :]
            continue
        frame = np.asarray(var[k], dtype=np.float64).reshape(ny_in, nx_in)
        if lat_flip:
            frame = frame[::-1, :]
        frame = frame[:, lon_order]
        if not np.all(np.isfinite(frame)):
            sys.exit(f"error: frame {k} has non-finite values; the spline needs complete data")
        ext = np.concatenate([frame[:, -PAD:], frame, frame[:, :PAD]], axis=1)
        spline = RectBivariateSpline(lat_s, lon_ext, ext, kx=3, ky=3, s=0)
        z = spline(lat_eval, lon_eval_sorted)  # (ny, nx), latitude increasing
        z = z[::-1, :][:, lon_back]  # back to 90 .. -90 and lon_out order
        out[k, :, :] = z.astype(np.float32)
    dst.close()
    src.close()
    os.replace(partial, args.output)
    print(f"wrote {args.output}: {nt} x {ny} x {nx} {args.variable} "
          f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
