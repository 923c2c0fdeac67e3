//! The skill of a cross-validated prediction, as Yau & Chang (2020) score it: ACC, the mean
//! over cells of the time correlation of prediction and observation, and FVE,
//! `1 - mean(MSE) / mean(VAR)` with the two cell fields averaged separately.

use crate::metrics::cormax::pearson;

/// Column `cell` of a row-major `samples x cells` array.
fn series(a: &[f64], samples: usize, cell: usize) -> Vec<f64> {
    let cells = a.len() / samples;
    (0..samples).map(|t| a[t * cells + cell]).collect()
}

/// Mean of the finite values (NaN when none), as xarray's `mean()` skips missing values.
fn mean_of_finite(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.filter(|v| !v.is_nan()).fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 { f64::NAN } else { sum / count as f64 }
}

/// Mean over cells of the Pearson correlation over time (cells without one skipped).
pub(super) fn acc(observed: &[f64], predicted: &[f64], samples: usize) -> f64 {
    let cells = observed.len() / samples;
    mean_of_finite((0..cells).map(|c| pearson(&series(observed, samples, c), &series(predicted, samples, c))))
}

/// `1 - mean(MSE) / mean(VAR)` over the cells where both the mean squared error and the
/// observed (population) variance are finite; NaN when no cell counts or the mean variance is
/// not positive.
pub(super) fn fve(observed: &[f64], predicted: &[f64], samples: usize) -> f64 {
    let cells = observed.len() / samples;
    let (mut mse_sum, mut var_sum, mut count) = (0.0, 0.0, 0usize);
    for c in 0..cells {
        let (o, p) = (series(observed, samples, c), series(predicted, samples, c));
        let mse = mean_of_finite(o.iter().zip(&p).map(|(a, b)| (a - b) * (a - b)));
        let mean = mean_of_finite(o.iter().copied());
        let var = mean_of_finite(o.iter().map(|a| (a - mean) * (a - mean)));
        if mse.is_finite() && var.is_finite() {
            mse_sum += mse;
            var_sum += var;
            count += 1;
        }
    }
    if count == 0 {
        return f64::NAN;
    }
    let mean_var = var_sum / count as f64;
    if !mean_var.is_finite() || mean_var <= 0.0 {
        return f64::NAN;
    }
    1.0 - (mse_sum / count as f64) / mean_var
}
