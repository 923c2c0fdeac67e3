//! `track -a hodges --append DIR`: continue a Hodges dataset from the linker state kept with it
//! (docs/datasets.md#appending-hodges-datasets).
//!
//! The dataset keeps the streaming Hodges tracker's state after its last frame: the segments
//! linked so far, the tracks not yet closed and the exact features of the frames still to be
//! re-linked. The append detects only the new frames, resumes that tracker with them and
//! finishes it: the tracks it hands back replace the stored ones that were still open (and
//! those the stored run's last, shorter segment made); every other stored track is final. The
//! result is the dataset of one run over all the frames.

use super::append::{Continued, month_of, points_of, same_options, state_error, write_continued};
use super::detect::Method;
use super::track::{Options, Tracked, stream_spec};
use crate::error::{Error, Result};
use crate::field::Field;
use crate::io::parquet as pq;
use crate::pipeline::blocks::FrameBlock;
use crate::pipeline::hodges::{HodgesOptions, detect_hodges};
use crate::pipeline::streaming_hodges::{HodgesLinkState, HodgesStreamingTracker};
use crate::tracks::{Point, Tracks, TracksBuilder};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The provenance keys that decide a Hodges run's tracks.
const DECIDING: [&str; 17] = [
    "algorithm",
    "nside",
    "variable",
    "object_threshold",
    "feature_refinement",
    "min_object_grid_points",
    "w1",
    "w2",
    "dmax",
    "phimax",
    "mge_max_iterations",
    "min_track_points",
    "segment_frames",
    "lmin",
    "lmax",
    "spectral_taper",
    "linker_tables",
];

/// One track: id, points, values.
type Track = (i64, Vec<Point>, Vec<Vec<f64>>);

/// Continue the Hodges dataset at `dir` with the frames of `opts.field` (`method` unsettled).
pub(super) fn run(opts: &Options, dir: &Path, method: Method, progress: &dyn super::Progress) -> Result<Tracked> {
    // one generation read throughout; the write refuses if another writer switched since
    let generation = crate::io::generations::snapshot(dir);
    let descriptor = pq::read_descriptor(&generation)?;
    let mut method = method;
    let field = opts.field.open_for(&mut method, &[])?;
    let (method, mode) = method.settle(&field, &opts.field, None)?;
    let Method::Hodges(h) = method else { unreachable!("the caller checked the method") };
    let algorithm = if h.healpix.is_some() { super::detect::Algorithm::Healpix } else { super::detect::Algorithm::Hodges };
    let h = HodgesOptions { mode: Some(mode), ..*h };
    let mut provenance = super::track::provenance(&field, opts.input_name.as_deref());
    crate::pipeline::provenance::hodges(&mut provenance, &h, &field);
    same_options(dir, &descriptor, &provenance, &DECIDING)?;
    let state = stored_state(dir, &generation, &descriptor)?;
    let next_frame = descriptor["link_state"]["next_frame"].as_u64().ok_or_else(|| state_error(dir, "link_state.next_frame is missing"))? as u32;
    let last_frame_time = descriptor["link_state"]["last_frame_time"].as_i64().ok_or_else(|| state_error(dir, "link_state.last_frame_time is missing"))?;
    let stored = pq::read_dataset(&generation)?;
    let info = field.info();
    if stored.metadata.mode != mode || stored.metadata.calendar != info.calendar {
        return Err(state_error(dir, "holds another detection mode or calendar than this input"));
    }
    let range = opts.field.selection(info.calendar)?.frames(&info.times);
    if range.is_empty() {
        return Err(Error::TooFewFrames("the time selection contains no frame; widen `start`/`end`".into()));
    }
    let first = info.times[range.start];
    if first <= last_frame_time {
        let iso = |t: i64| info.calendar.format_iso(t);
        return Err(state_error(
            dir,
            &format!("ends at {}; the input starts at {}, which overlaps or precedes it; append only later data", iso(last_frame_time), iso(first)),
        ));
    }

    let pool = super::pool(opts.field.threads)?;
    let detected = pool.install(|| super::progress::reporting(progress, range.len(), |p| detect_hodges(&field, &h, range.clone(), Some(p))))?;
    let mut frames = detected.frames;
    for f in &mut frames {
        f.frame += next_frame;
    }
    let open_ids: BTreeSet<i64> = stored.ids.iter().copied().filter(|&id| state.open_ids()(id)).collect();
    let mut tracker = HodgesStreamingTracker::resume(stream_spec(&field), h.clone(), state)?;
    let mut emitted: Vec<Track> = Vec::new();
    for f in &frames {
        collect(&tracker.push_detected(f.clone())?, &mut emitted);
    }
    let (link_state, link_frames) = super::track::hodges_link_value(&tracker.state())?;
    collect(&pool.install(|| tracker.finish())?, &mut emitted);

    let (tracks, touched_points, touched_starts) = merge(&stored, &open_ids, emitted, info.calendar)?;
    let new_months: BTreeSet<(i32, u32)> = frames.iter().map(|f| month_of(info.calendar, f.time)).collect();
    let touched = BTreeMap::from([("centers", new_months), ("track_points", touched_points), ("tracks", touched_starts)]);
    let base = pq::AppendBase { generation, touched };
    let continued = Continued { tracks, frames, provenance, link_state, link_frames: Some(link_frames), algorithm, stage_times: Some(detected.times) };
    write_continued(dir, base, &descriptor, &field, mode, continued)
}

/// The linker state a Hodges dataset keeps: `link_state` in its descriptor and the frames
/// beside it.
fn stored_state(dir: &Path, generation: &Path, descriptor: &serde_json::Value) -> Result<HodgesLinkState> {
    let s = &descriptor["link_state"];
    if s["algorithm"] != "hodges" {
        return Err(state_error(dir, "has no stored Hodges linker state (written by an older version); track the whole period again"));
    }
    let bytes = pq::read_link_frames(generation)?.ok_or_else(|| state_error(dir, &format!("has no {}; track the whole period again", pq::LINK_FRAMES)))?;
    let block = FrameBlock::from_ipc(&bytes).map_err(|e| state_error(dir, &format!("{}: {e}", pq::LINK_FRAMES)))?;
    HodgesLinkState::from_json(s, block.frames)
}

/// Append every track of `t` to `out`.
fn collect(t: &Tracks, out: &mut Vec<Track>) {
    for i in 0..t.len() {
        let (points, values) = points_of(t, i);
        out.push((t.ids[i], points, values));
    }
}

/// The stored tracks that were final, and the tracks the continuation handed back in place of
/// the open ones, in id order; with the (year, month) partitions of `track_points` and
/// `tracks` that changed.
fn merge(
    stored: &Tracks,
    open_ids: &BTreeSet<i64>,
    emitted: Vec<Track>,
    calendar: crate::time::Calendar,
) -> Result<(Tracks, BTreeSet<(i32, u32)>, BTreeSet<(i32, u32)>)> {
    let (mut touched_points, mut touched_starts) = (BTreeSet::new(), BTreeSet::new());
    let mut all: Vec<Track> = Vec::with_capacity(stored.len() + emitted.len());
    for (i, &id) in stored.ids.iter().enumerate() {
        let (points, values) = points_of(stored, i);
        if open_ids.contains(&id) {
            touched_points.extend(points.iter().map(|p| month_of(calendar, p.time)));
            touched_starts.insert(month_of(calendar, points[0].time));
        } else {
            all.push((id, points, values));
        }
    }
    for t in &emitted {
        touched_points.extend(t.1.iter().map(|p| month_of(calendar, p.time)));
        if let Some(p) = t.1.first() {
            touched_starts.insert(month_of(calendar, p.time));
        }
    }
    all.extend(emitted);
    all.sort_by_key(|t| t.0);
    if all.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Error::InvalidTracks("a continued Hodges track has the id of a stored final one".into()));
    }
    let variables: Vec<(&str, &str)> = stored.variables.iter().map(|v| (v.name.as_str(), v.unit.as_str())).collect();
    let convention = stored.grid.as_ref().map(|g| g.lon_convention);
    let mut builder = TracksBuilder::new(stored.metadata.clone(), &variables, convention);
    for (id, points, values) in &all {
        builder.push(*id, points, values);
    }
    Ok((builder.finish()?, touched_points, touched_starts))
}
