//! The spherical quadratic refinement (see docs/algorithms.md#spherical-quadratic-refinement): a
//! quadratic fitted in the tangent plane of the sphere at a grid extremum, to its neighbours
//! mapped there by the logarithmic map, and its stationary point mapped back by the exponential
//! map. One core serves the rectangular grids (3×3 neighbourhood) and HEALPix (the pixel's 7
//! or 8 neighbours).

use super::svd::least_squares;
use crate::geo::{DEG_TO_RAD, normalize_lon_360};
use crate::variables::Mode;

/// Why a fit kept the grid point (the peer's status names, see [`FitStatus::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitStatus {
    /// Refined.
    Success,
    /// Too few usable neighbours (fewer than 5), or the candidate on the grid's edge.
    InvalidNeighborhood,
    /// A neighbour or the centre is not finite.
    NonfiniteFailure,
    /// The design matrix or the Hessian is singular or has a condition number above 1e8.
    IllConditioned,
    /// The Hessian is not definite with the sign of the mode (a saddle, or a maximum sought as a minimum).
    WrongCurvature,
    /// The stationary point lies beyond the neighbourhood (more than one half-width away).
    OutsideLocality,
}

impl FitStatus {
    /// The peer's status code (`spherical_quadratic_status_name`): 0 success, 1 invalid
    /// neighbourhood, 2 singular or ill-conditioned fit, 3 wrong curvature, 4 outside locality,
    /// 5 non-finite.
    pub fn code(self) -> i8 {
        match self {
            Self::Success => 0,
            Self::InvalidNeighborhood => 1,
            Self::IllConditioned => 2,
            Self::WrongCurvature => 3,
            Self::OutsideLocality => 4,
            Self::NonfiniteFailure => 5,
        }
    }

    /// The peer's diagnostic name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::InvalidNeighborhood => "invalid_neighborhood",
            Self::NonfiniteFailure => "nonfinite_failure",
            Self::IllConditioned => "singular_or_ill_conditioned_fit",
            Self::WrongCurvature => "wrong_curvature",
            Self::OutsideLocality => "outside_locality",
        }
    }
}

/// A refined position and value, or the centre's with the reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Latitude (degrees).
    pub lat: f64,
    /// Longitude (degrees; see [`refine`] for its convention).
    pub lon: f64,
    /// The quadratic's value at the stationary point (the centre's raw value on failure).
    pub value: f64,
    /// Outcome.
    pub status: FitStatus,
    /// How far the fit got: its conditioning, curvature and step.
    pub diagnostics: FitDiagnostics,
}

/// The fit's intermediate figures, each set once the fit reaches it (the peer's batch
/// diagnostics).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitDiagnostics {
    /// Largest over smallest singular value of the design matrix (infinite before the least
    /// squares, or when the smallest is 0).
    pub fit_condition: f64,
    /// Eigenvalues of the tangent-plane Hessian, smallest first (NaN before a valid fit).
    pub hessian_eigenvalues: [f64; 2],
    /// The stationary point in half-widths, `δ = −H⁻¹ g` (NaN before the curvature test passes).
    pub displacement: [f64; 2],
}

impl Default for FitDiagnostics {
    fn default() -> Self {
        Self { fit_condition: f64::INFINITY, hessian_eigenvalues: [f64::NAN; 2], displacement: [f64::NAN; 2] }
    }
}

impl Fit {
    /// The centre kept, for `status`, with the figures reached.
    pub fn kept(centre: Sample, status: FitStatus, diagnostics: FitDiagnostics) -> Fit {
        Fit { lat: centre.lat, lon: centre.lon, value: centre.value, status, diagnostics }
    }
}

/// A point on the sphere given by latitude and longitude in degrees, with its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub lat: f64,
    pub lon: f64,
    pub value: f64,
}

const COND_LIMIT: f64 = 1e8;
const EIGEN_FLOOR: f64 = 1e-12;
const LOCALITY: f64 = 1.0 + 1e-12;

type Vec3 = [f64; 3];

fn dot(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn unit_vector(lat: f64, lon: f64) -> Vec3 {
    let (phi, lam) = (lat * DEG_TO_RAD, lon * DEG_TO_RAD);
    [phi.cos() * lam.cos(), phi.cos() * lam.sin(), phi.sin()]
}

/// The tangent frame at a point: southward (colatitude) and eastward unit vectors.
fn tangent_basis(lat: f64, lon: f64) -> (Vec3, Vec3) {
    let (phi, lam) = (lat * DEG_TO_RAD, lon * DEG_TO_RAD);
    ([phi.sin() * lam.cos(), phi.sin() * lam.sin(), -phi.cos()], [-lam.sin(), lam.cos(), 0.0])
}

/// The logarithmic map of `p` at `c`: the tangent vector along the great circle, of length the angle.
fn log_map(c: Vec3, p: Vec3) -> Vec3 {
    let cp = dot(c, p).clamp(-1.0, 1.0);
    let alpha = cp.acos();
    let s = alpha.sin();
    let k = if s.abs() <= 1e-14 { 1.0 } else { alpha / s };
    [k * (p[0] - cp * c[0]), k * (p[1] - cp * c[1]), k * (p[2] - cp * c[2])]
}

/// Refine the extremum `centre` from its `neighbours` (see docs/algorithms.md#spherical-quadratic-refinement).
///
/// `half_widths` are the tangent-plane scales `(a, b)` in radians along colatitude and longitude;
/// `None` takes the largest `|ξ·e_θ|` and `|ξ·e_λ|` over the neighbours (HEALPix). Longitudes
/// come out signed (-180..180) when `signed_lon`, else in [0, 360). Neighbours whose position or
/// value is not finite are skipped; at least 5 must remain.
pub fn refine(centre: Sample, neighbours: &[Sample], half_widths: Option<(f64, f64)>, mode: Mode, signed_lon: bool) -> Fit {
    let mut diagnostics = FitDiagnostics::default();
    let keep = |status, diagnostics| Fit::kept(centre, status, diagnostics);
    if ![centre.lat, centre.lon, centre.value].iter().all(|v| v.is_finite()) {
        return keep(FitStatus::NonfiniteFailure, diagnostics);
    }
    let c = unit_vector(centre.lat, centre.lon);
    let (e_theta, e_lambda) = tangent_basis(centre.lat, centre.lon);
    let usable: Vec<(f64, f64, f64)> = neighbours
        .iter()
        .filter(|s| s.lat.is_finite() && s.lon.is_finite() && s.value.is_finite())
        .map(|s| {
            let xi = log_map(c, unit_vector(s.lat, s.lon));
            (dot(xi, e_theta), dot(xi, e_lambda), s.value - centre.value)
        })
        .collect();
    if usable.len() < 5 {
        return keep(FitStatus::InvalidNeighborhood, diagnostics);
    }
    let (a, b) = half_widths.unwrap_or_else(|| usable.iter().fold((0.0, 0.0), |(a, b), &(t, l, _)| (f64::max(a, t.abs()), f64::max(b, l.abs()))));
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        return keep(FitStatus::InvalidNeighborhood, diagnostics);
    }
    let rows: Vec<[f64; 5]> = usable
        .iter()
        .map(|&(t, l, _)| {
            let (u, v) = (t / a, l / b);
            [u, v, 0.5 * u * u, u * v, 0.5 * v * v]
        })
        .collect();
    let rhs: Vec<f64> = usable.iter().map(|u| u.2).collect();
    let Some((k, sigma)) = least_squares(&rows, &rhs) else { return keep(FitStatus::InvalidNeighborhood, diagnostics) };
    if sigma[4] > 0.0 {
        diagnostics.fit_condition = sigma[0] / sigma[4];
    }
    if !(sigma[4] > 0.0) || sigma[0] / sigma[4] > COND_LIMIT || k.iter().any(|x| !x.is_finite()) {
        return keep(FitStatus::IllConditioned, diagnostics);
    }
    let [c0, c1, c2, c3, c4] = k;
    // eigenvalues of the symmetric Hessian [[c2, c3], [c3, c4]], smallest first
    let mean = 0.5 * (c2 + c4);
    let radius = (0.25 * (c2 - c4) * (c2 - c4) + c3 * c3).sqrt();
    let (l1, l2) = (mean - radius, mean + radius);
    diagnostics.hessian_eigenvalues = [l1, l2];
    let (small, large) = if l1.abs() <= l2.abs() { (l1.abs(), l2.abs()) } else { (l2.abs(), l1.abs()) };
    if l1.abs() <= EIGEN_FLOOR || large / small > COND_LIMIT {
        return keep(FitStatus::IllConditioned, diagnostics);
    }
    let definite = match mode {
        Mode::Min => l1 > 0.0 && l2 > 0.0,
        Mode::Max => l1 < 0.0 && l2 < 0.0,
    };
    if !definite {
        return keep(FitStatus::WrongCurvature, diagnostics);
    }
    // δ = −H⁻¹ g
    let det = c2 * c4 - c3 * c3;
    let d0 = -(c4 * c0 - c3 * c1) / det;
    let d1 = -(c2 * c1 - c3 * c0) / det;
    diagnostics.displacement = [d0, d1];
    if !(d0.abs() <= LOCALITY && d1.abs() <= LOCALITY) {
        return keep(FitStatus::OutsideLocality, diagnostics);
    }
    let eta = [a * d0 * e_theta[0] + b * d1 * e_lambda[0], a * d0 * e_theta[1] + b * d1 * e_lambda[1], a * d0 * e_theta[2] + b * d1 * e_lambda[2]];
    let len = dot(eta, eta).sqrt();
    let p = if len == 0.0 {
        c
    } else {
        let (cs, sn) = (len.cos(), len.sin() / len);
        [cs * c[0] + sn * eta[0], cs * c[1] + sn * eta[1], cs * c[2] + sn * eta[2]]
    };
    let lat = p[2].clamp(-1.0, 1.0).asin() / DEG_TO_RAD;
    let lon = p[1].atan2(p[0]) / DEG_TO_RAD;
    let lon = if signed_lon { lon } else { normalize_lon_360(lon) };
    let value = centre.value + c0 * d0 + c1 * d1 + 0.5 * c2 * d0 * d0 + c3 * d0 * d1 + 0.5 * c4 * d1 * d1;
    Fit { lat, lon, value, status: FitStatus::Success, diagnostics }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth bowl on the sphere: the squared chord distance to (lat0, lon0).
    fn bowl(lat: f64, lon: f64, lat0: f64, lon0: f64) -> f64 {
        let (p, q) = (unit_vector(lat, lon), unit_vector(lat0, lon0));
        1000.0 + 500.0 * ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2))
    }

    fn ring(lat: f64, lon: f64, d: f64, f: impl Fn(f64, f64) -> f64) -> Vec<Sample> {
        let mut out = Vec::new();
        for dy in [-d, 0.0, d] {
            for dx in [-d, 0.0, d] {
                if dy != 0.0 || dx != 0.0 {
                    out.push(Sample { lat: lat + dy, lon: lon + dx, value: f(lat + dy, lon + dx) });
                }
            }
        }
        out
    }

    #[test]
    fn a_spherical_minimum_is_found_within_a_tenth_of_a_degree() {
        let (lat0, lon0) = (48.7, 11.3);
        let f = |la, lo| bowl(la, lo, lat0, lon0);
        let (lat, lon, d) = (47.5, 10.0, 2.5);
        let hw = Some((d * DEG_TO_RAD, (lat * DEG_TO_RAD).cos() * d * DEG_TO_RAD));
        let fit = refine(Sample { lat, lon, value: f(lat, lon) }, &ring(lat, lon, d, f), hw, Mode::Min, false);
        assert_eq!(fit.status, FitStatus::Success);
        assert!((fit.lat - lat0).abs() < 0.1 && (fit.lon - lon0).abs() < 0.1, "{fit:?}");
        assert!(fit.value < f(lat, lon));
        // without given half-widths (HEALPix) the same point is found
        let free = refine(Sample { lat, lon, value: f(lat, lon) }, &ring(lat, lon, d, f), None, Mode::Min, false);
        assert!((free.lat - lat0).abs() < 0.1 && (free.lon - lon0).abs() < 0.1, "{free:?}");
    }

    #[test]
    fn longitudes_follow_the_requested_convention_across_the_seam() {
        let f = |la, lo| bowl(la, lo, -20.0, -0.6);
        let c = Sample { lat: -20.0, lon: 0.0, value: f(-20.0, 0.0) };
        let unsigned = refine(c, &ring(-20.0, 0.0, 1.0, f), None, Mode::Min, false);
        let signed = refine(c, &ring(-20.0, 0.0, 1.0, f), None, Mode::Min, true);
        assert!((unsigned.lon - 359.4).abs() < 0.05 && (signed.lon + 0.6).abs() < 0.05, "{unsigned:?} {signed:?}");
    }

    #[test]
    fn failures_keep_the_grid_point_and_say_why() {
        let f = |la, lo| bowl(la, lo, 10.0, 10.0);
        let c = Sample { lat: 10.0, lon: 10.0, value: f(10.0, 10.0) };
        let n = ring(10.0, 10.0, 1.0, f);
        assert_eq!(refine(c, &n, None, Mode::Max, false).status, FitStatus::WrongCurvature);
        assert_eq!(refine(c, &n[..4], None, Mode::Min, false).status, FitStatus::InvalidNeighborhood);
        let flat: Vec<Sample> = n.iter().map(|s| Sample { value: c.value, ..*s }).collect();
        assert_eq!(refine(c, &flat, None, Mode::Min, false).status, FitStatus::IllConditioned);
        let nan = Sample { value: f64::NAN, ..c };
        assert_eq!(refine(nan, &n, None, Mode::Min, false).status, FitStatus::NonfiniteFailure);
        // a bowl whose bottom is three cells away is outside the neighbourhood
        let far = |la, lo| bowl(la, lo, 13.0, 10.0);
        let c = Sample { lat: 10.0, lon: 10.0, value: far(10.0, 10.0) };
        let fit = refine(c, &ring(10.0, 10.0, 1.0, far), None, Mode::Min, false);
        assert_eq!((fit.status, fit.lat, fit.lon), (FitStatus::OutsideLocality, 10.0, 10.0));
    }
}
