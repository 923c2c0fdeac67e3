//! Polars expression plugins: `#[polars_expr]` shims over `crate::polars`'s Series adapters.
//! The Python wrappers (python/stormtrack/_expressions.py) call these by function name and set
//! the flags: `link` is length-preserving (not elementwise, so `.over()` works), the measures
//! return a scalar per group, the geometry functions are elementwise.

use crate::geo::LonConvention;
use crate::link::SimpleLinker;
use crate::polars as sp;
use ::polars::prelude::*;
use pyo3_polars::derive::polars_expr;
use serde::Deserialize;

#[derive(Deserialize)]
struct LinkKwargs {
    max_km: f64,
    lon_convention: Option<String>,
}

#[polars_expr(output_type = Int64)]
fn link(inputs: &[Series], kwargs: LinkKwargs) -> PolarsResult<Series> {
    let conv = match kwargs.lon_convention.as_deref() {
        None => None,
        Some(s) => Some(
            LonConvention::parse(s)
                .ok_or_else(|| PolarsError::ComputeError(format!("link: lon_convention '{s}' is not one of '0..360', '-180..180'").into()))?,
        ),
    };
    sp::link_series(&inputs[0], &inputs[1], &inputs[2], &SimpleLinker { max_km: kwargs.max_km }, conv)
}

/// MGE linking; the kwargs are [`crate::ops::link::MgeSettings`] (the option field names).
#[polars_expr(output_type = Int64)]
fn link_mge(inputs: &[Series], kwargs: crate::ops::link::MgeSettings) -> PolarsResult<Series> {
    sp::link_mge_series(&inputs[0], &inputs[1], &inputs[2], inputs.get(3), &kwargs)
}

#[derive(Deserialize)]
struct RspliceKwargs {
    min_points: usize,
    max_points: Option<usize>,
    distance_deg: f64,
    travel: bool,
    expected_cadence_ms: Option<i64>,
}

/// TRACK's RSPLICE criterion over one track's points (a group): true to keep it.
#[polars_expr(output_type = Boolean)]
fn rsplice_keep(inputs: &[Series], kwargs: RspliceKwargs) -> PolarsResult<Series> {
    use crate::compare::{DistanceMode, RspliceOptions};
    let opts = RspliceOptions {
        min_points: kwargs.min_points,
        max_points: kwargs.max_points,
        distance_deg: kwargs.distance_deg,
        mode: if kwargs.travel { DistanceMode::Travel } else { DistanceMode::Endpoint },
        expected_cadence_ms: kwargs.expected_cadence_ms,
    };
    sp::rsplice_keep_series(&inputs[0], &inputs[1], &inputs[2], &opts)
}

#[polars_expr(output_type = Float64)]
fn great_circle_km(inputs: &[Series]) -> PolarsResult<Series> {
    sp::great_circle_km_series(&inputs[0], &inputs[1], &inputs[2], &inputs[3])
}

#[polars_expr(output_type = Float64)]
fn bearing_deg(inputs: &[Series]) -> PolarsResult<Series> {
    sp::bearing_deg_series(&inputs[0], &inputs[1], &inputs[2], &inputs[3])
}

#[polars_expr(output_type = Float64)]
fn normalize_lon(inputs: &[Series]) -> PolarsResult<Series> {
    sp::normalize_lon_series(&inputs[0])
}

#[polars_expr(output_type = Float64)]
fn path_length_km(inputs: &[Series]) -> PolarsResult<Series> {
    sp::path_length_km_series(&inputs[0], &inputs[1], inputs.get(2))
}

#[polars_expr(output_type = Float64)]
fn duration_h(inputs: &[Series]) -> PolarsResult<Series> {
    sp::duration_h_series(&inputs[0])
}

#[polars_expr(output_type = Float64)]
fn max_speed_kmh(inputs: &[Series]) -> PolarsResult<Series> {
    sp::max_speed_kmh_series(&inputs[0], &inputs[1], &inputs[2])
}

fn track_metrics_type(_input: &[Field], kwargs: crate::ops::metrics::TableOptions) -> PolarsResult<Field> {
    let fields = sp::track_metrics_fields(&kwargs);
    Ok(Field::new("track_metrics".into(), DataType::List(Box::new(DataType::Struct(fields)))))
}

/// Lagrangian metrics of a group's track points `(track_id, time, lat, lon, value)` as one
/// list of structs; the kwargs are [`crate::ops::metrics::TableOptions`].
#[polars_expr(output_type_func_with_kwargs = track_metrics_type)]
fn track_metrics(inputs: &[Series], kwargs: crate::ops::metrics::TableOptions) -> PolarsResult<Series> {
    sp::track_metrics_series(&inputs[0], &inputs[1], &inputs[2], &inputs[3], &inputs[4], &kwargs)
}
