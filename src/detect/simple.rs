//! The Simple detector (Yau & Chang 2020; PyStormTracker 0.8 `SimpleDetector`, spec §6.2):
//! local extrema in a square window that stand out from the window's lower (upper) third by
//! more than a contrast threshold, one per 5x5 neighbourhood by the largest Laplacian.

use super::{Detector, FrameCenters, refine_quadratic};
use crate::error::{Error, Result};
use crate::field::Grid;
use crate::variables::Mode;
use ndarray::{Array2, ArrayView2};

/// Sub-grid refinement of detected centres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refinement {
    /// Report the grid point (the peer's default).
    #[default]
    Grid,
    /// Local 3x3 quadratic fit (spec §6.3).
    Quadratic,
}

impl Refinement {
    /// Parse `grid` or `quadratic`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "grid" => Ok(Refinement::Grid),
            "quadratic" => Ok(Refinement::Quadratic),
            other => Err(Error::option("--feature-refinement", format!("'{other}' is not available for the simple tracker; use grid or quadratic"))),
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
}

impl Default for SimpleDetector {
    fn default() -> Self {
        SimpleDetector { window: 5, threshold: 0.0, refinement: Refinement::Grid }
    }
}

/// Window of the duplicate suppression, fixed whatever the search window (spec §6.2 step 5).
const SUPPRESSION_HALF: isize = 2;

impl SimpleDetector {
    /// Check the options.
    pub fn validate(&self) -> Result<()> {
        if self.window < 3 || self.window % 2 == 0 {
            return Err(Error::option("--search-window-size", format!("{} must be an odd integer of at least 3", self.window)));
        }
        if !self.threshold.is_finite() || self.threshold < 0.0 {
            return Err(Error::option("--feature-threshold", format!("{} must be a finite number >= 0", self.threshold)));
        }
        Ok(())
    }
}

impl Detector for SimpleDetector {
    fn detect(&self, frame: ArrayView2<'_, f64>, grid: &Grid, mode: Mode) -> FrameCenters {
        let (ny, nx) = frame.dim();
        let h = self.window / 2;
        let s2 = self.window * self.window;
        let k = s2 / 3;
        let fill = if mode == Mode::Min { f64::INFINITY } else { f64::NEG_INFINITY };
        // G: NaN replaced so that it never wins an extremum test
        let g: Array2<f64> = frame.mapv(|v| if v.is_nan() { fill } else { v });
        let g = g.as_slice().expect("standard layout");
        let periodic = grid.periodic_x;
        let mut out = FrameCenters::default();
        if ny < self.window || (!periodic && nx < self.window) || nx == 0 {
            return out;
        }
        let wrap = |c: isize| -> usize { c.rem_euclid(nx as isize) as usize };
        let (c_lo, c_hi) = if periodic { (0, nx) } else { (h, nx - h) };
        let mut window = Vec::with_capacity(s2);
        // Step 2-3: extremum and rank-contrast candidates, with their Laplacian (step 4)
        let mut lap = vec![0.0f64; ny * nx];
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        for r in h..ny - h {
            for c in c_lo..c_hi {
                let centre = g[r * nx + c];
                if !centre.is_finite() {
                    continue;
                }
                window.clear();
                let mut extremum = true;
                'win: for rr in r - h..=r + h {
                    let row = &g[rr * nx..(rr + 1) * nx];
                    for dc in -(h as isize)..=h as isize {
                        let v = row[wrap(c as isize + dc)];
                        let beats = match mode {
                            Mode::Min => v < centre,
                            Mode::Max => v > centre,
                        };
                        if beats {
                            extremum = false;
                            break 'win;
                        }
                        window.push(v);
                    }
                }
                if !extremum {
                    continue;
                }
                let accept = match mode {
                    Mode::Min => *window.select_nth_unstable_by(k, f64::total_cmp).1 - centre > self.threshold,
                    Mode::Max => *window.select_nth_unstable_by(s2 - 1 - k, f64::total_cmp).1 - centre < -self.threshold,
                };
                // NaN cells are never candidates: centre is finite here, so frame[r, c] is not NaN
                if !accept || r == 0 || r == ny - 1 {
                    continue;
                }
                if !periodic && (c == 0 || c == nx - 1) {
                    continue;
                }
                let up = g[(r - 1) * nx + c];
                let down = g[(r + 1) * nx + c];
                let left = g[r * nx + wrap(c as isize - 1)];
                let right = g[r * nx + wrap(c as isize + 1)];
                let l = match mode {
                    Mode::Min => (((up + down) + left) + right) - 4.0 * centre,
                    Mode::Max => 4.0 * centre - (((up + down) + left) + right),
                };
                lap[r * nx + c] = l;
                if l != 0.0 {
                    candidates.push((r, c));
                }
            }
        }
        // Step 5: one survivor per 5x5 neighbourhood: largest |L|, ties to the earlier cell
        for &(r, c) in &candidates {
            let a = lap[r * nx + c].abs();
            let mut best = true;
            'nb: for dr in -SUPPRESSION_HALF..=SUPPRESSION_HALF {
                let r2 = r as isize + dr;
                if r2 < 0 || r2 >= ny as isize {
                    continue;
                }
                let r2 = r2 as usize;
                for dc in -SUPPRESSION_HALF..=SUPPRESSION_HALF {
                    let c2 = c as isize + dc;
                    let c2 = if periodic {
                        wrap(c2)
                    } else if c2 < 0 || c2 >= nx as isize {
                        continue;
                    } else {
                        c2 as usize
                    };
                    let v = lap[r2 * nx + c2].abs();
                    if v > a || (v == a && (r2 < r || (r2 == r && c2 < c))) {
                        best = false;
                        break 'nb;
                    }
                }
            }
            if !best {
                continue;
            }
            // Step 6-7: candidates were pushed in row-major order
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
        // spec §16.1: duplicate removal keeps (5,5) over tied (5,6)
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
