//! Per-track measures over plain slices, shared by the Polars aggregations, the SQL aggregate
//! functions and the Rust API. Points are taken in the order given; [`time_order`] gives the
//! order by time when rows may be shuffled.

use crate::geo::great_circle_km;

/// Sum of great-circle steps between consecutive points, in km (0 for one point), by the public
/// distance [`great_circle_km`] (a repeated point adds exactly 0).
///
/// ```
/// use stormtrack::tracks::measure::path_length_km;
/// let d = path_length_km(&[0.0, 0.0, 0.0], &[179.0, -179.0, -178.0]);
/// assert!((d - 333.59).abs() < 0.01);
/// ```
pub fn path_length_km(lats: &[f64], lons: &[f64]) -> f64 {
    lats.windows(2).zip(lons.windows(2)).map(|(a, o)| great_circle_km(a[0], o[0], a[1], o[1])).sum()
}

/// Time from the first to the last point in hours, for times counted in `ticks_per_hour`
/// units (3.6e6 for milliseconds). `None` for no point.
pub fn duration_hours(times: &[i64], ticks_per_hour: f64) -> Option<f64> {
    let lo = times.iter().min()?;
    let hi = times.iter().max()?;
    Some((hi - lo) as f64 / ticks_per_hour)
}

/// Why a speed cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeedError {
    /// Two consecutive points share a time (index of the second).
    RepeatedTime(usize),
    /// Times go backwards (index of the later point).
    Unordered(usize),
}

/// Largest speed between consecutive points in km/h, by [`great_circle_km`]; `Ok(None)` for
/// fewer than two points. Times must strictly increase.
///
/// ```
/// use stormtrack::tracks::measure::max_speed_kmh;
/// let hour = 3.6e6;
/// let v = max_speed_kmh(&[0, 6 * 3_600_000], &[0.0, 1.0], &[0.0, 0.0], hour).unwrap().unwrap();
/// assert!((v - 111.2 / 6.0).abs() < 0.01);
/// ```
pub fn max_speed_kmh(times: &[i64], lats: &[f64], lons: &[f64], ticks_per_hour: f64) -> Result<Option<f64>, SpeedError> {
    let mut best: Option<f64> = None;
    for k in 1..times.len() {
        let dt = times[k] - times[k - 1];
        if dt == 0 {
            return Err(SpeedError::RepeatedTime(k));
        }
        if dt < 0 {
            return Err(SpeedError::Unordered(k));
        }
        let v = great_circle_km(lats[k - 1], lons[k - 1], lats[k], lons[k]) / (dt as f64 / ticks_per_hour);
        best = Some(best.map_or(v, |b: f64| b.max(v)));
    }
    Ok(best)
}

/// Indices that put `times` in ascending order, ties in input order (`None` when already sorted).
pub fn time_order(times: &[i64]) -> Option<Vec<usize>> {
    if times.windows(2).all(|w| w[0] <= w[1]) {
        return None;
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| times[i]);
    Some(order)
}

/// A track's points in time order, gathered from rows in any order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackPoints {
    pub times: Vec<i64>,
    pub lats: Vec<f64>,
    pub lons: Vec<f64>,
}

impl TrackPoints {
    /// Add one point.
    pub fn push(&mut self, time: i64, lat: f64, lon: f64) {
        self.times.push(time);
        self.lats.push(lat);
        self.lons.push(lon);
    }

    /// Append another set of points (aggregate state merging).
    pub fn extend(&mut self, other: &TrackPoints) {
        self.times.extend_from_slice(&other.times);
        self.lats.extend_from_slice(&other.lats);
        self.lons.extend_from_slice(&other.lons);
    }

    /// Sort by time (stable), so that the measures see the track in order.
    pub fn sort_by_time(&mut self) {
        if let Some(order) = time_order(&self.times) {
            self.times = order.iter().map(|&i| self.times[i]).collect();
            self.lats = order.iter().map(|&i| self.lats[i]).collect();
            self.lons = order.iter().map(|&i| self.lons[i]).collect();
        }
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
}
