//! A field held in memory (synthetic data, tests, arrays handed over by other front ends).

use super::{Field, FieldInfo, Grid};
use crate::error::{Error, Result};
use ndarray::{Array2, Array3, s};

/// A field whose frames live in a (time, lat, lon) array.
#[derive(Debug, Clone)]
pub struct MemoryField {
    info: FieldInfo,
    data: Array3<f64>,
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
            grid: Grid::new(lat, lon),
        };
        Ok(MemoryField { info, data })
    }
}

impl Field for MemoryField {
    fn info(&self) -> &FieldInfo {
        &self.info
    }
    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        Ok(self.data.slice(s![t, .., ..]).to_owned())
    }
}
