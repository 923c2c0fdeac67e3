//! The Hodges tracker fed one frame at a time (docs/datasets.md#streaming-the-hodges-tracker).
//!
//! The batch linker plans overlapping segments of `segment_frames` frames from the first frame
//! on, links each one by MGE on its own and splices them in order; every segment but the last
//! is the same whatever the number of frames that follow. So this tracker buffers frames until
//! the next segment is complete, links it, splices it, and hands back every track the splice
//! closed. Over a whole run it returns the tracks of [`super::hodges::track_hodges`] on the
//! same frames, with the same ids. The window is one segment (`segment_frames` + 2 frames of
//! overlap: 64 by default); a track comes back once the segment after its end is linked;
//! without segmentation everything comes back at `finish`.

use super::hodges::{HodgesOptions, detect_hodges_with, mge_features, spectral_step, validate};
use super::streaming::StreamSpec;
use super::{DetectedFrame, build_tracks};
use crate::error::{Error, Result};
use crate::field::{Field, MemoryField};
use crate::link::mge::TrackPoint;
use crate::link::mge::{self, EffectiveParams, Segment, Splicer, link_segment, plan_segments};
use crate::spectral::SpectralFilter;
use crate::time::TimeAxis;
use crate::tracks::{ProcessingStep, Tracks, TracksMetadata};
use crate::variables::Mode;
use ndarray::{Array2, Array3, Axis};

/// The Hodges tracker, one frame at a time.
pub struct HodgesStreamingTracker {
    spec: StreamSpec,
    opts: HodgesOptions,
    params: EffectiveParams,
    filter: Option<SpectralFilter>,
    processing: Vec<ProcessingStep>,
    lon_convention: crate::geo::LonConvention,
    unit: String,
    /// Detected frames and their linker features from run frame `base` on.
    frames: Vec<DetectedFrame>,
    features: Vec<Vec<mge::Feature>>,
    base: usize,
    received: usize,
    /// Segments of the plan linked and spliced so far.
    linked_segments: usize,
    splicer: Splicer,
    /// Spliced tracks handed back (or dropped as shorter than `min_track_points`).
    handed: Vec<bool>,
}

impl HodgesStreamingTracker {
    /// A tracker for frames described by `spec` with the options of a batch run (its
    /// `selection` is ignored: every pushed frame is tracked).
    pub fn new(spec: StreamSpec, opts: HodgesOptions) -> Result<Self> {
        validate(&opts)?;
        let params = opts.linker.normalise().map_err(|e| Error::option("linker", e.to_string()))?;
        let probe = Array2::from_elem((spec.lat.len(), spec.lon.len()), f64::NAN);
        let field = one_frame(&spec, 0, probe)?;
        let grid = &field.info().grid;
        let filter = opts.spectral.as_ref().map(|s| SpectralFilter::new(&grid.lat, &grid.lon, s)).transpose()?;
        let processing = opts.spectral.iter().map(|s| spectral_step(s, filter.as_ref())).collect();
        Ok(HodgesStreamingTracker {
            lon_convention: grid.lon_convention,
            unit: field.info().value_unit.clone(),
            spec,
            opts,
            params,
            filter,
            processing,
            frames: Vec::new(),
            features: Vec::new(),
            base: 0,
            received: 0,
            linked_segments: 0,
            splicer: Splicer::default(),
            handed: Vec::new(),
        })
    }

    /// Frames buffered for the next segment or for tracks not yet handed back.
    pub fn buffered_frames(&self) -> usize {
        self.frames.len()
    }

    /// Detect `frame` (latitude x longitude) at `time` (ms in the spec's calendar) and return
    /// the tracks that the segments completed by it closed.
    pub fn push(&mut self, time: i64, frame: Array2<f64>) -> Result<Tracks> {
        if let Some(last) = self.frames.last().map(|f| f.time)
            && time <= last
        {
            let c = self.spec.calendar;
            return Err(Error::Time(format!("frame at {} is not after the previous one ({}); push frames in time order", c.format_iso(time), c.format_iso(last))));
        }
        let field = one_frame(&self.spec, time, frame)?;
        if self.opts.mode.is_none() {
            self.opts.mode = Some(field.default_mode()?);
        }
        let mut detected = detect_hodges_with(&field, &self.opts, 0..1, None, self.filter.as_ref())?.frames.pop().expect("one frame");
        detected.frame = self.received as u32;
        self.features.push(mge_features(&detected));
        self.frames.push(detected);
        self.received += 1;
        self.advance(false)
    }

    /// Link the last segment and return every track not handed back yet; no more frames.
    pub fn finish(mut self) -> Result<Tracks> {
        self.advance(true)
    }

    /// Link and splice every segment that no later frame can change (all of them when
    /// `last`), hand back the tracks closed, and forget the frames no longer needed.
    fn advance(&mut self, last: bool) -> Result<Tracks> {
        let plan = plan_segments(self.received, self.params.segment_frames, 2);
        let later = plan_segments(self.received + 2 * self.params.segment_frames.unwrap_or(0) + 4, self.params.segment_frames, 2);
        let settled = if last { plan.len() } else { plan.iter().zip(&later).take_while(|(a, b)| a == b).count() };
        for k in self.linked_segments..settled {
            self.link(plan[k])?;
        }
        self.linked_segments = settled;
        self.handed.resize(self.splicer.tracks().len(), false);
        let mut out: Vec<(i64, Vec<TrackPoint>)> = Vec::new();
        for (i, t) in self.splicer.tracks().iter().enumerate() {
            if !self.handed[i] && (last || !t.open) {
                self.handed[i] = true;
                if t.points.len() >= self.params.min_track_points {
                    out.push((i as i64 + 1, t.points.iter().map(|&(f, c)| (f - self.base, c)).collect()));
                }
            }
        }
        let tracks = self.tracks_of(&out)?;
        let next_start = later.get(settled).map_or(self.received, |s| s.start);
        self.forget_before(next_start);
        Ok(tracks)
    }

    /// Link one segment by MGE and splice it on.
    fn link(&mut self, seg: Segment) -> Result<()> {
        let local = seg.start - self.base..seg.stop - self.base;
        let frames: Vec<&[mge::Feature]> = self.features[local.clone()].iter().map(Vec::as_slice).collect();
        let times: Vec<i64> = self.frames[local].iter().map(|f| f.time).collect();
        let tracks = link_segment(&frames, &times, &self.params).map_err(|e| Error::option("linker", e.to_string()))?;
        let tracks: Vec<Vec<TrackPoint>> = tracks.into_iter().map(|t| t.into_iter().map(|(f, g)| (f + seg.start, g)).collect()).collect();
        let (base, frames, features) = (self.base, &self.frames, &self.features);
        let time = |p: &TrackPoint| frames[p.0 - base].time;
        let pos = |p: &TrackPoint| {
            let f = &features[p.0 - base][p.1];
            (f.lat, f.lon)
        };
        self.splicer.push(&tracks, &seg, time, pos);
        Ok(())
    }

    /// Tracks from (id, points in buffer frame indices), as the batch run builds them.
    fn tracks_of(&self, list: &[(i64, Vec<TrackPoint>)]) -> Result<Tracks> {
        let mut metadata = TracksMetadata::new(self.spec.variable.clone(), self.opts.mode.unwrap_or(Mode::Max));
        metadata.calendar = self.spec.calendar;
        metadata.processing.extend(self.processing.iter().cloned());
        let ids: Vec<i64> = list.iter().map(|t| t.0).collect();
        let points: Vec<Vec<TrackPoint>> = list.iter().map(|t| t.1.clone()).collect();
        build_tracks(metadata, &self.spec.variable, &self.unit, self.lon_convention, &self.frames, &points, Some(&ids))
    }

    /// Drop buffered frames before run frame `next_start` that no track still to be handed
    /// back uses.
    fn forget_before(&mut self, next_start: usize) {
        let in_use = self.splicer.tracks().iter().zip(&self.handed).filter(|(_, h)| !**h).filter_map(|(t, _)| t.points.first().map(|p| p.0)).min();
        let keep_from = in_use.map_or(next_start, |f| f.min(next_start));
        if keep_from > self.base {
            let n = (keep_from - self.base).min(self.frames.len());
            self.frames.drain(..n);
            self.features.drain(..n);
            self.base += n;
        }
    }
}

/// One frame as a field, read as a file's would be (units, calendar).
fn one_frame(spec: &StreamSpec, time: i64, frame: Array2<f64>) -> Result<MemoryField> {
    let data: Array3<f64> = frame.insert_axis(Axis(0));
    let axis = TimeAxis { times: vec![time], calendar: spec.calendar };
    MemoryField::from_cf(&spec.variable, spec.units.as_deref(), spec.standard_name.clone(), axis, spec.lat.clone(), spec.lon.clone(), data)
}
