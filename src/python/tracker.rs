//! `stormtrack._core.Tracker`: the streaming trackers (`pipeline::streaming`, Simple, and
//! `pipeline::streaming_hodges`), fed one frame at a time from Python.

use super::stream::ArrowStream;
use super::{hodges_settings, simple_settings, to_py, tracks_streams};
use crate::link::SimpleLinker;
use crate::ops::{self, BandPass, FieldOptions};
use crate::pipeline::hodges::HodgesOptions;
use crate::pipeline::streaming::{StreamSpec, StreamingTracker};
use crate::pipeline::streaming_hodges::HodgesStreamingTracker;
use ndarray::Array2;
use numpy::PyReadonlyArray2;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// One frame at a time: `push(time_ms, frame)` returns the tracks that finished (track points
/// and summaries as Arrow streams), `finish()` the ones still open.
#[pyclass(module = "stormtrack._core")]
pub struct Tracker {
    inner: Option<Inner>,
    taper: Option<crate::field::BoundaryTaper>,
}

enum Inner {
    Simple(StreamingTracker),
    Hodges(Box<HodgesStreamingTracker>),
}

/// The Hodges (or HEALPix: `algorithm`, `nside`) options of the keywords (as `st.track` takes
/// them), the object threshold converted from the declared units as a file's is.
#[allow(clippy::too_many_arguments)]
fn hodges_options(
    algorithm: &str,
    nside: Option<u32>,
    variable: &str,
    units: Option<&str>,
    mode: &str,
    refinement: Option<String>,
    lmin: Option<usize>,
    lmax: Option<usize>,
    hodges: Option<&Bound<'_, PyDict>>,
) -> PyResult<HodgesOptions> {
    let mut field = FieldOptions { band: BandPass { lmin, lmax, spectral_taper: None }, ..FieldOptions::default() };
    let settings = hodges_settings(hodges, &mut field)?;
    let detection =
        ops::detect::DetectionSettings { algorithm: algorithm.into(), feature_refinement: refinement, hodges: settings, nside, ..Default::default() };
    let ops::detect::Method::Hodges(mut h) = detection.method(&field).map_err(to_py)? else { unreachable!("algorithm is hodges or healpix") };
    h.mode = ops::parse_mode("detection_mode", mode).map_err(to_py)?;
    let factor = crate::variables::unit_factor(variable, units).map_err(to_py)?.unwrap_or(1.0);
    h.object_threshold = h.object_threshold.map(|t| t * factor);
    Ok(*h)
}

fn finished() -> PyErr {
    PyValueError::new_err("this tracker is finished; make a new one")
}

#[pymethods]
impl Tracker {
    #[new]
    #[pyo3(signature = (lat, lon, *, variable, units=None, standard_name=None, calendar=None, mode="auto".to_string(), threshold=None, refinement=None, window=None, max_km=None, algorithm="simple".to_string(), lmin=None, lmax=None, hodges=None, taper_points=0, nside=None, closed_contours=Vec::new(), merge_dist=None, other_units=None))]
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
        refinement: Option<String>,
        window: Option<usize>,
        max_km: Option<f64>,
        algorithm: String,
        lmin: Option<usize>,
        lmax: Option<usize>,
        hodges: Option<Bound<'_, PyDict>>,
        taper_points: usize,
        nside: Option<u32>,
        closed_contours: Vec<String>,
        merge_dist: Option<f64>,
        other_units: Option<std::collections::HashMap<String, String>>,
    ) -> PyResult<Self> {
        // the boundary taper of every pushed frame, as `st.track(..., taper_points=)` tapers a file's
        let taper = (taper_points > 0).then(|| crate::field::BoundaryTaper::new(lat.len(), lon.len(), taper_points));
        let calendar_parsed = crate::time::Calendar::parse(calendar.as_deref()).map_err(to_py)?;
        let inner = match algorithm.as_str() {
            "simple" => {
                if lmin.is_some() || lmax.is_some() || hodges.as_ref().is_some_and(|h| !h.is_empty()) {
                    return Err(to_py(crate::Error::option("lmin", "the streaming Simple tracker takes no filter or Hodges options; use algorithm='hodges'")));
                }
                let (calendar, mode, mut detector) =
                    simple_settings(calendar.as_deref(), &mode, threshold, refinement.as_deref().unwrap_or("grid"), window.unwrap_or(5))?;
                let (criteria, others) = ops::detect::simple_criteria(&variable, &closed_contours, merge_dist).map_err(to_py)?;
                detector.criteria = criteria;
                let mut other_units = other_units.unwrap_or_default();
                let others: Vec<(String, Option<String>)> = others.into_iter().map(|name| (name.clone(), other_units.remove(&name))).collect();
                if let Some(name) = other_units.keys().min() {
                    return Err(to_py(crate::Error::option("other_units", format!("'{name}' is not a variable the closed contours test"))));
                }
                let spec = StreamSpec { variable, units, standard_name, calendar, lat, lon, others };
                let linker = SimpleLinker { max_km: max_km.unwrap_or(SimpleLinker::default().max_km) };
                Inner::Simple(StreamingTracker::new(spec, detector, threshold, linker, mode).map_err(to_py)?)
            }
            "hodges" | "healpix" => {
                let criteria = [("closed_contour", !closed_contours.is_empty()), ("merge_dist", merge_dist.is_some()), ("other_units", other_units.is_some())];
                for (name, given) in
                    [("threshold", threshold.is_some()), ("window", window.is_some()), ("max_km", max_km.is_some())].into_iter().chain(criteria)
                {
                    if given {
                        return Err(to_py(crate::Error::option(
                            name,
                            "applies to `algorithm` simple only; the Hodges tracker takes object_threshold, dmax and its other options",
                        )));
                    }
                }
                let opts = hodges_options(&algorithm, nside, &variable, units.as_deref(), &mode, refinement, lmin, lmax, hodges.as_ref())?;
                let spec = StreamSpec { variable, units, standard_name, calendar: calendar_parsed, lat, lon, others: Vec::new() };
                Inner::Hodges(Box::new(HodgesStreamingTracker::new(spec, opts).map_err(to_py)?))
            }
            other => return Err(to_py(crate::Error::option("algorithm", format!("'{other}' is not simple, hodges or healpix")))),
        };
        Ok(Tracker { inner: Some(inner), taper })
    }

    /// The other variables the closed contours test, in the order `push` takes their frames.
    #[getter]
    fn other_variables(&self) -> PyResult<Vec<String>> {
        Ok(match self.inner.as_ref().ok_or_else(finished)? {
            Inner::Simple(t) => t.spec().others.iter().map(|(n, _)| n.clone()).collect(),
            Inner::Hodges(_) => Vec::new(),
        })
    }

    /// Detect and link one frame (latitude x longitude, float64) at `time` (ms since
    /// 1970-01-01 in the tracker's calendar), with one frame of each of `other_variables`;
    /// returns the tracks that ended before it.
    #[pyo3(signature = (time, frame, others=Vec::new()))]
    fn push(
        &mut self,
        py: Python<'_>,
        time: i64,
        frame: PyReadonlyArray2<'_, f64>,
        others: Vec<PyReadonlyArray2<'_, f64>>,
    ) -> PyResult<(ArrowStream, ArrowStream)> {
        let tracker = self.inner.as_mut().ok_or_else(finished)?;
        let others: Vec<Array2<f64>> = others.iter().map(|o| o.as_array().to_owned()).collect();
        let mut frame = frame.as_array().to_owned();
        if let Some(taper) = &self.taper {
            if frame.dim() != (taper.ny(), taper.nx()) {
                return Err(to_py(crate::Error::option(
                    "frame",
                    format!("has shape {:?}, the tracker's grid is ({}, {})", frame.dim(), taper.ny(), taper.nx()),
                )));
            }
            taper.apply(frame.view_mut());
        }
        let tracks = py
            .detach(|| match tracker {
                Inner::Simple(t) => t.push_with(time, frame, others),
                Inner::Hodges(t) => t.push(time, frame),
            })
            .map_err(to_py)?;
        tracks_streams(&tracks)
    }

    /// The tracks still open, as if the input ended here; the tracker takes no more frames.
    fn finish(&mut self) -> PyResult<(ArrowStream, ArrowStream)> {
        let tracks = match self.inner.take().ok_or_else(finished)? {
            Inner::Simple(t) => t.finish(),
            Inner::Hodges(t) => t.finish(),
        };
        tracks_streams(&tracks.map_err(to_py)?)
    }
}
