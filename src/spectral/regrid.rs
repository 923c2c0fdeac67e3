//! Regridding a global latitude-longitude field onto any set of points through its spherical
//! harmonics (HEALPix pixels, a polar-stereographic plane; see
//! docs/algorithms.md#healpix-regridding): analysis on the source grid up to a degree `L`
//! (optionally band-weighted: the spectral filter and the regridding in one pass), synthesis at
//! every point, points of equal latitude together (one set of Legendre functions per latitude).

use super::SpectralError;
use super::legendre::LegendreColumns;
use super::sht::ShtFilter;

/// The regridding of one source grid to one set of points, prepared; `Sync`.
pub struct SphereRegrid {
    analysis: ShtFilter,
    /// Points of equal latitude.
    rings: Vec<Ring>,
    npoints: usize,
}

struct Ring {
    lat: f64,
    /// Each point's index, and the cosine and sine of its longitude from the source grid's
    /// first column (computed once: the synthesis needs no trigonometry per frame).
    points: Vec<(usize, f64, f64)>,
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

impl SphereRegrid {
    /// Prepare for the source axes `lat`, `lon` (degrees, any order, global), the target
    /// points `(lat, lon)` in degrees (any order), the degree `lmax` and the band `lmin..=lmax`
    /// with the spectral taper (weight 1 everywhere for `lmin` 0 and taper 1).
    pub fn new(lat: &[f64], lon: &[f64], points: (&[f64], &[f64]), lmin: usize, lmax: usize, taper: f64) -> Result<Self, SpectralError> {
        let analysis = ShtFilter::new(lat, lon, lmin, lmax, taper)?;
        let (plat, plon) = points;
        // group points by latitude (HEALPix rings hold 4..4 nside pixels each; a polar plane's
        // circles about the pole 4 or 8)
        let mut order: Vec<usize> = (0..plat.len()).collect();
        order.sort_by(|&a, &b| plat[b].total_cmp(&plat[a]).then(a.cmp(&b)));
        let mut rings: Vec<Ring> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let la = plat[order[start]];
            let end = start + order[start..].iter().take_while(|&&p| plat[p] == la).count().max(1);
            let phi0 = analysis.grid().phi0();
            let points = order[start..end]
                .iter()
                .map(|&p| {
                    let (sn, cs) = (plon[p].to_radians() - phi0).sin_cos();
                    (p, cs, sn)
                })
                .collect();
            rings.push(Ring { lat: la, points });
            start = end;
        }
        Ok(Self { analysis, rings, npoints: plat.len() })
    }

    /// Prepare the regridding onto the global rectangular grid `target` (latitudes, longitudes
    /// in degrees, equiangular pole to pole or Gaussian): its points in row-major order. Both
    /// grids must resolve `lmax` (the target too: a finer band would alias on it).
    pub fn onto_grid(lat: &[f64], lon: &[f64], target: (&[f64], &[f64]), lmin: usize, lmax: usize, taper: f64) -> Result<Self, SpectralError> {
        let (tlat, tlon) = target;
        super::GlobalGrid::detect(tlat, tlon)?.check_lmax(lmax)?;
        let plat: Vec<f64> = tlat.iter().flat_map(|&la| std::iter::repeat_n(la, tlon.len())).collect();
        let plon: Vec<f64> = tlat.iter().flat_map(|_| tlon.iter().copied()).collect();
        Self::new(lat, lon, (&plat, &plon), lmin, lmax, taper)
    }

    /// The number of target points.
    pub fn points(&self) -> usize {
        self.npoints
    }

    /// The degree the transform keeps.
    pub fn lmax(&self) -> usize {
        self.analysis.lmax()
    }

    /// One frame (row-major, source order) at the points (NaN where a point has a
    /// non-finite coordinate).
    pub fn apply(&self, frame: &[f64]) -> Vec<f64> {
        let c = self.analysis.coefficients(frame);
        let rings: Vec<&Ring> = self.rings.iter().filter(|r| r.lat.is_finite()).collect();
        let nr = rings.len();
        // cos θ and sin θ of every latitude (sin θ exactly 0 at the poles, where every order
        // m > 0 vanishes)
        let x: Vec<f64> = rings.iter().map(|r| if r.lat.abs() == 90.0 { r.lat.signum() } else { r.lat.to_radians().sin() }).collect();
        let sn: Vec<f64> = rings.iter().map(|r| if r.lat.abs() == 90.0 { 0.0 } else { r.lat.to_radians().cos() }).collect();
        // S_m of every latitude, order-major: one Legendre recurrence over all latitudes at
        // once per order (no table of the functions is kept: memory stays small at any degree)
        let nm = c.orders.len();
        let lmax = self.lmax();
        let (mut s_re, mut s_im) = (vec![0.0; nm * nr], vec![0.0; nm * nr]);
        let mut leg = LegendreColumns::new(&x, &sn);
        let mut work = [Vec::with_capacity(nr), Vec::with_capacity(nr)];
        for (m, (lstart, re, im)) in c.orders.iter().enumerate() {
            let (row_re, row_im) = (&mut s_re[m * nr..(m + 1) * nr], &mut s_im[m * nr..(m + 1) * nr]);
            leg.synthesize(m, lmax, *lstart, re, im, row_re, row_im, &mut work);
        }
        let mut out = vec![f64::NAN; self.npoints];
        let (mut ring_re, mut ring_im) = (vec![0.0; nm], vec![0.0; nm]);
        for (j, ring) in rings.iter().enumerate() {
            for m in 0..nm {
                ring_re[m] = s_re[m * nr + j];
                ring_im[m] = s_im[m * nr + j];
            }
            for &(pt, cs, sn) in &ring.points {
                out[pt] = evaluate(&ring_re, &ring_im, cs, sn) / c.nlon as f64;
            }
        }
        out
    }
}

/// `S_0 + 2 Σ_{m≥1} Re(S_m e^{i m φ})` at the longitude whose cosine and sine are `cs`, `sn`,
/// by Clenshaw's recurrence for the cosine and sine series (stable, no trigonometry per order).
fn evaluate(s_re: &[f64], s_im: &[f64], cs: f64, sn: f64) -> f64 {
    let two_x = 2.0 * cs;
    // Σ_{m≥1} re_m cos mφ = x y_1 − y_2 and Σ_{m≥1} im_m sin mφ = z_1 sin φ
    let (mut y1, mut y2, mut z1, mut z2) = (0.0, 0.0, 0.0, 0.0);
    for m in (1..s_re.len()).rev() {
        (y1, y2) = (s_re[m] + two_x * y1 - y2, y1);
        (z1, z2) = (s_im[m] + two_x * z1 - z2, z1);
    }
    s_re[0] + 2.0 * ((cs * y1 - y2) - z1 * sn)
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
            let r = SphereRegrid::new(&lat, &lon, (g.lat(), g.lon()), 0, 20, 1.0).unwrap();
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
