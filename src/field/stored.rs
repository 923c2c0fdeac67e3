//! How the values a reader stores for one frame become the frame of the grid it hands out: as
//! they are, a reduced Gaussian grid's rows onto the regular Gaussian grid
//! (docs/input.md#reduced-gaussian-grids), or a part of the HEALPix sphere onto the whole of
//! it (docs/input.md#healpix-inputs).

use super::healpix::CellSubset;
use crate::spectral::reduced::ReducedRows;

/// The stored values of a frame and the grid's frame.
pub(crate) enum StoredFrame {
    /// The grid's own points, in its order.
    Grid,
    /// The rows of a reduced Gaussian grid.
    Reduced(ReducedRows),
    /// Some of the HEALPix sphere's cells.
    Cells(CellSubset),
}

impl StoredFrame {
    /// Values stored per frame, where the grid has `grid_points`.
    pub fn len(&self, grid_points: usize) -> usize {
        match self {
            StoredFrame::Grid => grid_points,
            StoredFrame::Reduced(rows) => rows.points(),
            StoredFrame::Cells(cells) => cells.len(),
        }
    }

    /// The grid's frame of the `stored` values (missing values already NaN).
    pub fn onto_grid(&self, stored: Vec<f64>) -> Vec<f64> {
        match self {
            StoredFrame::Grid => stored,
            StoredFrame::Reduced(rows) => rows.to_regular(&stored),
            StoredFrame::Cells(cells) => cells.scatter(&stored),
        }
    }
}
