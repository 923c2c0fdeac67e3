//! The workspace (speed-ups 4 and 5 of [`super::mge`]): a row-major `rows × T`
//! matrix of filtered-feature indices. Every write goes through [`Linker::set`], which keeps
//! the real counts, the feature owners, the stale centres and the cached centre costs.

use crate::link::mge::mge::{Dir, Linker, PHANTOM};
use crate::link::mge::neighbours::Near;

impl Linker<'_> {
    pub(crate) fn rows(&self) -> usize {
        self.count.len()
    }

    #[inline]
    pub(super) fn at(&self, r: usize, f: usize) -> u32 {
        self.cells[r * self.t + f]
    }

    pub(super) fn push_row(&mut self) -> usize {
        self.stale.iter_mut().for_each(|s| s.fill(true));
        self.cells.extend(std::iter::repeat_n(PHANTOM, self.t));
        self.count.push(0);
        self.count.len() - 1
    }

    pub(super) fn set(&mut self, r: usize, f: usize, v: u32) {
        let old = std::mem::replace(&mut self.cells[r * self.t + f], v);
        if old == v {
            return;
        }
        let before = self.count[r];
        if old != PHANTOM {
            self.count[r] -= 1;
        }
        if v != PHANTOM {
            self.count[r] += 1;
            self.owner[v as usize] = r as u32;
        }
        self.mark_stale(f);
        for g in [old, v, self.at_or_phantom(r, f.wrapping_sub(1)), self.at_or_phantom(r, f + 1)] {
            if g != PHANTOM {
                self.centre_cost[g as usize] = f64::NAN;
            }
        }
        // The "real count ≤ 1" skip of best_pair reads counts of rows real at k or τ.
        if (before <= 1) != (self.count[r] <= 1) {
            for g in 0..self.t {
                if self.at(r, g) != PHANTOM {
                    self.mark_stale(g);
                }
            }
        }
    }

    pub(super) fn at_or_phantom(&self, r: usize, f: usize) -> u32 {
        if f < self.t { self.at(r, f) } else { PHANTOM }
    }

    /// Marks the centres whose triplets or targets include frame `f`.
    pub(super) fn mark_stale(&mut self, f: usize) {
        for c in f.saturating_sub(1)..=(f + 1).min(self.t - 1) {
            self.stale[0][c] = true;
            self.stale[1][c] = true;
        }
    }

    /// Moves frames `[first, last)` of row `src` to row `dst` (source becomes phantom).
    pub(super) fn move_section(&mut self, src: usize, dst: usize, first: usize, last: usize) {
        for c in first..last {
            let v = self.at(src, c);
            self.set(src, c, PHANTOM);
            self.set(dst, c, v);
        }
    }

    /// First row whose entries are phantom over all `frames`, found by marking the owners of
    /// those frames' features (cheaper than scanning the row-major workspace).
    pub(super) fn first_free_row(&mut self, frames: std::ops::RangeInclusive<usize>) -> Option<usize> {
        self.marks.resize(self.rows(), 0);
        self.mark_gen = self.mark_gen.wrapping_add(1);
        if self.mark_gen == 0 {
            self.marks.fill(0);
            self.mark_gen = 1;
        }
        for f in frames {
            for g in self.frame(f) {
                if let Some(m) = self.marks.get_mut(self.owner[g] as usize) {
                    *m = self.mark_gen;
                }
            }
        }
        self.marks.iter().position(|&m| m != self.mark_gen)
    }

    /// Exchanges the entries of rows `i` and `j` at frame `f`.
    pub(super) fn swap(&mut self, i: usize, j: usize, f: usize) {
        let (a, b) = (self.at(i, f), self.at(j, f));
        self.set(i, f, PHANTOM);
        self.set(j, f, a);
        self.set(i, f, b);
    }

    /// TRACK `initialize_mge` (see docs/algorithms.md#mge-linking, step 4).
    pub(super) fn initialise(&mut self) {
        if self.t == 0 {
            return;
        }
        for g in self.frame(0) {
            let r = self.push_row();
            self.set(r, 0, g as u32);
            self.push_row();
        }
        for f in 0..self.t.saturating_sub(1) {
            let default = self.link_default(f);
            for g in self.frame(f) {
                let r = self.owner[g];
                // A later candidate at equal distance wins (`≤`). Only near features are
                // scanned: the nearest unassigned feature can pass the avg_dmax test only
                // if it is near, and if any near one is unassigned the nearest is near.
                let mut best: Option<(f64, u32)> = None;
                for &Near { q, d } in self.neighbours(g as u32, Dir::Forward) {
                    if self.owner[q as usize] != PHANTOM {
                        continue;
                    }
                    if best.is_none_or(|(bd, _)| d <= bd) {
                        best = Some((d, q));
                    }
                }
                if let Some((_, q)) = best.filter(|&(_, q)| self.within(g as u32, q, default)) {
                    self.set(r as usize, f + 1, q);
                }
            }
            for q in self.frame(f + 1) {
                if self.owner[q] == PHANTOM {
                    let r = self.push_row();
                    self.set(r, f + 1, q as u32);
                    self.push_row();
                }
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn matrix(&self) -> Vec<Vec<i64>> {
        (0..self.rows()).map(|r| (0..self.t).map(|f| if self.at(r, f) == PHANTOM { -1 } else { self.at(r, f) as i64 }).collect()).collect()
    }

    /// Replaces the workspace (tests of the individual steps).
    #[cfg(test)]
    pub(crate) fn set_matrix(&mut self, m: &[Vec<i64>]) {
        self.cells.clear();
        self.count.clear();
        for row in m {
            let r = self.push_row();
            for (f, &v) in row.iter().enumerate() {
                if v >= 0 {
                    self.set(r, f, v as u32);
                }
            }
        }
    }
}
