//! Relative vorticity and divergence from horizontal wind (see docs/algorithms.md#kinematics).
//!
//! With `Y_lm = P̄_lm(cos θ) e^{imλ}` (θ colatitude) and the identities `δ = ∇·V`,
//! `ζ = ∇·(v e_λ − u e_φ)`, integrating by parts on the closed sphere gives, per Fourier order
//! with components `U_m(θ)`, `V_m(θ)`,
//!
//! ```text
//! δ_lm = (1/R) ∫ [ i m U_m P̄_lm + V_m D_lm ] dθ
//! ζ_lm = (1/R) ∫ [ i m V_m P̄_lm − U_m D_lm ] dθ,   D_lm = sin θ ∂_θ P̄_lm
//!      = l ε_{l+1,m} P̄_{l+1,m} − (l+1) ε_{l,m} P̄_{l−1,m}
//! ```
//!
//! which are exactly DUCC's spin-1 `−sqrt(l(l+1))/R · (E_lm, B_lm)`. On GL grids the integrals are
//! the grid's own quadrature (weights `w_q / sin θ_q` for `dθ`); on CC grids each component column
//! is first replaced by its doubled-circle interpolant (vector parity), after which every
//! integrand is a polynomial in `cos θ` and a large enough GL rule is exact. Degrees run to
//! `L = latitude_lmax`, orders to `min(L, (nlon − 1)/2)`.

use crate::spectral::SpectralError;
use crate::spectral::colat::{CcInterp, Parity};
use crate::spectral::fft::RealFft;
use crate::spectral::grid::{Geometry, GlobalGrid};
use crate::spectral::legendre::{LegendreColumns, eps};

/// Default sphere radius in metres (see docs/algorithms.md#kinematics).
pub const DEFAULT_RADIUS_M: f64 = 6_371_220.0;

/// Relative vorticity and divergence (s⁻¹) of the wind `(u, v)` (m s⁻¹, eastward and northward),
/// returned as `(vorticity, divergence)`.
///
/// Frames are row-major `(lat, lon)` in the caller's order, on a global CC or GL grid; the outputs
/// use the same order. Latitudes must describe the rows as actually stored.
///
/// Long on purpose: analysis, the spectral derivatives and synthesis share their work buffers
/// and the per-order Legendre columns; split into stages, eight spectra would pass between them.
pub fn vorticity_divergence(u: &[f64], v: &[f64], lat: &[f64], lon: &[f64], radius_m: f64) -> Result<(Vec<f64>, Vec<f64>), SpectralError> {
    let grid = GlobalGrid::detect(lat, lon)?;
    let (nlat, nlon) = (grid.nlat(), grid.nlon());
    for (name, field) in [("u", u), ("v", v)] {
        if field.len() != nlat * nlon {
            return Err(SpectralError::ShapeMismatch { name, expected: nlat * nlon, got: field.len() });
        }
    }
    if !(radius_m.is_finite() && radius_m > 0.0) {
        return Err(SpectralError::InvalidRadius { radius_m });
    }
    let lmax = grid.latitude_lmax();
    let mmax = lmax.min(grid.longitude_mmax());
    let nm = mmax + 1;
    let (rows, cols) = (grid.rows(), grid.cols());

    // Fourier coefficients of the canonical rows, order-major: [m][row].
    let fft = RealFft::new(nlon);
    let mut work = fft.work();
    let mut spectra = |field: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let (mut re, mut im) = (vec![0.0; nm * nlat], vec![0.0; nm * nlat]);
        for (j, &src) in rows.iter().enumerate() {
            for (dst, &c) in work.real.iter_mut().zip(cols) {
                *dst = field[src * nlon + c];
            }
            fft.forward(&mut work);
            for m in 0..nm {
                re[m * nlat + j] = work.spec[m].re;
                im[m * nlat + j] = work.spec[m].im;
            }
        }
        (re, im)
    };
    let (u_re, u_im) = spectra(u);
    let (v_re, v_im) = spectra(v);

    // Quadrature rule: the grid's own (GL) or an exact rule for the CC interpolants.
    let interp = (grid.geometry() == Geometry::ClenshawCurtis).then(|| CcInterp::new(nlat, lmax));
    let (xq, wq, sq) = match &interp {
        Some(i) => i.nodes(),
        None => (grid.cos_colat(), grid.gl_weights(), grid.sin_colat()),
    };
    let nq = xq.len();
    let cq: Vec<f64> = wq.iter().zip(sq).map(|(w, s)| w / s / radius_m).collect();
    let mut interp_work = interp.as_ref().map(CcInterp::work);
    let mut at_nodes = [vec![0.0; nq], vec![0.0; nq], vec![0.0; nq], vec![0.0; nq]];

    let mut leg_nodes = LegendreColumns::new(xq, sq);
    let mut leg_grid = LegendreColumns::new(grid.cos_colat(), grid.sin_colat());
    let mut p_nodes = vec![0.0; (lmax + 2) * nq];
    let mut p_grid = vec![0.0; (lmax + 1) * nlat];
    let mut d = vec![0.0; nq];

    let (mut vort_re, mut vort_im) = (vec![0.0; nm * nlat], vec![0.0; nm * nlat]);
    let (mut div_re, mut div_im) = (vec![0.0; nm * nlat], vec![0.0; nm * nlat]);
    for m in 0..nm {
        let span = m * nlat..(m + 1) * nlat;
        let sources = [&u_re[span.clone()], &u_im[span.clone()], &v_re[span.clone()], &v_im[span.clone()]];
        for (dst, src) in at_nodes.iter_mut().zip(sources) {
            match (&interp, &mut interp_work) {
                (Some(i), Some(w)) => i.interpolate(Parity::of(m, 1), src, dst, w),
                _ => dst.copy_from_slice(src),
            }
        }
        let [ur, ui, vr, vi] = &at_nodes;
        leg_nodes.fill(m, lmax + 1, &mut p_nodes);
        leg_grid.fill(m, lmax, &mut p_grid);
        let mf = m as f64;
        for l in m.max(1)..=lmax {
            let row = |deg: usize| &p_nodes[(deg - m) * nq..(deg - m + 1) * nq];
            let (up, e_up) = (row(l + 1), l as f64 * eps(l + 1, m));
            let e_down = (l + 1) as f64 * eps(l, m);
            for q in 0..nq {
                let below = if l > m { row(l - 1)[q] } else { 0.0 };
                d[q] = e_up * up[q] - e_down * below;
            }
            let p = row(l);
            let (mut dr, mut di, mut zr, mut zi) = (0.0, 0.0, 0.0, 0.0);
            for q in 0..nq {
                let (c, pq, dq) = (cq[q], p[q], d[q]);
                dr += c * (-mf * ui[q] * pq + vr[q] * dq);
                di += c * (mf * ur[q] * pq + vi[q] * dq);
                zr += c * (-mf * vi[q] * pq - ur[q] * dq);
                zi += c * (mf * vr[q] * pq - ui[q] * dq);
            }
            let pg = &p_grid[(l - m) * nlat..(l - m + 1) * nlat];
            for j in 0..nlat {
                div_re[m * nlat + j] += dr * pg[j];
                div_im[m * nlat + j] += di * pg[j];
                vort_re[m * nlat + j] += zr * pg[j];
                vort_im[m * nlat + j] += zi * pg[j];
            }
        }
    }

    let scale = 1.0 / nlon as f64;
    let mut synthesize = |re: &[f64], im: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; nlat * nlon];
        for (j, &dst) in rows.iter().enumerate() {
            work.spec.fill(Default::default());
            for m in 0..nm {
                work.spec[m].re = re[m * nlat + j];
                work.spec[m].im = im[m * nlat + j];
            }
            fft.inverse(&mut work);
            for (&val, &c) in work.real.iter().zip(cols) {
                out[dst * nlon + c] = val * scale;
            }
        }
        out
    };
    let vort = synthesize(&vort_re, &vort_im);
    let div = synthesize(&div_re, &div_im);
    Ok((vort, div))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectral::grid::tests::{cc_axes, gl_axes};
    use crate::spectral::sht::tests::Rng;

    const R: f64 = DEFAULT_RADIUS_M;

    fn max_abs(a: &[f64]) -> f64 {
        a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
    }

    /// `(u, v)` on the grid from a function of (lat, lon) in radians.
    fn wind(lat: &[f64], lon: &[f64], f: impl Fn(f64, f64) -> (f64, f64)) -> (Vec<f64>, Vec<f64>) {
        let (mut u, mut v) = (Vec::new(), Vec::new());
        for la in lat {
            for lo in lon {
                let (a, b) = f(la.to_radians(), lo.to_radians());
                u.push(a);
                v.push(b);
            }
        }
        (u, v)
    }

    #[test]
    fn solid_body_rotation_has_vorticity_2u_sin_lat_over_r() {
        let speed = 20.0;
        for (lat, lon) in [cc_axes(37, 72), gl_axes(36, 72), cc_axes(73, 144)] {
            for reversed in [false, true] {
                let lat: Vec<f64> = if reversed { lat.iter().rev().copied().collect() } else { lat.clone() };
                let (u, v) = wind(&lat, &lon, |phi, _| (speed * phi.cos(), 0.0));
                let (vort, div) = vorticity_divergence(&u, &v, &lat, &lon, R).unwrap();
                let expect: Vec<f64> = lat.iter().flat_map(|la| vec![2.0 * speed * la.to_radians().sin() / R; lon.len()]).collect();
                let err: Vec<f64> = vort.iter().zip(&expect).map(|(a, b)| a - b).collect();
                assert!(max_abs(&err) < 1e-12 * max_abs(&expect), "vorticity error {}", max_abs(&err));
                assert!(max_abs(&div) < 1e-12 * max_abs(&expect));
            }
        }
    }

    #[test]
    fn meridional_outflow_has_divergence_minus_2v_sin_lat_over_r() {
        let (lat, lon) = cc_axes(37, 72);
        let (u, v) = wind(&lat, &lon, |phi, _| (0.0, 5.0 * phi.cos()));
        let (vort, div) = vorticity_divergence(&u, &v, &lat, &lon, R).unwrap();
        let expect: Vec<f64> = lat.iter().flat_map(|la| vec![-10.0 * la.to_radians().sin() / R; lon.len()]).collect();
        let err: Vec<f64> = div.iter().zip(&expect).map(|(a, b)| a - b).collect();
        assert!(max_abs(&err) < 1e-12 * max_abs(&expect));
        assert!(max_abs(&vort) < 1e-12 * max_abs(&expect));
    }

    /// Random band-limited streamfunction ψ and velocity potential χ on a GL grid:
    /// `ζ = ∇²ψ`, `δ = ∇²χ` exactly.
    #[test]
    fn helmholtz_fields_give_laplacians_on_gaussian_grid() {
        let (lat, lon) = gl_axes(24, 48);
        let (nlat, nlon) = (lat.len(), lon.len());
        let lmax = 10;
        let x: Vec<f64> = lat.iter().map(|v| v.to_radians().sin()).collect();
        let s: Vec<f64> = lat.iter().map(|v| v.to_radians().cos()).collect();
        let mut leg = LegendreColumns::new(&x, &s);
        let mut p = vec![0.0; (lmax + 2) * nlat];
        let mut rng = Rng(11);
        let mut u = vec![0.0; nlat * nlon];
        let mut v = vec![0.0; nlat * nlon];
        let mut lap_psi = vec![0.0; nlat * nlon];
        let mut lap_chi = vec![0.0; nlat * nlon];
        for m in 0..=lmax {
            leg.fill(m, lmax + 1, &mut p);
            for l in m.max(1)..=lmax {
                let (pr, pi, cr, ci) = (rng.next(), rng.next(), rng.next(), rng.next());
                let eig = -((l * (l + 1)) as f64) / (R * R);
                for j in 0..nlat {
                    let below = if l > m { p[(l - 1 - m) * nlat + j] } else { 0.0 };
                    let d = l as f64 * eps(l + 1, m) * p[(l + 1 - m) * nlat + j] - (l + 1) as f64 * eps(l, m) * below;
                    let (pl, dphi) = (p[(l - m) * nlat + j], -d / s[j]);
                    for (k, lo) in lon.iter().enumerate() {
                        let (sn, cs) = (m as f64 * lo.to_radians()).sin_cos();
                        let (psi, psi_l) = (pl * (pr * cs - pi * sn), pl * m as f64 * (-pr * sn - pi * cs));
                        let (chi, chi_l) = (pl * (cr * cs - ci * sn), pl * m as f64 * (-cr * sn - ci * cs));
                        let (psi_p, chi_p) = (dphi * (pr * cs - pi * sn), dphi * (cr * cs - ci * sn));
                        let i = j * nlon + k;
                        u[i] += (-psi_p + chi_l / s[j]) / R;
                        v[i] += (psi_l / s[j] + chi_p) / R;
                        lap_psi[i] += eig * psi;
                        lap_chi[i] += eig * chi;
                    }
                }
            }
        }
        let (vort, div) = vorticity_divergence(&u, &v, &lat, &lon, R).unwrap();
        let err = |a: &[f64], b: &[f64]| max_abs(&a.iter().zip(b).map(|(a, b)| a - b).collect::<Vec<_>>()) / max_abs(b);
        assert!(err(&vort, &lap_psi) < 1e-11);
        assert!(err(&div, &lap_chi) < 1e-11);
    }

    #[test]
    fn rejects_bad_inputs() {
        let (lat, lon) = cc_axes(19, 36);
        let f = vec![0.0; 19 * 36];
        assert!(matches!(vorticity_divergence(&f[1..], &f, &lat, &lon, R), Err(SpectralError::ShapeMismatch { name: "u", .. })));
        assert!(matches!(vorticity_divergence(&f, &f, &lat, &lon, -1.0), Err(SpectralError::InvalidRadius { .. })));
    }
}
