//! TRACK SMOOPY feature refinement on the rectangular spline (see docs/algorithms.md#b-spline-refinement, "Per candidate"):
//! the bounded variable-metric ascent GDFP and its cubic-interpolation LINESEARCH.

use super::RefineStatus;
use super::spline::{Bicubic, SplineSurface};
use crate::geo::normalize_lon_360;
use crate::variables::Mode;

/// GDFP gradient tolerance (fixed tracker setting, see docs/algorithms.md#hodges-parameters).
pub const GRADIENT_TOLERANCE: f64 = 1e-5;
/// GDFP iteration limit (fixed tracker setting, see docs/algorithms.md#hodges-parameters).
pub const MAX_ITERATIONS: usize = 100;
const FUNCTION_CHANGE_TOLERANCE: f64 = 1e-6;
const LINE_INTERVAL_TOLERANCE: f64 = 1e-5;
const MAX_LINE_ITERATIONS: usize = 500;
/// Distance from a longitude bound within which a candidate counts as on the seam.
const SEAM_TOLERANCE: f64 = 1e-5;
/// Distance from a longitude bound within which a converged point is restarted across the seam.
const RESTART_TOLERANCE: f64 = 1e-6;

/// An axis-aligned box `lo[k] <= p[k] <= hi[k]`.
#[derive(Debug, Clone, Copy)]
pub struct Box2 {
    /// Lower corner.
    pub lo: [f64; 2],
    /// Upper corner.
    pub hi: [f64; 2],
}

type Vec2 = [f64; 2];

#[inline]
fn dot(a: Vec2, b: Vec2) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// Objective and gradient at `p`, `None` when any of them is not finite.
#[inline]
fn probe<F: Fn(Vec2) -> (f64, Vec2)>(g: &F, p: Vec2) -> Option<(f64, Vec2)> {
    let (v, d) = g(p);
    (v.is_finite() && d[0].is_finite() && d[1].is_finite()).then_some((v, d))
}

/// Largest step along `dir` from `p` that stays in the box (∞ when unconstrained, never < 0).
fn box_line_limit(p: Vec2, dir: Vec2, bounds: &Box2) -> f64 {
    let mut limit = f64::INFINITY;
    for k in 0..2 {
        let step = if dir[k] < 0.0 {
            (p[k] - bounds.lo[k]) / -dir[k]
        } else if dir[k] > 0.0 {
            (bounds.hi[k] - p[k]) / dir[k]
        } else {
            continue;
        };
        limit = limit.min(step);
    }
    limit.max(0.0)
}

/// Offset of the maximum of the cubic Hermite interpolant of `(v0, s0)` at 0 and `(v1, s1)` at
/// `h`, or `None` when it has none inside `[0, h]`.
fn cubic_step(v0: f64, s0: f64, v1: f64, s1: f64, h: f64) -> Option<f64> {
    let z1 = s0 + s1 - 3.0 * (v0 - v1) / h;
    let disc = z1 * z1 - s0 * s1;
    if disc < 0.0 {
        return None;
    }
    let w = disc.sqrt();
    let den = s1 - s0 + 2.0 * w;
    if den.abs() < 1e-14 {
        return None;
    }
    let gamma = (s1 + w - z1) / den;
    (0.0..=1.0).contains(&gamma).then_some(gamma * h)
}

/// LINESEARCH: ascent along `dir` from `p` (slope `slope0` at 0), first trial `step0`, steps
/// limited to `limit`. Returns the accepted point with its objective and gradient.
fn line_search<F: Fn(Vec2) -> (f64, Vec2)>(g: &F, p: Vec2, dir: Vec2, slope0: f64, step0: f64, limit: f64) -> Option<(Vec2, f64, Vec2)> {
    let at = |step: f64| {
        let q = [p[0] + step * dir[0], p[1] + step * dir[1]];
        probe(g, q).map(|(v, d)| (q, v, d))
    };
    let (mut a, mut sa) = (0.0, slope0);
    let (_, mut va, _) = at(0.0)?;
    let mut b = limit.min(step0.max(1e-8));
    let (mut pb, mut vb, mut db) = at(b)?;
    let mut sb = dot(dir, db);

    // bracket: expand while still ascending
    let mut it = 0;
    while sb > 0.0 && b < limit && it < MAX_LINE_ITERATIONS {
        if vb < va {
            break;
        }
        it += 1;
        (a, sa, va) = (b, sb, vb);
        b = limit.min(2.0 * b);
        (pb, vb, db) = at(b)?;
        sb = dot(dir, db);
    }
    if sb > 0.0 && vb >= va {
        return Some((pb, vb, db));
    }

    // sectioning by safeguarded cubic interpolation
    let mut best = (pb, vb, db);
    while (b - a).abs() > LINE_INTERVAL_TOLERANCE && it < MAX_LINE_ITERATIONS {
        it += 1;
        va = at(a)?.1;
        (_, vb, db) = at(b)?;
        sb = dot(dir, db);
        let h = b - a;
        let m = match cubic_step(va, sa, vb, sb, h) {
            Some(offset) => (a + offset).max(a + 0.1 * h).min(b - 0.1 * h),
            None => 0.5 * (a + b),
        };
        let mid = at(m)?;
        let slope = dot(dir, mid.2);
        best = mid;
        if slope <= 0.0 {
            b = m;
        } else {
            (a, sa) = (m, slope);
        }
    }
    Some(best)
}

/// GDFP: maximise `g` (objective and gradient) inside `bounds` from `start`, whose objective
/// is taken to be `initial_value`. Returns the final point, or `None` on failure (non-finite
/// evaluation, a start on a face with the ascent direction pointing out, or
/// `limits.max_iterations`). Converged when a step or the gradient falls below
/// `limits.gradient_tolerance` (largest component).
pub fn gdfp<F: Fn(Vec2) -> (f64, Vec2)>(g: F, start: Vec2, initial_value: f64, bounds: &Box2, limits: SearchLimits) -> Option<Vec2> {
    let SearchLimits { max_iterations, gradient_tolerance } = limits;
    let mut p = start;
    let mut val = initial_value;
    let (_, mut d) = probe(&g, p)?;
    if !val.is_finite() {
        return None;
    }
    let mut prev = val;
    let identity = [[1.0, 0.0], [0.0, 1.0]];
    let mut h = identity;
    let mut n = 0;
    loop {
        let mut s = [h[0][0] * d[0] + h[0][1] * d[1], h[1][0] * d[0] + h[1][1] * d[1]];
        if s[0].abs().max(s[1].abs()) < gradient_tolerance {
            return Some(p);
        }
        let mut q = dot(s, d);
        if q <= 0.0 {
            h = identity;
            s = d;
            q = dot(s, d);
        }
        let limit = box_line_limit(p, s, bounds);
        if limit <= 0.0 {
            return None;
        }
        let change = (val - prev).abs();
        let step0 = if change > 0.0 && q > 0.0 { limit.min(0.5f64.min(2.0 * change / q)) } else { limit.min(0.01) };
        let (p_new, v_new, d_new) = line_search(&g, p, s, q, step0, limit)?;

        n += 1;
        prev = val;
        val = v_new;
        let dp = [p_new[0] - p[0], p_new[1] - p[1]];
        let dd = [d_new[0] - d[0], d_new[1] - d[1]];
        p = p_new;
        d = d_new;
        if d[0].abs().max(d[1].abs()) < gradient_tolerance {
            return Some(p);
        }
        if n >= max_iterations {
            return None;
        }
        if (val - prev).abs() < FUNCTION_CHANGE_TOLERANCE {
            return Some(p);
        }

        // Davidon–Fletcher–Powell update of the inverse metric, signed for ascent
        let gamma = dot(dp, dd);
        let hd = [h[0][0] * dd[0] + h[0][1] * dd[1], h[1][0] * dd[0] + h[1][1] * dd[1]];
        let eta = dot(dd, hd);
        if gamma.abs() < 1e-20 || eta < 1e-20 {
            h = identity;
            continue;
        }
        for i in 0..2 {
            for j in 0..2 {
                h[i][j] = h[i][j] - hd[i] * hd[j] / eta - dp[i] * dp[j] / gamma;
            }
        }
    }
}

/// How long a search may run: its iteration limit and gradient tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchLimits {
    /// Iterations before the search gives up (`optimizer_no_convergence`).
    pub max_iterations: usize,
    /// The gradient (or step) under which the search has converged.
    pub gradient_tolerance: f64,
}

impl Default for SearchLimits {
    /// The tracker's fixed setting: 100 iterations, tolerance 1e-5.
    fn default() -> Self {
        Self { max_iterations: MAX_ITERATIONS, gradient_tolerance: GRADIENT_TOLERANCE }
    }
}

/// What SMOOPY searches: a rectangular spline, the box it is searched in (longitudes `x`,
/// latitudes `y`) and the longitudes of the first and last real columns (where a start on the
/// seam is moved to).
#[derive(Debug, Clone, Copy)]
pub struct SmoopySurface<'a> {
    /// The spline, longitude first.
    pub spline: Bicubic<'a>,
    /// The search box.
    pub bounds: Box2,
    /// Longitude of the first real column.
    pub first_sample_x: f64,
    /// Longitude of the last real column (not the cyclic endpoint).
    pub last_sample_x: f64,
}

impl<'a> SmoopySurface<'a> {
    /// A frame's surface, searched over its whole knot box.
    pub fn of(surface: &'a SplineSurface<'_>) -> Self {
        Self {
            spline: surface.bicubic(),
            bounds: Box2 { lo: [surface.x_lower(), surface.y_lower()], hi: [surface.x_upper(), surface.y_upper()] },
            first_sample_x: surface.first_sample_x(),
            last_sample_x: surface.last_sample_x(),
        }
    }
}

/// How one SMOOPY refinement runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmoopyOptions {
    /// Longitudes are periodic: the start is taken mod 360 and the search may cross the seam.
    pub periodic: bool,
    /// Keep the refined latitude within ±90 (not on a projected plane, whose rows are km).
    pub clamp_latitude: bool,
    /// Minima or maxima.
    pub mode: Mode,
    /// The SMOOPY optimisation scale (positive).
    pub scale: f64,
    /// Iteration limit and tolerance of each GDFP run.
    pub limits: SearchLimits,
}

impl SmoopyOptions {
    /// −1 for minima (GDFP ascends), +1 for maxima.
    fn sigma(&self) -> f64 {
        match self.mode {
            Mode::Min => -1.0,
            Mode::Max => 1.0,
        }
    }
}

/// Refine one candidate `(lat, lon, raw_value)` on `surface`: returns the refined
/// `(lat, lon, value, status)`. On failure the candidate is kept with its raw value (the
/// spline's value at the start when the raw value is not finite).
pub fn refine_candidate(surface: &SmoopySurface<'_>, opts: &SmoopyOptions, lat: f64, lon: f64, raw_value: f64) -> (f64, f64, f64, RefineStatus) {
    let bounds = surface.bounds;
    let (xl, xu) = (bounds.lo[0], bounds.hi[0]);
    let spline = surface.spline;
    let mut x = lon;
    if opts.periodic {
        x = normalize_lon_360(x);
        if x < xl {
            x += 360.0;
        }
        // an explicit 360° endpoint (the cyclic column) starts on the upper seam, not at 0°
        if x == xl && lon > xl {
            x = xu;
        }
    }
    if x < xl || x > xu || lat < bounds.lo[1] || lat > bounds.hi[1] {
        return (lat, lon, raw_value, RefineStatus::Invalid);
    }
    let sk = opts.sigma() * opts.scale;
    let objective = |p: Vec2| {
        let (v, dx, dy) = spline.eval(p[0], p[1]);
        (sk * v, [sk * dx, sk * dy])
    };

    // on the seam, start from the other side when the ascent points across it
    let mut start_x = x;
    if (x - xl).abs() < SEAM_TOLERANCE {
        if sk * spline.eval(x, lat).1 < 0.0 {
            start_x = surface.last_sample_x;
        }
    } else if (x - xu).abs() < SEAM_TOLERANCE && sk * spline.eval(x, lat).1 > 0.0 {
        start_x = surface.first_sample_x;
    }
    let initial = if raw_value.is_finite() { sk * raw_value } else { sk * spline.value(start_x, lat) };
    let Some(mut p) = gdfp(objective, [start_x, lat], initial, &bounds, opts.limits) else {
        let kept = if raw_value.is_finite() { raw_value } else { spline.value(start_x, lat) };
        return (lat, lon, kept, RefineStatus::NoConvergence);
    };

    // converged onto a longitude bound: continue the ascent from the other side of the seam
    let restart_x = if p[0] - xl < RESTART_TOLERANCE {
        Some(xu)
    } else if xu - p[0] < RESTART_TOLERANCE {
        Some(xl)
    } else {
        None
    };
    if let Some(rx) = restart_x {
        let init = sk * spline.value(rx, p[1]);
        if let Some(p2) = gdfp(objective, [rx, p[1]], init, &bounds, opts.limits) {
            p = p2;
        }
    }
    let out_lon = if opts.periodic { normalize_lon_360(p[0]) } else { p[0] };
    let out_lat = if opts.clamp_latitude { p[1].clamp(-90.0, 90.0) } else { p[1] };
    (out_lat, out_lon, spline.value(p[0], p[1]), RefineStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gdfp_finds_an_analytic_bump() {
        // g = exp(-((x-x0)² + 2(y-y0)² + 0.5(x-x0)(y-y0)) / 50)
        let (x0, y0) = (13.37, -4.21);
        let g = |p: Vec2| {
            let (dx, dy) = (p[0] - x0, p[1] - y0);
            let e = (-(dx * dx + 2.0 * dy * dy + 0.5 * dx * dy) / 50.0).exp();
            (e, [e * -(2.0 * dx + 0.5 * dy) / 50.0, e * -(4.0 * dy + 0.5 * dx) / 50.0])
        };
        let bounds = Box2 { lo: [0.0, -20.0], hi: [30.0, 20.0] };
        let start = [10.0, -2.0];
        let p = gdfp(g, start, g(start).0, &bounds, SearchLimits::default()).unwrap();
        assert!((p[0] - x0).abs() < 1e-4 && (p[1] - y0).abs() < 1e-4, "{p:?}");
    }

    #[test]
    fn gdfp_stops_on_the_box_face() {
        // increasing in x from a start on the upper x face: no feasible ascent step (TRACK fails)
        let g = |p: Vec2| (p[0], [1.0, 0.0]);
        let bounds = Box2 { lo: [0.0, -1.0], hi: [1.0, 1.0] };
        assert!(gdfp(g, [1.0, 0.3], 1.0, &bounds, SearchLimits::default()).is_none());
    }

    #[test]
    fn cubic_step_is_the_literal_track_formula() {
        // v(s) = -(s - 0.3)² sampled at 0 and 1: TRACK's cubic gives γ = 7/6,
        // outside [0, 1], so LINESEARCH bisects instead of jumping to 0.3 (see docs/algorithms.md#b-spline-refinement)
        assert_eq!(cubic_step(-0.09, 0.6, -0.49, -1.4, 1.0), None);
        // z1 = -1, w = 1, den = 1, γ = 1: the whole interval
        assert_eq!(cubic_step(0.0, 0.0, 0.0, -1.0, 2.0), Some(2.0));
    }
}
