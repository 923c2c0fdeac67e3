//! Detection of global regular sphere grids (see docs/algorithms.md#global-grid-detection).

use std::f64::consts::PI;

use crate::spectral::SpectralError;
use crate::spectral::legendre::gauss_legendre;

/// Coordinate tolerance in degrees; loose enough for coordinates stored in single precision,
/// far below any grid spacing that tells CC from GL.
const TOL_DEG: f64 = 1e-4;

/// Latitude layout of a global grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geometry {
    /// `linspace(-90, 90, nlat)`: equiangular, poles included (Clenshaw–Curtis).
    ClenshawCurtis,
    /// The Gauss–Legendre nodes for `nlat` (no poles).
    GaussLegendre,
}

/// A detected global grid and the permutations between the caller's order and the canonical one
/// (rows North→South, columns eastward from the smallest `lon mod 360`).
#[derive(Debug, Clone)]
pub struct GlobalGrid {
    geometry: Geometry,
    rows: Vec<usize>,
    cols: Vec<usize>,
    phi0: f64,
    cos_colat: Vec<f64>,
    sin_colat: Vec<f64>,
    gl_weights: Vec<f64>,
}

impl GlobalGrid {
    /// Detects the geometry of 1-D `lat` and `lon` (degrees, any order).
    pub fn detect(lat: &[f64], lon: &[f64]) -> Result<Self, SpectralError> {
        let (nlat, nlon) = (lat.len(), lon.len());
        if nlat < 2 || nlon < 1 {
            return Err(SpectralError::GridTooSmall { nlat, nlon });
        }
        if lat.iter().any(|v| !v.is_finite()) {
            return Err(SpectralError::NonFiniteCoordinate { axis: "latitude" });
        }
        let (cols, phi0) = longitude_order(lon)?;

        // Canonical rows run North→South: descending latitude.
        let mut rows: Vec<usize> = (0..nlat).collect();
        rows.sort_by(|&a, &b| lat[b].total_cmp(&lat[a]));
        let sorted: Vec<f64> = rows.iter().map(|&r| lat[r]).collect();

        let step = PI / (nlat - 1) as f64;
        let cc_ok = sorted.iter().enumerate().all(|(j, &v)| (v - (90.0 - 180.0 * j as f64 / (nlat - 1) as f64)).abs() <= TOL_DEG);
        if cc_ok {
            let theta: Vec<f64> = (0..nlat).map(|j| j as f64 * step).collect();
            let mut cos_colat: Vec<f64> = theta.iter().map(|t| t.cos()).collect();
            let mut sin_colat: Vec<f64> = theta.iter().map(|t| t.sin()).collect();
            // Exact poles: the Legendre functions with m > 0 must vanish there.
            cos_colat[0] = 1.0;
            cos_colat[nlat - 1] = -1.0;
            sin_colat[0] = 0.0;
            sin_colat[nlat - 1] = 0.0;
            return Ok(Self { geometry: Geometry::ClenshawCurtis, rows, cols, phi0, cos_colat, sin_colat, gl_weights: Vec::new() });
        }
        let (x, w) = gauss_legendre(nlat);
        let gl_ok = sorted.iter().zip(&x).all(|(&v, &x)| (v - x.asin().to_degrees()).abs() <= TOL_DEG);
        if !gl_ok {
            return Err(SpectralError::LatitudeNotRegular { nlat });
        }
        let sin_colat = x.iter().map(|x| (1.0 - x * x).sqrt()).collect();
        Ok(Self { geometry: Geometry::GaussLegendre, rows, cols, phi0, cos_colat: x, sin_colat, gl_weights: w })
    }

    /// Latitude layout.
    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    /// Number of latitudes.
    pub fn nlat(&self) -> usize {
        self.rows.len()
    }

    /// Number of longitudes.
    pub fn nlon(&self) -> usize {
        self.cols.len()
    }

    /// Highest degree the latitudes resolve: `nlat - 2` (CC) or `nlat - 1` (GL).
    pub fn latitude_lmax(&self) -> usize {
        match self.geometry {
            Geometry::ClenshawCurtis => self.nlat() - 2,
            Geometry::GaussLegendre => self.nlat() - 1,
        }
    }

    /// Highest order the longitudes resolve: `(nlon - 1) / 2`.
    pub fn longitude_mmax(&self) -> usize {
        (self.nlon() - 1) / 2
    }

    /// Highest triangular truncation the grid supports.
    pub fn max_lmax(&self) -> usize {
        self.latitude_lmax().min(self.longitude_mmax())
    }

    /// Errors when a triangular truncation `lmax` exceeds [`Self::max_lmax`].
    pub fn check_lmax(&self, lmax: usize) -> Result<(), SpectralError> {
        if lmax <= self.max_lmax() {
            return Ok(());
        }
        Err(SpectralError::LmaxTooLarge {
            lmax,
            supported: self.max_lmax(),
            latitude_lmax: self.latitude_lmax(),
            longitude_mmax: self.longitude_mmax(),
            nlat: self.nlat(),
            nlon: self.nlon(),
        })
    }

    /// Longitude (radians) of the first canonical column.
    pub fn phi0(&self) -> f64 {
        self.phi0
    }

    /// Caller row index of each canonical (North→South) row.
    pub(crate) fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// Caller column index of each canonical (eastward) column.
    pub(crate) fn cols(&self) -> &[usize] {
        &self.cols
    }

    /// `cos θ` of the canonical rows (θ colatitude).
    pub(crate) fn cos_colat(&self) -> &[f64] {
        &self.cos_colat
    }

    /// `sin θ` of the canonical rows, exactly 0 at poles.
    pub(crate) fn sin_colat(&self) -> &[f64] {
        &self.sin_colat
    }

    /// Gauss–Legendre weights of the canonical rows (empty for CC).
    pub(crate) fn gl_weights(&self) -> &[f64] {
        &self.gl_weights
    }
}

/// Whether `lon` is one complete, uniformly spaced, duplicate-free cycle of 360 degrees
/// (periodic axis: choose the SHT filter; otherwise the DCT filter).
pub fn is_global_longitude(lon: &[f64]) -> bool {
    !lon.is_empty() && longitude_order(lon).is_ok()
}

/// Column permutation sorting `lon mod 360` ascending, and the first canonical longitude (radians).
fn longitude_order(lon: &[f64]) -> Result<(Vec<usize>, f64), SpectralError> {
    let nlon = lon.len();
    if lon.iter().any(|v| !v.is_finite()) {
        return Err(SpectralError::NonFiniteCoordinate { axis: "longitude" });
    }
    let wrapped: Vec<f64> = lon.iter().map(|v| v.rem_euclid(360.0)).collect();
    let mut cols: Vec<usize> = (0..nlon).collect();
    cols.sort_by(|&a, &b| wrapped[a].total_cmp(&wrapped[b]));
    let first = wrapped[cols[0]];
    let uniform = cols.iter().enumerate().all(|(k, &c)| (wrapped[c] - first - 360.0 * k as f64 / nlon as f64).abs() <= TOL_DEG);
    if !uniform {
        return Err(SpectralError::LongitudeNotGlobal { nlon });
    }
    Ok((cols, first.to_radians()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `linspace(90, -90, nlat)` and `0, 360/nlon, ...`.
    pub(crate) fn cc_axes(nlat: usize, nlon: usize) -> (Vec<f64>, Vec<f64>) {
        let lat = (0..nlat).map(|j| 90.0 - 180.0 * j as f64 / (nlat - 1) as f64).collect();
        let lon = (0..nlon).map(|k| 360.0 * k as f64 / nlon as f64).collect();
        (lat, lon)
    }

    /// Gaussian latitudes North→South and `0, 360/nlon, ...`.
    pub(crate) fn gl_axes(nlat: usize, nlon: usize) -> (Vec<f64>, Vec<f64>) {
        let lat = gauss_legendre(nlat).0.iter().map(|x| x.asin().to_degrees()).collect();
        let lon = (0..nlon).map(|k| 360.0 * k as f64 / nlon as f64).collect();
        (lat, lon)
    }

    #[test]
    fn detects_era5_like_cc_grid() {
        let (lat, lon) = cc_axes(73, 144);
        let g = GlobalGrid::detect(&lat, &lon).unwrap();
        assert_eq!(g.geometry(), Geometry::ClenshawCurtis);
        assert_eq!((g.latitude_lmax(), g.longitude_mmax(), g.max_lmax()), (71, 71, 71));
        assert!(g.check_lmax(71).is_ok());
        assert!(matches!(g.check_lmax(72), Err(SpectralError::LmaxTooLarge { supported: 71, .. })));
        let (lat, lon) = cc_axes(721, 1440);
        assert_eq!(GlobalGrid::detect(&lat, &lon).unwrap().max_lmax(), 719);
    }

    #[test]
    fn detects_gaussian_grid_in_any_order() {
        let (mut lat, lon) = gl_axes(48, 96);
        lat.reverse();
        let g = GlobalGrid::detect(&lat, &lon).unwrap();
        assert_eq!(g.geometry(), Geometry::GaussLegendre);
        assert_eq!(g.latitude_lmax(), 47);
        assert_eq!(g.rows()[0], 47);
    }

    #[test]
    fn canonical_columns_follow_lon_mod_360() {
        let lat = cc_axes(5, 8).0;
        let lon = [-180.0, -135.0, -90.0, -45.0, 0.0, 45.0, 90.0, 135.0];
        let g = GlobalGrid::detect(&lat, &lon).unwrap();
        assert_eq!(g.cols(), &[4, 5, 6, 7, 0, 1, 2, 3]);
        assert_eq!(g.phi0(), 0.0);
        assert!(is_global_longitude(&lon));
    }

    #[test]
    fn rejects_bad_grids() {
        let (lat, lon) = cc_axes(73, 144);
        let mut bad_lat = lat.clone();
        bad_lat[3] += 0.1;
        let e = GlobalGrid::detect(&bad_lat, &lon).unwrap_err();
        assert!(matches!(e, SpectralError::LatitudeNotRegular { nlat: 73 }));
        assert!(e.to_string().contains("neither equally spaced pole to pole nor Gauss-Legendre"));

        let regional: Vec<f64> = (0..100).map(|k| k as f64 * 0.5).collect();
        assert!(matches!(GlobalGrid::detect(&lat, &regional), Err(SpectralError::LongitudeNotGlobal { .. })));
        assert!(!is_global_longitude(&regional));

        let mut dup = lon.clone();
        dup[1] = dup[0];
        assert!(!is_global_longitude(&dup));
        let mut nan = lon.clone();
        nan[0] = f64::NAN;
        assert!(matches!(GlobalGrid::detect(&lat, &nan), Err(SpectralError::NonFiniteCoordinate { .. })));
        assert!(matches!(GlobalGrid::detect(&[0.0], &lon), Err(SpectralError::GridTooSmall { .. })));
        let half: Vec<f64> = (0..73).map(|j| -90.0 + 90.0 * j as f64 / 72.0).collect();
        assert!(matches!(GlobalGrid::detect(&half, &lon), Err(SpectralError::LatitudeNotRegular { .. })));
    }
}
