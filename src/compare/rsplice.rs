//! TRACK RSPLICE lifetime and displacement filter (see docs/algorithms.md#rsplice).

use crate::compare::error::CompareError;
use crate::compare::stats::pairwise_sum;
use crate::geo::great_circle_angle;
use crate::tracks::TrackSet;

/// How the displacement of a track is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceMode {
    /// Great-circle angle between the first and the last point (TRACK default).
    Endpoint,
    /// Sum of the great-circle angles between consecutive points.
    Travel,
}

/// RSPLICE options; bounds are inclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct RspliceOptions {
    /// Minimum point count (observed points plus missing frames).
    pub min_points: usize,
    /// Optional maximum point count.
    pub max_points: Option<usize>,
    /// Minimum displacement in degrees of great-circle arc.
    pub distance_deg: f64,
    /// Displacement measure.
    pub mode: DistanceMode,
    /// Input cadence; when set, every time gap must be a whole multiple of it and the missing
    /// frames count towards the point count.
    pub expected_cadence_ms: Option<i64>,
}

impl Default for RspliceOptions {
    fn default() -> Self {
        RspliceOptions { min_points: 8, max_points: None, distance_deg: 10.0, mode: DistanceMode::Endpoint, expected_cadence_ms: None }
    }
}

impl RspliceOptions {
    fn validate(&self) -> Result<(), CompareError> {
        let bad = |m: &str| Err(CompareError::InvalidOption(m.to_string()));
        if self.max_points.is_some_and(|m| m < self.min_points) {
            return bad("max_points must be at least min_points");
        }
        if !(self.distance_deg.is_finite() && self.distance_deg >= 0.0) {
            return bad("distance_deg must be finite and non-negative");
        }
        if self.expected_cadence_ms.is_some_and(|c| c <= 0) {
            return bad("expected_cadence_ms must be positive");
        }
        Ok(())
    }
}

/// Decides whether one track (its points in time order) passes RSPLICE.
///
/// Errors on invalid options, on non-increasing times (when a cadence is given) and on a gap
/// that is not an integral multiple of the cadence (`track_id` is `None` here).
pub fn rsplice_keep(times_ms: &[i64], lat: &[f64], lon: &[f64], opts: &RspliceOptions) -> Result<bool, CompareError> {
    opts.validate()?;
    keep_track(times_ms, lat, lon, opts)
}

fn keep_track(times_ms: &[i64], lat: &[f64], lon: &[f64], opts: &RspliceOptions) -> Result<bool, CompareError> {
    if times_ms.len() != lat.len() || lat.len() != lon.len() {
        return Err(CompareError::InvalidTrackSet("times/lat/lon of a track must have equal lengths".to_string()));
    }
    let n = times_ms.len();
    let mut count = n;
    if let Some(cadence) = opts.expected_cadence_ms {
        for w in times_ms.windows(2) {
            let gap = w[1] - w[0];
            if gap <= 0 || gap % cadence != 0 {
                return Err(CompareError::NonIntegralGap { track_id: None, gap_ms: gap, cadence_ms: cadence });
            }
            count += (gap / cadence - 1) as usize;
        }
    }
    if count < opts.min_points || opts.max_points.is_some_and(|m| count > m) {
        return Ok(false);
    }
    let displacement = match (n, opts.mode) {
        (0 | 1, _) => 0.0,
        (_, DistanceMode::Endpoint) => great_circle_angle(lat[0], lon[0], lat[n - 1], lon[n - 1]),
        (_, DistanceMode::Travel) => {
            let legs: Vec<f64> = (1..n).map(|i| great_circle_angle(lat[i - 1], lon[i - 1], lat[i], lon[i])).collect();
            pairwise_sum(&legs)
        }
    };
    Ok(displacement >= opts.distance_deg * std::f64::consts::PI / 180.0)
}

/// Applies RSPLICE to every track; returns the indices of the kept tracks in input order.
pub fn filter_rsplice(set: &TrackSet, opts: &RspliceOptions) -> Result<Vec<usize>, CompareError> {
    opts.validate()?;
    set.validate()?;
    let mut kept = Vec::new();
    for i in 0..set.len() {
        let r = set.range(i);
        let keep = keep_track(&set.times_ms[r.clone()], &set.lat[r.clone()], &set.lon[r], opts).map_err(|e| match e {
            CompareError::NonIntegralGap { gap_ms, cadence_ms, .. } => CompareError::NonIntegralGap { track_id: Some(set.ids[i]), gap_ms, cadence_ms },
            other => other,
        })?;
        if keep {
            kept.push(i);
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variables::Mode;

    const H: i64 = 3_600_000;

    fn opts(min_points: usize, max_points: Option<usize>, distance_deg: f64, mode: DistanceMode) -> RspliceOptions {
        RspliceOptions { min_points, max_points, distance_deg, mode, expected_cadence_ms: None }
    }

    #[test]
    fn point_bounds_are_inclusive() {
        let times: Vec<i64> = (0..8).map(|i| i * 6 * H).collect();
        let lat = [0.0; 8];
        let lon: Vec<f64> = (0..8).map(|i| 2.0 * i as f64).collect(); // 14 degrees end to end
        assert!(rsplice_keep(&times, &lat, &lon, &opts(8, Some(8), 10.0, DistanceMode::Endpoint)).unwrap());
        assert!(!rsplice_keep(&times, &lat, &lon, &opts(9, None, 10.0, DistanceMode::Endpoint)).unwrap());
        assert!(!rsplice_keep(&times, &lat, &lon, &opts(1, Some(7), 10.0, DistanceMode::Endpoint)).unwrap());
    }

    #[test]
    fn distance_bound_is_inclusive() {
        let lat = [0.0, 0.0];
        let lon = [0.0, 10.0];
        let disp = great_circle_angle(0.0, 0.0, 0.0, 10.0);
        // Find the threshold in degrees whose radian value equals the displacement exactly.
        let mut d = disp * 180.0 / std::f64::consts::PI;
        while d * std::f64::consts::PI / 180.0 > disp {
            d = f64::from_bits(d.to_bits() - 1);
        }
        while d * std::f64::consts::PI / 180.0 < disp {
            d = f64::from_bits(d.to_bits() + 1);
        }
        let keep = |deg: f64| rsplice_keep(&[0, H], &lat, &lon, &opts(1, None, deg, DistanceMode::Endpoint)).unwrap();
        assert_eq!(d * std::f64::consts::PI / 180.0, disp);
        assert!(keep(d));
        assert!(!keep(f64::from_bits(d.to_bits() + 4)));
    }

    #[test]
    fn endpoint_versus_travel() {
        // Out 6 degrees east and back: endpoint displacement 0, travel 12 degrees.
        let times = [0, H, 2 * H];
        let lat = [0.0; 3];
        let lon = [0.0, 6.0, 0.0];
        assert!(!rsplice_keep(&times, &lat, &lon, &opts(1, None, 10.0, DistanceMode::Endpoint)).unwrap());
        assert!(rsplice_keep(&times, &lat, &lon, &opts(1, None, 10.0, DistanceMode::Travel)).unwrap());
        // A single point never moves.
        assert!(!rsplice_keep(&[0], &[0.0], &[0.0], &opts(1, None, 1e-12, DistanceMode::Travel)).unwrap());
        assert!(rsplice_keep(&[0], &[0.0], &[0.0], &opts(1, None, 0.0, DistanceMode::Travel)).unwrap());
    }

    #[test]
    fn integral_cadence_gaps_count_missing_frames() {
        // 3 observed points with a 12 h hole at 6 h cadence count as 4.
        let times = [0, 6 * H, 18 * H];
        let (lat, lon) = ([0.0; 3], [0.0, 10.0, 20.0]);
        let mut o = opts(4, None, 10.0, DistanceMode::Endpoint);
        assert!(!rsplice_keep(&times, &lat, &lon, &o).unwrap());
        o.expected_cadence_ms = Some(6 * H);
        assert!(rsplice_keep(&times, &lat, &lon, &o).unwrap());
        o.min_points = 5;
        assert!(!rsplice_keep(&times, &lat, &lon, &o).unwrap());
    }

    #[test]
    fn non_integral_gap_is_an_error_naming_the_track() {
        let ids = [7, 42];
        let offsets = [0, 2, 5];
        let times = [0, 6 * H, 0, 6 * H, 15 * H];
        let lat = [0.0; 5];
        let lon = [0.0, 20.0, 0.0, 10.0, 20.0];
        let set =
            TrackSet { ids: &ids, offsets: &offsets, times_ms: &times, lat: &lat, lon: &lon, values: None, mode: Mode::Min, calendar: Default::default() };
        let o = RspliceOptions { min_points: 1, expected_cadence_ms: Some(6 * H), ..Default::default() };
        let err = filter_rsplice(&set, &o).unwrap_err();
        assert_eq!(err, CompareError::NonIntegralGap { track_id: Some(42), gap_ms: 9 * H, cadence_ms: 6 * H });
        assert!(err.to_string().starts_with("track 42: "));
        let o = RspliceOptions { min_points: 1, ..Default::default() };
        assert_eq!(filter_rsplice(&set, &o).unwrap(), vec![0, 1]);
    }

    #[test]
    fn invalid_options_are_rejected() {
        let bad = [
            RspliceOptions { max_points: Some(3), min_points: 4, ..Default::default() },
            RspliceOptions { distance_deg: f64::NAN, ..Default::default() },
            RspliceOptions { distance_deg: -1.0, ..Default::default() },
            RspliceOptions { expected_cadence_ms: Some(0), ..Default::default() },
        ];
        for o in bad {
            assert!(matches!(rsplice_keep(&[0], &[0.0], &[0.0], &o), Err(CompareError::InvalidOption(_))));
        }
    }
}
