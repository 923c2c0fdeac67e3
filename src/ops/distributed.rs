//! Detection spread over other processes, linking once here (docs/distributed.md).
//!
//! `track` given a [`BlockRunner`] opens only the input's coordinates, asks the runner for
//! the selected frames, and links the blocks it hands back. The runner (the Python package's
//! Dask adapter) has each block of frames detected by [`detect_block`] on some worker, which
//! returns the block as compact Arrow IPC (centres, never fields). Detection is per frame and
//! the blocks are put back in frame order, so the result is the single-process run's, byte
//! for byte, however the frames were split.

use super::FieldOptions;
use super::detect::DetectionSettings;
use super::pool;
use crate::error::{Error, Result};
use crate::field::Field;
use crate::pipeline::blocks::{FrameBlock, assemble};
use std::ops::Range;

/// Has blocks of frames detected elsewhere.
pub trait BlockRunner: Sync {
    /// Detect frames `frames` (indices into the input's time axis) and hand each block's
    /// [`FrameBlock::to_ipc`] bytes to `on_block` as it is done, in any order; together the
    /// blocks cover `frames` once.
    fn detect(&self, frames: Range<usize>, on_block: &mut dyn FnMut(Vec<u8>) -> Result<()>) -> Result<()>;
}

/// What a worker runs: detect frames `frames` of the input described by `field` and
/// `detection` (the options of the whole run) and return them as one block.
///
/// `frame_offset` is the index, in the run's input, of the first frame of `field.input`
/// (non-zero when a worker holds only a time slice of it, as with a Dask array's chunk);
/// `frames` are indices in the run's input.
pub fn detect_block(field: &FieldOptions, detection: &DetectionSettings, frames: Range<usize>, frame_offset: usize) -> Result<Vec<u8>> {
    field.validate()?;
    let mut method = detection.method(field)?;
    let series = field.open_for(&mut method, &detection.other_variables(&field.variable))?;
    let (method, mode) = method.settle(&series, field, detection.feature_threshold)?;
    let n = series.info().times.len();
    if frames.start < frame_offset || frames.end > frame_offset + n || frames.start > frames.end {
        return Err(Error::option(
            "frames",
            format!("{}..{} is not within the {n} frames this input holds from frame {frame_offset}", frames.start, frames.end),
        ));
    }
    let local = frames.start - frame_offset..frames.end - frame_offset;
    let pool = pool(field.threads)?;
    let tracker = method.tracker(mode, None);
    let mut block = pool.install(|| -> Result<FrameBlock> {
        let d = tracker.detect(&series, local, None)?;
        let t = d.times;
        Ok(FrameBlock { frames: d.frames, processing: d.processing, stage_seconds: [t.read_s, t.filter_s, t.detect_s, t.refine_s] })
    })?;
    for f in &mut block.frames {
        f.frame += frame_offset as u32;
    }
    block.to_ipc()
}

/// The frames `frames` of an input with frame times `times`, detected by `runner` and put in
/// order; `progress` gets the frames done so far.
pub(crate) fn gather(runner: &dyn BlockRunner, frames: Range<usize>, times: &[i64], progress: &(dyn Fn(usize) + Sync)) -> Result<FrameBlock> {
    let mut blocks = Vec::new();
    let mut done = 0;
    runner.detect(frames.clone(), &mut |bytes| {
        let block = FrameBlock::from_ipc(&bytes)?;
        done += block.frames.len();
        progress(done);
        blocks.push(block);
        Ok(())
    })?;
    blocks.retain(|b| !b.frames.is_empty());
    blocks.sort_by_key(|b| b.frames[0].frame);
    assemble(blocks, frames, times)
}
