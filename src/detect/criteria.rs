//! TempestExtremes' candidate criteria for the Simple detector (see
//! docs/algorithms.md#closed-contour-criterion): the merge distance and the closed contour.
//!
//! ```
//! use ndarray::Array2;
//! use stormtrack::detect::criteria::{ClosedContour, closed_contour};
//! use stormtrack::field::Grid;
//! // a bowl 4 deep in a flat field on a 1° grid: closed by 2 within 5°, not by 5
//! let grid = Grid::new((0..21).map(|i| 10.0 - i as f64).collect(), (0..21).map(|i| i as f64).collect());
//! let f = Array2::from_shape_fn((21, 21), |(r, c)| -4.0 * (-(((r as f64 - 10.0).powi(2) + (c as f64 - 10.0).powi(2)) / 8.0)).exp());
//! let cc = |delta| ClosedContour { field: 0, delta, dist_deg: 5.0, minmaxdist_deg: 0.0 };
//! assert!(closed_contour(f.view(), &grid, (10, 10), &cc(2.0)).closed);
//! assert!(!closed_contour(f.view(), &grid, (10, 10), &cc(5.0)).closed);
//! ```

use crate::field::Grid;
use crate::geo::great_circle_angle;
use crate::variables::Mode;
use ndarray::ArrayView2;
use std::collections::VecDeque;

/// One closed-contour criterion (TempestExtremes' `--closedcontourcmd var,delta,dist,minmaxdist`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClosedContour {
    /// The field tested: 0 the tracked one, `k` the `k`-th other field of the same frame the
    /// caller hands in (`Detector::detect_with`).
    pub field: usize,
    /// The change the field must make, from the reference point, all around it within
    /// `dist_deg`: positive, an increase (a closed contour around a minimum); negative, a
    /// decrease (around a maximum).
    pub delta: f64,
    /// Great-circle distance (degrees) within which the contour must close.
    pub dist_deg: f64,
    /// The reference point is the field's minimum (delta > 0) or maximum (delta < 0) within
    /// this great-circle distance (degrees) of the candidate; 0: the candidate itself.
    pub minmaxdist_deg: f64,
}

/// The Simple detector's criteria after its own steps, in TempestExtremes' order: the merge
/// distance, then every closed contour (all must hold).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Criteria {
    /// Great-circle degrees within which only the deepest candidate is kept.
    pub merge_dist_deg: Option<f64>,
    /// Closed contours (of the tracked field or others), all required.
    pub closed_contours: Vec<ClosedContour>,
}

impl Criteria {
    /// Whether there is any criterion.
    pub fn is_empty(&self) -> bool {
        self.merge_dist_deg.is_none() && self.closed_contours.is_empty()
    }
}

impl ClosedContour {
    /// Check the numbers (`delta` nonzero and finite, `dist_deg` positive, `minmaxdist_deg`
    /// at least 0 and at most `dist_deg`).
    pub fn validate(&self) -> Result<(), String> {
        if !(self.delta.is_finite() && self.delta != 0.0) {
            return Err(format!("delta {} must be a nonzero number (positive around a minimum, negative around a maximum)", self.delta));
        }
        if !(self.dist_deg.is_finite() && self.dist_deg > 0.0 && self.dist_deg <= 180.0) {
            return Err(format!("distance {} must be a positive number of degrees up to 180", self.dist_deg));
        }
        if !(self.minmaxdist_deg.is_finite() && self.minmaxdist_deg >= 0.0 && self.minmaxdist_deg <= self.dist_deg) {
            return Err(format!("minmaxdist {} must be between 0 and the distance ({})", self.minmaxdist_deg, self.dist_deg));
        }
        Ok(())
    }
}

/// What the closed-contour test found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContourOutcome {
    /// The contour closes within the distance.
    pub closed: bool,
    /// The reference point's value.
    pub reference: f64,
    /// How far the field had changed from the reference (in the sense of `delta`) where the
    /// flood left the distance: the value the criterion was tested on when it failed; `delta`
    /// itself when it held.
    pub change: f64,
}

/// The grid cells next to `(r, c)`: up, down, left, right (TempestExtremes' connectivity of a
/// rectilinear grid without diagonals); columns wrap on a periodic grid.
fn neighbours(grid: &Grid, r: usize, c: usize) -> impl Iterator<Item = (usize, usize)> {
    let (ny, nx, periodic) = (grid.ny(), grid.nx(), grid.periodic_x);
    let up = (r > 0).then(|| (r - 1, c));
    let down = (r + 1 < ny).then(|| (r + 1, c));
    let left = if c > 0 { Some((r, c - 1)) } else { (periodic && nx > 1).then(|| (r, nx - 1)) };
    let right = if c + 1 < nx { Some((r, c + 1)) } else { (periodic && nx > 1).then_some((r, 0)) };
    [up, down, left, right].into_iter().flatten()
}

fn distance_deg(grid: &Grid, a: (usize, usize), b: (usize, usize)) -> f64 {
    great_circle_angle(grid.lat[a.0], grid.lon[a.1], grid.lat[b.0], grid.lon[b.1]).to_degrees()
}

/// The cell of the lowest (`delta > 0`) or highest value within `dist` degrees of `start`,
/// reached through cells within that distance, breadth first (ties: the first reached).
fn extremum_near(frame: ArrayView2<'_, f64>, grid: &Grid, start: (usize, usize), dist: f64, lowest: bool) -> (usize, usize) {
    if dist <= 0.0 {
        return start;
    }
    let mut best = start;
    let mut seen = std::collections::HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(p) = queue.pop_front() {
        let (v, b) = (frame[p], frame[best]);
        if v.is_finite() && (!b.is_finite() || if lowest { v < b } else { v > b }) {
            best = p;
        }
        for q in neighbours(grid, p.0, p.1) {
            if distance_deg(grid, start, q) <= dist && seen.insert(q) {
                queue.push_back(q);
            }
        }
    }
    best
}

/// TempestExtremes' closed-contour test at the candidate `cell` (see
/// docs/algorithms.md#closed-contour-criterion): from the reference point, flood the cells
/// whose value has not yet changed by `delta`; the contour is closed unless the flood reaches a
/// cell farther than `dist_deg` from the reference. NaN cells stop the flood like the contour.
pub fn closed_contour(frame: ArrayView2<'_, f64>, grid: &Grid, cell: (usize, usize), cc: &ClosedContour) -> ContourOutcome {
    let reference_cell = extremum_near(frame, grid, cell, cc.minmaxdist_deg, cc.delta > 0.0);
    let reference = frame[reference_cell];
    let change_of = |v: f64| if cc.delta > 0.0 { v - reference } else { reference - v };
    let target = cc.delta.abs();
    let mut seen = std::collections::HashSet::from([reference_cell]);
    let mut queue = VecDeque::from([reference_cell]);
    while let Some(p) = queue.pop_front() {
        if distance_deg(grid, reference_cell, p) > cc.dist_deg {
            return ContourOutcome { closed: false, reference, change: change_of(frame[p]) };
        }
        let v = frame[p];
        // beyond the contour (or no data): not expanded
        if !v.is_finite() || change_of(v) >= target {
            continue;
        }
        for q in neighbours(grid, p.0, p.1) {
            if seen.insert(q) {
                queue.push_back(q);
            }
        }
    }
    ContourOutcome { closed: true, reference, change: cc.delta }
}

/// The merge distance: each candidate with a better one (lower value for minima, higher for
/// maxima; on equal values, the one earlier in the list) within `dist_deg` degrees is
/// dropped. Returns, per candidate, `None` (kept) or the index of the better candidate and its
/// distance.
pub fn merge_within(lats: &[f64], lons: &[f64], values: &[f64], mode: Mode, dist_deg: f64) -> Vec<Option<(usize, f64)>> {
    let better = |i: usize, j: usize| match mode {
        Mode::Min => values[j] < values[i] || (values[j] == values[i] && j < i),
        Mode::Max => values[j] > values[i] || (values[j] == values[i] && j < i),
    };
    (0..values.len())
        .map(|i| {
            (0..values.len())
                .filter(|&j| j != i && better(i, j))
                .map(|j| (j, great_circle_angle(lats[i], lons[i], lats[j], lons[j]).to_degrees()))
                .filter(|&(_, d)| d <= dist_deg)
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn grid(n: usize) -> Grid {
        Grid::new((0..n).map(|i| 20.0 - i as f64).collect(), (0..n).map(|i| i as f64).collect())
    }

    #[test]
    fn an_open_trough_is_not_closed() {
        // a valley running along the rows: it rises across, never along
        let g = grid(21);
        let f = Array2::from_shape_fn((21, 21), |(_, c)| (c as f64 - 10.0).abs());
        let cc = ClosedContour { field: 0, delta: 2.0, dist_deg: 6.0, minmaxdist_deg: 0.0 };
        let out = closed_contour(f.view(), &g, (10, 10), &cc);
        assert!(!out.closed);
        assert!(out.change < 2.0, "{out:?}");
    }

    #[test]
    fn the_reference_point_is_the_extremum_nearby() {
        let g = grid(21);
        // a deep bowl 2 cells from the candidate
        let f = Array2::from_shape_fn((21, 21), |(r, c)| -5.0 * (-(((r as f64 - 10.0).powi(2) + (c as f64 - 12.0).powi(2)) / 4.0)).exp());
        let near = ClosedContour { field: 0, delta: 3.0, dist_deg: 5.0, minmaxdist_deg: 3.0 };
        assert!(closed_contour(f.view(), &g, (10, 10), &near).closed);
        let own = ClosedContour { minmaxdist_deg: 0.0, ..near };
        let o = closed_contour(f.view(), &g, (10, 10), &own);
        assert!(o.reference > -5.0);
        // maxima: a negative delta around a hill
        let hill = f.mapv(|v| -v);
        let cc = ClosedContour { field: 0, delta: -3.0, dist_deg: 5.0, minmaxdist_deg: 3.0 };
        assert!(closed_contour(hill.view(), &g, (10, 10), &cc).closed);
    }

    #[test]
    fn merging_keeps_the_deepest_and_breaks_ties_by_order() {
        let lats = [0.0, 0.0, 0.0, 30.0];
        let lons = [0.0, 3.0, 1.0, 0.0];
        let values = [5.0, 1.0, 1.0, 9.0];
        let m = merge_within(&lats, &lons, &values, Mode::Min, 4.0);
        assert_eq!(m[0].map(|x| x.0), Some(2), "the nearer of two deeper ones");
        assert_eq!(m[1], None);
        assert_eq!(m[2].map(|x| x.0), Some(1), "an equal value earlier in the list wins");
        assert_eq!(m[3], None, "too far to merge");
        let cc = ClosedContour { field: 0, delta: 0.0, dist_deg: 1.0, minmaxdist_deg: 0.0 };
        assert!(cc.validate().is_err());
        assert!(ClosedContour { field: 0, delta: 1.0, dist_deg: 1.0, minmaxdist_deg: 2.0 }.validate().is_err());
    }
}
