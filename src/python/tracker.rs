//! `stormtrack._core.Tracker`: the streaming Simple tracker (`pipeline::streaming`), fed one
//! frame at a time from Python.

use super::stream::ArrowStream;
use super::{simple_settings, to_py, tracks_streams};
use crate::link::SimpleLinker;
use crate::pipeline::streaming::{StreamSpec, StreamingTracker};
use numpy::PyReadonlyArray2;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// One frame at a time: `push(time_ms, frame)` returns the tracks that finished (track points
/// and summaries as Arrow streams), `finish()` the ones still open.
#[pyclass(module = "stormtrack._core")]
pub struct Tracker {
    inner: Option<StreamingTracker>,
}

fn finished() -> PyErr {
    PyValueError::new_err("this tracker is finished; make a new one")
}

#[pymethods]
impl Tracker {
    #[new]
    #[pyo3(signature = (lat, lon, *, variable, units=None, standard_name=None, calendar=None, mode="auto".to_string(), threshold=None, refinement="grid".to_string(), window=5, max_km=SimpleLinker::default().max_km))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        lat: Vec<f64>,
        lon: Vec<f64>,
        variable: String,
        units: Option<String>,
        standard_name: Option<String>,
        calendar: Option<String>,
        mode: String,
        threshold: Option<f64>,
        refinement: String,
        window: usize,
        max_km: f64,
    ) -> PyResult<Self> {
        let (calendar, mode, detector) = simple_settings(calendar.as_deref(), &mode, threshold, &refinement, window)?;
        let spec = StreamSpec { variable, units, standard_name, calendar, lat, lon };
        let inner = StreamingTracker::new(spec, detector, threshold, SimpleLinker { max_km }, mode).map_err(to_py)?;
        Ok(Tracker { inner: Some(inner) })
    }

    /// Detect and link one frame (latitude x longitude, float64) at `time` (ms since
    /// 1970-01-01 in the tracker's calendar); returns the tracks that ended before it.
    fn push(&mut self, py: Python<'_>, time: i64, frame: PyReadonlyArray2<'_, f64>) -> PyResult<(ArrowStream, ArrowStream)> {
        let tracker = self.inner.as_mut().ok_or_else(finished)?;
        let frame = frame.as_array().to_owned();
        let tracks = py.detach(|| tracker.push(time, frame)).map_err(to_py)?;
        tracks_streams(&tracks)
    }

    /// The tracks still open, as if the input ended here; the tracker takes no more frames.
    fn finish(&mut self) -> PyResult<(ArrowStream, ArrowStream)> {
        let tracker = self.inner.take().ok_or_else(finished)?;
        tracks_streams(&tracker.finish().map_err(to_py)?)
    }
}
