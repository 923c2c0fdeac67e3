//! The Python extension module `stormtrack._core`: a thin adapter over the library. The
//! Python package (python/stormtrack) wraps it with typed functions; the Polars expression
//! plugins are in [`expressions`] and the DataFusion capsules in [`udfs`].
//!
//! Long calls release the GIL; errors become `stormtrack.StormtrackError`, naming options by
//! their Python keywords; results cross as Arrow C streams ([`stream::ArrowStream`]).

mod bspline;
mod cca;
mod distributed;
mod expressions;
mod linking;
mod metrics;
mod packed;
mod pictures;
mod refinement;
mod spectral;
mod stream;
mod tracker;
mod udfs;

use crate::detect::SimpleDetector;
use crate::field::{Field, MemoryField};
use crate::geo::LonConvention;
use crate::link::{SimpleLinker, link_points};
use crate::ops::{self, FieldOptions, HodgesSettings, Progress};
use crate::pipeline::{centers_meta, detect_range};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray3};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use stream::ArrowStream;

// Buffers made here are freed by Polars and the other way round: allocate with Polars'
// allocator (falls back to the system allocator outside a Python process that has polars).
#[global_allocator]
static ALLOC: pyo3_polars::PolarsAllocator = pyo3_polars::PolarsAllocator::new();

create_exception!(stormtrack, StormtrackError, PyValueError, "An input, option or data error; the message says what and how to fix it.");

pub(crate) fn to_py(e: crate::Error) -> PyErr {
    StormtrackError::new_err(e.message_with(&keyword_of))
}

/// The Python keyword of an option field name: the functions of `stormtrack` keep the short
/// names of their first release where they differ from the operations' field names.
fn keyword_of(name: &str) -> Option<String> {
    Some(
        match name {
            "max_link_km" => "max_km",
            "detection_mode" => "mode",
            "feature_threshold" => "threshold",
            "feature_refinement" => "refinement",
            "search_window_size" => "window",
            "outputs" => "output",
            "colour_by" => "color_by",
            other => other,
        }
        .to_string(),
    )
}

/// Progress reported to a Python callable `progress(done, total)`; errors in it are ignored.
struct PyProgress {
    callback: Option<Py<PyAny>>,
    total: AtomicUsize,
}

impl Progress for PyProgress {
    fn start(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
        self.set(0);
    }
    fn set(&self, done: usize) {
        if let Some(cb) = &self.callback {
            Python::attach(|py| {
                let _ = cb.call1(py, (done, self.total.load(Ordering::Relaxed)));
            });
        }
    }
    fn finish(&self) {}
}

/// A keyword of `options`, absent or `None` as `None`.
fn keyword<'py, T: pyo3::conversion::FromPyObjectOwned<'py>>(options: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<T>> {
    match options.get_item(key)? {
        Some(v) if !v.is_none() => Ok(Some(v.extract().map_err(Into::into)?)),
        _ => Ok(None),
    }
}

/// The input and detection options that `detect_file` and `track_file` share, from the
/// keywords of `st.detect` / `st.track` (one dict; absent keys keep the defaults).
fn field_and_detection(path: Vec<PathBuf>, variable: String, o: &Bound<'_, PyDict>) -> PyResult<(FieldOptions, ops::detect::DetectionSettings)> {
    const KEYS: [&str; 19] = [
        "mode",
        "threshold",
        "refinement",
        "window",
        "start",
        "end",
        "n_frames",
        "threads",
        "algorithm",
        "lmin",
        "lmax",
        "hodges",
        "taper_points",
        "nside",
        "projection",
        "stereo_grid_spacing_km",
        "extent",
        "closed_contours",
        "merge_dist",
    ];
    for k in o.keys() {
        let k: String = k.extract()?;
        if !KEYS.contains(&k.as_str()) {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!("unknown option '{k}'")));
        }
    }
    let mut field = FieldOptions {
        input: path,
        variable,
        detection_mode: keyword(o, "mode")?.unwrap_or_else(|| FieldOptions::default().detection_mode),
        times: ops::TimeWindow { start: keyword(o, "start")?, end: keyword(o, "end")?, n_frames: keyword(o, "n_frames")? },
        band: ops::BandPass { lmin: keyword(o, "lmin")?, lmax: keyword(o, "lmax")?, spectral_taper: None },
        threads: keyword(o, "threads")?,
        taper_points: keyword(o, "taper_points")?.unwrap_or(0),
        projection: ops::ProjectionOptions {
            projection: keyword(o, "projection")?.unwrap_or_else(|| "global".into()),
            stereo_grid_spacing_km: keyword(o, "stereo_grid_spacing_km")?,
            extent: keyword::<Vec<f64>>(o, "extent")?
                .map(|v| {
                    <[f64; 4]>::try_from(v).map_err(|_| pyo3::exceptions::PyValueError::new_err("extent must be four numbers (xmin, xmax, ymin, ymax) in km"))
                })
                .transpose()?,
        },
    };
    let hodges: Option<Bound<'_, PyDict>> = keyword(o, "hodges")?;
    let detection = ops::detect::DetectionSettings {
        algorithm: keyword(o, "algorithm")?.unwrap_or_else(|| ops::detect::DetectionSettings::default().algorithm),
        feature_threshold: keyword(o, "threshold")?,
        feature_refinement: keyword(o, "refinement")?,
        search_window_size: keyword(o, "window")?,
        hodges: hodges_settings(hodges.as_ref(), &mut field)?,
        nside: keyword(o, "nside")?,
        closed_contours: keyword(o, "closed_contours")?.unwrap_or_default(),
        merge_dist: keyword(o, "merge_dist")?,
    };
    Ok((field, detection))
}

pub(crate) fn hodges_settings(d: Option<&Bound<'_, PyDict>>, field: &mut FieldOptions) -> PyResult<HodgesSettings> {
    let mut h = HodgesSettings::default();
    let Some(d) = d else { return Ok(h) };
    for (k, v) in d.iter() {
        let key: String = k.extract()?;
        match key.as_str() {
            "object_threshold" => h.object_threshold = Some(v.extract()?),
            "w1" => h.linker.w1 = Some(v.extract()?),
            "w2" => h.linker.w2 = Some(v.extract()?),
            "dmax" => h.linker.dmax = Some(v.extract()?),
            "phimax" => h.linker.phimax = Some(v.extract()?),
            "min_track_points" => h.linker.min_track_points = Some(v.extract()?),
            "mge_max_iterations" => h.linker.mge_max_iterations = Some(v.extract()?),
            "min_object_grid_points" => h.min_object_grid_points = Some(v.extract()?),
            "segment_frames" => h.linker.segment_frames = Some(v.extract()?),
            "no_segmentation" => h.no_segmentation = v.extract()?,
            "dmax_zones" => h.dmax_zones = Some(v.extract()?),
            "adaptive_smoothness" => h.adaptive_smoothness = Some(v.extract()?),
            "spectral_taper" => field.band.spectral_taper = Some(v.extract()?),
            "time_step" => h.time_step = Some(v.extract()?),
            "mge_workers" => h.mge_workers = Some(v.extract()?),
            other => return Err(pyo3::exceptions::PyTypeError::new_err(format!("unknown Hodges option '{other}'"))),
        }
    }
    Ok(h)
}

/// [`detect_file`] frame by frame: an iterator of one-batch streams, as they are ready.
#[pyfunction]
#[pyo3(signature = (path, variable, options))]
fn detect_file_stream(path: Vec<PathBuf>, variable: String, options: Bound<'_, PyDict>) -> PyResult<stream::CenterStream> {
    let (field, detection) = field_and_detection(path, variable, &options)?;
    let opts = ops::detect::Options { field, detection, output: None };
    Ok(stream::CenterStream::new(ops::detect::detect_batches(&opts).map_err(to_py)?))
}

/// Centres of a NetCDF file (the `centers` table), as `stormtrack detect [-a hodges]` finds them;
/// `options` holds the keywords of `st.detect` ([`field_and_detection`]). With `block_runner`, frames are detected where it says (docs/distributed.md).
#[pyfunction]
#[pyo3(signature = (path, variable, options, *, progress=None, block_runner=None))]
fn detect_file(
    py: Python<'_>,
    path: Vec<PathBuf>,
    variable: String,
    options: Bound<'_, PyDict>,
    progress: Option<Py<PyAny>>,
    block_runner: Option<Py<PyAny>>,
) -> PyResult<ArrowStream> {
    let (field, detection) = field_and_detection(path, variable, &options)?;
    let opts = ops::detect::Options { field, detection, output: None };
    let p = PyProgress { callback: progress, total: AtomicUsize::new(0) };
    let runner = block_runner.map(distributed::PyBlockRunner);
    let done = py.detach(|| ops::detect::run_with(&opts, runner.as_ref().map(|r| r as _), &p)).map_err(to_py)?;
    Ok(ArrowStream::new(done.batches[0].schema(), done.batches))
}

/// Every candidate of the Simple detector and the test that turned it down
/// (`stormtrack detect --rejections`), for `st.rejections`.
#[pyfunction]
#[pyo3(signature = (path, variable, options, *, progress=None))]
fn rejections_file(py: Python<'_>, path: Vec<PathBuf>, variable: String, options: Bound<'_, PyDict>, progress: Option<Py<PyAny>>) -> PyResult<ArrowStream> {
    let (field, detection) = field_and_detection(path, variable, &options)?;
    let opts = ops::detect::Options { field, detection, output: None };
    let p = PyProgress { callback: progress, total: AtomicUsize::new(0) };
    let batches = py.detach(|| ops::rejections::run(&opts, &p)).map_err(to_py)?;
    let schema = batches.first().map(|b| b.schema()).ok_or_else(|| to_py(crate::error::Error::TooFewFrames("the time selection contains no frame".into())))?;
    Ok(ArrowStream::new(schema, batches))
}

/// The calendar, detection mode and Simple detector of the in-memory entry points
/// (`detect_array`, `Tracker`), parsed from their keywords.
pub(crate) fn simple_settings(
    calendar: Option<&str>,
    mode: &str,
    threshold: Option<f64>,
    refinement: &str,
    window: usize,
) -> PyResult<(crate::time::Calendar, Option<crate::variables::Mode>, SimpleDetector)> {
    let calendar = crate::time::Calendar::parse(calendar).map_err(to_py)?;
    let mode = ops::parse_mode("detection_mode", mode).map_err(to_py)?;
    let detector = ops::detect::simple_detector(threshold, Some(refinement), Some(window)).map_err(to_py)?;
    Ok((calendar, mode, detector))
}

/// Centres of an in-memory field (times in ms since 1970-01-01 in `calendar`, data (time, lat,
/// lon) float64).
#[pyfunction]
#[pyo3(signature = (data, times, lat, lon, *, variable, units=None, standard_name=None, calendar=None, mode="auto".to_string(), threshold=None, refinement="grid".to_string(), window=5, frame_offset=0, threads=None, progress=None, taper_points=0))]
#[allow(clippy::too_many_arguments)]
fn detect_array(
    py: Python<'_>,
    data: PyReadonlyArray3<'_, f64>,
    times: Vec<i64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    variable: String,
    units: Option<String>,
    standard_name: Option<String>,
    calendar: Option<String>,
    mode: String,
    threshold: Option<f64>,
    refinement: String,
    window: usize,
    frame_offset: u32,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
    taper_points: usize,
) -> PyResult<ArrowStream> {
    ops::check_threads(threads).map_err(to_py)?;
    let (calendar, mode_arg, detector) = simple_settings(calendar.as_deref(), &mode, threshold, &refinement, window)?;
    let mut array = data.as_array().to_owned();
    // the boundary taper, as a file's frames get it (docs/algorithms.md#boundary-taper)
    if taper_points > 0 {
        let (_, ny, nx) = array.dim();
        let taper = crate::field::BoundaryTaper::new(ny, nx, taper_points);
        array.outer_iter_mut().for_each(|frame| taper.apply(frame));
    }
    let p = PyProgress { callback: progress, total: AtomicUsize::new(0) };
    let batches = py
        .detach(|| -> crate::Result<Vec<arrow::array::RecordBatch>> {
            let field = MemoryField::from_cf(&variable, units.as_deref(), standard_name, crate::time::TimeAxis { times, calendar }, lat, lon, array)?;
            let info = field.info();
            let mode = match mode_arg {
                Some(m) => m,
                None => field.default_mode()?,
            };
            let threshold = info.feature_threshold(threshold);
            let detector = SimpleDetector { threshold, ..detector };
            let nt = info.times.len();
            let pool = ops::pool(threads)?;
            p.start(nt);
            let frames = pool.install(|| detect_range(&field, &detector, mode, 0..nt, Some(&|n| p.set(n))))?;
            let meta = centers_meta(&field, mode);
            let mut out = Vec::with_capacity(frames.len() + 1);
            for f in &frames {
                out.push(crate::arrow::frame_centers_batch(&meta, f.frame + frame_offset, f.time, &f.centers)?);
            }
            if out.is_empty() {
                out.push(arrow::array::RecordBatch::new_empty(crate::arrow::centers_schema(&meta, &[])));
            }
            Ok(out)
        })
        .map_err(to_py)?;
    Ok(ArrowStream::new(batches[0].schema(), batches))
}

/// `stormtrack track` on a NetCDF file: writes each output (may be none) and returns the
/// `track_points` and `tracks` tables; `options` holds the keywords of `st.track` that
/// `detect_file` takes too. With `block_runner`, frames are detected where it says
/// (docs/distributed.md); `input_name` is what the descriptor records as the input.
#[pyfunction]
#[pyo3(signature = (path, variable, options, *, outputs=Vec::new(), format="auto".to_string(), max_km=None, quiet=true, progress=None, append=None, block_runner=None, input_name=None))]
#[allow(clippy::too_many_arguments)]
fn track_file(
    py: Python<'_>,
    path: Vec<PathBuf>,
    variable: String,
    options: Bound<'_, PyDict>,
    outputs: Vec<PathBuf>,
    format: String,
    max_km: Option<f64>,
    quiet: bool,
    progress: Option<Py<PyAny>>,
    append: Option<PathBuf>,
    block_runner: Option<Py<PyAny>>,
    input_name: Option<String>,
) -> PyResult<(ArrowStream, ArrowStream)> {
    let (field, detection) = field_and_detection(path, variable, &options)?;
    let opts = ops::track::Options { field, detection, max_link_km: max_km, outputs, format, append, input_name };
    let p = PyProgress { callback: progress, total: AtomicUsize::new(0) };
    let runner = block_runner.map(distributed::PyBlockRunner);
    let done = py.detach(|| ops::track::run_with(&opts, runner.as_ref().map(|r| r as _), &p)).map_err(to_py)?;
    if let Some(w) = done.warning() {
        eprintln!("stormtrack: warning: {w}");
    }
    if !quiet {
        eprintln!("stormtrack: {}", done.summary());
    }
    tracks_streams(&done.run.tracks)
}

pub(crate) fn tracks_streams(tracks: &crate::Tracks) -> PyResult<(ArrowStream, ArrowStream)> {
    let points = crate::arrow::track_points_batch(tracks).map_err(to_py)?;
    let summary = crate::arrow::tracks_batch(tracks).map_err(to_py)?;
    Ok((ArrowStream::new(points.schema(), vec![points]), ArrowStream::new(summary.schema(), vec![summary])))
}

/// Read tracks in any supported format; returns the `track_points` and `tracks` tables.
#[pyfunction]
#[pyo3(signature = (path, format=None, variable=None, calendar=None, fields=Vec::new(), mode=None, first_frame_time=None, frame_step_hours=None))]
#[allow(clippy::too_many_arguments)]
fn read_tracks(
    py: Python<'_>,
    path: PathBuf,
    format: Option<String>,
    variable: Option<String>,
    calendar: Option<String>,
    fields: Vec<String>,
    mode: Option<String>,
    first_frame_time: Option<String>,
    frame_step_hours: Option<f64>,
) -> PyResult<(ArrowStream, ArrowStream)> {
    let tracks = py
        .detach(|| -> crate::Result<crate::Tracks> {
            let frames = Some((first_frame_time.as_deref(), frame_step_hours));
            let opts = ops::input_options(format.as_deref(), variable.as_deref(), calendar.as_deref(), &fields, mode.as_deref(), frames)?;
            crate::io::read_tracks_with(&path, &opts)
        })
        .map_err(to_py)?;
    tracks_streams(&tracks)
}

/// The tables present in a dataset directory (`centers`, `track_points`, `tracks`); an error
/// when there is none.
#[pyfunction]
fn dataset_tables(path: PathBuf) -> PyResult<Vec<&'static str>> {
    crate::io::parquet::dataset_tables(&path).map_err(to_py)
}

/// The directory holding the current generation of a dataset (to read one consistent
/// snapshot while a writer may switch it), or the path itself for an older dataset.
#[pyfunction]
fn dataset_snapshot(path: PathBuf) -> PathBuf {
    crate::io::generations::snapshot(&path)
}

/// The core linking kernel on plain arrays (what the expression plugin and SQL call).
#[pyfunction]
#[pyo3(signature = (time, lat, lon, *, max_km=SimpleLinker::default().max_km, lon_convention=None))]
fn link_arrays<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, i64>,
    lat: PyReadonlyArray1<'py, f64>,
    lon: PyReadonlyArray1<'py, f64>,
    max_km: f64,
    lon_convention: Option<String>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let conv = match lon_convention.as_deref() {
        None => None,
        Some(s) => {
            Some(LonConvention::parse(s).ok_or_else(|| to_py(crate::Error::option("lon_convention", format!("'{s}' is not one of '0..360', '-180..180'"))))?)
        }
    };
    let (t, la, lo) = (time.as_slice()?, lat.as_slice()?, lon.as_slice()?);
    let ids = py.detach(|| link_points(t, la, lo, &SimpleLinker { max_km }, conv)).map_err(to_py)?;
    Ok(ids.into_pyarray(py))
}

/// The variables other than `variable` that the `closed_contours` entries
/// (`variable,delta,dist,minmaxdist`) test, in order of first mention: what the core reads
/// beside the tracked variable.
#[pyfunction]
fn closed_contour_variables(variable: &str, closed_contours: Vec<String>) -> Vec<String> {
    ops::detect::other_variables(variable, &closed_contours)
}

/// Run the command line with `argv` (program name first); returns the exit code. The wheel's
/// `stormtrack` script: the one place the extension reaches the CLI, which it links as a
/// program, not as a library of options. `block_runner` serves `--dask-scheduler`.
#[cfg(feature = "cli")]
#[pyfunction]
#[pyo3(signature = (argv, block_runner=None))]
fn cli_main(py: Python<'_>, argv: Vec<String>, block_runner: Option<Py<PyAny>>) -> u8 {
    let runner = block_runner.map(distributed::PyBlockRunner);
    py.detach(|| crate::cli::main_with(argv.into_iter().map(Into::into).collect(), runner.as_ref().map(|r| r as _)))
}

/// Why the built-in GRIB reader cannot read `variable` of the GRIB file `path`, or `None`
/// where it can (docs/input.md#grib): the Python package then reads the file through ecCodes.
/// Any other problem (no such file or variable, a corrupt message) is raised.
#[pyfunction]
#[pyo3(signature = (path, variable=None))]
fn grib_unsupported(py: Python<'_>, path: PathBuf, variable: Option<String>) -> PyResult<Option<String>> {
    let Some(variable) = variable else { return Ok(Some("no variable named".into())) };
    match py.detach(|| crate::field::GribField::open(&path, &variable)) {
        Ok(_) => Ok(None),
        Err(crate::Error::Grib(crate::field::GribError::Unsupported { feature, .. })) => Ok(Some(feature)),
        Err(e) => Err(to_py(e)),
    }
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crate::VERSION)?;
    m.add("RUST_POLARS_VERSION", "0.55.2")?;
    m.add("DATAFUSION_VERSION", "55.2.0")?;
    m.add("StormtrackError", m.py().get_type::<StormtrackError>())?;
    m.add_class::<ArrowStream>()?;
    m.add_class::<stream::CenterStream>()?;
    m.add_class::<tracker::Tracker>()?;
    m.add_function(wrap_pyfunction!(detect_file_stream, m)?)?;
    m.add_class::<udfs::ScalarUdf>()?;
    m.add_class::<udfs::AggregateUdf>()?;
    m.add_class::<udfs::WindowUdf>()?;
    m.add_function(wrap_pyfunction!(detect_file, m)?)?;
    m.add_function(wrap_pyfunction!(rejections_file, m)?)?;
    m.add_function(wrap_pyfunction!(detect_array, m)?)?;
    m.add_function(wrap_pyfunction!(track_file, m)?)?;
    m.add_function(wrap_pyfunction!(grib_unsupported, m)?)?;
    m.add_function(wrap_pyfunction!(read_tracks, m)?)?;
    m.add_function(wrap_pyfunction!(packed::read_tracks_packed, m)?)?;
    m.add_function(wrap_pyfunction!(packed::write_tracks_packed, m)?)?;
    m.add_function(wrap_pyfunction!(packed::compare_packed, m)?)?;
    m.add_function(wrap_pyfunction!(dataset_tables, m)?)?;
    m.add_function(wrap_pyfunction!(dataset_snapshot, m)?)?;
    m.add("PARTITION_COLUMNS", crate::io::parquet::PARTITION_COLUMNS.to_vec())?;
    m.add("DEFAULT_MAX_LINK_KM", SimpleLinker::default().max_km)?;
    m.add("DATASET_TABLES", crate::io::parquet::TABLES.to_vec())?;
    m.add_function(wrap_pyfunction!(link_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(closed_contour_variables, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::track_stats_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::sample_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::cormax_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(cca::cca_truncation, m)?)?;
    m.add_class::<cca::CcaModel>()?;
    m.add_function(wrap_pyfunction!(bspline::rect_bspline_surface, m)?)?;
    m.add_function(wrap_pyfunction!(bspline::sphere_bspline_surface, m)?)?;
    m.add_function(wrap_pyfunction!(bspline::refine_rect_bspline, m)?)?;
    m.add_function(wrap_pyfunction!(bspline::refine_sphere_bspline, m)?)?;
    m.add_function(wrap_pyfunction!(linking::simple_link_step, m)?)?;
    m.add_function(wrap_pyfunction!(linking::plan_segments, m)?)?;
    m.add_function(wrap_pyfunction!(linking::splice_segments, m)?)?;
    m.add_function(wrap_pyfunction!(linking::mge_link_frames, m)?)?;
    m.add_function(wrap_pyfunction!(refinement::refine_quadratic_cells, m)?)?;
    m.add_function(wrap_pyfunction!(refinement::refine_spherical_quadratic_cells, m)?)?;
    m.add_function(wrap_pyfunction!(spectral::band_pass_frames, m)?)?;
    m.add_function(wrap_pyfunction!(spectral::boundary_taper_weights, m)?)?;
    m.add_function(wrap_pyfunction!(spectral::regrid_to_points, m)?)?;
    m.add_function(wrap_pyfunction!(spectral::reduced_to_regular, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::vorticity_file, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::eulerian_file, m)?)?;
    m.add_function(wrap_pyfunction!(pictures::plot_file, m)?)?;
    m.add_function(wrap_pyfunction!(pictures::plot_points, m)?)?;
    m.add_function(wrap_pyfunction!(pictures::explore_file, m)?)?;
    m.add_function(wrap_pyfunction!(pictures::explore_points, m)?)?;
    #[cfg(feature = "cli")]
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    #[cfg(feature = "cli")]
    m.add_function(wrap_pyfunction!(distributed::cli_detect_block, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::detect_block, m)?)?;
    m.add_function(wrap_pyfunction!(udfs::sql_functions, m)?)?;
    m.add_function(wrap_pyfunction!(udfs::sql_docs, m)?)?;
    Ok(())
}
