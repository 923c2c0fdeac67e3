//! Reductions reproducing NumPy's evaluation order, so that report figures (and the exact
//! ties they feed) agree with the reference implementation bit for bit where possible.

/// Sum with NumPy's pairwise algorithm (8 accumulators per block of at most 128 values).
pub fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(0.0, |s, x| s + x)
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let full = n - n % 8;
        for block in a[8..full].chunks_exact(8) {
            for (acc, x) in r.iter_mut().zip(block) {
                *acc += x;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for x in &a[full..] {
            res += x;
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&a[..half]) + pairwise_sum(&a[half..])
    }
}

/// Arithmetic mean as `numpy.mean` (NaN for an empty slice).
pub fn mean(a: &[f64]) -> f64 {
    pairwise_sum(a) / a.len() as f64
}

/// NumPy's `_lerp`: evaluated from the nearer end for numerical symmetry.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 { b - diff * (1.0 - t) } else { a + diff * t }
}

/// `numpy.percentile(values, q, method="linear")` of already sorted values (non-empty).
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let index = (n - 1) as f64 * (q / 100.0);
    let below = index.floor();
    let lo = below as usize;
    let hi = (lo + 1).min(n - 1);
    lerp(sorted[lo], sorted[hi], index - below)
}

/// `numpy.median` of already sorted values (non-empty): mean of the two middle values.
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}

/// Pearson correlation as `numpy.corrcoef(x, y)[0, 1]`; NaN when undefined.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (mean(x), mean(y));
    let dx: Vec<f64> = x.iter().map(|v| v - mx).collect();
    let dy: Vec<f64> = y.iter().map(|v| v - my).collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).fold(0.0, |s, (p, q)| s + p * q);
    let cxy = dot(&dx, &dy) / (n - 1.0);
    let sx = (dot(&dx, &dx) / (n - 1.0)).sqrt();
    let sy = (dot(&dy, &dy) / (n - 1.0)).sqrt();
    (cxy / sx / sy).clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_follow_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_sorted(&v, 95.0), 3.8499999999999996);
        assert_eq!(median_sorted(&v), 2.5);
        assert_eq!(percentile_sorted(&[7.0], 95.0), 7.0);
    }

    #[test]
    fn pairwise_sum_matches_plain_sum_on_integers() {
        let v: Vec<f64> = (1..=300).map(f64::from).collect();
        assert_eq!(pairwise_sum(&v), 45150.0);
    }
}
