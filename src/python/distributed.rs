//! The two ends of a distributed run (docs/distributed.md): [`detect_block`], which a Dask
//! worker calls on its frames, and [`PyBlockRunner`], through which the library asks the
//! Python package's Dask adapter for the blocks.

use super::{field_and_detection, to_py};
use crate::ops::distributed::BlockRunner;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::ops::Range;
use std::path::PathBuf;

/// A Python callable `runner(start, end)` returning an iterable of blocks (bytes) as they are
/// detected.
pub(crate) struct PyBlockRunner(pub Py<PyAny>);

impl BlockRunner for PyBlockRunner {
    fn detect(&self, frames: Range<usize>, on_block: &mut dyn FnMut(Vec<u8>) -> crate::Result<()>) -> crate::Result<()> {
        Python::attach(|py| {
            let failed = |e: PyErr| crate::Error::Distributed(e.value(py).to_string());
            let blocks = self.0.call1(py, (frames.start, frames.end)).map_err(failed)?;
            for block in blocks.bind(py).try_iter().map_err(failed)? {
                let bytes: Vec<u8> = block.and_then(|b| b.extract()).map_err(failed)?;
                on_block(bytes)?;
            }
            Ok(())
        })
    }
}

/// Frames `start..end` of the input (indices in the run's time axis; the file holds the run's
/// frames from `frame_offset`) detected with `options` (the keywords of `st.track`), as the
/// Arrow IPC bytes of one block.
#[pyfunction]
#[pyo3(signature = (path, variable, options, start, end, *, frame_offset=0))]
pub(crate) fn detect_block<'py>(
    py: Python<'py>,
    path: Vec<PathBuf>,
    variable: String,
    options: Bound<'py, pyo3::types::PyDict>,
    start: usize,
    end: usize,
    frame_offset: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let (field, detection) = field_and_detection(path, variable, &options)?;
    let bytes = py.detach(|| crate::ops::distributed::detect_block(&field, &detection, start..end, frame_offset)).map_err(to_py)?;
    Ok(PyBytes::new(py, &bytes))
}

/// [`detect_block`] for a `stormtrack track` or `detect` command line (`argv`, program name
/// first): what the workers of `stormtrack ... --dask-scheduler` run.
#[cfg(feature = "cli")]
#[pyfunction]
pub(crate) fn cli_detect_block<'py>(py: Python<'py>, argv: Vec<String>, start: usize, end: usize) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = py.detach(|| crate::cli::detect_block_from(argv.into_iter().map(Into::into).collect(), start..end)).map_err(super::StormtrackError::new_err)?;
    Ok(PyBytes::new(py, &bytes))
}
