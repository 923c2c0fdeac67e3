//! Thin wrapper around `realfft` plans with per-call work buffers.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// Forward and inverse real FFT plans of one length (shareable between threads).
#[derive(Clone)]
pub(crate) struct RealFft {
    fwd: Arc<dyn RealToComplex<f64>>,
    inv: Arc<dyn ComplexToReal<f64>>,
}

/// Buffers for one thread using a [`RealFft`]: `real` (length n) and `spec` (n/2 + 1).
pub(crate) struct FftWork {
    pub(crate) real: Vec<f64>,
    pub(crate) spec: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

impl RealFft {
    pub(crate) fn new(n: usize) -> Self {
        let mut planner = RealFftPlanner::<f64>::new();
        Self { fwd: planner.plan_fft_forward(n), inv: planner.plan_fft_inverse(n) }
    }

    pub(crate) fn work(&self) -> FftWork {
        let len = self.fwd.get_scratch_len().max(self.inv.get_scratch_len());
        FftWork { real: self.fwd.make_input_vec(), spec: self.fwd.make_output_vec(), scratch: vec![Complex::default(); len] }
    }

    /// `spec[k] = Σ_j real[j] e^{-2πi jk/n}`; `real` is clobbered.
    pub(crate) fn forward(&self, w: &mut FftWork) {
        self.fwd.process_with_scratch(&mut w.real, &mut w.spec, &mut w.scratch).expect("buffer lengths come from the plan");
    }

    /// `real[j] = Σ_k spec[k] e^{2πi jk/n}` over the Hermitian-completed spectrum (unnormalised);
    /// `spec` is clobbered. The imaginary parts of the zero (and even-length Nyquist) bins are
    /// ignored.
    pub(crate) fn inverse(&self, w: &mut FftWork) {
        let n = self.inv.len();
        w.spec[0].im = 0.0;
        if n % 2 == 0 {
            w.spec[n / 2].im = 0.0;
        }
        self.inv.process_with_scratch(&mut w.spec, &mut w.real, &mut w.scratch).expect("buffer lengths come from the plan and the spectrum is made Hermitian");
    }
}
