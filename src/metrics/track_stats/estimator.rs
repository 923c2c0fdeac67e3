//! The estimators: per-point inputs (speed and growth by finite differences, per-track
//! lifetimes), what each point adds to a cell, and the kernel sums of a block of grid rows that
//! become densities and Nadaraya–Watson means.

use super::kernel::Kern;
use super::window::{Grid, half_width};
use super::{Selection, StatsError, TrackStats};
use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM, great_circle_angle};
use crate::tracks::TrackSet;

const MS_PER_DAY: f64 = 86_400_000.0;

/// Per-point inputs in input order, plus per-track lifetimes.
pub(super) struct Points {
    lat: Vec<f64>,
    lon: Vec<f64>,
    /// `lon · DEG_TO_RAD`, `sin` and `cos` of `lat · DEG_TO_RAD`, as `great_circle_angle` has them.
    lon_rad: Vec<f64>,
    sin: Vec<f64>,
    cos: Vec<f64>,
    track: Vec<usize>,
    first: Vec<bool>,
    last: Vec<bool>,
    value: Vec<f64>,
    speed: Vec<f64>,
    growth: Vec<f64>,
    pub(super) lifetime_days: Vec<f64>,
}

/// What one point adds to each cell it reaches: decided once per point, not per cell.
pub(super) struct Terms {
    feature: bool,
    genesis: bool,
    lysis: bool,
    /// The value, speed and growth where selected and finite.
    intensity: Option<f64>,
    speed: Option<f64>,
    growth: Option<f64>,
}

/// The indices of the two points a point's difference uses: its neighbours, or itself and its
/// only neighbour at an end; `None` in a single-point track.
fn diff_pair(k: usize, start: usize, end: usize) -> Option<(usize, usize)> {
    match end - start {
        0 | 1 => None,
        _ if k == start => Some((k, k + 1)),
        _ if k + 1 == end => Some((k - 1, k)),
        _ => Some((k - 1, k + 1)),
    }
}

impl Points {
    pub(super) fn new(t: &TrackSet<'_>, sel: Selection) -> Result<Points, StatsError> {
        let n = t.lat.len();
        let len_err = |field, got, expected, per| Err(StatsError::Length { field, got, expected, per });
        if t.offsets.len() != t.ids.len() + 1 {
            return len_err("offsets", t.offsets.len(), t.ids.len() + 1, "track plus one");
        }
        for (field, got) in [("lon", t.lon.len()), ("times_ms", t.times_ms.len())] {
            if got != n {
                return len_err(field, got, n, "point");
            }
        }
        if let Some(v) = t.values
            && v.len() != n
        {
            return len_err("values", v.len(), n, "point");
        }
        if t.offsets.first() != Some(&0) || t.offsets.last() != Some(&n) || t.offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err(StatsError::Offsets(n));
        }
        for (index, (&lat, &lon)) in t.lat.iter().zip(t.lon).enumerate() {
            if !(lat.abs() <= 90.0 && lon.is_finite()) {
                return Err(StatsError::PointCoord { index, lat, lon });
            }
        }
        let nan = vec![f64::NAN; n];
        let mut p = Points {
            lat: t.lat.to_vec(),
            lon: t.lon.to_vec(),
            lon_rad: t.lon.iter().map(|&l| l * DEG_TO_RAD).collect(),
            sin: t.lat.iter().map(|&l| (l * DEG_TO_RAD).sin()).collect(),
            cos: t.lat.iter().map(|&l| (l * DEG_TO_RAD).cos()).collect(),
            track: vec![0; n],
            first: vec![false; n],
            last: vec![false; n],
            value: t.values.map_or_else(|| nan.clone(), <[f64]>::to_vec),
            speed: nan.clone(),
            growth: nan,
            lifetime_days: vec![0.0; t.ids.len()],
        };
        for (ti, w) in t.offsets.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            if b == a {
                continue;
            }
            let times = &t.times_ms[a..b];
            if times.windows(2).any(|w| w[1] <= w[0]) {
                return Err(StatsError::Times(t.ids[ti]));
            }
            p.lifetime_days[ti] = (times[b - a - 1] - times[0]) as f64 / MS_PER_DAY;
            p.first[a] = true;
            p.last[b - 1] = true;
            for k in a..b {
                p.track[k] = ti;
                let Some((i, j)) = diff_pair(k, a, b) else { continue };
                let dt_ms = (t.times_ms[j] - t.times_ms[i]) as f64;
                if sel.speed {
                    let d_m = great_circle_angle(t.lat[i], t.lon[i], t.lat[j], t.lon[j]) * EARTH_RADIUS_KM * 1000.0;
                    p.speed[k] = d_m / (dt_ms / 1000.0);
                }
                if sel.growth {
                    p.growth[k] = (p.value[j] - p.value[i]) / (dt_ms / MS_PER_DAY);
                }
            }
        }
        Ok(p)
    }
}

impl Points {
    pub(super) fn terms(&self, k: usize, sel: Selection) -> Terms {
        let finite = |on: bool, v: f64| (on && v.is_finite()).then_some(v);
        Terms {
            feature: sel.feature,
            genesis: sel.genesis && self.first[k],
            lysis: sel.lysis && self.last[k],
            intensity: finite(sel.intensity, self.value[k]),
            speed: finite(sel.speed, self.speed[k]),
            growth: finite(sel.growth, self.growth[k]),
        }
    }
}

/// Kernel sums over a block of cells; a field's vector is empty when not selected.
#[derive(Default)]
pub(super) struct Sums {
    feature: Vec<f64>,
    track: Vec<f64>,
    genesis: Vec<f64>,
    lysis: Vec<f64>,
    /// (Σ K v, Σ K) pairs of the mean fields.
    intensity: (Vec<f64>, Vec<f64>),
    speed: (Vec<f64>, Vec<f64>),
    lifetime: (Vec<f64>, Vec<f64>),
    growth: (Vec<f64>, Vec<f64>),
}

impl Sums {
    pub(super) fn zeros(sel: Selection, n: usize) -> Sums {
        let v = |on: bool| if on { vec![0.0; n] } else { Vec::new() };
        Sums {
            feature: v(sel.feature),
            track: v(sel.track),
            genesis: v(sel.genesis),
            lysis: v(sel.lysis),
            intensity: (v(sel.intensity), v(sel.intensity)),
            speed: (v(sel.speed), v(sel.speed)),
            lifetime: (v(sel.lifetime), v(sel.lifetime)),
            growth: (v(sel.growth), v(sel.growth)),
        }
    }

    /// Adds a point's shape `s` at cell `c` (everything but the per-track fields).
    #[inline]
    pub(super) fn add_point(&mut self, t: &Terms, c: usize, s: f64) {
        if t.feature {
            self.feature[c] += s;
        }
        if t.genesis {
            self.genesis[c] += s;
        }
        if t.lysis {
            self.lysis[c] += s;
        }
        for (sums, v) in [(&mut self.intensity, t.intensity), (&mut self.speed, t.speed), (&mut self.growth, t.growth)] {
            if let Some(v) = v {
                sums.0[c] += s * v;
                sums.1[c] += s;
            }
        }
    }

    /// Adds a track's largest shapes `tmax` at the cells `touched` to the per-track fields, and
    /// clears both.
    pub(super) fn add_track(&mut self, tmax: &mut [f64], touched: &mut Vec<usize>, lifetime_days: f64) {
        for c in touched.drain(..) {
            let m = std::mem::take(&mut tmax[c]);
            if !self.track.is_empty() {
                self.track[c] += m;
            }
            if !self.lifetime.0.is_empty() {
                self.lifetime.0[c] += m * lifetime_days;
                self.lifetime.1[c] += m;
            }
        }
    }

    pub(super) fn finish(self, kern: &Kern, nlat: usize, nlon: usize) -> TrackStats {
        let density = |v: Vec<f64>| v.into_iter().map(|x| x * kern.scale).collect();
        let mean = |(num, den): (Vec<f64>, Vec<f64>)| num.iter().zip(&den).map(|(&n, &d)| if d > 0.0 { n / d } else { f64::NAN }).collect();
        TrackStats {
            nlat,
            nlon,
            feature_density: density(self.feature),
            track_density: density(self.track),
            genesis_density: density(self.genesis),
            lysis_density: density(self.lysis),
            mean_intensity: mean(self.intensity),
            mean_speed: mean(self.speed),
            mean_lifetime: mean(self.lifetime),
            mean_growth: mean(self.growth),
        }
    }
}

/// Everything a block of rows reads.
pub(super) struct Job<'a> {
    grid: Grid<'a>,
    pts: Points,
    kern: Kern,
    sel: Selection,
    /// Point indices sorted by latitude, and their latitudes.
    by_lat: Vec<usize>,
    sorted_lat: Vec<f64>,
    /// Per point: [`half_width`] of the kernel's support.
    half: Vec<Option<f64>>,
}

impl<'a> Job<'a> {
    /// Everything the blocks read: the points are also sorted by latitude, and each gets the
    /// longitude half-width of the kernel's support around it.
    pub(super) fn new(grid: Grid<'a>, pts: Points, kern: Kern, sel: Selection) -> Job<'a> {
        let mut by_lat: Vec<usize> = (0..pts.lat.len()).collect();
        by_lat.sort_by(|&a, &b| pts.lat[a].total_cmp(&pts.lat[b]));
        let sorted_lat = by_lat.iter().map(|&k| pts.lat[k]).collect();
        let half = pts.lat.iter().map(|&l| half_width(l, kern.support_deg)).collect();
        Job { grid, pts, kern, sel, by_lat, sorted_lat, half }
    }

    /// The kernel sums of grid rows `rows`: every cell adds its points in input order, and its
    /// tracks in input order (the points of a track are contiguous).
    pub(super) fn block(&self, rows: std::ops::Range<usize>) -> Sums {
        let (g, p, kern) = (&self.grid, &self.pts, &self.kern);
        let nlon = g.lon_rad.len();
        let mut sums = Sums::zeros(self.sel, rows.len() * nlon);
        let band = kern.support_deg;
        let row_lat = &g.lat[rows.clone()];
        let lo = row_lat.iter().fold(f64::INFINITY, |a, &b| a.min(b)) - band;
        let hi = row_lat.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)) + band;
        let mut cand = self.by_lat[self.sorted_lat.partition_point(|&x| x < lo)..self.sorted_lat.partition_point(|&x| x <= hi)].to_vec();
        cand.sort_unstable();

        let per_track = self.sel.per_track();
        // each track's largest shape per cell, and the cells it touched
        let mut tmax = vec![0.0; if per_track { rows.len() * nlon } else { 0 }];
        let mut touched = Vec::new();
        let mut current = None;
        let (mut windows, mut cos_dlon) = (Vec::new(), Vec::new());
        for k in cand {
            if per_track && current != Some(p.track[k]) {
                if let Some(t) = current {
                    sums.add_track(&mut tmax, &mut touched, p.lifetime_days[t]);
                }
                current = Some(p.track[k]);
            }
            let near = |r: &usize| (g.lat[*r] - p.lat[k]).abs() <= band;
            if !rows.clone().any(|r| near(&r)) {
                continue;
            }
            // cos(Δλ) depends on the column only: computed once for all rows of the block
            g.columns.windows(p.lon[k], self.half[k], &mut windows);
            cos_dlon.clear();
            for &(j0, j1) in &windows {
                cos_dlon.extend((j0..j1).map(|j| (j, (g.lon_rad[j] - p.lon_rad[k]).cos())));
            }
            let terms = p.terms(k, self.sel);
            for (ri, r) in rows.clone().enumerate().filter(|(_, r)| near(r)) {
                // great_circle_angle's dot product, term for term
                let (a, b) = (g.sin[r] * p.sin[k], g.cos[r] * p.cos[k]);
                for &(j, cd) in &cos_dlon {
                    let s = kern.shape((a + b * cd).clamp(-1.0, 1.0));
                    if s == 0.0 {
                        continue;
                    }
                    let c = ri * nlon + j;
                    sums.add_point(&terms, c, s);
                    if per_track && s > tmax[c] {
                        if tmax[c] == 0.0 {
                            touched.push(c);
                        }
                        tmax[c] = s;
                    }
                }
            }
        }
        if let Some(t) = current {
            sums.add_track(&mut tmax, &mut touched, p.lifetime_days[t]);
        }
        sums
    }
}
