//! Python entry points of the B-spline refinements (`stormtrack.compat.refinement`,
//! docs/algorithms.md#b-spline-refinement and #spherical-b-spline-refinement): a frame's
//! interpolating surface exported as knots and coefficients, and one candidate refined on a
//! surface handed back in that form.

use super::to_py;
use crate::detect::hodges::{
    Bicubic, Box2, RectSpline, SearchLimits, SmoopyOptions, SmoopySurface, SphereSearch, SphereSpline, SphereView, refine_bspline_candidate,
    refine_spherical_bspline_candidate,
};
use crate::error::Error;
use crate::variables::Mode;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use std::borrow::Cow;

/// Knots in x, knots in y and the `(nx, ny)` coefficients of a surface.
type Exported<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray2<f64>>);
/// Refined latitude, longitude, value and the status name.
type Refined = (f64, f64, f64, &'static str);

fn export<'py>(py: Python<'py>, spline: Bicubic<'_>) -> PyResult<Exported<'py>> {
    let (tx, ty) = spline.knots();
    let shape = (tx.len() - 4, ty.len() - 4);
    let coeffs = spline.coeffs().to_vec().into_pyarray(py).reshape(shape)?;
    Ok((tx.to_vec().into_pyarray(py), ty.to_vec().into_pyarray(py), coeffs))
}

/// An array's values in logical (row-major) order: borrowed where it is contiguous (what the
/// build functions return), copied otherwise. A point refined per call reads the whole surface.
fn values<'a, D: ndarray::Dimension>(a: &'a numpy::PyReadonlyArray<'_, f64, D>) -> Cow<'a, [f64]> {
    a.as_slice().map_or_else(|_| Cow::Owned(a.as_array().iter().copied().collect()), Cow::Borrowed)
}

/// The knots and coefficients `surface` hands back, checked: `(tx, ty, coeffs x-major)`.
fn imported<'a>(
    tx: &'a PyReadonlyArray1<'_, f64>,
    ty: &'a PyReadonlyArray1<'_, f64>,
    coeffs: &'a PyReadonlyArray2<'_, f64>,
) -> PyResult<(Cow<'a, [f64]>, Cow<'a, [f64]>, Cow<'a, [f64]>)> {
    let (tx, ty) = (values(tx), values(ty));
    let expected = (tx.len().saturating_sub(4), ty.len().saturating_sub(4));
    let (a, b) = coeffs.as_array().dim();
    if (a, b) != expected {
        return Err(to_py(Error::option(
            "surface",
            format!("{a} x {b} coefficients for {} and {} knots; pass the surface a build function returned", tx.len(), ty.len()),
        )));
    }
    Ok((tx, ty, values(coeffs)))
}

fn bad_knots() -> PyErr {
    to_py(Error::option(
        "surface",
        "its knots are not a cubic spline's (8 or more finite, non-decreasing knots each); pass the surface a build function returned",
    ))
}

fn mode(is_minimum: bool) -> Mode {
    if is_minimum { Mode::Min } else { Mode::Max }
}

/// The rectangular interpolating bicubic spline of `frame` (rows `lat`, columns `lon`), its
/// longitudes cyclic when `periodic`: `(x_knots, y_knots, coeffs, first_sample_x,
/// last_sample_x)`, or `None` when the grid or frame cannot carry it (fewer than 4 distinct
/// rows or columns, a non-finite value).
#[pyfunction]
#[pyo3(signature = (frame, lat, lon, *, periodic))]
#[allow(clippy::type_complexity)]
pub fn rect_bspline_surface<'py>(
    py: Python<'py>,
    frame: PyReadonlyArray2<'py, f64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    periodic: bool,
) -> PyResult<Option<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray2<f64>>, f64, f64)>> {
    let grid = RectSpline::for_grid(&lat, &lon, periodic);
    let Ok(surface) = grid.surface(frame.as_array()) else { return Ok(None) };
    let (tx, ty, coeffs) = export(py, surface.bicubic())?;
    Ok(Some((tx, ty, coeffs, surface.first_sample_x(), surface.last_sample_x())))
}

/// The interpolating bicubic spline on the sphere of `frame` (rows `lat`, columns `lon`, a
/// whole circle of longitudes): `(theta_knots, phi_knots, coeffs)` in radians, or `None` when
/// the grid or frame cannot carry it.
#[pyfunction]
#[pyo3(signature = (frame, lat, lon))]
pub fn sphere_bspline_surface<'py>(py: Python<'py>, frame: PyReadonlyArray2<'py, f64>, lat: Vec<f64>, lon: Vec<f64>) -> PyResult<Option<Exported<'py>>> {
    let grid = SphereSpline::for_grid(&lat, &lon);
    let Ok(surface) = grid.surface(frame.as_array()) else { return Ok(None) };
    export(py, surface.view().bicubic()).map(Some)
}

/// SMOOPY's refinement of the candidate at `(lat, lon)` on the rectangular surface of knots
/// `x_knots`, `y_knots` and coefficients `coeffs`, searched in `bounds` (x lower, x upper, y
/// lower, y upper); `initial_value` is the candidate's value (NaN: the spline's). Returns the
/// refined latitude, longitude, value and status; a failed search keeps the candidate and its
/// value.
#[pyfunction]
#[pyo3(signature = (x_knots, y_knots, coeffs, bounds, first_sample_x, last_sample_x, lat, lon, *, periodic, is_minimum, initial_value, scale, max_iterations, gradient_tolerance))]
#[allow(clippy::too_many_arguments)]
pub fn refine_rect_bspline(
    x_knots: PyReadonlyArray1<'_, f64>,
    y_knots: PyReadonlyArray1<'_, f64>,
    coeffs: PyReadonlyArray2<'_, f64>,
    bounds: [f64; 4],
    first_sample_x: f64,
    last_sample_x: f64,
    lat: f64,
    lon: f64,
    periodic: bool,
    is_minimum: bool,
    initial_value: f64,
    scale: f64,
    max_iterations: usize,
    gradient_tolerance: f64,
) -> PyResult<Refined> {
    let (tx, ty, c) = imported(&x_knots, &y_knots, &coeffs)?;
    let spline = Bicubic::new(&tx, &ty, &c).map_err(|_| bad_knots())?;
    let surface = SmoopySurface { spline, bounds: Box2 { lo: [bounds[0], bounds[2]], hi: [bounds[1], bounds[3]] }, first_sample_x, last_sample_x };
    let opts = SmoopyOptions { periodic, clamp_latitude: true, mode: mode(is_minimum), scale, limits: SearchLimits { max_iterations, gradient_tolerance } };
    let (la, lo, value, status) = refine_bspline_candidate(&surface, &opts, lat, lon, initial_value);
    Ok((la, lo, value, status.as_str()))
}

/// The `spherical_bspline` refinement of the candidate at `(lat, lon)` on the spherical
/// surface of knots `theta_knots`, `phi_knots` and coefficients `coeffs`, sampled on
/// `sample_lat x sample_lon`, searched in a window of `2 half_window + 1` cells. Returns the
/// refined latitude, longitude (signed when `signed`), value and status; on failure the
/// candidate with a NaN value.
#[pyfunction]
#[pyo3(signature = (theta_knots, phi_knots, coeffs, sample_lat, sample_lon, lat, lon, *, is_minimum, signed, half_window, max_iterations, gradient_tolerance))]
#[allow(clippy::too_many_arguments)]
pub fn refine_sphere_bspline(
    theta_knots: PyReadonlyArray1<'_, f64>,
    phi_knots: PyReadonlyArray1<'_, f64>,
    coeffs: PyReadonlyArray2<'_, f64>,
    sample_lat: Vec<f64>,
    sample_lon: Vec<f64>,
    lat: f64,
    lon: f64,
    is_minimum: bool,
    signed: bool,
    half_window: usize,
    max_iterations: usize,
    gradient_tolerance: f64,
) -> PyResult<Refined> {
    let (tu, tv, c) = imported(&theta_knots, &phi_knots, &coeffs)?;
    let surface = SphereView::new(&tu, &tv, &c).map_err(|_| bad_knots())?;
    let how = SphereSearch { half_window, limits: SearchLimits { max_iterations, gradient_tolerance } };
    Ok(match refine_spherical_bspline_candidate(&surface, &sample_lat, &sample_lon, lat, lon, mode(is_minimum), signed, how) {
        Ok((la, lo, value)) => (la, lo, value, "success"),
        Err(status) => (lat, lon, f64::NAN, status.as_str()),
    })
}
