//! TRACK-style storm-track statistics on a latitude–longitude grid: spherical kernel estimators
//! of feature, track, genesis and lysis density and of kernel-weighted mean intensity, speed,
//! lifetime and growth (Hodges 1996, *Mon. Wea. Rev.* 124, 2914–2932).
//!
//! The definitions (kernels, densities, mean fields) and the argument for the cost and the
//! bit-identical results are in `docs/statistics.md`. The code is split by concern: `kernel`
//! (the spherical kernels and their shortcuts), `window` (the grid cells a point can reach) and
//! `estimator` (per-point terms and the kernel sums of a block of grid rows).

mod estimator;
mod kernel;
mod window;

use crate::tracks::TrackSet;
use estimator::{Job, Points};
use kernel::Kern;
use rayon::prelude::*;
use window::{Grid, check_grid};

pub use kernel::{FISHER_CUTOFF, SphericalKernel, cap_area};

/// Most grid rows per parallel task (fewer on coarse grids, to keep every thread busy). Any
/// value gives the same bits; a block shares each point's `cos(Δλ)` values between its rows.
const MAX_ROWS_PER_BLOCK: usize = 8;

/// Which fields to compute; the others come back empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub feature: bool,
    pub track: bool,
    pub genesis: bool,
    pub lysis: bool,
    pub intensity: bool,
    pub speed: bool,
    pub lifetime: bool,
    pub growth: bool,
}

impl Selection {
    pub const NONE: Selection =
        Selection { feature: false, track: false, genesis: false, lysis: false, intensity: false, speed: false, lifetime: false, growth: false };
    pub const ALL: Selection = Selection { feature: true, track: true, genesis: true, lysis: true, intensity: true, speed: true, lifetime: true, growth: true };
    /// Names accepted by [`Selection::parse`].
    pub const NAMES: [&'static str; 8] = ["feature", "track", "genesis", "lysis", "intensity", "speed", "lifetime", "growth"];

    /// A comma-separated list of [`Selection::NAMES`] or `all` (case-insensitive), e.g.
    /// `"track,genesis"`.
    pub fn parse(list: &str) -> Result<Selection, StatsError> {
        let mut s = Selection::NONE;
        for name in list.split(',').map(|n| n.trim().to_ascii_lowercase()) {
            match name.as_str() {
                "" => {}
                "all" => s = Selection::ALL,
                "feature" => s.feature = true,
                "track" => s.track = true,
                "genesis" => s.genesis = true,
                "lysis" => s.lysis = true,
                "intensity" => s.intensity = true,
                "speed" => s.speed = true,
                "lifetime" => s.lifetime = true,
                "growth" => s.growth = true,
                _ => return Err(StatsError::UnknownField(name)),
            }
        }
        Ok(s)
    }

    /// Whether a per-track maximum kernel value is needed.
    fn per_track(self) -> bool {
        self.track || self.lifetime
    }
}

/// Options of [`track_statistics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatsOptions {
    pub kernel: SphericalKernel,
    /// Months the tracks cover (> 0): densities are per month.
    pub months: f64,
    /// Radius in degrees of the spherical cap that is the unit area of the densities (TRACK: 5).
    pub unit_area_cap_deg: f64,
    /// Fields to compute.
    pub select: Selection,
}

impl StatsOptions {
    /// All fields, with a 5° unit-area cap.
    pub fn new(kernel: SphericalKernel, months: f64) -> StatsOptions {
        StatsOptions { kernel, months, unit_area_cap_deg: 5.0, select: Selection::ALL }
    }
}

/// Gridded statistics, each row-major `(lat, lon)` of `nlat * nlon` values in the order of the
/// grid coordinates given, or empty when not selected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackStats {
    pub nlat: usize,
    pub nlon: usize,
    /// Points per month per unit area.
    pub feature_density: Vec<f64>,
    /// Tracks per month per unit area.
    pub track_density: Vec<f64>,
    /// Track starts per month per unit area.
    pub genesis_density: Vec<f64>,
    /// Track ends per month per unit area.
    pub lysis_density: Vec<f64>,
    /// Kernel-weighted mean value, in the variable's units.
    pub mean_intensity: Vec<f64>,
    /// Kernel-weighted mean speed, m/s.
    pub mean_speed: Vec<f64>,
    /// Kernel-weighted mean track lifetime, days.
    pub mean_lifetime: Vec<f64>,
    /// Kernel-weighted mean tendency of the value, units per day.
    pub mean_growth: Vec<f64>,
}

impl TrackStats {
    /// Appends the rows of `o` (same fields and columns).
    fn append(&mut self, o: TrackStats) {
        self.nlat += o.nlat;
        let pairs = [
            (&mut self.feature_density, o.feature_density),
            (&mut self.track_density, o.track_density),
            (&mut self.genesis_density, o.genesis_density),
            (&mut self.lysis_density, o.lysis_density),
            (&mut self.mean_intensity, o.mean_intensity),
            (&mut self.mean_speed, o.mean_speed),
            (&mut self.mean_lifetime, o.mean_lifetime),
            (&mut self.mean_growth, o.mean_growth),
        ];
        for (dst, src) in pairs {
            dst.extend(src);
        }
    }
}

/// Invalid input of [`track_statistics`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("months must be a finite number > 0, got {0}; pass the number of months the tracks cover")]
    Months(f64),
    #[error("kernel {name} must be in (0, 180) degrees, got {value}; pass a positive angle below 180")]
    KernelWidth { name: &'static str, value: f64 },
    #[error("unit_area_cap_deg must be in (0, 180], got {0}; TRACK uses 5")]
    UnitArea(f64),
    #[error("grid {0} coordinates are empty; pass at least one value")]
    EmptyGrid(&'static str),
    #[error("grid {axis}[{index}] = {value} is not finite; pass finite coordinates in degrees")]
    NonFiniteGrid { axis: &'static str, index: usize, value: f64 },
    #[error("grid lat[{index}] = {value} is outside [-90, 90]; pass latitudes in degrees north")]
    GridLatRange { index: usize, value: f64 },
    #[error("track set {field} has length {got}, expected {expected}; pass one value per {per}")]
    Length { field: &'static str, got: usize, expected: usize, per: &'static str },
    #[error("track offsets must start at 0, never decrease and end at the point count {0}; rebuild them from the track lengths")]
    Offsets(usize),
    #[error("track point {index} has lat {lat}, lon {lon}; pass finite degrees with lat in [-90, 90]")]
    PointCoord { index: usize, lat: f64, lon: f64 },
    #[error("track {0} times are not strictly increasing; sort its points by time and drop duplicates")]
    Times(i64),
    #[error("unknown track statistic '{0}'; expected a comma-separated list of feature, track, genesis, lysis, intensity, speed, lifetime, growth or all")]
    UnknownField(String),
}

/// Computes the selected statistics of `tracks` on the grid `lat` × `lon` (degrees; see
/// `docs/statistics.md`). Results are bit-identical for any number of rayon threads.
pub fn track_statistics(tracks: &TrackSet<'_>, lat: &[f64], lon: &[f64], o: &StatsOptions) -> Result<TrackStats, StatsError> {
    let kern = Kern::new(o)?;
    check_grid(lat, lon)?;
    let pts = Points::new(tracks, o.select)?;
    if o.select == Selection::NONE {
        return Ok(TrackStats { nlat: lat.len(), nlon: lon.len(), ..TrackStats::default() });
    }
    let job = Job::new(Grid::new(lat, lon), pts, kern, o.select);
    let per_block = (lat.len() / (4 * rayon::current_num_threads())).clamp(1, MAX_ROWS_PER_BLOCK);
    let starts: Vec<usize> = (0..lat.len()).step_by(per_block).collect();
    let parts: Vec<TrackStats> = starts
        .into_par_iter()
        .map(|r0| {
            let rows = r0..(r0 + per_block).min(lat.len());
            job.block(rows.clone()).finish(&kern, rows.len(), lon.len())
        })
        .collect();
    let mut out = TrackStats { nlon: lon.len(), ..TrackStats::default() };
    for part in parts {
        out.append(part);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
