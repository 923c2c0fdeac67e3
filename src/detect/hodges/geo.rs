//! Geometry the detector needs beyond [`crate::geo`]: kilometres per degree (object moments)
//! and longitude unwrapping around a reference.

use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM, normalize_lon_360};

/// Kilometres per degree of a great circle (see docs/algorithms.md#physical-constants).
pub const KM_PER_DEG: f64 = EARTH_RADIUS_KM * DEG_TO_RAD;

/// `x` unwrapped to within half a turn of `reference`, evaluated as `ref + ((x - ref + 180) mod 360) - 180`.
#[inline]
pub fn unwrap_near(x: f64, reference: f64) -> f64 {
    let t = x - reference + 180.0;
    // the modulo is the identity on [0, 360): skip the (slow) fmod there
    let m = if (0.0..360.0).contains(&t) { t } else { normalize_lon_360(t) };
    reference + m - 180.0
}
