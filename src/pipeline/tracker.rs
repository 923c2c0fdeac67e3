//! One interface for every tracking algorithm (docs/architecture.md#trackers): a [`Tracker`]
//! detects the frames of a field and links them into tracks. Simple, Hodges and HEALPix
//! implement it, and the operations (track, detect, the distributed blocks) reach each of them
//! only through it: a new algorithm is one more implementation.

use super::candidates::{CandidateSource, HealpixCandidates, HodgesCandidates, SimpleCandidates};
use super::continuation::{self, LinkState, Resumed, StoredRun};
use super::hodges::{HodgesOptions, StageTimes, detect_hodges, link_hodges_keeping, spectral_step};
use super::{DetectedFrame, TrackRun, check_frame_count, detect_range, link_detected};
use crate::detect::SimpleDetector;
use crate::error::Result;
use crate::field::{Field, FilteredField};
use crate::link::SimpleLinker;
use crate::link::mge::LinkedSegments;
use crate::spectral::SpectralOptions;
use crate::tracks::ProcessingStep;
use crate::variables::Mode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Instant;

/// The frames of a range as a tracker detected them, before linking.
#[derive(Debug, Clone)]
pub struct Detections {
    pub frames: Vec<DetectedFrame>,
    pub mode: Mode,
    /// What was done to the field before detection (a band filter, a regridding), in order.
    pub processing: Vec<ProcessingStep>,
    /// Read, filter, detection and refinement times (linking and wall left at 0; Hodges and
    /// HEALPix only).
    pub times: StageTimes,
}

/// A linked run and what continuing it needs.
#[derive(Debug, Clone)]
pub struct Linked {
    pub run: TrackRun,
    /// Where the time went (Hodges and HEALPix; zeros for Simple).
    pub times: StageTimes,
    /// The tracks of each linked segment (MGE linkers), from which a dataset's linker state
    /// is worked out (docs/datasets.md).
    pub segments: Option<LinkedSegments>,
}

/// A tracking algorithm.
///
/// ```no_run
/// use stormtrack::field::{Field, NetcdfField};
/// use stormtrack::pipeline::tracker::{SimpleTracker, Tracker};
/// use stormtrack::variables::Mode;
/// let field = NetcdfField::open("era5_msl.nc", "msl")?;
/// let tracker = SimpleTracker::new(Default::default(), None, Default::default(), Mode::Min);
/// let every_frame = 0..field.info().times.len();
/// let linked = tracker.track(&field, every_frame, None)?;
/// println!("{} tracks", linked.run.tracks.len());
/// # Ok::<(), stormtrack::Error>(())
/// ```
pub trait Tracker: Sync {
    /// `simple`, `hodges` or `healpix`.
    fn algorithm(&self) -> &'static str;

    /// Detect the frames `range` of `field`, in parallel on the current rayon pool, gathered
    /// in frame order.
    fn detect(&self, field: &dyn Field, range: Range<usize>, progress: Option<&(dyn Fn(usize) + Sync)>) -> Result<Detections>;

    /// Link detections (every frame of a range, in order, found here or elsewhere) into
    /// tracks; `start` is when the run began (for the wall time).
    fn link(&self, field: &dyn Field, detections: Detections, start: Instant) -> Result<Linked>;

    /// Records the tracker's options in a dataset's provenance (what an append must find
    /// unchanged; thresholds resolved for `field`).
    fn record(&self, provenance: &mut BTreeMap<String, Value>, field: &dyn Field);

    /// The detector prepared for `field`, giving every candidate of a frame with the test that
    /// turned it down (`detect --rejections`).
    fn candidates<'a>(&'a self, field: &'a dyn Field) -> Result<Box<dyn CandidateSource + 'a>>;

    /// The provenance keys that decide the tracks: a run continuing a stored one must have the
    /// stored values.
    fn deciding_options(&self) -> &'static [&'static str];

    /// The linker's state after `linked` (this tracker's run over `field`), from which
    /// [`Tracker::resume`] continues it; consumes the linked segments.
    fn end_state(&self, field: &dyn Field, linked: &mut Linked) -> Result<LinkState>;

    /// Check that `stored` holds a state [`Tracker::resume`] can continue (before the new
    /// frames are detected: a damaged dataset is refused before the long work).
    fn check_stored(&self, stored: &StoredRun<'_>) -> Result<()>;

    /// Continue `stored` (a run of this tracker with the same deciding options) with the
    /// detections of later frames, numbered after the stored ones.
    fn resume(&self, field: &dyn Field, stored: &StoredRun<'_>, detections: Detections) -> Result<Resumed>;

    /// Detect and link the frames `range` (at least two).
    fn track(&self, field: &dyn Field, range: Range<usize>, progress: Option<&(dyn Fn(usize) + Sync)>) -> Result<Linked> {
        let start = Instant::now();
        check_frame_count(field, range.clone())?;
        let detections = self.detect(field, range, progress)?;
        self.link(field, detections, start)
    }
}

/// The Simple tracker: local extrema of (optionally band-filtered) frames, linked by nearest
/// neighbour (docs/algorithms.md#simple-tracker).
#[derive(Debug, Clone)]
pub struct SimpleTracker {
    detector: SimpleDetector,
    spectral: Option<SpectralOptions>,
    linker: SimpleLinker,
    mode: Mode,
}

impl SimpleTracker {
    /// A Simple tracker of `mode` centres; `spectral` filters every frame first.
    pub fn new(detector: SimpleDetector, spectral: Option<SpectralOptions>, linker: SimpleLinker, mode: Mode) -> Self {
        Self { detector, spectral, linker, mode }
    }
}

impl Tracker for SimpleTracker {
    fn algorithm(&self) -> &'static str {
        "simple"
    }

    fn detect(&self, field: &dyn Field, range: Range<usize>, progress: Option<&(dyn Fn(usize) + Sync)>) -> Result<Detections> {
        self.detector.validate()?;
        let (frames, processing) = match &self.spectral {
            None => (detect_range(field, &self.detector, self.mode, range, progress)?, Vec::new()),
            Some(s) => {
                let filtered = FilteredField::with_options(field, s)?;
                (detect_range(&filtered, &self.detector, self.mode, range, progress)?, vec![spectral_step(s, Some(filtered.filter()))])
            }
        };
        Ok(Detections { frames, mode: self.mode, processing, times: StageTimes::default() })
    }

    fn record(&self, provenance: &mut BTreeMap<String, Value>, field: &dyn Field) {
        super::provenance::simple(provenance, &self.detector, &self.linker, field);
        if let Some(s) = &self.spectral {
            super::provenance::spectral(provenance, s);
        }
    }

    fn candidates<'a>(&'a self, field: &'a dyn Field) -> Result<Box<dyn CandidateSource + 'a>> {
        Ok(Box::new(SimpleCandidates::new(field, &self.detector, self.spectral.as_ref(), self.mode)?))
    }

    fn deciding_options(&self) -> &'static [&'static str] {
        &SIMPLE_DECIDING
    }

    fn end_state(&self, _field: &dyn Field, linked: &mut Linked) -> Result<LinkState> {
        Ok(continuation::simple::end_state(&linked.run))
    }

    fn check_stored(&self, stored: &StoredRun<'_>) -> Result<()> {
        continuation::simple::check(stored)
    }

    fn resume(&self, _field: &dyn Field, stored: &StoredRun<'_>, detections: Detections) -> Result<Resumed> {
        continuation::simple::resume(&self.linker, stored, detections)
    }

    fn link(&self, field: &dyn Field, d: Detections, start: Instant) -> Result<Linked> {
        let mut run = link_detected(field, d.mode, d.frames, &self.linker)?;
        run.tracks.metadata.processing.extend(d.processing);
        let times = StageTimes { wall_s: start.elapsed().as_secs_f64(), ..d.times };
        Ok(Linked { run, times, segments: None })
    }
}

/// The Hodges (TRACK) tracker: band filter, objects, refinement, Modified Greedy Exchange
/// (docs/algorithms.md#hodges-tracker).
#[derive(Debug, Clone)]
pub struct HodgesTracker {
    opts: HodgesOptions,
}

/// The HEALPix tracker: the Hodges method on the pixels of a HEALPix grid
/// (docs/algorithms.md#healpix-tracker).
#[derive(Debug, Clone)]
pub struct HealpixTracker {
    opts: HodgesOptions,
}

impl HodgesTracker {
    /// The tracker of `opts` (latitude-longitude grids: `opts.healpix` is ignored).
    pub fn new(opts: HodgesOptions) -> Self {
        Self { opts: HodgesOptions { healpix: None, ..opts } }
    }
}

impl HealpixTracker {
    /// The tracker of `opts` and the HEALPix `settings`.
    pub fn new(opts: HodgesOptions, settings: super::healpix::HealpixSettings) -> Self {
        Self { opts: HodgesOptions { healpix: Some(settings), ..opts } }
    }
}

/// The methods the two MGE trackers share: they differ in their name and their candidates.
macro_rules! mge_tracker_methods {
    () => {
        fn detect(&self, field: &dyn Field, range: Range<usize>, progress: Option<&(dyn Fn(usize) + Sync)>) -> Result<Detections> {
            detect_hodges(field, &self.opts, range, progress)
        }
        fn link(&self, field: &dyn Field, d: Detections, start: Instant) -> Result<Linked> {
            mge_link(field, &self.opts, d, start)
        }
        fn record(&self, provenance: &mut BTreeMap<String, Value>, field: &dyn Field) {
            super::provenance::hodges(provenance, &self.opts, field);
        }
        fn deciding_options(&self) -> &'static [&'static str] {
            &HODGES_DECIDING
        }
        fn end_state(&self, field: &dyn Field, linked: &mut Linked) -> Result<LinkState> {
            mge_end_state(field, &self.opts, linked)
        }
        fn check_stored(&self, stored: &StoredRun<'_>) -> Result<()> {
            continuation::hodges::check(stored)
        }
        fn resume(&self, field: &dyn Field, stored: &StoredRun<'_>, detections: Detections) -> Result<Resumed> {
            continuation::hodges::resume(field, &self.opts, stored, detections)
        }
    };
}

impl Tracker for HodgesTracker {
    fn algorithm(&self) -> &'static str {
        "hodges"
    }
    mge_tracker_methods!();
    fn candidates<'a>(&'a self, field: &'a dyn Field) -> Result<Box<dyn CandidateSource + 'a>> {
        Ok(Box::new(HodgesCandidates::new(field, &self.opts)?))
    }
}

impl Tracker for HealpixTracker {
    fn algorithm(&self) -> &'static str {
        "healpix"
    }
    mge_tracker_methods!();
    fn candidates<'a>(&'a self, field: &'a dyn Field) -> Result<Box<dyn CandidateSource + 'a>> {
        let settings = self.opts.healpix.expect("a HEALPix tracker has its settings");
        Ok(Box::new(HealpixCandidates::new(field, &self.opts, settings)?))
    }
}

/// The provenance keys that decide a Simple run's tracks.
const SIMPLE_DECIDING: [&str; 12] = [
    "algorithm",
    "variable",
    "feature_threshold",
    "search_window_size",
    "feature_refinement",
    "max_link_km",
    "merge_dist",
    "closed_contours",
    "lmin",
    "lmax",
    "spectral_taper",
    "taper_points",
];

/// The provenance keys that decide a Hodges or HEALPix run's tracks.
const HODGES_DECIDING: [&str; 18] = [
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
    "taper_points",
];

fn mge_end_state(field: &dyn Field, opts: &HodgesOptions, linked: &mut Linked) -> Result<LinkState> {
    let segments = linked.segments.take().ok_or_else(|| crate::Error::option("append", "the run kept no linked segments to continue from"))?;
    continuation::hodges::end_state(field, opts, &linked.run.frames, segments)
}

fn mge_link(field: &dyn Field, opts: &HodgesOptions, d: Detections, start: Instant) -> Result<Linked> {
    let (run, times, segments) = link_hodges_keeping(field, opts, d, start)?;
    Ok(Linked { run, times, segments: Some(segments) })
}
