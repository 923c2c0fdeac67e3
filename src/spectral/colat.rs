//! Exact latitude projection for equiangular pole-to-pole ("CC") grids.
//!
//! Plain quadrature on the CC rows aliases. Instead each Fourier column `F(θ_j)`, `θ_j = jπ/N`,
//! is continued across the poles onto the doubled circle `[0, 2π)`, where it is even or odd
//! about θ = 0 (see [`Parity`]). Its trigonometric interpolant is then a cosine series (DCT-I of
//! `F_0..F_N`) or a sine series (DST-I of `F_1..F_{N-1}`). Multiplied by a Legendre function
//! this is a polynomial in `x = cos θ` of degree ≤ N + l + 1, which a Gauss–Legendre rule with
//! enough nodes integrates exactly, so analysis is the exact inverse of synthesis for
//! band-limited maps up to degree N − 1 = nlat − 2.

use realfft::num_complex::Complex;

use crate::spectral::fft::{FftWork, RealFft};
use crate::spectral::legendre::gauss_legendre;

/// How a Fourier column continues across the poles: `g(2π − θ) = ±g(θ)`.
///
/// For a scalar the sign is `(−1)^m`; vector components pick up one more sign flip because the
/// local unit vectors reverse when crossing a pole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parity {
    /// Even continuation: cosine series using all `N + 1` samples.
    Cosine,
    /// Odd continuation: sine series using the interior samples (the poles are zero).
    Sine,
}

impl Parity {
    /// Parity of order `m` for a spin-`spin` quantity (0 scalar, 1 vector component).
    pub(crate) fn of(m: usize, spin: usize) -> Self {
        if (m + spin).is_multiple_of(2) { Parity::Cosine } else { Parity::Sine }
    }
}

/// Interpolation of CC columns onto a Gauss–Legendre rule, and its transpose.
pub(crate) struct CcInterp {
    n: usize,
    x: Vec<f64>,
    w: Vec<f64>,
    sin: Vec<f64>,
    cos_table: Vec<f64>,
    sin_table: Vec<f64>,
    fft: RealFft,
}

impl CcInterp {
    /// For `nlat` CC rows and integrands `g · f` where `f` has degree ≤ `degree` in `x`
    /// (times at most one `sin θ`): a GL rule exact to degree `nlat − 1 + degree + 2`.
    pub(crate) fn new(nlat: usize, degree: usize) -> Self {
        let n = nlat - 1;
        let nq = (n + degree) / 2 + 2;
        let (x, w) = gauss_legendre(nq);
        let theta: Vec<f64> = x.iter().map(|x| x.acos()).collect();
        let sin = x.iter().map(|x| (1.0 - x * x).sqrt()).collect();
        let mut cos_table = vec![0.0; (n + 1) * nq];
        let mut sin_table = vec![0.0; (n + 1) * nq];
        for k in 0..=n {
            for (q, t) in theta.iter().enumerate() {
                let (s, c) = (k as f64 * t).sin_cos();
                cos_table[k * nq + q] = c;
                sin_table[k * nq + q] = s;
            }
        }
        Self { n, x, w, sin, cos_table, sin_table, fft: RealFft::new(2 * n) }
    }

    /// Quadrature nodes `x = cos θ`, weights and `sin θ`.
    pub(crate) fn nodes(&self) -> (&[f64], &[f64], &[f64]) {
        (&self.x, &self.w, &self.sin)
    }

    /// Work buffers for [`Self::interpolate`] and [`Self::pull_back`].
    pub(crate) fn work(&self) -> FftWork {
        self.fft.work()
    }

    /// Values at the quadrature nodes of the interpolant of a CC column (`N + 1` samples).
    pub(crate) fn interpolate(&self, parity: Parity, col: &[f64], out: &mut [f64], work: &mut FftWork) {
        let n = self.n;
        let nq = self.x.len();
        self.load_extension(parity, col, work);
        self.fft.forward(work);
        out.fill(0.0);
        let nf = n as f64;
        match parity {
            Parity::Cosine => {
                for k in 0..=n {
                    let half = if k == 0 || k == n { 0.5 } else { 1.0 };
                    let b = half * work.spec[k].re / nf;
                    axpy(b, &self.cos_table[k * nq..(k + 1) * nq], out);
                }
            }
            Parity::Sine => {
                for k in 1..n {
                    let b = -work.spec[k].im / nf;
                    axpy(b, &self.sin_table[k * nq..(k + 1) * nq], out);
                }
            }
        }
    }

    /// Transpose of [`Self::interpolate`]: `out` (`N + 1` values) such that
    /// `Σ_j out_j F_j = Σ_q r_q g(θ_q)` for every column `F` with interpolant `g`.
    pub(crate) fn pull_back(&self, parity: Parity, r: &[f64], out: &mut [f64], work: &mut FftWork) {
        let n = self.n;
        let nq = self.x.len();
        let table = match parity {
            Parity::Cosine => &self.cos_table,
            Parity::Sine => &self.sin_table,
        };
        // Moments Σ_q r_q T_k(θ_q) become the samples of a DCT-I / DST-I.
        let moments: Vec<f64> = (0..=n).map(|k| dot(r, &table[k * nq..(k + 1) * nq])).collect();
        self.load_extension(parity, &moments, work);
        self.fft.forward(work);
        let nf = n as f64;
        for (j, o) in out.iter_mut().enumerate().take(n + 1) {
            let z: Complex<f64> = work.spec[j];
            *o = match parity {
                Parity::Cosine => (if j == 0 || j == n { 0.5 } else { 1.0 }) * z.re / nf,
                Parity::Sine if j == 0 || j == n => 0.0,
                Parity::Sine => -z.im / nf,
            };
        }
    }

    /// Writes the doubled-circle continuation of `v_0..v_N` into the FFT input.
    fn load_extension(&self, parity: Parity, v: &[f64], work: &mut FftWork) {
        let n = self.n;
        let buf = &mut work.real;
        match parity {
            Parity::Cosine => {
                buf[..=n].copy_from_slice(&v[..=n]);
                for j in 1..n {
                    buf[2 * n - j] = v[j];
                }
            }
            Parity::Sine => {
                buf[0] = 0.0;
                buf[n] = 0.0;
                for j in 1..n {
                    buf[j] = v[j];
                    buf[2 * n - j] = -v[j];
                }
            }
        }
    }
}

/// `y += a · x`.
pub(crate) fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// `Σ a_i b_i`.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_back_is_transpose_of_interpolate() {
        let interp = CcInterp::new(9, 7);
        let nq = interp.nodes().0.len();
        let mut work = interp.work();
        let r: Vec<f64> = (0..nq).map(|q| ((q * 7 % 5) as f64 - 2.0) * 0.3).collect();
        let col: Vec<f64> = (0..9).map(|j| ((j * 3 % 4) as f64) - 1.5).collect();
        for parity in [Parity::Cosine, Parity::Sine] {
            let mut g = vec![0.0; nq];
            interp.interpolate(parity, &col, &mut g, &mut work);
            let mut a = vec![0.0; 9];
            interp.pull_back(parity, &r, &mut a, &mut work);
            assert!((dot(&r, &g) - dot(&a, &col)).abs() < 1e-12);
        }
    }

    #[test]
    fn interpolant_reproduces_trigonometric_polynomials() {
        let interp = CcInterp::new(11, 4);
        let mut work = interp.work();
        let (x, _, _) = interp.nodes();
        let f = |t: f64| 0.3 + (3.0 * t).cos() - 0.5 * (9.0 * t).cos();
        let col: Vec<f64> = (0..11).map(|j| f(j as f64 * std::f64::consts::PI / 10.0)).collect();
        let mut g = vec![0.0; x.len()];
        interp.interpolate(Parity::Cosine, &col, &mut g, &mut work);
        for (gq, xq) in g.iter().zip(x) {
            assert!((gq - f(xq.acos())).abs() < 1e-13);
        }
    }
}
