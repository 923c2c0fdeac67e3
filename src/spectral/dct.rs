//! Regional DCT band-pass filter for limited-area grids (see docs/algorithms.md#regional-dct-filter).

use realfft::num_complex::Complex;

use crate::spectral::SpectralError;
use crate::spectral::band::Band;
use crate::spectral::fft::{FftWork, RealFft};

/// DCT filter: `frame' = DCT-III(w · DCT-II(frame))` over both axes, with the band weights of
/// [`Band`] evaluated at `l_eff = sqrt(kx² + ky²)`, `ky = j·180/(ny·Δlat)`, `kx = i·180/(nx·Δlon)`.
///
/// Works in the caller's row and column order (reversing an axis only flips the sign of odd
/// DCT modes, which the weights do not see). Immutable after construction and `Send + Sync`.
pub struct DctFilter {
    ny: usize,
    nx: usize,
    weights: Vec<f64>,
    along_y: Dct,
    along_x: Dct,
}

impl DctFilter {
    /// Precomputes the filter for 1-D `lat` (rows) and `lon` (columns) in degrees; only the first
    /// two values of each axis set its spacing.
    pub fn new(lat: &[f64], lon: &[f64], lmin: usize, lmax: usize, taper: f64) -> Result<Self, SpectralError> {
        let band = Band::new(lmin, lmax, taper)?;
        let (ny, nx) = (lat.len(), lon.len());
        if ny == 0 || nx == 0 {
            return Err(SpectralError::GridTooSmall { nlat: ny, nlon: nx });
        }
        let dlat = spacing(lat, "latitude")?;
        let dlon = spacing(lon, "longitude")?;
        let mut weights = vec![0.0; ny * nx];
        for j in 0..ny {
            let ky = j as f64 * 180.0 / (ny as f64 * dlat);
            for i in 0..nx {
                let kx = i as f64 * 180.0 / (nx as f64 * dlon);
                weights[j * nx + i] = band.weight((kx * kx + ky * ky).sqrt());
            }
        }
        Ok(Self { ny, nx, weights, along_y: Dct::new(ny), along_x: Dct::new(nx) })
    }

    /// Filters one row-major `(ny, nx)` frame into `out`.
    ///
    /// Panics if either slice does not hold `ny * nx` values.
    pub fn apply(&self, frame: &[f64], out: &mut [f64]) {
        let (ny, nx) = (self.ny, self.nx);
        assert_eq!(frame.len(), ny * nx, "frame must hold ny * nx values");
        assert_eq!(out.len(), ny * nx, "out must hold ny * nx values");
        out.copy_from_slice(frame);
        let mut wx = self.along_x.fft.work();
        let mut wy = self.along_y.fft.work();
        for row in out.chunks_exact_mut(nx) {
            self.along_x.forward(row, &mut wx);
        }
        let mut col = vec![0.0; ny];
        for i in 0..nx {
            for (j, c) in col.iter_mut().enumerate() {
                *c = out[j * nx + i];
            }
            self.along_y.forward(&mut col, &mut wy);
            for (j, c) in col.iter_mut().enumerate() {
                *c *= self.weights[j * nx + i];
            }
            self.along_y.inverse(&mut col, &mut wy);
            for (j, c) in col.iter().enumerate() {
                out[j * nx + i] = *c;
            }
        }
        for row in out.chunks_exact_mut(nx) {
            self.along_x.inverse(row, &mut wx);
        }
    }
}

/// `|v1 − v0|` (1 for a single value); errors on non-finite or coincident values.
fn spacing(v: &[f64], axis: &'static str) -> Result<f64, SpectralError> {
    if v.iter().any(|x| !x.is_finite()) {
        return Err(SpectralError::NonFiniteCoordinate { axis });
    }
    if v.len() == 1 {
        return Ok(1.0);
    }
    let d = (v[1] - v[0]).abs();
    if d == 0.0 {
        return Err(SpectralError::ZeroSpacing { axis });
    }
    Ok(d)
}

/// DCT-II (scaled by `1/n`) and its exact inverse DCT-III of one length, via a real FFT of the
/// mirrored sequence of length `2n`.
struct Dct {
    n: usize,
    fft: RealFft,
    twiddle: Vec<Complex<f64>>,
}

impl Dct {
    fn new(n: usize) -> Self {
        let twiddle = (0..n).map(|k| Complex::from_polar(1.0, -std::f64::consts::PI * k as f64 / (2 * n) as f64)).collect();
        Self { n, fft: RealFft::new(2 * n), twiddle }
    }

    /// `v_k ← (1/n) Σ_j v_j cos(πk(j + ½)/n)`.
    fn forward(&self, v: &mut [f64], w: &mut FftWork) {
        let n = self.n;
        for (j, &x) in v.iter().enumerate() {
            w.real[j] = x;
            w.real[2 * n - 1 - j] = x;
        }
        self.fft.forward(w);
        let scale = 1.0 / (2 * n) as f64;
        for (k, o) in v.iter_mut().enumerate() {
            *o = (self.twiddle[k] * w.spec[k]).re * scale;
        }
    }

    /// `v_j ← v_0 + 2 Σ_{k≥1} v_k cos(πk(j + ½)/n)`.
    fn inverse(&self, v: &mut [f64], w: &mut FftWork) {
        let n = self.n;
        for (k, &y) in v.iter().enumerate() {
            w.spec[k] = self.twiddle[k].conj() * y;
        }
        w.spec[n] = Complex::default();
        self.fft.inverse(w);
        v.copy_from_slice(&w.real[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectral::sht::tests::Rng;

    fn axes(ny: usize, nx: usize) -> (Vec<f64>, Vec<f64>) {
        ((0..ny).map(|j| 60.0 - 0.5 * j as f64).collect(), (0..nx).map(|i| -30.0 + 0.5 * i as f64).collect())
    }

    #[test]
    fn forward_inverse_is_identity() {
        let mut rng = Rng(3);
        for n in [1, 2, 7, 64, 97] {
            let dct = Dct::new(n);
            let mut w = dct.fft.work();
            let x: Vec<f64> = (0..n).map(|_| rng.next()).collect();
            let mut y = x.clone();
            dct.forward(&mut y, &mut w);
            let direct: f64 = x.iter().enumerate().map(|(j, v)| v * (std::f64::consts::PI * (j as f64 + 0.5) / n as f64).cos()).sum();
            if n > 1 {
                assert!((y[1] - direct / n as f64).abs() < 1e-14);
            }
            dct.inverse(&mut y, &mut w);
            assert!(y.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-14));
        }
        let (lat, lon) = axes(41, 57);
        let f = DctFilter::new(&lat, &lon, 0, 1_000_000, 1.0).unwrap();
        let frame: Vec<f64> = (0..41 * 57).map(|_| rng.next()).collect();
        let mut out = vec![0.0; frame.len()];
        f.apply(&frame, &mut out);
        assert!(out.iter().zip(&frame).all(|(a, b)| (a - b).abs() < 1e-13));
    }

    #[test]
    fn band_selects_modes_by_effective_wavenumber() {
        // 0.5° spacing, 40 columns: kx = i·180/20 = 9i, so mode i = 3 has l_eff = 27.
        let (ny, nx) = (10, 40);
        let (lat, lon) = axes(ny, nx);
        let mode: Vec<f64> = (0..ny * nx).map(|p| (std::f64::consts::PI * 3.0 * ((p % nx) as f64 + 0.5) / nx as f64).cos()).collect();
        let mut out = vec![0.0; mode.len()];
        DctFilter::new(&lat, &lon, 20, 30, 1.0).unwrap().apply(&mode, &mut out);
        assert!(out.iter().zip(&mode).all(|(a, b)| (a - b).abs() < 1e-13));
        DctFilter::new(&lat, &lon, 28, 60, 1.0).unwrap().apply(&mode, &mut out);
        assert!(out.iter().all(|a| a.abs() < 1e-13));
        DctFilter::new(&lat, &lon, 0, 27, 0.2).unwrap().apply(&mode, &mut out);
        assert!(out.iter().zip(&mode).all(|(a, b)| (a - 0.2 * b).abs() < 1e-13));
    }

    #[test]
    fn rejects_degenerate_axes() {
        assert!(matches!(DctFilter::new(&[1.0, 1.0], &[0.0, 1.0], 0, 5, 1.0), Err(SpectralError::ZeroSpacing { .. })));
        assert!(matches!(DctFilter::new(&[], &[0.0], 0, 5, 1.0), Err(SpectralError::GridTooSmall { .. })));
    }
}
