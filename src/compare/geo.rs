//! Distances of the comparison (spec §11): the RSPLICE angle is the tracker's great circle;
//! separations subtract longitudes in degrees first, as the peer does (§20.25).

pub use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM as R_EARTH_KM, great_circle_angle as geod_dist};

/// Comparison separation (km): longitudes are subtracted in degrees *before* the conversion
/// (spec §11, §20.25), which differs from [`geod_dist`] at the ulp level.
pub fn separation_km(lat_r: f64, lon_r: f64, lat_c: f64, lon_c: f64) -> f64 {
    let (pr, pc) = (lat_r * DEG_TO_RAD, lat_c * DEG_TO_RAD);
    let dot = pr.sin() * pc.sin() + pr.cos() * pc.cos() * ((lon_r - lon_c) * DEG_TO_RAD).cos();
    dot.clamp(-1.0, 1.0).acos() * R_EARTH_KM
}
