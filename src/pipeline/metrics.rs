//! Gridded metrics of a track collection as a [`GriddedTable`]: the one adapter between
//! [`Tracks`] and the metrics kernels that the CLI, Python, Polars and SQL front ends share.

use crate::compare::{OwnedTrackSet, TrackSet, track_set};
use crate::error::{Error, Result};
use crate::io::gridded::{GriddedField, GriddedTable};
use crate::metrics::{
    AtaInterpolation, GriddedMetrics, Kernel, METRIC_NAMES, MetricsGrid, MetricsOptions, Selection, SphericalKernel, StatsOptions, track_metrics,
    track_metrics_by_month, track_statistics, year_month,
};
use crate::tracks::Tracks;
use crate::variables::Mode;
use chrono::NaiveDate;

/// What to compute: the kernel options, the grid, the period split and the amplitude.
#[derive(Debug, Clone)]
pub struct LagrangianRequest {
    pub grid: MetricsGrid,
    /// Radius, kernel and ATA interpolation; `is_min` is set from `mode`.
    pub options: MetricsOptions,
    /// One field per calendar month (the peer's `monthly=True`) instead of the whole period.
    pub monthly: bool,
    /// Amplitude variable; `None`: the primary variable.
    pub variable: Option<String>,
    /// Minima or maxima; `None`: the tracks' own mode.
    pub mode: Option<Mode>,
}

/// The amplitude column and mode of a request, checked against the tracks.
pub fn amplitude<'t>(tracks: &'t Tracks, variable: Option<&str>, mode: Option<Mode>) -> Result<(&'t crate::tracks::Variable, Mode)> {
    let v = match variable {
        None => tracks.primary(),
        Some(name) => tracks.variable(name).ok_or_else(|| {
            let names: Vec<&str> = tracks.variables.iter().map(|v| v.name.as_str()).collect();
            Error::option("--variable", format!("'{name}' is not a variable of the tracks (found: {})", names.join(", ")))
        })?,
    };
    Ok((v, mode.unwrap_or(tracks.metadata.mode)))
}

/// Month start (1st, 00:00 UTC) in ms since the epoch.
pub fn month_start_ms((year, month): (i32, u32)) -> i64 {
    NaiveDate::from_ymd_opt(year, month, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map_or(0, |d| d.and_utc().timestamp_millis())
}

/// The metrics of a track set per month (with the month starts) or for the whole period.
fn lagrangian_grids(
    set: &TrackSet<'_>,
    amps: &[f64],
    grid: &MetricsGrid,
    o: &MetricsOptions,
    monthly: bool,
) -> Result<(Option<Vec<i64>>, Vec<GriddedMetrics>)> {
    Ok(if monthly {
        let months = track_metrics_by_month(set, amps, grid, o)?;
        (Some(months.iter().map(|(m, _)| month_start_ms(*m)).collect()), months.into_iter().map(|(_, g)| g).collect())
    } else {
        (None, vec![track_metrics(set, amps, grid, o)?])
    })
}

/// The five Lagrangian metrics of `tracks` (spec §10.2), per month or for the whole period.
pub fn lagrangian_table(tracks: &Tracks, req: &LagrangianRequest) -> Result<GriddedTable> {
    let (amp, mode) = amplitude(tracks, req.variable.as_deref(), req.mode)?;
    let o = MetricsOptions { is_min: mode == Mode::Min, ..req.options };
    let (times, grids) = lagrangian_grids(&track_set(tracks), &amp.values, &req.grid, &o, req.monthly)?;
    let unit = amp.unit.as_str();
    let fields = METRIC_NAMES
        .iter()
        .map(|&name| {
            let (units, long_name) = match name {
                "cyclone_frequency" => ("1", "kernel-weighted count of track points"),
                "track_frequency" => ("1", "kernel-weighted count of tracks (largest weight per track)"),
                "cyclone_amplitude" => (unit, "mean amplitude of the points counted (ACA / cyclone frequency)"),
                "aca" => (unit, "accumulated cyclone activity: kernel-weighted sum of point amplitudes"),
                _ => (unit, "accumulated track activity: per track, the extreme hourly amplitude times the largest weight"),
            };
            GriddedField {
                name: name.to_string(),
                attributes: vec![("units".into(), units.into()), ("long_name".into(), long_name.into())],
                frames: grids.iter().map(|g| g.get(name).expect("a metric name").to_vec()).collect(),
            }
        })
        .collect();
    let attributes = vec![
        ("description".into(), "Storm track metrics (Weighted Spherical Estimator)".into()),
        ("radius_km".into(), format!("{}", o.radius_km)),
        ("kernel".into(), o.kernel.as_str().into()),
        ("amplitude_variable".into(), amp.name.clone()),
        ("amplitude_extreme".into(), if o.is_min { "min" } else { "max" }.into()),
        ("ata_interpolation".into(), o.interpolation.as_str().into()),
        ("period".into(), if req.monthly { "month" } else { "whole" }.into()),
        ("source".into(), format!("stormtrack {}", crate::VERSION)),
    ];
    Ok(GriddedTable { lat: req.grid.lat.clone(), lon: req.grid.lon.clone(), times, fields, attributes })
}

/// Options of the table front ends (Polars `st.track_metrics`/`st.ata`, SQL `track_metrics`),
/// by the CLI's names. Tables carry no detection mode: `mode` is `max` unless given, as in the
/// peer (`is_min=False`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsTableOptions {
    pub grid: f64,
    pub radius_km: f64,
    pub kernel: String,
    pub monthly: bool,
    pub mode: String,
    pub interpolation: String,
    /// Which of the five metrics to return (all by default).
    pub metrics: Vec<String>,
    /// Drop the cells where every metric returned is 0.
    pub nonzero: bool,
}

impl Default for MetricsTableOptions {
    fn default() -> Self {
        MetricsTableOptions {
            grid: 2.5,
            radius_km: 500.0,
            kernel: "constant".into(),
            monthly: false,
            mode: "max".into(),
            interpolation: "linear".into(),
            metrics: METRIC_NAMES.iter().map(|s| s.to_string()).collect(),
            nonzero: false,
        }
    }
}

impl MetricsTableOptions {
    /// The grid and kernel options, checked.
    pub fn resolve(&self) -> Result<(MetricsGrid, MetricsOptions)> {
        let bad = |what: &str, v: &str, allowed: &str| Error::option(what, format!("'{v}' is unknown; use {allowed}"));
        let kernel = Kernel::parse(&self.kernel).ok_or_else(|| bad("kernel", &self.kernel, "constant, cressman, linear or quadratic"))?;
        let interpolation = AtaInterpolation::parse(&self.interpolation).ok_or_else(|| bad("interpolation", &self.interpolation, "linear or linear_pchip"))?;
        let is_min = match self.mode.as_str() {
            "min" => true,
            "max" => false,
            other => return Err(bad("mode", other, "min or max")),
        };
        if let Some(m) = self.metrics.iter().find(|m| !METRIC_NAMES.contains(&m.as_str())) {
            return Err(bad("metrics", m, &METRIC_NAMES.join(", ")));
        }
        let o = MetricsOptions { radius_km: self.radius_km, kernel, is_min, interpolation };
        o.validate()?;
        Ok((MetricsGrid::regular(self.grid)?, o))
    }
}

/// A tidy metrics table: one row per (month,) cell; `time` is the month start when monthly.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsRows {
    pub time: Option<Vec<i64>>,
    pub cell_lat: Vec<f64>,
    pub cell_lon: Vec<f64>,
    pub columns: Vec<(String, Vec<f64>)>,
}

/// The Lagrangian metrics of tracks built from point columns (their values the amplitude) as
/// tidy rows.
pub fn metrics_rows(points: &OwnedTrackSet, o: &MetricsTableOptions) -> Result<MetricsRows> {
    let (grid, opts) = o.resolve()?;
    let (times, grids) = lagrangian_grids(&points.set(), &points.values, &grid, &opts, o.monthly)?;
    let names: Vec<&str> = METRIC_NAMES.iter().copied().filter(|n| o.metrics.iter().any(|m| m == n)).collect();
    let nx = grid.lon.len();
    let mut rows =
        MetricsRows { time: times.as_ref().map(|_| Vec::new()), columns: names.iter().map(|n| (n.to_string(), Vec::new())).collect(), ..Default::default() };
    for (k, g) in grids.iter().enumerate() {
        let cols: Vec<&[f64]> = names.iter().map(|n| g.get(n).expect("a metric name")).collect();
        for c in 0..grid.len() {
            if o.nonzero && cols.iter().all(|v| v[c] == 0.0) {
                continue;
            }
            if let (Some(out), Some(ts)) = (rows.time.as_mut(), times.as_ref()) {
                out.push(ts[k]);
            }
            rows.cell_lat.push(grid.lat[c / nx]);
            rows.cell_lon.push(grid.lon[c % nx]);
            for (col, v) in rows.columns.iter_mut().zip(&cols) {
                col.1.push(v[c]);
            }
        }
    }
    Ok(rows)
}

/// What `stats` computes: the grid, the kernel and the fields.
#[derive(Debug, Clone)]
pub struct StatisticsRequest {
    pub grid: MetricsGrid,
    pub kernel: SphericalKernel,
    /// Months the tracks cover; `None`: the number of distinct calendar months of their points.
    pub months: Option<f64>,
    pub select: Selection,
    /// Intensity variable; `None`: the primary variable.
    pub variable: Option<String>,
}

/// Distinct (year, month) of the points: the default period length of the densities.
pub fn calendar_months(times_ms: &[i64]) -> usize {
    let mut m: Vec<(i32, u32)> = times_ms.iter().map(|&t| year_month(t)).collect();
    m.sort_unstable();
    m.dedup();
    m.len()
}

/// TRACK's statistics of `tracks` (Hodges 1996): the densities and mean fields selected.
pub fn statistics_table(tracks: &Tracks, req: &StatisticsRequest) -> Result<GriddedTable> {
    let (var, _) = amplitude(tracks, req.variable.as_deref(), None)?;
    let mut set = track_set(tracks);
    set.values = Some(&var.values);
    statistics_of(&set, &var.name, &var.unit, req)
}

/// [`statistics_table`] of a track set whose values are the variable `name` in `unit`.
pub fn statistics_of(set: &TrackSet<'_>, name: &str, unit: &str, req: &StatisticsRequest) -> Result<GriddedTable> {
    let months = req.months.unwrap_or_else(|| calendar_months(set.times_ms).max(1) as f64);
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
    Ok(GriddedTable { lat: req.grid.lat.clone(), lon: req.grid.lon.clone(), times: None, fields, attributes })
}
