//! CF NetCDF-4 output of gridded fields (`stormtrack spectral`, `stormtrack vorticity`).
//!
//! Frames are produced one at a time by a callback and written as they come, so memory holds
//! one frame per variable whatever the length of the input. The file is written to a
//! temporary sibling and renamed into place: a failure leaves nothing behind.

use crate::error::{Error, Result};
use crate::io::atomic::temp_sibling;
use crate::time::Calendar;
use std::path::Path;

/// One output variable: its name and CF attributes (`units`, `standard_name`, `long_name`, ...).
#[derive(Debug, Clone)]
pub struct GridVariable {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// What the file holds besides the data.
#[derive(Debug, Clone)]
pub struct GridHeader<'a> {
    /// Latitude of each row, in the order the frames are given.
    pub lat: &'a [f64],
    /// Longitude of each column.
    pub lon: &'a [f64],
    /// Frame times (ms since the epoch); `None` writes 2-D variables with no time axis.
    pub times: Option<&'a [i64]>,
    /// Calendar of `times`.
    pub calendar: Calendar,
    pub variables: Vec<GridVariable>,
    /// Global attributes after `Conventions` (e.g. `history`, `source`).
    pub global: Vec<(String, String)>,
    /// Store the data as double instead of float.
    pub double: bool,
    /// Names of the latitude and longitude dimensions (and coordinate variables).
    pub axes: [&'a str; 2],
}

/// CF's names for the horizontal axes, as ERA5 files have them.
pub const LATITUDE_LONGITUDE: [&str; 2] = ["latitude", "longitude"];

/// Write `header` and the frames `frame(t)` (one row-major `ny * nx` vector per variable, in
/// `header.variables` order) for each time (one frame when there is no time axis).
pub fn write_grid<F>(path: &Path, header: &GridHeader<'_>, mut frame: F) -> Result<()>
where
    F: FnMut(usize) -> Result<Vec<Vec<f64>>>,
{
    let tmp = temp_sibling(path);
    let result = write_to(&tmp, header, &mut frame)
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| Error::Unwritable { path: path.into(), detail: e.to_string() }));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(path: &Path, h: &GridHeader<'_>, frame: &mut dyn FnMut(usize) -> Result<Vec<Vec<f64>>>) -> Result<()> {
    let err = |e: netcdf::Error| Error::Unwritable { path: path.into(), detail: e.to_string() };
    let (ny, nx) = (h.lat.len(), h.lon.len());
    let mut f = netcdf::create(path).map_err(err)?;
    f.add_attribute("Conventions", "CF-1.8").map_err(err)?;
    for (k, v) in &h.global {
        f.add_attribute(k, v.as_str()).map_err(err)?;
    }
    if let Some(times) = h.times {
        f.add_dimension("time", times.len()).map_err(err)?;
        let mut v = f.add_variable::<i64>("time", &["time"]).map_err(err)?;
        v.put_attribute("units", "milliseconds since 1970-01-01 00:00:00").map_err(err)?;
        v.put_attribute("calendar", h.calendar.output().name()).map_err(err)?;
        v.put_attribute("standard_name", "time").map_err(err)?;
        v.put_values(times, ..).map_err(err)?;
    }
    let [lat_name, lon_name] = h.axes;
    f.add_dimension(lat_name, ny).map_err(err)?;
    f.add_dimension(lon_name, nx).map_err(err)?;
    {
        let mut v = f.add_variable::<f64>(lat_name, &[lat_name]).map_err(err)?;
        v.put_attribute("units", "degrees_north").map_err(err)?;
        v.put_attribute("standard_name", "latitude").map_err(err)?;
        v.put_values(h.lat, ..).map_err(err)?;
    }
    {
        let mut v = f.add_variable::<f64>(lon_name, &[lon_name]).map_err(err)?;
        v.put_attribute("units", "degrees_east").map_err(err)?;
        v.put_attribute("standard_name", "longitude").map_err(err)?;
        v.put_values(h.lon, ..).map_err(err)?;
    }
    let dims: Vec<&str> = if h.times.is_some() { vec!["time", lat_name, lon_name] } else { vec![lat_name, lon_name] };
    for gv in &h.variables {
        let mut v = if h.double { f.add_variable::<f64>(&gv.name, &dims) } else { f.add_variable::<f32>(&gv.name, &dims) }.map_err(err)?;
        if h.times.is_some() {
            v.set_chunking(&[1, ny, nx]).map_err(err)?;
        }
        v.set_compression(1, true).map_err(err)?;
        for (k, val) in &gv.attributes {
            v.put_attribute(k, val.as_str()).map_err(err)?;
        }
    }
    let n_frames = h.times.map_or(1, <[i64]>::len);
    for t in 0..n_frames {
        let data = frame(t)?;
        for (gv, values) in h.variables.iter().zip(&data) {
            let mut v = f.variable_mut(&gv.name).expect("variable added above");
            let put = if h.double {
                if h.times.is_some() { v.put_values(values, (t, .., ..)) } else { v.put_values(values, ..) }
            } else {
                let single: Vec<f32> = values.iter().map(|&x| x as f32).collect();
                if h.times.is_some() { v.put_values(&single, (t, .., ..)) } else { v.put_values(&single, ..) }
            };
            put.map_err(err)?;
        }
    }
    f.close().map_err(err)?;
    Ok(())
}
