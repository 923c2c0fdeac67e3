//! Regridding a global latitude-longitude field onto HEALPix pixels through its spherical
//! harmonics (see docs/algorithms.md#healpix-regridding): analysis on the source grid up to a
//! degree `L` (optionally band-weighted: the spectral filter and the regridding in one pass),
//! synthesis at every HEALPix pixel centre.

use super::SpectralError;
use super::legendre::LegendreColumns;
use super::sht::{Coefficients, ShtFilter};

/// The regridding of one source grid to one HEALPix grid, precomputed; `Sync`.
pub struct HealpixRegrid {
    analysis: ShtFilter,
    /// Rings of pixels of equal latitude: `cos θ`, `sin θ`, and each pixel's index and longitude (radians).
    rings: Vec<Ring>,
    npix: usize,
}

struct Ring {
    pixels: Vec<(usize, f64)>,
    /// `P̄_lm(cos θ)` for `m = 0..=L`, `l = lstart(m)..=L`, order after order.
    legendre: Vec<f64>,
}

/// The highest degree a grid's latitudes and longitudes resolve, the peer's rule:
/// `min(nlat - 1, nlon / 2 - 1)`.
pub fn source_lmax(nlat: usize, nlon: usize) -> usize {
    (nlat.saturating_sub(1)).min((nlon / 2).saturating_sub(1))
}

/// The highest degree HEALPix of `nside` resolves: `3 nside - 1`.
pub fn target_lmax(nside: u32) -> usize {
    3 * nside as usize - 1
}

/// The default nside for a grid of spacing `res` degrees: the power of two at or above
/// `58.6 / res` (2.5° → 32, 0.25° → 256).
pub fn default_nside(res: f64) -> u32 {
    let est = (58.6 / res).max(1.0);
    let k = est.log2().ceil().max(0.0) as u32;
    1u32 << k.min(13)
}

impl HealpixRegrid {
    /// Precompute for the source axes `lat`, `lon` (degrees, any order, global), the pixel
    /// centres `(lat, lon)` in degrees (any numbering), the degree `lmax` and the band
    /// `lmin..=lmax` with the spectral taper (weight 1 everywhere for `lmin` 0 and taper 1).
    pub fn new(lat: &[f64], lon: &[f64], pixels: (&[f64], &[f64]), lmin: usize, lmax: usize, taper: f64) -> Result<Self, SpectralError> {
        let analysis = ShtFilter::new(lat, lon, lmin, lmax, taper)?;
        let (plat, plon) = pixels;
        // group pixels by latitude (HEALPix rings hold 4..4 nside pixels each)
        let mut order: Vec<usize> = (0..plat.len()).collect();
        order.sort_by(|&a, &b| plat[b].total_cmp(&plat[a]).then(a.cmp(&b)));
        let lstart: Vec<usize> = (0..=lmax).map(|m| m.max(lmin)).collect();
        let mut rings: Vec<Ring> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let la = plat[order[start]];
            let end = start + order[start..].iter().take_while(|&&p| plat[p] == la).count();
            let pixels = order[start..end].iter().map(|&p| (p, plon[p].to_radians())).collect();
            rings.push(Ring { pixels, legendre: ring_legendre(la, &lstart, lmax) });
            start = end;
        }
        Ok(Self { analysis, rings, npix: plat.len() })
    }

    /// The degree the transform keeps.
    pub fn lmax(&self) -> usize {
        self.analysis.lmax()
    }

    /// One frame (row-major, source order) on the pixels.
    pub fn apply(&self, frame: &[f64]) -> Vec<f64> {
        let c = self.analysis.coefficients(frame);
        let mut out = vec![f64::NAN; self.npix];
        let nm = c.orders.len();
        let mut s_re = vec![0.0; nm];
        let mut s_im = vec![0.0; nm];
        for ring in &self.rings {
            ring_spectrum(&c, &ring.legendre, &mut s_re, &mut s_im);
            for &(p, phi) in &ring.pixels {
                out[p] = evaluate(&s_re, &s_im, phi - c.phi0) / c.nlon as f64;
            }
        }
        out
    }
}

/// `P̄_lm` at latitude `lat_deg` for the degrees kept by each order.
fn ring_legendre(lat_deg: f64, lstart: &[usize], lmax: usize) -> Vec<f64> {
    let t = lat_deg.to_radians();
    let (x, s) = ([t.sin()], [t.cos().max(0.0)]);
    let mut leg = LegendreColumns::new(&x, &s);
    let mut p = vec![0.0; lmax + 1];
    let mut out = Vec::new();
    for (m, &ls) in lstart.iter().enumerate() {
        leg.fill(m, lmax, &mut p);
        out.extend_from_slice(&p[ls - m..=lmax - m]);
    }
    out
}

/// `S_m = Σ_l c_lm P̄_lm` for every order on one ring.
fn ring_spectrum(c: &Coefficients, legendre: &[f64], s_re: &mut [f64], s_im: &mut [f64]) {
    let mut k = 0;
    for (m, (_, re, im)) in c.orders.iter().enumerate() {
        let p = &legendre[k..k + re.len()];
        s_re[m] = re.iter().zip(p).map(|(a, b)| a * b).sum();
        s_im[m] = im.iter().zip(p).map(|(a, b)| a * b).sum();
        k += re.len();
    }
}

/// `S_0 + 2 Σ_{m≥1} Re(S_m e^{i m φ})`, the rotation `e^{i m φ}` advanced by recurrence and
/// renewed every 16 orders against drift.
fn evaluate(s_re: &[f64], s_im: &[f64], phi: f64) -> f64 {
    let (sn1, cs1) = phi.sin_cos();
    let mut total = s_re[0];
    let (mut c, mut s) = (1.0, 0.0);
    for m in 1..s_re.len() {
        if m % 16 == 0 {
            (s, c) = (m as f64 * phi).sin_cos();
        } else {
            (c, s) = (c * cs1 - s * sn1, s * cs1 + c * sn1);
        }
        total += 2.0 * (s_re[m] * c - s_im[m] * s);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::healpix::{HealpixGrid, HealpixOrdering};

    /// A smooth field of low degree, exact on both grids: values at (lat, lon) degrees.
    fn smooth(lat: f64, lon: f64) -> f64 {
        let (p, l) = (lat.to_radians(), lon.to_radians());
        3.0 + p.sin() + 0.5 * p.cos() * (l - 0.3).cos() + 0.25 * (p.cos() * p.cos()) * (2.0 * l).sin() + 0.1 * p.sin() * p.cos() * l.cos()
    }

    #[test]
    fn a_band_limited_field_lands_exactly_on_every_pixel() {
        let lat: Vec<f64> = (0..37).map(|j| 90.0 - 5.0 * j as f64).collect();
        let lon: Vec<f64> = (0..72).map(|k| 5.0 * k as f64).collect();
        let frame: Vec<f64> = lat.iter().flat_map(|&la| lon.iter().map(move |&lo| smooth(la, lo))).collect();
        for ordering in [HealpixOrdering::Ring, HealpixOrdering::Nested] {
            let g = HealpixGrid::new(8, ordering).unwrap();
            let r = HealpixRegrid::new(&lat, &lon, (g.lat(), g.lon()), 0, 20, 1.0).unwrap();
            let out = r.apply(&frame);
            let err = (0..g.npix()).map(|p| (out[p] - smooth(g.lat()[p], g.lon()[p])).abs()).fold(0.0, f64::max);
            assert!(err < 1e-10, "{err}");
        }
    }

    #[test]
    fn default_nside_and_bandwidths_follow_the_peer() {
        assert_eq!(default_nside(2.5), 32);
        assert_eq!(default_nside(0.25), 256);
        assert_eq!(default_nside(100.0), 1);
        assert_eq!(source_lmax(73, 144), 71);
        assert_eq!(target_lmax(32), 95);
    }
}
