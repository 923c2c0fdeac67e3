//! TRACK-style storm-track statistics on a latitude–longitude grid: spherical kernel estimators
//! of feature, track, genesis and lysis density and of kernel-weighted mean intensity, speed,
//! lifetime and growth (Hodges 1996, *Mon. Wea. Rev.* 124, 2914–2932).
//!
//! # Definitions
//!
//! For a grid cell centre `x` and a track point `x_i`, `cos θ` is the clamped dot product of
//! their unit vectors, evaluated exactly as in [`great_circle_angle`] with the cell as the first
//! point (`θ` is its `acos`).
//!
//! A spherical kernel density estimate is `f(x) = (1/n) Σ K(cos θ_i)` with `∫ K dΩ = 1` over the
//! unit sphere (steradians). The kernels:
//!
//! - [`SphericalKernel::Cap`] `{ radius_deg: h }`: `K = 1/A(h)` for `θ ≤ h` (inclusive), else 0,
//!   where `A(h) = 2π(1 − cos h) = 4π sin²(h/2)` is the area of a spherical cap (the second form
//!   is used, as it keeps its precision for small `h`).
//! - [`SphericalKernel::Fisher`] `{ bandwidth_deg: h }`: von Mises–Fisher with `κ = 1/h²` (`h` in
//!   radians), `K = κ / (2π(1 − e^{−2κ})) · exp(κ(cos θ − 1))`. It is truncated to 0 where
//!   `exp(κ(cos θ − 1)) < 1e-12`, i.e. beyond `θ = acos(1 + ln(1e-12)/κ)` (about 7.4 h for
//!   small `h`: 18.6° for `h` = 2.5°); the mass dropped is below 1e-12 of the total.
//!
//! **Densities** are numbers per month per unit area, the unit area being a spherical cap of
//! `unit_area_cap_deg` (5° by default, as in TRACK): `density(x) = Σ_i K(cos θ_i) · A(5°) /
//! months`. With a 5° cap kernel this is simply the number of points within 5° per month.
//!
//! - feature density: every point;
//! - genesis density: the first point of each track; lysis density: the last point;
//! - track density: each track once, with its largest kernel value over its points (with a cap
//!   kernel: the number of tracks passing within `h`, per month).
//!
//! **Mean fields** are Nadaraya–Watson estimates `Σ K_i v_i / Σ K_i` over the points whose `v`
//! is finite; NaN where that weight sum is 0 (no such point within the kernel's support):
//!
//! - mean intensity: `v` = the point's value (as stored; [`TrackSet::mode`] is not used);
//! - mean speed: `v` = the point's speed in m/s: great-circle distance (on
//!   [`EARTH_RADIUS_KM`]) over time, between the two neighbours for interior points (centred
//!   difference), to the only neighbour at either end; single-point tracks have no speed;
//! - mean growth: `v` = d(value)/dt per day, with the same differences: the growth or decay
//!   tendency per day, in the variable's units (negative when a pressure low deepens);
//! - mean lifetime: one term per track, `v` = (last − first time) in days, weighted like the
//!   track density by the track's largest kernel value.
//!
//! Single-point tracks have no speed or growth and a lifetime of 0 days. Without values
//! ([`TrackSet::values`] `None`) mean intensity and growth are NaN everywhere.
//!
//! # Cost and determinism
//!
//! Each track point only visits the cells within the kernel's support angle `r`: the grid rows
//! whose latitude is within `r` of its own (each block of rows takes its candidate points by
//! binary search among the points sorted by latitude, so any order of grid latitudes works) and,
//! within a row, the longitudes within `asin(sin r / sin p)` of its own (`p` its colatitude; all
//! longitudes when the support holds a pole), with one column of slack and a 1e-5° margin before
//! the exact test. Evenly spaced longitudes (either direction, any convention, periodic or
//! regional) are found by index arithmetic; others are scanned. Blocks of rows run in parallel;
//! every cell sums its points (and its tracks) in input order whatever the thread count or block
//! size, so results are bit-identical for any thread count and equal to an all-pairs computation.

use crate::compare::TrackSet;
use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM, great_circle_angle};
use rayon::prelude::*;
use std::f64::consts::PI;

/// Kernel values below this fraction of the peak are truncated to 0 (Fisher kernel).
pub const FISHER_CUTOFF: f64 = 1e-12;
const MS_PER_DAY: f64 = 86_400_000.0;
/// Margin on `cos θ` of the shortcuts that skip `acos` and `exp`: far larger than the rounding
/// of `cos θ` (≈1e-16), so the shortcuts never change a kernel value.
const DOT_EPS: f64 = 1e-9;
/// Widening (degrees) of the row and column windows, covering the rounding of `θ` near them.
const WINDOW_EPS_DEG: f64 = 1e-5;
/// Most grid rows per parallel task (fewer on coarse grids, to keep every thread busy). Any
/// value gives the same bits; a block shares each point's `cos(Δλ)` values between its rows.
const MAX_ROWS_PER_BLOCK: usize = 8;

/// Kernel on the sphere (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SphericalKernel {
    /// Uniform within `radius_deg` (inclusive).
    Cap { radius_deg: f64 },
    /// Von Mises–Fisher with `κ = 1/h²`, `h = bandwidth_deg` in radians.
    Fisher { bandwidth_deg: f64 },
}

/// Which fields to compute; the others come back empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub feature: bool,
    pub track: bool,
    pub genesis: bool,
    pub lysis: bool,
    pub intensity: bool,
    pub speed: bool,
    pub lifetime: bool,
    pub growth: bool,
}

impl Selection {
    pub const NONE: Selection =
        Selection { feature: false, track: false, genesis: false, lysis: false, intensity: false, speed: false, lifetime: false, growth: false };
    pub const ALL: Selection = Selection { feature: true, track: true, genesis: true, lysis: true, intensity: true, speed: true, lifetime: true, growth: true };
    /// Names accepted by [`Selection::parse`].
    pub const NAMES: [&'static str; 8] = ["feature", "track", "genesis", "lysis", "intensity", "speed", "lifetime", "growth"];

    /// A comma-separated list of [`Selection::NAMES`] or `all` (case-insensitive), e.g.
    /// `"track,genesis"`.
    pub fn parse(list: &str) -> Result<Selection, StatsError> {
        let mut s = Selection::NONE;
        for name in list.split(',').map(|n| n.trim().to_ascii_lowercase()) {
            match name.as_str() {
                "" => {}
                "all" => s = Selection::ALL,
                "feature" => s.feature = true,
                "track" => s.track = true,
                "genesis" => s.genesis = true,
                "lysis" => s.lysis = true,
                "intensity" => s.intensity = true,
                "speed" => s.speed = true,
                "lifetime" => s.lifetime = true,
                "growth" => s.growth = true,
                _ => return Err(StatsError::UnknownField(name)),
            }
        }
        Ok(s)
    }

    /// Whether a per-track maximum kernel value is needed.
    fn per_track(self) -> bool {
        self.track || self.lifetime
    }
}

/// Options of [`track_statistics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatsOptions {
    pub kernel: SphericalKernel,
    /// Months the tracks cover (> 0): densities are per month.
    pub months: f64,
    /// Radius in degrees of the spherical cap that is the unit area of the densities (TRACK: 5).
    pub unit_area_cap_deg: f64,
    /// Fields to compute.
    pub select: Selection,
}

impl StatsOptions {
    /// All fields, with a 5° unit-area cap.
    pub fn new(kernel: SphericalKernel, months: f64) -> StatsOptions {
        StatsOptions { kernel, months, unit_area_cap_deg: 5.0, select: Selection::ALL }
    }
}

/// Gridded statistics, each row-major `(lat, lon)` of `nlat * nlon` values in the order of the
/// grid coordinates given, or empty when not selected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackStats {
    pub nlat: usize,
    pub nlon: usize,
    /// Points per month per unit area.
    pub feature_density: Vec<f64>,
    /// Tracks per month per unit area.
    pub track_density: Vec<f64>,
    /// Track starts per month per unit area.
    pub genesis_density: Vec<f64>,
    /// Track ends per month per unit area.
    pub lysis_density: Vec<f64>,
    /// Kernel-weighted mean value, in the variable's units.
    pub mean_intensity: Vec<f64>,
    /// Kernel-weighted mean speed, m/s.
    pub mean_speed: Vec<f64>,
    /// Kernel-weighted mean track lifetime, days.
    pub mean_lifetime: Vec<f64>,
    /// Kernel-weighted mean tendency of the value, units per day.
    pub mean_growth: Vec<f64>,
}

impl TrackStats {
    /// Appends the rows of `o` (same fields and columns).
    fn append(&mut self, o: TrackStats) {
        self.nlat += o.nlat;
        let pairs = [
            (&mut self.feature_density, o.feature_density),
            (&mut self.track_density, o.track_density),
            (&mut self.genesis_density, o.genesis_density),
            (&mut self.lysis_density, o.lysis_density),
            (&mut self.mean_intensity, o.mean_intensity),
            (&mut self.mean_speed, o.mean_speed),
            (&mut self.mean_lifetime, o.mean_lifetime),
            (&mut self.mean_growth, o.mean_growth),
        ];
        for (dst, src) in pairs {
            dst.extend(src);
        }
    }
}

/// Invalid input of [`track_statistics`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("months must be a finite number > 0, got {0}; pass the number of months the tracks cover")]
    Months(f64),
    #[error("kernel {name} must be in (0, 180) degrees, got {value}; pass a positive angle below 180")]
    KernelWidth { name: &'static str, value: f64 },
    #[error("unit_area_cap_deg must be in (0, 180], got {0}; TRACK uses 5")]
    UnitArea(f64),
    #[error("grid {0} coordinates are empty; pass at least one value")]
    EmptyGrid(&'static str),
    #[error("grid {axis}[{index}] = {value} is not finite; pass finite coordinates in degrees")]
    NonFiniteGrid { axis: &'static str, index: usize, value: f64 },
    #[error("grid lat[{index}] = {value} is outside [-90, 90]; pass latitudes in degrees north")]
    GridLatRange { index: usize, value: f64 },
    #[error("track set {field} has length {got}, expected {expected}; pass one value per {per}")]
    Length { field: &'static str, got: usize, expected: usize, per: &'static str },
    #[error("track offsets must start at 0, never decrease and end at the point count {0}; rebuild them from the track lengths")]
    Offsets(usize),
    #[error("track point {index} has lat {lat}, lon {lon}; pass finite degrees with lat in [-90, 90]")]
    PointCoord { index: usize, lat: f64, lon: f64 },
    #[error("track {0} times are not strictly increasing; sort its points by time and drop duplicates")]
    Times(i64),
    #[error("unknown track statistic '{0}'; expected a comma-separated list of feature, track, genesis, lysis, intensity, speed, lifetime, growth or all")]
    UnknownField(String),
}

/// Area in steradians of a spherical cap of angular radius `radius_deg`: `4π sin²(h/2)`.
pub fn cap_area(radius_deg: f64) -> f64 {
    let s = (0.5 * radius_deg * DEG_TO_RAD).sin();
    4.0 * PI * s * s
}

/// A kernel prepared for evaluation as an unnormalised "shape" `s(cos θ)` in `[0, 1]` (cap: 1
/// inside; Fisher: `exp(κ(cos θ − 1))`), with `scale · s` the density contribution.
#[derive(Debug, Clone, Copy)]
struct Kern {
    fisher: bool,
    /// Cap radius (radians).
    h_rad: f64,
    kappa: f64,
    /// Below this `cos θ` the shape is surely 0: the pre-test that prunes.
    dot_min: f64,
    /// Above this `cos θ` a cap's shape is surely 1 (no `acos` needed).
    dot_one: f64,
    /// Support angle in degrees, widened by [`WINDOW_EPS_DEG`]; ≥ 180 means the whole sphere.
    support_deg: f64,
    /// `K / s · A(unit) / months`.
    scale: f64,
}

impl Kern {
    fn new(o: &StatsOptions) -> Result<Kern, StatsError> {
        if !(o.months.is_finite() && o.months > 0.0) {
            return Err(StatsError::Months(o.months));
        }
        if !(o.unit_area_cap_deg > 0.0 && o.unit_area_cap_deg <= 180.0) {
            return Err(StatsError::UnitArea(o.unit_area_cap_deg));
        }
        let (name, h) = match o.kernel {
            SphericalKernel::Cap { radius_deg } => ("radius_deg", radius_deg),
            SphericalKernel::Fisher { bandwidth_deg } => ("bandwidth_deg", bandwidth_deg),
        };
        if !(h > 0.0 && h < 180.0) {
            return Err(StatsError::KernelWidth { name, value: h });
        }
        let unit = cap_area(o.unit_area_cap_deg);
        let h_rad = h * DEG_TO_RAD;
        let (fisher, kappa, dot_edge, dot_one, scale) = match o.kernel {
            SphericalKernel::Cap { .. } => {
                let c = h_rad.cos();
                (false, 0.0, c, c + DOT_EPS, unit / cap_area(h) / o.months)
            }
            SphericalKernel::Fisher { .. } => {
                let kappa = 1.0 / (h_rad * h_rad);
                // 1 − e^{−2κ} through expm1: exact for small κ too
                let norm = kappa / (2.0 * PI * -(-2.0 * kappa).exp_m1());
                (true, kappa, 1.0 + FISHER_CUTOFF.ln() / kappa, 2.0, norm * unit / o.months)
            }
        };
        let dot_min = dot_edge - DOT_EPS;
        let support_deg = if dot_min <= -1.0 + DOT_EPS { 180.0 } else { dot_min.acos() / DEG_TO_RAD + WINDOW_EPS_DEG };
        Ok(Kern { fisher, h_rad, kappa, dot_min, dot_one, support_deg, scale })
    }

    /// The shape at a clamped `cos θ`, with the shortcuts; equal to [`Kern::shape_ref`].
    #[inline]
    fn shape(&self, dot: f64) -> f64 {
        if dot < self.dot_min {
            0.0
        } else if self.fisher {
            let e = (self.kappa * (dot - 1.0)).exp();
            if e < FISHER_CUTOFF { 0.0 } else { e }
        } else if dot > self.dot_one || dot.acos() <= self.h_rad {
            1.0
        } else {
            0.0
        }
    }

    /// The definition, without shortcuts (tests compare [`Kern::shape`] to it).
    #[cfg(test)]
    fn shape_ref(&self, dot: f64) -> f64 {
        if self.fisher {
            let e = (self.kappa * (dot - 1.0)).exp();
            if e < FISHER_CUTOFF { 0.0 } else { e }
        } else if dot.acos() <= self.h_rad {
            1.0
        } else {
            0.0
        }
    }
}

/// Per-point inputs in input order, plus per-track lifetimes.
struct Points {
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
    lifetime_days: Vec<f64>,
}

/// What one point adds to each cell it reaches: decided once per point, not per cell.
struct Terms {
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
    fn new(t: &TrackSet<'_>, sel: Selection) -> Result<Points, StatsError> {
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
    fn terms(&self, k: usize, sel: Selection) -> Terms {
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
struct Sums {
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
    fn zeros(sel: Selection, n: usize) -> Sums {
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
    fn add_point(&mut self, t: &Terms, c: usize, s: f64) {
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
    fn add_track(&mut self, tmax: &mut [f64], touched: &mut Vec<usize>, lifetime_days: f64) {
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

    fn finish(self, kern: &Kern, nlat: usize, nlon: usize) -> TrackStats {
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

/// Finds the grid columns near a longitude.
enum Columns {
    /// `lon[j] ≈ lon0 + j·step` (either direction, periodic or not): index arithmetic.
    Regular { lon0: f64, step: f64, n: usize },
    /// Anything else: every column is a candidate.
    Scan { n: usize },
}

impl Columns {
    fn new(lon: &[f64]) -> Columns {
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
    fn windows(&self, lon: f64, half_width: Option<f64>, out: &mut Vec<(usize, usize)>) {
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
fn half_width(lat: f64, support_deg: f64) -> Option<f64> {
    let r = support_deg * DEG_TO_RAD;
    let p = (90.0 - lat) * DEG_TO_RAD;
    (support_deg < 180.0 && r < p && r < PI - p).then(|| (r.sin() / p.sin()).min(1.0).asin() / DEG_TO_RAD + WINDOW_EPS_DEG)
}

fn check_grid(lat: &[f64], lon: &[f64]) -> Result<(), StatsError> {
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
struct Grid<'a> {
    lat: &'a [f64],
    sin: Vec<f64>,
    cos: Vec<f64>,
    lon_rad: Vec<f64>,
    columns: Columns,
}

/// Everything a block of rows reads.
struct Job<'a> {
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

/// Computes the selected statistics of `tracks` on the grid `lat` × `lon` (degrees; see the
/// module documentation). Results are bit-identical for any number of rayon threads.
pub fn track_statistics(tracks: &TrackSet<'_>, lat: &[f64], lon: &[f64], o: &StatsOptions) -> Result<TrackStats, StatsError> {
    let kern = Kern::new(o)?;
    check_grid(lat, lon)?;
    let pts = Points::new(tracks, o.select)?;
    if o.select == Selection::NONE {
        return Ok(TrackStats { nlat: lat.len(), nlon: lon.len(), ..TrackStats::default() });
    }
    let grid = Grid {
        lat,
        sin: lat.iter().map(|&l| (l * DEG_TO_RAD).sin()).collect(),
        cos: lat.iter().map(|&l| (l * DEG_TO_RAD).cos()).collect(),
        lon_rad: lon.iter().map(|&l| l * DEG_TO_RAD).collect(),
        columns: Columns::new(lon),
    };
    let mut by_lat: Vec<usize> = (0..pts.lat.len()).collect();
    by_lat.sort_by(|&a, &b| pts.lat[a].total_cmp(&pts.lat[b]));
    let sorted_lat = by_lat.iter().map(|&k| pts.lat[k]).collect();
    let half = pts.lat.iter().map(|&l| half_width(l, kern.support_deg)).collect();
    let job = Job { grid, pts, kern, sel: o.select, by_lat, sorted_lat, half };
    let per_block = (lat.len() / (4 * rayon::current_num_threads())).clamp(1, MAX_ROWS_PER_BLOCK);
    let starts: Vec<usize> = (0..lat.len()).step_by(per_block).collect();
    let parts: Vec<TrackStats> = starts
        .into_par_iter()
        .map(|r0| {
            let rows = r0..(r0 + per_block).min(lat.len());
            job.block(rows.clone()).finish(&kern, rows.len(), lon.len())
        })
        .collect();
    let mut out = TrackStats { nlon: lon.len(), ..TrackStats::default() };
    for part in parts {
        out.append(part);
    }
    Ok(out)
}

impl Job<'_> {
    /// The kernel sums of grid rows `rows`: every cell adds its points in input order, and its
    /// tracks in input order (the points of a track are contiguous).
    fn block(&self, rows: std::ops::Range<usize>) -> Sums {
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

#[cfg(test)]
mod tests;
