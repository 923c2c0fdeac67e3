"""Detection, tracking and reading tracks: files, xarray DataArrays and NumPy arrays in,
Polars DataFrames out (Arrow C stream, no copy)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Union

import numpy as np
import polars as pl

from stormtrack import _core
from stormtrack._netcdf_copy import is_grib, needs_eccodes, netcdf_copy, point_coordinates, readable_paths, standard_dataarray

PathLike = Union[str, "os.PathLike[str]"]
Progress = Union[bool, Callable[[int, int], None], None]

_TIME_NAMES = ("time", "valid_time", "t", "date", "time_counter")
_LAT_NAMES = ("lat", "latitude", "nav_lat", "y", "rlat")
_LON_NAMES = ("lon", "longitude", "nav_lon", "x", "rlon")


def _progress_callback(progress: Progress, desc: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A ``(done, total)`` callback and a closer: tqdm when ``progress=True`` and it is
    installed, the given callable, or nothing."""
    if callable(progress):
        return progress, lambda: None
    if not progress:
        return None, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, lambda: None
    bar = tqdm(total=0, desc=desc, unit="frame")

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


def _check_algorithm(algorithm: str, allowed: Sequence[str] = ("simple", "hodges", "healpix")) -> None:
    if algorithm in allowed:
        return
    if algorithm in ("hodges", "healpix"):
        raise _core.StormtrackError(f"invalid option algorithm: '{algorithm}' is not available here; use algorithm='simple'")
    raise _core.StormtrackError(f"invalid option algorithm: '{algorithm}' is unknown; use {' or '.join(allowed)}")


def _find_dim(da: Any, names: Sequence[str], axis: str, standard_names: Sequence[str], units: Sequence[str]) -> str | None:
    for d in da.dims:
        if str(d).lower() in names:
            return str(d)
    for d in da.dims:
        if d in da.coords:
            attrs = da.coords[d].attrs
            if attrs.get("axis", "").upper() == axis or attrs.get("standard_name") in standard_names or attrs.get("units") in units:
                return str(d)
    return None


def _file_paths(source: Any) -> list[str] | None:
    """The NetCDF path(s) of ``source``: a path, or a list or tuple of paths (or globs) read
    as one time series; ``None`` for anything else (arrays)."""
    if isinstance(source, (str, os.PathLike)):
        return [os.fspath(source)]
    if isinstance(source, (list, tuple)) and source and all(isinstance(s, (str, os.PathLike)) for s in source):
        return [os.fspath(s) for s in source]
    return None


def _xarray_field(source: Any, variable: str | None) -> tuple[Any, str] | None:
    """The DataArray and variable name of an xarray Dataset or DataArray; ``None`` otherwise."""
    if hasattr(source, "data_vars"):
        names = [str(n) for n in source.data_vars]
        if variable is None:
            if len(names) != 1:
                raise _core.StormtrackError(f"the Dataset holds {', '.join(names) or 'no variable'}; pass variable=")
            variable = names[0]
        if variable not in source.data_vars:
            raise _core.StormtrackError(f"variable '{variable}' not found in the Dataset (found: {', '.join(names)})")
        da = source[variable]
        # the grid mapping variable (a HEALPix layout) travels with the variable
        mapping = da.attrs.get("grid_mapping") or da.encoding.get("grid_mapping")
        if isinstance(mapping, str) and mapping in source.variables and mapping not in da.coords:
            da = da.assign_coords({mapping: source[mapping]})
        return da, variable
    if hasattr(source, "dims") and hasattr(source, "coords"):
        name = variable or (str(source.name) if source.name is not None else None)
        if name is None:
            raise _core.StormtrackError("the DataArray has no name; pass variable= (e.g. 'msl' or 'vo')")
        return source, name
    return None


def _closed_contour_others(source: Any, variable: str, closed_contours: Any) -> dict[str, Any]:
    """The other variables of the Dataset `source` that closed contours test, by name (they go
    into the NetCDF copy beside the tracked one); a DataArray has none to give."""
    names = _core.closed_contour_variables(variable, _criteria(closed_contours, None)["closed_contours"] or [])
    if not names or not hasattr(source, "data_vars"):
        return {}
    return {name: source[name] for name in names if name in source.data_vars}


def _refuse_distributed_others(source: Any, variable: str, closed_contours: Any) -> None:
    """The Dask workers compute the tracked variable only: closed contours of another one of
    an xarray object are tested in one process."""
    if _closed_contour_others(source, variable, closed_contours):
        raise _core.StormtrackError("closed contours of another variable of an xarray object are tested in this process; pass client=False (or give the file to the workers)")


def _xarray_label(da: Any, variable: str) -> str:
    """What a dataset's descriptor records as the input of an xarray object."""
    source = da.encoding.get("source")
    return f"xarray:{variable}" + (f" ({source})" if source else "")


def _dask_client(client: Any, append: Any = None) -> Any:
    """The Dask client a run uses: ``client=``, else the active one (not for appends,
    which run in one process)."""
    from stormtrack._distributed import resolve_client

    if client is None and append is not None:
        return None
    return resolve_client(client)


def _worker_paths(paths: list[str], variable: str) -> list[str]:
    """Paths as workers get them: absolute (their working directory may differ); GRIB that
    only ecCodes reads is refused (its NetCDF copy would live on the client only)."""
    for p in paths:
        if is_grib(p) and needs_eccodes(p, variable):
            raise _core.StormtrackError(
                f"{p}: this GRIB file needs ecCodes, which Dask workers do not run here; open it with xarray "
                "(xr.open_dataset(path, engine='cfgrib', chunks={'time': 8})) and pass the Dataset"
            )
    return [os.path.abspath(p) for p in paths]


def _dask_field(da: Any, variable: str, client: Any) -> Any:
    """`da` as the Dask runner takes it: (time, latitude, longitude), chunked along time."""
    from stormtrack._distributed import block_frames

    std = standard_dataarray(da, variable)
    if std.chunks is None:
        std = std.chunk({"time": block_frames(std.sizes["time"], client)})
    return std.chunk({d: -1 for d in std.dims if d != "time"})


def _times_ms(coord: Any) -> tuple[np.ndarray, str]:
    """Times of a coordinate as int64 ms since 1970-01-01 in their calendar, and the CF name of
    that calendar: datetime64 values are proleptic Gregorian, cftime values keep their own
    calendar (a 360-day February 30 stays February 30; docs/calendars.md)."""
    values = np.asarray(coord.values)
    if np.issubdtype(values.dtype, np.datetime64):
        return values.astype("datetime64[ms]").astype(np.int64), "proleptic_gregorian"
    if values.dtype == object and values.size and hasattr(values.flat[0], "calendar"):
        import cftime

        calendar = values.flat[0].calendar or "standard"
        ms = cftime.date2num(list(values.flat), "milliseconds since 1970-01-01 00:00:00", calendar=calendar)
        return np.rint(np.asarray(ms, dtype=np.float64)).astype(np.int64), calendar
    raise _core.StormtrackError(f"cannot decode time values of dtype {values.dtype}; give datetime64 or cftime times")


def _dataarray_parts(da: Any) -> tuple[Any, tuple[np.ndarray, str], np.ndarray, np.ndarray]:
    """The DataArray transposed to (time, lat, lon), with times (ms) and coordinates."""
    from stormtrack._netcdf_copy import is_healpix

    if is_healpix(da):
        raise _core.StormtrackError(
            f"variable '{da.name or 'variable'}' is on a HEALPix grid (dims {tuple(da.dims)}); only the HEALPix tracker reads it: "
            "pass algorithm='healpix'"
        )
    if point_coordinates(da) is not None:
        raise _core.StormtrackError(
            f"variable '{da.name or 'variable'}' lies on points along one dimension (dims {tuple(da.dims)}), as cfgrib gives a reduced "
            "grid; only a latitude-longitude array is detected in memory: give it to st.track, or to st.detect without client=, "
            "which read it from a NetCDF copy (docs/input.md#reduced-gaussian-grids)"
        )
    lat = _find_dim(da, _LAT_NAMES, "Y", ("latitude", "grid_latitude"), ("degrees_north", "degree_north"))
    lon = _find_dim(da, _LON_NAMES, "X", ("longitude", "grid_longitude"), ("degrees_east", "degree_east"))
    time = _find_dim(da, _TIME_NAMES, "T", ("time",), ())
    name = da.name or "variable"
    if lat is None or lon is None:
        raise _core.StormtrackError(
            f"no latitude/longitude dimension for variable '{name}' (dims {tuple(da.dims)}); "
            "the field needs time, latitude and longitude dimensions"
        )
    if time is None:
        scalar_time = next((c for c in da.coords if str(c).lower() in _TIME_NAMES and da.coords[c].ndim == 0), None)
        if scalar_time is None:
            raise _core.StormtrackError(f"no time coordinate for variable '{name}'; the field needs time, latitude and longitude coordinates")
        da = da.expand_dims(str(scalar_time))
        time = str(scalar_time)
    extra = [d for d in da.dims if d not in (time, lat, lon)]
    for d in extra:
        if da.sizes[d] != 1:
            raise _core.StormtrackError(
                f"variable '{name}' has dimensions {tuple(da.dims)}; expected (time, [singleton...], latitude, longitude): "
                f"select a single {d} first (e.g. da.sel({d}=850))"
            )
    if extra:
        da = da.squeeze(extra, drop=True)
    da = da.transpose(time, lat, lon)
    times = _times_ms(da.coords[time]) if time in da.coords else None
    if times is None:
        raise _core.StormtrackError(f"no time coordinate for variable '{name}'; the field needs time values")
    lats = np.asarray(da.coords[lat].values, dtype=np.float64)
    lons = np.asarray(da.coords[lon].values, dtype=np.float64)
    return da, times, lats, lons


def _detect_dataarray(da: Any, variable: str | None, progress: Progress, **opts: Any) -> pl.DataFrame:
    frames = list(_dataarray_blocks(da, variable, progress, **opts))
    return pl.concat(frames, rechunk=False) if len(frames) > 1 else frames[0]


def _dataarray_blocks(da: Any, variable: str | None, progress: Progress, **opts: Any) -> Iterator[pl.DataFrame]:
    """The centres of each time block (a dask chunk, or the whole array) as it is detected."""
    da, (times, calendar), lats, lons = _dataarray_parts(da)
    variable = variable or (str(da.name) if da.name is not None else None)
    if variable is None:
        raise _core.StormtrackError("the DataArray has no name; pass variable= (e.g. 'msl' or 'vo')")
    units = da.attrs.get("units")
    standard_name = da.attrs.get("standard_name")
    chunks = getattr(da, "chunks", None)
    nt = len(times)
    # dask: compute one time block at a time; otherwise one call
    if chunks:
        bounds = np.cumsum((0, *chunks[0]))
    else:
        bounds = np.array([0, nt])
    callback, close = _progress_callback(progress, "detecting")
    try:
        for a, b in zip(bounds[:-1], bounds[1:]):
            a, b = int(a), int(b)
            block = np.ascontiguousarray(np.asarray(da[a:b].values), dtype=np.float64)
            cb = None if callback is None else (lambda done, _t, a=a: callback(a + done, nt))
            stream = _core.detect_array(
                block, times[a:b].tolist(), lats.tolist(), lons.tolist(),
                variable=variable, units=units, standard_name=standard_name, calendar=calendar,
                frame_offset=a, progress=cb, **opts,
            )
            yield pl.DataFrame(stream)
    finally:
        close()


def _by_frame(blocks: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """One DataFrame per frame that has centres, in frame order."""
    for block in blocks:
        yield from block.partition_by("frame", maintain_order=True)


def _file_stream(paths: list[str], variable: str, options: dict[str, Any]) -> Iterator[pl.DataFrame]:
    """`detect_file_stream` as DataFrames; checks and opens the input before the first frame."""
    stack = contextlib.ExitStack()
    try:
        files = stack.enter_context(readable_paths(paths, variable))
        core = _core.detect_file_stream(files, variable, options)
    except BaseException:
        stack.close()
        raise

    def frames() -> Iterator[pl.DataFrame]:
        with stack:
            for batch in core:
                yield pl.DataFrame(batch)

    return frames()


def detect(
    source: PathLike | Any,
    variable: str | None = None,
    *,
    algorithm: str = "simple",
    mode: str = "auto",
    threshold: float | None = None,
    refinement: str | None = None,
    window: int = 5,
    start: str | None = None,
    end: str | None = None,
    n_frames: int | None = None,
    threads: int | None = None,
    times: Any = None,
    lat: Any = None,
    lon: Any = None,
    units: str | None = None,
    progress: Progress = False,
    lmin: int | None = None,
    lmax: int | None = None,
    stream: bool = False,
    client: Any = None,
    taper_points: int = 0,
    nside: int | None = None,
    projection: str = "global",
    stereo_grid_spacing_km: float | None = None,
    extent: Sequence[float] | None = None,
    closed_contours: Sequence[str | Sequence[Any]] = (),
    merge_dist: float | None = None,
    **hodges: Any,
) -> pl.DataFrame | Iterator[pl.DataFrame]:
    """Storm centres of every frame, as the ``centers`` table (time, frame, lat, lon, value, row, col).

    ``stream=True`` returns an iterator instead, handing over one DataFrame per frame as soon
    as it is detected (files: every frame, in time order, a block of frames detected in
    parallel at a time; xarray: the frames with centres, one dask chunk of time at a time), so
    memory never holds the whole run. Options are checked and the input opened before it
    returns.

    ``algorithm="hodges"`` (a file only) gives the Hodges features, with their object id,
    refinement status and diagnostics; ``lmin``/``lmax`` filter the field first, and the
    Hodges options are keywords as for :func:`track`. ``algorithm="healpix"`` gives the
    features found on HEALPix pixels (``nside``, docs/algorithms.md#healpix-tracker).
    ``taper_points`` ramps the edges of every frame to 0 first (``--taper-points``,
    docs/algorithms.md#boundary-taper). ``projection="nh_stereo"`` or ``"sh_stereo"`` detects on
    a polar stereographic plane (``stereo_grid_spacing_km``, ``extent``), as for :func:`track`.
    ``closed_contours`` and ``merge_dist`` are TempestExtremes' criteria, as for :func:`track`;
    :func:`rejections` says which candidate each of the tests turned down.

    ``source`` is a NetCDF path (or a list of paths or globs that continue each other in time,
    read as one series), an ``xarray.DataArray`` (any dimension order and common
    names; dask-backed arrays are computed one chunk of time at a time) or a NumPy array of
    shape (time, lat, lon) with ``times`` (datetime64), ``lat`` and ``lon``. Options are the
    CLI's (``mode`` = ``--detection-mode``, ``threshold`` = ``--feature-threshold`` in the
    field's units, ``refinement`` = ``--feature-refinement`` (default: the algorithm's, ``grid`` for
    Simple), ``window`` = ``--search-window-size``; ``start``, ``end``
    and ``n_frames`` select times of a file). ``progress=True`` shows a tqdm bar; a callable
    gets ``(done, total)``.

    With a ``distributed.Client`` (``client=``, or the active one), files and xarray objects
    are detected on its workers and gathered here, as :func:`track` does
    (docs/distributed.md); the centres are those of one process.
    """
    _check_algorithm(algorithm)
    unknown = sorted(set(hodges) - set(_HODGES_OPTIONS))
    if unknown:
        raise TypeError(f"detect() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; Hodges options are {', '.join(_HODGES_OPTIONS)}")
    # the keywords of the core's file entry points (a file, or an xarray object's NetCDF header)
    options = dict(
        mode=mode, threshold=threshold, refinement=refinement,
        window=window if algorithm == "simple" else None, threads=threads, start=start, end=end,
        n_frames=n_frames, algorithm=algorithm, lmin=lmin, lmax=lmax, hodges=_hodges_keywords(hodges),
        taper_points=_taper(taper_points), nside=nside, **_projection(projection, stereo_grid_spacing_km, extent),
        **_criteria(closed_contours, merge_dist),
    )
    paths = _file_paths(source)
    if paths is not None:
        if variable is None:
            raise _core.StormtrackError("variable= is required for a file (e.g. 'msl' or 'vo')")
        dask_client = _dask_client(client)
        if stream and dask_client is not None:
            raise _core.StormtrackError("stream=True detects in this process; drop client= (or leave the Dask client inactive) to stream")
        if stream:
            return _file_stream(paths, variable, options)
        callback, close = _progress_callback(progress, "detecting")
        try:
            if dask_client is not None:
                from stormtrack._distributed import file_runner

                runner = file_runner(dask_client, _worker_paths(paths, variable), variable, options)
                return pl.DataFrame(_core.detect_file(paths, variable, options, progress=callback, block_runner=runner))
            with readable_paths(paths, variable) as files:
                return pl.DataFrame(_core.detect_file(files, variable, options, progress=callback))
        finally:
            close()
    field = _xarray_field(source, variable)
    dask_client = _dask_client(client) if field is not None else None
    if dask_client is not None:
        if stream:
            raise _core.StormtrackError("stream=True detects in this process; drop client= (or leave the Dask client inactive) to stream")
        if start is not None or end is not None or n_frames is not None:
            raise _core.StormtrackError("start=, end= and n_frames= select times of a file; select the array with .sel()/.isel() instead")
        from stormtrack._distributed import dataarray_runner

        _refuse_distributed_others(source, field[1], closed_contours)
        da = _dask_field(field[0], field[1], dask_client)
        callback, close = _progress_callback(progress, "detecting")
        try:
            with netcdf_copy(da, field[1], header_only=True) as header:
                runner = dataarray_runner(dask_client, da, field[1], options)
                return pl.DataFrame(_core.detect_file([header], field[1], options, progress=callback, block_runner=runner))
        finally:
            close()
    if client not in (None, False):
        raise _core.StormtrackError("client= takes a file, a list of files or an xarray object; a NumPy array is detected here")
    if field is not None and (algorithm != "simple" or hodges or nside is not None or projection != "global" or closed_contours or merge_dist is not None
                              or lmin is not None or lmax is not None or start or end or n_frames or point_coordinates(field[0]) is not None):
        # the whole-file path of the core, on a NetCDF copy (docs/input.md#xarray)
        def on_copy(path: str, stream: bool) -> Any:
            return detect(
                path, field[1], algorithm=algorithm, mode=mode, threshold=threshold, refinement=refinement, window=window,
                start=start, end=end, n_frames=n_frames, threads=threads, progress=progress, lmin=lmin, lmax=lmax,
                stream=stream, taper_points=taper_points, nside=nside, projection=projection,
                stereo_grid_spacing_km=stereo_grid_spacing_km, extent=extent, closed_contours=closed_contours,
                merge_dist=merge_dist, **hodges,
            )

        others = _closed_contour_others(source, field[1], closed_contours)

        def streamed() -> Iterator[pl.DataFrame]:
            with netcdf_copy(*field, others=others) as path:
                yield from on_copy(path, True)

        if stream:
            return streamed()
        with netcdf_copy(*field, others=others) as path:
            return on_copy(path, False)
    if field is not None:
        source, variable = field
    if algorithm != "simple" or hodges or nside is not None or projection != "global" or closed_contours or merge_dist is not None or lmin is not None or lmax is not None:
        raise _core.StormtrackError("NumPy arrays are detected with the simple method on their own grid only; give an xarray.DataArray or a file to use algorithm='hodges' or 'healpix', a projection, or lmin/lmax")
    opts = dict(mode=mode, threshold=threshold, refinement=refinement or "grid", window=window, threads=threads, taper_points=_taper(taper_points) or 0)
    if start is not None or end is not None or n_frames is not None:
        raise _core.StormtrackError("start=, end= and n_frames= select times of a file; select an array with .sel()/.isel() instead")
    if hasattr(source, "dims") and hasattr(source, "coords"):
        if stream:
            return _by_frame(_dataarray_blocks(source, variable, progress, **opts))
        return _detect_dataarray(source, variable, progress, **opts)
    if stream:
        raise _core.StormtrackError("stream=True takes a file or an xarray object; a NumPy array is detected at once")
    if isinstance(source, np.ndarray):
        if times is None or lat is None or lon is None:
            raise _core.StormtrackError("a NumPy array needs times=, lat= and lon= (its coordinates along axes 0, 1 and 2)")
        if variable is None:
            raise _core.StormtrackError("variable= is required for a NumPy array (e.g. 'msl' or 'vo')")
        t = np.asarray(times)
        if not np.issubdtype(t.dtype, np.datetime64):
            raise _core.StormtrackError("times= must be datetime64 values")
        if source.ndim == 2:
            source = source[np.newaxis]
        callback, close = _progress_callback(progress, "detecting")
        try:
            stream = _core.detect_array(
                np.ascontiguousarray(source, dtype=np.float64),
                t.astype("datetime64[ms]").astype(np.int64).tolist(),
                np.asarray(lat, dtype=np.float64).tolist(),
                np.asarray(lon, dtype=np.float64).tolist(),
                variable=variable, units=units, progress=callback, **opts,
            )
        finally:
            close()
        return pl.DataFrame(stream)
    raise TypeError(f"detect() takes a path, an xarray.DataArray or a NumPy array, not {type(source).__name__}")


def _hodges_keywords(hodges: dict[str, Any]) -> dict[str, Any] | None:
    """The Hodges keywords given, paths as strings; ``None`` when there is none."""
    given = {k: os.fspath(v) if k in ("dmax_zones", "adaptive_smoothness") else v for k, v in hodges.items() if v is not None}
    return given or None


_HODGES_OPTIONS = (
    "object_threshold", "w1", "w2", "dmax", "phimax", "min_track_points", "mge_max_iterations",
    "min_object_grid_points", "segment_frames", "no_segmentation", "dmax_zones",
    "adaptive_smoothness", "spectral_taper", "time_step", "mge_workers",
)


def track(
    source: PathLike | Any,
    variable: str | None = None,
    *,
    output: PathLike | Sequence[PathLike] | None = None,
    append: PathLike | None = None,
    format: str = "auto",
    algorithm: str = "simple",
    max_km: float | None = None,
    mode: str = "auto",
    threshold: float | None = None,
    refinement: str | None = None,
    window: int | None = None,
    start: str | None = None,
    end: str | None = None,
    n_frames: int | None = None,
    threads: int | None = None,
    lmin: int | None = None,
    lmax: int | None = None,
    verbose: bool = False,
    progress: Progress = False,
    client: Any = None,
    taper_points: int = 0,
    nside: int | None = None,
    projection: str = "global",
    stereo_grid_spacing_km: float | None = None,
    extent: Sequence[float] | None = None,
    closed_contours: Sequence[str | Sequence[Any]] = (),
    merge_dist: float | None = None,
    **hodges: Any,
) -> pl.DataFrame:
    """Detect and link (``stormtrack track``): returns the ``track_points`` table and writes
    each ``output`` (a directory for the Parquet dataset, ``.txt`` IMILAST, ``.tdump`` TRACK,
    ``.trackjson``), atomically, as the CLI does. ``append=`` a dataset continues its tracks
    with the input's later frames instead (``--append``; both trackers, docs/datasets.md).

    ``algorithm="hodges"`` runs the TRACK method; ``lmin``/``lmax`` band-pass filter the field
    first (for either algorithm), and the Hodges options are keywords named as the CLI flags
    (``object_threshold``, ``w1``, ``w2``, ``dmax``, ``phimax``, ``min_track_points``,
    ``mge_max_iterations``, ``min_object_grid_points``, ``segment_frames``,
    ``no_segmentation``, ``dmax_zones``, ``adaptive_smoothness``, ``spectral_taper``,
    ``time_step``, ``mge_workers``: threads linking the segments); ``taper_points`` ramps the edges of every frame to 0 before any filter
    (``--taper-points``). ``algorithm="healpix"`` is the Hodges tracker on HEALPix pixels
    (``--algorithm healpix``): each frame regridded to ``nside`` (a power of two; default from
    the grid's spacing), objects on the pixel graph, the spherical quadratic fit
    (docs/algorithms.md#healpix-tracker); it takes the Hodges keywords too.
    ``projection="nh_stereo"`` or ``"sh_stereo"`` (``--projection``) detects on a polar
    stereographic plane regridded from the global input, ``stereo_grid_spacing_km`` apart (100)
    over ``extent`` = (xmin, xmax, ymin, ymax) km (±13,000), for either tracker
    (docs/algorithms.md#polar-stereographic-regridding). ``closed_contours`` (each
    ``"msl,200,5.5,0"`` or a tuple: variable, delta, distance, minmaxdist, as TempestExtremes'
    ``--closedcontourcmd``; the variable may be another one of the same file) and ``merge_dist``
    (degrees, ``--mergedist``) filter the Simple tracker's candidates
    (docs/algorithms.md#closed-contour-criterion).

    An xarray Dataset or DataArray is tracked as the same field in a NetCDF file would be.
    A NumPy array is detected with :func:`detect` and linked with :func:`link` in memory (no
    ``output``; Simple only).

    With a ``distributed.Client`` (``client=``, or the active one; ``client=False`` keeps
    the run in this process), detection runs as tasks
    on its workers, which send back compact Arrow centres, and the tracks are linked and
    written here: the same output, byte for byte, as one process (docs/distributed.md).
    Files must be readable at the same paths on the workers; a dask-backed xarray object is
    computed one time chunk per task, on the workers."""
    _check_algorithm(algorithm)
    unknown = sorted(set(hodges) - set(_HODGES_OPTIONS))
    if unknown:
        raise TypeError(f"track() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; Hodges options are {', '.join(_HODGES_OPTIONS)}")
    paths = _file_paths(source)
    field = _xarray_field(source, variable)
    given = _hodges_keywords(hodges)
    options = dict(
        mode=mode, threshold=threshold, refinement=refinement, window=window, start=start, end=end,
        n_frames=n_frames, threads=threads, algorithm=algorithm, lmin=lmin, lmax=lmax, hodges=given,
        taper_points=_taper(taper_points), nside=nside, **_projection(projection, stereo_grid_spacing_km, extent),
        **_criteria(closed_contours, merge_dist),
    )
    outputs = [] if output is None else [output] if isinstance(output, (str, os.PathLike)) else list(output)
    run = dict(outputs=outputs, format=format, max_km=max_km, verbose=verbose, progress=progress, append=append)
    if field is not None:
        da, name = field
        dask_client = _dask_client(client, append)
        if dask_client is not None:
            # only the coordinates here; the frames are computed and detected on the workers
            from stormtrack._distributed import dataarray_runner

            _refuse_distributed_others(source, name, closed_contours)
            da = _dask_field(da, name, dask_client)
            with netcdf_copy(da, name, header_only=True) as header:
                runner = dataarray_runner(dask_client, da, name, options)
                return _track_files([header], name, options, runner=runner, input_name=_xarray_label(field[0], name), **run)
        # the file path of the core on a NetCDF copy: outputs, both trackers, the same results
        with netcdf_copy(da, name, others=_closed_contour_others(source, name, closed_contours)) as path:
            return _track_files([path], name, options, input_name=_xarray_label(da, name), **run)
    if paths is None:
        if output is not None:
            raise _core.StormtrackError("output= needs a file or xarray input; for NumPy arrays, write the DataFrame yourself (e.g. .write_parquet)")
        if client not in (None, False):
            raise _core.StormtrackError("client= takes a file, a list of files or an xarray object; a NumPy array is tracked here")
        if algorithm != "simple" or given or nside is not None or projection != "global" or closed_contours or merge_dist is not None or lmin is not None or lmax is not None:
            raise _core.StormtrackError("NumPy arrays are tracked with the simple method on their own grid only; give an xarray.DataArray or a file to use algorithm='hodges' or 'healpix', a projection, or lmin/lmax")
        from stormtrack._expressions import link

        centers = detect(source, variable, mode=mode, threshold=threshold, refinement=refinement or "grid", window=window or 5, threads=threads,
                         progress=progress, taper_points=taper_points)
        linked = centers.with_columns(track_id=link("time", "lat", "lon", max_km=max_km))
        return (
            linked.sort("track_id", "time", maintain_order=True)
            .with_columns(step=pl.int_range(pl.len(), dtype=pl.UInt32).over("track_id"))
            .select("track_id", "step", *[c for c in centers.columns])
        )
    if variable is None:
        raise _core.StormtrackError("variable= is required for a file (e.g. 'msl' or 'vo')")
    dask_client = _dask_client(client, append)
    runner = None
    if dask_client is not None:
        from stormtrack._distributed import file_runner

        runner = file_runner(dask_client, _worker_paths(paths, variable), variable, options)
    return _track_files(paths, variable, options, runner=runner, **run)


def _track_files(
    paths: list[str], variable: str, options: dict[str, Any], *, outputs: list[Any], format: str, max_km: float | None,
    verbose: bool, progress: Progress, append: PathLike | None, runner: Any = None, input_name: str | None = None,
) -> pl.DataFrame:
    """`track` on files: the core's whole run (detection here or by `runner`, linking,
    every output)."""
    if input_name is None and len(paths) == 1 and is_grib(paths[0]):
        input_name = paths[0]  # the descriptor names the GRIB file, not its temporary NetCDF copy
    callback, close = _progress_callback(progress, "tracking")
    try:
        with readable_paths(paths, variable) as files:
            points, _summary = _core.track_file(
                files, variable, options, outputs=[os.fspath(o) for o in outputs], format=format,
                max_km=max_km, quiet=not verbose, progress=callback,
                append=None if append is None else os.fspath(append), block_runner=runner, input_name=input_name,
            )
    finally:
        close()
    return pl.DataFrame(points)


def _projection(projection: str, spacing: float | None, extent: Sequence[float] | None) -> dict[str, Any]:
    """The plane keywords of the core (``--projection``, ``-r``, ``--extent``)."""
    return dict(projection=projection, stereo_grid_spacing_km=spacing, extent=None if extent is None else [float(v) for v in extent])


def _criteria(closed_contours: Sequence[str | Sequence[Any]], merge_dist: float | None) -> dict[str, Any]:
    """TempestExtremes' criteria as the core takes them: ``var,delta,dist,minmaxdist`` texts."""
    if isinstance(closed_contours, str):
        closed_contours = [c for c in closed_contours.replace(":", ";").split(";") if c.strip()]
    texts = [c if isinstance(c, str) else ",".join(str(v) for v in c) for c in closed_contours]
    return dict(closed_contours=texts or None, merge_dist=merge_dist)


def rejections(
    source: PathLike | Sequence[PathLike],
    variable: str,
    *,
    progress: Progress = False,
    **options: Any,
) -> pl.DataFrame:
    """Every candidate of the Simple detector in each frame of a file, kept or not, with the
    test that turned it down (``rejected_by``: ``contrast``, ``edge``, ``laplacian``,
    ``duplicate``, ``merge_distance``, ``closed_contour_N``; null when kept), the value it was
    tested on (``tested_value``) and the limit (``limit``): why a storm you expected is missing
    (``stormtrack detect --rejections``, docs/algorithms.md#rejected-candidates). With
    ``algorithm="hodges"``: every feature (``duplicate`` for those turned DUFF) and the extrema
    of objects below ``min_object_grid_points`` (``object_size``); with ``algorithm="healpix"``
    each object's extremum, kept or ``object_size``. ``options`` are
    :func:`detect`'s."""
    paths = _file_paths(source)
    if paths is None:
        raise TypeError(f"rejections() takes a file or a list of files, not {type(source).__name__}")
    refinement = options.pop("refinement", None)
    window = options.pop("window", None)
    options.setdefault("algorithm", "simple")
    _check_algorithm(options["algorithm"])
    projection = _projection(options.pop("projection", "global"), options.pop("stereo_grid_spacing_km", None), options.pop("extent", None))
    criteria = _criteria(options.pop("closed_contours", ()), options.pop("merge_dist", None))
    hodges = _hodges_keywords({k: options.pop(k) for k in list(options) if k in _HODGES_OPTIONS})
    core = dict(refinement=refinement, window=window, hodges=hodges, **projection, **criteria, **options)
    callback, close = _progress_callback(progress, "diagnosing")
    try:
        with readable_paths(paths, variable) as files:
            return pl.DataFrame(_core.rejections_file(files, variable, core, progress=callback))
    finally:
        close()


def _taper(points: int) -> int | None:
    """``taper_points`` checked: a whole number of rows and columns, 0 (none) or more."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 0:
        raise ValueError(f"taper_points must be a whole number >= 0, not {points!r}")
    return int(points) or None


def read_tracks(
    path: PathLike, format: str | None = None, *, table: str = "track_points", variable: str | None = None, calendar: str | None = None,
    fields: list[str] | None = None, mode: str | None = None, first_frame_time: str | None = None,
    frame_step_hours: float | None = None,
) -> pl.DataFrame:
    """Tracks from any supported format (Parquet dataset, IMILAST, TRACK, TrackJSON,
    TempestExtremes text and CSV) as the ``track_points`` table, or the per-track ``tracks``
    summary with ``table="tracks"``. ``calendar`` names the calendar of an IMILAST, TRACK or
    TempestExtremes file's dates (they carry none; default proleptic Gregorian), e.g.
    ``"360_day"`` for February 30. ``fields`` names the columns such a file does not name:
    TRACK's added fields (``ADD_FLD``), TempestExtremes' DetectNodes columns (its ``--in_fmt``,
    e.g. ``["lon", "lat", "slp", "wind"]``); ``mode`` (``"min"`` or ``"max"``) where the tracked
    variable's name does not say. A TRACK file that numbers its frames (1, 2, ...) instead of
    dating them is read with ``first_frame_time`` (the time of frame 1, e.g. ``"1979-01-01"``) and
    ``frame_step_hours``."""
    if table not in ("track_points", "tracks"):
        raise ValueError(f"table must be 'track_points' or 'tracks', not {table!r}")
    points, summary = _core.read_tracks(os.fspath(path), format, variable, calendar, list(fields or []), mode,
                                        first_frame_time, frame_step_hours)
    return pl.DataFrame(points if table == "track_points" else summary)


def scan_tracks(path: PathLike, table: str = "track_points") -> pl.LazyFrame:
    """A LazyFrame over one table (``centers``, ``track_points`` or ``tracks``) of a dataset
    written by ``stormtrack track``, with the hive partition columns ``year`` and ``month``
    (Int32)."""
    if table not in _core.DATASET_TABLES:
        raise ValueError(f"table must be one of {', '.join(map(repr, _core.DATASET_TABLES))}, not {table!r}")
    # one generation of the dataset, even if a writer switches to a new one meanwhile
    root = os.path.join(_core.dataset_snapshot(os.fspath(path)), table)
    if not os.path.isdir(root):
        raise _core.StormtrackError(f"{root}: no such directory; is {os.fspath(path)} a dataset written by `stormtrack track`?")
    return pl.scan_parquet(
        os.path.join(root, "**", "*.parquet"),
        hive_partitioning=True,
        hive_schema={c: pl.Int32 for c in _core.PARTITION_COLUMNS},
    )
