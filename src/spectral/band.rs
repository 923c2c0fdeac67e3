//! Spectral band weights shared by the SHT and DCT filters (see docs/algorithms.md#band-weights).

use crate::spectral::SpectralError;

/// A band `[lmin, lmax]` of total wavenumbers with the Sardeshmukh–Hoskins exponential taper.
///
/// Inside the band `w(l) = exp(-K (l(l+1))^2)` with `K = -ln(taper) / (lmax(lmax+1))^2`, so that
/// `w(lmax) = taper` (exactly 1 everywhere for `taper = 1`; `w = taper` when `lmax == 0`).
/// Outside the band `w = 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    lmin: usize,
    lmax: usize,
    taper: f64,
    k: f64,
}

impl Band {
    /// Validates `lmin <= lmax` and `taper` in `(0, 1]`.
    pub fn new(lmin: usize, lmax: usize, taper: f64) -> Result<Self, SpectralError> {
        if lmin > lmax {
            return Err(SpectralError::InvalidBand { lmin, lmax });
        }
        if !(taper > 0.0 && taper <= 1.0) {
            return Err(SpectralError::InvalidTaper { taper });
        }
        let ll = (lmax * (lmax + 1)) as f64;
        let k = if lmax == 0 { 0.0 } else { -taper.ln() / (ll * ll) };
        Ok(Self { lmin, lmax, taper, k })
    }

    /// Lower band edge.
    pub fn lmin(&self) -> usize {
        self.lmin
    }

    /// Upper band edge (the truncation).
    pub fn lmax(&self) -> usize {
        self.lmax
    }

    /// Weight of (possibly fractional, for the DCT filter) total wavenumber `l`.
    pub fn weight(&self, l: f64) -> f64 {
        if l < self.lmin as f64 || l > self.lmax as f64 {
            0.0
        } else if self.lmax == 0 {
            self.taper
        } else {
            let ll = l * (l + 1.0);
            (-self.k * ll * ll).exp()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taper_anchor_and_hard_band() {
        let b = Band::new(5, 42, 0.1).unwrap();
        assert!((b.weight(42.0) - 0.1).abs() < 1e-15);
        assert_eq!(b.weight(4.0), 0.0);
        assert_eq!(b.weight(43.0), 0.0);
        assert_eq!(b.weight(5.0).to_bits(), (-b.k * 900.0f64).exp().to_bits());
        let hard = Band::new(0, 42, 1.0).unwrap();
        assert!((0..=42).all(|l| hard.weight(l as f64) == 1.0));
        assert_eq!(Band::new(0, 0, 0.3).unwrap().weight(0.0), 0.3);
    }

    #[test]
    fn rejects_bad_band_and_taper() {
        assert!(matches!(Band::new(6, 5, 1.0), Err(SpectralError::InvalidBand { .. })));
        assert!(matches!(Band::new(0, 5, 0.0), Err(SpectralError::InvalidTaper { .. })));
        assert!(matches!(Band::new(0, 5, 1.5), Err(SpectralError::InvalidTaper { .. })));
        assert!(matches!(Band::new(0, 5, f64::NAN), Err(SpectralError::InvalidTaper { .. })));
    }
}
