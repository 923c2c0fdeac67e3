//! What `spectral` and `vorticity` share: the frames to process and a writer fed a chunk of
//! frames at a time, computed in parallel and handed over in order, so memory holds one chunk
//! whatever the length of the input.

use super::{check_positive, check_threads};
use crate::error::Result;
use crate::field::{Field, NetcdfField};
use rayon::prelude::*;
use std::ops::Range;

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
    pub(crate) fn frames(&self, field: &NetcdfField) -> Range<usize> {
        let n = field.info().times.len();
        0..self.n_frames.map_or(n, |k| k.min(n))
    }
}

/// Attributes of the source variable worth keeping, with the unit of the values handed out.
pub(crate) fn attributes(field: &NetcdfField, long_name_suffix: &str) -> Vec<(String, String)> {
    let info = field.info();
    let mut a = vec![("units".to_string(), info.value_unit.clone())];
    if let Some(s) = &info.standard_name {
        a.push(("standard_name".into(), s.clone()));
    }
    a.push(("long_name".into(), format!("{}{long_name_suffix}", info.variable)));
    a
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
