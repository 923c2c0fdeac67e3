//! `stormtrack.plot` and `stormtrack.explore`: PNG maps and the HTML explorer, from a file or
//! from the columns of a `track_points` DataFrame.

use super::to_py;
use crate::ops;
use crate::tracks::{PointColumns, Tracks, TracksMetadata, tracks_from_points};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;

/// The keywords of `stormtrack.plot`, handed over as one dict.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct PlotSpec {
    kind: String,
    view: String,
    region: Option<[f64; 4]>,
    central_lon: Option<f64>,
    boundary_lat: Option<f64>,
    colour_by: String,
    variable: Option<String>,
    vmin: Option<f64>,
    vmax: Option<f64>,
    width: u32,
    height: Option<u32>,
    title: Option<String>,
    frame: Option<usize>,
    format: Option<String>,
    calendar: Option<String>,
    fields: Vec<String>,
    mode: Option<String>,
}

/// How a track file is read: the keywords `format`, `calendar`, `fields`, `mode`.
fn read_options(format: Option<&str>, calendar: Option<&str>, fields: Vec<String>, mode: Option<&str>) -> crate::Result<crate::io::InputOptions> {
    ops::input_options(format, None, calendar, &fields, mode, None)
}

impl PlotSpec {
    fn options(self, input: PathBuf) -> crate::Result<ops::plot::Options> {
        Ok(ops::plot::Options {
            input,
            output: None,
            kind: self.kind,
            view: self.view,
            region: self.region,
            central_lon: self.central_lon,
            boundary_lat: self.boundary_lat,
            colour_by: self.colour_by,
            variable: self.variable,
            vmin: self.vmin,
            vmax: self.vmax,
            width: self.width,
            height: self.height,
            title: self.title,
            frame: self.frame,
            read: read_options(self.format.as_deref(), self.calendar.as_deref(), self.fields, self.mode.as_deref())?,
        })
    }
}

/// Write `bytes` atomically to `output` when given (checked before the work).
fn save(output: Option<&PathBuf>, bytes: &[u8]) -> crate::Result<()> {
    match output {
        Some(out) => crate::io::atomic::write_file(out, |w| w.write_all(bytes)),
        None => Ok(()),
    }
}

/// The PNG of a track or gridded file; written to `output` too when given.
#[pyfunction]
#[pyo3(signature = (input, output, spec))]
pub fn plot_file<'py>(py: Python<'py>, input: PathBuf, output: Option<PathBuf>, spec: PlotSpec) -> PyResult<Bound<'py, PyBytes>> {
    let png = py
        .detach(|| -> crate::Result<Vec<u8>> {
            let opts = spec.options(input)?;
            output.as_deref().map(ops::plot::check_output).transpose()?;
            let (png, _) = ops::plot::render(&opts)?;
            save(output.as_ref(), &png)?;
            Ok(png)
        })
        .map_err(to_py)?;
    Ok(PyBytes::new(py, &png))
}

/// The tracks of a `track_points` table's columns.
#[allow(clippy::too_many_arguments)]
fn tracks_of<'py>(
    track_id: &PyReadonlyArray1<'py, i64>,
    time: &PyReadonlyArray1<'py, i64>,
    lat: &PyReadonlyArray1<'py, f64>,
    lon: &PyReadonlyArray1<'py, f64>,
    value: &PyReadonlyArray1<'py, f64>,
    name: &str,
    unit: &str,
    mode: Option<&str>,
    calendar: Option<&str>,
) -> crate::Result<Tracks> {
    // minima or maxima: as asked, else by the variable's name, else maxima
    let mode = ops::parse_read_mode(mode)?.or_else(|| crate::variables::mode_of_name(name)).unwrap_or(crate::variables::Mode::Max);
    let mut metadata = TracksMetadata::new(name, mode);
    metadata.calendar = ops::parse_calendar(calendar)?.unwrap_or_default();
    let slice = |e: numpy::AsSliceError| crate::Error::Format(format!("a column is not contiguous: {e}"));
    let columns = PointColumns {
        track_id: track_id.as_slice().map_err(slice)?,
        time: time.as_slice().map_err(slice)?,
        lat: lat.as_slice().map_err(slice)?,
        lon: lon.as_slice().map_err(slice)?,
        value: value.as_slice().map_err(slice)?,
    };
    tracks_from_points(columns, metadata, unit)
}

/// The PNG of the tracks of a `track_points` table.
#[pyfunction]
#[pyo3(signature = (track_id, time, lat, lon, value, *, name, unit, mode, calendar, output, spec))]
#[allow(clippy::too_many_arguments)]
pub fn plot_points<'py>(
    py: Python<'py>,
    track_id: PyReadonlyArray1<'py, i64>,
    time: PyReadonlyArray1<'py, i64>,
    lat: PyReadonlyArray1<'py, f64>,
    lon: PyReadonlyArray1<'py, f64>,
    value: PyReadonlyArray1<'py, f64>,
    name: String,
    unit: String,
    mode: Option<String>,
    calendar: Option<String>,
    output: Option<PathBuf>,
    spec: PlotSpec,
) -> PyResult<Bound<'py, PyBytes>> {
    let tracks = tracks_of(&track_id, &time, &lat, &lon, &value, &name, &unit, mode.as_deref(), calendar.as_deref()).map_err(to_py)?;
    let png = py
        .detach(|| -> crate::Result<Vec<u8>> {
            let opts = spec.options(PathBuf::new())?;
            output.as_deref().map(ops::plot::check_output).transpose()?;
            let (png, _) = ops::plot::render_tracks(&tracks, &opts)?;
            save(output.as_ref(), &png)?;
            Ok(png)
        })
        .map_err(to_py)?;
    Ok(PyBytes::new(py, &png))
}

/// The explorer page of a track file; written to `output` too when given.
#[pyfunction]
#[pyo3(signature = (input, output, *, title=None, format=None, calendar=None, fields=Vec::new(), mode=None))]
#[allow(clippy::too_many_arguments)]
pub fn explore_file(
    py: Python<'_>,
    input: PathBuf,
    output: Option<PathBuf>,
    title: Option<String>,
    format: Option<String>,
    calendar: Option<String>,
    fields: Vec<String>,
    mode: Option<String>,
) -> PyResult<String> {
    py.detach(|| -> crate::Result<String> {
        output.as_deref().map(ops::explore::check_output).transpose()?;
        let read = read_options(format.as_deref(), calendar.as_deref(), fields, mode.as_deref())?;
        let tracks = crate::io::read_tracks_with(&input, &read)?;
        let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let html = crate::plot::explorer::explorer_html(&tracks, &title.unwrap_or_else(|| format!("{name}: {} tracks", tracks.len())));
        save(output.as_ref(), html.as_bytes())?;
        Ok(html)
    })
    .map_err(to_py)
}

/// The explorer page of the tracks of a `track_points` table.
#[pyfunction]
#[pyo3(signature = (track_id, time, lat, lon, value, *, name, unit, mode, calendar, output, title))]
#[allow(clippy::too_many_arguments)]
pub fn explore_points<'py>(
    py: Python<'py>,
    track_id: PyReadonlyArray1<'py, i64>,
    time: PyReadonlyArray1<'py, i64>,
    lat: PyReadonlyArray1<'py, f64>,
    lon: PyReadonlyArray1<'py, f64>,
    value: PyReadonlyArray1<'py, f64>,
    name: String,
    unit: String,
    mode: Option<String>,
    calendar: Option<String>,
    output: Option<PathBuf>,
    title: Option<String>,
) -> PyResult<String> {
    let tracks = tracks_of(&track_id, &time, &lat, &lon, &value, &name, &unit, mode.as_deref(), calendar.as_deref()).map_err(to_py)?;
    py.detach(|| -> crate::Result<String> {
        output.as_deref().map(ops::explore::check_output).transpose()?;
        let html = crate::plot::explorer::explorer_html(&tracks, &title.unwrap_or_else(|| format!("{} tracks", tracks.len())));
        save(output.as_ref(), html.as_bytes())?;
        Ok(html)
    })
    .map_err(to_py)
}
