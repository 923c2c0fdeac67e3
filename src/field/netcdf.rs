//! NetCDF-3 and NetCDF-4 input, with the ERA5/CF conventions of
//! docs/algorithms.md#input-conventions: name aliases, singleton dimensions, packing, fill
//! values, CF time. Metadata is read through libnetcdf (the `netcdf` crate); frame data through
//! the pure-Rust `netcdf-reader` (feature `fast-read`), which decodes frames in parallel,
//! falling back to libnetcdf for what it cannot read (docs/input.md).

use super::cf::{LAT_NAMES, LON_NAMES, TIME_NAMES, Unpacking, check_lat_lon, decode_times, value_unit, variable_candidates};
use super::healpix::{Attributes, HealpixHints, cell_index_names};
use super::stored::StoredFrame;
use super::{Field, FieldInfo, Grid};
use crate::error::{Error, Result};
use crate::time::TimeAxis;
use ndarray::Array2;
use netcdf::AttributeValue;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A variable of a NetCDF file, read one frame at a time.
pub struct NetcdfField {
    path: PathBuf,
    file: Mutex<netcdf::File>,
    source_variable: String,
    /// Number of dimensions of the variable and whether the first is time.
    ndims: usize,
    has_time_dim: bool,
    /// A single 2-D frame with no time coordinate at all (see [`NetcdfField::open_grid`]).
    timeless: bool,
    /// The trailing dimensions that span a frame: 2 (latitude, longitude) or 1 (HEALPix cells,
    /// the points of a reduced Gaussian grid).
    spatial: usize,
    /// How the values stored for a frame become the grid's frame.
    stored: StoredFrame,
    unpacking: Unpacking,
    info: FieldInfo,
    /// The parallel reader of frame data, when it can read this file.
    #[cfg(feature = "fast-read")]
    fast: Option<netcdf_reader::NcFile>,
}

/// Which library reads frame data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FrameReader {
    /// netcdf-reader (pure Rust, frames decoded in parallel) where it can read the file,
    /// else libnetcdf.
    #[default]
    Fastest,
    /// libnetcdf only (serialised by its global lock).
    Libnetcdf,
}

impl std::fmt::Debug for NetcdfField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetcdfField").field("path", &self.path).field("variable", &self.source_variable).field("info", &self.info).finish()
    }
}

fn attr_f64s(v: &netcdf::Variable<'_>, name: &str) -> Option<Vec<f64>> {
    let val = v.attribute_value(name)?.ok()?;
    Some(match val {
        AttributeValue::Uchar(x) => vec![x as f64],
        AttributeValue::Schar(x) => vec![x as f64],
        AttributeValue::Ushort(x) => vec![x as f64],
        AttributeValue::Short(x) => vec![x as f64],
        AttributeValue::Uint(x) => vec![x as f64],
        AttributeValue::Int(x) => vec![x as f64],
        AttributeValue::Ulonglong(x) => vec![x as f64],
        AttributeValue::Longlong(x) => vec![x as f64],
        AttributeValue::Float(x) => vec![x as f64],
        AttributeValue::Double(x) => vec![x],
        AttributeValue::Uchars(x) => x.into_iter().map(f64::from).collect(),
        AttributeValue::Schars(x) => x.into_iter().map(f64::from).collect(),
        AttributeValue::Ushorts(x) => x.into_iter().map(f64::from).collect(),
        AttributeValue::Shorts(x) => x.into_iter().map(f64::from).collect(),
        AttributeValue::Uints(x) => x.into_iter().map(f64::from).collect(),
        AttributeValue::Ints(x) => x.into_iter().map(f64::from).collect(),
        AttributeValue::Ulonglongs(x) => x.into_iter().map(|v| v as f64).collect(),
        AttributeValue::Longlongs(x) => x.into_iter().map(|v| v as f64).collect(),
        AttributeValue::Floats(x) => x.into_iter().map(f64::from).collect(),
        AttributeValue::Doubles(x) => x,
        AttributeValue::Str(_) | AttributeValue::Strs(_) => return None,
    })
}

fn attr_str(v: &netcdf::Variable<'_>, name: &str) -> Option<String> {
    match v.attribute_value(name)?.ok()? {
        AttributeValue::Str(s) => Some(s),
        AttributeValue::Strs(s) => Some(s.join(" ")),
        _ => None,
    }
}

impl NetcdfField {
    /// Open `variable` of the NetCDF file at `path`. Everything but the frames is read and
    /// checked here, so that a bad input fails before any long work.
    pub fn open(path: impl AsRef<Path>, variable: &str) -> Result<Self> {
        Self::open_with(path, variable, FrameReader::Fastest)
    }

    /// Open, choosing the library that reads frame data (both give identical values).
    pub fn open_with(path: impl AsRef<Path>, variable: &str, reader: FrameReader) -> Result<Self> {
        Self::open_impl(path.as_ref(), variable, reader, false)
    }

    /// Open a field for grid-to-grid work (`stormtrack spectral`, `vorticity`): like
    /// [`NetcdfField::open`], but a 2-D variable with no time coordinate is accepted as one
    /// frame (time 0, see [`NetcdfField::is_timeless`]).
    pub fn open_grid(path: impl AsRef<Path>, variable: &str) -> Result<Self> {
        Self::open_impl(path.as_ref(), variable, FrameReader::Fastest, true)
    }

    /// Whether the field is one 2-D frame without a time coordinate.
    pub fn is_timeless(&self) -> bool {
        self.timeless
    }

    /// Opens the file, finds the variable, reads and checks its coordinates, times, packing
    /// and units (the ERA5/CF conventions of the module documentation); frame data is read later.
    fn open_impl(path: &Path, variable: &str, reader: FrameReader, allow_timeless: bool) -> Result<Self> {
        crate::error::guard_reader(path, || Self::open_unguarded(path, variable, reader, allow_timeless))
    }

    fn open_unguarded(path: &Path, variable: &str, reader: FrameReader, allow_timeless: bool) -> Result<Self> {
        let path = path.to_path_buf();
        let file = open_file(&path)?;
        let var = find_variable(&file, variable, &path)?;
        let source_variable = var.name();
        let dims: Vec<(String, usize)> = var.dimensions().iter().map(|d| (d.name(), d.len())).collect();
        let layout = Layout {
            path: &path,
            variable: &source_variable,
            text: format!("({})", dims.iter().map(|(n, l)| format!("{n}={l}")).collect::<Vec<_>>().join(", ")),
            dims: &dims,
        };
        let ndims = dims.len();
        if ndims < 2 {
            return Err(layout.bad_shape(String::new()));
        }
        let healpix = healpix_layout(&file, &var, &layout)?;
        let reduced = if healpix.is_none() { reduced_layout(&file, &var, &layout)? } else { None };
        let spatial = if healpix.is_some() || reduced.is_some() { 1 } else { 2 };
        let (grid, stored) = match (healpix, reduced) {
            (Some(h), _) => (Grid::healpix(h.layout), h.subset.map_or(StoredFrame::Grid, StoredFrame::Cells)),
            (None, Some(r)) => (Grid::new(r.lat, r.lon), StoredFrame::Reduced(crate::spectral::reduced::ReducedRows::new(&r.pl))),
            (None, None) => {
                let (lat, lon) = read_lat_lon(&file, &layout)?;
                (Grid::new(lat, lon), StoredFrame::Grid)
            }
        };

        // Time: the first dimension, or a scalar coordinate for a single 2-D frame.
        let time_var = TIME_NAMES.iter().find_map(|n| file.variable(n));
        let timeless = time_var.is_none() && ndims == 2 && allow_timeless && spatial == 2;
        let has_time_dim = ndims > spatial;
        let axis = match time_var {
            None if timeless => TimeAxis { times: vec![0], calendar: Default::default() },
            None => return Err(layout.missing("time", TIME_NAMES)),
            Some(time_var) => read_times(&time_var, &layout, spatial)?,
        };

        // Packing and missing values (compared on the stored values, before unpacking).
        let scale_factor = attr_f64s(&var, "scale_factor").and_then(|v| v.first().copied()).unwrap_or(1.0);
        let add_offset = attr_f64s(&var, "add_offset").and_then(|v| v.first().copied()).unwrap_or(0.0);
        let mut fill_values = attr_f64s(&var, "_FillValue").unwrap_or_default();
        fill_values.extend(attr_f64s(&var, "missing_value").unwrap_or_default());
        let declared_units = attr_str(&var, "units");
        let standard_name = attr_str(&var, "standard_name");
        let (value_unit, unit_factor) = value_unit(variable, declared_units.as_deref())?;
        let unpacking = Unpacking { scale_factor, add_offset, fill_values, unit_factor };
        let chunk_cache = chunk_cache_bytes(&var, spatial);
        drop(var);
        let TimeAxis { times, calendar } = axis;
        let info = FieldInfo { variable: variable.into(), standard_name, units: declared_units, value_unit, unit_factor, times, calendar, grid };
        #[cfg(feature = "fast-read")]
        let fast = match reader {
            FrameReader::Fastest => open_fast(&path, &source_variable, &dims, chunk_cache),
            FrameReader::Libnetcdf => None,
        };
        #[cfg(not(feature = "fast-read"))]
        let _ = reader;
        Ok(NetcdfField {
            path,
            file: Mutex::new(file),
            source_variable,
            ndims,
            has_time_dim,
            timeless,
            spatial,
            stored,
            unpacking,
            info,
            #[cfg(feature = "fast-read")]
            fast,
        })
    }

    /// The trailing dimensions that span a frame.
    fn spatial(&self) -> usize {
        self.spatial
    }

    /// Values stored per frame.
    fn stored_points(&self) -> usize {
        self.stored.len(self.info.grid.ny() * self.info.grid.nx())
    }

    /// The path the field was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The variable's name in the file (an alias may have matched).
    pub fn source_variable(&self) -> &str {
        &self.source_variable
    }
}

/// The variable being opened, for the messages of the shape and coordinate checks.
struct Layout<'a> {
    path: &'a Path,
    variable: &'a str,
    /// Its dimensions as `(name, length)`, and as `(name=length, ...)` text.
    dims: &'a [(String, usize)],
    text: String,
}

impl Layout<'_> {
    /// A bad-shape error: the dimensions, followed by `detail` (empty or starting with a space).
    fn bad_shape(&self, detail: String) -> Error {
        Error::BadShape { variable: self.variable.to_string(), dims: format!("{}{detail}", self.text) }
    }

    fn missing(&self, axis: &'static str, names: &[&str]) -> Error {
        Error::MissingCoordinate { axis, variable: self.variable.to_string(), path: self.path.to_path_buf(), looked_for: names.join(", ") }
    }

    fn corrupt(&self, what: &str, detail: impl Into<String>) -> Error {
        Error::CorruptInput { path: self.path.to_path_buf(), what: what.into(), detail: detail.into() }
    }
}

/// Opens a NetCDF file with libnetcdf, after the checks that give clearer messages.
fn open_file(path: &Path) -> Result<netcdf::File> {
    if !path.exists() {
        return Err(Error::MissingInput(path.to_path_buf()));
    }
    if path.is_dir() {
        return Err(Error::NotNetcdf { path: path.to_path_buf(), detail: "it is a directory".into() });
    }
    if starts_with_grib(path) {
        return Err(Error::NotNetcdf {
            path: path.to_path_buf(),
            detail: "it is a GRIB file, which `track`, `detect`, `sample` and `eulerian` read but this command does not: convert it \
                     (cdo -f nc4 copy in.grib out.nc)"
                .into(),
        });
    }
    check_structure(path)?;
    silence_hdf5_errors();
    netcdf::open(path).map_err(|e| {
        let mut detail = e.to_string();
        if detail.contains("HDF error") {
            // libhdf5 also fails this way on a file another process holds locked
            detail.push_str("; if another program is writing it, wait until it is done");
        }
        Error::NotNetcdf { path: path.to_path_buf(), detail }
    })
}

/// Parse the file's header and metadata with the pure-Rust reader before libnetcdf sees it:
/// libnetcdf and libhdf5 can crash (a segmentation fault, not an error) on a corrupt file, found
/// by fuzzing (docs/reliability.md). What the pure-Rust reader does not support is left to
/// libnetcdf; what it finds corrupt is refused.
fn check_structure(path: &Path) -> Result<()> {
    use netcdf_reader::Error as E;
    let parsed = crate::error::guard_reader(path, || {
        Ok(netcdf_reader::NcFile::open(path).and_then(|f| {
            f.dimensions()?;
            f.variables().map(|_| ())
        }))
    })?;
    match parsed {
        Ok(()) | Err(E::UnsupportedFeature(_) | E::UnsupportedVersion(_) | E::Nc4NotEnabled | E::Io(_)) => Ok(()),
        Err(e) if e.to_string().to_ascii_lowercase().contains("unsupported") => Ok(()),
        Err(E::InvalidMagic) => Err(Error::NotNetcdf { path: path.to_path_buf(), detail: "it begins with neither a NetCDF nor an HDF5 signature".into() }),
        Err(e) => Err(Error::NotNetcdf { path: path.to_path_buf(), detail: format!("its structure is corrupt ({e})") }),
    }
}

/// Whether the file begins with the GRIB indicator section.
fn starts_with_grib(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == b"GRIB"
}

/// The variable: the exact name first, then its aliases ([`variable_candidates`]).
fn find_variable<'f>(file: &'f netcdf::File, variable: &str, path: &Path) -> Result<netcdf::Variable<'f>> {
    if let Some(var) = variable_candidates(variable).find_map(|n| file.variable(n)) {
        return Ok(var);
    }
    let dims: Vec<String> = file.dimensions().map(|d| d.name()).collect();
    let available: Vec<String> = file.variables().map(|v| v.name()).filter(|n| !dims.contains(n)).collect();
    Err(Error::VariableNotFound {
        name: variable.into(),
        path: path.to_path_buf(),
        available: if available.is_empty() { "none".into() } else { available.join(", ") },
    })
}

/// The HEALPix grid of the variable, `None` when it is not on HEALPix
/// (docs/input.md#healpix-inputs).
fn healpix_layout(file: &netcdf::File, var: &netcdf::Variable<'_>, layout: &Layout<'_>) -> Result<Option<super::healpix::HealpixInput>> {
    let mapping = attr_str(var, "grid_mapping").and_then(|name| file.variable(name.trim()));
    let last = layout.dims.last().cloned().unwrap_or_default();
    let index = cell_index(file, &last.0);
    let mut hints = HealpixHints::read(last, var, mapping.as_ref().map(|m| m as &dyn Attributes), index.as_ref().map(|v| v as &dyn Attributes));
    if !hints.says_healpix() {
        return Ok(None);
    }
    if let Some(v) = &index {
        hints.cell_ids = super::healpix::read_cell_ids(v.len(), |r| v.get_values::<f64, _>(r).map_err(|e| layout.corrupt(&v.name(), e.to_string())))?;
    }
    hints.resolve(layout.variable, layout.path)
}

/// The coordinate of cell indices along dimension `dim`: one whose `standard_name` is
/// `healpix_index`, else one of [`cell_index_names`].
fn cell_index<'f>(file: &'f netcdf::File, dim: &str) -> Option<netcdf::Variable<'f>> {
    let along = |v: &netcdf::Variable<'_>| v.dimensions().len() == 1 && v.dimensions()[0].name() == dim;
    file.variables()
        .find(|v| along(v) && attr_str(v, "standard_name").is_some_and(|s| s == "healpix_index"))
        .or_else(|| cell_index_names(dim).into_iter().find_map(|n| file.variable(n).filter(along)))
}

/// The reduced Gaussian grid of a variable whose points lie along its last dimension, `None`
/// for a variable on a latitude-longitude grid (docs/input.md#reduced-gaussian-grids): CDO's
/// description (`CDI_grid_type = "gaussian_reduced"`), or a latitude and a longitude
/// coordinate along that dimension (what xarray writes of a field cfgrib opened).
fn reduced_layout(file: &netcdf::File, var: &netcdf::Variable<'_>, layout: &Layout<'_>) -> Result<Option<super::reduced::ReducedGrid>> {
    let (dim, points) = layout.dims.last().cloned().unwrap_or_default();
    let refuse = |detail: String| Error::BadReducedGrid { variable: layout.variable.into(), path: layout.path.into(), dim: dim.clone(), detail };
    let values_of = |v: netcdf::Variable<'_>| v.get_values::<f64, _>(..).map_err(|e| layout.corrupt(&v.name(), e.to_string()));
    if attr_str(var, "CDI_grid_type").is_some_and(|t| t.eq_ignore_ascii_case("gaussian_reduced")) {
        // the variable each of CDO's attributes names
        let named = |attr: &str| -> Result<netcdf::Variable<'_>> {
            let name = attr_str(var, attr).ok_or_else(|| refuse(format!("CDO's gaussian_reduced grid without its {attr} attribute")))?;
            file.variable(name.trim()).ok_or_else(|| refuse(format!("the variable '{name}' its {attr} attribute names is missing")))
        };
        let lat = values_of(named("CDI_grid_latitudes")?)?;
        let pl = values_of(named("CDI_grid_reduced_points")?)?;
        // CDO's reduced Gaussian rows start at 0° (it writes no longitudes)
        return super::reduced::ReducedGrid::from_rows(&lat, &pl, 0.0, points).map(Some).map_err(refuse);
    }
    let along = |names: &[&str]| names.iter().find_map(|n| file.variable(n).filter(|v| v.dimensions().len() == 1 && v.dimensions()[0].name() == dim));
    match (along(LAT_NAMES), along(LON_NAMES)) {
        (Some(lat), Some(lon)) => {
            let (lat, lon) = (values_of(lat)?, values_of(lon)?);
            super::reduced::ReducedGrid::from_points(&lat, &lon).map(Some).map_err(refuse)
        }
        _ => Ok(None),
    }
}

impl Attributes for netcdf::Variable<'_> {
    fn text(&self, name: &str) -> Option<String> {
        attr_str(self, name)
    }
    fn number(&self, name: &str) -> Option<f64> {
        attr_f64s(self, name).and_then(|x| x.first().copied())
    }
}

/// Latitude and longitude values: 1-D variables with an alias name that must be the variable's
/// last two dimensions, finite, latitudes within [-90, 90] and strictly monotonic.
fn read_lat_lon(file: &netcdf::File, layout: &Layout<'_>) -> Result<(Vec<f64>, Vec<f64>)> {
    let coord = |names: &[&str]| names.iter().find_map(|n| file.variable(n).filter(|v| v.dimensions().len() == 1));
    let lat_var = coord(LAT_NAMES).ok_or_else(|| layout.missing("latitude", LAT_NAMES))?;
    let lon_var = coord(LON_NAMES).ok_or_else(|| layout.missing("longitude", LON_NAMES))?;
    let lat_dim = lat_var.dimensions()[0].name();
    let lon_dim = lon_var.dimensions()[0].name();
    let ndims = layout.dims.len();
    if layout.dims[ndims - 2].0 != lat_dim || layout.dims[ndims - 1].0 != lon_dim {
        return Err(layout.bad_shape(format!(" (latitude is '{lat_dim}', longitude is '{lon_dim}')")));
    }
    let lat: Vec<f64> = lat_var.get_values::<f64, _>(..).map_err(|e| layout.corrupt("latitude", e.to_string()))?;
    let lon: Vec<f64> = lon_var.get_values::<f64, _>(..).map_err(|e| layout.corrupt("longitude", e.to_string()))?;
    check_lat_lon(&lat, &lon).map_err(|(what, problem)| layout.corrupt(what, problem))?;
    Ok((lat, lon))
}

/// Times in ms of the time coordinate: the variable's first dimension (other leading
/// dimensions must be singletons), or a scalar for a 2-D variable; CF-decoded and strictly
/// increasing.
fn read_times(time_var: &netcdf::Variable<'_>, layout: &Layout<'_>, spatial: usize) -> Result<TimeAxis> {
    let dims = layout.dims;
    let ndims = dims.len();
    if ndims > spatial {
        let tdims = time_var.dimensions();
        if tdims.len() != 1 || tdims[0].name() != dims[0].0 {
            return Err(layout.bad_shape(format!(" (the first dimension is not the time coordinate '{}')", time_var.name())));
        }
        if let Some((name, len)) = dims[1..ndims - spatial].iter().find(|(_, l)| *l != 1) {
            return Err(layout.bad_shape(format!(" ('{name}' has {len} levels)")));
        }
    } else if !time_var.dimensions().is_empty() && time_var.len() != 1 {
        return Err(layout.bad_shape(format!(" without a time dimension while '{}' has {} values", time_var.name(), time_var.len())));
    }
    let raw_times: Vec<f64> = time_var.get_values::<f64, _>(..).map_err(|e| layout.corrupt("time", e.to_string()))?;
    decode_times(&time_var.name(), &raw_times, attr_str(time_var, "units").as_deref(), attr_str(time_var, "calendar").as_deref())
}

/// Most memory the chunk cache of one file may take.
const CHUNK_CACHE_LIMIT: usize = 512 << 20;

/// The chunk cache a variable needs to be read frame by frame: none when each chunk holds one
/// time step (ERA5 as delivered: every chunk is read once); otherwise room for a chunk per
/// worker plus one, so that the frames of a chunk (xarray and CMIP files often put a month or
/// a year in one) decompress it once instead of once per frame; none beyond
/// [`CHUNK_CACHE_LIMIT`], which keeps memory bounded at the cost of speed.
fn chunk_cache_bytes(var: &netcdf::Variable<'_>, spatial: usize) -> usize {
    let Ok(Some(chunk)) = var.chunking() else { return 0 };
    if chunk.len() <= spatial || chunk[0] <= 1 {
        return 0;
    }
    let element = std::mem::size_of::<f64>(); // an upper bound of the stored element size
    let bytes = chunk.iter().product::<usize>() * element * (rayon::current_num_threads() + 1);
    if bytes > CHUNK_CACHE_LIMIT { 0 } else { bytes }
}

/// Open the file with netcdf-reader for frame data; `None` when it cannot read it (any
/// failure there falls back to libnetcdf, which then reports real errors).
#[cfg(feature = "fast-read")]
fn open_fast(path: &Path, variable: &str, dims: &[(String, usize)], chunk_cache: usize) -> Option<netcdf_reader::NcFile> {
    use std::sync::Arc;
    let storage = hdf5_reader::storage::FileStorage::open(path).ok()?;
    let options = netcdf_reader::NcOpenOptions { chunk_cache_bytes: chunk_cache, chunk_cache_slots: 1009, ..Default::default() };
    let f = netcdf_reader::NcFile::from_storage_with_options(Arc::new(storage), options).ok()?;
    let v = f.variable(variable).ok()?;
    let shape: Vec<usize> = v.shape().iter().map(|&n| n as usize).collect();
    let expected: Vec<usize> = dims.iter().map(|d| d.1).collect();
    (shape == expected).then_some(f)
}

#[cfg(feature = "fast-read")]
impl NetcdfField {
    /// Frame `t` as stored values converted to f64, or `None` to use libnetcdf.
    fn read_frame_fast(&self, t: usize) -> Option<Vec<f64>> {
        use netcdf_reader::{NcSliceInfo, NcSliceInfoElem};
        let f = self.fast.as_ref()?;
        let all = NcSliceInfoElem::Slice { start: 0, end: u64::MAX, step: 1 };
        let mut selections = Vec::with_capacity(self.ndims);
        if self.has_time_dim {
            selections.push(NcSliceInfoElem::Index(t as u64));
            for _ in 1..self.ndims - self.spatial() {
                selections.push(NcSliceInfoElem::Index(0));
            }
        }
        for _ in 0..self.spatial() {
            selections.push(all.clone());
        }
        let a = f.read_variable_slice_as_f64(&self.source_variable, &NcSliceInfo { selections }).ok()?;
        let n = self.stored_points();
        if a.len() != n {
            return None;
        }
        let v = if a.is_standard_layout() {
            match a.into_raw_vec_and_offset() {
                (v, Some(0) | None) => v,
                _ => return None,
            }
        } else {
            a.iter().copied().collect()
        };
        (v.len() == n).then_some(v)
    }

    /// Whether frames are read by the parallel reader.
    pub fn reads_in_parallel(&self) -> bool {
        self.fast.is_some()
    }
}

/// Stop libhdf5 from printing its error stack to stderr on this thread (errors still reach us
/// as return codes). netCDF-C silences it only on the thread that initialised the library,
/// and HDF5's setting is per thread in thread-safe builds, so every reading thread calls this.
fn silence_hdf5_errors() {
    thread_local!(static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    DONE.with(|done| {
        if done.get() {
            return;
        }
        done.set(true);
        // SAFETY: H5Eset_auto2(hid_t estack = H5E_DEFAULT (0), H5E_auto2_t func = NULL,
        // void *client_data = NULL) only changes this thread's error-printing setting; the
        // symbol is looked up at run time because libhdf5 is linked through libnetcdf.
        unsafe {
            let sym = libc::dlsym(libc::RTLD_DEFAULT, c"H5Eset_auto2".as_ptr());
            if !sym.is_null() {
                let f: extern "C" fn(i64, *const libc::c_void, *mut libc::c_void) -> i32 = std::mem::transmute(sym);
                f(0, std::ptr::null(), std::ptr::null_mut());
            }
        }
    });
}

impl Field for NetcdfField {
    fn info(&self) -> &FieldInfo {
        &self.info
    }

    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        crate::error::guard_reader(&self.path, || self.read_frame_unguarded(t))
    }
}

impl NetcdfField {
    fn read_frame_unguarded(&self, t: usize) -> Result<Array2<f64>> {
        let (ny, nx) = (self.info.grid.ny(), self.info.grid.nx());
        if t >= self.info.times.len() {
            return Err(Error::option("frame", format!("frame {t} is out of range (the field has {} frames)", self.info.times.len())));
        }
        #[cfg(feature = "fast-read")]
        let fast = self.read_frame_fast(t);
        #[cfg(not(feature = "fast-read"))]
        let fast: Option<Vec<f64>> = None;
        let mut raw = match fast {
            Some(v) => v,
            // libnetcdf: also the path that words the error when the fast reader failed
            None => {
                let mut extents: Vec<netcdf::Extent> = Vec::with_capacity(self.ndims);
                if self.has_time_dim {
                    extents.push((t..t + 1).into());
                    for _ in 1..self.ndims - self.spatial() {
                        extents.push((0..1).into());
                    }
                }
                if self.spatial() == 2 {
                    extents.push((0..ny).into());
                    extents.push((0..nx).into());
                } else {
                    extents.push((0..self.stored_points()).into());
                }
                silence_hdf5_errors();
                let file = self.file.lock().unwrap_or_else(|p| p.into_inner());
                let var = file.variable(&self.source_variable).expect("variable checked at open");
                var.get_values::<f64, _>(extents).map_err(|e| Error::CorruptInput {
                    path: self.path.clone(),
                    what: format!("frame {t} of '{}'", self.source_variable),
                    detail: e.to_string(),
                })?
            }
        };
        self.unpacking.apply(&mut raw);
        let raw = self.stored.onto_grid(raw);
        Array2::from_shape_vec((ny, nx), raw).map_err(|e| Error::CorruptInput { path: self.path.clone(), what: format!("frame {t}"), detail: e.to_string() })
    }
}
