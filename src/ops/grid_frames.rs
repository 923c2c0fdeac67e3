//! What `spectral` and `vorticity` share: the frames to process and a writer fed a chunk of
//! frames at a time, computed in parallel and handed over in order, so memory holds one chunk
//! whatever the length of the input.

use super::{check_positive, check_threads};
use crate::error::Result;
use crate::field::{Field, FieldInfo, FieldSeries, NetcdfField};
use ndarray::Array2;
use rayon::prelude::*;
use std::ops::Range;
use std::path::Path;

/// Frames computed together before they are written.
const CHUNK: usize = 32;

/// Which frames, how precise and on how many threads: what `spectral` and `vorticity` share.
#[derive(Debug, Clone, Default)]
pub struct GridRun {
    /// Only the first N time steps.
    pub n_frames: Option<usize>,
    /// Write double precision (default: single, like ERA5).
    pub double: bool,
    /// Worker threads; `None`: all cores.
    pub threads: Option<usize>,
}

impl GridRun {
    /// Check the counts.
    pub fn validate(&self) -> Result<()> {
        check_threads(self.threads)?;
        check_positive("n_frames", self.n_frames)
    }

    /// Frames `0..n_frames` of `field` (all when `None`).
    pub(crate) fn frames(&self, field: &impl Field) -> Range<usize> {
        let n = field.info().times.len();
        0..self.n_frames.map_or(n, |k| k.min(n))
    }
}

/// Attributes of the source variable worth keeping, with the unit of the values handed out.
pub(crate) fn attributes(field: &impl Field, long_name_suffix: &str) -> Vec<(String, String)> {
    let info = field.info();
    let mut a = vec![("units".to_string(), info.value_unit.clone())];
    if let Some(s) = &info.standard_name {
        a.push(("standard_name".into(), s.clone()));
    }
    a.push(("long_name".into(), format!("{}{long_name_suffix}", info.variable)));
    a
}

/// The input of `spectral` and `vorticity`: one NetCDF file, where a 2-D variable without a
/// time axis is one frame, or anything `track` reads (a GRIB file, a Zarr store, a glob of
/// files continuing each other) as a series.
pub(crate) enum GridInput {
    Netcdf(NetcdfField),
    Series(FieldSeries),
}

impl GridInput {
    /// Open `variable` of `input`.
    pub(crate) fn open(input: &Path, variable: &str) -> Result<Self> {
        #[cfg(feature = "grib")]
        let grib = crate::field::is_grib_file(input);
        #[cfg(not(feature = "grib"))]
        let grib = false;
        if input.is_file() && !grib {
            return Ok(GridInput::Netcdf(NetcdfField::open_grid(input, variable)?));
        }
        Ok(GridInput::Series(FieldSeries::open(&[input.to_path_buf()], variable)?))
    }

    /// Whether the field is one 2-D frame without a time coordinate.
    pub(crate) fn is_timeless(&self) -> bool {
        matches!(self, GridInput::Netcdf(f) if f.is_timeless())
    }

    /// The variable's name in the input.
    pub(crate) fn source_variable(&self) -> &str {
        match self {
            GridInput::Netcdf(f) => f.source_variable(),
            GridInput::Series(f) => f.source_variable(),
        }
    }

    fn field(&self) -> &dyn Field {
        match self {
            GridInput::Netcdf(f) => f,
            GridInput::Series(f) => f,
        }
    }
}

impl Field for GridInput {
    fn info(&self) -> &FieldInfo {
        self.field().info()
    }

    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        self.field().read_frame(t)
    }
}

/// Compute `frames(t)` for a chunk of frames in parallel, hand them to the writer in order.
pub(crate) fn chunked<'a>(
    range: Range<usize>,
    compute: impl Fn(usize) -> Result<Vec<Vec<f64>>> + Sync + 'a,
) -> impl FnMut(usize) -> Result<Vec<Vec<f64>>> + 'a {
    let mut chunk: Vec<Vec<Vec<f64>>> = Vec::new();
    let mut chunk_start = usize::MAX;
    move |i| {
        let t = range.start + i;
        if chunk_start == usize::MAX || t >= chunk_start + chunk.len() {
            chunk_start = t;
            let end = (t + CHUNK).min(range.end);
            chunk = (t..end).into_par_iter().map(&compute).collect::<Result<Vec<_>>>()?;
        }
        Ok(std::mem::take(&mut chunk[t - chunk_start]))
    }
}
