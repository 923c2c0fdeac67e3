//! Sampling a gridded field along tracks (spec §10.5): the adapter between [`Tracks`], a
//! [`Field`] and the [`SampleGrid`] kernel, shared by `stormtrack sample` and Python.

use crate::error::{Error, Result};
use crate::field::Field;
use crate::geo::normalize_lon;
use crate::sample::{SampleError, SampleGrid, SampleMethod, nearest_time_index};
use crate::tracks::{Tracks, Variable};
use rayon::prelude::*;

impl From<SampleError> for Error {
    fn from(e: SampleError) -> Self {
        match e {
            SampleError::UnknownMethod(_) => Error::option("--method", e.to_string()),
            SampleError::NegativeRadius(_) => Error::option("--radius-km", e.to_string()),
            other => Error::Format(format!("sample: {other}")),
        }
    }
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
    if !(radius_km.is_finite() && radius_km >= 0.0) {
        return Err(Error::option("--radius-km", format!("{radius_km} must be a finite number of km >= 0")));
    }
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
