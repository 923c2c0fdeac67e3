//! The map views of the plots (docs/plots.md#views): the globe or a longitude-latitude box in
//! plate carrée, or a hemisphere in polar stereographic projection. A view maps longitude and
//! latitude (degrees) to a plane `(x, y)`, y upwards, and back.

use crate::error::{Error, Result};

/// What part of the globe a map shows, and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum View {
    /// The whole globe in plate carrée, `central_lon` in the middle.
    Global { central_lon: f64 },
    /// A box in plate carrée; `east` below `west` crosses the antimeridian (`160, -120`).
    Region { west: f64, east: f64, south: f64, north: f64 },
    /// The northern hemisphere in polar stereographic projection, down to `boundary_lat`;
    /// `central_lon` points down from the pole.
    NorthPolar { boundary_lat: f64, central_lon: f64 },
    /// The southern hemisphere, up to `boundary_lat` (negative); `central_lon` points up.
    SouthPolar { boundary_lat: f64, central_lon: f64 },
}

impl Default for View {
    fn default() -> Self {
        View::Global { central_lon: 0.0 }
    }
}

/// A box's width in degrees of longitude: `east - west` taken eastwards, in (0, 360].
fn region_width(west: f64, east: f64) -> f64 {
    let w = (east - west).rem_euclid(360.0);
    if w == 0.0 { 360.0 } else { w }
}

/// `d` wrapped into [-180, 180).
pub fn wrap180(d: f64) -> f64 {
    (d + 180.0).rem_euclid(360.0) - 180.0
}

impl View {
    /// Parse the name of a view: `global`, `north`/`nh`, `south`/`sh` (with `region` set, a
    /// box `west,east,south,north` instead; `boundary_lat` the polar views' edge, default 20°).
    pub fn parse(name: &str, region: Option<[f64; 4]>, central_lon: Option<f64>, boundary_lat: Option<f64>) -> Result<View> {
        let view = match (name.to_ascii_lowercase().as_str(), region) {
            (_, Some([west, east, south, north])) if matches!(name, "region" | "auto" | "global") => View::Region { west, east, south, north },
            ("region", None) => return Err(Error::option("region", "is required for the region view: west,east,south,north in degrees")),
            ("global" | "auto", None) => View::Global { central_lon: central_lon.unwrap_or(0.0) },
            ("north" | "nh" | "north_polar", None) => View::NorthPolar { boundary_lat: boundary_lat.unwrap_or(20.0), central_lon: central_lon.unwrap_or(0.0) },
            ("south" | "sh" | "south_polar", None) => View::SouthPolar { boundary_lat: boundary_lat.unwrap_or(-20.0), central_lon: central_lon.unwrap_or(0.0) },
            (other, Some(_)) if matches!(other, "north" | "nh" | "south" | "sh") => {
                return Err(Error::option("region", "applies to the region view, not a polar one; use `boundary_lat` to widen a polar map"));
            }
            (other, _) => return Err(Error::option("view", format!("'{other}' is unknown; use global, region, north or south"))),
        };
        view.validate()?;
        Ok(view)
    }

    /// Every check that needs no data.
    pub fn validate(&self) -> Result<()> {
        let finite_lon = |name: &str, v: f64| {
            if v.is_finite() && (-360.0..=360.0).contains(&v) { Ok(()) } else { Err(Error::option(name, format!("{v} is not a longitude in degrees"))) }
        };
        match *self {
            View::Global { central_lon } => finite_lon("central_lon", central_lon),
            View::Region { west, east, south, north } => {
                finite_lon("region", west)?;
                finite_lon("region", east)?;
                if !(south.is_finite() && north.is_finite() && (-90.0..=90.0).contains(&south) && (-90.0..=90.0).contains(&north) && south < north) {
                    return Err(Error::option("region", format!("latitudes {south}..{north} must lie in -90..90 with south below north")));
                }
                Ok(())
            }
            View::NorthPolar { boundary_lat, central_lon } => {
                finite_lon("central_lon", central_lon)?;
                if !(boundary_lat.is_finite() && (-30.0..85.0).contains(&boundary_lat)) {
                    return Err(Error::option("boundary_lat", format!("{boundary_lat} must lie in -30..85 for the northern view")));
                }
                Ok(())
            }
            View::SouthPolar { boundary_lat, central_lon } => {
                finite_lon("central_lon", central_lon)?;
                if !(boundary_lat.is_finite() && boundary_lat > -85.0 && boundary_lat <= 30.0) {
                    return Err(Error::option("boundary_lat", format!("{boundary_lat} must lie in -85..30 for the southern view")));
                }
                Ok(())
            }
        }
    }

    /// Whether this is a polar stereographic view (clipped to a circle).
    pub fn is_polar(&self) -> bool {
        matches!(self, View::NorthPolar { .. } | View::SouthPolar { .. })
    }

    /// The plane's extent `(x0, x1, y0, y1)`.
    pub fn extent(&self) -> (f64, f64, f64, f64) {
        match *self {
            View::Global { central_lon } => (central_lon - 180.0, central_lon + 180.0, -90.0, 90.0),
            View::Region { west, east, south, north } => (west, west + region_width(west, east), south, north),
            View::NorthPolar { boundary_lat, .. } => {
                let r = stereo_radius(boundary_lat);
                (-r, r, -r, r)
            }
            View::SouthPolar { boundary_lat, .. } => {
                let r = stereo_radius(-boundary_lat);
                (-r, r, -r, r)
            }
        }
    }

    /// The x of longitude `lon` on a plate carrée view, in the view's window `[x0, x0 + 360)`.
    fn window_x(&self, lon: f64) -> f64 {
        let (x0, ..) = self.extent();
        x0 + (lon - x0).rem_euclid(360.0)
    }

    /// `(lon, lat)` on the plane; `None` where the projection has no finite image (the far
    /// pole of a stereographic view). Plate carrée x lies in the view's window, from its
    /// western edge eastwards.
    pub fn project(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        if !(lon.is_finite() && lat.is_finite()) {
            return None;
        }
        match *self {
            View::Global { .. } | View::Region { .. } => Some((self.window_x(lon), lat)),
            View::NorthPolar { central_lon, .. } => {
                if lat < -60.0 {
                    return None;
                }
                let r = stereo_radius(lat);
                let a = (lon - central_lon).to_radians();
                Some((r * a.sin(), -r * a.cos()))
            }
            View::SouthPolar { central_lon, .. } => {
                if lat > 60.0 {
                    return None;
                }
                let r = stereo_radius(-lat);
                let a = (lon - central_lon).to_radians();
                Some((r * a.sin(), r * a.cos()))
            }
        }
    }

    /// The longitude and latitude at plane point `(x, y)`; `None` outside the map.
    pub fn unproject(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let (x0, x1, y0, y1) = self.extent();
        match *self {
            View::Global { .. } | View::Region { .. } => ((x0..=x1).contains(&x) && (y0..=y1).contains(&y)).then_some((wrap180(x), y)),
            View::NorthPolar { central_lon, .. } | View::SouthPolar { central_lon, .. } => {
                let r = x.hypot(y);
                if r > x1 {
                    return None;
                }
                let colat = 2.0 * (r / 2.0).atan().to_degrees();
                if matches!(self, View::NorthPolar { .. }) {
                    Some((wrap180(central_lon + x.atan2(-y).to_degrees()), 90.0 - colat))
                } else {
                    Some((wrap180(central_lon + x.atan2(y).to_degrees()), colat - 90.0))
                }
            }
        }
    }

    /// The plane's width over its height.
    pub fn aspect(&self) -> f64 {
        let (x0, x1, y0, y1) = self.extent();
        (x1 - x0) / (y1 - y0)
    }
}

/// The stereographic radius of latitude `lat` on a unit sphere, projected from the other pole:
/// `2 tan((90° - lat) / 2)`.
fn stereo_radius(lat: f64) -> f64 {
    2.0 * ((90.0 - lat).to_radians() / 2.0).tan()
}

/// A line of `(lon, lat)` points as plate carrée x, continuous across the antimeridian: each
/// point's x is the previous one's plus the shorter longitude step, the first in the window.
/// A line drawn at `x`, `x - 360` and `x + 360` and clipped to the map covers every wrap.
pub fn unwrapped_line(view: &View, lons: &[f64], lats: &[f64]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(lons.len());
    let mut prev: Option<(f64, f64)> = None;
    for (&lon, &lat) in lons.iter().zip(lats) {
        if !(lon.is_finite() && lat.is_finite()) {
            continue;
        }
        let x = match prev {
            None => view.window_x(lon),
            Some((px, plon)) => px + wrap180(lon - plon),
        };
        out.push((x, lat));
        prev = Some((x, lon));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn polar_projection_round_trips_and_puts_the_central_meridian_below_the_pole() {
        let v = View::NorthPolar { boundary_lat: 20.0, central_lon: 0.0 };
        let (x, y) = v.project(0.0, 60.0).unwrap();
        assert_abs_diff_eq!(x, 0.0, epsilon = 1e-12);
        assert!(y < 0.0);
        for (lon, lat) in [(10.0, 50.0), (-170.0, 25.0), (95.0, 89.0)] {
            let (x, y) = v.project(lon, lat).unwrap();
            let (lo, la) = v.unproject(x, y).unwrap();
            assert_abs_diff_eq!(lo, lon, epsilon = 1e-9);
            assert_abs_diff_eq!(la, lat, epsilon = 1e-9);
        }
        let s = View::SouthPolar { boundary_lat: -20.0, central_lon: 0.0 };
        let (x, y) = s.project(30.0, -45.0).unwrap();
        let (lo, la) = s.unproject(x, y).unwrap();
        assert_abs_diff_eq!(lo, 30.0, epsilon = 1e-9);
        assert_abs_diff_eq!(la, -45.0, epsilon = 1e-9);
    }

    #[test]
    fn a_region_across_the_antimeridian_has_its_width_eastwards() {
        let v = View::Region { west: 160.0, east: -120.0, south: 0.0, north: 60.0 };
        assert_eq!(v.extent(), (160.0, 240.0, 0.0, 60.0));
        assert_eq!(v.project(-170.0, 10.0), Some((190.0, 10.0)));
        let line = unwrapped_line(&v, &[170.0, -175.0, -160.0], &[10.0, 12.0, 14.0]);
        assert_eq!(line.iter().map(|p| p.0).collect::<Vec<_>>(), vec![170.0, 185.0, 200.0]);
    }

    #[test]
    fn bad_views_are_named() {
        assert!(View::parse("region", None, None, None).unwrap_err().to_string().contains("`region`"));
        assert!(View::parse("global", Some([0.0, 10.0, 50.0, 40.0]), None, None).unwrap_err().to_string().contains("south below north"));
        assert!(View::parse("mercator", None, None, None).unwrap_err().to_string().contains("`view`"));
        assert!(View::parse("north", None, None, Some(88.0)).unwrap_err().to_string().contains("`boundary_lat`"));
    }
}
