"""PyStormTracker 0.8's ``pystormtracker.metrics.compare``: track-set comparison over the
core's (``stormtrack compare``, docs/compat.md), with the peer's configuration and report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


from stormtrack import _core

_MATCHING = ("nearest", "mutual_nearest", "global_assignment")


@dataclass(frozen=True, slots=True)
class TrackComparisonConfig:
    """How pairs are matched and which pairs are eligible (docs/metrics.md#track-comparison)."""

    matching: str = "nearest"
    max_mean_separation_deg: float = 2.0
    min_overlap_fraction: float = 0.6
    variable: str | None = None
    mode: str | None = None

    def __post_init__(self) -> None:
        if self.matching not in _MATCHING:
            raise ValueError(f"unsupported matching method {self.matching!r}; expected 'nearest', 'mutual_nearest', or 'global_assignment'")
        if not self.max_mean_separation_deg > 0.0:
            raise ValueError("max_mean_separation_deg must be greater than zero")
        if not 0.0 <= self.min_overlap_fraction <= 1.0:
            raise ValueError("min_overlap_fraction must be between zero and one")
        if self.variable == "":
            raise ValueError("variable must be a non-empty name or None")
        if self.mode not in (None, "auto", "min", "max"):
            raise ValueError("mode must be 'auto', 'min', 'max', or None")


@dataclass(frozen=True, slots=True)
class TrackProperties:
    """Life cycle and intensity of one track."""

    point_count: int
    duration_hours: float
    path_length_km: float
    mean_speed_kmh: float
    mean_intensity: float | None
    peak_intensity: float | None


@dataclass(frozen=True, slots=True)
class IntensityDifference:
    """Candidate minus reference intensity over the common points."""

    bias: float
    mae: float
    rmse: float
    correlation: float | None


@dataclass(frozen=True, slots=True)
class TrackMatch:
    """The candidate matched to one reference track, and how close they are."""

    reference_id: int
    candidate_id: int
    eligible_candidate_count: int
    overlap_count: int
    overlap_fraction: float
    mean_separation_deg: float
    mean_separation_km: float
    minimum_separation_km: float
    median_separation_km: float
    p95_separation_km: float
    maximum_separation_km: float
    reference: TrackProperties
    candidate: TrackProperties
    intensity_difference: IntensityDifference | None
    same_time_range: bool = False
    same_point_count: bool = False
    topology_identical: bool = False


@dataclass(frozen=True, slots=True)
class TrackComparison:
    """The comparison of a reference track set with a candidate set."""

    config: TrackComparisonConfig
    reference_count: int
    candidate_count: int
    matches: tuple[TrackMatch, ...]
    unmatched_reference_ids: tuple[int, ...]
    unmatched_candidate_ids: tuple[int, ...]
    _report: dict = field(default_factory=dict, repr=False, compare=False)

    matching = property(lambda self: self.config.matching)
    match_count = property(lambda self: len(self.matches))
    unmatched_reference_count = property(lambda self: len(self.unmatched_reference_ids))
    unmatched_candidate_count = property(lambda self: len(self.unmatched_candidate_ids))
    topology_identical_count = property(lambda self: sum(m.topology_identical for m in self.matches))
    unique_candidate_count = property(lambda self: len({m.candidate_id for m in self.matches}))

    @property
    def reused_candidate_count(self) -> int:
        """Candidates matched by more than one reference track."""
        return sum(1 for n in Counter(m.candidate_id for m in self.matches).values() if n > 1)

    @property
    def reused_candidate_assignments(self) -> int:
        """Matches beyond the first of each reused candidate."""
        return sum(n - 1 for n in Counter(m.candidate_id for m in self.matches).values() if n > 1)

    reference_coverage = property(lambda self: _ratio(self.match_count, self.reference_count))
    candidate_coverage = property(lambda self: _ratio(self.unique_candidate_count, self.candidate_count))
    agreement = property(lambda self: _ratio(self.match_count, min(self.reference_count, self.candidate_count)))
    tp = property(lambda self: self.match_count)
    fn = property(lambda self: self.unmatched_reference_count)
    fp = property(lambda self: self.unmatched_candidate_count)
    precision = property(lambda self: _ratio(self.match_count, self.candidate_count))
    recall = property(lambda self: _ratio(self.match_count, self.reference_count))

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0.0 else 2.0 * p * r / (p + r)

    def to_dict(self) -> dict:
        """The JSON report (as `stormtrack compare -o` and the peer's `to_dict` write it)."""
        return dict(self._report)


def _ratio(a: int, b: int) -> float:
    return 0.0 if b == 0 else a / b


def _properties(d: dict) -> TrackProperties:
    return TrackProperties(**{k: d[k] for k in TrackProperties.__slots__})


def _match(d: dict) -> TrackMatch:
    diff = d.get("intensity_difference")
    fields = {k: d[k] for k in TrackMatch.__slots__ if k not in ("reference", "candidate", "intensity_difference")}
    return TrackMatch(
        **fields,
        reference=_properties(d["reference"]),
        candidate=_properties(d["candidate"]),
        intensity_difference=None if diff is None else IntensityDifference(**diff),
    )


def compare_tracks(reference: Any, candidate: Any, *, config: TrackComparisonConfig | None = None) -> TrackComparison:
    """Match `candidate` tracks to `reference` tracks (both ``stormtrack.compat.Tracks``) one to
    one, as `stormtrack compare` does (TRACK's criterion: mean separation and overlap)."""
    import json

    from stormtrack.compat._io import _packed

    config = config or TrackComparisonConfig()
    text = _core.compare_packed(
        _packed(reference), _packed(candidate), config.matching, config.max_mean_separation_deg,
        config.min_overlap_fraction, config.variable, config.mode,
    )
    report = json.loads(text)
    return TrackComparison(
        config,
        report["reference_count"],
        report["candidate_count"],
        tuple(_match(m) for m in report["matches"]),
        tuple(report["unmatched_reference_ids"]),
        tuple(report["unmatched_candidate_ids"]),
        report,
    )
