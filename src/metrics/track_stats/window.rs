//! Which grid cells a track point can reach: the grid validated and prepared with its per-row
//! and per-column trigonometry, the longitude windows of a point (index arithmetic on evenly
//! spaced longitudes, a scan otherwise) and the half-width of the kernel's support.

use super::StatsError;
use crate::geo::DEG_TO_RAD;
use std::f64::consts::PI;

/// Widening (degrees) of the row and column windows, covering the rounding of `θ` near them.
pub(super) const WINDOW_EPS_DEG: f64 = 1e-5;

/// Finds the grid columns near a longitude.
pub(super) enum Columns {
    /// `lon[j] ≈ lon0 + j·step` (either direction, periodic or not): index arithmetic.
    Regular { lon0: f64, step: f64, n: usize },
    /// Anything else: every column is a candidate.
    Scan { n: usize },
}

impl Columns {
    pub(super) fn new(lon: &[f64]) -> Columns {
        let n = lon.len();
        if n >= 2 {
            let step = (lon[n - 1] - lon[0]) / (n - 1) as f64;
            // a deviation well below a column is harmless: the windows carry a column of slack
            let even = lon.iter().enumerate().all(|(j, &l)| (l - (lon[0] + j as f64 * step)).abs() <= 1e-6 * step.abs());
            if step != 0.0 && step.abs() <= 360.0 && even {
                return Columns::Regular { lon0: lon[0], step, n };
            }
        }
        Columns::Scan { n }
    }

    /// Writes into `out` disjoint ascending half-open column ranges holding every column within
    /// `half_width` degrees of longitude `lon` (any convention), or all columns for `None`.
    pub(super) fn windows(&self, lon: f64, half_width: Option<f64>, out: &mut Vec<(usize, usize)>) {
        out.clear();
        let (&Columns::Regular { lon0, step, n }, Some(w)) = (self, half_width) else {
            let (Columns::Regular { n, .. } | Columns::Scan { n }) = self;
            return out.push((0, *n));
        };
        // Column j sits `j·step` from lon0; the point sits `d + 360k` from it for every k.
        let d = (lon - lon0).rem_euclid(360.0);
        let last = (n - 1) as f64;
        let (lo, hi) = if step > 0.0 { (0.0, last * step) } else { (last * step, 0.0) };
        let k0 = ((lo - w - d) / 360.0).floor() as i64;
        let k1 = ((hi + w - d) / 360.0).ceil() as i64;
        for k in k0..=k1 {
            let c = d + 360.0 * k as f64;
            let (a, b) = ((c - w) / step, (c + w) / step);
            // one column of slack on either side
            let (a, b) = (a.min(b).floor() - 1.0, a.max(b).ceil() + 1.0);
            if b >= 0.0 && a <= last {
                out.push((a.max(0.0) as usize, b.min(last) as usize + 1));
            }
        }
        // windows of neighbouring k overlap where a periodic grid wraps: merge them so that no
        // column is visited twice
        out.sort_unstable();
        let mut m = 0;
        for i in 1..out.len() {
            if out[i].0 <= out[m].1 {
                out[m].1 = out[m].1.max(out[i].1);
            } else {
                m += 1;
                out[m] = out[i];
            }
        }
        out.truncate(m + 1);
    }
}

/// Longitude half-width in degrees of the support (angle `support_deg`) around a point at
/// latitude `lat`, widened by [`WINDOW_EPS_DEG`]; `None` (all longitudes) when it holds a pole.
pub(super) fn half_width(lat: f64, support_deg: f64) -> Option<f64> {
    let r = support_deg * DEG_TO_RAD;
    let p = (90.0 - lat) * DEG_TO_RAD;
    (support_deg < 180.0 && r < p && r < PI - p).then(|| (r.sin() / p.sin()).min(1.0).asin() / DEG_TO_RAD + WINDOW_EPS_DEG)
}

pub(super) fn check_grid(lat: &[f64], lon: &[f64]) -> Result<(), StatsError> {
    for (axis, v) in [("lat", lat), ("lon", lon)] {
        if v.is_empty() {
            return Err(StatsError::EmptyGrid(axis));
        }
        if let Some((index, &value)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(StatsError::NonFiniteGrid { axis, index, value });
        }
    }
    match lat.iter().enumerate().find(|(_, x)| x.abs() > 90.0) {
        Some((index, &value)) => Err(StatsError::GridLatRange { index, value }),
        None => Ok(()),
    }
}

/// The grid with the per-row and per-column terms of `great_circle_angle`.
pub(super) struct Grid<'a> {
    pub(super) lat: &'a [f64],
    pub(super) sin: Vec<f64>,
    pub(super) cos: Vec<f64>,
    pub(super) lon_rad: Vec<f64>,
    pub(super) columns: Columns,
}

impl<'a> Grid<'a> {
    /// The grid `lat` × `lon` (degrees) with its `sin`/`cos` of latitude and longitudes in radians.
    pub(super) fn new(lat: &'a [f64], lon: &[f64]) -> Grid<'a> {
        Grid {
            lat,
            sin: lat.iter().map(|&l| (l * DEG_TO_RAD).sin()).collect(),
            cos: lat.iter().map(|&l| (l * DEG_TO_RAD).cos()).collect(),
            lon_rad: lon.iter().map(|&l| l * DEG_TO_RAD).collect(),
            columns: Columns::new(lon),
        }
    }
}
