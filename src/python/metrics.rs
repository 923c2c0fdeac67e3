//! Python entry points of the metrics: statistics and sampling on point arrays, Eulerian
//! metrics of a NetCDF file. The Lagrangian metrics go through the Polars plugin
//! (`track_metrics`, src/python/expressions.rs).

use super::stream::ArrowStream;
use super::to_py;
use crate::field::{Field, FieldSeries};
use crate::ops;
use crate::tracks::OwnedTrackSet;
use crate::variables::Mode;
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
            let req = ops::stats::Statistics::new(grid, &kernel, width_deg, months, density.as_deref(), mean.as_deref())?;
            let points = OwnedTrackSet::from_points(ids, t, la, lo, v, Mode::Max)?;
            ops::stats::statistics_of(&points.set(), &name, &unit, &req)
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
            let field = FieldSeries::open(std::slice::from_ref(&path), &variable)?; // a file or a Zarr store
            Ok((ops::sample::sample_points(t, la, lo, &field, method, radius_km)?, field.info().value_unit.clone()))
        })
        .map_err(to_py)?;
    Ok((values.into_pyarray(py), unit))
}

/// CORMAX of two `(time, lat, lon)` fields over a window of `±rows` rows and `±cols` columns
/// (docs/metrics.md#cormax); `(lat, lon)`.
#[pyfunction]
pub fn cormax_arrays<'py>(
    py: Python<'py>,
    impact: numpy::PyReadonlyArray3<'py, f64>,
    metric: numpy::PyReadonlyArray3<'py, f64>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let (a, b) = (impact.as_array(), metric.as_array());
    let out = py.detach(|| crate::metrics::cormax::cormax(a, b, rows, cols)).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(out.into_pyarray(py))
}

/// Relative vorticity (`vo`) and divergence (`dv`) of the winds `u`, `v` of a file, by
/// spherical harmonics, written in double precision to `output` (what `stormtrack vorticity`
/// writes with the divergence); returns the frames written.
#[pyfunction]
#[pyo3(signature = (input, output, *, u="u".to_string(), v="v".to_string(), radius_m=crate::ops::vorticity::RADIUS_M, threads=None))]
pub fn vorticity_file(py: Python<'_>, input: PathBuf, output: PathBuf, u: String, v: String, radius_m: f64, threads: Option<usize>) -> PyResult<usize> {
    let run = ops::GridRun { double: true, threads, ..Default::default() };
    let opts = ops::vorticity::Options { input, u, v, radius_m, divergence: true, output, run };
    py.detach(|| ops::vorticity::run(&opts)).map_err(super::to_py)
}

/// An Eulerian metric of a NetCDF file as a tidy table (`time`, `cell_lat`, `cell_lon`, value).
#[pyfunction]
#[pyo3(signature = (path, metric, *, variable=None, u=None, v=None, percentile=0.95))]
pub fn eulerian_file(
    py: Python<'_>,
    path: Vec<PathBuf>,
    metric: String,
    variable: Option<String>,
    u: Option<String>,
    v: Option<String>,
    percentile: f64,
) -> PyResult<ArrowStream> {
    let opts = ops::eulerian::Options { input: path, metric, variable, u, v, percentile, output: None };
    let table = py.detach(|| ops::eulerian::run(&opts)).map_err(to_py)?;
    table_stream(&table)
}
