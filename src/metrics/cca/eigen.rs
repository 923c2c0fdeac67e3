//! Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method: slow for large
//! matrices (a few sweeps of `n³` work) but accurate to rounding in every eigenvector, which is
//! what the CCA's sample-space matrices (as many rows as samples, a few hundred at most) need.

/// Eigenvalues, largest first, and the matching unit eigenvectors (the columns of a row-major
/// `n x n` matrix) of the symmetric row-major `n x n` matrix `a` (only symmetry is assumed).
/// Equal eigenvalues keep the order the sweeps leave them in (a stable sort).
///
/// ```
/// use stormtrack::metrics::cca::symmetric_eigen;
/// // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1) and (1, -1) over sqrt 2
/// let (values, vectors) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
/// assert!((values[0] - 3.0).abs() < 1e-15 && (values[1] - 1.0).abs() < 1e-15);
/// assert!((vectors[0].abs() - 0.5f64.sqrt()).abs() < 1e-15);
/// assert!((vectors[0] * vectors[2] + vectors[1] * vectors[3]).abs() < 1e-15); // orthogonal
/// ```
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), n * n, "a square matrix");
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    // off-diagonal entries below this are rounding noise of the whole matrix
    let floor = 1e-3 * f64::EPSILON * a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        if !sweep(&mut m, &mut v, n, floor) {
            break;
        }
    }
    sorted(&m, &v, n)
}

/// One cyclic sweep of rotations over every off-diagonal pair; false when none was needed.
fn sweep(m: &mut [f64], v: &mut [f64], n: usize, floor: f64) -> bool {
    let mut rotated = false;
    for p in 0..n {
        for q in p + 1..n {
            let apq = m[p * n + q];
            let (app, aqq) = (m[p * n + p], m[q * n + q]);
            // negligible against both diagonal entries: already diagonal to rounding
            if apq.abs() <= floor || apq.abs() <= 0.5 * f64::EPSILON * (app * aqq).abs().sqrt() {
                continue;
            }
            rotated = true;
            // the rotation zeroing m[p][q]: tangent t of the smaller angle
            let theta = (aqq - app) / (2.0 * apq);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            rotate(m, v, n, p, q, c, s);
            m[p * n + p] = app - t * apq;
            m[q * n + q] = aqq + t * apq;
            m[p * n + q] = 0.0;
            m[q * n + p] = 0.0;
        }
    }
    rotated
}

/// Applies the rotation (c, s) of the plane (p, q) to the other rows and columns of `m` and to
/// the columns of the eigenvector matrix `v`.
fn rotate(m: &mut [f64], v: &mut [f64], n: usize, p: usize, q: usize, c: f64, s: f64) {
    for k in 0..n {
        if k == p || k == q {
            continue;
        }
        let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
        let (np, nq) = (c * mkp - s * mkq, s * mkp + c * mkq);
        m[k * n + p] = np;
        m[p * n + k] = np;
        m[k * n + q] = nq;
        m[q * n + k] = nq;
    }
    for k in 0..n {
        let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
        v[k * n + p] = c * vkp - s * vkq;
        v[k * n + q] = s * vkp + c * vkq;
    }
}

/// The diagonal of `m` as eigenvalues, largest first, with the columns of `v` in that order.
fn sorted(m: &[f64], v: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]));
    let values = order.iter().map(|&i| m[i * n + i]).collect();
    let mut vectors = vec![0.0; n * n];
    for (new, &old) in order.iter().enumerate() {
        for k in 0..n {
            vectors[k * n + new] = v[k * n + old];
        }
    }
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructs_a_random_symmetric_matrix() {
        let n = 12;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let x = ((i * 31 + j * 17) % 13) as f64 - 6.0 + if i == j { 3.0 } else { 0.0 };
                a[i * n + j] = x;
                a[j * n + i] = x;
            }
        }
        let (l, v) = symmetric_eigen(&a, n);
        assert!(l.windows(2).all(|w| w[0] >= w[1]));
        for i in 0..n {
            for j in 0..n {
                let rec: f64 = (0..n).map(|k| v[i * n + k] * l[k] * v[j * n + k]).sum();
                assert!((rec - a[i * n + j]).abs() < 1e-12, "{i} {j} {rec} {}", a[i * n + j]);
                let dot: f64 = (0..n).map(|k| v[k * n + i] * v[k * n + j]).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13);
            }
        }
    }
}
