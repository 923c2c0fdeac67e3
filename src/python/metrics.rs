//! Python entry points of the metrics: statistics and sampling on point arrays, Eulerian
//! metrics of a NetCDF file. The Lagrangian metrics go through the Polars plugin
//! (`track_metrics`, src/python/expressions.rs).

use super::stream::ArrowStream;
use super::to_py;
use crate::compare::{DetectionMode, OwnedTrackSet};
use crate::field::{Field, NetcdfField};
use crate::pipeline::eulerian::{EulerianMetric, eulerian_table};
use crate::pipeline::metrics::{StatisticsRequest, statistics_of};
use crate::pipeline::sample::sample_points;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use std::path::PathBuf;

fn table_stream(t: &crate::io::gridded::GriddedTable) -> PyResult<ArrowStream> {
    let batch = crate::io::gridded::tidy_batch(t).map_err(to_py)?;
    Ok(ArrowStream::new(batch.schema(), vec![batch]))
}

/// TRACK-style statistics of track points (any row order) as a tidy table.
#[pyfunction]
#[pyo3(signature = (track_id, time, lat, lon, value, *, name, unit, grid, kernel, width_deg=None, months=None, density=None, mean=None))]
#[allow(clippy::too_many_arguments)]
pub fn track_stats_arrays<'py>(
    py: Python<'py>,
    track_id: PyReadonlyArray1<'py, i64>,
    time: PyReadonlyArray1<'py, i64>,
    lat: PyReadonlyArray1<'py, f64>,
    lon: PyReadonlyArray1<'py, f64>,
    value: PyReadonlyArray1<'py, f64>,
    name: String,
    unit: String,
    grid: f64,
    kernel: String,
    width_deg: Option<f64>,
    months: Option<f64>,
    density: Option<String>,
    mean: Option<String>,
) -> PyResult<ArrowStream> {
    let (ids, t, la, lo, v) = (track_id.as_slice()?, time.as_slice()?, lat.as_slice()?, lon.as_slice()?, value.as_slice()?);
    let table = py
        .detach(|| -> crate::Result<_> {
            crate::cli::metrics::check_months(months)?;
            let req = StatisticsRequest {
                grid: crate::metrics::MetricsGrid::regular(grid)?,
                kernel: crate::cli::metrics::spherical_kernel(&kernel, width_deg)?,
                months,
                select: crate::cli::metrics::selection(density.as_deref(), mean.as_deref())?,
                variable: None,
            };
            let points = OwnedTrackSet::from_points(ids, t, la, lo, v, DetectionMode::Max)?;
            statistics_of(&points.set(), &name, &unit, &req)
        })
        .map_err(to_py)?;
    table_stream(&table)
}

/// A NetCDF field sampled at points `(time ms, lat, lon)`; returns the values and their unit.
#[pyfunction]
#[pyo3(signature = (time, lat, lon, path, variable, *, method="nearest".to_string(), radius_km=0.0))]
pub fn sample_arrays<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, i64>,
    lat: PyReadonlyArray1<'py, f64>,
    lon: PyReadonlyArray1<'py, f64>,
    path: PathBuf,
    variable: String,
    method: String,
    radius_km: f64,
) -> PyResult<(Bound<'py, PyArray1<f64>>, String)> {
    let (t, la, lo) = (time.as_slice()?, lat.as_slice()?, lon.as_slice()?);
    let (values, unit) = py
        .detach(|| -> crate::Result<_> {
            let method: crate::sample::SampleMethod = method.parse()?;
            let field = NetcdfField::open(&path, &variable)?;
            Ok((sample_points(t, la, lo, &field, method, radius_km)?, field.info().value_unit.clone()))
        })
        .map_err(to_py)?;
    Ok((values.into_pyarray(py), unit))
}

/// An Eulerian metric of a NetCDF file as a tidy table (`time`, `cell_lat`, `cell_lon`, value).
#[pyfunction]
#[pyo3(signature = (path, metric, *, variable=None, u=None, v=None, percentile=0.95))]
pub fn eulerian_file(
    py: Python<'_>,
    path: PathBuf,
    metric: String,
    variable: Option<String>,
    u: Option<String>,
    v: Option<String>,
    percentile: f64,
) -> PyResult<ArrowStream> {
    let table = py
        .detach(|| -> crate::Result<_> {
            let metric = EulerianMetric::parse(&metric, percentile)?;
            let first = match metric {
                EulerianMetric::Variance => variable.ok_or_else(|| crate::Error::option("variable", "the variance needs the variable to difference"))?,
                _ => u.ok_or_else(|| crate::Error::option("u", "EKE and the high-wind index need u and v"))?,
            };
            let x = NetcdfField::open(&path, &first)?;
            let second = match metric {
                EulerianMetric::Variance => None,
                _ => Some(NetcdfField::open(&path, &v.ok_or_else(|| crate::Error::option("v", "EKE and the high-wind index need u and v"))?)?),
            };
            eulerian_table(metric, &x, second.as_ref().map(|f| f as &dyn Field))
        })
        .map_err(to_py)?;
    table_stream(&table)
}
