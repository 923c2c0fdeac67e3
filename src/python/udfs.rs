//! The SQL functions handed to Python `datafusion` through `datafusion-ffi` capsules: each
//! object has the dunder method datafusion-python looks for (`datafusion.udf(obj)`,
//! `udaf(obj)`, `udwf(obj)`).

use datafusion_ffi::udaf::FFI_AggregateUDF;
use datafusion_ffi::udf::FFI_ScalarUDF;
use datafusion_ffi::udwf::FFI_WindowUDF;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// A scalar function for `datafusion.udf(...)`.
#[pyclass(module = "stormtrack._core", frozen)]
pub struct ScalarUdf {
    #[pyo3(get)]
    name: String,
}

#[pymethods]
impl ScalarUdf {
    fn __datafusion_scalar_udf__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let f = crate::sql::scalar_udfs().into_iter().find(|f| f.name() == self.name).expect("made from the list");
        PyCapsule::new_with_value(py, FFI_ScalarUDF::from(f), c"datafusion_scalar_udf")
    }
}

/// An aggregate function for `datafusion.udaf(...)`.
#[pyclass(module = "stormtrack._core", frozen)]
pub struct AggregateUdf {
    #[pyo3(get)]
    name: String,
}

#[pymethods]
impl AggregateUdf {
    fn __datafusion_aggregate_udf__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let f = crate::sql::aggregate_udfs().into_iter().find(|f| f.name() == self.name).expect("made from the list");
        PyCapsule::new_with_value(py, FFI_AggregateUDF::from(f), c"datafusion_aggregate_udf")
    }
}

/// A window function for `datafusion.udwf(...)`.
#[pyclass(module = "stormtrack._core", frozen)]
pub struct WindowUdf {
    #[pyo3(get)]
    name: String,
}

#[pymethods]
impl WindowUdf {
    fn __datafusion_window_udf__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let f = crate::sql::window_udfs().into_iter().find(|f| f.name() == self.name).expect("made from the list");
        PyCapsule::new_with_value(py, FFI_WindowUDF::from(f), c"datafusion_window_udf")
    }
}

/// Every function as `(kind, object)`, kind one of `scalar`, `aggregate`, `window`.
#[pyfunction]
pub fn sql_functions(py: Python<'_>) -> PyResult<Vec<(String, Py<PyAny>)>> {
    let mut out = Vec::new();
    for f in crate::sql::scalar_udfs() {
        out.push(("scalar".to_string(), Py::new(py, ScalarUdf { name: f.name().to_string() })?.into_any()));
    }
    for f in crate::sql::aggregate_udfs() {
        out.push(("aggregate".to_string(), Py::new(py, AggregateUdf { name: f.name().to_string() })?.into_any()));
    }
    for f in crate::sql::window_udfs() {
        out.push(("window".to_string(), Py::new(py, WindowUdf { name: f.name().to_string() })?.into_any()));
    }
    Ok(out)
}

/// Markdown reference of the SQL functions (the text of docs/sql.md).
#[pyfunction]
pub fn sql_docs() -> String {
    crate::sql::docs_markdown()
}
