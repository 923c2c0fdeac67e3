//! Global spherical-harmonic band-pass filter (see docs/algorithms.md#spherical-harmonic-filter).

use crate::spectral::SpectralError;
use crate::spectral::band::Band;
use crate::spectral::colat::{CcInterp, Parity, axpy, dot};
use crate::spectral::fft::RealFft;
use crate::spectral::grid::{Geometry, GlobalGrid};
use crate::spectral::legendre::LegendreColumns;

/// Spherical-harmonic filter with triangular truncation `m ≤ lmax` and band weights
/// (see [`Band`]), precomputed for one global grid.
///
/// Per order `m` it holds an analysis matrix (Fourier column → coefficients `a_lm`) and a
/// weighted synthesis matrix (coefficients → column) restricted to the degrees with nonzero
/// weight, so a frame costs two real FFTs per row and small matrix–vector products.
/// Immutable after construction: `apply` may be called from many threads at once.
pub struct ShtFilter {
    grid: GlobalGrid,
    lmax: usize,
    fft: RealFft,
    orders: Vec<OrderMatrices>,
    /// The band's weight of each degree `0..=lmax`.
    weights: Vec<f64>,
}

/// The band-weighted spherical-harmonic coefficients of one frame: per order `m`, the degrees
/// `lstart(m)..=lmax`, scaled so that the field at colatitude θ and longitude φ is
/// `(S_0 + 2 Σ_{m≥1} Re(S_m e^{i m (φ - φ0)})) / nlon` with `S_m = Σ_l c_lm P̄_lm(cos θ)`, `φ0`
/// the longitude of the grid's first canonical column ([`GlobalGrid::phi0`]).
pub struct Coefficients {
    /// `(lstart, re, im)` per order.
    pub orders: Vec<(usize, Vec<f64>, Vec<f64>)>,
    /// The grid's number of longitudes (the normalisation above).
    pub nlon: usize,
}

/// Matrices of one order `m`, rows `l = lstart..=lmax`, each `nlat` long (canonical rows).
struct OrderMatrices {
    lstart: usize,
    analysis: Vec<f64>,
    synthesis: Vec<f64>,
}

impl ShtFilter {
    /// Detects the grid from `lat`, `lon` (degrees, caller's order) and precomputes the filter
    /// keeping degrees `lmin..=lmax` with weights `exp(-K (l(l+1))^2)`, `w(lmax) = taper`.
    pub fn new(lat: &[f64], lon: &[f64], lmin: usize, lmax: usize, taper: f64) -> Result<Self, SpectralError> {
        let band = Band::new(lmin, lmax, taper)?;
        let grid = GlobalGrid::detect(lat, lon)?;
        grid.check_lmax(lmax)?;
        let nlat = grid.nlat();
        let (x, s) = (grid.cos_colat(), grid.sin_colat());
        let mut on_grid = LegendreColumns::new(x, s);
        let mut p_grid = vec![0.0; (lmax + 1) * nlat];

        // CC: analysis rows come from the exact projection of the doubled-circle interpolant.
        let interp = (grid.geometry() == Geometry::ClenshawCurtis).then(|| CcInterp::new(nlat, lmax));
        let mut node_legendre = interp.as_ref().map(|i| {
            let (xq, _, sq) = i.nodes();
            LegendreColumns::new(xq, sq)
        });
        let nq = interp.as_ref().map_or(0, |i| i.nodes().0.len());
        let mut p_nodes = vec![0.0; (lmax + 1) * nq];
        let mut r = vec![0.0; nq];
        let mut work = interp.as_ref().map(CcInterp::work);

        let mut orders = Vec::with_capacity(lmax + 1);
        for m in 0..=lmax {
            let lstart = m.max(lmin);
            let nrows = lmax + 1 - lstart;
            let skip = lstart - m;
            on_grid.fill(m, lmax, &mut p_grid);
            let mut analysis = vec![0.0; nrows * nlat];
            let mut synthesis = vec![0.0; nrows * nlat];
            for i in 0..nrows {
                let l = lstart + i;
                let p = &p_grid[(skip + i) * nlat..(skip + i + 1) * nlat];
                let wl = band.weight(l as f64);
                for (o, v) in synthesis[i * nlat..(i + 1) * nlat].iter_mut().zip(p) {
                    *o = wl * v;
                }
                if interp.is_none() {
                    for ((o, v), w) in analysis[i * nlat..(i + 1) * nlat].iter_mut().zip(p).zip(grid.gl_weights()) {
                        *o = w * v;
                    }
                }
            }
            if let (Some(interp), Some(leg), Some(work)) = (&interp, &mut node_legendre, &mut work) {
                let (_, wq, _) = interp.nodes();
                leg.fill(m, lmax, &mut p_nodes);
                let parity = Parity::of(m, 0);
                for i in 0..nrows {
                    let p = &p_nodes[(skip + i) * nq..(skip + i + 1) * nq];
                    for ((r, p), w) in r.iter_mut().zip(p).zip(wq) {
                        *r = w * p;
                    }
                    interp.pull_back(parity, &r, &mut analysis[i * nlat..(i + 1) * nlat], work);
                }
            }
            orders.push(OrderMatrices { lstart, analysis, synthesis });
        }
        let weights = (0..=lmax).map(|l| band.weight(l as f64)).collect();
        Ok(Self { fft: RealFft::new(grid.nlon()), grid, lmax, orders, weights })
    }

    /// The highest degree kept.
    pub fn lmax(&self) -> usize {
        self.lmax
    }

    /// The band-weighted coefficients of one row-major frame (caller's order): what
    /// [`Self::apply`] synthesises back on the grid, for synthesis elsewhere (HEALPix).
    pub fn coefficients(&self, frame: &[f64]) -> Coefficients {
        let (nlat, nlon) = (self.grid.nlat(), self.grid.nlon());
        assert_eq!(frame.len(), nlat * nlon, "frame must hold nlat * nlon values");
        let (re, im) = self.fourier_columns(frame);
        let orders = self
            .orders
            .iter()
            .enumerate()
            .map(|(m, o)| {
                let nrows = self.lmax + 1 - o.lstart;
                let (mut a_re, mut a_im) = (vec![0.0; nrows], vec![0.0; nrows]);
                self.analyse(o, &re[m * nlat..(m + 1) * nlat], &im[m * nlat..(m + 1) * nlat], &mut a_re, &mut a_im);
                for (i, (r, j)) in a_re.iter_mut().zip(&mut a_im).enumerate() {
                    let w = self.weights[o.lstart + i];
                    (*r, *j) = (w * *r, w * *j);
                }
                (o.lstart, a_re, a_im)
            })
            .collect();
        Coefficients { orders, nlon }
    }

    /// The unweighted coefficients `a_lm` of one order from its Fourier column (real and
    /// imaginary parts over the canonical rows), degrees `lstart..=lmax` into `a_re`, `a_im`.
    fn analyse(&self, o: &OrderMatrices, col_re: &[f64], col_im: &[f64], a_re: &mut [f64], a_im: &mut [f64]) {
        let nlat = self.grid.nlat();
        for i in 0..self.lmax + 1 - o.lstart {
            let a = &o.analysis[i * nlat..(i + 1) * nlat];
            a_re[i] = dot(a, col_re);
            a_im[i] = dot(a, col_im);
        }
    }

    /// Fourier coefficients `m = 0..=lmax` of each canonical row, order-major: `[m][row]`.
    fn fourier_columns(&self, frame: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (nlat, nlon) = (self.grid.nlat(), self.grid.nlon());
        let nm = self.lmax + 1;
        let mut work = self.fft.work();
        let mut re = vec![0.0; nm * nlat];
        let mut im = vec![0.0; nm * nlat];
        for (j, &src) in self.grid.rows().iter().enumerate() {
            let row = &frame[src * nlon..(src + 1) * nlon];
            for (dst, &c) in work.real.iter_mut().zip(self.grid.cols()) {
                *dst = row[c];
            }
            self.fft.forward(&mut work);
            for m in 0..nm {
                re[m * nlat + j] = work.spec[m].re;
                im[m * nlat + j] = work.spec[m].im;
            }
        }
        (re, im)
    }

    /// The detected grid.
    pub fn grid(&self) -> &GlobalGrid {
        &self.grid
    }

    /// Filters one row-major frame (`lat.len()` rows × `lon.len()` columns, caller's order)
    /// into `out` (same layout).
    ///
    /// Panics if either slice does not hold `nlat * nlon` values.
    pub fn apply(&self, frame: &[f64], out: &mut [f64]) {
        let (nlat, nlon) = (self.grid.nlat(), self.grid.nlon());
        assert_eq!(frame.len(), nlat * nlon, "frame must hold nlat * nlon values");
        assert_eq!(out.len(), nlat * nlon, "out must hold nlat * nlon values");
        let nm = self.lmax + 1;
        let (rows, cols) = (self.grid.rows(), self.grid.cols());
        let mut work = self.fft.work();
        let (mut re, mut im) = self.fourier_columns(frame);

        let mut a_re = vec![0.0; nm];
        let mut a_im = vec![0.0; nm];
        for (m, o) in self.orders.iter().enumerate() {
            let nrows = nm - o.lstart;
            let (col_re, col_im) = (&mut re[m * nlat..(m + 1) * nlat], &mut im[m * nlat..(m + 1) * nlat]);
            self.analyse(o, col_re, col_im, &mut a_re, &mut a_im);
            col_re.fill(0.0);
            col_im.fill(0.0);
            for i in 0..nrows {
                let s = &o.synthesis[i * nlat..(i + 1) * nlat];
                axpy(a_re[i], s, col_re);
                axpy(a_im[i], s, col_im);
            }
        }

        let scale = 1.0 / nlon as f64;
        for (j, &dst) in rows.iter().enumerate() {
            work.spec.fill(Default::default());
            for m in 0..nm {
                work.spec[m].re = re[m * nlat + j];
                work.spec[m].im = im[m * nlat + j];
            }
            self.fft.inverse(&mut work);
            let row = &mut out[dst * nlon..(dst + 1) * nlon];
            for (&v, &c) in work.real.iter().zip(cols) {
                row[c] = v * scale;
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::spectral::grid::tests::{cc_axes, gl_axes};

    /// Tiny deterministic generator (xorshift) for test coefficients in [-1, 1).
    pub(crate) struct Rng(pub(crate) u64);
    impl Rng {
        pub(crate) fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        }
    }

    /// Random coefficients `(re, im)` for `0 ≤ m ≤ l ≤ lmax`, indexed `[l][m]` (im = 0 for m = 0).
    fn random_coefficients(lmax: usize, seed: u64) -> Vec<Vec<(f64, f64)>> {
        let mut rng = Rng(seed);
        (0..=lmax).map(|l| (0..=l).map(|m| (rng.next(), if m == 0 { 0.0 } else { rng.next() })).collect()).collect()
    }

    /// Direct synthesis `Σ_lm P̄_lm(sin φ) (re cos mλ − im sin mλ)` at arbitrary (lat, lon) in degrees,
    /// keeping degrees for which `keep(l)` holds.
    fn synthesize(coef: &[Vec<(f64, f64)>], lat: &[f64], lon: &[f64], keep: impl Fn(usize) -> bool) -> Vec<f64> {
        let lmax = coef.len() - 1;
        let x: Vec<f64> = lat.iter().map(|v| v.to_radians().sin()).collect();
        let s: Vec<f64> = lat.iter().map(|v| v.to_radians().cos().max(0.0)).collect();
        let s: Vec<f64> = s.iter().zip(lat).map(|(s, v)| if v.abs() == 90.0 { 0.0 } else { *s }).collect();
        let n = lat.len();
        let mut leg = LegendreColumns::new(&x, &s);
        let mut p = vec![0.0; (lmax + 1) * n];
        let mut out = vec![0.0; n * lon.len()];
        for m in 0..=lmax {
            leg.fill(m, lmax, &mut p);
            for l in m..=lmax {
                if !keep(l) {
                    continue;
                }
                let (cr, ci) = coef[l][m];
                for (k, lo) in lon.iter().enumerate() {
                    let (sn, cs) = (m as f64 * lo.to_radians()).sin_cos();
                    let f = cr * cs - ci * sn;
                    for j in 0..n {
                        out[j * lon.len() + k] += f * p[(l - m) * n + j];
                    }
                }
            }
        }
        out
    }

    fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
        let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        a.iter().zip(b).fold(0.0f64, |m, (a, b)| m.max((a - b).abs())) / scale
    }

    fn round_trip(lat: &[f64], lon: &[f64], lmax: usize) -> f64 {
        let coef = random_coefficients(lmax, 7 + lmax as u64);
        let map = synthesize(&coef, lat, lon, |_| true);
        let f = ShtFilter::new(lat, lon, 0, lmax, 1.0).unwrap();
        let mut out = vec![0.0; map.len()];
        f.apply(&map, &mut out);
        max_rel_diff(&out, &map)
    }

    #[test]
    fn band_limited_round_trip_cc() {
        let (lat, lon) = cc_axes(33, 64);
        assert!(round_trip(&lat, &lon, 31) < 1e-10);
        let (lat, lon) = cc_axes(73, 144);
        assert!(round_trip(&lat, &lon, 42) < 1e-10);
        assert!(round_trip(&lat, &lon, 71) < 1e-10);
    }

    #[test]
    fn band_limited_round_trip_gl() {
        let (lat, lon) = gl_axes(32, 64);
        assert!(round_trip(&lat, &lon, 31) < 1e-10);
        let (lat, lon) = gl_axes(48, 96);
        assert!(round_trip(&lat, &lon, 30) < 1e-10);
    }

    #[test]
    fn lmin_removes_exactly_the_low_degrees() {
        for (lat, lon) in [cc_axes(37, 72), gl_axes(36, 72)] {
            let coef = random_coefficients(20, 99);
            let map = synthesize(&coef, &lat, &lon, |_| true);
            let expect = synthesize(&coef, &lat, &lon, |l| l >= 5);
            let f = ShtFilter::new(&lat, &lon, 5, 20, 1.0).unwrap();
            let mut out = vec![0.0; map.len()];
            f.apply(&map, &mut out);
            assert!(max_rel_diff(&out, &expect) < 1e-10);
        }
    }

    #[test]
    fn taper_weights_follow_the_exponential_law() {
        let (lat, lon) = cc_axes(37, 72);
        let coef = random_coefficients(20, 5);
        let map = synthesize(&coef, &lat, &lon, |l| l == 20 || l == 10);
        let band = Band::new(0, 20, 0.1).unwrap();
        let (w10, w20) = (band.weight(10.0), band.weight(20.0));
        assert!((w20 - 0.1).abs() < 1e-15);
        let expect: Vec<f64> =
            synthesize(&coef, &lat, &lon, |l| l == 20).iter().zip(synthesize(&coef, &lat, &lon, |l| l == 10)).map(|(a, b)| w20 * a + w10 * b).collect();
        let f = ShtFilter::new(&lat, &lon, 0, 20, 0.1).unwrap();
        let mut out = vec![0.0; map.len()];
        f.apply(&map, &mut out);
        assert!(max_rel_diff(&out, &expect) < 1e-10);
    }

    /// A rough, non-band-limited field so that invariance tests exercise all degrees.
    fn rough_field(nlat: usize, nlon: usize) -> Vec<f64> {
        let mut rng = Rng(12345);
        (0..nlat * nlon).map(|_| rng.next()).collect()
    }

    #[test]
    fn zonal_rotation_and_caller_order_are_respected() {
        let (lat, lon) = cc_axes(25, 48);
        let (nlat, nlon) = (lat.len(), lon.len());
        let field = rough_field(nlat, nlon);
        let f = ShtFilter::new(&lat, &lon, 2, 12, 0.5).unwrap();
        let mut base = vec![0.0; field.len()];
        f.apply(&field, &mut base);

        // Physical rotation by 7 columns on the same axes: output rotates the same way.
        let roll = |v: &[f64]| -> Vec<f64> { (0..nlat * nlon).map(|i| v[(i / nlon) * nlon + (i % nlon + nlon - 7) % nlon]).collect() };
        let mut out = vec![0.0; field.len()];
        f.apply(&roll(&field), &mut out);
        assert!(max_rel_diff(&out, &roll(&base)) < 1e-12);

        // Same field, columns stored from 180° E with longitudes in [-180, 180), rows South→North.
        let lon2: Vec<f64> = (0..nlon).map(|k| -180.0 + 360.0 * k as f64 / nlon as f64).collect();
        let lat2: Vec<f64> = lat.iter().rev().copied().collect();
        let reorder = |v: &[f64]| -> Vec<f64> { (0..nlat * nlon).map(|i| v[(nlat - 1 - i / nlon) * nlon + (i % nlon + nlon / 2) % nlon]).collect() };
        let f2 = ShtFilter::new(&lat2, &lon2, 2, 12, 0.5).unwrap();
        f2.apply(&reorder(&field), &mut out);
        assert!(max_rel_diff(&out, &reorder(&base)) < 1e-12);
    }

    #[test]
    fn filter_is_send_sync_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ShtFilter>();
        let (lat, lon) = cc_axes(19, 36);
        let f = ShtFilter::new(&lat, &lon, 0, 8, 1.0).unwrap();
        let field = rough_field(19, 36);
        let mut serial = vec![0.0; field.len()];
        f.apply(&field, &mut serial);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let mut out = vec![0.0; field.len()];
                    f.apply(&field, &mut out);
                    assert_eq!(out, serial);
                });
            }
        });
    }

    #[test]
    fn rejects_too_high_lmax() {
        let (lat, lon) = cc_axes(73, 144);
        assert!(matches!(ShtFilter::new(&lat, &lon, 0, 72, 1.0), Err(SpectralError::LmaxTooLarge { .. })));
    }
}
