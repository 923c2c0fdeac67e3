"""PyStormTracker 0.8's ``pystormtracker.metrics.eulerian`` (the same functions as
``stormtrack.compat.eulerian``)."""

from stormtrack.compat.eulerian import compute_eke, compute_high_wind_index, compute_variance_metric

__all__ = ["compute_eke", "compute_high_wind_index", "compute_variance_metric"]
