//! The Hodges (and HEALPix) tracker's continuation (docs/datasets.md#appending-hodges-datasets).
//!
//! A run keeps the streaming Hodges tracker's state after its last frame: the segments linked
//! so far, the tracks not yet closed and the exact features of the frames still to be
//! re-linked. Continuing resumes that tracker with the new frames and finishes it: the tracks
//! it hands back replace the stored ones that were still open (and those the stored run's last,
//! shorter segment made); every other stored track is final. The result is the tracks of one
//! run over all the frames.

use super::{LinkState, Resumed, StoredRun, builder_like, points_of};
use crate::error::{Error, Result};
use crate::field::Field;
use crate::link::mge::LinkedSegments;
use crate::pipeline::DetectedFrame;
use crate::pipeline::blocks::FrameBlock;
use crate::pipeline::hodges::HodgesOptions;
use crate::pipeline::streaming::StreamSpec;
use crate::pipeline::streaming_hodges::{HodgesLinkState, HodgesStreamingTracker};
use crate::pipeline::tracker::Detections;
use crate::tracks::{Point, Tracks};
use serde_json::json;
use std::collections::BTreeSet;

/// One track: id, points, values.
type Track = (i64, Vec<Point>, Vec<Vec<f64>>);

/// The linker's state after a run's `frames`: the streaming tracker replayed over them,
/// splicing the `segments` the run linked (no segment is linked twice).
pub(crate) fn end_state(field: &dyn Field, opts: &HodgesOptions, frames: &[DetectedFrame], segments: LinkedSegments) -> Result<LinkState> {
    let mut replay = HodgesStreamingTracker::linker_only(StreamSpec::of(field), opts.clone())?.with_prelinked(segments);
    for f in frames {
        replay.ingest(f.clone())?;
    }
    link_state(&replay.state())
}

/// A Hodges linker state as the descriptor's `link_state` and the bytes of its frames.
pub(crate) fn link_state(state: &HodgesLinkState) -> Result<LinkState> {
    let last = state.frames.last().ok_or_else(|| Error::option("append", "the linker state holds no frame"))?;
    let mut value = state.to_json();
    value["next_frame"] = json!(last.frame + 1);
    value["last_frame_time"] = json!(last.time);
    let bytes = FrameBlock { frames: state.frames.clone(), ..FrameBlock::default() }.to_ipc()?;
    Ok(LinkState { value, frames: Some(bytes) })
}

/// The stored state: `link_state` and the frames beside it.
fn stored_state(stored: &StoredRun<'_>) -> Result<HodgesLinkState> {
    if stored.link_state["algorithm"] != "hodges" {
        return Err(stored.error("has no stored Hodges linker state (written by an older version); track the whole period again"));
    }
    let bytes = stored.link_frames.ok_or_else(|| stored.error(&format!("has no {}; track the whole period again", crate::io::parquet::LINK_FRAMES)))?;
    let block = FrameBlock::from_ipc(bytes).map_err(|e| stored.error(&format!("{}: {e}", crate::io::parquet::LINK_FRAMES)))?;
    HodgesLinkState::from_json(stored.link_state, block.frames)
}

/// Whether `stored` holds a Hodges linker state with its frames.
pub(crate) fn check(stored: &StoredRun<'_>) -> Result<()> {
    stored_state(stored).map(|_| ())
}

/// Continue `stored` with `detections` of later frames.
pub(crate) fn resume(field: &dyn Field, opts: &HodgesOptions, stored: &StoredRun<'_>, detections: Detections) -> Result<Resumed> {
    let state = stored_state(stored)?;
    let open_ids: BTreeSet<i64> = stored.tracks.ids.iter().copied().filter(|&id| state.open_ids()(id)).collect();
    let mut tracker = HodgesStreamingTracker::resume(StreamSpec::of(field), opts.clone(), state)?;
    let mut emitted: Vec<Track> = Vec::new();
    for f in &detections.frames {
        collect(&tracker.push_detected(f.clone())?, &mut emitted);
    }
    let next = link_state(&tracker.state())?;
    collect(&tracker.finish()?, &mut emitted);
    let (tracks, changed_point_times, changed_start_times) = merge(stored.tracks, &open_ids, emitted)?;
    Ok(Resumed { tracks, frames: detections.frames, state: next, changed_point_times, changed_start_times, times: detections.times })
}

/// Append every track of `t` to `out`.
fn collect(t: &Tracks, out: &mut Vec<Track>) {
    for i in 0..t.len() {
        let (points, values) = points_of(t, i);
        out.push((t.ids[i], points, values));
    }
}

/// The stored tracks that were final, and the tracks the continuation handed back in place of
/// the open ones, in id order; with the times of the points and the first times of the tracks
/// that changed.
fn merge(stored: &Tracks, open_ids: &BTreeSet<i64>, emitted: Vec<Track>) -> Result<(Tracks, Vec<i64>, Vec<i64>)> {
    let (mut point_times, mut start_times) = (Vec::new(), Vec::new());
    let mut all: Vec<Track> = Vec::with_capacity(stored.len() + emitted.len());
    for (i, &id) in stored.ids.iter().enumerate() {
        let (points, values) = points_of(stored, i);
        if open_ids.contains(&id) {
            point_times.extend(points.iter().map(|p| p.time));
            start_times.push(points[0].time);
        } else {
            all.push((id, points, values));
        }
    }
    for t in &emitted {
        point_times.extend(t.1.iter().map(|p| p.time));
        start_times.extend(t.1.first().map(|p| p.time));
    }
    all.extend(emitted);
    all.sort_by_key(|t| t.0);
    if all.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Error::InvalidTracks("a continued Hodges track has the id of a stored final one".into()));
    }
    let mut builder = builder_like(stored);
    for (id, points, values) in &all {
        builder.push(*id, points, values);
    }
    Ok((builder.finish()?, point_times, start_times))
}
