//! Exchange sweeps (speed-ups 2 and 3 of [`super::mge`]): the outer control,
//! one directional sweep, the pair gain and the two best-pair searches (fast, and the
//! O(rows²) reference kept as a test oracle).

use crate::geo::DEG_TO_RAD;
use crate::link::mge::cost::{adaptive_phimax, geod_dev_legs};
use crate::link::mge::mge::{Dir, Linker, PHANTOM, Strategy};
use crate::link::mge::neighbours::Near;

/// Best-pair gains must exceed this.
const MIN_GAIN: f64 = 1.0e-8;

/// A proposed exchange with its gain.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pick {
    gain: f64,
    i: usize,
    j: usize,
}

impl Linker<'_> {
    /// See docs/algorithms.md#outer-control.
    pub(super) fn outer_control(&mut self, strategy: Strategy, on_sweep: &mut dyn FnMut(Dir, &Self)) {
        let (mut fwd, mut bwd) = (true, true);
        let m = self.p.max_iterations;
        for r in 0..m {
            if !fwd && !bwd {
                break;
            }
            if fwd {
                if self.run_direction(Dir::Forward, strategy, on_sweep) {
                    bwd = true;
                }
                fwd = false;
            }
            if r == m - 1 {
                break;
            }
            if bwd {
                if self.run_direction(Dir::Backward, strategy, on_sweep) {
                    fwd = true;
                }
                bwd = false;
            }
        }
    }

    /// Adaptive preprocessing, then sweeps in one direction until one changes nothing.
    /// Returns whether any sweep changed the workspace.
    fn run_direction(&mut self, dir: Dir, strategy: Strategy, on_sweep: &mut dyn FnMut(Dir, &Self)) -> bool {
        if self.p.adapt.is_some() {
            self.split_track_sections();
            self.constraint_filter(dir);
        }
        let mut any = false;
        loop {
            let changed = self.sweep(dir, strategy);
            on_sweep(dir, self);
            if !changed {
                return any;
            }
            any = true;
        }
    }

    /// One forward or backward sweep (see docs/algorithms.md#sweeps).
    fn sweep(&mut self, dir: Dir, strategy: Strategy) -> bool {
        let t = self.t;
        let mut changed = false;
        let ks: Vec<usize> = match dir {
            Dir::Forward => (1..t - 1).collect(),
            Dir::Backward => (1..t - 1).rev().collect(),
        };
        let d = dir as usize;
        for k in ks {
            let fast = |lk: &mut Self| {
                let stale = std::mem::replace(&mut lk.stale[d][k], false);
                if stale { lk.best_pair_fast(k, dir) } else { None }
            };
            let pick = match strategy {
                Strategy::Fast => fast(self),
                #[cfg(test)]
                Strategy::Reference => self.best_pair_reference(k, dir),
                #[cfg(test)]
                Strategy::Checked => {
                    let b = self.best_pair_reference(k, dir);
                    let a = fast(self);
                    assert_eq!(a, b, "best_pair mismatch at k={k} dir={dir:?}");
                    a
                }
            };
            let Some((i, j)) = pick else { continue };
            changed = true;
            match dir {
                Dir::Forward => {
                    self.swap(i, j, k + 1);
                    if k + 2 < t {
                        // docs/algorithms.md#missing-frame-parameter-index: the reference indexes dmax_params[nmiss] unclamped.
                        let default = self.p.dmax_param(self.nmiss[k + 1]);
                        self.track_fail(i, k, dir, default);
                        self.track_fail(j, k, dir, default);
                    }
                }
                Dir::Backward => {
                    self.swap(i, j, k - 1);
                    if k >= 2 {
                        let default = self.p.dmax_param(self.nmiss[k - 2]);
                        self.track_fail(i, k, dir, default);
                        self.track_fail(j, k, dir, default);
                    }
                }
            }
        }
        changed
    }

    /// `(cost, limit)` of the triplet `p0, p1, p2` (see docs/algorithms.md#triplet-cost); `limit` is φ* of the
    /// dynamic smoothness check when all three are real.
    fn triplet(&self, p0: u32, p1: u32, p2: u32, phimax: f64) -> (f64, Option<f64>) {
        if p0 == PHANTOM {
            return (0.0, None);
        }
        if p1 == PHANTOM || p2 == PHANTOM {
            return (phimax, None);
        }
        let (a, b, c) = (&self.pts[p0 as usize], &self.pts[p1 as usize], &self.pts[p2 as usize]);
        let (d1, d2) = (self.dist(p0, p1), self.dist(p1, p2));
        let cost = geod_dev_legs(a, b, c, d1, d2, self.p.w1, self.p.w2);
        let limit = adaptive_phimax(0.5 * (d1 + d2) / DEG_TO_RAD, self.p.adapt.as_ref(), phimax);
        (cost, Some(limit))
    }

    /// Cost at centre `k` of row `r` with its target-frame entry replaced by `tau_val`.
    fn cost_with(&self, r: usize, k: usize, dir: Dir, tau_val: u32, phimax: f64) -> (f64, Option<f64>) {
        match dir {
            Dir::Forward => self.triplet(self.at(r, k - 1), self.at(r, k), tau_val, phimax),
            Dir::Backward => self.triplet(tau_val, self.at(r, k), self.at(r, k + 1), phimax),
        }
    }

    /// Per-k constants: target frame, phantom penalty, default dmax (see docs/algorithms.md#exchange-step).
    fn step_params(&self, k: usize, dir: Dir) -> (usize, f64, f64) {
        let phimax = self.p.phimax_param(self.nmiss[k - 1].max(self.nmiss[k]));
        match dir {
            Dir::Forward => (k + 1, phimax, self.p.dmax_param(self.nmiss[k])),
            Dir::Backward => (k - 1, phimax, self.p.dmax_param(self.nmiss[k - 1])),
        }
    }

    /// The reference's evaluation of one pair `i < j`, given their current costs:
    /// `Some(gain)` when the exchange is admissible.
    #[allow(clippy::too_many_arguments)]
    fn evaluate(&self, i: usize, j: usize, ci: f64, cj: f64, k: usize, dir: Dir, tau: usize, phimax: f64, dmax: f64) -> Option<f64> {
        if self.count[i] <= 1 && self.count[j] <= 1 {
            return None;
        }
        let (ti, tj) = (self.at(i, tau), self.at(j, tau));
        if ti == tj {
            return None;
        }
        let (ki, kj) = (self.at(i, k), self.at(j, k));
        if ki != PHANTOM && tj != PHANTOM && !self.within(ki, tj, dmax) {
            return None;
        }
        if kj != PHANTOM && ti != PHANTOM && !self.within(kj, ti, dmax) {
            return None;
        }
        let (ni, li) = self.cost_with(i, k, dir, tj, phimax);
        let (nj, lj) = self.cost_with(j, k, dir, ti, phimax);
        if li.is_some_and(|l| ni > l) || lj.is_some_and(|l| nj > l) {
            return None;
        }
        Some((ci + cj) - (ni + nj))
    }

    /// The straightforward O(rows²) `best_pair(k, dir)` of docs/algorithms.md#exchange-step (test oracle).
    #[cfg(test)]
    pub(crate) fn best_pair_reference(&self, k: usize, dir: Dir) -> Option<(usize, usize)> {
        let (tau, phimax, dmax) = self.step_params(k, dir);
        let n = self.rows();
        let costs: Vec<f64> = (0..n).map(|r| self.cost_with(r, k, dir, self.at(r, tau), phimax).0).collect();
        let mut best = MIN_GAIN;
        let mut pick = None;
        for i in 0..n {
            for j in i + 1..n {
                if let Some(g) = self.evaluate(i, j, costs[i], costs[j], k, dir, tau, phimax, dmax)
                    && g > best
                {
                    best = g;
                    pick = Some((i, j));
                }
            }
        }
        pick
    }

    /// Fast `best_pair(k, dir)`; returns the same pair as the reference scan (see module doc).
    pub(crate) fn best_pair_fast(&mut self, k: usize, dir: Dir) -> Option<(usize, usize)> {
        let (tau, phimax, dmax) = self.step_params(k, dir);
        let side = match dir {
            Dir::Forward => k - 1,
            Dir::Backward => k + 1,
        };

        // First PP row of each class (real entry on the non-target side or not). Partners
        // of PP rows hold real features at k and τ, so the real-count skip never applies.
        let rep_phantom = self.first_free_row(k.min(side).min(tau)..=k.max(side).max(tau));
        let is_pp = |r: usize| self.at(r, k) == PHANTOM && self.at(r, tau) == PHANTOM;
        // Rows with a real non-target neighbour are the owners of that frame's features.
        let rep_real = self.frame(side).map(|g| self.owner[g] as usize).filter(|&r| is_pp(r)).min();
        let reps = [rep_real, rep_phantom];

        // Costs of the rows holding frame-k features come from the cache; rows with a
        // phantom at k have trivial costs (no trigonometry).
        for g in self.frame(k) {
            if self.centre_cost[g].is_nan() {
                let r = self.owner[g] as usize;
                self.centre_cost[g] = self.cost_with(r, k, dir, self.at(r, tau), phimax).0;
            }
        }
        let cost = |r: usize| match self.at(r, k) {
            PHANTOM => self.cost_with(r, k, dir, self.at(r, tau), phimax).0,
            g => self.centre_cost[g as usize],
        };

        let mut best: Option<Pick> = None;
        let mut consider = |a: usize, b: usize, ca: f64, cb: f64| {
            let (i, j, ci, cj) = if a < b { (a, b, ca, cb) } else { (b, a, cb, ca) };
            if let Some(gain) = self.evaluate(i, j, ci, cj, k, dir, tau, phimax, dmax) {
                let better = match best {
                    None => gain > MIN_GAIN,
                    Some(bp) => gain > bp.gain || (gain == bp.gain && (i, j) < (bp.i, bp.j)),
                };
                if better {
                    best = Some(Pick { gain, i, j });
                }
            }
        };
        for g in self.frame(k) {
            let i = self.owner[g] as usize;
            let ci = cost(i);
            let ti = self.at(i, tau);
            for &Near { q, .. } in self.neighbours(g as u32, dir) {
                let j = self.owner[q as usize] as usize;
                if j == i {
                    continue;
                }
                // Both rows hold real features at k and τ: the pair is admissible only if
                // each row finds the other's τ feature, so enumerate it from the lower row.
                if ti != PHANTOM && self.at(j, k) != PHANTOM && j < i {
                    continue;
                }
                consider(i, j, ci, cost(j));
            }
            if ti != PHANTOM {
                for &r in reps.iter().flatten() {
                    consider(i, r, ci, cost(r));
                }
            }
        }
        best.map(|b| (b.i, b.j))
    }
}
