//! Regridding a global latitude-longitude field onto any set of points through its spherical
//! harmonics (HEALPix pixels, a polar-stereographic plane; see
//! docs/algorithms.md#healpix-regridding): analysis on the source grid up to a degree `L`
//! (optionally band-weighted: the spectral filter and the regridding in one pass), synthesis at
//! every point, points of equal latitude together (one set of Legendre functions per latitude).
//! A ring of equally spaced points (a HEALPix ring, a regular grid's row) is synthesised by one
//! inverse FFT of its orders folded onto its length; other rings point by point.

use super::SpectralError;
use super::fft::RealFft;
use super::legendre::LegendreColumns;
use super::sht::ShtFilter;
use std::collections::BTreeMap;

/// The regridding of one source grid to one set of points, prepared; `Sync`.
pub struct SphereRegrid {
    analysis: ShtFilter,
    /// Points of equal latitude.
    rings: Vec<Ring>,
    /// An FFT plan per length of the equally spaced rings.
    plans: BTreeMap<usize, RealFft>,
    npoints: usize,
}

struct Ring {
    lat: f64,
    /// Each point's index, and the cosine and sine of its longitude from the source grid's
    /// first column (computed once: the synthesis needs no trigonometry per frame).
    points: Vec<(usize, f64, f64)>,
    /// Where the points are equally spaced round the circle: the first one's longitude from
    /// the source grid's first column (radians) and the points in eastward order from it.
    uniform: Option<(f64, Vec<usize>)>,
}

/// The shortest ring synthesised by FFT (shorter ones are cheaper point by point).
const FFT_MIN_POINTS: usize = 8;

/// Whether `points` (index, cos, sin of the longitude) lie equally spaced round the circle:
/// the first longitude and the indices in eastward order.
fn equally_spaced(points: &[(usize, f64, f64)]) -> Option<(f64, Vec<usize>)> {
    let n = points.len();
    if n < FFT_MIN_POINTS {
        return None;
    }
    let tau = std::f64::consts::TAU;
    let mut by_angle: Vec<(f64, usize)> = points.iter().map(|&(p, cs, sn)| (sn.atan2(cs).rem_euclid(tau), p)).collect();
    by_angle.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let step = tau / n as f64;
    let alpha = by_angle[0].0;
    let even = by_angle.iter().enumerate().all(|(k, &(a, _))| (a - alpha - k as f64 * step).abs() <= 1e-9);
    even.then(|| (alpha, by_angle.into_iter().map(|(_, p)| p).collect()))
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
            let points: Vec<(usize, f64, f64)> = order[start..end]
                .iter()
                .map(|&p| {
                    let (sn, cs) = (plon[p].to_radians() - phi0).sin_cos();
                    (p, cs, sn)
                })
                .collect();
            let uniform = equally_spaced(&points);
            rings.push(Ring { lat: la, points, uniform });
            start = end;
        }
        let plans = rings.iter().filter(|r| r.uniform.is_some()).map(|r| (r.points.len(), RealFft::new(r.points.len()))).collect();
        Ok(Self { analysis, rings, plans, npoints: plat.len() })
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
            match &ring.uniform {
                Some((alpha, order)) => {
                    let values = synthesize_ring(&self.plans[&order.len()], &ring_re, &ring_im, *alpha);
                    for (&pt, v) in order.iter().zip(values) {
                        out[pt] = v / c.nlon as f64;
                    }
                }
                None => {
                    for &(pt, cs, sn) in &ring.points {
                        out[pt] = evaluate(&ring_re, &ring_im, cs, sn) / c.nlon as f64;
                    }
                }
            }
        }
        out
    }
}

/// `S_0 + 2 Σ_{m≥1} Re(S_m e^{i m φ_k})` at the `n` longitudes `φ_k = α + 2πk/n` of an equally
/// spaced ring, by one inverse FFT of length `n`: each order turned by `e^{i m α}` and folded
/// onto bin `m mod n` (its conjugate onto `−m mod n`), as sampling on `n` points aliases it.
fn synthesize_ring(plan: &RealFft, s_re: &[f64], s_im: &[f64], alpha: f64) -> Vec<f64> {
    let mut w = plan.work();
    let n = w.real.len();
    let half = w.spec.len() - 1;
    w.spec.iter_mut().for_each(|b| *b = Default::default());
    w.spec[0].re = s_re[0];
    for m in 1..s_re.len() {
        let (sn, cs) = (m as f64 * alpha).sin_cos();
        let (re, im) = (s_re[m] * cs - s_im[m] * sn, s_re[m] * sn + s_im[m] * cs);
        // e^{i m φ} lands on bin m mod n, its conjugate term on bin −m mod n
        let b = m % n;
        if b <= half {
            w.spec[b].re += re;
            w.spec[b].im += im;
        }
        let c = (n - b) % n;
        if c <= half {
            w.spec[c].re += re;
            w.spec[c].im -= im;
        }
    }
    plan.inverse(&mut w);
    w.real
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

    /// The FFT of a ring equals the point-by-point sum, orders beyond the ring's length folded
    /// (odd and even lengths, a shifted first point).
    #[test]
    fn ring_fft_equals_the_direct_sum_with_aliased_orders() {
        let orders = 31;
        let s_re: Vec<f64> = (0..orders).map(|m| ((m * 7 % 11) as f64 - 5.0) / (1.0 + m as f64)).collect();
        let s_im: Vec<f64> = (0..orders).map(|m| if m == 0 { 0.0 } else { ((m * 5 % 13) as f64 - 6.0) / (2.0 + m as f64) }).collect();
        for n in [8, 9, 16, 45] {
            let alpha = 0.37;
            let fast = synthesize_ring(&RealFft::new(n), &s_re, &s_im, alpha);
            for (k, v) in fast.iter().enumerate() {
                let (sn, cs) = (alpha + std::f64::consts::TAU * k as f64 / n as f64).sin_cos();
                let direct = evaluate(&s_re, &s_im, cs, sn);
                assert!((v - direct).abs() < 1e-12, "n {n}, point {k}: {v} against {direct}");
            }
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
