//! `sample`: a gridded field sampled along tracks (see docs/algorithms.md#sampling-along-tracks): the adapter between
//! [`Tracks`], a [`Field`] and the [`SampleGrid`] kernel, shared by every front end.

use crate::error::{Error, Result};
use crate::field::{Field, FieldSeries};
use crate::geo::normalize_lon;
use crate::io::{self, TrackFormat};
use crate::sample::{SampleError, SampleGrid, SampleMethod, nearest_time_index};
use crate::tracks::{Tracks, Variable};
use rayon::prelude::*;
use std::path::PathBuf;

impl From<SampleError> for Error {
    fn from(e: SampleError) -> Self {
        match e {
            SampleError::UnknownMethod(_) => Error::option("method", e.to_string()),
            SampleError::NegativeRadius(_) => Error::option("radius_km", e.to_string()),
            other => Error::Format(format!("sample: {other}")),
        }
    }
}

/// Options of `sample`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Tracks in any supported format.
    pub tracks: PathBuf,
    /// The gridded field to sample: a NetCDF file or a Zarr store (docs/input.md#zarr-stores).
    pub input: PathBuf,
    /// Variable of the field to sample.
    pub variable: String,
    /// `nearest`, `bilinear`, `mean`, `max` or `min`.
    pub method: String,
    /// Radius in km of `mean`/`max`/`min` (0: the nearest cell).
    pub radius_km: f64,
    /// Name of the new column; `None`: the variable's name.
    pub name: Option<String>,
    /// Output; the format follows the suffix unless `format` says.
    pub output: PathBuf,
    /// `auto`, `parquet`, `imilast`, `track` or `json`.
    pub format: String,
    /// Names the value column of IMILAST and TRACK track files.
    pub track_variable: Option<String>,
    /// The calendar of the dates of IMILAST and TRACK input (they carry none,
    /// docs/calendars.md); `None`: proleptic Gregorian.
    pub calendar: Option<String>,
    /// Column names and min/max of text track files that do not say.
    pub reading: super::TrackReading,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tracks: PathBuf::new(),
            input: PathBuf::new(),
            variable: String::new(),
            method: "nearest".into(),
            radius_km: 0.0,
            name: None,
            output: PathBuf::new(),
            format: "auto".into(),
            track_variable: None,
            calendar: None,
            reading: super::TrackReading::default(),
        }
    }
}

fn check_radius(radius_km: f64) -> Result<()> {
    if !(radius_km.is_finite() && radius_km >= 0.0) {
        return Err(Error::option("radius_km", format!("{radius_km} must be a finite number of km >= 0")));
    }
    Ok(())
}

impl Options {
    /// Check everything that needs no input; returns the method and the output format.
    pub fn validate(&self) -> Result<(SampleMethod, TrackFormat)> {
        let method: SampleMethod = self.method.parse()?;
        check_radius(self.radius_km)?;
        let format = io::output_format(&self.output, TrackFormat::parse(&self.format)?)?;
        io::check_track_output(&self.output, format)?;
        Ok((method, format))
    }

    /// The name of the new column.
    pub fn column(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.variable)
    }
}

/// Read the tracks and the field, sample and write the tracks with the new column.
pub fn run(opts: &Options) -> Result<Tracks> {
    let (method, format) = opts.validate()?;
    let mut tracks = super::read_track_input(&opts.tracks, opts.track_variable.as_deref(), opts.calendar.as_deref(), &opts.reading)?;
    let field = FieldSeries::open(std::slice::from_ref(&opts.input), &opts.variable)?; // a file or a Zarr store
    sample_tracks(&mut tracks, &field, method, opts.radius_km, opts.column())?;
    io::write_tracks(&tracks, &opts.output, format)?;
    Ok(tracks)
}

/// Sample `field` at every track point (the frame nearest in time, the point's position) and
/// add the values as the variable `name` (replacing one of that name), in the field's unit.
/// Frames are read once each, in parallel; the values do not depend on the thread count.
pub fn sample_tracks(tracks: &mut Tracks, field: &dyn Field, method: SampleMethod, radius_km: f64, name: &str) -> Result<()> {
    let values = sample_points(&tracks.times, &tracks.lats, &tracks.lons, field, method, radius_km)?;
    let column = Variable { name: name.to_string(), unit: field.info().value_unit.clone(), values };
    match tracks.variables.iter_mut().find(|v| v.name == name) {
        Some(v) => *v = column,
        None => tracks.variables.push(column),
    }
    Ok(())
}

/// The field sampled at points `(time, lat, lon)` (any order), in the field's unit.
pub fn sample_points(times: &[i64], lats: &[f64], lons: &[f64], field: &dyn Field, method: SampleMethod, radius_km: f64) -> Result<Vec<f64>> {
    check_radius(radius_km)?;
    let info = field.info();
    let grid = SampleGrid::new(&info.grid.lat, &info.grid.lon)?;
    let frame_of: Vec<usize> = times.iter().map(|&t| nearest_time_index(&info.times, t)).collect::<std::result::Result<_, _>>()?;
    let mut frames: Vec<usize> = frame_of.clone();
    frames.sort_unstable();
    frames.dedup();
    // points grouped by frame, in point order
    let mut points_of = vec![Vec::new(); frames.len()];
    for (p, f) in frame_of.iter().enumerate() {
        points_of[frames.binary_search(f).expect("listed")].push(p);
    }
    let sampled: Vec<Vec<(usize, f64)>> = frames
        .par_iter()
        .zip(&points_of)
        .map(|(&f, points)| -> Result<Vec<(usize, f64)>> {
            let frame = field.read_frame(f)?;
            let data = frame.as_slice().expect("frames are standard layout");
            grid.check_frame(data)?;
            points.iter().map(|&p| Ok((p, grid.sample(data, lats[p], normalize_lon(lons[p]), method, radius_km)?))).collect()
        })
        .collect::<Result<_>>()?;
    let mut values = vec![f64::NAN; times.len()];
    for (p, v) in sampled.into_iter().flatten() {
        values[p] = v;
    }
    Ok(values)
}
