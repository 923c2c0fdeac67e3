//! The Simple tracker's continuation (docs/datasets.md#appending): the nearest-neighbour
//! linker resumes from the last frame's centres; stored points never change.

use super::{LinkState, Resumed, StoredRun, builder_like, points_of};
use crate::error::Result;
use crate::link::{FrameRef, LinkResume, SimpleLinker};
use crate::pipeline::tracker::Detections;
use crate::pipeline::{DetectedFrame, TrackRun};
use crate::tracks::{Point, Tracks};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// The state a Simple run stores: the linker's resume point and the numbering.
struct Stored {
    resume: LinkResume,
    tail_ids: Vec<i64>,
    next_id: i64,
}

impl Stored {
    fn parse(stored: &StoredRun<'_>) -> Result<Stored> {
        let s = stored.link_state;
        if s["algorithm"] != "simple" {
            return Err(stored.error(&format!("was tracked with algorithm = {}, this run has \"simple\"; append with the same options", s["algorithm"])));
        }
        let tails: Vec<(f64, f64, i64)> = s["tails"]
            .as_array()
            .ok_or_else(|| stored.error("link_state.tails is missing"))?
            .iter()
            .map(|t| Some((t[0].as_f64()?, t[1].as_f64()?, t[2].as_i64()?)))
            .collect::<Option<_>>()
            .ok_or_else(|| stored.error("link_state.tails is malformed"))?;
        Ok(Stored {
            resume: LinkResume { last_time: s["last_time"].as_i64(), step: s["step"].as_i64(), tails: tails.iter().map(|t| (t.0, t.1)).collect() },
            tail_ids: tails.iter().map(|t| t.2).collect(),
            next_id: s["next_id"].as_i64().ok_or_else(|| stored.error("link_state.next_id is missing"))?,
        })
    }
}

/// The descriptor's `link_state` of a Simple run (docs/datasets.md#appending).
fn link_state(end: &LinkResume, tail_ids: &[i64], next_id: i64, next_frame: u32, last_frame_time: i64) -> Value {
    json!({
        "algorithm": "simple",
        "last_time": end.last_time,
        "step": end.step,
        "next_id": next_id,
        "next_frame": next_frame,
        "last_frame_time": last_frame_time,
        "tails": end.tails.iter().zip(tail_ids).map(|(&(la, lo), id)| json!([la, lo, id])).collect::<Vec<_>>(),
    })
}

/// The linker's state after a full run: the last frame's centres are exactly the open tails,
/// in the linker's (lat, lon) order.
pub(crate) fn end_state(run: &TrackRun) -> LinkState {
    let with_centres: Vec<&DetectedFrame> = run.frames.iter().filter(|f| !f.centers.is_empty()).collect();
    let last_time = with_centres.last().map(|f| f.time);
    let step = (with_centres.len() > 1).then(|| with_centres[1].time - with_centres[0].time);
    let last = run.frames.last().expect("a run has frames");
    // the track of each cell of the last frame: tracks whose last point lies in it
    let t = &run.tracks;
    let mut by_cell = HashMap::new();
    if let Some(g) = &t.grid {
        for (k, &id) in t.ids.iter().enumerate() {
            let p = t.offsets[k + 1] - 1;
            if g.frame[p] == last.frame {
                by_cell.insert((g.row[p], g.col[p]), id);
            }
        }
    }
    let c = &last.centers;
    let mut order: Vec<usize> = (0..c.lats.len()).collect();
    order.sort_by(|&a, &b| c.lats[a].total_cmp(&c.lats[b]).then(c.lons[a].total_cmp(&c.lons[b])));
    let tails: Vec<(f64, f64)> = order.iter().map(|&k| (c.lats[k], c.lons[k])).collect();
    let ids: Vec<i64> = order.iter().map(|&k| by_cell.get(&(c.rows[k], c.cols[k])).copied().unwrap_or(-1)).collect();
    let resume = LinkResume { last_time, step, tails };
    let value = link_state(&resume, &ids, t.ids.iter().max().map_or(1, |m| m + 1), last.frame + 1, last.time);
    LinkState { value, frames: None }
}

/// Whether `stored` holds a Simple linker state.
pub(crate) fn check(stored: &StoredRun<'_>) -> Result<()> {
    Stored::parse(stored).map(|_| ())
}

/// Continue `stored` with `detections` of later frames.
pub(crate) fn resume(linker: &SimpleLinker, stored: &StoredRun<'_>, detections: Detections) -> Result<Resumed> {
    let state = Stored::parse(stored)?;
    let frames = detections.frames;
    let refs: Vec<FrameRef<'_>> = frames.iter().map(DetectedFrame::frame_ref).collect();
    let (linked, end, end_tails) = linker.link_resumed(&state.resume, &refs);
    let (tracks, ids, touched) = merge(stored.tracks, &state, &frames, &linked)?;
    let tail_ids: Vec<i64> = end_tails.iter().map(|&t| ids[t]).collect();
    let next_id = state.next_id + (linked.len() - state.resume.tails.len()) as i64;
    let last = frames.last().expect("at least one frame");
    let value = link_state(&end, &tail_ids, next_id, last.frame + 1, last.time);
    let changed_start_times = touched.iter().map(|&k| tracks.times[tracks.offsets[k]]).collect();
    let changed_point_times = frames.iter().map(|f| f.time).collect();
    Ok(Resumed { tracks, frames, state: LinkState { value, frames: None }, changed_point_times, changed_start_times, times: detections.times })
}

/// The stored tracks, the continued ones extended, then the new ones: the tracks of the whole
/// period in id order. Returns them, the id of every linked track, and the indices (in the
/// result) of the tracks that changed.
fn merge(stored: &Tracks, state: &Stored, frames: &[DetectedFrame], linked: &[Vec<(usize, usize)>]) -> Result<(Tracks, Vec<i64>, Vec<usize>)> {
    let n_tails = state.resume.tails.len();
    let ids: Vec<i64> = (0..linked.len()).map(|k| if k < n_tails { state.tail_ids[k] } else { state.next_id + (k - n_tails) as i64 }).collect();
    let new_points = |track: &[(usize, usize)]| -> (Vec<Point>, Vec<Vec<f64>>) {
        let mut points = Vec::new();
        let mut values = Vec::new();
        for &(fi, c) in track.iter().filter(|p| p.0 != usize::MAX) {
            let f = &frames[fi];
            let cs = &f.centers;
            points.push(Point { time: f.time, lat: cs.lats[c], lon: cs.lons[c], grid: Some((f.frame, cs.rows[c], cs.cols[c])) });
            let mut v = vec![cs.values[c]];
            v.extend(cs.extras.iter().map(|e| e.values[c]));
            values.push(v);
        }
        (points, values)
    };
    let continued: BTreeMap<i64, usize> = (0..n_tails).filter(|&k| linked[k].len() > 1).map(|k| (ids[k], k)).collect();
    let mut builder = builder_like(stored);
    let mut touched = Vec::new();
    for (i, &id) in stored.ids.iter().enumerate() {
        let (mut points, mut values) = points_of(stored, i);
        if let Some(&k) = continued.get(&id) {
            let (p, v) = new_points(&linked[k]);
            points.extend(p);
            values.extend(v);
            touched.push(i);
        }
        builder.push(id, &points, &values);
    }
    for k in n_tails..linked.len() {
        let (p, v) = new_points(&linked[k]);
        touched.push(stored.ids.len() + k - n_tails);
        builder.push(ids[k], &p, &v);
    }
    let tracks = builder.finish()?;
    Ok((tracks, ids, touched))
}
