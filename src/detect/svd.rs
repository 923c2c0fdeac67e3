//! Least squares of a small dense system by the singular value decomposition (one-sided Jacobi),
//! with the singular values so that callers can refuse ill-conditioned fits
//! (see docs/algorithms.md#spherical-quadratic-refinement).

/// The least-squares solution of `a x ≈ b` (`a` has `rows` rows of `N` columns, `rows ≥ N`) and
/// its singular values, largest first; `None` when the system has fewer rows than unknowns.
///
/// ```
/// use stormtrack::detect::svd::least_squares;
/// // x + y = 3, x - y = 1, 2x = 4  =>  x = 2, y = 1
/// let (x, s) = least_squares::<2>(&[[1.0, 1.0], [1.0, -1.0], [2.0, 0.0]], &[3.0, 1.0, 4.0]).unwrap();
/// assert!((x[0] - 2.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12);
/// assert!(s[0] >= s[1] && s[1] > 0.0);
/// ```
pub fn least_squares<const N: usize>(a: &[[f64; N]], b: &[f64]) -> Option<([f64; N], [f64; N])> {
    let m = a.len();
    if m < N || b.len() != m {
        return None;
    }
    // columns of U (= A V, orthogonalised in place) and the rotations accumulated in V
    let mut u: Vec<[f64; N]> = a.to_vec();
    let mut v = [[0.0; N]; N];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..N {
            for q in p + 1..N {
                let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
                for row in &u {
                    alpha += row[p] * row[p];
                    beta += row[q] * row[q];
                    gamma += row[p] * row[q];
                }
                if gamma == 0.0 || gamma.abs() <= f64::EPSILON * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for row in u.iter_mut().chain(v.iter_mut()) {
                    let (x, y) = (row[p], row[q]);
                    row[p] = c * x - s * y;
                    row[q] = s * x + c * y;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let mut sigma = [0.0; N];
    for (j, s) in sigma.iter_mut().enumerate() {
        *s = u.iter().map(|row| row[j] * row[j]).sum::<f64>().sqrt();
    }
    // x = V Σ⁻¹ Uᵀ b over the non-zero singular values
    let mut x = [0.0; N];
    for j in 0..N {
        if sigma[j] == 0.0 {
            continue;
        }
        let ub: f64 = u.iter().zip(b).map(|(row, bi)| row[j] * bi).sum::<f64>() / (sigma[j] * sigma[j]);
        for (xi, vrow) in x.iter_mut().zip(&v) {
            *xi += vrow[j] * ub;
        }
    }
    sigma.sort_by(|p, q| q.total_cmp(p));
    Some((x, sigma))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_quadratic_is_recovered() {
        let coef = [0.3, -1.2, 2.0, 0.4, 1.5];
        let pts = [(-1.0, -1.0), (-1.0, 0.0), (-1.0, 1.0), (0.0, -1.0), (0.0, 1.0), (1.0, -1.0), (1.0, 0.0), (1.0, 1.0)];
        let rows: Vec<[f64; 5]> = pts.iter().map(|&(u, v)| [u, v, 0.5 * u * u, u * v, 0.5 * v * v]).collect();
        let b: Vec<f64> = rows.iter().map(|r| r.iter().zip(&coef).map(|(a, c)| a * c).sum()).collect();
        let (x, s) = least_squares(&rows, &b).unwrap();
        for (xi, ci) in x.iter().zip(&coef) {
            assert!((xi - ci).abs() < 1e-12, "{x:?}");
        }
        assert!(s.windows(2).all(|w| w[0] >= w[1]) && s[4] > 0.1);
    }

    #[test]
    fn a_rank_deficient_system_reports_a_zero_singular_value() {
        let rows = [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]];
        let (_, s) = least_squares(&rows, &[1.0, 2.0, 3.0]).unwrap();
        assert!(s[1] < 1e-12 * s[0], "{s:?}");
        assert!(least_squares::<2>(&[[1.0, 0.0]], &[1.0]).is_none());
    }
}
