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

use super::healpix::HealpixDetection;
use super::hodges::{HodgesOptions, detect_hodges_with, mge_features, spectral_step, validate};
use super::streaming::StreamSpec;
use super::{DetectedFrame, build_tracks};
use crate::error::{Error, Result};
use crate::field::Field;
use crate::link::mge::TrackPoint;
use crate::link::mge::{self, Accumulated, EffectiveParams, Segment, Splicer, link_segment, plan_segments};
use crate::spectral::SpectralFilter;
use crate::tracks::{ProcessingStep, Tracks, TracksMetadata};
use crate::variables::Mode;
use ndarray::Array2;
use serde_json::{Value, json};

/// Where a Hodges run stands after its last frame, before the last segment is linked: what a
/// continuation needs to give the tracks of one run over all the frames
/// (docs/datasets.md#appending-hodges-datasets).
#[derive(Debug, Clone, PartialEq)]
pub struct HodgesLinkState {
    /// Frames received (stream positions `0..received`).
    pub received: usize,
    /// Stream position of the first buffered frame.
    pub base: usize,
    /// Segments of the plan linked and spliced.
    pub linked_segments: usize,
    /// Tracks spliced so far (ids `1..=spliced` are taken).
    pub spliced: usize,
    /// Spliced tracks not handed back yet: position, whether a segment may continue it, and
    /// points (stream position, feature index).
    pub pending: Vec<(usize, bool, Vec<TrackPoint>)>,
    /// The buffered frames, from `base` on, exactly as detected.
    pub frames: Vec<DetectedFrame>,
}

impl HodgesLinkState {
    /// The ids a continuation may still change: those of the pending tracks and every id
    /// after `spliced` (tracks the last, shorter segment of the run made).
    pub fn open_ids(&self) -> impl Fn(i64) -> bool + '_ {
        move |id| id > self.spliced as i64 || self.pending.iter().any(|p| p.0 as i64 + 1 == id)
    }

    /// Everything but the frames, for the dataset's descriptor.
    pub fn to_json(&self) -> Value {
        json!({
            "algorithm": "hodges",
            "received": self.received,
            "base": self.base,
            "linked_segments": self.linked_segments,
            "spliced": self.spliced,
            "pending": self.pending.iter().map(|(p, open, pts)| json!([p, open, pts])).collect::<Vec<_>>(),
        })
    }

    /// The state from [`HodgesLinkState::to_json`] and the buffered frames.
    pub fn from_json(v: &Value, frames: Vec<DetectedFrame>) -> Result<Self> {
        let bad = |what: &str| Error::option("append", format!("the stored Hodges linker state is {what}"));
        let num = |k: &str| v[k].as_u64().map(|n| n as usize).ok_or_else(|| bad(&format!("missing {k}")));
        let pending: Vec<(usize, bool, Vec<TrackPoint>)> = serde_json::from_value(v["pending"].clone()).map_err(|_| bad("malformed (pending)"))?;
        let state = HodgesLinkState {
            received: num("received")?,
            base: num("base")?,
            linked_segments: num("linked_segments")?,
            spliced: num("spliced")?,
            pending,
            frames,
        };
        let ok_points = state
            .pending
            .iter()
            .flat_map(|t| &t.2)
            .all(|&(f, c)| f >= state.base && f < state.received && state.frames.get(f - state.base).is_some_and(|fr| c < fr.centers.len()));
        if state.base + state.frames.len() != state.received || !ok_points || state.pending.iter().any(|t| t.0 >= state.spliced) {
            return Err(bad("inconsistent with its frames"));
        }
        Ok(state)
    }
}

/// The Hodges tracker, one frame at a time.
pub struct HodgesStreamingTracker {
    spec: StreamSpec,
    opts: HodgesOptions,
    params: EffectiveParams,
    filter: Option<SpectralFilter>,
    /// The HEALPix tracker's regridding and detection of pushed frames, prepared once.
    healpix: Option<super::healpix::HealpixDetection>,
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
    /// Segments linked already (by a batch run over the same frames), by (start, stop).
    prelinked: std::collections::HashMap<(usize, usize), Vec<Vec<TrackPoint>>>,
}

impl HodgesStreamingTracker {
    /// A tracker for frames described by `spec` with the options of a batch run (its
    /// `selection` is ignored: every pushed frame is tracked).
    pub fn new(spec: StreamSpec, opts: HodgesOptions) -> Result<Self> {
        Self::build(spec, opts, true)
    }

    fn build(spec: StreamSpec, opts: HodgesOptions, with_filter: bool) -> Result<Self> {
        validate(&opts)?;
        if let Some((name, _)) = spec.others.first() {
            // the criteria that read other variables are the Simple tracker's
            return Err(Error::option("others", format!("'{name}': the Hodges and HEALPix trackers test no other variable; use algorithm simple")));
        }
        let params = opts.linker.normalise().map_err(|e| Error::option("linker", e.to_string()))?;
        let (lon_convention, unit, filter, healpix, processing) = if opts.healpix.is_some() && !with_filter {
            // a linker only (a dataset's append): frames come detected, on the pixels already;
            // the spec is a field's opened already, its units the values' unit
            let unit = spec.units.clone().unwrap_or_else(|| "1".into());
            let processing = opts.spectral.iter().map(|s| spectral_step(s, None)).collect();
            (crate::geo::LonConvention::Unsigned, unit, None, None, processing)
        } else {
            let field = spec.frame_field(0, Array2::from_elem((spec.lat.len(), spec.lon.len()), f64::NAN))?;
            let unit = field.info().value_unit.clone();
            match opts.healpix {
                // pushed latitude-longitude frames regridded to HEALPix (the regridding prepared once)
                Some(settings) => {
                    let detection = HealpixDetection::new(&field, &opts, settings)?;
                    let processing = detection.steps(&opts);
                    (crate::geo::LonConvention::Unsigned, unit, None, Some(detection), processing)
                }
                None => {
                    let grid = &field.info().grid;
                    let filter = opts.spectral.as_ref().filter(|_| with_filter).map(|s| SpectralFilter::new(&grid.lat, &grid.lon, s)).transpose()?;
                    let processing = opts.spectral.iter().map(|s| spectral_step(s, filter.as_ref())).collect();
                    (grid.lon_convention, unit, filter, None, processing)
                }
            }
        };
        Ok(HodgesStreamingTracker {
            lon_convention,
            unit,
            spec,
            opts,
            params,
            filter,
            healpix,
            processing,
            frames: Vec::new(),
            features: Vec::new(),
            base: 0,
            received: 0,
            linked_segments: 0,
            splicer: Splicer::default(),
            handed: Vec::new(),
            prelinked: Default::default(),
        })
    }

    /// A tracker for frames detected elsewhere ([`HodgesStreamingTracker::push_detected`]
    /// only: no spectral filter is built).
    pub fn linker_only(spec: StreamSpec, opts: HodgesOptions) -> Result<Self> {
        Self::build(spec, opts, false)
    }

    /// A tracker that goes on from `state` (frames then continue at stream position
    /// `state.received`); linking only, as [`HodgesStreamingTracker::linker_only`].
    pub fn resume(spec: StreamSpec, opts: HodgesOptions, state: HodgesLinkState) -> Result<Self> {
        let mut t = Self::build(spec, opts, false)?;
        let mut acc: Vec<Accumulated> = (0..state.spliced).map(|_| Accumulated { points: Vec::new(), open: false }).collect();
        t.handed = vec![true; state.spliced];
        for (position, open, points) in state.pending {
            acc[position] = Accumulated { points, open };
            t.handed[position] = false;
        }
        t.splicer = Splicer::resumed(acc, state.linked_segments > 0);
        t.features = state.frames.iter().map(mge_features).collect();
        t.frames = state.frames;
        (t.base, t.received, t.linked_segments) = (state.base, state.received, state.linked_segments);
        Ok(t)
    }

    /// The state to continue from later (before [`HodgesStreamingTracker::finish`]).
    pub fn state(&self) -> HodgesLinkState {
        let pending =
            self.splicer.tracks().iter().zip(&self.handed).enumerate().filter(|(_, (_, h))| !**h).map(|(i, (t, _))| (i, t.open, t.points.clone())).collect();
        HodgesLinkState {
            received: self.received,
            base: self.base,
            linked_segments: self.linked_segments,
            spliced: self.splicer.tracks().len(),
            pending,
            frames: self.frames.clone(),
        }
    }

    /// Take the segments a batch run over the same frames linked (global frame indices, as
    /// [`mge::link_hodges_segments`] returns them) instead of linking them again.
    pub fn with_prelinked(mut self, segments: mge::LinkedSegments) -> Self {
        self.prelinked = segments.into_iter().map(|(s, t)| ((s.start, s.stop), t)).collect();
        self
    }

    /// Frames buffered for the next segment or for tracks not yet handed back.
    pub fn buffered_frames(&self) -> usize {
        self.frames.len()
    }

    /// Detect `frame` (latitude x longitude) at `time` (ms in the spec's calendar) and return
    /// the tracks that the segments completed by it closed.
    pub fn push(&mut self, time: i64, frame: Array2<f64>) -> Result<Tracks> {
        // checked before detecting, which is the costly part
        self.spec.check_after(self.frames.last().map(|f| f.time), time)?;
        let field = self.spec.frame_field(time, frame)?;
        if self.opts.mode.is_none() {
            self.opts.mode = Some(field.default_mode()?);
        }
        let mut detected = match &self.healpix {
            Some(detection) => detection.detect_frame(&field, 0, None)?,
            None => detect_hodges_with(&field, &self.opts, 0..1, None, self.filter.as_ref())?.frames.pop().expect("one frame"),
        };
        detected.frame = self.received as u32;
        self.push_detected(detected)
    }

    /// Link a frame detected already (its `frame` index is kept in the tracks; frames must
    /// come in time order, detected with this tracker's options) and return the tracks closed.
    pub fn push_detected(&mut self, frame: DetectedFrame) -> Result<Tracks> {
        let closed = self.ingest(frame)?;
        self.tracks_of(&closed)
    }

    /// [`HodgesStreamingTracker::push_detected`] without building the closed tracks.
    pub fn ingest(&mut self, frame: DetectedFrame) -> Result<Vec<(i64, Vec<TrackPoint>)>> {
        self.spec.check_after(self.frames.last().map(|f| f.time), frame.time)?;
        self.features.push(mge_features(&frame));
        self.frames.push(frame);
        self.received += 1;
        self.advance(false)
    }

    /// Link the last segment and return every track not handed back yet; no more frames.
    pub fn finish(mut self) -> Result<Tracks> {
        let closed = self.advance(true)?;
        self.tracks_of(&closed)
    }

    /// Link and splice every segment that no later frame can change (all of them when
    /// `last`), hand back the tracks closed, and forget the frames no longer needed.
    fn advance(&mut self, last: bool) -> Result<Vec<(i64, Vec<TrackPoint>)>> {
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
                    out.push((i as i64 + 1, t.points.clone()));
                }
            }
        }
        let next_start = later.get(settled).map_or(self.received, |s| s.start);
        // the closed tracks' frames stay until they are built
        let oldest_closed = out.iter().filter_map(|t| t.1.first().map(|p| p.0)).min().unwrap_or(next_start);
        self.forget_before(next_start.min(oldest_closed));
        Ok(out)
    }

    /// Link one segment by MGE and splice it on.
    fn link(&mut self, seg: Segment) -> Result<()> {
        let tracks = match self.prelinked.remove(&(seg.start, seg.stop)) {
            Some(tracks) => tracks,
            None => {
                let local = seg.start - self.base..seg.stop - self.base;
                let frames: Vec<&[mge::Feature]> = self.features[local.clone()].iter().map(Vec::as_slice).collect();
                let times: Vec<i64> = self.frames[local].iter().map(|f| f.time).collect();
                let tracks = link_segment(&frames, &times, &self.params).map_err(|e| Error::option("linker", e.to_string()))?;
                tracks.into_iter().map(|t| t.into_iter().map(|(f, g)| (f + seg.start, g)).collect()).collect()
            }
        };
        let (base, frames, features) = (self.base, &self.frames, &self.features);
        let time = |p: &TrackPoint| frames[p.0 - base].time;
        let pos = |p: &TrackPoint| {
            let f = &features[p.0 - base][p.1];
            (f.lat, f.lon)
        };
        self.splicer.push(&tracks, &seg, time, pos);
        Ok(())
    }

    /// Tracks from (id, points in stream positions), as the batch run builds them.
    fn tracks_of(&self, list: &[(i64, Vec<TrackPoint>)]) -> Result<Tracks> {
        let mut metadata = TracksMetadata::new(self.spec.variable.clone(), self.opts.mode.unwrap_or(Mode::Max));
        metadata.calendar = self.spec.calendar;
        metadata.processing.extend(self.processing.iter().cloned());
        let ids: Vec<i64> = list.iter().map(|t| t.0).collect();
        let points: Vec<Vec<TrackPoint>> = list.iter().map(|t| t.1.iter().map(|&(f, c)| (f - self.base, c)).collect()).collect();
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
