//! A stack of `(time, lat, lon)` frames band-pass filtered, or filtered and regridded onto
//! another global rectangular grid, frames in parallel on the current rayon pool (the engine
//! of the Python `SHTFilter`, docs/algorithms.md#spherical-harmonic-filter).
//!
//! ```
//! use ndarray::Array3;
//! use stormtrack::spectral::frames::{filter_frames, regrid_frames};
//! use stormtrack::spectral::regrid::SphereRegrid;
//! use stormtrack::spectral::{SpectralFilter, SpectralOptions, FilterKind};
//! // a constant field on the 5° equiangular grid: the mean (degree 0) survives both ways
//! let lat: Vec<f64> = (0..37).map(|i| -90.0 + 5.0 * i as f64).collect();
//! let lon: Vec<f64> = (0..72).map(|j| 5.0 * j as f64).collect();
//! let frames = Array3::from_elem((2, 37, 72), 3.0);
//! let opts = SpectralOptions { lmin: 0, lmax: 20, taper: 1.0, kind: FilterKind::Sht };
//! let filtered = filter_frames(&SpectralFilter::new(&lat, &lon, &opts)?, frames.view());
//! assert!(filtered.iter().all(|v| (v - 3.0).abs() < 1e-12));
//! let coarse_lat: Vec<f64> = (0..19).map(|i| -90.0 + 10.0 * i as f64).collect();
//! let coarse_lon: Vec<f64> = (0..36).map(|j| 10.0 * j as f64).collect();
//! // the coarse grid resolves degree 17: the band must stay within it
//! let regrid = SphereRegrid::onto_grid(&lat, &lon, (&coarse_lat, &coarse_lon), 0, 15, 1.0)?;
//! let coarse = regrid_frames(&regrid, frames.view());
//! assert_eq!(coarse.dim(), (2, 19 * 36));
//! assert!(coarse.iter().all(|v| (v - 3.0).abs() < 1e-12));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::SpectralFilter;
use super::regrid::SphereRegrid;
use ndarray::{Array2, Array3, ArrayView3};
use rayon::prelude::*;

/// Every frame of `frames` through `filter` (same shape).
pub fn filter_frames(filter: &SpectralFilter, frames: ArrayView3<'_, f64>) -> Array3<f64> {
    let (nt, ny, nx) = frames.dim();
    let out = per_frame(frames, |frame| {
        let mut filtered = vec![0.0; ny * nx];
        filter.apply(frame, &mut filtered);
        filtered
    });
    Array3::from_shape_vec((nt, ny, nx), out).expect("every frame has the grid's size")
}

/// Every frame of `frames` through `regrid`: `(time, point)`, the points in `regrid`'s order
/// (a grid's in row-major order, [`SphereRegrid::onto_grid`]).
pub fn regrid_frames(regrid: &SphereRegrid, frames: ArrayView3<'_, f64>) -> Array2<f64> {
    let out = per_frame(frames, |frame| regrid.apply(frame));
    Array2::from_shape_vec((frames.dim().0, regrid.points()), out).expect("every frame has a value per point")
}

/// `each` of every frame (row-major), frames in parallel, the results concatenated in frame
/// order.
fn per_frame(frames: ArrayView3<'_, f64>, each: impl Fn(&[f64]) -> Vec<f64> + Sync) -> Vec<f64> {
    let out: Vec<Vec<f64>> = (0..frames.dim().0)
        .into_par_iter()
        .map(|t| {
            let frame = frames.index_axis(ndarray::Axis(0), t).as_standard_layout().into_owned();
            each(frame.as_slice().expect("standard layout"))
        })
        .collect();
    out.concat()
}
