//! What each subcommand does. Options and outputs are validated before any long work.

use super::args::{Cli, Command, ConvertArgs, DemoArgs, DetectArgs, InputArgs, TrackArgs};
use super::progress::{BarProgress, Progress};
use crate::arrow::frame_centers_batch;
use crate::detect::{Refinement, SimpleDetector};
use crate::error::{Error, Result};
use crate::field::{Field, NetcdfField, TimeSelection};
use crate::io::{self, TrackFormat, atomic, parquet as pq};
use crate::link::SimpleLinker;
use crate::pipeline::{self, SimpleOptions, centers_meta};
use crate::variables::Mode;
use rayon::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Track(a) => track(a),
        Command::Detect(a) => detect(a),
        Command::Convert(a) => convert(a),
        Command::Demo(a) => demo(a),
        Command::Spectral(a) => super::grid::spectral(a),
        Command::Vorticity(a) => super::grid::vorticity(a),
        Command::Filter(a) => super::track_files::filter(a),
        Command::Compare(a) => super::track_files::compare(a),
        Command::Metrics(a) => super::metrics::metrics(a),
        Command::Stats(a) => super::metrics::stats(a),
        Command::Eulerian(a) => super::metrics::eulerian(a),
        Command::Sample(a) => super::metrics::sample(a),
        #[cfg(feature = "datafusion")]
        Command::Sql(a) => super::sql::run(a),
    }
}

/// `--threads`, checked before the long work: 0 is refused (absent means all cores).
pub fn check_threads(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        return Err(Error::option("--threads", "0 must be a positive integer"));
    }
    Ok(())
}

/// A rayon pool of the requested size (`check_threads` has rejected 0).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0)).build().map_err(|e| Error::option("--threads", e.to_string()))
}

/// Everything `track` and `detect` need, checked.
pub struct Prepared {
    pub field: NetcdfField,
    pub opts: SimpleOptions,
    pub threads: Option<usize>,
}

/// Check the detection options (`--detection-mode`, `--feature-threshold`,
/// `--feature-refinement`, `--search-window-size`): the mode (`None` for auto) and a detector
/// whose threshold is still to be set from the field. Shared with the Python array input.
pub fn detection_options(mode: &str, threshold: Option<f64>, refinement: &str, window: usize) -> Result<(Option<Mode>, SimpleDetector)> {
    let mode = match mode {
        "auto" => None,
        s => Some(Mode::parse(s).ok_or_else(|| Error::option("--detection-mode", format!("'{s}' is not one of auto, min, max")))?),
    };
    let refinement = Refinement::parse(refinement)?;
    if let Some(t) = threshold
        && (!t.is_finite() || t < 0.0)
    {
        return Err(Error::option("--feature-threshold", format!("{t} must be a finite number >= 0")));
    }
    let detector = SimpleDetector { window, threshold: 0.0, refinement };
    detector.validate()?;
    Ok((mode, detector))
}

/// Check the options of `a`, then open the input: the validation every front end shares.
pub fn prepare(a: &InputArgs) -> Result<Prepared> {
    // options that need no input first
    if a.projection != "global" {
        return Err(Error::option("--projection", format!("'{}' is not available; only global is", a.projection)));
    }
    if a.taper_points != 0 {
        return Err(Error::option("--taper-points", "only 0 is available"));
    }
    if let Some(e) = &a.engine {
        match e.as_str() {
            "h5netcdf" | "netcdf4" => {}
            "cfgrib" => return Err(Error::option("--engine", "GRIB input is not supported; convert it to NetCDF first (e.g. cdo -f nc4 copy in.grib out.nc)")),
            other => return Err(Error::option("--engine", format!("'{other}' is unknown; use h5netcdf or netcdf4 (both read NetCDF-3 and NetCDF-4)"))),
        }
    }
    let threads = match (a.threads, a.workers, a.backend.as_deref()) {
        (Some(t), _, _) => Some(t),
        (None, Some(w), _) => Some(w),
        (None, None, Some("serial")) => Some(1),
        (None, None, Some("dask") | None) => None,
        (None, None, Some("mpi")) => return Err(Error::option("--backend", "mpi is not supported; use --threads N (results are identical for any N)")),
        (None, None, Some(other)) => return Err(Error::option("--backend", format!("'{other}' is unknown; use serial or dask, or --threads N"))),
    };
    check_threads(threads)?;
    let (mode_arg, detector) =
        detection_options(&a.detection_mode, a.feature_threshold, a.feature_refinement.as_deref().unwrap_or("grid"), a.search_window_size.unwrap_or(5))?;
    if a.n_frames == Some(0) {
        return Err(Error::option("--n-frames", "0 must be a positive integer"));
    }
    let start = a.start.as_deref().map(|s| crate::time::parse_user_time("--start", s)).transpose()?;
    let end = a.end.as_deref().map(|s| crate::time::parse_user_time("--end", s)).transpose()?;
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(Error::option("--end", "is before --start"));
    }

    // now the input
    let field = NetcdfField::open(&a.input, &a.variable)?;
    let mode = match mode_arg {
        Some(m) => m,
        None => field.default_mode()?,
    };
    let info = field.info();
    let threshold = info.feature_threshold(a.feature_threshold);
    let opts = SimpleOptions {
        detector: SimpleDetector { threshold, ..detector },
        linker: SimpleLinker::default(),
        mode: Some(mode),
        selection: TimeSelection { start, end, n_frames: a.n_frames },
    };
    Ok(Prepared { field, opts, threads })
}

/// [`prepare`] for the Hodges tracker: the Simple detection options are not used (and were
/// rejected when given), so only the shared input options are checked.
fn prepare_hodges_input(a: &InputArgs) -> Result<Prepared> {
    let simple_only = InputArgs { feature_refinement: None, search_window_size: None, feature_threshold: None, ..a.clone() };
    prepare(&simple_only)
}

/// The Hodges options completed from the opened input: its mode, time selection, and the
/// object threshold converted from the file's unit to the field's.
fn settle_hodges(mut h: crate::pipeline::hodges::HodgesOptions, p: &Prepared) -> crate::pipeline::hodges::HodgesOptions {
    h.mode = p.opts.mode;
    h.selection = p.opts.selection;
    h.object_threshold = h.object_threshold.map(|t| t * p.field.info().unit_factor);
    h
}

fn hodges_provenance(m: &mut BTreeMap<String, serde_json::Value>, h: &crate::pipeline::hodges::HodgesOptions, p: &Prepared) {
    for k in ["feature_threshold", "search_window_size", "max_link_km"] {
        m.remove(k);
    }
    let l = &h.linker;
    let threshold = h.object_threshold.unwrap_or_else(|| p.field.info().feature_threshold(None));
    m.insert("algorithm".into(), json!("hodges"));
    m.insert("object_threshold".into(), json!(threshold));
    m.insert("feature_refinement".into(), json!(h.detect.refinement.as_str()));
    m.insert("min_object_grid_points".into(), json!(h.detect.min_object_points));
    m.insert("w1".into(), json!(l.w1));
    m.insert("w2".into(), json!(l.w2));
    m.insert("dmax".into(), json!(l.dmax));
    m.insert("phimax".into(), json!(l.phimax));
    m.insert("mge_max_iterations".into(), json!(l.max_iterations));
    m.insert("min_track_points".into(), json!(l.min_track_points));
    m.insert("segment_frames".into(), json!(l.segment_frames));
    if let Some(s) = &h.spectral {
        m.insert("lmin".into(), json!(s.lmin));
        m.insert("lmax".into(), json!(s.lmax));
        m.insert("spectral_taper".into(), json!(s.taper));
    }
}

fn provenance(a: &InputArgs, p: &Prepared, command: &str) -> BTreeMap<String, serde_json::Value> {
    BTreeMap::from([
        ("command".into(), json!(command)),
        ("input".into(), json!(a.input.display().to_string())),
        ("variable".into(), json!(p.field.source_variable())),
        ("algorithm".into(), json!("simple")),
        ("feature_threshold".into(), json!(p.opts.detector.threshold)),
        ("search_window_size".into(), json!(p.opts.detector.window)),
        ("feature_refinement".into(), json!(format!("{:?}", p.opts.detector.refinement).to_lowercase())),
        ("max_link_km".into(), json!(p.opts.linker.max_km)),
    ])
}

fn track(a: TrackArgs) -> Result<()> {
    let bar = BarProgress::new(!a.input.quiet && !a.input.no_progress);
    track_with(&a, &bar).map(|_| ())
}

/// `stormtrack track`: validate, detect, link and write every output; returns the run.
/// Shared with the Python package, which passes its own progress and may give no output.
pub fn track_with(a: &TrackArgs, progress: &dyn Progress) -> Result<pipeline::TrackRun> {
    let hodges = match a.algorithm.as_str() {
        "simple" => None,
        "hodges" => Some(super::hodges::hodges_options(&a.input, &a.hodges)?),
        "healpix" => return Err(Error::option("--algorithm", "'healpix' is not available; use -a simple or -a hodges")),
        other => return Err(Error::option("--algorithm", format!("'{other}' is unknown; use simple or hodges"))),
    };
    if hodges.is_none() {
        if let Some(flag) = a.hodges.first_given() {
            return Err(Error::option(flag, "applies to -a hodges only; remove it for the simple tracker"));
        }
    } else if a.max_link_km.is_some() {
        return Err(Error::option("--max-link-km", "applies to -a simple only; the Hodges linker takes --dmax (degrees) and --dmax-zones"));
    }
    let max_link_km = a.max_link_km.unwrap_or(500.0);
    if !(max_link_km.is_finite() && max_link_km > 0.0) {
        return Err(Error::option("--max-link-km", format!("{max_link_km} must be a positive number")));
    }
    // Simple may be filtered too; its taper default is 0.1 (spec §4.1)
    let simple_spectral = if hodges.is_none() { super::hodges::spectral_options(&a.input, a.hodges.spectral_taper, 0.1)? } else { None };
    // outputs: formats and writability, before the input is even opened
    let explicit = TrackFormat::parse(&a.format)?;
    if explicit.is_some() && a.output.len() > 1 {
        return Err(Error::option("--format", "cannot apply to several outputs; let each output's suffix decide"));
    }
    let mut outputs: Vec<(PathBuf, TrackFormat)> = Vec::new();
    for o in &a.output {
        let f = io::output_format(o, explicit)?;
        check_output(o, f)?;
        if outputs.iter().any(|(p, _)| p == o) {
            return Err(Error::option("--output", format!("{} is given twice", o.display())));
        }
        outputs.push((o.clone(), f));
    }
    let mut p = if hodges.is_some() { prepare_hodges_input(&a.input)? } else { prepare(&a.input)? };
    p.opts.linker.max_km = max_link_km;
    if a.input.threads.is_none() && a.input.backend.is_none() {
        if let Some(n) = a.hodges.frame_workers {
            if n == 0 {
                return Err(Error::option("--frame-workers", "0 must be a positive integer"));
            }
            p.threads = Some(n);
        }
    }
    let range = p.opts.selection.frames(&p.field.info().times);
    let pool = pool(p.threads)?;
    let mut provenance = provenance(&a.input, &p, "track");
    progress.start(range.len());
    let run = match hodges {
        Some(h) => {
            let h = settle_hodges(h, &p);
            let r = pool.install(|| crate::pipeline::hodges::track_hodges(&p.field, &h, Some(&|n| progress.set(n))));
            progress.finish();
            let (run, times) = r?;
            hodges_provenance(&mut provenance, &h, &p);
            if a.input.verbose {
                eprintln!("stormtrack: time: {}", times.summary());
            }
            run
        }
        None => {
            let r = match &simple_spectral {
                None => pool.install(|| pipeline::track_simple(&p.field, &p.opts, Some(&|n| progress.set(n)))),
                Some(s) => {
                    let filtered = crate::field::FilteredField::with_options(&p.field, s)?;
                    let r = pool.install(|| pipeline::track_simple(&filtered, &p.opts, Some(&|n| progress.set(n))));
                    r.map(|mut run| {
                        run.tracks.metadata.processing.push(crate::pipeline::hodges::spectral_step(s, Some(filtered.filter())));
                        run
                    })
                }
            };
            progress.finish();
            r?
        }
    };
    if let Some(w) = run.missing.warning() {
        eprintln!("stormtrack: warning: {w}");
    }
    // outputs are independent: write them concurrently, report the first failure in order
    let meta = centers_meta(&p.field, run.mode);
    let results: Vec<Result<()>> = pool.install(|| {
        outputs
            .par_iter()
            .map(|(path, format)| {
                if *format == TrackFormat::Parquet {
                    let centers = run.frames.iter().map(|f| frame_centers_batch(&meta, f.frame, f.time, &f.centers)).collect::<Result<Vec<_>>>()?;
                    let opts = pq::DatasetOptions { centers: Some(centers), provenance: provenance.clone() };
                    pq::write_dataset(&run.tracks, path, &opts)
                } else {
                    io::write_tracks(&run.tracks, path, *format)
                }
            })
            .collect()
    });
    results.into_iter().collect::<Result<Vec<()>>>()?;
    if !a.input.quiet {
        let n_centers: usize = run.frames.iter().map(|f| f.centers.len()).sum();
        let names: Vec<String> = outputs.iter().map(|(p, f)| format!("{} ({})", p.display(), f.name())).collect();
        eprintln!(
            "stormtrack: {} frames, {} centres, {} tracks ({} {} mode, threshold {} {}) -> {}",
            run.frames.len(),
            n_centers,
            run.tracks.len(),
            a.algorithm,
            run.mode.as_str(),
            provenance.get("object_threshold").or(provenance.get("feature_threshold")).cloned().unwrap_or_default(),
            p.field.info().value_unit,
            if names.is_empty() { "(no output)".to_string() } else { names.join(", ") }
        );
    }
    Ok(run)
}

fn check_output(path: &Path, format: TrackFormat) -> Result<()> {
    if format == TrackFormat::Parquet { pq::check_target(path) } else { atomic::check_writable_file(path) }
}

fn detect(a: DetectArgs) -> Result<()> {
    let hodges = match a.algorithm.as_str() {
        "simple" => {
            if let Some(flag) = a.hodges.first_given() {
                return Err(Error::option(flag, "applies to -a hodges only; remove it for the simple detector"));
            }
            None
        }
        "hodges" => Some(super::hodges::hodges_options(&a.input, &a.hodges)?),
        other => return Err(Error::option("--algorithm", format!("'{other}' is unknown; use simple or hodges"))),
    };
    atomic::check_writable_file(&a.output)?;
    let bar = BarProgress::new(!a.input.quiet && !a.input.no_progress);
    let (batches, n_frames) = match hodges {
        None => detect_with(&a.input, &bar)?,
        Some(h) => detect_hodges_with(&a.input, h, &bar)?,
    };
    let schema = batches[0].schema();
    let all = arrow::compute::concat_batches(&schema, &batches)?;
    pq::write_file(&all, &a.output)?;
    if !a.input.quiet {
        eprintln!("stormtrack: {} frames, {} centres -> {}", n_frames, all.num_rows(), a.output.display());
    }
    Ok(())
}

/// `stormtrack detect -a hodges` without the output: the Hodges features of every selected
/// frame as record batches (with the object id, refinement status and diagnostics columns).
pub fn detect_hodges_with(
    a: &InputArgs,
    h: crate::pipeline::hodges::HodgesOptions,
    progress: &dyn Progress,
) -> Result<(Vec<arrow::array::RecordBatch>, usize)> {
    let p = prepare_hodges_input(a)?;
    let range = p.opts.selection.frames(&p.field.info().times);
    if range.is_empty() {
        return Err(Error::TooFewFrames("the time selection contains no frame; widen --start/--end".into()));
    }
    let h = settle_hodges(h, &p);
    let pool = pool(p.threads)?;
    progress.start(range.len());
    let detected = pool.install(|| crate::pipeline::hodges::detect_hodges(&p.field, &h, range, Some(&|n| progress.set(n))));
    progress.finish();
    let detected = detected?;
    let meta = centers_meta(&p.field, detected.mode);
    let batches = detected.frames.iter().map(|f| frame_centers_batch(&meta, f.frame, f.time, &f.centers)).collect::<Result<Vec<_>>>()?;
    Ok((batches, detected.frames.len()))
}

/// `stormtrack detect` without the output: the centres of every selected frame as record
/// batches (one per frame, at least one) and the number of frames. Shared with Python.
pub fn detect_with(a: &InputArgs, progress: &dyn Progress) -> Result<(Vec<arrow::array::RecordBatch>, usize)> {
    // the Simple filter's taper default is 0.1 (spec §4.1)
    let spectral = super::hodges::spectral_options(a, None, 0.1)?;
    let p = prepare(a)?;
    let range = p.opts.selection.frames(&p.field.info().times);
    if range.is_empty() {
        return Err(Error::TooFewFrames("the time selection contains no frame; widen --start/--end".into()));
    }
    let pool = pool(p.threads)?;
    let mode = p.opts.mode.expect("prepare resolves the mode");
    let filtered = match &spectral {
        Some(s) => Some(crate::field::FilteredField::with_options(&p.field, s)?),
        None => None,
    };
    let field: &dyn crate::field::Field = match &filtered {
        Some(f) => f,
        None => &p.field,
    };
    progress.start(range.len());
    let frames = pool.install(|| pipeline::detect_range(field, &p.opts.detector, mode, range, Some(&|n| progress.set(n))));
    progress.finish();
    let frames = frames?;
    let meta = centers_meta(&p.field, mode);
    let batches = frames.iter().map(|f| frame_centers_batch(&meta, f.frame, f.time, &f.centers)).collect::<Result<Vec<_>>>()?;
    Ok((batches, frames.len()))
}

fn convert(a: ConvertArgs) -> Result<()> {
    let input = a.input.or(a.input_flag).ok_or_else(|| Error::option("INPUT", "is required"))?;
    let output = a.output.or(a.output_flag).ok_or_else(|| Error::option("OUTPUT", "is required"))?;
    let in_format = io::input_format(&input, TrackFormat::parse(&a.in_format)?)?;
    let out_format = io::output_format(&output, TrackFormat::parse(&a.out_format)?)?;
    check_output(&output, out_format)?;
    let tracks = match in_format {
        TrackFormat::Imilast => io::imilast::read_file(&input, a.variable.as_deref())?,
        TrackFormat::Track => io::tdump::read_file(&input, a.variable.as_deref())?,
        other => io::read_tracks(&input, Some(other))?,
    };
    if a.stats && out_format != TrackFormat::TrackJson {
        return Err(Error::option("--stats", "applies to TrackJSON output only"));
    }
    if a.stats {
        atomic::write_file(&output, |w| io::trackjson::write(&tracks, w, true))?;
    } else {
        tracks.validate()?;
        io::write_tracks(&tracks, &output, out_format)?;
    }
    eprintln!(
        "stormtrack: {} tracks, {} points: {} ({}) -> {} ({})",
        tracks.len(),
        tracks.n_points(),
        input.display(),
        in_format.name(),
        output.display(),
        out_format.name()
    );
    Ok(())
}

fn demo(a: DemoArgs) -> Result<()> {
    crate::synthetic::run_demo(&crate::synthetic::DemoOptions {
        dir: a.output,
        seed: a.seed,
        frames: a.frames,
        storms: a.storms,
        threads: a.threads,
        quiet: a.quiet,
    })
    .map(|_| ())
}
