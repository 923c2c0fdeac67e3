//! Local quadratic refinement of a grid extremum (see docs/algorithms.md#quadratic-refinement), shared by the Simple detector
//! and the Hodges CCL path (see docs/algorithms.md#refinement-methods).

use crate::field::Grid;
use crate::geo::{cyclic_delta, normalize_lon as normalize_lon_signed, normalize_lon_360};
use ndarray::ArrayView2;

/// Refine the extremum at grid cell `(r, c)` of `grid` with a 3x3 quadratic fit: see
/// [`refine_quadratic_at`].
pub fn refine_quadratic(frame: ArrayView2<'_, f64>, grid: &Grid, r: usize, c: usize) -> (f64, f64, f64) {
    refine_quadratic_at(frame, &grid.lat, &grid.lon, grid.periodic_x, r, c)
}

/// Refine the extremum at grid cell `(r, c)` with a 3×3 quadratic fit; returns
/// `(lat, lon, value)`. The grid point and its value are kept when the cell is on the edge, the
/// fit is degenerate (|det| < 1e-10, absolute), the vertex leaves the cell, or a neighbour is
/// missing (the peer would propagate NaN there).
pub fn refine_quadratic_at(frame: ArrayView2<'_, f64>, lat: &[f64], lon: &[f64], periodic: bool, r: usize, c: usize) -> (f64, f64, f64) {
    let (ny, nx) = frame.dim();
    let here = (lat[r], lon[c], frame[[r, c]]);
    if r < 1 || r >= ny - 1 || (!periodic && (c < 1 || c >= nx - 1)) {
        return here;
    }
    let cm = if c == 0 { nx - 1 } else { c - 1 };
    let cp = if c + 1 == nx { 0 } else { c + 1 };
    let cols = [cm, c, cp];
    let z = |i: usize, j: usize| frame[[r - 1 + i, cols[j]]];
    let (z00, z01, z02, z10, z11, z12, z20, z21, z22) = (z(0, 0), z(0, 1), z(0, 2), z(1, 0), z(1, 1), z(1, 2), z(2, 0), z(2, 1), z(2, 2));
    if ![z00, z01, z02, z10, z11, z12, z20, z21, z22].iter().all(|v| v.is_finite()) {
        return here;
    }
    let fyy = z01 - 2.0 * z11 + z21;
    let fxx = z10 - 2.0 * z11 + z12;
    let fyx = 0.25 * (z22 - z20 - z02 + z00);
    let fy = 0.5 * (z21 - z01);
    let fx = 0.5 * (z12 - z10);
    let det = fyy * fxx - fyx * fyx;
    if det.abs() < 1e-10 {
        return here;
    }
    let dy = (fyx * fx - fxx * fy) / det;
    let dx = (fyx * fy - fyy * fx) / det;
    if dy.abs() > 1.0 || dx.abs() > 1.0 {
        return here;
    }
    let new_lat = if dy > 0.0 { lat[r] + dy * (lat[r + 1] - lat[r]) } else { lat[r] + dy.abs() * (lat[r - 1] - lat[r]) };
    let new_lon = if periodic {
        let delta = if dx > 0.0 { cyclic_delta(lon[cp] - lon[c], 0.0) } else { cyclic_delta(lon[cm] - lon[c], 0.0) };
        let l = lon[c] + dx.abs() * delta;
        let signed = lon.iter().copied().fold(f64::INFINITY, f64::min) < 0.0;
        if signed { normalize_lon_signed(l) } else { normalize_lon_360(l) }
    } else if dx > 0.0 {
        lon[c] + dx * (lon[c + 1] - lon[c])
    } else {
        lon[c] + dx.abs() * (lon[c - 1] - lon[c])
    };
    (new_lat, new_lon, z11 + 0.5 * (fy * dy + fx * dx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn flat_field_keeps_the_grid_point() {
        let f = Array2::<f64>::from_elem((5, 5), 101.0);
        let mut g = Grid::new(vec![10.0, 11.0, 12.0, 13.0, 14.0], vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        g.periodic_x = false;
        assert_eq!(refine_quadratic(f.view(), &g, 1, 1), (11.0, 1.0, 101.0));
    }

    #[test]
    fn shifted_bump_moves_towards_the_lower_neighbour() {
        // a minimum between rows 2 and 3 and between columns 2 and 3
        let mut f = Array2::<f64>::zeros((6, 6));
        for r in 0..6 {
            for c in 0..6 {
                let (y, x) = (r as f64 - 2.25, c as f64 - 2.2);
                f[[r, c]] = y * y + x * x;
            }
        }
        let mut g = Grid::new((0..6).map(|i| i as f64).collect(), (0..6).map(|i| i as f64).collect());
        g.periodic_x = false;
        let (lat, lon, v) = refine_quadratic(f.view(), &g, 2, 2);
        assert!((lat - 2.25).abs() < 1e-9 && (lon - 2.2).abs() < 1e-9, "{lat} {lon}");
        assert!(v < f[[2, 2]]);
    }
}
