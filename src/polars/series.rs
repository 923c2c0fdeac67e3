//! Series-level adapters: Polars columns to the core's slices and back. Shared by the Rust
//! expressions and the Python expression plugins.

use crate::geo::LonConvention;
use crate::link::{SimpleLinker, link_points};
use crate::ops::link::MgeSettings;
use crate::tracks::measure::{TrackPoints, duration_hours, max_speed_kmh, path_length_km};
use ::polars::prelude::*;

fn err(msg: impl Into<String>) -> PolarsError {
    PolarsError::ComputeError(msg.into().into())
}

/// Float64 values of a numeric column, in one chunk.
fn f64s(s: &Series) -> PolarsResult<Float64Chunked> {
    if !s.dtype().is_primitive_numeric() && !s.dtype().is_null() {
        return Err(err(format!("column '{}' must be numeric (degrees), not {}", s.name(), s.dtype())));
    }
    Ok(s.cast(&DataType::Float64)?.f64()?.rechunk().into_owned())
}

/// Physical Int64 values of a time column and the ticks per hour of its unit (`None` for
/// plain integers, whose unit is unknown).
fn times(s: &Series) -> PolarsResult<(Int64Chunked, Option<f64>)> {
    let tph = match s.dtype() {
        DataType::Datetime(TimeUnit::Milliseconds, _) => Some(3.6e6),
        DataType::Datetime(TimeUnit::Microseconds, _) => Some(3.6e9),
        DataType::Datetime(TimeUnit::Nanoseconds, _) => Some(3.6e12),
        DataType::Date => Some(1.0 / 24.0),
        d if d.is_integer() => None,
        d => return Err(err(format!("column '{}' must be a Datetime, Date or integer time, not {d}", s.name()))),
    };
    let phys = s.to_physical_repr().cast(&DataType::Int64)?;
    Ok((phys.i64()?.rechunk().into_owned(), tph))
}

fn reject_nulls(what: &str, cols: &[&Series]) -> PolarsResult<()> {
    for c in cols {
        if c.null_count() > 0 {
            let first = c.is_null().iter().position(|x| x == Some(true)).unwrap_or(0);
            return Err(err(format!("{what}: column '{}' has {} null values (first at row {first}); drop or fill them first", c.name(), c.null_count())));
        }
    }
    Ok(())
}

/// Track id per row (see [`link_points`]); nulls are rejected.
pub fn link_series(time: &Series, lat: &Series, lon: &Series, linker: &SimpleLinker, conv: Option<LonConvention>) -> PolarsResult<Series> {
    reject_nulls("link", &[time, lat, lon])?;
    let (t, _) = times(time)?;
    let (la, lo) = (f64s(lat)?, f64s(lon)?);
    let ids = link_points(t.cont_slice()?, la.cont_slice()?, lo.cont_slice()?, linker, conv).map_err(|e| err(format!("link: {}", e.plain_message())))?;
    Ok(Int64Chunked::from_vec(time.name().clone(), ids).into_series())
}

/// Times for the linker and RSPLICE: Datetime and Date columns as milliseconds (the unit of
/// their time-step options), integers as given.
fn times_ms(s: &Series) -> PolarsResult<Int64Chunked> {
    let ms = match s.dtype() {
        DataType::Datetime(_, _) | DataType::Date => s.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?,
        _ => s.clone(),
    };
    Ok(times(&ms)?.0)
}

/// Track id per row by Hodges (MGE) linking (see [`crate::link::link_points_mge`]); null for
/// rows in no kept track. Datetime columns are linked in milliseconds.
pub fn link_mge_series(time: &Series, lat: &Series, lon: &Series, value: Option<&Series>, opts: &MgeSettings) -> PolarsResult<Series> {
    reject_nulls("link", &[time, lat, lon])?;
    let params = opts.params().map_err(|e| err(format!("link: {}", e.plain_message())))?;
    let t = times_ms(time)?;
    let (la, lo) = (f64s(lat)?, f64s(lon)?);
    let v = value.map(f64s).transpose()?;
    let v = v.as_ref().map(|c| c.fill_null_with_values(0.0)).transpose()?;
    let values = v.as_ref().map(|c| c.cont_slice()).transpose()?;
    let ids = crate::link::link_points_mge(t.cont_slice()?, la.cont_slice()?, lo.cont_slice()?, values, &params)
        .map_err(|e| err(format!("link: {}", e.plain_message())))?;
    Ok(Int64Chunked::from_iter_options(time.name().clone(), ids.into_iter()).into_series())
}

/// TRACK's RSPLICE criterion for one track's points (see [`crate::compare::rsplice_keep`]).
pub fn rsplice_keep_series(time: &Series, lat: &Series, lon: &Series, opts: &crate::compare::RspliceOptions) -> PolarsResult<Series> {
    let ms = times_ms(time)?.into_series();
    let (mut p, _) = points(Some(&ms), lat, lon)?;
    p.sort_by_time();
    let keep = crate::compare::rsplice_keep(&p.times, &p.lats, &p.lons, opts).map_err(|e| err(format!("rsplice_keep: {e}")))?;
    Ok(BooleanChunked::from_slice(time.name().clone(), &[keep]).into_series())
}

/// Gather non-null points; `time` absent means row order.
fn points(time: Option<&Series>, lat: &Series, lon: &Series) -> PolarsResult<(TrackPoints, Option<f64>)> {
    let (la, lo) = (f64s(lat)?, f64s(lon)?);
    let (t, tph) = match time {
        Some(s) => {
            let (t, tph) = times(s)?;
            (Some(t), tph)
        }
        None => (None, None),
    };
    let mut p = TrackPoints::default();
    for i in 0..la.len() {
        let tv = match &t {
            Some(t) => t.get(i),
            None => Some(i as i64),
        };
        if let (Some(tv), Some(a), Some(o)) = (tv, la.get(i), lo.get(i)) {
            p.push(tv, a, o);
        }
    }
    p.sort_by_time();
    Ok((p, tph))
}

fn scalar(name: &str, v: Option<f64>) -> Series {
    Float64Chunked::from_iter_options(name.into(), std::iter::once(v)).into_series()
}

/// Path length in km of one group (length-1 Series); rows with nulls are skipped.
pub fn path_length_km_series(lat: &Series, lon: &Series, time: Option<&Series>) -> PolarsResult<Series> {
    let (p, _) = points(time, lat, lon)?;
    Ok(scalar("path_length_km", (!p.is_empty()).then(|| path_length_km(&p.lats, &p.lons))))
}

/// Hours from first to last time of one group.
pub fn duration_h_series(time: &Series) -> PolarsResult<Series> {
    let (t, tph) = times(time)?;
    let tph = tph.ok_or_else(|| err(format!("duration_h: column '{}' must be a Datetime or Date to know its unit", time.name())))?;
    let v: Vec<i64> = t.iter().flatten().collect();
    Ok(scalar("duration_h", duration_hours(&v, tph)))
}

/// Largest speed in km/h between consecutive points of one group, in time order.
pub fn max_speed_kmh_series(time: &Series, lat: &Series, lon: &Series) -> PolarsResult<Series> {
    let (p, tph) = points(Some(time), lat, lon)?;
    let tph = tph.ok_or_else(|| err(format!("max_speed_kmh: column '{}' must be a Datetime or Date to know its unit", time.name())))?;
    let v = max_speed_kmh(&p.times, &p.lats, &p.lons, tph)
        .map_err(|_| err("max_speed_kmh: two points of one group have the same time; compute it per track (group_by or .over(\"track_id\"))"))?;
    Ok(scalar("max_speed_kmh", v))
}

/// Elementwise kernel over Float64 columns that broadcasts length-1 inputs.
fn elementwise(name: &str, cols: &[&Series], f: impl Fn(&[f64]) -> f64) -> PolarsResult<Series> {
    let arrays = cols.iter().map(|s| f64s(s)).collect::<PolarsResult<Vec<_>>>()?;
    let n = arrays.iter().map(|a| a.len()).max().unwrap_or(0);
    if let Some(a) = arrays.iter().find(|a| a.len() != n && a.len() != 1) {
        return Err(err(format!("{name}: inputs have lengths {} and {n}", a.len())));
    }
    let mut buf = vec![0.0; arrays.len()];
    let out: Float64Chunked = (0..n)
        .map(|i| {
            for (k, a) in arrays.iter().enumerate() {
                buf[k] = a.get(if a.len() == 1 { 0 } else { i })?;
            }
            Some(f(&buf))
        })
        .collect();
    Ok(out.with_name(cols[0].name().clone()).into_series())
}

/// Great-circle distance in km, elementwise.
pub fn great_circle_km_series(lat1: &Series, lon1: &Series, lat2: &Series, lon2: &Series) -> PolarsResult<Series> {
    elementwise("great_circle_km", &[lat1, lon1, lat2, lon2], |a| crate::geo::great_circle_km(a[0], a[1], a[2], a[3]))
}

/// Initial bearing in degrees, elementwise.
pub fn bearing_deg_series(lat1: &Series, lon1: &Series, lat2: &Series, lon2: &Series) -> PolarsResult<Series> {
    elementwise("bearing_deg", &[lat1, lon1, lat2, lon2], |a| crate::geo::bearing_deg(a[0], a[1], a[2], a[3]))
}

/// Longitude in [-180, 180), elementwise.
pub fn normalize_lon_series(lon: &Series) -> PolarsResult<Series> {
    elementwise("normalize_lon", &[lon], |a| crate::geo::normalize_lon(a[0]))
}

/// The struct fields of a metrics row: `time` (monthly only), `cell_lat`, `cell_lon`, then the
/// metrics asked for, in the peer's order.
pub fn track_metrics_fields(opts: &crate::ops::metrics::TableOptions) -> Vec<Field> {
    let mut fields = Vec::new();
    if opts.monthly {
        fields.push(Field::new("time".into(), DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))));
    }
    fields.push(Field::new("cell_lat".into(), DataType::Float64));
    fields.push(Field::new("cell_lon".into(), DataType::Float64));
    for name in crate::metrics::METRIC_NAMES.iter().filter(|n| opts.metrics.iter().any(|m| m == *n)) {
        fields.push(Field::new((*name).into(), DataType::Float64));
    }
    fields
}

/// The Lagrangian metrics (see docs/algorithms.md#lagrangian-metrics) of the points of a group as one list of structs (see
/// [`crate::ops::metrics::metrics_rows`]): tracks by `track_id`, points by time.
pub fn track_metrics_series(
    track_id: &Series,
    time: &Series,
    lat: &Series,
    lon: &Series,
    value: &Series,
    opts: &crate::ops::metrics::TableOptions,
) -> PolarsResult<Series> {
    use crate::ops::metrics::metrics_rows;
    use crate::tracks::OwnedTrackSet;
    use crate::variables::Mode;
    reject_nulls("track_metrics", &[track_id, time, lat, lon, value])?;
    if !matches!(time.dtype(), DataType::Datetime(_, _) | DataType::Date) {
        return Err(err(format!(
            "track_metrics: column '{}' must be a Datetime or Date (hourly resampling and months need real times), not {}",
            time.name(),
            time.dtype()
        )));
    }
    let ids = track_id.cast(&DataType::Int64)?.i64()?.rechunk().into_owned();
    let t = times_ms(time)?;
    let (la, lo, v) = (f64s(lat)?, f64s(lon)?, f64s(value)?);
    let points = OwnedTrackSet::from_points(ids.cont_slice()?, t.cont_slice()?, la.cont_slice()?, lo.cont_slice()?, v.cont_slice()?, Mode::Max)
        .map_err(|e| err(format!("track_metrics: {e}")))?;
    let rows = metrics_rows(&points, opts).map_err(|e| err(format!("track_metrics: {}", e.plain_message())))?;
    let mut cols: Vec<Column> = Vec::new();
    if let Some(ts) = rows.time {
        cols.push(Int64Chunked::from_vec("time".into(), ts).into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)).into_series().into());
    }
    cols.push(Float64Chunked::from_vec("cell_lat".into(), rows.cell_lat).into_series().into());
    cols.push(Float64Chunked::from_vec("cell_lon".into(), rows.cell_lon).into_series().into());
    for (name, values) in rows.columns {
        cols.push(Float64Chunked::from_vec(name.as_str().into(), values).into_series().into());
    }
    let n = cols[0].len();
    let st = StructChunked::from_columns(value.name().clone(), n, &cols)?.into_series();
    Ok(st.implode()?.into_series())
}
