//! Python entry points of the linkers' pieces (`stormtrack.compat.simple`, `.hodges`;
//! docs/algorithms.md#simple-linking, #segmentation-and-splicing): one Simple linking step
//! from open tails, the segment plan, and the splice of per-segment tracks.

use super::to_py;
use crate::error::Error;
use crate::link::mge::{AdaptTable, Feature, MgeParams, Segment, Splicer, Zone, link_segment_rows, plan_segments as plan};
use crate::link::{FrameRef, LinkResume, SimpleLinker};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

/// What one Simple linking step did: `(continued, started, tails, last_time, step)`:
/// `continued` the `(tail, centre)` pairs, `started` the centres that start tracks (in creation
/// order), `tails` the new tails as indices into `continued`'s tails (`< n_tails`) or
/// `n_tails + k` for the k-th started track, then the linker's time state.
type Step = (Vec<(usize, usize)>, Vec<usize>, Vec<usize>, Option<i64>, Option<i64>);

/// Link the centres `lats`, `lons` of the frame at `time` (ms) onto the open tails
/// `tail_lats`, `tail_lons`, the linker having last seen a frame at `last_time` with cadence
/// `step`: the Simple linker's rules (mutual nearest, strictly closer than `max_km`; an empty
/// frame or a gap beyond the cadence ends every tail).
#[pyfunction]
#[pyo3(signature = (tail_lats, tail_lons, last_time, step, time, lats, lons, *, max_km))]
#[allow(clippy::too_many_arguments)]
pub fn simple_link_step(
    tail_lats: Vec<f64>,
    tail_lons: Vec<f64>,
    last_time: Option<i64>,
    step: Option<i64>,
    time: i64,
    lats: Vec<f64>,
    lons: Vec<f64>,
    max_km: f64,
) -> PyResult<Step> {
    if tail_lats.len() != tail_lons.len() || lats.len() != lons.len() {
        return Err(to_py(Error::option("step_data", "latitudes and longitudes of different lengths; give one of each per centre")));
    }
    if !(max_km > 0.0) {
        return Err(to_py(Error::option("threshold", format!("{max_km} km; give a positive distance"))));
    }
    let n_tails = tail_lats.len();
    let resume = LinkResume { last_time, step, tails: tail_lats.into_iter().zip(tail_lons).collect() };
    let frame = FrameRef { time, lats: &lats, lons: &lons };
    let (tracks, end, tails) = SimpleLinker { max_km }.link_resumed(&resume, &[frame]);
    let mut continued = Vec::new();
    let mut started = Vec::new();
    for (k, track) in tracks.iter().enumerate() {
        if k < n_tails {
            continued.extend(track.get(1).map(|&(_, c)| (k, c)));
        } else {
            started.push(track[0].1);
        }
    }
    Ok((continued, started, tails, end.last_time, end.step))
}

/// The segment plan over `total` frames: `(start, stop, splice_index)` per segment (one
/// segment when `segment_frames` is None or covers every frame).
#[pyfunction]
#[pyo3(signature = (total, segment_frames, overlap))]
pub fn plan_segments(total: usize, segment_frames: Option<usize>, overlap: usize) -> Vec<(usize, usize, usize)> {
    plan(total, segment_frames, overlap).into_iter().map(|s| (s.start, s.stop, s.splice_index)).collect()
}

/// One segment's tracks as packed arrays: `(offsets, times, lats, lons)`.
type Packed<'py> = (PyReadonlyArray1<'py, i64>, PyReadonlyArray1<'py, i64>, PyReadonlyArray1<'py, f64>, PyReadonlyArray1<'py, f64>);

/// Splice the tracks of consecutive segments (packed, one entry per segment, with each
/// segment's `splice_index`), points matching within `tolerance_deg`: the whole tracks in
/// order, each a list of `(segment, point)`.
#[pyfunction]
#[pyo3(signature = (segments, splice_indices, *, tolerance_deg))]
pub fn splice_segments(segments: Vec<Packed<'_>>, splice_indices: Vec<usize>, tolerance_deg: f64) -> PyResult<Vec<Vec<(usize, usize)>>> {
    if segments.len() != splice_indices.len() {
        return Err(to_py(Error::option("segment_plan", format!("{} segments for {} sets of tracks; give one per set", splice_indices.len(), segments.len()))));
    }
    let mut arrays = Vec::with_capacity(segments.len());
    for (offsets, times, lats, lons) in &segments {
        let (o, t, la, lo) = (offsets.as_slice()?, times.as_slice()?, lats.as_slice()?, lons.as_slice()?);
        let points = t.len();
        let bad_offsets = o.first() != Some(&0) || o.windows(2).any(|w| w[1] < w[0]) || o.last().map(|&l| l as usize) != Some(points);
        if bad_offsets || la.len() != points || lo.len() != points {
            return Err(to_py(Error::option("segment_tracks", "a set of tracks whose offsets do not cover its points; pass Tracks objects")));
        }
        arrays.push((o, t, la, lo));
    }
    let tracks: Vec<Vec<Vec<(usize, usize)>>> =
        arrays.iter().enumerate().map(|(s, (o, ..))| o.windows(2).map(|w| (w[0] as usize..w[1] as usize).map(|p| (s, p)).collect()).collect()).collect();
    let time = |p: &(usize, usize)| arrays[p.0].1[p.1];
    let pos = |p: &(usize, usize)| (arrays[p.0].2[p.1], arrays[p.0].3[p.1]);
    let mut splicer = Splicer::default().with_tolerance(tolerance_deg);
    for (seg_tracks, &splice_index) in tracks.iter().zip(&splice_indices) {
        splicer.push(seg_tracks, &Segment { start: 0, stop: 0, splice_index }, time, pos);
    }
    Ok(splicer.tracks().iter().map(|a| a.points.clone()).collect())
}

/// One frame's features for [`mge_link_frames`]: latitudes, longitudes, values.
type FeatureFrame = (Vec<f64>, Vec<f64>, Vec<f64>);

/// MGE linking of `frames` at `times` (ms, strictly increasing) as one segment, every track
/// kept (TRACK's linker, docs/algorithms.md#mge-linking): `(id, [(frame, feature)])` per track,
/// ids the 1-based rows of the track table. `zones` rows `[lon_min, lon_max, lat_min, lat_max,
/// dmax]` (empty: none), `adapt` the adaptive table (None: none), `missing_frame_params`
/// `(dmax, phimax)` rows by missing-frame count (empty: `(dmax, phimax)`).
#[pyfunction]
#[pyo3(signature = (frames, times, *, w1, w2, dmax, phimax, max_iterations, zones, adapt, missing_frame_params, time_step_ms))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn mge_link_frames(
    py: Python<'_>,
    frames: Vec<FeatureFrame>,
    times: Vec<i64>,
    w1: f64,
    w2: f64,
    dmax: f64,
    phimax: f64,
    max_iterations: usize,
    zones: Vec<[f64; 5]>,
    adapt: Option<([f64; 4], [f64; 4])>,
    missing_frame_params: Vec<(f64, f64)>,
    time_step_ms: Option<i64>,
) -> PyResult<Vec<(i64, Vec<(usize, usize)>)>> {
    if frames.len() != times.len() {
        return Err(to_py(Error::option("detections", format!("{} frames for {} times; give one time per frame", frames.len(), times.len()))));
    }
    let mut features = Vec::with_capacity(frames.len());
    for (k, (lats, lons, values)) in frames.iter().enumerate() {
        if lats.len() != lons.len() || lats.len() != values.len() {
            return Err(to_py(Error::option("detections", format!("frame {k}: latitudes, longitudes and values of different lengths"))));
        }
        features.push(lats.iter().zip(lons).zip(values).map(|((&lat, &lon), &value)| Feature { lat, lon, value }).collect::<Vec<_>>());
    }
    let zone = |r: &[f64; 5]| Zone { lon_min: r[0], lon_max: r[1], lat_min: r[2], lat_max: r[3], dmax: r[4] };
    let adapt = adapt.map(|(t, v)| AdaptTable::new(t, v)).transpose().map_err(|e| to_py(e.into()))?;
    let params = MgeParams {
        w1,
        w2,
        dmax,
        phimax,
        max_iterations,
        min_track_points: 1,
        zones: zones.iter().map(zone).collect(),
        adapt,
        missing_frame_params,
        time_step_ms,
        segment_frames: None,
    };
    let effective = params.normalise().map_err(|e| to_py(e.into()))?;
    let slices: Vec<&[Feature]> = features.iter().map(Vec::as_slice).collect();
    let rows = py.detach(|| link_segment_rows(&slices, &times, &effective)).map_err(|e| to_py(e.into()))?;
    Ok(rows.into_iter().map(|(row, track)| (row as i64 + 1, track)).collect())
}
