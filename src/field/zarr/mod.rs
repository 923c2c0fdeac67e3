//! Zarr v2 and v3 stores as fields: local directories and remote stores over HTTP(S) and S3
//! (see docs/input.md#zarr-stores). The conventions are those of xarray's Zarr encoding and
//! of CF, as for NetCDF (`_ARRAY_DIMENSIONS` or `dimension_names`, `units`, `calendar`,
//! `scale_factor`/`add_offset`, `_FillValue`/`missing_value`); codecs are zarrs' (blosc, zstd,
//! zlib, gzip, sharding, crc32c, transpose).

mod error;
mod frames;
mod metadata;
mod store;

pub use error::ZarrError;
pub use store::is_zarr_location;

use super::cf::{LAT_NAMES, LON_NAMES, TIME_NAMES, Unpacking, check_lat_lon, decode_times, value_unit, variable_candidates};
use super::healpix::{Attributes, HealpixHints, HealpixInput, cell_index_names, read_cell_ids};
use super::stored::StoredFrame;
use super::{Field, FieldInfo, Grid};
use crate::error::{Error, Result};
use frames::{FrameChunks, StoredType};
use metadata::{StoreIndex, ZarrArray, attr_f64s, attr_str, dimension_names};
use ndarray::Array2;
use std::path::PathBuf;
use zarrs::metadata::ArrayMetadata;

/// A variable of a Zarr store, read one frame at a time.
pub struct ZarrField {
    location: String,
    source_variable: String,
    chunks: FrameChunks,
    unpacking: Unpacking,
    /// How the values stored for a frame become the grid's frame.
    stored: StoredFrame,
    info: FieldInfo,
}

impl std::fmt::Debug for ZarrField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZarrField").field("location", &self.location).field("variable", &self.source_variable).field("info", &self.info).finish()
    }
}

impl ZarrField {
    /// Open `variable` of the store at `location` (a directory, `file://`, `http(s)://` or
    /// `s3://` URL). Metadata, coordinates and times are read and checked here; frames later.
    pub fn open(location: &str, variable: &str) -> Result<Self> {
        let storage = store::open_storage(location)?;
        let index = StoreIndex::open(location, storage)?;
        let Some((source_variable, array)) = index.first_array(variable_candidates(variable))? else {
            return Err(not_found(&index, variable));
        };
        let stored = StoredType::of(&array).ok_or_else(|| ZarrError::Unsupported {
            location: location.into(),
            array: source_variable.clone(),
            detail: format!("data type {} is not a number type", array.data_type().name(zarrs::plugin::ZarrVersion::V3).unwrap_or_default()),
        })?;
        let layout = Layout::of(&index, &source_variable, &array)?;
        let grid = layout.grid(&index)?;
        let axis = layout.times(&index)?;
        let declared_units = attr_str(&array, "units");
        let (value_unit, unit_factor) = value_unit(variable, declared_units.as_deref())?;
        let unpacking = Unpacking {
            scale_factor: attr_f64s(&array, "scale_factor").first().copied().unwrap_or(1.0),
            add_offset: attr_f64s(&array, "add_offset").first().copied().unwrap_or(0.0),
            fill_values: fill_values(&array, stored),
            unit_factor,
        };
        let info = FieldInfo {
            variable: variable.into(),
            standard_name: attr_str(&array, "standard_name"),
            units: declared_units,
            value_unit,
            unit_factor,
            times: axis.times,
            calendar: axis.calendar,
            grid,
        };
        let chunks = FrameChunks::new(array, &source_variable, location, stored, layout.has_time_dim(), layout.spatial())?;
        let stored = layout.into_stored_frame();
        Ok(ZarrField { location: location.into(), source_variable, chunks, unpacking, stored, info })
    }

    /// The store the field was opened from, as given.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The variable's name in the store (an alias may have matched).
    pub fn source_variable(&self) -> &str {
        &self.source_variable
    }
}

/// Missing values: `_FillValue` and `missing_value` attributes, and for Zarr v2 (where xarray
/// keeps `_FillValue` there) the array's own fill value.
fn fill_values(array: &ZarrArray, stored: StoredType) -> Vec<f64> {
    let mut fills = attr_f64s(array, "_FillValue");
    if let ArrayMetadata::V2(meta) = array.metadata()
        && fills.is_empty()
        && !meta.fill_value.is_null()
        && let Some(f) = stored.from_ne_bytes(array.fill_value().as_ne_bytes())
    {
        fills.push(f);
    }
    fills.extend(attr_f64s(array, "missing_value"));
    fills.retain(|f| !f.is_nan()); // NaN stays NaN anyway
    fills
}

fn not_found(index: &StoreIndex, variable: &str) -> Error {
    let coordinates: Vec<&str> = LAT_NAMES.iter().chain(LON_NAMES).chain(TIME_NAMES).copied().collect();
    let available = match index.array_names() {
        Some(names) => {
            let data: Vec<String> = names.into_iter().filter(|n| !coordinates.contains(&n.as_str())).collect();
            if data.is_empty() { "none".to_string() } else { data.join(", ") }
        }
        None => "unknown (the store has no consolidated metadata to list them; zarr.consolidate_metadata adds it)".into(),
    };
    Error::VariableNotFound { name: variable.into(), path: PathBuf::from(&index.location), available }
}

/// The variable's dimensions and how they map onto time, latitude and longitude.
struct Layout {
    location: String,
    variable: String,
    shape: Vec<u64>,
    dims: Option<Vec<String>>,
    /// The variable's HEALPix layout, `None` when it lies on latitudes and longitudes.
    healpix: Option<HealpixInput>,
    /// The reduced Gaussian grid of a variable on points (a latitude and a longitude per point
    /// along its last dimension, as xarray writes what cfgrib opened).
    reduced: Option<super::reduced::ReducedGrid>,
}

impl Layout {
    fn of(index: &StoreIndex, variable: &str, array: &ZarrArray) -> Result<Self> {
        let shape = array.shape().to_vec();
        let mut layout =
            Layout { location: index.location.clone(), variable: variable.into(), dims: dimension_names(array), shape, healpix: None, reduced: None };
        if layout.shape.len() < 2 {
            return Err(layout.bad_shape(String::new()));
        }
        layout.healpix = layout.read_healpix(index, array)?;
        if layout.healpix.is_none() {
            layout.reduced = layout.read_reduced(index)?;
        }
        Ok(layout)
    }

    /// The trailing dimensions that span a frame: 2 (latitude, longitude) or 1 (HEALPix cells,
    /// the points of a reduced Gaussian grid).
    fn spatial(&self) -> usize {
        if self.healpix.is_some() || self.reduced.is_some() { 1 } else { 2 }
    }

    /// How the values stored for a frame become the grid's frame (the layout's last use).
    fn into_stored_frame(self) -> StoredFrame {
        match (self.healpix, self.reduced) {
            (Some(HealpixInput { subset: Some(cells), .. }), _) => StoredFrame::Cells(cells),
            (_, Some(r)) => StoredFrame::Reduced(crate::spectral::reduced::ReducedRows::new(&r.pl)),
            _ => StoredFrame::Grid,
        }
    }

    /// The reduced Gaussian grid of a variable whose last dimension a latitude and a longitude
    /// coordinate both follow, `None` otherwise (docs/input.md#reduced-gaussian-grids).
    fn read_reduced(&self, index: &StoreIndex) -> Result<Option<super::reduced::ReducedGrid>> {
        let n = self.shape.len();
        let Some(dim) = self.dims.as_ref().map(|d| d[n - 1].clone()) else { return Ok(None) };
        let along = |names: &[&str]| -> Result<Option<ZarrArray>> {
            for name in names {
                if let Some(a) = index.array(name)?.filter(|a| a.dimensionality() == 1 && dimension_names(a).is_some_and(|d| d[0] == dim)) {
                    return Ok(Some(a));
                }
            }
            Ok(None)
        };
        let (Some(lat), Some(lon)) = (along(LAT_NAMES)?, along(LON_NAMES)?) else { return Ok(None) };
        let (lat, lon) = (self.values("latitude", &lat)?, self.values("longitude", &lon)?);
        super::reduced::ReducedGrid::from_points(&lat, &lon).map(Some).map_err(|detail| Error::BadReducedGrid {
            variable: self.variable.clone(),
            path: PathBuf::from(&self.location),
            dim,
            detail,
        })
    }

    /// Whether the first dimension is time (else one frame with a scalar time).
    fn has_time_dim(&self) -> bool {
        self.shape.len() > self.spatial()
    }

    /// The HEALPix layout of the variable, `None` when it is not on HEALPix
    /// (docs/input.md#healpix-inputs).
    fn read_healpix(&self, index: &StoreIndex, array: &ZarrArray) -> Result<Option<HealpixInput>> {
        let mapping = match attr_str(array, "grid_mapping") {
            Some(name) => index.array(name.trim())?,
            None => None,
        };
        let n = self.shape.len();
        let last = self.dims.as_ref().map_or_else(|| format!("dim_{}", n - 1), |d| d[n - 1].clone());
        let cells = self.shape[n - 1];
        let along = |a: &ZarrArray| a.dimensionality() == 1 && a.shape()[0] == cells && dimension_names(a).is_none_or(|d| d[0] == last);
        let by_name = index.first_array(cell_index_names(&last))?.map(|(_, a)| a).filter(along);
        let mut hints = HealpixHints::read(
            (last.clone(), cells as usize),
            array,
            mapping.as_ref().map(|m| m as &dyn Attributes),
            by_name.as_ref().map(|a| a as &dyn Attributes),
        );
        if !hints.says_healpix() {
            return Ok(None);
        }
        // CF 1.13's coordinate, where the store lists its arrays (those it cannot open are not it)
        let by_standard_name = index
            .array_names()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|name| index.array(&name).ok().flatten())
            .find(|a| along(a) && attr_str(a, "standard_name").is_some_and(|s| s == "healpix_index"));
        if let Some(ids) = by_standard_name.or(by_name) {
            let stored = StoredType::of(&ids).ok_or_else(|| self.corrupt("cell indices", "values are not numbers"))?;
            hints.cell_ids = read_cell_ids(cells as usize, |r| {
                stored.range(&ids, r.start as u64..r.end as u64).map_err(|e| self.corrupt("cell indices", error::one_line(&e)))
            })?;
        }
        hints.resolve(&self.variable, std::path::Path::new(&self.location))
    }

    /// The grid: HEALPix cells, or the latitude and longitude coordinates.
    fn grid(&self, index: &StoreIndex) -> Result<Grid> {
        match (&self.healpix, &self.reduced) {
            (Some(h), _) => Ok(Grid::healpix(h.layout)),
            (None, Some(r)) => Ok(Grid::new(r.lat.clone(), r.lon.clone())),
            (None, None) => {
                let (lat, lon) = self.lat_lon(index)?;
                Ok(Grid::new(lat, lon))
            }
        }
    }

    fn text(&self) -> String {
        let names = self.dims.clone().unwrap_or_else(|| (0..self.shape.len()).map(|i| format!("dim_{i}")).collect());
        format!("({})", names.iter().zip(&self.shape).map(|(n, l)| format!("{n}={l}")).collect::<Vec<_>>().join(", "))
    }

    fn bad_shape(&self, detail: String) -> Error {
        Error::BadShape { variable: self.variable.clone(), dims: format!("{}{detail}", self.text()) }
    }

    fn missing(&self, axis: &'static str, names: &[&str]) -> Error {
        Error::MissingCoordinate { axis, variable: self.variable.clone(), path: PathBuf::from(&self.location), looked_for: names.join(", ") }
    }

    fn corrupt(&self, what: &str, detail: impl Into<String>) -> Error {
        Error::CorruptInput { path: PathBuf::from(&self.location), what: what.into(), detail: detail.into() }
    }

    /// A 1-D coordinate whose dimension must be the variable's dimension `axis_index`.
    fn coordinate(&self, index: &StoreIndex, axis: &'static str, names: &[&str], axis_index: usize) -> Result<Vec<f64>> {
        let (name, array) = index.first_array(names.iter().copied())?.filter(|(_, a)| a.dimensionality() == 1).ok_or_else(|| self.missing(axis, names))?;
        self.coordinate_values(axis, &name, &array, axis_index)
    }

    /// The values of the 1-D coordinate `array`, checked to run along dimension `axis_index`.
    fn coordinate_values(&self, axis: &'static str, name: &str, array: &ZarrArray, axis_index: usize) -> Result<Vec<f64>> {
        let dim = dimension_names(array).and_then(|d| d.into_iter().next()).unwrap_or_else(|| name.to_string());
        let len = array.shape()[0];
        let matches = match &self.dims {
            Some(dims) => dims[axis_index] == dim && self.shape[axis_index] == len,
            None => self.shape[axis_index] == len,
        };
        if !matches {
            return Err(self.bad_shape(format!(" ({axis} is '{dim}' with {len} values)")));
        }
        self.values(axis, array)
    }

    /// Every value of a coordinate array.
    fn values(&self, axis: &str, array: &ZarrArray) -> Result<Vec<f64>> {
        let stored = StoredType::of(array).ok_or_else(|| self.corrupt(axis, "values are not numbers"))?;
        stored.all(array).map_err(|e| self.corrupt(axis, error::one_line(&e)))
    }

    fn lat_lon(&self, index: &StoreIndex) -> Result<(Vec<f64>, Vec<f64>)> {
        let n = self.shape.len();
        let lat = self.coordinate(index, "latitude", LAT_NAMES, n - 2)?;
        let lon = self.coordinate(index, "longitude", LON_NAMES, n - 1)?;
        check_lat_lon(&lat, &lon).map_err(|(what, problem)| self.corrupt(what, problem))?;
        Ok((lat, lon))
    }

    /// The time axis: the first dimension (other leading dimensions must be singletons), or a
    /// single scalar time for a 2-D variable.
    fn times(&self, index: &StoreIndex) -> Result<crate::time::TimeAxis> {
        let n = self.shape.len();
        let (name, array) = index.first_array(TIME_NAMES.iter().copied())?.ok_or_else(|| self.missing("time", TIME_NAMES))?;
        let raw = if self.has_time_dim() {
            if array.dimensionality() != 1 {
                return Err(self.bad_shape(format!(" (the time coordinate '{name}' is not 1-D)")));
            }
            let values = self.coordinate_values("time", &name, &array, 0)?;
            if let Some((i, len)) = self.shape[1..n - self.spatial()].iter().enumerate().find(|(_, l)| **l != 1) {
                let dim = self.dims.as_ref().map_or_else(|| format!("dim_{}", i + 1), |d| d[i + 1].clone());
                return Err(self.bad_shape(format!(" ('{dim}' has {len} levels)")));
            }
            values
        } else if array.shape().iter().product::<u64>() != 1 {
            return Err(self.bad_shape(format!(" without a time dimension while '{name}' has {} values", array.shape().iter().product::<u64>())));
        } else {
            self.values("time", &array)?
        };
        decode_times(&name, &raw, attr_str(&array, "units").as_deref(), attr_str(&array, "calendar").as_deref())
    }
}

impl Attributes for ZarrArray {
    fn text(&self, name: &str) -> Option<String> {
        attr_str(self, name)
    }
    fn number(&self, name: &str) -> Option<f64> {
        attr_f64s(self, name).first().copied()
    }
}

impl Field for ZarrField {
    fn info(&self) -> &FieldInfo {
        &self.info
    }

    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        if t >= self.info.times.len() {
            return Err(Error::option("frame", format!("frame {t} is out of range (the field has {} frames)", self.info.times.len())));
        }
        let mut raw = self.chunks.read(t)?;
        self.unpacking.apply(&mut raw);
        let raw = self.stored.onto_grid(raw);
        let shape = (self.info.grid.ny(), self.info.grid.nx());
        Array2::from_shape_vec(shape, raw).map_err(|e| self.corrupt_frame(t, e.to_string()))
    }
}

impl ZarrField {
    fn corrupt_frame(&self, t: usize, detail: String) -> Error {
        Error::CorruptInput { path: PathBuf::from(&self.location), what: format!("frame {t} of '{}'", self.source_variable), detail }
    }
}
