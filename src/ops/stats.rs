//! `stats`: TRACK's statistics of a track collection on a grid (Hodges 1996): feature, track,
//! genesis and lysis densities and mean intensity, speed, lifetime and growth, with a
//! spherical kernel, as CF NetCDF or tidy Parquet.

use super::metrics::{Computed, GriddedJob, amplitude};
use crate::error::{Error, Result};
use crate::io::gridded::{GriddedField, GriddedTable};
use crate::metrics::{MetricsGrid, Selection, SphericalKernel, StatsOptions, track_statistics, year_month};
use crate::time::Calendar;
use crate::tracks::{TrackSet, Tracks, track_set};

/// Options of `stats`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The tracks, the output and its grid, the intensity variable, the threads.
    pub job: GriddedJob,
    /// Densities: a comma-separated list of feature, track, genesis, lysis (or all).
    pub density: Option<String>,
    /// Mean fields: a comma-separated list of intensity, speed, lifetime, growth (or all).
    /// Without `density` and `mean`, everything.
    pub mean: Option<String>,
    /// `cap` (constant within a radius) or `fisher` (von Mises-Fisher).
    pub kernel: String,
    /// The cap's radius or the Fisher kernel's bandwidth, in degrees; `None`: 5 for the cap,
    /// 2.5 for Fisher.
    pub width_deg: Option<f64>,
    /// Months the tracks cover, which densities are divided by; `None`: the distinct
    /// calendar months of the track points.
    pub months: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Options { job: GriddedJob::default(), density: None, mean: None, kernel: "cap".into(), width_deg: None, months: None }
    }
}

/// The cap's default radius and the Fisher kernel's default bandwidth, in degrees.
pub const CAP_RADIUS_DEG: f64 = 5.0;
/// The Fisher kernel's default bandwidth, in degrees.
pub const FISHER_BANDWIDTH_DEG: f64 = 2.5;

/// The spherical kernel: `cap` or `fisher` with its width in degrees.
pub fn spherical_kernel(kernel: &str, width_deg: Option<f64>) -> Result<SphericalKernel> {
    let k = match kernel {
        "cap" | "constant" => SphericalKernel::Cap { radius_deg: width_deg.unwrap_or(CAP_RADIUS_DEG) },
        "fisher" | "exponential" => SphericalKernel::Fisher { bandwidth_deg: width_deg.unwrap_or(FISHER_BANDWIDTH_DEG) },
        other => return Err(Error::option("kernel", format!("'{other}' is unknown; use cap or fisher"))),
    };
    let w = width_deg.unwrap_or(1.0);
    if !(w.is_finite() && w > 0.0 && w < 180.0) {
        return Err(Error::option("width_deg", format!("{w} must be an angle in degrees above 0 and below 180")));
    }
    Ok(k)
}

/// The fields: the densities and means named, or everything when neither is given.
pub fn selection(density: Option<&str>, mean: Option<&str>) -> Result<Selection> {
    let check = |option: &str, list: Option<&str>, allowed: &[&str]| -> Result<Selection> {
        let Some(list) = list else { return Ok(Selection::NONE) };
        let mut names: Vec<String> = Vec::new();
        for n in list.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()) {
            if n == "all" {
                names.extend(allowed.iter().map(|s| s.to_string()));
            } else if allowed.contains(&n.as_str()) {
                names.push(n);
            } else {
                return Err(Error::option(option, format!("'{n}' is unknown; use {} or all", allowed.join(", "))));
            }
        }
        Ok(Selection::parse(&names.join(","))?)
    };
    let d = check("density", density, &["feature", "track", "genesis", "lysis"])?;
    let m = check("mean", mean, &["intensity", "speed", "lifetime", "growth"])?;
    if density.is_none() && mean.is_none() {
        return Ok(Selection::ALL);
    }
    Ok(Selection { intensity: m.intensity, speed: m.speed, lifetime: m.lifetime, growth: m.growth, ..d })
}

/// `months`, checked: a positive number when given.
pub fn check_months(months: Option<f64>) -> Result<()> {
    match months {
        Some(m) if !(m.is_finite() && m > 0.0) => Err(Error::option("months", format!("{m} must be a number of months above 0"))),
        _ => Ok(()),
    }
}

impl Statistics {
    /// The request of table front ends (no file, no variable name).
    pub fn new(grid: f64, kernel: &str, width_deg: Option<f64>, months: Option<f64>, density: Option<&str>, mean: Option<&str>) -> Result<Self> {
        check_months(months)?;
        Ok(Statistics {
            grid: MetricsGrid::regular(grid)?,
            kernel: spherical_kernel(kernel, width_deg)?,
            months,
            select: selection(density, mean)?,
            variable: None,
        })
    }
}

impl Options {
    /// Check everything that needs no input; returns the request.
    pub fn validate(&self) -> Result<Statistics> {
        let req = Statistics::new(self.job.grid, &self.kernel, self.width_deg, self.months, self.density.as_deref(), self.mean.as_deref())?;
        self.job.validate()?;
        Ok(Statistics { variable: self.job.variable.clone(), ..req })
    }
}

/// Read the tracks, compute the statistics and write them.
pub fn run(opts: &Options) -> Result<Computed> {
    let req = opts.validate()?;
    opts.job.run(|tracks| statistics_table(tracks, &req))
}

/// A checked request: what [`statistics_table`] computes.
#[derive(Debug, Clone)]
pub struct Statistics {
    pub grid: MetricsGrid,
    pub kernel: SphericalKernel,
    /// Months the tracks cover; `None`: the number of distinct calendar months of their points.
    pub months: Option<f64>,
    pub select: Selection,
    /// Intensity variable; `None`: the primary variable.
    pub variable: Option<String>,
}

/// Distinct (year, month) of the points: the default period length of the densities.
pub fn calendar_months(times_ms: &[i64], calendar: Calendar) -> usize {
    let mut m: Vec<(i32, u32)> = times_ms.iter().map(|&t| year_month(t, calendar)).collect();
    m.sort_unstable();
    m.dedup();
    m.len()
}

/// TRACK's statistics of `tracks` (Hodges 1996): the densities and mean fields selected.
pub fn statistics_table(tracks: &Tracks, req: &Statistics) -> Result<GriddedTable> {
    let (var, _) = amplitude(tracks, req.variable.as_deref(), None)?;
    let mut set = track_set(tracks);
    set.values = Some(&var.values);
    statistics_of(&set, &var.name, &var.unit, req)
}

/// [`statistics_table`] of a track set whose values are the variable `name` in `unit`.
pub fn statistics_of(set: &TrackSet<'_>, name: &str, unit: &str, req: &Statistics) -> Result<GriddedTable> {
    let months = req.months.unwrap_or_else(|| calendar_months(set.times_ms, set.calendar).max(1) as f64);
    let o = StatsOptions { kernel: req.kernel, months, unit_area_cap_deg: 5.0, select: req.select };
    let s = track_statistics(set, &req.grid.lat, &req.grid.lon, &o)?;
    let per_month = "number per month per unit area (a spherical cap of radius 5 degrees)";
    let growth_unit = format!("{unit} day-1");
    let candidates: [(&str, &Vec<f64>, &str, &str); 8] = [
        ("feature_density", &s.feature_density, "1", per_month),
        ("track_density", &s.track_density, "1", per_month),
        ("genesis_density", &s.genesis_density, "1", per_month),
        ("lysis_density", &s.lysis_density, "1", per_month),
        ("mean_intensity", &s.mean_intensity, unit, "kernel-weighted mean of the point values"),
        ("mean_speed", &s.mean_speed, "m s-1", "kernel-weighted mean of the point speeds"),
        ("mean_lifetime", &s.mean_lifetime, "day", "kernel-weighted mean lifetime of the tracks passing"),
        ("mean_growth", &s.mean_growth, &growth_unit, "kernel-weighted mean tendency of the point values per day"),
    ];
    let fields = candidates
        .into_iter()
        .filter(|(_, v, _, _)| !v.is_empty())
        .map(|(name, v, units, long_name)| GriddedField {
            name: name.into(),
            attributes: vec![("units".into(), units.into()), ("long_name".into(), long_name.into())],
            frames: vec![v.clone()],
        })
        .collect();
    let kernel = match req.kernel {
        SphericalKernel::Cap { radius_deg } => format!("spherical cap, radius {radius_deg} degrees"),
        SphericalKernel::Fisher { bandwidth_deg } => {
            format!("von Mises-Fisher, bandwidth {bandwidth_deg} degrees (kappa = 1/h^2, truncated below 1e-12 of the peak)")
        }
    };
    let attributes = vec![
        ("description".into(), "TRACK-style storm-track statistics (Hodges 1996 spherical kernel estimators)".into()),
        ("kernel".into(), kernel),
        ("months".into(), format!("{months}")),
        ("unit_area".into(), "spherical cap of radius 5 degrees".into()),
        ("intensity_variable".into(), name.to_string()),
        ("source".into(), format!("stormtrack {}", crate::VERSION)),
    ];
    Ok(GriddedTable { lat: req.grid.lat.clone(), lon: req.grid.lon.clone(), times: None, calendar: set.calendar, fields, attributes })
}
