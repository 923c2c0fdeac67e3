//! Gridded fields read back for pictures (docs/plots.md#field-maps): the CF NetCDF files that
//! `metrics`, `stats` and `eulerian` write (or any NetCDF variable on latitude-longitude
//! coordinates, with or without a time axis), read with the pure-Rust NetCDF reader, and their
//! tidy Parquet tables. One frame is read, or the mean over all frames (NaN skipped).

use crate::error::{Error, Result};
use crate::field::cf::{LAT_NAMES, LON_NAMES, TIME_NAMES};
use arrow::array::{Array, Float64Array};
use arrow::datatypes::DataType;
use netcdf_reader::{NcFile, NcSliceInfo, NcSliceInfoElem, NcVariable};
use std::path::Path;

/// One 2-D field, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldFrame {
    /// The variable's name.
    pub name: String,
    /// Its `units`, if declared.
    pub unit: Option<String>,
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    /// Row-major `(lat, lon)`, NaN where missing.
    pub values: Vec<f64>,
    /// Which time it shows: a date, `mean of N times`, or empty without a time axis.
    pub when: String,
}

/// Which frame of a field: one by index, or `None` for the mean of all.
pub type FrameChoice = Option<usize>;

fn bad(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Format(format!("{}: {detail}", path.display()))
}

/// The variable to draw: `variable` if given (checked), else the only candidate.
fn choose(path: &Path, candidates: &[String], variable: Option<&str>) -> Result<String> {
    match variable {
        Some(v) if candidates.iter().any(|c| c == v) => Ok(v.to_string()),
        Some(v) => Err(Error::option("variable", format!("'{v}' is not a gridded field of {}; it has {}", path.display(), list(candidates)))),
        None if candidates.len() == 1 => Ok(candidates[0].clone()),
        None if candidates.is_empty() => Err(bad(path, "holds no field on latitude-longitude coordinates")),
        None => Err(Error::option("variable", format!("must name the field to draw: {} holds {}", path.display(), list(candidates)))),
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() { "none".into() } else { names.join(", ") }
}

/// Read a field of a NetCDF file (classic or NetCDF-4).
pub fn read_netcdf(path: &Path, variable: Option<&str>, frame: FrameChoice) -> Result<FieldFrame> {
    if !path.exists() {
        return Err(Error::MissingInput(path.to_path_buf()));
    }
    crate::error::guard_reader(path, || read_netcdf_file(path, variable, frame))
}

fn read_netcdf_file(path: &Path, variable: Option<&str>, frame: FrameChoice) -> Result<FieldFrame> {
    let file = NcFile::open(path).map_err(|e| Error::NotNetcdf { path: path.to_path_buf(), detail: e.to_string() })?;
    let variables = file.variables().map_err(|e| bad(path, e))?;
    let coord = |names: &[&str]| names.iter().find_map(|n| variables.iter().find(|v| v.name() == *n && v.dimensions().len() == 1));
    let lat_var = coord(LAT_NAMES).ok_or_else(|| bad(path, format!("has no latitude coordinate (looked for {})", LAT_NAMES.join(", "))))?;
    let lon_var = coord(LON_NAMES).ok_or_else(|| bad(path, format!("has no longitude coordinate (looked for {})", LON_NAMES.join(", "))))?;
    let (lat_dim, lon_dim) = (lat_var.dimensions()[0].name.clone(), lon_var.dimensions()[0].name.clone());
    let on_grid = |v: &NcVariable| {
        let d = v.dimensions();
        d.len() >= 2 && d.len() <= 4 && d[d.len() - 2].name == lat_dim && d[d.len() - 1].name == lon_dim && v.name() != lat_var.name()
    };
    let candidates: Vec<String> = variables.iter().filter(|v| on_grid(v)).map(|v| v.name().to_string()).collect();
    let name = choose(path, &candidates, variable)?;
    let var = variables.iter().find(|v| v.name() == name).expect("chosen among the variables");
    let read = |v: &NcVariable| {
        file.read_variable_as_f64(v.name()).map(|a| a.into_iter().collect::<Vec<f64>>()).map_err(|e| bad(path, format!("'{}' cannot be read ({e})", v.name())))
    };
    let (lat, lon) = (read(lat_var)?, read(lon_var)?);
    let dims = var.dimensions();
    let leading: Vec<u64> = dims[..dims.len() - 2].iter().map(|d| d.size).collect();
    if leading.iter().skip(1).any(|&n| n > 1) {
        return Err(bad(path, format!("'{name}' has more than one level or member; select one first")));
    }
    let n_frames = leading.first().copied().unwrap_or(1) as usize;
    let times = time_labels(&file, variables, dims.first().map(|d| d.name.as_str()), n_frames);
    let slice = |k: usize| -> Result<Vec<f64>> {
        let all = NcSliceInfoElem::Slice { start: 0, end: u64::MAX, step: 1 };
        let mut selections: Vec<NcSliceInfoElem> = leading.iter().enumerate().map(|(i, _)| NcSliceInfoElem::Index(if i == 0 { k as u64 } else { 0 })).collect();
        selections.extend([all.clone(), all]);
        let a =
            file.read_variable_slice_unpacked_masked(&name, &NcSliceInfo { selections }).map_err(|e| bad(path, format!("'{name}' cannot be read ({e})")))?;
        Ok(a.into_iter().collect())
    };
    let n_cells = lat.len() * lon.len();
    let (values, when) = pick_frame(n_frames, n_cells, frame, &times, |k| slice(k).and_then(|v| check_len(path, &name, v, n_cells)))?;
    let unit = var.attribute("units").and_then(|a| a.value.as_string());
    Ok(FieldFrame { name, unit, lat, lon, values, when })
}

fn check_len(path: &Path, name: &str, v: Vec<f64>, n: usize) -> Result<Vec<f64>> {
    if v.len() == n { Ok(v) } else { Err(bad(path, format!("'{name}' has {} values in a frame of {n} cells", v.len()))) }
}

/// The frames' dates (`YYYY-MM-DD HH:MM`) when the leading dimension has a CF time coordinate.
fn time_labels(file: &NcFile, variables: &[NcVariable], dim: Option<&str>, n: usize) -> Vec<String> {
    let Some(dim) = dim else { return Vec::new() };
    let Some(tv) = variables.iter().find(|v| v.dimensions().len() == 1 && v.dimensions()[0].name == dim && (TIME_NAMES.contains(&v.name()) || v.name() == dim))
    else {
        return Vec::new();
    };
    let text = |a: &str| tv.attribute(a).and_then(|a| a.value.as_string());
    let Some(units) = text("units") else { return Vec::new() };
    let Ok(cf) = crate::time::CfTimeUnits::parse(&units, text("calendar").as_deref()) else { return Vec::new() };
    let Ok(raw) = file.read_variable_as_f64(tv.name()) else { return Vec::new() };
    let labels: Vec<String> = raw.iter().filter_map(|&v| cf.decode(v).ok()).map(|ms| cf.calendar.format_iso(ms)[..16].replace('T', " ")).collect();
    if labels.len() == n { labels } else { Vec::new() }
}

/// Frame `frame` (checked against `n_frames`), or the NaN-skipping mean of all frames; with
/// the frame's label from `times` (`mean of N times` for the mean).
pub(crate) fn pick_frame(
    n_frames: usize,
    n_cells: usize,
    frame: FrameChoice,
    times: &[String],
    read: impl Fn(usize) -> Result<Vec<f64>>,
) -> Result<(Vec<f64>, String)> {
    if n_frames == 0 {
        return Err(Error::option("frame", "the field has no frames"));
    }
    let label = |k: usize| times.get(k).cloned().unwrap_or_else(|| if n_frames > 1 { format!("frame {k}") } else { String::new() });
    match frame {
        Some(k) if k >= n_frames => Err(Error::option("frame", format!("{k} is past the last frame ({} frames, counted from 0)", n_frames))),
        Some(k) => Ok((read(k)?, label(k))),
        None if n_frames == 1 => Ok((read(0)?, label(0))),
        None => {
            let (mut sum, mut count) = (vec![0.0; n_cells], vec![0u32; n_cells]);
            for k in 0..n_frames {
                for (i, v) in read(k)?.into_iter().enumerate().filter(|(_, v)| v.is_finite()) {
                    sum[i] += v;
                    count[i] += 1;
                }
            }
            let mean = sum.iter().zip(&count).map(|(s, &c)| if c > 0 { s / f64::from(c) } else { f64::NAN }).collect();
            Ok((mean, format!("mean of {n_frames} times")))
        }
    }
}

/// Read a field of a tidy gridded table (`.parquet`, or a directory holding `part-0.parquet`):
/// `cell_lat`, `cell_lon`, optional `time`, one Float64 column per field.
pub fn read_tidy(path: &Path, variable: Option<&str>, frame: FrameChoice) -> Result<FieldFrame> {
    if !path.exists() {
        return Err(Error::MissingInput(path.to_path_buf()));
    }
    let batches = crate::error::guard_reader(path, || if path.is_dir() { crate::io::parquet::read_table(path) } else { read_parquet_file(path) })?;
    let batch = arrow::compute::concat_batches(&batches.first().map(|b| b.schema()).ok_or_else(|| bad(path, "holds no rows"))?, &batches)?;
    let schema = batch.schema();
    let column = |n: &str| batch.column_by_name(n).and_then(|c| c.as_any().downcast_ref::<Float64Array>()).map(|a| a.values().to_vec());
    let (Some(cell_lat), Some(cell_lon)) = (column("cell_lat"), column("cell_lon")) else {
        return Err(bad(path, "is not a gridded table (no cell_lat and cell_lon columns); tracks are drawn from track files"));
    };
    let candidates: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| f.data_type() == &DataType::Float64 && !matches!(f.name().as_str(), "cell_lat" | "cell_lon"))
        .map(|f| f.name().clone())
        .collect();
    let name = choose(path, &candidates, variable)?;
    let values = column(&name).expect("a Float64 column");
    let lat = first_appearances(&cell_lat);
    let lon = first_appearances(&cell_lon);
    let n_cells = lat.len() * lon.len();
    if n_cells == 0 || values.len() % n_cells != 0 {
        return Err(bad(path, format!("{} rows do not tile a {} x {} grid", values.len(), lat.len(), lon.len())));
    }
    let n_frames = values.len() / n_cells;
    let unit = schema.field_with_name(&name).ok().and_then(|f| f.metadata().get("units").cloned());
    let times: Vec<String> = batch
        .column_by_name("time_iso")
        .or_else(|| batch.column_by_name("time"))
        .and_then(|c| arrow::compute::cast(c, &DataType::Utf8).ok())
        .map(|c| {
            let s = c.as_any().downcast_ref::<arrow::array::StringArray>().expect("cast to Utf8");
            (0..n_frames)
                .map(|k| if s.is_null(k * n_cells) { String::new() } else { s.value(k * n_cells).chars().take(16).collect::<String>().replace('T', " ") })
                .collect()
        })
        .unwrap_or_default();
    let (values, when) = pick_frame(n_frames, n_cells, frame, &times, |k| Ok(values[k * n_cells..(k + 1) * n_cells].to_vec()))?;
    Ok(FieldFrame { name, unit, lat, lon, values, when })
}

/// The distinct values of `v` in order of first appearance (the axes of a row-major table).
fn first_appearances(v: &[f64]) -> Vec<f64> {
    let mut seen = std::collections::HashSet::new();
    v.iter().copied().filter(|x| seen.insert(x.to_bits())).collect()
}

/// Every batch of one Parquet file.
fn read_parquet_file(path: &Path) -> Result<Vec<arrow::record_batch::RecordBatch>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(path, e))?.build()?;
    Ok(reader.collect::<std::result::Result<Vec<_>, _>>()?)
}
