//! Gauss–Legendre quadrature and orthonormal associated Legendre functions.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Gauss–Legendre nodes `x` (descending, i.e. colatitude ascending) and weights on `[-1, 1]`,
/// found by Newton iteration on the three-term recurrence of `P_n`.
pub(crate) fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        for _ in 0..100 {
            let (p, dp) = legendre_and_derivative(n, z);
            let dz = p / dp;
            z -= dz;
            if dz.abs() <= 1e-16 {
                break;
            }
        }
        let (_, dp) = legendre_and_derivative(n, z);
        let wi = 2.0 / ((1.0 - z * z) * dp * dp);
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = wi;
        w[n - 1 - i] = wi;
    }
    if n % 2 == 1 {
        x[n / 2] = 0.0;
    }
    (x, w)
}

/// `(P_n(x), P_n'(x))` for the ordinary Legendre polynomial, `|x| < 1`.
fn legendre_and_derivative(n: usize, x: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, x);
    if n == 0 {
        return (1.0, 0.0);
    }
    for k in 2..=n {
        let k = k as f64;
        let p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
    }
    (p1, n as f64 * (x * p1 - p0) / (x * x - 1.0))
}

/// `eps(l, m) = sqrt((l^2 - m^2) / (4 l^2 - 1))`, the coupling in `x P̄_{l-1} = eps_l P̄_l + eps_{l-1} P̄_{l-2}`.
pub(crate) fn eps(l: usize, m: usize) -> f64 {
    let (l, m) = (l as f64, m as f64);
    ((l * l - m * m) / (4.0 * l * l - 1.0)).sqrt()
}

/// Orthonormal associated Legendre functions `P̄_lm(cos θ)` with `∫_{-1}^{1} P̄_lm(x)^2 dx = 1`
/// (no Condon–Shortley phase), evaluated at a fixed set of points, order by order.
///
/// The sectoral values `P̄_mm` are carried from one order to the next, so orders must be
/// requested in ascending sequence through [`Self::fill`].
pub(crate) struct LegendreColumns<'a> {
    x: &'a [f64],
    sin: &'a [f64],
    pmm: Vec<f64>,
    m: usize,
}

impl<'a> LegendreColumns<'a> {
    /// Points given by `x = cos θ` and `sin = sin θ` (both needed: `sin θ` must be exactly 0 at poles).
    pub(crate) fn new(x: &'a [f64], sin: &'a [f64]) -> Self {
        Self { x, sin, pmm: vec![FRAC_1_SQRT_2; x.len()], m: 0 }
    }

    /// Writes `P̄_lm` for `l = m..=lmax` into `out`, one row of `x.len()` values per degree.
    ///
    /// Panics if `m` is lower than the order of the previous call.
    pub(crate) fn fill(&mut self, m: usize, lmax: usize, out: &mut [f64]) {
        self.advance_to(m);
        if lmax < m {
            return;
        }
        let n = self.x.len();
        out[..n].copy_from_slice(&self.pmm);
        if lmax == m {
            return;
        }
        let c = ((2 * m + 3) as f64).sqrt();
        for q in 0..n {
            out[n + q] = c * self.x[q] * out[q];
        }
        for l in m + 2..=lmax {
            let (e_l, e_lm1) = (eps(l, m), eps(l - 1, m));
            let (done, rest) = out.split_at_mut((l - m) * n);
            let (p2, p1) = (&done[(l - m - 2) * n..(l - m - 1) * n], &done[(l - m - 1) * n..]);
            for q in 0..n {
                rest[q] = (self.x[q] * p1[q] - e_lm1 * p2[q]) / e_l;
            }
        }
    }

    /// `Σ_l c_l P̄_lm` over `l = lstart..=lmax` at every point, for the coefficients `re` and
    /// `im` (`lstart..=lmax`), added to `out_re` and `out_im`: the recurrence of [`Self::fill`]
    /// run without a table (two rows in `work`), for synthesis at many points where the table
    /// would not stay in cache. Not bit-identical to `fill` (a reciprocal replaces the division).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn synthesize(
        &mut self,
        m: usize,
        lmax: usize,
        lstart: usize,
        re: &[f64],
        im: &[f64],
        out_re: &mut [f64],
        out_im: &mut [f64],
        work: &mut [Vec<f64>; 2],
    ) {
        self.advance_to(m);
        if lmax < m {
            return;
        }
        let n = self.x.len();
        let add = |l: usize, p: &[f64], out_re: &mut [f64], out_im: &mut [f64]| {
            if l >= lstart {
                let (a, b) = (re[l - lstart], im[l - lstart]);
                for q in 0..n {
                    out_re[q] += a * p[q];
                    out_im[q] += b * p[q];
                }
            }
        };
        add(m, &self.pmm, out_re, out_im);
        if lmax == m {
            return;
        }
        let [p2, p1] = work;
        p2.clear();
        p2.extend_from_slice(&self.pmm);
        let c = ((2 * m + 3) as f64).sqrt();
        p1.clear();
        p1.extend(self.x.iter().zip(p2.iter()).map(|(x, p)| c * x * p));
        add(m + 1, p1, out_re, out_im);
        for l in m + 2..=lmax {
            let (inv, e_lm1) = (1.0 / eps(l, m), eps(l - 1, m));
            // p2 becomes P_l: from P_{l-1} (p1) and P_{l-2} (p2)
            for q in 0..n {
                p2[q] = (self.x[q] * p1[q] - e_lm1 * p2[q]) * inv;
            }
            std::mem::swap(p1, p2);
            add(l, p1, out_re, out_im);
        }
    }

    /// Carry the sectoral values to order `m`.
    fn advance_to(&mut self, m: usize) {
        assert!(m >= self.m, "orders must be requested in ascending sequence");
        while self.m < m {
            self.m += 1;
            let f = ((2 * self.m + 1) as f64 / (2 * self.m) as f64).sqrt();
            for (p, &s) in self.pmm.iter_mut().zip(self.sin) {
                *p *= f * s;
                // Flush values far below anything that can matter, avoiding slow subnormals.
                if p.abs() < 1e-280 {
                    *p = 0.0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_integrates_polynomials_exactly() {
        for n in [1, 2, 7, 64, 400] {
            let (x, w) = gauss_legendre(n);
            assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-13);
            assert!(x.windows(2).all(|p| p[0] > p[1]));
            let d = 2 * n - 2; // even degree ≤ 2n-1
            let integral: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(d as i32)).sum();
            assert!((integral - 2.0 / (d as f64 + 1.0)).abs() < 1e-13, "n={n}");
        }
    }

    #[test]
    fn legendre_functions_are_orthonormal() {
        let lmax = 40;
        let (x, w) = gauss_legendre(lmax + 2);
        let s: Vec<f64> = x.iter().map(|x| (1.0 - x * x).sqrt()).collect();
        let n = x.len();
        let mut leg = LegendreColumns::new(&x, &s);
        let mut p = vec![0.0; (lmax + 1) * n];
        for m in [0, 1, 5, 40] {
            leg.fill(m, lmax, &mut p);
            for a in 0..=lmax - m {
                for b in 0..=lmax - m {
                    let dot: f64 = (0..n).map(|q| w[q] * p[a * n + q] * p[b * n + q]).sum();
                    let expect = if a == b { 1.0 } else { 0.0 };
                    assert!((dot - expect).abs() < 1e-12, "m={m} a={a} b={b} dot={dot}");
                }
            }
        }
    }
}
