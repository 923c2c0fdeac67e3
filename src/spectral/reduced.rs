//! Reduced (quasi-regular) Gaussian grids, ECMWF's native output (classic `N` and octahedral
//! `O` grids): row `j` holds `pl[j]` equally spaced points from the first longitude round the
//! globe. Each row is handed out on the regular Gaussian grid of the same latitudes and `max(pl)`
//! longitudes by trigonometric (Fourier) interpolation of the row's own samples, which keeps
//! every wavenumber the row resolves unchanged: a spherical-harmonic analysis of the result by
//! Gaussian quadrature is the reduced grid's own for every order below `pl[j] / 2` in each row
//! (docs/input.md#reduced-gaussian-grids). A row with a missing value is missing as a whole.

use super::fft::RealFft;
use std::collections::BTreeMap;

/// The interpolation of every row of one reduced grid onto `nlon` longitudes, prepared.
pub struct ReducedRows {
    pl: Vec<usize>,
    nlon: usize,
    /// A forward plan per distinct row length, and the inverse plan of length `nlon`.
    forward: BTreeMap<usize, RealFft>,
    inverse: RealFft,
}

impl ReducedRows {
    /// Rows of `pl` points (each at least 1, the longest `nlon`).
    pub fn new(pl: &[usize]) -> Self {
        let nlon = pl.iter().copied().max().unwrap_or(1);
        let mut forward = BTreeMap::new();
        for &p in pl {
            forward.entry(p).or_insert_with(|| RealFft::new(p));
        }
        Self { pl: pl.to_vec(), nlon, forward, inverse: RealFft::new(nlon) }
    }

    /// Points of one frame as stored (the sum of the rows' points).
    pub fn points(&self) -> usize {
        self.pl.iter().sum()
    }

    /// The values of the reduced grid (row after row, as stored) on the regular grid, row-major.
    pub fn to_regular(&self, values: &[f64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.pl.len() * self.nlon);
        let mut back = self.inverse.work();
        let mut start = 0;
        for &p in &self.pl {
            let row = &values[start..start + p];
            start += p;
            if row.iter().any(|v| v.is_nan()) {
                out.extend(std::iter::repeat_n(f64::NAN, self.nlon));
            } else if p == self.nlon {
                out.extend_from_slice(row);
            } else {
                self.interpolate(row, &mut back);
                out.extend_from_slice(&back.real);
            }
        }
        out
    }

    /// `row` (p samples) interpolated onto `nlon` points into `back.real`: the spectrum scaled
    /// by 1/p, the Nyquist term of an even row split between its two frequencies.
    fn interpolate(&self, row: &[f64], back: &mut super::fft::FftWork) {
        let p = row.len();
        let plan = &self.forward[&p];
        let mut work = plan.work();
        work.real.copy_from_slice(row);
        plan.forward(&mut work);
        back.spec.fill(Default::default());
        let scale = 1.0 / p as f64;
        for k in 0..p.div_ceil(2) {
            back.spec[k] = work.spec[k] * scale;
        }
        if p % 2 == 0 {
            back.spec[p / 2] = work.spec[p / 2] * (0.5 * scale);
        }
        self.inverse.inverse(back);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trigonometric polynomial of degree below every row's half length is reproduced
    /// exactly at any longitude.
    #[test]
    fn rows_are_interpolated_exactly() {
        let pl = [20, 24, 28, 32, 36];
        let f = |lon: f64| 3.0 + (lon.to_radians()).cos() - 0.5 * (3.0 * lon.to_radians() + 0.3).sin() + 0.25 * (8.0 * lon.to_radians()).cos();
        let values: Vec<f64> = pl.iter().flat_map(|&p| (0..p).map(move |k| f(360.0 * k as f64 / p as f64))).collect();
        let r = ReducedRows::new(&pl);
        let out = r.to_regular(&values);
        assert_eq!(out.len(), 5 * 36);
        for (j, row) in out.chunks(36).enumerate() {
            for (k, v) in row.iter().enumerate() {
                assert!((v - f(10.0 * k as f64)).abs() < 1e-12, "row {j} column {k}: {v}");
            }
        }
    }

    #[test]
    fn a_row_with_a_missing_value_is_missing() {
        let r = ReducedRows::new(&[4, 8]);
        let out = r.to_regular(&[1.0, f64::NAN, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]);
        assert!(out[..8].iter().all(|v| v.is_nan()));
        assert!(out[8..].iter().all(|v| (v - 2.0).abs() < 1e-12));
    }

    #[test]
    fn gaussian_latitudes_of_n32_are_ecmwf_s() {
        let lat = crate::spectral::gaussian_latitudes(64);
        assert_eq!(lat.len(), 64);
        // ecCodes' distinctLatitudes of the N32 grid (first, last, the two nearest the equator)
        assert!((lat[0] - 87.8637988392).abs() < 1e-9 && (lat[63] + 87.8637988392).abs() < 1e-9);
        assert!((lat[31] - 1.3953069108).abs() < 1e-9 && (lat[32] + 1.3953069108).abs() < 1e-9);
    }
}
