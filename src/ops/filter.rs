//! `filter`: keep the tracks that pass TRACK's RSPLICE criterion (length and displacement).

use super::parse_time_step;
use crate::compare::{self, DistanceMode, RspliceOptions};
use crate::error::{Error, Result};
use crate::io::{self, TrackFormat};
use crate::tracks::Tracks;
use std::path::PathBuf;

/// Options of `filter`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Tracks in any supported format.
    pub input: PathBuf,
    /// Output; the format follows the suffix unless `format` says.
    pub output: PathBuf,
    /// `auto`, `parquet`, `imilast`, `track` or `json`.
    pub format: String,
    /// Names the value column of IMILAST and TRACK files.
    pub variable: Option<String>,
    /// The calendar of the dates of IMILAST and TRACK input (they carry none,
    /// docs/calendars.md); `None`: proleptic Gregorian.
    pub calendar: Option<String>,
    /// Which tracks to keep.
    pub criterion: Criterion,
    /// Column names and min/max of text track files that do not say.
    pub reading: super::TrackReading,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            input: PathBuf::new(),
            output: PathBuf::new(),
            format: "auto".into(),
            variable: None,
            calendar: None,
            criterion: Criterion::default(),
            reading: Default::default(),
        }
    }
}

/// TRACK's RSPLICE criterion as the front ends give it.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Fewest points a track needs (missing frames count with `expected_cadence`); TRACK's 8.
    pub min_points: usize,
    /// Most points a track may have.
    pub max_points: Option<usize>,
    /// Smallest great-circle distance between first and last point, in degrees (inclusive);
    /// TRACK's 10 when neither distance is given.
    pub min_endpoint_distance_deg: Option<f64>,
    /// The distance travelled along the track instead, in degrees.
    pub min_travel_distance_deg: Option<f64>,
    /// Count missing frames: every gap must be a multiple of this step (e.g. `6h`).
    pub expected_cadence: Option<String>,
}

impl Default for Criterion {
    fn default() -> Self {
        let d = RspliceOptions::default();
        Criterion { min_points: d.min_points, max_points: d.max_points, min_endpoint_distance_deg: None, min_travel_distance_deg: None, expected_cadence: None }
    }
}

impl Criterion {
    /// The RSPLICE options, checked.
    pub fn rsplice(&self) -> Result<RspliceOptions> {
        let (mode, option, distance_deg) = match (self.min_endpoint_distance_deg, self.min_travel_distance_deg) {
            (Some(_), Some(_)) => return Err(Error::option("min_travel_distance_deg", "cannot be given with `min_endpoint_distance_deg`; choose one")),
            (_, Some(d)) => (DistanceMode::Travel, "min_travel_distance_deg", d),
            (d, None) => (DistanceMode::Endpoint, "min_endpoint_distance_deg", d.unwrap_or(RspliceOptions::default().distance_deg)),
        };
        if !(distance_deg.is_finite() && distance_deg >= 0.0) {
            return Err(Error::option(option, format!("{distance_deg} must be a finite number of degrees >= 0")));
        }
        if let Some(m) = self.max_points
            && m < self.min_points
        {
            return Err(Error::option("max_points", format!("{m} is below `min_points` {}", self.min_points)));
        }
        let cadence = |s: &str| {
            parse_time_step(s).map_err(|_| Error::option("expected_cadence", format!("'{s}' is not a positive integer followed by s, m, h or D (e.g. 6h)")))
        };
        let expected_cadence_ms = self.expected_cadence.as_deref().map(cadence).transpose()?;
        Ok(RspliceOptions { min_points: self.min_points, max_points: self.max_points, distance_deg, mode, expected_cadence_ms })
    }
}

impl Options {
    /// Check everything that needs no input; returns the output format.
    pub fn validate(&self) -> Result<TrackFormat> {
        self.criterion.rsplice()?;
        let format = io::output_format(&self.output, TrackFormat::parse(&self.format)?)?;
        io::check_track_output(&self.output, format)?;
        Ok(format)
    }
}

/// What `filter` kept.
#[derive(Debug, Clone)]
pub struct Filtered {
    pub kept: Tracks,
    pub tracks: usize,
    pub points: usize,
}

/// Read, filter and write the tracks.
pub fn run(opts: &Options) -> Result<Filtered> {
    let format = opts.validate()?;
    let criterion = opts.criterion.rsplice()?;
    let tracks = super::read_track_input(&opts.input, opts.variable.as_deref(), opts.calendar.as_deref(), &opts.reading)?;
    let keep = compare::filter_rsplice(&crate::tracks::track_set(&tracks), &criterion)?;
    let kept = tracks.select(&keep);
    io::write_tracks(&kept, &opts.output, format)?;
    Ok(Filtered { kept, tracks: tracks.len(), points: tracks.n_points() })
}
