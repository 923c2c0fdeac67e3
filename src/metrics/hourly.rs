//! The hourly resampling of a track for ATA (see docs/algorithms.md#lagrangian-metrics; Yau & Chang 2020).

use crate::geo::{cyclic_delta, normalize_lon};

pub(crate) const HOUR_MS: i64 = 3_600_000;

/// How ATA interpolates the amplitude between a track's points; positions are always linear
/// (latitude, and longitude the shorter way round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AtaInterpolation {
    /// Linear in time: the published Yau & Chang procedure.
    #[default]
    Linear,
    /// Shape-preserving piecewise cubic Hermite (PCHIP, Fritsch & Butland 1984) on hours since
    /// the first point, as SciPy's `PchipInterpolator` (the peer's `linear_pchip`).
    LinearPchip,
}

impl AtaInterpolation {
    /// `linear` or `linear_pchip`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "linear" => Some(AtaInterpolation::Linear),
            "linear_pchip" => Some(AtaInterpolation::LinearPchip),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AtaInterpolation::Linear => "linear",
            AtaInterpolation::LinearPchip => "linear_pchip",
        }
    }
}

/// One track resampled hourly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HourlyTrack {
    pub times: Vec<i64>,
    pub lats: Vec<f64>,
    pub lons: Vec<f64>,
    pub amps: Vec<f64>,
}

/// The track resampled hourly for ATA: from the first time in steps of one hour within each
/// interval, every original time kept with its exact values; longitudes signed.
///
/// ```
/// use stormtrack::metrics::{hourly_samples, AtaInterpolation};
/// let h = hourly_samples(&[0, 3 * 3_600_000], &[0.0, 3.0], &[359.0, 2.0], &[1.0, 4.0], AtaInterpolation::Linear);
/// assert_eq!(h.lats, vec![0.0, 1.0, 2.0, 3.0]);
/// assert_eq!(h.lons, vec![-1.0, 0.0, 1.0, 2.0]);
/// ```
pub fn hourly_samples(times: &[i64], lats: &[f64], lons: &[f64], amps: &[f64], how: AtaInterpolation) -> HourlyTrack {
    let n = times.len();
    let mut h = HourlyTrack::default();
    let slopes = match how {
        AtaInterpolation::LinearPchip if n > 1 => Some(pchip_slopes(&hours_since_first(times), amps)),
        _ => None,
    };
    for k in 0..n {
        h.times.push(times[k]);
        h.lats.push(lats[k]);
        h.lons.push(normalize_lon(lons[k]));
        h.amps.push(amps[k]);
        if k + 1 == n {
            break;
        }
        let (t0, t1) = (times[k], times[k + 1]);
        let mut s = t0 + HOUR_MS;
        while s < t1 {
            let f = (s - t0) as f64 / (t1 - t0) as f64;
            h.times.push(s);
            h.lats.push(lats[k] + f * (lats[k + 1] - lats[k]));
            h.lons.push(normalize_lon(lons[k] + f * cyclic_delta(lons[k + 1], lons[k])));
            h.amps.push(match &slopes {
                None => amps[k] + f * (amps[k + 1] - amps[k]),
                Some(d) => {
                    let x = |t: i64| (t - times[0]) as f64 / HOUR_MS as f64;
                    hermite(x(t0), x(t1), amps[k], amps[k + 1], d[k], d[k + 1], x(s))
                }
            });
            s += HOUR_MS;
        }
    }
    h
}

fn hours_since_first(times: &[i64]) -> Vec<f64> {
    times.iter().map(|&t| (t - times[0]) as f64 / HOUR_MS as f64).collect()
}

/// PCHIP derivatives at the knots (SciPy's `PchipInterpolator._find_derivatives`): zero at a
/// local extremum or flat segment, else the weighted harmonic mean of the neighbouring slopes;
/// the ends by the shape-preserving one-sided three-point formula.
fn pchip_slopes(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len();
    let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let m: Vec<f64> = (0..n - 1).map(|k| (y[k + 1] - y[k]) / h[k]).collect();
    if n == 2 {
        return vec![m[0], m[0]];
    }
    let mut d = vec![0.0; n];
    for k in 1..n - 1 {
        let flat_or_turn = m[k].signum() != m[k - 1].signum() || m[k] == 0.0 || m[k - 1] == 0.0;
        if !flat_or_turn {
            let (w1, w2) = (2.0 * h[k] + h[k - 1], h[k] + 2.0 * h[k - 1]);
            d[k] = 1.0 / ((w1 / m[k - 1] + w2 / m[k]) / (w1 + w2));
        }
    }
    d[0] = pchip_end(h[0], h[1], m[0], m[1]);
    d[n - 1] = pchip_end(h[n - 2], h[n - 3], m[n - 2], m[n - 3]);
    d
}

/// numpy's sign: 0 for 0 (Rust's `signum` gives ±1).
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

fn pchip_end(h0: f64, h1: f64, m0: f64, m1: f64) -> f64 {
    let d = ((2.0 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    if sign(d) != sign(m0) {
        0.0
    } else if sign(m0) != sign(m1) && d.abs() > 3.0 * m0.abs() {
        3.0 * m0
    } else {
        d
    }
}

/// The cubic Hermite piece on `[x0, x1]` at `x`, in SciPy's power-basis form.
fn hermite(x0: f64, x1: f64, y0: f64, y1: f64, d0: f64, d1: f64, x: f64) -> f64 {
    let dx = x1 - x0;
    let slope = (y1 - y0) / dx;
    let t = (d0 + d1 - 2.0 * slope) / dx;
    let (c0, c1) = (t / dx, (slope - d0) / dx - t);
    let s = x - x0;
    ((c0 * s + c1) * s + d0) * s + y0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_original_time_is_kept() {
        let (times, lats, lons, amps) = ([0, 90 * 60_000, 3 * HOUR_MS], [0.0, 1.0, 2.0], [179.0, -179.0, -178.0], [1.0, 2.0, 3.0]);
        let h = hourly_samples(&times, &lats, &lons, &amps, AtaInterpolation::Linear);
        assert_eq!(h.times, vec![0, HOUR_MS, 90 * 60_000, 90 * 60_000 + HOUR_MS, 3 * HOUR_MS]);
        // across the dateline the short way: two thirds of 179 -> -179 is -179.67
        assert!((h.lons[1] - (-179.0 - 2.0 / 3.0)).abs() < 1e-9, "{:?}", h.lons);
    }

    /// SciPy 1.x `PchipInterpolator([0, 6, 12, 18], [1, 3, 2, 2])` at 1, 3, 7, 13, 17 hours
    /// (values printed by SciPy).
    #[test]
    fn pchip_matches_scipy() {
        let times: Vec<i64> = [0, 6, 12, 18].iter().map(|h| h * HOUR_MS).collect();
        let amps = [1.0, 3.0, 2.0, 2.0];
        let h = hourly_samples(&times, &[0.0; 4], &[0.0; 4], &amps, AtaInterpolation::LinearPchip);
        let at = |hour: i64| h.amps[h.times.iter().position(|&t| t == hour * HOUR_MS).unwrap()];
        for (hour, want) in [(1, SCIPY_1), (3, SCIPY_3), (7, SCIPY_7), (13, 2.0), (17, 2.0)] {
            assert!((at(hour) - want).abs() < 1e-12, "hour {hour}: {} vs {want}", at(hour));
        }
        assert_eq!((at(0), at(6), at(12), at(18)), (1.0, 3.0, 2.0, 2.0));
    }
    const SCIPY_1: f64 = 1.5532407407407407;
    const SCIPY_3: f64 = 2.4375;
    const SCIPY_7: f64 = 2.9259259259259256;

    #[test]
    fn pchip_two_points_is_linear() {
        let h = hourly_samples(&[0, 4 * HOUR_MS], &[0.0; 2], &[0.0; 2], &[0.0, 4.0], AtaInterpolation::LinearPchip);
        assert_eq!(h.amps, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    }
}
