//! Python entry point of the band-pass filter over arrays (`SHTFilter`, `DCTFilter` of the
//! compatibility API): `(time, lat, lon)` float64 frames filtered, or filtered and regridded
//! onto another global grid (docs/algorithms.md#spherical-harmonic-filter).

use super::to_py;
use crate::error::Error;
use crate::spectral::frames::{filter_frames, regrid_frames};
use crate::spectral::regrid::SphereRegrid;
use crate::spectral::{FilterKind, SpectralFilter, SpectralOptions};
use numpy::{IntoPyArray, PyArray3, PyReadonlyArray3};
use pyo3::prelude::*;

/// The band `lmin..=lmax` (taper: the weight at `lmax`) of every frame of `frames` on the grid
/// `lat` x `lon` (caller's order); on the global grid `target_lat` x `target_lon` when given.
#[pyfunction]
#[pyo3(signature = (frames, lat, lon, *, lmin, lmax, taper, filter_type = "auto", target_lat = None, target_lon = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub fn band_pass_frames<'py>(
    py: Python<'py>,
    frames: PyReadonlyArray3<'py, f64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    lmin: usize,
    lmax: usize,
    taper: f64,
    filter_type: &str,
    target_lat: Option<Vec<f64>>,
    target_lon: Option<Vec<f64>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray3<f64>>> {
    let frames = frames.as_array();
    check_axes(frames.dim(), &lat, &lon)?;
    let opts = SpectralOptions { lmin, lmax, taper, kind: FilterKind::parse(filter_type).map_err(to_py)? };
    opts.validate().map_err(to_py)?;
    let pool = crate::ops::pool(threads).map_err(to_py)?;
    let out = match (target_lat, target_lon) {
        (None, None) => {
            let filter = SpectralFilter::new(&lat, &lon, &opts).map_err(to_py)?;
            py.detach(|| pool.install(|| filter_frames(&filter, frames)))
        }
        (Some(tlat), Some(tlon)) => {
            if opts.kind == FilterKind::Dct {
                return Err(to_py(Error::option("filter_type", "dct filters a regional grid in place; regridding goes through spherical harmonics (sht)")));
            }
            let regrid = SphereRegrid::onto_grid(&lat, &lon, (&tlat, &tlon), lmin, lmax, taper).map_err(|e| to_py(Error::option("lmax", e.to_string())))?;
            let out = py.detach(|| pool.install(|| regrid_frames(&regrid, frames)));
            out.into_shape_with_order((frames.dim().0, tlat.len(), tlon.len())).expect("a value per target cell")
        }
        _ => return Err(to_py(Error::option("target_lat", "give the target grid's latitudes and longitudes together"))),
    };
    Ok(out.into_pyarray(py))
}

/// The boundary taper's weights along an axis of `n` points (`BoundaryTaper`,
/// docs/algorithms.md#boundary-taper): a raised cosine over the first and last `points`.
#[pyfunction]
pub fn boundary_taper_weights<'py>(py: Python<'py>, n: usize, points: usize) -> Bound<'py, numpy::PyArray1<f64>> {
    crate::field::boundary_taper(n, points).into_pyarray(py)
}

/// Every frame of `frames` on the grid `lat` x `lon` at the points `(point_lat, point_lon)`
/// (degrees) through spherical harmonics up to degree `lmax` (`SpectralRegridder.to_healpix`),
/// the band `lmin..=lmax` weighted by the taper (the filter on a reduced grid's own points):
/// `(time, point)`.
#[pyfunction]
#[pyo3(signature = (frames, lat, lon, point_lat, point_lon, *, lmax, lmin = 0, taper = 1.0, threads = None))]
#[allow(clippy::too_many_arguments)]
pub fn regrid_to_points<'py>(
    py: Python<'py>,
    frames: PyReadonlyArray3<'py, f64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    point_lat: Vec<f64>,
    point_lon: Vec<f64>,
    lmax: usize,
    lmin: usize,
    taper: f64,
    threads: Option<usize>,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let frames = frames.as_array();
    check_axes(frames.dim(), &lat, &lon)?;
    if point_lat.len() != point_lon.len() {
        return Err(to_py(Error::option("point_lon", format!("{} longitudes for {} latitudes; give one per point", point_lon.len(), point_lat.len()))));
    }
    let pool = crate::ops::pool(threads).map_err(to_py)?;
    SpectralOptions { lmin, lmax, taper, kind: FilterKind::Sht }.validate().map_err(to_py)?;
    let regrid = SphereRegrid::new(&lat, &lon, (&point_lat, &point_lon), lmin, lmax, taper).map_err(|e| to_py(Error::option("lmax", e.to_string())))?;
    Ok(py.detach(|| pool.install(|| regrid_frames(&regrid, frames))).into_pyarray(py))
}

/// Frames `(time, ny, nx)` must lie on `lat` x `lon`.
fn check_axes((_, ny, nx): (usize, usize, usize), lat: &[f64], lon: &[f64]) -> PyResult<()> {
    if (ny, nx) != (lat.len(), lon.len()) {
        let why = format!("frames of {ny} x {nx} points on {} latitudes x {} longitudes; give (time, lat, lon) frames on their axes", lat.len(), lon.len());
        return Err(to_py(Error::option("data", why)));
    }
    Ok(())
}

/// Reduced Gaussian frames `(time, point)` (rows of `pl` points, north to south, each from
/// longitude 0) on the regular Gaussian grid of `max(pl)` longitudes, each row interpolated by
/// its own Fourier series (docs/input.md#reduced-gaussian-grids): `(time, row, longitude)`.
#[pyfunction]
pub fn reduced_to_regular<'py>(py: Python<'py>, frames: numpy::PyReadonlyArray2<'py, f64>, pl: Vec<usize>) -> PyResult<Bound<'py, PyArray3<f64>>> {
    let frames = frames.as_array();
    let npoints: usize = pl.iter().sum();
    if pl.is_empty() || pl.contains(&0) || frames.ncols() != npoints {
        let why = format!("rows of {npoints} points in all for frames of {}; give the grid's own points per row (each at least 1)", frames.ncols());
        return Err(to_py(Error::option("pl", why)));
    }
    let rows = crate::spectral::reduced::ReducedRows::new(&pl);
    let nlon = pl.iter().copied().max().unwrap_or(1);
    let out: Vec<f64> = py.detach(|| frames.outer_iter().flat_map(|f| rows.to_regular(&f.to_vec())).collect());
    Ok(ndarray::Array3::from_shape_vec((frames.nrows(), pl.len(), nlon), out).expect("a row of nlon values per row").into_pyarray(py))
}
