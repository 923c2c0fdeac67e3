//! Lagrangian storm-track metrics on a grid (spec §10.2; Yau & Chang 2020): cyclone frequency,
//! track frequency, accumulated cyclone activity (ACA), accumulated track activity (ATA) and
//! cyclone amplitude, with the constant, Cressman, linear and quadratic kernels.

use crate::geo::{cyclic_delta, great_circle_km, normalize_lon};
use chrono::{DateTime, Datelike};

const HOUR_MS: i64 = 3_600_000;

/// Weighting of a point's contribution by its distance `d` to a grid cell (spec §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// 1 within the radius (inclusive).
    Constant,
    /// `(R² − d²)/(R² + d²)`.
    Cressman,
    /// `1 − d/R`.
    Linear,
    /// `1 − (d/R)²`.
    Quadratic,
}

impl Kernel {
    /// `constant`, `cressman`, `linear` or `quadratic`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "constant" => Some(Kernel::Constant),
            "cressman" => Some(Kernel::Cressman),
            "linear" => Some(Kernel::Linear),
            "quadratic" => Some(Kernel::Quadratic),
            _ => None,
        }
    }

    /// Weight at distance `d` km for radius `r` km; 0 beyond the radius.
    ///
    /// ```
    /// use stormtrack::metrics::Kernel;
    /// assert_eq!(Kernel::Cressman.weight(500.0, 1000.0), 0.6);
    /// assert_eq!(Kernel::Linear.weight(500.0, 1000.0), 0.5);
    /// assert_eq!(Kernel::Quadratic.weight(500.0, 1000.0), 0.75);
    /// assert_eq!(Kernel::Constant.weight(1000.0, 1000.0), 1.0);
    /// ```
    pub fn weight(self, d: f64, r: f64) -> f64 {
        if d > r {
            return 0.0;
        }
        match self {
            Kernel::Constant => 1.0,
            Kernel::Cressman => (r * r - d * d) / (r * r + d * d),
            Kernel::Linear => 1.0 - d / r,
            Kernel::Quadratic => 1.0 - (d / r) * (d / r),
        }
    }
}

/// Options of [`track_metrics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricsOptions {
    pub radius_km: f64,
    pub kernel: Kernel,
    /// The amplitude's extreme is its minimum (e.g. pressure) rather than its maximum.
    pub is_min: bool,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions { radius_km: 500.0, kernel: Kernel::Constant, is_min: false }
    }
}

/// The five gridded metrics, each row-major `(lat, lon)` on the requested grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GriddedMetrics {
    pub cyclone_frequency: Vec<f64>,
    pub track_frequency: Vec<f64>,
    pub cyclone_amplitude: Vec<f64>,
    pub aca: Vec<f64>,
    pub ata: Vec<f64>,
}

/// One track: times (ms, increasing), positions and amplitude.
#[derive(Debug, Clone, Copy)]
pub struct TrackView<'a> {
    pub times: &'a [i64],
    pub lats: &'a [f64],
    pub lons: &'a [f64],
    pub amps: &'a [f64],
}

/// The track resampled hourly for ATA (spec §10.2): from the first time in steps of one hour
/// within each interval, every original time kept exactly; latitude and amplitude linear,
/// longitude along the shorter way round.
pub fn hourly_samples(t: &TrackView<'_>) -> (Vec<i64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = t.times.len();
    let (mut ts, mut la, mut lo, mut am) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..n {
        ts.push(t.times[k]);
        la.push(t.lats[k]);
        lo.push(t.lons[k]);
        am.push(t.amps[k]);
        if k + 1 == n {
            break;
        }
        let (t0, t1) = (t.times[k], t.times[k + 1]);
        let mut s = t0 + HOUR_MS;
        while s < t1 {
            let f = (s - t0) as f64 / (t1 - t0) as f64;
            ts.push(s);
            la.push(t.lats[k] + f * (t.lats[k + 1] - t.lats[k]));
            lo.push(normalize_lon(t.lons[k] + f * cyclic_delta(t.lons[k + 1], t.lons[k])));
            am.push(t.amps[k] + f * (t.amps[k + 1] - t.amps[k]));
            s += HOUR_MS;
        }
    }
    (ts, la, lo, am)
}

/// The cells a point reaches with a positive weight, with the weight (spec §10.2 search:
/// rows within `R/111 + 1` degrees; columns within that over `max(0.1, cos lat)` below 80°).
fn reach(lat: &[f64], lon: &[f64], plat: f64, plon: f64, o: &MetricsOptions, mut f: impl FnMut(usize, f64)) {
    let m = o.radius_km / 111.0 + 1.0;
    let nx = lon.len();
    for (r, &glat) in lat.iter().enumerate() {
        if (glat - plat).abs() > m {
            continue;
        }
        let lon_window = (glat.abs() < 80.0).then(|| m / glat.to_radians().cos().max(0.1));
        for (c, &glon) in lon.iter().enumerate() {
            if lon_window.is_some_and(|w| cyclic_delta(glon, plon).abs() > w) {
                continue;
            }
            let w = o.kernel.weight(great_circle_km(plat, plon, glat, glon), o.radius_km);
            if w > 0.0 {
                f(r * nx + c, w);
            }
        }
    }
}

/// Gridded metrics of `tracks` on the grid `lat` x `lon` (spec §10.2, one period: no monthly
/// split). `active` decides which original points and hourly samples count (all, or those of
/// one month).
pub fn track_metrics(tracks: &[TrackView<'_>], lat: &[f64], lon: &[f64], o: &MetricsOptions, active: &dyn Fn(i64) -> bool) -> GriddedMetrics {
    let n = lat.len() * lon.len();
    let mut g = GriddedMetrics { cyclone_frequency: vec![0.0; n], track_frequency: vec![0.0; n], cyclone_amplitude: vec![0.0; n], aca: vec![0.0; n], ata: vec![0.0; n] };
    let mut best = vec![0.0f64; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut t_amp = vec![0.0f64; n];
    let init = if o.is_min { 1e9 } else { -1e9 };
    for t in tracks {
        // cyclone frequency, ACA, and the track's largest weight per cell
        for k in 0..t.times.len() {
            if !active(t.times[k]) {
                continue;
            }
            reach(lat, lon, t.lats[k], t.lons[k], o, |c, w| {
                g.cyclone_frequency[c] += w;
                g.aca[c] += t.amps[k] * w;
                if best[c] == 0.0 {
                    touched.push(c);
                }
                best[c] = best[c].max(w);
            });
        }
        for &c in &touched {
            g.track_frequency[c] += best[c];
            best[c] = 0.0;
        }
        touched.clear();
        // ATA over the hourly samples: largest weight times the extreme amplitude per cell
        let (ts, la, lo, am) = hourly_samples(t);
        for k in 0..ts.len() {
            if !active(ts[k]) {
                continue;
            }
            reach(lat, lon, la[k], lo[k], o, |c, w| {
                if best[c] == 0.0 {
                    touched.push(c);
                    t_amp[c] = init;
                }
                best[c] = best[c].max(w);
                t_amp[c] = if o.is_min { t_amp[c].min(am[k]) } else { t_amp[c].max(am[k]) };
            });
        }
        for &c in &touched {
            g.ata[c] += t_amp[c] * best[c];
            best[c] = 0.0;
        }
        touched.clear();
    }
    for c in 0..n {
        if g.cyclone_frequency[c] > 0.0 {
            g.cyclone_amplitude[c] = g.aca[c] / g.cyclone_frequency[c];
        }
    }
    g
}

/// (year, month) of a time in ms since the epoch (UTC, proleptic Gregorian).
pub fn year_month(ms: i64) -> (i32, u32) {
    let d = DateTime::from_timestamp_millis(ms).expect("times within chrono's range");
    (d.year(), d.month())
}

/// [`track_metrics`] per calendar month (spec §10.2 `monthly=True`): the months are those of
/// the original points and of the hourly samples, in order; within a month only its points
/// and samples count.
pub fn track_metrics_by_month(tracks: &[TrackView<'_>], lat: &[f64], lon: &[f64], o: &MetricsOptions) -> Vec<((i32, u32), GriddedMetrics)> {
    let mut months: Vec<(i32, u32)> = tracks.iter().flat_map(|t| hourly_samples(t).0.into_iter().map(year_month)).collect();
    months.sort_unstable();
    months.dedup();
    months.into_iter().map(|m| (m, track_metrics(tracks, lat, lon, o, &|t| year_month(t) == m))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spec §10.2 anchors: (−1°, 359°) → (1°, 1°) six hours apart, amplitudes 100 and 120,
    /// grid point (0, 0), 500 km constant kernel.
    #[test]
    fn anchor_two_points_across_the_meridian() {
        let (times, lats, lons, amps) = ([0, 6 * HOUR_MS], [-1.0, 1.0], [359.0, 1.0], [100.0, 120.0]);
        let t = TrackView { times: &times, lats: &lats, lons: &lons, amps: &amps };
        let g = track_metrics(&[t], &[0.0], &[0.0], &MetricsOptions::default(), &|_| true);
        assert_eq!((g.cyclone_frequency[0], g.track_frequency[0], g.aca[0], g.ata[0]), (2.0, 1.0, 220.0, 120.0));
        assert_eq!(g.cyclone_amplitude[0], 110.0);
    }

    #[test]
    fn anchor_three_points() {
        let (times, lats, lons, amps) = ([0, 6 * HOUR_MS, 12 * HOUR_MS], [2.0, 0.0, -2.0], [0.0, 0.0, 0.0], [100.0, 150.0, 80.0]);
        let t = TrackView { times: &times, lats: &lats, lons: &lons, amps: &amps };
        let g = track_metrics(&[t], &[0.0], &[0.0], &MetricsOptions::default(), &|_| true);
        assert_eq!((g.ata[0], g.aca[0]), (150.0, 330.0));
    }

    /// lat −3 → 3 at lon 0 in 6 h, amplitudes 10 → 20, radius 200 km: no original point is
    /// within reach of (0, 0), the hourly samples are: cf 0, tf 0, ata 50/3.
    #[test]
    fn anchor_hourly_samples_reach_where_points_do_not() {
        let (times, lats, lons, amps) = ([0, 6 * HOUR_MS], [-3.0, 3.0], [0.0, 0.0], [10.0, 20.0]);
        let t = TrackView { times: &times, lats: &lats, lons: &lons, amps: &amps };
        let o = MetricsOptions { radius_km: 200.0, ..MetricsOptions::default() };
        let g = track_metrics(&[t], &[0.0], &[0.0], &o, &|_| true);
        assert_eq!((g.cyclone_frequency[0], g.track_frequency[0]), (0.0, 0.0));
        assert!((g.ata[0] - 50.0 / 3.0).abs() < 1e-12, "{}", g.ata[0]);
    }

    /// A track crossing a month boundary counts in both months, each with its own points.
    #[test]
    fn months_split_points_and_samples() {
        let jan31_22h = 1_769_896_800_000; // 2026-01-31T22:00Z
        let (times, lats, lons, amps) = ([jan31_22h, jan31_22h + 6 * HOUR_MS], [0.0, 0.0], [0.0, 0.0], [1.0, 2.0]);
        let t = TrackView { times: &times, lats: &lats, lons: &lons, amps: &amps };
        let by_month = track_metrics_by_month(&[t], &[0.0], &[0.0], &MetricsOptions::default());
        let months: Vec<(i32, u32)> = by_month.iter().map(|(m, _)| *m).collect();
        assert_eq!(months, vec![(2026, 1), (2026, 2)]);
        assert_eq!((by_month[0].1.cyclone_frequency[0], by_month[1].1.cyclone_frequency[0]), (1.0, 1.0));
        assert_eq!((by_month[0].1.track_frequency[0], by_month[1].1.track_frequency[0]), (1.0, 1.0));
        // January's samples end at 23:00 (amplitude 1 + 1/6), February's reach 2
        assert!((by_month[0].1.ata[0] - (1.0 + 1.0 / 6.0)).abs() < 1e-12);
        assert_eq!(by_month[1].1.ata[0], 2.0);
    }

    #[test]
    fn hourly_samples_keep_every_original_time() {
        let (times, lats, lons, amps) = ([0, 90 * 60_000, 3 * HOUR_MS], [0.0, 1.0, 2.0], [179.0, -179.0, -178.0], [1.0, 2.0, 3.0]);
        let (ts, _, lo, _) = hourly_samples(&TrackView { times: &times, lats: &lats, lons: &lons, amps: &amps });
        assert_eq!(ts, vec![0, HOUR_MS, 90 * 60_000, 90 * 60_000 + HOUR_MS, 3 * HOUR_MS]);
        // across the dateline the short way: two thirds of 179 -> -179 is -179.67
        assert!((lo[1] - (-179.0 - 2.0 / 3.0)).abs() < 1e-9, "{lo:?}");
    }
}
