//! Storm-centre detection on one frame. Detectors know nothing of files or time: they take a
//! frame as an `ndarray` view and its [`Grid`], and return the centres found.

pub mod criteria;
pub mod healpix;
pub mod hodges;
mod refine;
mod simple;
pub mod spherical_quadratic;
pub mod svd;

pub use refine::{refine_quadratic, refine_quadratic_at};
pub use simple::{Refinement, SimpleDetector};

use crate::field::Grid;
use crate::variables::Mode;
use ndarray::ArrayView2;

/// Centres of one frame, in the detector's emission order (row-major for Simple).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameCenters {
    /// Row of the grid cell each centre was found at (storage order).
    pub rows: Vec<u32>,
    /// Column of the grid cell.
    pub cols: Vec<u32>,
    /// Latitude (refined if refinement is on).
    pub lats: Vec<f64>,
    /// Longitude in the grid's own convention (refined if refinement is on).
    pub lons: Vec<f64>,
    /// Field value at the centre (raw at the grid cell, or the refined extremum).
    pub values: Vec<f64>,
    /// Further per-centre columns of a detector (Hodges: object id, refinement status and
    /// object diagnostics), carried into the `centers` table and the tracks' variables.
    pub extras: Vec<ExtraColumn>,
}

/// A named per-centre column of numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtraColumn {
    pub name: String,
    pub unit: String,
    pub values: Vec<f64>,
}

impl FrameCenters {
    /// Number of centres.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether no centre was found.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A detector of storm centres in one frame.
pub trait Detector: Sync {
    /// Centres of `frame` (shape `(grid.ny(), grid.nx())`, NaN where missing).
    fn detect(&self, frame: ArrayView2<'_, f64>, grid: &Grid, mode: Mode) -> FrameCenters;

    /// [`Detector::detect`] with other fields of the same time on the same grid, which
    /// criteria may test (`others[k - 1]` is field `k` of a closed contour). The default
    /// ignores them.
    fn detect_with(&self, frame: ArrayView2<'_, f64>, _others: &[ArrayView2<'_, f64>], grid: &Grid, mode: Mode) -> FrameCenters {
        self.detect(frame, grid, mode)
    }

    /// [`Detector::detect_with`], with every candidate it turned down and why
    /// (docs/algorithms.md#rejected-candidates). The default reports none.
    fn diagnose(&self, frame: ArrayView2<'_, f64>, others: &[ArrayView2<'_, f64>], grid: &Grid, mode: Mode) -> (FrameCenters, Vec<Rejection>) {
        (self.detect_with(frame, others, grid, mode), Vec::new())
    }
}

/// A candidate a detector turned down: its cell, the test, the value the test was made on and
/// the limit it had to pass (docs/algorithms.md#rejected-candidates).
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub row: u32,
    pub col: u32,
    /// `contrast`, `edge`, `laplacian`, `duplicate`, `merge_distance`, `closed_contour_N`.
    pub test: String,
    /// What was tested (the contrast reached, the Laplacian, the distance, the change).
    pub value: f64,
    /// What it had to pass (NaN where the test has no number).
    pub limit: f64,
}
