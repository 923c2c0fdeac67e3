//! Python entry points of the CCA cross-validation (docs/metrics.md#cca): the truncation
//! scores and a trained model, over `(time, lat, lon)` float64 arrays.

use crate::metrics::cca::{self, CcaFields, TruncationOptions};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn value_error(e: cca::CcaError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// ACC and FVE of every truncation `1..=max_modes` by leave-n-out cross-validation.
#[pyfunction]
#[pyo3(signature = (x, y, lat, *, max_modes, leave_n_out))]
pub fn cca_truncation<'py>(
    py: Python<'py>,
    x: PyReadonlyArray3<'py, f64>,
    y: PyReadonlyArray3<'py, f64>,
    lat: PyReadonlyArray1<'py, f64>,
    max_modes: usize,
    leave_n_out: usize,
) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>)> {
    let fields = CcaFields { x: x.as_array(), y: y.as_array(), lat: lat.as_slice()? };
    let options = TruncationOptions { max_modes, leave_n_out };
    let scores = py.detach(|| cca::find_best_truncation(&fields, &options)).map_err(value_error)?;
    Ok((scores.acc.into_pyarray(py), scores.fve.into_pyarray(py)))
}

/// A CCA trained on every sample (`n_modes` principal components and canonical pairs).
#[pyclass(module = "stormtrack._core", frozen)]
pub struct CcaModel {
    inner: cca::CcaModel,
}

#[pymethods]
impl CcaModel {
    #[new]
    fn new(py: Python<'_>, x: PyReadonlyArray3<'_, f64>, y: PyReadonlyArray3<'_, f64>, lat: PyReadonlyArray1<'_, f64>, n_modes: usize) -> PyResult<Self> {
        let fields = CcaFields { x: x.as_array(), y: y.as_array(), lat: lat.as_slice()? };
        let inner = py.detach(|| cca::CcaModel::train(&fields, n_modes)).map_err(value_error)?;
        Ok(Self { inner })
    }

    /// The predicted predictand `(time, lat, lon)` of the predictor `x`.
    fn predict<'py>(&self, py: Python<'py>, x: PyReadonlyArray3<'py, f64>) -> PyResult<Bound<'py, PyArray3<f64>>> {
        Ok(self.inner.predict(x.as_array()).map_err(value_error)?.into_pyarray(py))
    }

    /// The predicted coordinates `(time, mode)` of the predictor `x`.
    fn coordinates<'py>(&self, py: Python<'py>, x: PyReadonlyArray3<'py, f64>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        Ok(self.inner.coordinates(x.as_array()).map_err(value_error)?.into_pyarray(py))
    }

    /// The predictand `(time, lat, lon)` of coordinates `(time, mode)`.
    fn field<'py>(&self, py: Python<'py>, coordinates: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray3<f64>>> {
        let c = coordinates.as_array();
        if c.ncols() != self.inner.modes() {
            return Err(PyValueError::new_err(format!("{} coordinates per time where the model has {} modes", c.ncols(), self.inner.modes())));
        }
        Ok(self.inner.field(c).into_pyarray(py))
    }

    /// Canonical correlations of the training fields, largest first.
    #[getter]
    fn canonical_correlations(&self) -> Vec<f64> {
        self.inner.canonical_correlations().to_vec()
    }

    #[getter]
    fn n_modes(&self) -> usize {
        self.inner.modes()
    }
}
