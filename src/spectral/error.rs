//! Error type of the spectral module.

use thiserror::Error;

/// Everything that can go wrong when setting up a filter or computing kinematics.
///
/// Each message is one line naming the problem and the fix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SpectralError {
    /// A coordinate is NaN or infinite.
    #[error("{axis} coordinate contains a non-finite value; remove missing or invalid coordinates before filtering")]
    NonFiniteCoordinate {
        /// `"latitude"` or `"longitude"`.
        axis: &'static str,
    },
    /// The grid has too few points along an axis.
    #[error(
        "grid of {nlat} latitudes x {nlon} longitudes is too small; pass at least 2 latitudes for the spherical-harmonic transform and 1 point per axis for the DCT filter"
    )]
    GridTooSmall {
        /// Number of latitudes.
        nlat: usize,
        /// Number of longitudes.
        nlon: usize,
    },
    /// The longitudes are not one complete, uniform, duplicate-free cycle.
    #[error(
        "the {nlon} longitudes are not one complete, uniformly spaced cycle of 360 degrees (spacing 360/{nlon}, no duplicates); the spherical-harmonic filter needs a global regular grid, use the regional DCT filter for limited-area data"
    )]
    LongitudeNotGlobal {
        /// Number of longitudes.
        nlon: usize,
    },
    /// The latitudes are neither `linspace(-90, 90, nlat)` nor the Gauss–Legendre nodes.
    #[error(
        "the {nlat} latitudes are neither equally spaced pole to pole nor Gauss-Legendre; the spherical-harmonic filter needs a global regular grid, regrid to one or use the regional DCT filter"
    )]
    LatitudeNotRegular {
        /// Number of latitudes.
        nlat: usize,
    },
    /// The requested truncation exceeds what the grid resolves.
    #[error(
        "lmax {lmax} exceeds the {supported} this {nlat}x{nlon} grid supports (latitudes allow {latitude_lmax}, longitudes {longitude_mmax}); lower lmax or use a finer grid"
    )]
    LmaxTooLarge {
        /// Requested truncation.
        lmax: usize,
        /// Largest truncation the grid supports.
        supported: usize,
        /// Latitude limit (`nlat-2` CC, `nlat-1` GL).
        latitude_lmax: usize,
        /// Longitude limit (`(nlon-1)/2`).
        longitude_mmax: usize,
        /// Number of latitudes.
        nlat: usize,
        /// Number of longitudes.
        nlon: usize,
    },
    /// `lmin > lmax`.
    #[error("lmin {lmin} is greater than lmax {lmax}; pass lmin <= lmax")]
    InvalidBand {
        /// Lower band edge.
        lmin: usize,
        /// Upper band edge.
        lmax: usize,
    },
    /// The spectral taper is outside `(0, 1]`.
    #[error("spectral taper {taper} is outside (0, 1]; pass a value in (0, 1] (1 keeps the band unweighted)")]
    InvalidTaper {
        /// The rejected taper.
        taper: f64,
    },
    /// Two neighbouring coordinates of a regional grid coincide, so no spacing can be derived.
    #[error("the first two {axis} values coincide, so the grid spacing is zero; pass strictly monotonic coordinates")]
    ZeroSpacing {
        /// `"latitude"` or `"longitude"`.
        axis: &'static str,
    },
    /// The earth radius is not a positive finite number.
    #[error("radius {radius_m} m is not a positive finite number; pass the sphere radius in metres (default 6371220)")]
    InvalidRadius {
        /// The rejected radius.
        radius_m: f64,
    },
    /// A field does not have `lat.len() * lon.len()` values.
    #[error("{name} has {got} values but the grid has {expected} (nlat x nlon); pass a row-major (lat, lon) frame of the grid's shape")]
    ShapeMismatch {
        /// Which field.
        name: &'static str,
        /// Required length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
}
