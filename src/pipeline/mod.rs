//! End-to-end tracking: read frames, detect in parallel, gather in time order, link once.
//!
//! Frames are processed in chunks: within a chunk every worker reads its frame (readers
//! serialise on their library's lock) and detects it, so reading one frame overlaps with
//! detecting others, and memory holds at most one frame per worker. Results are gathered by
//! frame index, so the output does not depend on the number of threads.

pub mod blocks;
pub mod candidates;
pub mod continuation;
pub mod healpix;
pub mod hodges;
pub mod provenance;
pub mod streaming;
pub mod streaming_hodges;
pub mod tracker;

use crate::arrow::{CentersMeta, frame_centers_batch};
use crate::detect::{Detector, FrameCenters, SimpleDetector};
use crate::error::{Error, Result};
use crate::field::{Field, TimeSelection};
use crate::geo::{is_global_longitude, minimal_longitude_interval};
use crate::link::{FrameRef, SimpleLinker};
use crate::tracks::{Point, SpatialBounds, Tracks, TracksBuilder, TracksMetadata};
use crate::variables::Mode;
use arrow::array::RecordBatch;
use rayon::prelude::*;
use std::ops::Range;

/// Frames per chunk of the lazy batch iterator.
const CHUNK: usize = 64;

/// Centres of one frame with where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedFrame {
    /// 0-based index of the frame in the input.
    pub frame: u32,
    /// Time in ms.
    pub time: i64,
    /// The centres.
    pub centers: FrameCenters,
    /// Cells that were missing (NaN).
    pub nan_cells: usize,
}

impl DetectedFrame {
    /// The frame as a linker sees it.
    pub fn frame_ref(&self) -> FrameRef<'_> {
        FrameRef { time: self.time, lats: &self.centers.lats, lons: &self.centers.lons }
    }
}

/// Counts of missing data met while detecting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MissingDataReport {
    /// Frames entirely NaN: no centres, and every track ends there.
    pub all_nan_frames: usize,
    /// Frames with some NaN cells: centres are never placed on them.
    pub frames_with_nan: usize,
}

impl MissingDataReport {
    /// Tally a set of detected frames on `grid` (whose absent cells, those a part of the
    /// HEALPix sphere does not hold, are not missing data).
    pub fn of(frames: &[DetectedFrame], grid: &crate::field::Grid) -> Self {
        let absent = grid.healpix.map_or(0, |h| h.absent);
        let mut r = MissingDataReport::default();
        for f in frames {
            let missing = f.nan_cells.saturating_sub(absent);
            if missing == grid.held_points() {
                r.all_nan_frames += 1;
            } else if missing > 0 {
                r.frames_with_nan += 1;
            }
        }
        r
    }
    /// A one-line warning, or `None` when nothing was missing.
    pub fn warning(&self) -> Option<String> {
        if self.all_nan_frames == 0 && self.frames_with_nan == 0 {
            return None;
        }
        Some(format!(
            "missing values: {} frame(s) entirely NaN (skipped: tracks end there), {} frame(s) with NaN patches (no centre placed on a missing cell)",
            self.all_nan_frames, self.frames_with_nan
        ))
    }
}

fn detect_one<D: Detector + ?Sized>(field: &dyn Field, detector: &D, mode: Mode, t: usize) -> Result<DetectedFrame> {
    let (frame, nan_cells) = simple_frame(field, t)?;
    let grid = &field.info().grid;
    let mut centers = if nan_cells == frame.len() {
        FrameCenters::default()
    } else {
        let others = field.other_frames(t)?;
        let views: Vec<_> = others.iter().map(|o| o.view()).collect();
        detector.detect_with(frame.view(), &views, grid, mode)
    };
    to_sphere(grid, &mut centers);
    Ok(DetectedFrame { frame: t as u32, time: field.info().times[t], centers, nan_cells })
}

/// Frame `t` as the Simple detector takes it, with its missing cells. A polar plane is seen as
/// the peer's: 0 beyond the disc (the contrast test keeps that flat ring out, and no spurious
/// extremum lines the disc's edge).
pub(crate) fn simple_frame(field: &dyn Field, t: usize) -> Result<(ndarray::Array2<f64>, usize)> {
    let mut frame = field.read_frame(t)?;
    let grid = &field.info().grid;
    let nan_cells = missing_cells(&frame, grid);
    if grid.plane.is_some() {
        frame.mapv_inplace(|v| if v.is_nan() { 0.0 } else { v });
    }
    Ok((frame, nan_cells))
}

/// Missing cells of a frame: NaN cells, except on a polar stereographic plane, whose NaN cells
/// are the points beyond its disc (its input is complete, or regridding refuses it).
pub(crate) fn missing_cells(frame: &ndarray::Array2<f64>, grid: &crate::field::Grid) -> usize {
    if grid.plane.is_some() { 0 } else { frame.iter().filter(|v| v.is_nan()).count() }
}

/// Centres found on a polar stereographic plane (`y` in the latitude slot, `x` in the
/// longitude slot, km) turned into latitude and longitude, as linking needs them; on any
/// other grid nothing changes.
pub(crate) fn to_sphere(grid: &crate::field::Grid, centers: &mut FrameCenters) {
    let Some(hemisphere) = grid.plane else { return };
    for (lat, lon) in centers.lats.iter_mut().zip(centers.lons.iter_mut()) {
        (*lat, *lon) = crate::geo::stereo::plane_to_latlon(*lon, *lat, hemisphere);
    }
}

/// `criteria` with each closed contour's delta converted from its variable's unit to the
/// unit `field` holds it in (hPa deltas on a field read in Pa, say), as the threshold is.
pub(crate) fn criteria_in_field_units(criteria: &crate::detect::criteria::Criteria, field: &dyn Field) -> crate::detect::criteria::Criteria {
    let mut criteria = criteria.clone();
    let others = field.other_infos();
    for cc in &mut criteria.closed_contours {
        cc.delta *= if cc.field == 0 { field.info().unit_factor } else { others.get(cc.field - 1).map_or(1.0, |o| o.unit_factor) };
    }
    criteria
}

/// Detect the frames in `range` of `field`, in parallel on the current rayon pool, returning
/// them in frame order. `progress` is called with the number of frames finished so far.
pub fn detect_range<D: Detector + ?Sized>(
    field: &dyn Field,
    detector: &D,
    mode: Mode,
    range: Range<usize>,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<Vec<DetectedFrame>> {
    // One parallel pass: each task reads its frame, detects and drops it, so at most one frame
    // per worker is in memory; results are gathered in frame order.
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<DetectedFrame>> = range
        .into_par_iter()
        .map(|t| {
            let r = detect_one(field, detector, mode, t);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(n);
            }
            r
        })
        .collect();
    results.into_iter().collect()
}

/// Lazily detect centres and yield one Arrow record batch per frame, in time order. Frames are
/// read and detected a chunk at a time, so memory does not grow with the file.
pub fn detect_batches<'a, D: Detector + ?Sized>(
    field: &'a dyn Field,
    detector: &'a D,
    mode: Mode,
    selection: Option<TimeSelection>,
) -> impl Iterator<Item = Result<RecordBatch>> + 'a {
    let range = selection.unwrap_or_default().frames(&field.info().times);
    let meta = centers_meta(field, mode);
    let starts: Vec<usize> = range.clone().step_by(CHUNK).collect();
    starts.into_iter().flat_map(move |s| {
        let chunk = detect_range(field, detector, mode, s..(s + CHUNK).min(range.end), None);
        let batches: Vec<Result<RecordBatch>> = match chunk {
            Ok(frames) => frames.iter().map(|f| frame_centers_batch(&meta, f.frame, f.time, &f.centers)).collect(),
            Err(e) => vec![Err(e)],
        };
        batches
    })
}

/// What the centres' batches say about themselves, for a field and mode.
pub fn centers_meta(field: &dyn Field, mode: Mode) -> CentersMeta {
    let info = field.info();
    CentersMeta { variable: info.variable.clone(), unit: info.value_unit.clone(), mode, lon_convention: info.grid.lon_convention, calendar: info.calendar }
}

/// Metadata of tracks found in `field`: its variable, calendar and declared bounds.
pub fn field_metadata(field: &dyn Field, mode: Mode) -> TracksMetadata {
    let info = field.info();
    let mut metadata = TracksMetadata::new(info.variable.clone(), mode);
    metadata.bounds = field_bounds(field);
    metadata.calendar = info.calendar;
    metadata
}

/// Declared bounds of a field's grid (see docs/algorithms.md#declared-spatial-bounds): latitude extremes; a global longitude axis
/// gives -180..180, otherwise the minimal enclosing interval.
pub fn field_bounds(field: &dyn Field) -> Option<SpatialBounds> {
    let g = &field.info().grid;
    if g.plane.is_some() {
        // regridded from a global field, whose bounds these are
        return Some(SpatialBounds { south: -90.0, north: 90.0, west: -180.0, east: 180.0 });
    }
    let south = g.lat.iter().cloned().fold(f64::INFINITY, f64::min);
    let north = g.lat.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !(south.is_finite() && north.is_finite()) {
        return None;
    }
    if is_global_longitude(&g.lon) {
        return Some(SpatialBounds { south, north, west: -180.0, east: 180.0 });
    }
    let (west, east, _) = minimal_longitude_interval(&g.lon)?;
    Some(SpatialBounds { south, north, west, east })
}

/// Link detected frames with the Simple linker into [`Tracks`] (ids 1, 2, ... in creation
/// order, like the peer), carrying grid provenance.
pub fn link_simple(field: &dyn Field, mode: Mode, frames: &[DetectedFrame], linker: &SimpleLinker) -> Result<Tracks> {
    let linked = linker.link(&frames.iter().map(DetectedFrame::frame_ref).collect::<Vec<_>>());
    let info = field.info();
    build_tracks(field_metadata(field, mode), &info.variable, &info.value_unit, info.grid.lon_convention, frames, &linked, None)
}

/// Link centres given as Arrow record batches (the `centers` schema, e.g. from
/// [`detect_batches`] or a Parquet `centers` table) with the Simple linker.
///
/// Batches must come in time order. An empty frame ends every track, but a record batch
/// cannot say when an empty frame happened: pass the times of every frame in `frame_times`
/// to keep that rule (the result then equals [`track_simple`]); without it, frames are the
/// distinct times present and gaps are handled by the cadence rule alone.
pub fn link_batches(batches: &[RecordBatch], frame_times: Option<&[i64]>, linker: &SimpleLinker) -> Result<Tracks> {
    let schema = match batches.first() {
        Some(b) => b.schema(),
        None => return Err(Error::option("batches", "no record batch to link")),
    };
    let meta = CentersMeta::from_schema(&schema)?;
    let mut cols = crate::arrow::CenterColumns::default();
    for b in batches {
        cols.extend_from_batch(b, meta.lon_convention)?;
    }
    if cols.time.windows(2).any(|w| w[1] < w[0]) {
        return Err(Error::option("batches", "centres are not in time order; sort them by time first"));
    }
    let mut times: Vec<i64> = match frame_times {
        Some(t) => t.to_vec(),
        None => cols.time.clone(),
    };
    times.dedup();
    let mut frames: Vec<DetectedFrame> = Vec::with_capacity(times.len());
    let mut k = 0;
    for (i, &t) in times.iter().enumerate() {
        let mut c = FrameCenters::default();
        let first = k;
        while k < cols.time.len() && cols.time[k] == t {
            c.rows.push(cols.row[k].unwrap_or(u32::MAX));
            c.cols.push(cols.col[k].unwrap_or(u32::MAX));
            c.lats.push(cols.lat[k]);
            c.lons.push(cols.lon[k]);
            c.values.push(cols.value[k]);
            k += 1;
        }
        // the input's frame index where the batch carries it, else the position in `times`
        let frame = if k > first { cols.frame[first].unwrap_or(i as u32) } else { i as u32 };
        frames.push(DetectedFrame { frame, time: t, centers: c, nan_cells: 0 });
    }
    if k != cols.time.len() {
        return Err(Error::option("frame_times", "some centres have a time that is not among the frame times"));
    }
    let linked = linker.link(&frames.iter().map(DetectedFrame::frame_ref).collect::<Vec<_>>());
    let mut metadata = TracksMetadata::new(meta.variable.clone(), meta.mode);
    metadata.calendar = meta.calendar;
    build_tracks(metadata, &meta.variable, &meta.unit, meta.lon_convention, &frames, &linked, None)
}

/// [`Tracks`] from linked `(frame, centre)` lists with the given ids (default 1, 2, ... in
/// creation order).
pub(crate) fn build_tracks(
    metadata: TracksMetadata,
    variable: &str,
    unit: &str,
    convention: crate::geo::LonConvention,
    frames: &[DetectedFrame],
    linked: &[Vec<(usize, usize)>],
    ids: Option<&[i64]>,
) -> Result<Tracks> {
    // extra columns: those of the first frame that has centres (a detector emits the same set
    // for every frame)
    let extras: Vec<(&str, &str)> =
        frames.iter().find(|f| !f.centers.is_empty()).map_or(Vec::new(), |f| f.centers.extras.iter().map(|e| (e.name.as_str(), e.unit.as_str())).collect());
    let mut variables = vec![(variable, unit)];
    variables.extend(extras.iter().copied());
    let mut builder = TracksBuilder::new(metadata, &variables, Some(convention));
    let mut points = Vec::new();
    let mut values = Vec::new();
    for (k, track) in linked.iter().enumerate() {
        points.clear();
        values.clear();
        for &(fi, c) in track {
            let f = &frames[fi];
            let cs = &f.centers;
            points.push(Point { time: f.time, lat: cs.lats[c], lon: cs.lons[c], grid: Some((f.frame, cs.rows[c], cs.cols[c])) });
            let mut v = Vec::with_capacity(1 + extras.len());
            v.push(cs.values[c]);
            v.extend(cs.extras.iter().take(extras.len()).map(|e| e.values[c]));
            values.push(v);
        }
        builder.push(ids.map_or(k as i64 + 1, |ids| ids[k]), &points, &values);
    }
    builder.finish()
}

/// Options of a Simple tracking run.
#[derive(Debug, Clone, Default)]
pub struct SimpleOptions {
    pub detector: SimpleDetector,
    pub linker: SimpleLinker,
    /// `None`: from the variable name (see docs/algorithms.md#detection-mode).
    pub mode: Option<Mode>,
    pub selection: TimeSelection,
}

/// Result of a tracking run.
#[derive(Debug, Clone)]
pub struct TrackRun {
    pub tracks: Tracks,
    pub frames: Vec<DetectedFrame>,
    pub missing: MissingDataReport,
    pub mode: Mode,
}

/// Track a field with the Simple method: detect every selected frame, then link once.
pub fn track_simple(field: &dyn Field, opts: &SimpleOptions, progress: Option<&(dyn Fn(usize) + Sync)>) -> Result<TrackRun> {
    opts.detector.validate()?;
    if !(opts.linker.max_km > 0.0 && opts.linker.max_km.is_finite()) {
        return Err(Error::option("max_link_km", format!("{} must be a positive number", opts.linker.max_km)));
    }
    let mode = match opts.mode {
        Some(m) => m,
        None => field.default_mode()?,
    };
    let range = opts.selection.frames(&field.info().times);
    check_frame_count(field, range.clone())?;
    let frames = detect_range(field, &opts.detector, mode, range, progress)?;
    link_detected(field, mode, frames, &opts.linker)
}

/// The Simple linking step of [`track_simple`] on frames detected already (here or on other
/// machines, [`blocks`]).
pub fn link_detected(field: &dyn Field, mode: Mode, frames: Vec<DetectedFrame>, linker: &SimpleLinker) -> Result<TrackRun> {
    let missing = MissingDataReport::of(&frames, &field.info().grid);
    let tracks = link_simple(field, mode, &frames, linker)?;
    Ok(TrackRun { tracks, frames, missing, mode })
}

/// Tracking needs at least two frames; say which selection left fewer.
pub fn check_frame_count(field: &dyn Field, range: Range<usize>) -> Result<()> {
    let (times, calendar) = (&field.info().times, field.info().calendar);
    if times.is_empty() {
        return Err(Error::TooFewFrames("the input has no time steps; tracking needs at least 2".into()));
    }
    match range.len() {
        0 => Err(Error::TooFewFrames(format!(
            "the time selection contains no frame (the input covers {} to {}); widen `start`/`end`",
            calendar.format_iso(times[0]),
            calendar.format_iso(*times.last().unwrap())
        ))),
        1 => Err(Error::TooFewFrames(format!(
            "only one time step ({}) is selected; tracking needs at least 2 (use `stormtrack detect` for the centres of one frame)",
            calendar.format_iso(times[range.start])
        ))),
        _ => Ok(()),
    }
}
