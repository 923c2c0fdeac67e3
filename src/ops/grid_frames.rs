//! What `spectral` and `vorticity` share: the frames to process and a writer fed a chunk of
//! frames at a time, computed in parallel and handed over in order, so memory holds one chunk
//! whatever the length of the input.

use super::check_positive;
use crate::error::Result;
use crate::field::{Field, NetcdfField};
use rayon::prelude::*;
use std::ops::Range;

/// Frames computed together before they are written.
const CHUNK: usize = 32;

/// Frames `0..n_frames` of `field` (all when `None`).
pub(crate) fn frame_range(field: &NetcdfField, n_frames: Option<usize>) -> Result<Range<usize>> {
    check_positive("n_frames", n_frames)?;
    let n = field.info().times.len();
    Ok(0..n_frames.map_or(n, |k| k.min(n)))
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
