//! `metrics`: the Lagrangian storm-track metrics of a track collection (cyclone and track
//! frequency, cyclone amplitude, ACA and ATA; Yau & Chang 2020) on a grid, as CF NetCDF or
//! tidy Parquet. Also the adapter between [`Tracks`] and the metrics kernels that the Polars
//! and SQL front ends share ([`TableOptions`], [`metrics_rows`]).

use super::{check_threads, parse_mode, pool};
use crate::error::{Error, Result};
use crate::io::gridded::{self, GriddedField, GriddedTable};
use crate::metrics::{AtaInterpolation, GriddedMetrics, Kernel, METRIC_NAMES, MetricsGrid, MetricsOptions, track_metrics, track_metrics_by_month};
use crate::time::Calendar;
use crate::tracks::{OwnedTrackSet, TrackSet, Tracks, track_set};
use crate::variables::Mode;
use std::path::PathBuf;

/// Tracks in, a gridded result out: what `metrics` and `stats` share.
#[derive(Debug, Clone)]
pub struct GriddedJob {
    /// Tracks in any supported format.
    pub input: PathBuf,
    /// `.nc` (CF NetCDF), `.parquet` (one tidy table) or a directory (tidy Parquet).
    pub output: PathBuf,
    /// Spacing of the global output grid in degrees (latitude 90 to -90, longitude from 0).
    pub grid: f64,
    /// The amplitude or intensity variable; `None`: the tracks' primary variable (also names
    /// the value column of IMILAST and TRACK files).
    pub variable: Option<String>,
    /// The calendar of the dates of IMILAST and TRACK input (they carry none,
    /// docs/calendars.md); `None`: proleptic Gregorian.
    pub calendar: Option<String>,
    /// Worker threads; `None`: all cores.
    pub threads: Option<usize>,
    /// Column names and min/max of text track files that do not say.
    pub reading: super::TrackReading,
}

/// The default output grid spacing, in degrees.
pub const GRID_DEG: f64 = 2.5;

impl Default for GriddedJob {
    fn default() -> Self {
        GriddedJob { input: PathBuf::new(), output: PathBuf::new(), grid: GRID_DEG, variable: None, calendar: None, threads: None, reading: Default::default() }
    }
}

impl GriddedJob {
    /// Check everything that needs no input; returns the grid.
    pub fn validate(&self) -> Result<MetricsGrid> {
        let grid = MetricsGrid::regular(self.grid)?;
        check_threads(self.threads)?;
        gridded::check_target(&self.output)?;
        Ok(grid)
    }

    /// Read the tracks, compute a gridded table on the job's threads and write it.
    pub(crate) fn run(&self, compute: impl FnOnce(&Tracks) -> Result<GriddedTable> + Send) -> Result<Computed> {
        let tracks = super::read_track_input(&self.input, self.variable.as_deref(), self.calendar.as_deref(), &self.reading)?;
        let table = pool(self.threads)?.install(|| compute(&tracks))?;
        gridded::write(&table, &self.output)?;
        Ok(Computed { table, tracks: tracks.len(), points: tracks.n_points() })
    }
}

/// Options of `metrics`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The tracks, the output and its grid, the amplitude variable, the threads.
    pub job: GriddedJob,
    /// Radius of influence in km.
    pub radius_km: f64,
    /// `constant`, `cressman`, `linear` or `quadratic`.
    pub kernel: String,
    /// One field per calendar month instead of the whole period.
    pub monthly: bool,
    /// ATA's amplitude interpolation between points: `linear` or `linear_pchip`.
    pub interpolation: String,
    /// `auto` (the tracks' mode), `min` or `max`: which amplitude extreme ATA takes.
    pub mode: String,
}

impl Default for Options {
    fn default() -> Self {
        let k = MetricsOptions::default();
        Options {
            job: GriddedJob::default(),
            radius_km: k.radius_km,
            kernel: k.kernel.as_str().into(),
            monthly: false,
            interpolation: k.interpolation.as_str().into(),
            mode: "auto".into(),
        }
    }
}

/// A checked request: what [`lagrangian_table`] computes.
#[derive(Debug, Clone)]
pub struct Lagrangian {
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

/// Radius, kernel and ATA interpolation, checked (`is_min` as given).
pub fn kernel_options(radius_km: f64, kernel: &str, interpolation: &str, is_min: bool) -> Result<MetricsOptions> {
    let kernel = Kernel::parse(kernel).ok_or_else(|| Error::option("kernel", format!("'{kernel}' is unknown; use constant, cressman, linear or quadratic")))?;
    let interpolation = AtaInterpolation::parse(interpolation)
        .ok_or_else(|| Error::option("interpolation", format!("'{interpolation}' is unknown; use linear or linear_pchip")))?;
    let o = MetricsOptions { radius_km, kernel, is_min, interpolation };
    o.validate()?;
    Ok(o)
}

impl Options {
    /// Check everything that needs no input; returns the request.
    pub fn validate(&self) -> Result<Lagrangian> {
        Ok(Lagrangian {
            grid: self.job.validate()?,
            options: kernel_options(self.radius_km, &self.kernel, &self.interpolation, false)?,
            monthly: self.monthly,
            variable: self.job.variable.clone(),
            mode: parse_mode("mode", &self.mode)?,
        })
    }
}

/// A gridded result and the counts of the tracks it was computed from.
#[derive(Debug, Clone)]
pub struct Computed {
    pub table: GriddedTable,
    pub tracks: usize,
    pub points: usize,
}

/// Read the tracks, compute the metrics and write them.
pub fn run(opts: &Options) -> Result<Computed> {
    let req = opts.validate()?;
    opts.job.run(|tracks| lagrangian_table(tracks, &req))
}

/// The amplitude column and mode of a request, checked against the tracks.
pub fn amplitude<'t>(tracks: &'t Tracks, variable: Option<&str>, mode: Option<Mode>) -> Result<(&'t crate::tracks::Variable, Mode)> {
    let v = match variable {
        None => tracks.primary(),
        Some(name) => tracks.variable(name).ok_or_else(|| {
            let names: Vec<&str> = tracks.variables.iter().map(|v| v.name.as_str()).collect();
            Error::option("variable", format!("'{name}' is not a variable of the tracks (found: {})", names.join(", ")))
        })?,
    };
    Ok((v, mode.unwrap_or(tracks.metadata.mode)))
}

/// Month start (1st, 00:00) in ms since 1970-01-01 in `calendar`.
pub fn month_start_ms((year, month): (i32, u32), calendar: Calendar) -> i64 {
    calendar.from_civil(year, month, 1, 0).unwrap_or(0)
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
        (Some(months.iter().map(|(m, _)| month_start_ms(*m, set.calendar)).collect()), months.into_iter().map(|(_, g)| g).collect())
    } else {
        (None, vec![track_metrics(set, amps, grid, o)?])
    })
}

/// The five Lagrangian metrics of `tracks` (see docs/algorithms.md#lagrangian-metrics), per month or for the whole period.
pub fn lagrangian_table(tracks: &Tracks, req: &Lagrangian) -> Result<GriddedTable> {
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
    Ok(GriddedTable { lat: req.grid.lat.clone(), lon: req.grid.lon.clone(), times, calendar: tracks.metadata.calendar, fields, attributes })
}

/// Options of the table front ends (Polars `st.track_metrics`/`st.ata`, SQL `track_metrics`),
/// by the field names of [`Options`]. Tables carry no detection mode: `mode` is `max` unless
/// given, as in the peer (`is_min=False`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TableOptions {
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

impl Default for TableOptions {
    fn default() -> Self {
        let d = Options::default();
        TableOptions {
            grid: d.job.grid,
            radius_km: d.radius_km,
            kernel: d.kernel,
            monthly: d.monthly,
            mode: "max".into(),
            interpolation: d.interpolation,
            metrics: METRIC_NAMES.iter().map(|s| s.to_string()).collect(),
            nonzero: false,
        }
    }
}

impl TableOptions {
    /// The grid and kernel options, checked.
    pub fn resolve(&self) -> Result<(MetricsGrid, MetricsOptions)> {
        let is_min = match self.mode.as_str() {
            "min" => true,
            "max" => false,
            other => return Err(Error::option("mode", format!("'{other}' is unknown; use min or max"))),
        };
        if let Some(m) = self.metrics.iter().find(|m| !METRIC_NAMES.contains(&m.as_str())) {
            return Err(Error::option("metrics", format!("'{m}' is unknown; use {}", METRIC_NAMES.join(", "))));
        }
        Ok((MetricsGrid::regular(self.grid)?, kernel_options(self.radius_km, &self.kernel, &self.interpolation, is_min)?))
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
pub fn metrics_rows(points: &OwnedTrackSet, o: &TableOptions) -> Result<MetricsRows> {
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
