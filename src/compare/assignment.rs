//! Exact lexicographic minimum-cost maximum matching of one connected component (see docs/algorithms.md#track-comparison,
//! `global_assignment`).
//!
//! Edge cost tuple: `(-1, -overlap, +mean_sep_deg, 2^e)`, compared lexicographically. Every
//! component is represented exactly: overlaps `2k/(n_r+n_c)` as integers over the common
//! denominator (the LCM of all `n_r+n_c`), mean separations as the exact binary rational of
//! the f64 scaled by the component's smallest power of two, and `2^e` as a wide integer.
//! Because distinct edge sets have distinct `Σ 2^e`, the optimum is unique, so the result does
//! not depend on how shortest-path ties are broken.

use crate::compare::wide::Wide;

/// One eligible pair of a component, with local node indices.
#[derive(Debug, Clone)]
pub struct ComponentEdge {
    /// Local reference index.
    pub reference: usize,
    /// Local candidate index.
    pub candidate: usize,
    /// `|common timestamps|`.
    pub common: usize,
    /// `n_r + n_c`.
    pub denominator: usize,
    /// Mean separation in degrees (finite, non-negative).
    pub mean_sep_deg: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Cost {
    count: i64,
    overlap: Wide,
    separation: Wide,
    order: Wide,
}

impl Cost {
    fn zero(width: usize) -> Self {
        Cost { count: 0, overlap: Wide::zero(width), separation: Wide::zero(width), order: Wide::zero(width) }
    }

    fn add(&self, o: &Cost) -> Cost {
        Cost {
            count: self.count + o.count,
            overlap: self.overlap.add(&o.overlap),
            separation: self.separation.add(&o.separation),
            order: self.order.add(&o.order),
        }
    }

    fn neg(&self) -> Cost {
        Cost { count: -self.count, overlap: self.overlap.neg(), separation: self.separation.neg(), order: self.order.neg() }
    }
}

/// `(mantissa, exponent)` with `x = mantissa · 2^exponent` for a finite non-negative f64.
fn binary_rational(x: f64) -> (u64, i64) {
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    if exp_bits == 0 { (frac, -1074) } else { (frac | (1 << 52), exp_bits - 1075) }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

struct Residual {
    to: Vec<usize>,
    cap: Vec<u8>,
    cost: Vec<Cost>,
    from: Vec<usize>,
}

impl Residual {
    /// Adds a unit-capacity arc and its reverse (index `i ^ 1`).
    fn arc(&mut self, from: usize, to: usize, cost: Cost) {
        let back = cost.neg();
        for (f, t, c, cap) in [(from, to, cost, 1), (to, from, back, 0)] {
            self.from.push(f);
            self.to.push(t);
            self.cost.push(c);
            self.cap.push(cap);
        }
    }
}

/// Returns the indices (into `edges`) of the optimal matching of one component with
/// `n_ref` references and `n_cand` candidates, by successive shortest augmenting paths
/// (Bellman–Ford on the residual graph).
pub fn assign_component(n_ref: usize, n_cand: usize, edges: &[ComponentEdge]) -> Vec<usize> {
    // Common denominator of all overlaps; its size is bounded by the product of denominators.
    let lcm_bits: usize = edges.iter().map(|e| 64 - (e.denominator as u64).leading_zeros() as usize).sum();
    let mut lcm = Wide::from_u128_shifted(lcm_bits / 64 + 2, 1, 0);
    for e in edges {
        let den = e.denominator as u64;
        let g = gcd(den, lcm.div_small(den).1);
        lcm = lcm.mul_small(den / g);
    }
    let min_exp = edges.iter().map(|e| binary_rational(e.mean_sep_deg)).filter(|(m, _)| *m != 0).map(|(_, x)| x).min().unwrap_or(0);
    let max_sep_shift =
        edges.iter().map(|e| binary_rational(e.mean_sep_deg)).filter(|(m, _)| *m != 0).map(|(_, x)| (x - min_exp) as usize + 53).max().unwrap_or(0);
    // Largest magnitude of one term, plus headroom for sums over all edges and the sign.
    let term_bits = max_sep_shift.max(lcm.bit_len() + 64).max(edges.len() + 1);
    let width = (term_bits + 64 - (edges.len() as u64).leading_zeros() as usize + 2) / 64 + 1;
    let lcm = lcm.resized(width);

    let source = 0;
    let sink = n_ref + n_cand + 1;
    let mut g = Residual { to: vec![], cap: vec![], cost: vec![], from: vec![] };
    let mut edge_arc = Vec::with_capacity(edges.len());
    for (k, e) in edges.iter().enumerate() {
        let (mant, exp) = binary_rational(e.mean_sep_deg);
        let separation = if mant == 0 { Wide::zero(width) } else { Wide::from_u128_shifted(width, mant as u128, (exp - min_exp) as usize) };
        let overlap = lcm.div_small(e.denominator as u64).0.mul_small(2 * e.common as u64);
        let cost = Cost { count: -1, overlap: overlap.neg(), separation, order: Wide::from_u128_shifted(width, 1, k) };
        edge_arc.push(g.to.len());
        g.arc(1 + e.reference, 1 + n_ref + e.candidate, cost);
    }
    for r in 0..n_ref {
        g.arc(source, 1 + r, Cost::zero(width));
    }
    for c in 0..n_cand {
        g.arc(1 + n_ref + c, sink, Cost::zero(width));
    }

    let n_nodes = sink + 1;
    loop {
        let mut dist: Vec<Option<Cost>> = vec![None; n_nodes];
        let mut pred = vec![usize::MAX; n_nodes];
        dist[source] = Some(Cost::zero(width));
        for _ in 0..n_nodes {
            let mut changed = false;
            for a in 0..g.to.len() {
                if g.cap[a] == 0 {
                    continue;
                }
                let Some(d) = &dist[g.from[a]] else { continue };
                let cand = d.add(&g.cost[a]);
                if dist[g.to[a]].as_ref().is_none_or(|cur| cand < *cur) {
                    dist[g.to[a]] = Some(cand);
                    pred[g.to[a]] = a;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if dist[sink].is_none() {
            break;
        }
        let mut v = sink;
        while v != source {
            let a = pred[v];
            g.cap[a] -= 1;
            g.cap[a ^ 1] += 1;
            v = g.from[a];
        }
    }
    (0..edges.len()).filter(|&k| g.cap[edge_arc[k]] == 0).collect()
}
