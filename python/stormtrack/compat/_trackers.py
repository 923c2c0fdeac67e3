"""PyStormTracker 0.8's trackers (``SimpleTracker``, ``HodgesTracker``, ``HealpixTracker``)
and its ``Tracker`` protocol, over stormtrack's engine: the constructor takes the peer's
options, ``track`` the data and returns the peer's ``Tracks`` (docs/compat.md)."""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from stormtrack.compat._io import load_tracks
from stormtrack.compat._tracks import Tracks


class CenterFrame(NamedTuple):
    """One time step's detected centres."""

    time: int
    latitudes: np.ndarray
    longitudes: np.ndarray
    values: np.ndarray


def _center_frames(centres: Any, times: Any, *, lon_360: bool) -> list[CenterFrame]:
    """One ``CenterFrame`` per time from a centres table (its ``frame`` column numbering the
    times; frames without centres empty), rows in table order; longitudes moved from the
    table's [-180, 180) to [0, 360) when `lon_360` (x - 360 + 360 is exact for x in [180, 360))."""
    by_frame = centres.partition_by("frame", as_dict=True, maintain_order=True)
    frames = []
    for k, t in enumerate(times):
        rows = by_frame.get((k,))
        if rows is None:
            empty = np.empty(0, dtype=np.float64)
            frames.append(CenterFrame(t, empty, empty.copy(), empty.copy()))
            continue
        lon = rows["lon"].to_numpy()
        if lon_360:
            lon = np.where(lon < 0.0, lon + 360.0, lon)
        frames.append(CenterFrame(t, rows["lat"].to_numpy(), lon, rows["value"].to_numpy()))
    return frames


@runtime_checkable
class Tracker(Protocol):
    """What every tracker offers: ``track(data, variable, ...) -> Tracks``."""

    def track(
        self,
        data: Any,
        variable: str,
        *,
        start_time: Any = None,
        end_time: Any = None,
        detection_mode: str = "auto",
        engine: str | None = None,
    ) -> Tracks: ...


def _time_text(t: Any) -> str | None:
    """A time input (text, datetime, numpy datetime64, cftime) as the ISO text we parse."""
    if t is None:
        return None
    if isinstance(t, str):
        return t
    if isinstance(t, np.datetime64):
        return str(t.astype("datetime64[s]"))
    if isinstance(t, (_dt.datetime, _dt.date)):
        return t.isoformat()
    if hasattr(t, "isoformat"):  # cftime
        return t.isoformat()
    raise TypeError(f"cannot read {t!r} as a time; give text such as '2025-12-01T06'")


def _threads(backend: str, workers: int | None) -> int | None:
    if backend == "serial":
        return 1
    if backend == "mpi":
        raise ValueError("backend 'mpi' is not supported; use 'dask' or 'serial' (threads give the same tracks)")
    if backend != "dask":
        raise ValueError(f"backend must be 'serial' or 'dask', not {backend!r}")
    return workers


def _check_engine(engine: str | None) -> None:
    if engine not in (None, "h5netcdf", "netcdf4", "cfgrib"):
        raise ValueError(f"engine {engine!r} is not one of h5netcdf, netcdf4, cfgrib")


def _keep(tracker: object, arguments: dict[str, Any]) -> None:
    """The constructor's arguments as the tracker's attributes (the peer's trackers keep them)."""
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(tracker, name, value)


def _check_call(engine: str | None, extra: dict[str, Any]) -> None:
    _check_engine(engine)
    if extra:
        raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(extra))}")


def _positive(name: str, value: int | None) -> None:
    if value is not None and (not isinstance(value, (int, np.integer)) or value <= 0):
        raise ValueError(f"{name} must be a positive integer")


def _workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="stormtrack-compat-", ignore_cleanup_errors=True)


def _run(data: Any, variable: str, **options: Any) -> Tracks:
    """``stormtrack.track`` written to TrackJSON (lossless, with the metadata) and read back."""
    from stormtrack import track

    if isinstance(data, Path):
        data = os.fspath(data)
    with _workdir() as d:
        out = os.path.join(d, "tracks.trackjson")
        track(data, variable, output=out, **{k: v for k, v in options.items() if v is not None})
        return _peer_columns(load_tracks(out))


#: Columns stormtrack's Hodges and HEALPix features carry that the peer's Tracks do not.
_OURS_ONLY = ("object_id", "refinement_status")


def _peer_columns(tracks: Tracks) -> Tracks:
    """`tracks` with the peer's variables only."""
    if not any(k in tracks.variables for k in _OURS_ONLY):
        return tracks
    from dataclasses import replace

    keep = {k: v for k, v in tracks.variables.items() if k not in _OURS_ONLY}
    units = {k: u for k, u in tracks.units.items() if k in keep}
    return tracks.with_variables(keep, metadata=replace(tracks.metadata, units=units))


def _table_file(d: str, name: str, table: Any, rows: int | None) -> str:
    """A TRACK settings table (zone.dat with its count line, adapt.dat) written for the engine."""
    a = np.asarray(table, dtype=float)
    path = os.path.join(d, name)
    with open(path, "w", encoding="ascii") as f:
        if rows is None:
            f.write(f"{len(a)}\n")
        f.writelines(" ".join(repr(float(x)) for x in row) + "\n" for row in a)
    return path


class _Linked:
    """The linker options the Hodges and HEALPix trackers share."""

    def _linker_options(self, d: str) -> dict[str, Any]:
        opts: dict[str, Any] = dict(
            w1=self.w1, w2=self.w2, dmax=self.dmax, phimax=self.phimax, mge_max_iterations=self.mge_max_iterations,
            min_track_points=self.min_track_points, min_object_grid_points=self.min_object_grid_points,
        )
        if self.lmin is not None or self.lmax is not None:
            opts["spectral_taper"] = self.spectral_taper  # the band filter's; without one there is none
        if self.segment_frames is None:
            opts["no_segmentation"] = True
        else:
            opts["segment_frames"] = self.segment_frames
        if self.dmax_zones is not None:
            opts["dmax_zones"] = _table_file(d, "zone.dat", self.dmax_zones, None)
        if self.adaptive_smoothness is not None:
            opts["adaptive_smoothness"] = _table_file(d, "adapt.dat", self.adaptive_smoothness, 2)
        return opts

    def _check_linker(self) -> None:
        if self.missing_frame_parameters is not None:
            raise ValueError("missing_frame_parameters is not supported; the regional zones (dmax_zones) and the adaptive table set the limits")
        _positive("segment_frames", self.segment_frames)
        _positive("min_object_grid_points", self.min_object_grid_points)


class SimpleTracker:
    """PyStormTracker's Simple tracker: local extrema linked by nearest neighbour."""

    def __init__(
        self,
        *,
        projection: str = "global",
        stereo_grid_spacing_km: float = 100.0,
        extent: Sequence[float] | None = None,
        lmin: int | None = None,
        lmax: int | None = None,
        taper_points: int = 0,
        search_window_size: int = 5,
        feature_refinement: str = "grid",
        backend: str = "dask",
        workers: int | None = None,
    ) -> None:
        _positive("workers", workers)
        _keep(self, locals())
        self._threads = _threads(backend, workers)

    def track(
        self,
        data: Any,
        variable: str,
        *,
        start_time: Any = None,
        end_time: Any = None,
        detection_mode: str = "auto",
        feature_threshold: float | None = None,
        engine: str | None = None,
        **kwargs: Any,
    ) -> Tracks:
        """Detect and link `variable` of `data` (a path, URL, xarray Dataset or DataArray)."""
        _check_call(engine, kwargs)
        return _run(
            data, variable, algorithm="simple", mode=detection_mode, threshold=feature_threshold,
            refinement=self.feature_refinement, window=self.search_window_size, start=_time_text(start_time),
            end=_time_text(end_time), threads=self._threads, lmin=self.lmin, lmax=self.lmax,
            taper_points=self.taper_points, projection=self.projection,
            stereo_grid_spacing_km=self.stereo_grid_spacing_km if self.projection != "global" else None,
            extent=self.extent,
        )


class HodgesTracker(_Linked):
    """PyStormTracker's Hodges (TRACK) tracker: spectral filter, objects, B-spline refinement,
    Modified Greedy Exchange."""

    def __init__(
        self,
        *,
        lmin: int | None = None,
        lmax: int | None = None,
        taper_points: int = 0,
        spectral_taper: float = 1.0,
        min_object_grid_points: int = 1,
        feature_refinement: str = "bspline",
        w1: float = 0.2,
        w2: float = 0.8,
        dmax: float = 6.5,
        phimax: float = 0.5,
        mge_max_iterations: int = 3,
        min_track_points: int = 3,
        dmax_zones: Any = None,
        adaptive_smoothness: Any = None,
        missing_frame_parameters: Any = None,
        segment_frames: int | None = 62,
        projection: str = "global",
        stereo_grid_spacing_km: float = 100.0,
        extent: Sequence[float] | None = None,
        group_adjacent_extrema: bool = False,
        exclude_boundary_extrema: bool = False,
        track_smoopy_optimization_scale: float = 1.0,
        backend: str = "dask",
        frame_workers: int | None = None,
        sht_threads: int | None = None,
        mge_workers: int | None = None,
    ) -> None:
        _keep(self, locals())
        for name, value in (("frame_workers", frame_workers), ("sht_threads", sht_threads), ("mge_workers", mge_workers)):
            _positive(name, value)
        if backend != "dask" and (frame_workers is not None or mge_workers is not None):
            raise ValueError(f"frame_workers and mge_workers are only supported with the Dask backend, not {backend}")
        for name, given in (("group_adjacent_extrema", group_adjacent_extrema), ("exclude_boundary_extrema", exclude_boundary_extrema),
                            ("track_smoopy_optimization_scale", track_smoopy_optimization_scale != 1.0)):
            if given:
                raise ValueError(f"{name} is not supported by stormtrack's Python trackers (its Rust API has it); leave the default")
        self._threads = _threads(backend, frame_workers)
        self._check_linker()

    def track(
        self,
        data: Any,
        variable: str,
        *,
        start_time: Any = None,
        end_time: Any = None,
        time_step: Any = None,
        detection_mode: str = "auto",
        object_threshold: float | None = None,
        engine: str | None = None,
        **kwargs: Any,
    ) -> Tracks:
        """Track `variable` of `data` (a path, URL, xarray Dataset or DataArray)."""
        _check_call(engine, kwargs)
        with _workdir() as d:
            return _run(
                data, variable, algorithm="hodges", mode=detection_mode, refinement=self.feature_refinement,
                start=_time_text(start_time), end=_time_text(end_time), threads=self._threads, lmin=self.lmin,
                lmax=self.lmax, taper_points=self.taper_points, projection=self.projection,
                stereo_grid_spacing_km=self.stereo_grid_spacing_km if self.projection != "global" else None,
                extent=self.extent, object_threshold=object_threshold, time_step=_time_step(time_step),
                mge_workers=self.mge_workers, **self._linker_options(d),
            )


class HealpixTracker(_Linked):
    """PyStormTracker's HEALPix tracker: each frame regridded to HEALPix, objects on the pixel
    graph, the spherical quadratic fit, Modified Greedy Exchange."""

    def __init__(
        self,
        *,
        nside: int | None = None,
        lmin: int | None = None,
        lmax: int | None = None,
        taper_points: int = 0,
        spectral_taper: float = 0.1,
        min_object_grid_points: int = 1,
        feature_refinement: str = "quadratic",
        w1: float = 0.2,
        w2: float = 0.8,
        dmax: float = 6.5,
        phimax: float = 0.5,
        mge_max_iterations: int = 3,
        min_track_points: int = 3,
        dmax_zones: Any = None,
        adaptive_smoothness: Any = None,
        missing_frame_parameters: Any = None,
        segment_frames: int | None = 62,
        backend: str = "dask",
        workers: int | None = None,
    ) -> None:
        _positive("workers", workers)
        _keep(self, locals())
        self._threads = _threads(backend, workers)
        self._check_linker()

    def track(
        self,
        data: Any,
        variable: str,
        *,
        start_time: Any = None,
        end_time: Any = None,
        detection_mode: str = "auto",
        object_threshold: float | None = None,
        engine: str | None = None,
        **kwargs: Any,
    ) -> Tracks:
        """Track `variable` of `data` on HEALPix pixels."""
        _check_call(engine, kwargs)
        with _workdir() as d:
            return _run(
                data, variable, algorithm="healpix", nside=self.nside, mode=detection_mode,
                refinement=self.feature_refinement, start=_time_text(start_time), end=_time_text(end_time),
                threads=self._threads, lmin=self.lmin, lmax=self.lmax, taper_points=self.taper_points,
                object_threshold=object_threshold, **self._linker_options(d),
            )


def _time_step(step: Any) -> str | None:
    """A time step (numpy timedelta64, datetime.timedelta or text such as ``6h``) as text."""
    if step is None or isinstance(step, str):
        return step
    if isinstance(step, _dt.timedelta):
        step = np.timedelta64(int(step.total_seconds()), "s")
    seconds = int(np.timedelta64(step, "s").astype(np.int64))
    if seconds <= 0 or np.timedelta64(seconds, "s") != step:
        raise ValueError(f"time_step {step!r} must be a positive whole number of seconds")
    return f"{seconds}s"
