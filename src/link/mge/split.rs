//! Track failure and splitting: a row whose link exceeds dmax after an exchange
//! loses its tail (or head) to a free row; `track_split` keeps each row's last contiguous
//! section; the adaptive constraint filter cuts rows at a smoothness violation.

use crate::geo::DEG_TO_RAD;
use crate::link::mge::cost::{adaptive_phimax, geod_dev_legs};
use crate::link::mge::mge::{Dir, Linker, PHANTOM};

impl Linker<'_> {
    /// TRACK `track_fail` for row `r` around centre `k` (see docs/algorithms.md#track-fail).
    pub(super) fn track_fail(&mut self, r: usize, k: usize, dir: Dir, default: f64) {
        let t = self.t;
        let excess = |a: u32, b: u32| a != PHANTOM && b != PHANTOM && !self.within(a, b, default);
        let (first, last) = match dir {
            Dir::Forward => {
                let first = k + 2;
                if first >= t || !excess(self.at(r, k + 1), self.at(r, first)) {
                    return;
                }
                let last = (first + 1..t).find(|&f| self.at(r, f) == PHANTOM).unwrap_or(t);
                (first, last)
            }
            Dir::Backward => {
                let last = k - 1;
                if last == 0 || !excess(self.at(r, last), self.at(r, k - 2)) {
                    return;
                }
                let first = if last - 1 == 0 { 0 } else { (0..last).rev().find(|&f| self.at(r, f) == PHANTOM).map_or(0, |f| f + 1) };
                (first, last)
            }
        };
        if last <= first {
            return;
        }
        let lo = first.saturating_sub(1);
        let hi = if last == t { last - 1 } else { last };
        let dest = self.first_free_row(lo..=hi).or_else(|| self.count.iter().position(|&c| c == 0));
        if let Some(d) = dest {
            self.move_section(r, d, first, last);
        }
    }

    /// TRACK `track_split` (see docs/algorithms.md#track-split): every row present on entry keeps its last contiguous
    /// section; earlier sections move to new rows (each followed by a phantom row).
    pub(crate) fn split_track_sections(&mut self) {
        let n = self.rows();
        for r in 0..n {
            while self.count[r] > 1 {
                let f = (0..self.t).find(|&f| self.at(r, f) != PHANTOM).unwrap();
                let l = (f + 1..self.t).find(|&c| self.at(r, c) == PHANTOM).unwrap_or(self.t);
                if l - f >= self.count[r] as usize {
                    break;
                }
                let d = self.push_row();
                self.move_section(r, d, f, l);
                self.push_row();
            }
        }
    }

    /// Directional adaptive constraint filter (see docs/algorithms.md#adaptive-constraint-filter); rows are contiguous after a split.
    pub(crate) fn constraint_filter(&mut self, dir: Dir) {
        let t = self.t;
        let static_dmax = self.p.dmax_params[0];
        let mut r = 0;
        while r < self.rows() {
            if self.count[r] <= 2 {
                r += 1;
                continue;
            }
            let real: Vec<usize> = (0..t).filter(|&f| self.at(r, f) != PHANTOM).collect();
            let mut central: Vec<usize> = real[1..real.len() - 1].to_vec();
            if dir == Dir::Backward {
                central.reverse();
            }
            for c in central {
                let (a, prev, first, last) = match dir {
                    Dir::Forward => (c + 1, c - 1, c + 1, t),
                    Dir::Backward => (c - 1, c + 1, 0, c),
                };
                let (pc, pa, pp) = (self.at(r, c), self.at(r, a), self.at(r, prev));
                debug_assert!(pa != PHANTOM && pp != PHANTOM, "rows are contiguous after a split");
                let (ec, ea, ep) = (&self.pts[pc as usize], &self.pts[pa as usize], &self.pts[pp as usize]);
                let violates = if ec.great_circle_angle(ea) > static_dmax * DEG_TO_RAD {
                    true
                } else {
                    let (d1, d2) = (ep.great_circle_angle(ec), ec.great_circle_angle(ea));
                    let cost = geod_dev_legs(ep, ec, ea, d1, d2, self.p.w1, self.p.w2);
                    cost > adaptive_phimax(0.5 * (d1 + d2) / DEG_TO_RAD, self.p.adapt.as_ref(), self.p.phimax)
                };
                if violates {
                    let d = self.push_row();
                    self.move_section(r, d, first, last);
                    self.push_row();
                    break;
                }
            }
            r += 1;
        }
    }

    #[cfg(test)]
    pub(crate) fn track_fail_for_test(&mut self, r: usize, k: usize, forward: bool, default: f64) {
        self.track_fail(r, k, if forward { Dir::Forward } else { Dir::Backward }, default);
    }
}
