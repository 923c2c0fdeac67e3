//! The polar stereographic plane of the trackers' `nh_stereo` and `sh_stereo` projections
//! (see docs/algorithms.md#polar-stereographic-regridding): kilometres on a sphere of radius
//! [`EARTH_RADIUS_KM`], the pole at the origin, longitude 0 along −y (north) or +y (south).
//!
//! ```
//! use stormtrack::geo::stereo::{Hemisphere, plane_to_latlon};
//! assert_eq!(plane_to_latlon(0.0, 0.0, Hemisphere::North), (90.0, 0.0));
//! // the equator lies 2R from the pole; 90°E is along +x
//! let (lat, lon) = plane_to_latlon(2.0 * stormtrack::geo::EARTH_RADIUS_KM, 0.0, Hemisphere::North);
//! assert!(lat.abs() < 1e-12 && (lon - 90.0).abs() < 1e-12);
//! ```

use super::{EARTH_RADIUS_KM, normalize_lon_360};
use std::f64::consts::{PI, TAU};

/// Which pole the plane touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hemisphere {
    North,
    South,
}

impl Hemisphere {
    /// `nh_stereo` or `sh_stereo` (the projection's name).
    pub fn projection_name(self) -> &'static str {
        match self {
            Hemisphere::North => "nh_stereo",
            Hemisphere::South => "sh_stereo",
        }
    }
}

/// Colatitude θ and longitude φ in [0, 2π) (radians) of the plane point `(x, y)` km.
pub fn plane_to_sphere(x: f64, y: f64, hemisphere: Hemisphere) -> (f64, f64) {
    let rho = (x * x + y * y).sqrt();
    let half = 2.0 * (rho / (2.0 * EARTH_RADIUS_KM)).atan();
    let (theta, phi) = match hemisphere {
        Hemisphere::North => (half, x.atan2(-y)),
        Hemisphere::South => (PI - half, x.atan2(y)),
    };
    (theta, phi.rem_euclid(TAU))
}

/// Latitude and longitude in [0, 360) (degrees) of the plane point `(x, y)` km; the pole is
/// `(±90, 0)`.
pub fn plane_to_latlon(x: f64, y: f64, hemisphere: Hemisphere) -> (f64, f64) {
    if x * x + y * y == 0.0 {
        return (if hemisphere == Hemisphere::North { 90.0 } else { -90.0 }, 0.0);
    }
    let (theta, phi) = plane_to_sphere(x, y, hemisphere);
    (90.0 - theta.to_degrees(), normalize_lon_360(phi.to_degrees()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_south_plane_mirrors_the_north_one() {
        let (lat, lon) = plane_to_latlon(0.0, 1000.0, Hemisphere::South);
        let (nlat, nlon) = plane_to_latlon(0.0, -1000.0, Hemisphere::North);
        assert!((lat + nlat).abs() < 1e-12 && lon == 0.0 && nlon == 0.0);
        // 90°W lies along -x on the northern plane
        let (_, lon) = plane_to_latlon(-500.0, 0.0, Hemisphere::North);
        assert!((lon - 270.0).abs() < 1e-12);
        // distance from the pole grows with rho: 2R tan(colat / 2)
        let (lat, _) = plane_to_latlon(2.0 * EARTH_RADIUS_KM * (10f64.to_radians() / 2.0).tan(), 0.0, Hemisphere::North);
        assert!((lat - 80.0).abs() < 1e-9);
    }
}
