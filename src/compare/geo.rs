//! Distances of the comparison (see docs/algorithms.md#track-comparison): the RSPLICE angle is the tracker's great circle
//! ([`crate::geo::great_circle_angle`]); separations subtract longitudes in degrees first, as
//! the peer does (see docs/algorithms.md#comparison-separation).

use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM};

/// Comparison separation (km), the peer's arc-cosine form with longitudes subtracted in degrees
/// *before* the conversion (see docs/algorithms.md#track-comparison, docs/algorithms.md#comparison-separation). Kept apart from
/// [`crate::geo::great_circle_km_acos`], which converts each longitude first: the two differ at
/// the ulp level, and the comparison must reproduce the peer's matches and separations bit for
/// bit.
pub fn separation_km(lat_r: f64, lon_r: f64, lat_c: f64, lon_c: f64) -> f64 {
    let (pr, pc) = (lat_r * DEG_TO_RAD, lat_c * DEG_TO_RAD);
    let dot = pr.sin() * pc.sin() + pr.cos() * pc.cos() * ((lon_r - lon_c) * DEG_TO_RAD).cos();
    dot.clamp(-1.0, 1.0).acos() * EARTH_RADIUS_KM
}
