//! Rust dataframe API over Polars: detection to a `DataFrame`, linking and the per-track
//! measures as expressions, and extension traits on `DataFrame` / `LazyFrame`.
//!
//! The Series adapters here are also what the Python expression plugins call, so a Polars
//! expression in Python and the same expression in Rust run one code path. Kernels are the
//! core's: [`crate::link::link_points`] and [`crate::tracks::measure`].
//!
//! ```no_run
//! use polars::prelude::*;
//! use stormtrack::field::NetcdfField;
//! use stormtrack::polars::{DetectOptions, LinkOptions, StormFrameExt, StormLazyExt, path_length_km};
//! let field = NetcdfField::open("era5_msl.nc", "msl")?;
//! let centers = stormtrack::polars::detect(&field, &DetectOptions::default())?;
//! let linked = centers.lazy().link_tracks(LinkOptions::simple()).collect()?;
//! let lengths = linked.lazy().group_by([col("track_id")]).agg([path_length_km(col("lat"), col("lon"), Some(col("time")))]).collect()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod series;

pub use series::{
    bearing_deg_series, duration_h_series, great_circle_km_series, link_mge_series, link_series, max_speed_kmh_series, normalize_lon_series,
    path_length_km_series, rsplice_keep_series, track_metrics_fields, track_metrics_series,
};

use crate::detect::SimpleDetector;
use crate::field::{Field, TimeSelection};
use crate::geo::LonConvention;
use crate::link::SimpleLinker;
use crate::pipeline;
use crate::variables::Mode;
use ::polars::prelude::*;

fn to_polars(e: crate::Error) -> PolarsError {
    PolarsError::ComputeError(e.plain_message().into())
}

/// Options of [`detect`].
#[derive(Debug, Clone, Default)]
pub struct DetectOptions {
    pub detector: SimpleDetector,
    /// `None`: from the variable (see docs/algorithms.md#detection-mode).
    pub mode: Option<Mode>,
    pub selection: TimeSelection,
}

/// Detect the centres of every selected frame into a `DataFrame` with the columns of the
/// `centers` table (`time, frame, lat, lon, value, row, col`), in frame order.
pub fn detect(field: &dyn Field, opts: &DetectOptions) -> PolarsResult<DataFrame> {
    opts.detector.validate().map_err(to_polars)?;
    let mode = match opts.mode {
        Some(m) => m,
        None => field.default_mode().map_err(to_polars)?,
    };
    let range = opts.selection.frames(&field.info().times);
    let frames = pipeline::detect_range(field, &opts.detector, mode, range, None).map_err(to_polars)?;
    let n: usize = frames.iter().map(|f| f.centers.len()).sum();
    let (mut time, mut frame, mut lat, mut lon, mut value, mut row, mut col) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for f in &frames {
        let c = &f.centers;
        time.extend(std::iter::repeat_n(f.time, c.len()));
        frame.extend(std::iter::repeat_n(f.frame, c.len()));
        lat.extend_from_slice(&c.lats);
        lon.extend(c.lons.iter().map(|&x| crate::geo::normalize_lon(x)));
        value.extend_from_slice(&c.values);
        row.extend_from_slice(&c.rows);
        col.extend_from_slice(&c.cols);
    }
    let time = Int64Chunked::from_vec("time".into(), time).into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    DataFrame::new(
        n,
        vec![
            time.into_column(),
            UInt32Chunked::from_vec("frame".into(), frame).into_column(),
            Float64Chunked::from_vec("lat".into(), lat).into_column(),
            Float64Chunked::from_vec("lon".into(), lon).into_column(),
            Float64Chunked::from_vec("value".into(), value).into_column(),
            UInt32Chunked::from_vec("row".into(), row).into_column(),
            UInt32Chunked::from_vec("col".into(), col).into_column(),
        ],
    )
}

/// Options of linking a table of centres.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkOptions {
    pub linker: SimpleLinker,
    /// Convention the linker sorts and breaks ties in; `None`: longitudes as given.
    pub lon_convention: Option<LonConvention>,
    /// Column names.
    pub time: String,
    pub lat: String,
    pub lon: String,
    /// Name of the track id column added.
    pub output: String,
}

impl LinkOptions {
    /// The Simple tracker's defaults (500 km) over columns `time`, `lat`, `lon`, adding `track_id`.
    pub fn simple() -> Self {
        LinkOptions {
            linker: SimpleLinker::default(),
            lon_convention: None,
            time: "time".into(),
            lat: "lat".into(),
            lon: "lon".into(),
            output: "track_id".into(),
        }
    }

    /// Same, with another largest link distance.
    pub fn with_max_km(mut self, max_km: f64) -> Self {
        self.linker.max_km = max_km;
        self
    }
}

/// Track id per row (Int64) as a Polars expression: length-preserving, so it works per group
/// with `.over(...)`.
pub fn link(time: Expr, lat: Expr, lon: Expr, opts: &LinkOptions) -> Expr {
    let (linker, conv) = (opts.linker, opts.lon_convention);
    apply_multiple(
        move |cols: &mut [Column]| {
            let s = link_series(cols[0].as_materialized_series(), cols[1].as_materialized_series(), cols[2].as_materialized_series(), &linker, conv)?;
            Ok(s.into_column())
        },
        [time, lat, lon],
        |_, fields: &[::polars::prelude::Field]| Ok(::polars::prelude::Field::new(fields[0].name().clone(), DataType::Int64)),
        false,
    )
}

/// Path length in km per group (points in `time` order when given, else in row order).
pub fn path_length_km(lat: Expr, lon: Expr, time: Option<Expr>) -> Expr {
    let mut inputs = vec![lat, lon];
    inputs.extend(time);
    apply_multiple(
        |cols: &mut [Column]| {
            let t = cols.get(2).map(|c| c.as_materialized_series());
            Ok(path_length_km_series(cols[0].as_materialized_series(), cols[1].as_materialized_series(), t)?.into_column())
        },
        inputs,
        |_, _| Ok(::polars::prelude::Field::new("path_length_km".into(), DataType::Float64)),
        true,
    )
    .alias("path_length_km")
}

/// Hours from first to last time per group.
pub fn duration_h(time: Expr) -> Expr {
    apply_multiple(
        |cols: &mut [Column]| Ok(duration_h_series(cols[0].as_materialized_series())?.into_column()),
        [time],
        |_, _| Ok(::polars::prelude::Field::new("duration_h".into(), DataType::Float64)),
        true,
    )
    .alias("duration_h")
}

/// Largest speed between consecutive points (in time order) per group, km/h.
pub fn max_speed_kmh(time: Expr, lat: Expr, lon: Expr) -> Expr {
    apply_multiple(
        |cols: &mut [Column]| {
            Ok(max_speed_kmh_series(cols[0].as_materialized_series(), cols[1].as_materialized_series(), cols[2].as_materialized_series())?.into_column())
        },
        [time, lat, lon],
        |_, _| Ok(::polars::prelude::Field::new("max_speed_kmh".into(), DataType::Float64)),
        true,
    )
    .alias("max_speed_kmh")
}

/// Linking on a `DataFrame`.
pub trait StormFrameExt {
    /// Add a track id column (see [`LinkOptions`]).
    fn link_tracks(&self, opts: &LinkOptions) -> PolarsResult<DataFrame>;
}

impl StormFrameExt for DataFrame {
    fn link_tracks(&self, opts: &LinkOptions) -> PolarsResult<DataFrame> {
        let ids = link_series(
            self.column(&opts.time)?.as_materialized_series(),
            self.column(&opts.lat)?.as_materialized_series(),
            self.column(&opts.lon)?.as_materialized_series(),
            &opts.linker,
            opts.lon_convention,
        )?;
        let mut out = self.clone();
        out.with_column(ids.with_name(opts.output.as_str().into()).into_column())?;
        Ok(out)
    }
}

/// Linking on a `LazyFrame`.
pub trait StormLazyExt {
    /// Add a track id column (see [`LinkOptions`]).
    fn link_tracks(self, opts: LinkOptions) -> LazyFrame;
}

impl StormLazyExt for LazyFrame {
    fn link_tracks(self, opts: LinkOptions) -> LazyFrame {
        let e = link(col(opts.time.as_str()), col(opts.lat.as_str()), col(opts.lon.as_str()), &opts).alias(opts.output.as_str());
        self.with_column(e)
    }
}
