//! Gridded results (storm-track metrics and statistics) as CF NetCDF or as a tidy Parquet
//! table, chosen by the output path: `.nc` is NetCDF; `.parquet` a single file; anything else
//! a directory holding `part-0.parquet` and a `_stormtrack.json` descriptor. Every write is
//! atomic (temporary name, then rename).
//!
//! The tidy table has one row per time (if any) and cell: `time` (the period start, UTC),
//! `cell_lat`, `cell_lon`, then one column per field, rows in time, row-major cell order.

use crate::error::{Error, Result};
use crate::io::atomic::temp_sibling;
use crate::time::Calendar;
use arrow::array::{ArrayRef, Float64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One gridded field: a name, CF attributes and one row-major `(lat, lon)` array per time.
#[derive(Debug, Clone)]
pub struct GriddedField {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub frames: Vec<Vec<f64>>,
}

/// Fields on one grid, with an optional time axis (e.g. month starts).
#[derive(Debug, Clone)]
pub struct GriddedTable {
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    /// Times in ms since the epoch; `None`: one frame per field and no time axis.
    pub times: Option<Vec<i64>>,
    /// Calendar of `times`.
    pub calendar: Calendar,
    pub fields: Vec<GriddedField>,
    /// Global attributes (NetCDF) or descriptor entries (Parquet).
    pub attributes: Vec<(String, String)>,
}

/// Where a gridded result goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GriddedFormat {
    Netcdf,
    ParquetFile,
    ParquetDirectory,
}

impl GriddedFormat {
    /// By suffix: `.nc`/`.nc4` NetCDF, `.parquet` one file, no suffix (or a trailing `/`) a
    /// directory.
    pub fn of(path: &Path) -> Result<Self> {
        let s = path.to_string_lossy();
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        match ext.as_str() {
            _ if s.ends_with('/') || path.is_dir() => Ok(GriddedFormat::ParquetDirectory),
            "nc" | "nc4" | "netcdf" => Ok(GriddedFormat::Netcdf),
            "parquet" => Ok(GriddedFormat::ParquetFile),
            "" => Ok(GriddedFormat::ParquetDirectory),
            other => {
                Err(Error::Format(format!("cannot infer the output format from '.{other}' of {}; use .nc (NetCDF), .parquet or a directory", path.display())))
            }
        }
    }
}

/// Check before the long work that `path` can receive the result.
pub fn check_target(path: &Path) -> Result<GriddedFormat> {
    let format = GriddedFormat::of(path)?;
    match format {
        GriddedFormat::ParquetDirectory => crate::io::parquet::check_target(path)?,
        _ => crate::io::atomic::check_writable_file(path)?,
    }
    Ok(format)
}

/// Write `table` to `path` in the format its name asks for.
pub fn write(table: &GriddedTable, path: &Path) -> Result<()> {
    match check_target(path)? {
        #[cfg(feature = "netcdf")]
        GriddedFormat::Netcdf => write_netcdf(table, path),
        #[cfg(not(feature = "netcdf"))]
        GriddedFormat::Netcdf => Err(Error::Format("this build has no NetCDF support (feature `netcdf`); write .parquet instead".into())),
        GriddedFormat::ParquetFile => crate::io::parquet::write_file(&tidy_batch(table)?, path),
        GriddedFormat::ParquetDirectory => write_directory(table, path),
    }
}

#[cfg(feature = "netcdf")]
fn write_netcdf(t: &GriddedTable, path: &Path) -> Result<()> {
    use crate::io::grid_netcdf::{GridHeader, GridVariable, write_grid};
    let header = GridHeader {
        lat: &t.lat,
        lon: &t.lon,
        times: t.times.as_deref(),
        calendar: t.calendar,
        variables: t.fields.iter().map(|f| GridVariable { name: f.name.clone(), attributes: f.attributes.clone() }).collect(),
        global: t.attributes.clone(),
        double: true,
        axes: ["lat", "lon"],
    };
    write_grid(path, &header, |k| Ok(t.fields.iter().map(|f| f.frames[k].clone()).collect()))
}

/// The tidy table: `time` (when there is a time axis), `cell_lat`, `cell_lon`, the fields.
pub fn tidy_batch(t: &GriddedTable) -> Result<RecordBatch> {
    let (ny, nx) = (t.lat.len(), t.lon.len());
    let n_times = t.times.as_ref().map_or(1, Vec::len);
    let rows = n_times * ny * nx;
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    let mut iso = None;
    if let Some(times) = &t.times {
        let values: Vec<i64> = times.iter().flat_map(|&m| std::iter::repeat_n(m, ny * nx)).collect();
        let (field, column, iso_pair) = crate::arrow::time_column_pair("time", values, t.calendar);
        fields.push(field);
        columns.push(column);
        iso = iso_pair;
    }
    let cell_lat: Vec<f64> = (0..rows).map(|i| t.lat[(i / nx) % ny]).collect();
    let cell_lon: Vec<f64> = (0..rows).map(|i| t.lon[i % nx]).collect();
    for (name, values) in [("cell_lat", cell_lat), ("cell_lon", cell_lon)] {
        fields.push(Field::new(name, DataType::Float64, false));
        columns.push(Arc::new(Float64Array::from(values)));
    }
    for f in &t.fields {
        let meta = f.attributes.iter().filter(|(k, _)| k == "units" || k == "long_name").cloned().collect();
        fields.push(Field::new(&f.name, DataType::Float64, false).with_metadata(meta));
        let values: Vec<f64> = f.frames.iter().flatten().copied().collect();
        if values.len() != rows {
            return Err(Error::Arrow(format!("field {} has {} values for {rows} rows", f.name, values.len())));
        }
        columns.push(Arc::new(Float64Array::from(values)));
    }
    if let Some((field, column)) = iso {
        fields.push(field);
        columns.push(column);
    }
    let meta = t.attributes.iter().cloned().collect();
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields).with_metadata(meta)), columns)?)
}

fn write_directory(t: &GriddedTable, path: &Path) -> Result<()> {
    let path = PathBuf::from(path.to_string_lossy().trim_end_matches('/').to_string());
    let tmp = temp_sibling(&path);
    let _ = std::fs::remove_dir_all(&tmp);
    let unwritable = |e: std::io::Error| Error::Unwritable { path: path.clone(), detail: e.to_string() };
    let result = (|| -> Result<()> {
        std::fs::create_dir_all(&tmp).map_err(unwritable)?;
        crate::io::parquet::write_file(&tidy_batch(t)?, &tmp.join("part-0.parquet"))?;
        let attrs: serde_json::Map<String, serde_json::Value> = t.attributes.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        let desc = serde_json::json!({
            "format": "stormtrack-gridded/1",
            "written_by": format!("stormtrack {}", crate::VERSION),
            "fields": t.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            "attributes": attrs,
        });
        std::fs::write(tmp.join(crate::io::parquet::DESCRIPTOR), serde_json::to_string_pretty(&desc).expect("json") + "\n").map_err(unwritable)?;
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(unwritable)?;
        }
        std::fs::rename(&tmp, &path).map_err(unwritable)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
