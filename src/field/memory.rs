//! A field held in memory (synthetic data, tests, arrays handed over by other front ends).

use super::{Field, FieldInfo, Grid};
use crate::error::{Error, Result};
use crate::time::{Calendar, TimeAxis};
use ndarray::{Array2, Array3, s};

/// A field whose frames live in a (time, lat, lon) array.
#[derive(Debug, Clone)]
pub struct MemoryField {
    info: FieldInfo,
    data: Array3<f64>,
    /// The other fields a detector's criteria test, on the same times and grid.
    others: Vec<MemoryField>,
}

impl MemoryField {
    /// A field from data of shape (times, lat, lon) and its coordinates. The unit is used as is.
    pub fn new(variable: &str, unit: &str, times: Vec<i64>, lat: Vec<f64>, lon: Vec<f64>, data: Array3<f64>) -> Result<Self> {
        let (nt, ny, nx) = data.dim();
        if nt != times.len() || ny != lat.len() || nx != lon.len() {
            return Err(Error::BadShape {
                variable: variable.into(),
                dims: format!("({nt}, {ny}, {nx}) for {} times, {} latitudes and {} longitudes", times.len(), lat.len(), lon.len()),
            });
        }
        let info = FieldInfo {
            variable: variable.into(),
            standard_name: None,
            units: Some(unit.into()),
            value_unit: unit.into(),
            unit_factor: 1.0,
            times,
            calendar: Calendar::default(),
            grid: Grid::new(lat, lon),
        };
        Ok(MemoryField { info, data, others: Vec::new() })
    }

    /// A field from in-memory data with CF metadata, read as a NetCDF variable is: known
    /// variables are converted to their canonical unit (e.g. hPa to Pa), times must strictly
    /// increase and coordinates be finite. Used for xarray and NumPy input.
    pub fn from_cf(
        variable: &str,
        units: Option<&str>,
        standard_name: Option<String>,
        axis: TimeAxis,
        lat: Vec<f64>,
        lon: Vec<f64>,
        mut data: Array3<f64>,
    ) -> Result<Self> {
        let TimeAxis { times, calendar } = axis;
        if let Some(k) = times.windows(2).position(|w| w[1] <= w[0]) {
            return Err(Error::Time(format!(
                "times are not strictly increasing at index {} ({} then {}); sort by time first",
                k + 1,
                calendar.format_iso(times[k]),
                calendar.format_iso(times[k + 1])
            )));
        }
        for (axis, v) in [("latitude", &lat), ("longitude", &lon)] {
            if v.iter().any(|x| !x.is_finite()) {
                return Err(Error::option(axis, "coordinates must be finite numbers"));
            }
        }
        let factor = crate::variables::unit_factor(variable, units)?;
        let (value_unit, unit_factor) = match factor {
            Some(f) => (crate::variables::canonical_unit(variable).unwrap_or("1").to_string(), f),
            None => (units.unwrap_or("1").to_string(), 1.0),
        };
        if unit_factor != 1.0 {
            data.mapv_inplace(|x| x * unit_factor);
        }
        let mut field = MemoryField::new(variable, &value_unit, times, lat, lon, data)?;
        field.info.units = units.map(str::to_string);
        field.info.standard_name = standard_name;
        field.info.unit_factor = unit_factor;
        field.info.calendar = calendar;
        Ok(field)
    }
}

impl MemoryField {
    /// The same field carrying `others`, the fields its detector's criteria test (the closed
    /// contours of other variables, docs/algorithms.md#closed-contour-criterion), in order;
    /// each must have this field's times and grid.
    pub fn with_others(mut self, others: Vec<MemoryField>) -> Result<Self> {
        for o in &others {
            if o.data.dim() != self.data.dim() || o.info.times != self.info.times {
                let (nt, ny, nx) = o.data.dim();
                return Err(Error::BadShape {
                    variable: o.info.variable.clone(),
                    dims: format!("({nt}, {ny}, {nx}); it must lie on {}'s times and grid, {:?}", self.info.variable, self.data.dim()),
                });
            }
        }
        self.others = others;
        Ok(self)
    }
}

impl Field for MemoryField {
    fn info(&self) -> &FieldInfo {
        &self.info
    }
    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        Ok(self.data.slice(s![t, .., ..]).to_owned())
    }
    fn other_frames(&self, t: usize) -> Result<Vec<Array2<f64>>> {
        self.others.iter().map(|o| o.read_frame(t)).collect()
    }
    fn other_infos(&self) -> Vec<&FieldInfo> {
        self.others.iter().map(|o| &o.info).collect()
    }
}
