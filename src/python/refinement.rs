//! Python entry points of the grid refinements (`stormtrack.compat.refinement`,
//! docs/algorithms.md#quadratic-refinement and #spherical-quadratic-refinement): cells of one
//! frame refined by the planar 3x3 quadratic or the spherical tangent-plane quadratic.

use super::to_py;
use crate::detect::hodges::refine_spherical_quadratic_cell as refine_cell;
use crate::detect::refine_quadratic_at;
use crate::detect::spherical_quadratic::{Fit, FitDiagnostics, FitStatus, Sample};
use crate::error::Error;
use crate::variables::Mode;
use ndarray::ArrayView2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

type Columns<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// The frame must lie on `lat` x `lon`, with one column per row.
fn check(frame: ArrayView2<'_, f64>, lat: &[f64], lon: &[f64], rows: &[i64], columns: &[i64]) -> PyResult<()> {
    if frame.dim() != (lat.len(), lon.len()) {
        let (ny, nx) = frame.dim();
        return Err(to_py(Error::option(
            "frame",
            format!("{ny} x {nx} values on {} latitudes x {} longitudes; give the frame on its axes", lat.len(), lon.len()),
        )));
    }
    if rows.len() != columns.len() {
        return Err(to_py(Error::option("columns", format!("{} columns for {} rows; give one per cell", columns.len(), rows.len()))));
    }
    Ok(())
}

/// The planar quadratic refinement of cells `(rows[k], columns[k])`: latitudes, longitudes and
/// values (the cell's own where the fit is refused).
#[pyfunction]
#[pyo3(signature = (frame, rows, columns, lat, lon, *, periodic))]
pub fn refine_quadratic_cells<'py>(
    py: Python<'py>,
    frame: PyReadonlyArray2<'py, f64>,
    rows: Vec<i64>,
    columns: Vec<i64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    periodic: bool,
) -> PyResult<Columns<'py>> {
    let frame = frame.as_array();
    check(frame, &lat, &lon, &rows, &columns)?;
    let (ny, nx) = frame.dim();
    let mut out = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
    for (&r, &c) in rows.iter().zip(&columns) {
        if !(0..ny as i64).contains(&r) || !(0..nx as i64).contains(&c) {
            return Err(to_py(Error::option("rows", format!("cell ({r}, {c}) lies outside the {ny} x {nx} frame"))));
        }
        let (la, lo, v) = refine_quadratic_at(frame, &lat, &lon, periodic, r as usize, c as usize);
        out.0.push(la);
        out.1.push(lo);
        out.2.push(v);
    }
    Ok((out.0.into_pyarray(py), out.1.into_pyarray(py), out.2.into_pyarray(py)))
}

/// The spherical quadratic refinement of cells `(rows[k], columns[k])` of minima
/// (`is_minimum`) or maxima, as the peer's batch: `latitudes`, `longitudes`, `values`,
/// `status_codes`, `hessian_eigenvalues`, `condition_numbers`, `normalized_displacements`. A
/// cell outside the frame (or a frame the fit cannot use) gives NaN with status 1, as the peer.
#[pyfunction]
#[pyo3(signature = (frame, rows, columns, lat, lon, *, is_minimum, periodic))]
#[allow(clippy::too_many_arguments)]
pub fn refine_spherical_quadratic_cells<'py>(
    py: Python<'py>,
    frame: PyReadonlyArray2<'py, f64>,
    rows: Vec<i64>,
    columns: Vec<i64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    is_minimum: bool,
    periodic: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let frame = frame.as_array();
    let (ny, nx) = frame.dim();
    let usable = frame.dim() == (lat.len(), lon.len()) && rows.len() == columns.len() && ny >= 3 && nx >= 3 && lat.iter().chain(&lon).all(|x| x.is_finite());
    let inside = |r: i64, c: i64| usable && (0..ny as i64).contains(&r) && (0..nx as i64).contains(&c);
    // the peer signs longitudes by the candidates' own: any negative one
    let signed = rows.iter().zip(&columns).filter(|&(&r, &c)| inside(r, c)).any(|(_, &c)| lon[c as usize] < 0.0);
    let mode = if is_minimum { Mode::Min } else { Mode::Max };
    let nowhere = Sample { lat: f64::NAN, lon: f64::NAN, value: f64::NAN };
    let fits: Vec<Fit> = rows
        .iter()
        .zip(&columns)
        .map(|(&r, &c)| match inside(r, c) {
            true => refine_cell(frame, &lat, &lon, periodic, r as usize, c as usize, mode, signed),
            false => Fit::kept(nowhere, FitStatus::InvalidNeighborhood, FitDiagnostics::default()),
        })
        .collect();
    let pairs = |f: fn(&FitDiagnostics) -> [f64; 2]| -> PyResult<Bound<'py, PyArray2<f64>>> {
        let flat: Vec<f64> = fits.iter().flat_map(|x| f(&x.diagnostics)).collect();
        Ok(ndarray::Array2::from_shape_vec((fits.len(), 2), flat).expect("two per fit").into_pyarray(py))
    };
    let d = PyDict::new(py);
    d.set_item("latitudes", fits.iter().map(|f| f.lat).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("longitudes", fits.iter().map(|f| f.lon).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("values", fits.iter().map(|f| f.value).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("status_codes", fits.iter().map(|f| f.status.code()).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("hessian_eigenvalues", pairs(|x| x.hessian_eigenvalues)?)?;
    d.set_item("condition_numbers", fits.iter().map(|f| f.diagnostics.fit_condition).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item("normalized_displacements", pairs(|x| x.displacement)?)?;
    Ok(d)
}
