//! Gridded input fields, read frame by frame.
//!
//! A [`Field`] describes a variable on a regular latitude-longitude grid with a time axis and
//! hands out one frame at a time as an `ndarray` in the file's own storage order (rows in the
//! stored latitude order, columns in the stored longitude order), with missing values as NaN
//! and values in the variable's canonical unit (see docs/algorithms.md#unit-normalisation).

#[cfg(feature = "netcdf")]
pub(crate) mod cf;
mod filtered;
#[cfg(feature = "grib")]
mod grib;
#[cfg(feature = "netcdf")]
mod healpix;
mod memory;
#[cfg(feature = "netcdf")]
mod netcdf;
mod plane;
#[cfg(feature = "netcdf")]
mod reduced;
#[cfg(feature = "netcdf")]
mod series;
#[cfg(feature = "netcdf")]
mod stored;
mod taper;
#[cfg(feature = "zarr")]
mod zarr;

#[cfg(feature = "netcdf")]
pub use self::netcdf::{FrameReader, NetcdfField};
pub use filtered::FilteredField;
#[cfg(feature = "grib")]
pub use grib::{GribError, GribField, is_grib_file};
pub use memory::MemoryField;
pub use plane::{DEFAULT_EXTENT_KM, DEFAULT_SPACING_KM, PlaneSpec, PolarPlane};
#[cfg(feature = "netcdf")]
pub use series::{FieldSeries, expand_inputs};
pub use taper::{BoundaryTaper, boundary_taper};
#[cfg(feature = "zarr")]
pub use zarr::{ZarrError, ZarrField, is_zarr_location};

use crate::error::{Error, Result};
use crate::geo::{LonConvention, is_global_longitude};
use crate::time::Calendar;
use crate::variables::{FieldIdentity, Mode, mode_of_name};
use ndarray::Array2;

/// The horizontal grid of a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Latitude of each row, in storage order (either direction).
    pub lat: Vec<f64>,
    /// Longitude of each column, in storage order and the file's convention.
    pub lon: Vec<f64>,
    /// Whether columns wrap around (a global longitude axis, see docs/algorithms.md#longitude-convention-and-periodicity).
    pub periodic_x: bool,
    /// Convention of the longitude values.
    pub lon_convention: LonConvention,
    /// A polar stereographic plane: rows are `y` and columns `x` in km, and positions found on
    /// it are turned into latitude and longitude by [`crate::geo::stereo::plane_to_latlon`].
    pub plane: Option<crate::geo::stereo::Hemisphere>,
    /// A HEALPix grid (docs/input.md#healpix-inputs): a frame is one row of `12 nside²` cells
    /// in the input's numbering; `lat` and `lon` are empty (the pixel centres follow from the
    /// layout). Only the HEALPix tracker reads such a field.
    pub healpix: Option<HealpixLayout>,
}

/// How the cells of a HEALPix input are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealpixLayout {
    /// Pixels per base-pixel side, a power of two.
    pub nside: u32,
    /// The NESTED numbering (else RING).
    pub nested: bool,
    /// Cells of the sphere the input does not hold (a part of the sphere,
    /// docs/input.md#healpix-inputs): missing in every frame, not missing data.
    pub absent: usize,
}

impl HealpixLayout {
    /// Number of cells, 12 nside².
    pub fn cells(&self) -> usize {
        12 * (self.nside as usize) * (self.nside as usize)
    }
    /// `ring` or `nested`.
    pub fn ordering(&self) -> &'static str {
        if self.nested { "nested" } else { "ring" }
    }
}

impl Grid {
    /// A grid from coordinate vectors; periodicity and convention are detected.
    pub fn new(lat: Vec<f64>, lon: Vec<f64>) -> Self {
        let periodic_x = is_global_longitude(&lon);
        let lon_convention = LonConvention::of(&lon);
        Grid { lat, lon, periodic_x, lon_convention, plane: None, healpix: None }
    }
    /// The HEALPix grid of `layout`: frames of one row of cells.
    pub fn healpix(layout: HealpixLayout) -> Self {
        Grid { lat: Vec::new(), lon: Vec::new(), periodic_x: true, lon_convention: LonConvention::Unsigned, plane: None, healpix: Some(layout) }
    }
    /// Rows (1 on HEALPix).
    pub fn ny(&self) -> usize {
        if self.healpix.is_some() { 1 } else { self.lat.len() }
    }
    /// Columns (the cells on HEALPix).
    pub fn nx(&self) -> usize {
        self.healpix.map_or(self.lon.len(), |h| h.cells())
    }
    /// Points of a frame that the input holds (all but a part of the HEALPix sphere's absent cells).
    pub fn held_points(&self) -> usize {
        self.ny() * self.nx() - self.healpix.map_or(0, |h| h.absent)
    }
}

/// Descriptive information about a field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInfo {
    /// Variable name as found in the source.
    pub variable: String,
    /// CF `standard_name`, if any.
    pub standard_name: Option<String>,
    /// Declared units, if any.
    pub units: Option<String>,
    /// Unit of the values handed out (canonical for recognised names, else as declared or `1`).
    pub value_unit: String,
    /// Factor applied to the stored values to reach `value_unit` (user thresholds get it too).
    pub unit_factor: f64,
    /// Frame times in ms since 1970-01-01 in `calendar`.
    pub times: Vec<i64>,
    /// The calendar of the time axis.
    pub calendar: Calendar,
    /// The grid.
    pub grid: Grid,
}

impl FieldInfo {
    /// The Simple contrast threshold in the field's canonical unit: `given` (in the file's
    /// declared unit, as `--feature-threshold` takes it) converted, or the default for the
    /// variable (see docs/algorithms.md#detection-mode, docs/algorithms.md#vorticity-default-threshold).
    pub fn feature_threshold(&self, given: Option<f64>) -> f64 {
        match given {
            Some(t) => t * self.unit_factor,
            None => crate::variables::default_feature_threshold(&self.identity()),
        }
    }

    /// Identity used for the vorticity default threshold rule.
    pub fn identity(&self) -> FieldIdentity<'_> {
        FieldIdentity { name: &self.variable, standard_name: self.standard_name.as_deref(), units: self.units.as_deref() }
    }
}

/// A source of frames. Implementations must be `Sync`: frames may be requested from several
/// threads (readers serialise internally where their library requires it).
pub trait Field: Sync {
    /// Information about the field.
    fn info(&self) -> &FieldInfo;
    /// Frame `t` (0-based), shape (ny, nx), NaN where missing, in `info().value_unit`.
    fn read_frame(&self, t: usize) -> Result<Array2<f64>>;

    /// Frame `t` of the other fields a detector's criteria test (the closed contours of other
    /// variables, docs/algorithms.md#closed-contour-criterion), in order; none by default.
    fn other_frames(&self, _t: usize) -> Result<Vec<Array2<f64>>> {
        Ok(Vec::new())
    }

    /// Information about those other fields, in the same order.
    fn other_infos(&self) -> Vec<&FieldInfo> {
        Vec::new()
    }

    /// Detection mode implied by the variable name (see docs/algorithms.md#detection-mode), or an error asking for `-m`.
    fn default_mode(&self) -> Result<Mode> {
        let name = &self.info().variable;
        mode_of_name(name)
            .or_else(|| {
                // CF hints when the name is unknown
                let id = self.info().identity();
                if crate::variables::is_vorticity(&id) {
                    Some(Mode::Max)
                } else if id.standard_name.is_some_and(|s| s.contains("pressure")) {
                    Some(Mode::Min)
                } else {
                    None
                }
            })
            .ok_or_else(|| Error::option("detection_mode", format!("cannot infer min or max for variable '{name}'; pass `detection_mode` min or max")))
    }
}

/// A contiguous selection of frames by time: `-n/--n-frames` and an inclusive time range.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeSelection {
    /// Inclusive start (ms).
    pub start: Option<i64>,
    /// Inclusive end (ms).
    pub end: Option<i64>,
    /// At most this many frames (counted from the start of the selection).
    pub n_frames: Option<usize>,
}

impl TimeSelection {
    /// Frame indices selected from `times` (which must be increasing).
    pub fn frames(&self, times: &[i64]) -> std::ops::Range<usize> {
        let lo = self.start.map_or(0, |s| times.partition_point(|&t| t < s));
        let hi = self.end.map_or(times.len(), |e| times.partition_point(|&t| t <= e)).max(lo);
        let hi = self.n_frames.map_or(hi, |n| hi.min(lo + n));
        lo..hi
    }
}
