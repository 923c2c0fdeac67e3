//! The sample-space CCA against the same steps taken in cell space as xeofs takes them (PCA
//! by the covariance of the cells, whitening, SVD of the cross-covariance, prediction, inverse
//! transform), on small fields where the cell-space matrices are cheap.

use super::*;
use ndarray::Array3;

type M = Vec<Vec<f64>>;

fn mul(a: &M, b: &M) -> M {
    a.iter().map(|row| (0..b[0].len()).map(|j| row.iter().zip(b).map(|(x, brow)| x * brow[j]).sum()).collect()).collect()
}

fn t(a: &M) -> M {
    (0..a[0].len()).map(|j| a.iter().map(|row| row[j]).collect()).collect()
}

/// Leading `k` eigenpairs of a symmetric matrix: (values, vectors as columns).
fn eig(a: &M, k: usize) -> (Vec<f64>, M) {
    let n = a.len();
    let flat: Vec<f64> = a.iter().flatten().copied().collect();
    let (l, v) = symmetric_eigen(&flat, n);
    (l[..k].to_vec(), (0..n).map(|i| v[i * n..i * n + k].to_vec()).collect())
}

/// Symmetric matrix power by eigen-decomposition.
fn power(a: &M, p: f64) -> M {
    let (l, v) = eig(a, a.len());
    let scaled: M = v.iter().map(|row| row.iter().zip(&l).map(|(x, li)| x * li.powf(p)).collect()).collect();
    mul(&scaled, &t(&v))
}

/// xeofs' steps for one fold: predictions of the withheld `y` rows, `test x cells`.
fn cell_space(x: &M, y: &M, w: &[f64], train: &[usize], test: &[usize], kx: usize, ky: usize, modes: usize) -> M {
    let n = train.len() as f64;
    let prep =
        |f: &M, rows: &[usize], mean: &[f64]| -> M { rows.iter().map(|&r| f[r].iter().zip(mean).zip(w).map(|((v, m), wi)| (v - m) * wi).collect()).collect() };
    let mean = |f: &M| -> Vec<f64> { (0..f[0].len()).map(|c| train.iter().map(|&r| f[r][c]).sum::<f64>() / n).collect() };
    let (mx, my) = (mean(x), mean(y));
    let (xc, yc) = (prep(x, train, &mx), prep(y, train, &my));
    let (_, vx) = eig(&mul(&t(&xc), &xc), kx);
    let (_, vy) = eig(&mul(&t(&yc), &yc), ky);
    let (zx, zy) = (mul(&xc, &vx), mul(&yc, &vy));
    let cov = |z: &M| -> M { mul(&t(z), z).iter().map(|r| r.iter().map(|v| v / n).collect()).collect() };
    let (tx, ty) = (power(&cov(&zx), -0.5), power(&cov(&zy), -0.5));
    let (wx, wy) = (mul(&zx, &tx), mul(&zy, &ty));
    let c = mul(&t(&wx), &wy);
    let (s2, qy) = eig(&mul(&t(&c), &c), modes);
    let qx: M = mul(&c, &qy).iter().map(|r| r.iter().zip(&s2).map(|(v, s)| v / s.sqrt()).collect()).collect();
    let (rx, ry) = (mul(&wx, &qx), mul(&wy, &qy));
    let norms: Vec<f64> = (0..modes).map(|k| rx.iter().map(|r| r[k] * r[k]).sum()).collect();
    let g: M = mul(&t(&rx), &ry).iter().zip(&norms).map(|(r, nk)| r.iter().map(|v| v / nk).collect()).collect();
    let wt = mul(&mul(&prep(x, test, &mx), &vx), &tx);
    let yw = mul(&mul(&mul(&wt, &qx), &g), &t(&qy));
    let yp = mul(&mul(&yw, &power(&cov(&zy), 0.5)), &t(&vy));
    yp.iter().map(|r| r.iter().zip(w).zip(&my).map(|((v, wi), m)| v / wi + m).collect()).collect()
}

/// Two fields of 24 samples on a 3 x 4 grid: partly related, partly independent noise.
fn fields() -> (Array3<f64>, Array3<f64>, Vec<f64>) {
    // splitmix64 of the seed: uniform in [-0.5, 0.5)
    let noise = |seed: usize| -> f64 {
        let mut z = (seed as u64).wrapping_add(0x9e3779b97f4a7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let x = Array3::from_shape_fn((24, 3, 4), |(s, r, c)| 100.0 + noise(s * 97 + r * 13 + c * 5 + 1) * (1.0 + c as f64));
    let y = Array3::from_shape_fn((24, 3, 4), |(s, r, c)| 2.0 * x[[s, (r + 1) % 3, c]] - 150.0 + 0.4 * noise(s * 31 + r * 7 + c * 3 + 11));
    (x, y, vec![-30.0, 10.0, 60.0])
}

fn rows(a: &Array3<f64>) -> M {
    let (nt, ny, nx) = a.dim();
    (0..nt).map(|s| (0..ny * nx).map(|k| a[[s, k / nx, k % nx]]).collect()).collect()
}

#[test]
fn sample_space_predictions_equal_the_cell_space_steps() {
    let (x, y, lat) = fields();
    let prepared = fields::Prepared::new(&CcaFields { x: x.view(), y: y.view(), lat: &lat }).unwrap();
    let w: Vec<f64> = (0..12).map(|k| lat[k / 4].to_radians().cos().sqrt()).collect();
    let (xr, yr) = (rows(&x), rows(&y));
    for (train, test) in fold::Folds::contiguous(24, 4).iter() {
        {
            let basis = fold::FoldBasis::new(&prepared, &train, &test, 3).unwrap();
            for modes in 1..=3 {
                let expected = cell_space(&xr, &yr, &w, &train, &test, modes, modes, modes);
                let mut got = vec![f64::NAN; 24 * 12];
                prepared.y.predict_into(&basis.coefficients(modes), &train, &test, &mut got);
                for (i, &s) in test.iter().enumerate() {
                    for c in 0..12 {
                        let (a, b) = (got[s * 12 + c], expected[i][c]);
                        assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "M={modes} fold {test:?} cell {c}: {a} vs {b}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_predictand_linear_in_a_low_rank_predictor_is_predicted_exactly() {
    // two patterns with independent time series: rank 2 anomalies
    let (nt, ny, nx) = (20, 4, 5);
    let a = |t: usize| ((t * 7919) % 101) as f64 / 101.0;
    let b = |t: usize| ((t * 104729) % 97) as f64 / 97.0;
    let x = Array3::from_shape_fn((nt, ny, nx), |(t, r, c)| 5.0 + a(t) * (r as f64 + 1.0) + b(t) * (c as f64 - 2.0));
    let y = x.mapv(|v| 3.0 - 2.0 * v);
    let lat = [0.0, 20.0, 40.0, 60.0];
    let f = CcaFields { x: x.view(), y: y.view(), lat: &lat };
    let scores = find_best_truncation(&f, &TruncationOptions { max_modes: 2, leave_n_out: 3 }).unwrap();
    assert!((scores.acc[1] - 1.0).abs() < 1e-9 && (scores.fve[1] - 1.0).abs() < 1e-9, "{scores:?}");
    assert!(scores.fve[0] < 0.99, "one mode misses the second pattern: {scores:?}");
    let model = CcaModel::train(&f, 2).unwrap();
    assert!(model.predict(x.view()).unwrap().iter().zip(y.iter()).all(|(p, o)| (p - o).abs() < 1e-9));
    assert!((model.canonical_correlations()[0] - 1.0).abs() < 1e-9);
}

#[test]
fn bad_inputs_are_named() {
    let (x, y, lat) = fields();
    let f = CcaFields { x: x.view(), y: y.view(), lat: &lat };
    let opts = |max_modes, leave_n_out| TruncationOptions { max_modes, leave_n_out };
    assert_eq!(find_best_truncation(&f, &opts(0, 3)), Err(CcaError::NotPositive { name: "max_modes" }));
    assert_eq!(find_best_truncation(&f, &opts(2, 0)), Err(CcaError::NotPositive { name: "leave_n_out" }));
    assert_eq!(find_best_truncation(&f, &opts(2, 24)), Err(CcaError::LeaveOut { leave_n_out: 24, samples: 24 }));
    // 24 samples less 13 withheld less the mean: rank 10 (the cells, 12, are more)
    assert_eq!(find_best_truncation(&f, &opts(11, 13)), Err(CcaError::Rank { name: "max_modes", modes: 11, rank: 10 }));
    assert_eq!(find_best_truncation(&f, &opts(13, 3)), Err(CcaError::Rank { name: "max_modes", modes: 13, rank: 12 }));
    let short = Array3::<f64>::zeros((23, 3, 4));
    assert!(matches!(find_best_truncation(&CcaFields { y: short.view(), ..f }, &opts(2, 3)), Err(CcaError::Shape { .. })));
    assert!(matches!(find_best_truncation(&CcaFields { lat: &[0.0], ..f }, &opts(2, 3)), Err(CcaError::Latitudes { .. })));
    let mut holes = y.clone();
    holes[[3, 1, 1]] = f64::NAN;
    assert_eq!(find_best_truncation(&CcaFields { y: holes.view(), ..f }, &opts(2, 3)), Err(CcaError::PartialNan { field: "predictand", cells: 1 }));
    // a cell missing at every time is left out and predicted as missing
    let mut masked = y.clone();
    masked.slice_mut(ndarray::s![.., 0, 0]).fill(f64::NAN);
    let s = find_best_truncation(&CcaFields { y: masked.view(), ..f }, &opts(2, 3)).unwrap();
    assert!(s.acc.iter().chain(&s.fve).all(|v| v.is_finite()), "{s:?}");
    assert!(matches!(CcaModel::train(&f, 13), Err(CcaError::Rank { .. })));
}
