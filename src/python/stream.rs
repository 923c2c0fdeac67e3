//! Results cross into Python as an Arrow C stream (the PyCapsule interface): any consumer
//! (`pl.DataFrame(obj)`, `pa.table(obj)`, DataFusion, DuckDB) imports the buffers without a
//! copy and without pyarrow being needed here.

use arrow::array::{RecordBatch, RecordBatchIterator};
use arrow::datatypes::SchemaRef;
use arrow::ffi_stream::FFI_ArrowArrayStream;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// Record batches that Python reads through `__arrow_c_stream__`. Every call hands out a
/// fresh stream over the same (shared, reference-counted) buffers.
#[pyclass(module = "stormtrack._core", frozen)]
pub struct ArrowStream {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl ArrowStream {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        ArrowStream { schema, batches }
    }
}

#[pymethods]
impl ArrowStream {
    /// Export as an `ArrowArrayStream` PyCapsule (the requested schema is not applied).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(&self, py: Python<'py>, requested_schema: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new(self.batches.clone().into_iter().map(Ok), self.schema.clone());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    fn __len__(&self) -> usize {
        self.num_rows()
    }

    fn __repr__(&self) -> String {
        format!("ArrowStream({} rows, {} columns)", self.num_rows(), self.schema.fields().len())
    }
}

/// The centres of a file frame by frame (`st.detect(..., stream=True)`): each `next()` hands
/// over the next frame's batch, detecting a block of frames in parallel (without the GIL) when
/// none is ready; memory holds one block, never the whole run.
#[pyclass(module = "stormtrack._core", frozen)]
pub struct CenterStream {
    batches: std::sync::Mutex<crate::ops::detect::CenterBatches>,
}

impl CenterStream {
    pub fn new(batches: crate::ops::detect::CenterBatches) -> Self {
        CenterStream { batches: std::sync::Mutex::new(batches) }
    }
}

#[pymethods]
impl CenterStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<ArrowStream>> {
        let next = py.detach(|| self.batches.lock().unwrap_or_else(|p| p.into_inner()).next());
        match next {
            None => Ok(None),
            Some(Ok(b)) => Ok(Some(ArrowStream::new(b.schema(), vec![b]))),
            Some(Err(e)) => Err(super::to_py(e)),
        }
    }
}
