//! One fold of the cross-validation: the training samples' principal components of both
//! fields (eigenvectors of their centred Gram matrices) and the coefficients that predict the
//! withheld samples' predictand from the training predictand anomalies.
//!
//! With `U` the unit principal-component series and `L` the eigenvalues (squared singular
//! values) of the weighted, centred training anomalies, `M` components each, and `K` the
//! products of the withheld predictor anomalies with the training ones, the withheld
//! predictand anomalies are `K Ux Lx^-1 Ux' Uy Uy'` times the training predictand anomalies
//! (docs/metrics.md#cca).

use super::fields::{Prepared, Side};
use super::{CcaError, symmetric_eigen};

/// The folds of leave-n-out: contiguous blocks of `leave_n_out` samples from the first.
pub(super) struct Folds {
    samples: usize,
    leave_n_out: usize,
}

impl Folds {
    pub fn contiguous(samples: usize, leave_n_out: usize) -> Self {
        Self { samples, leave_n_out }
    }

    /// `(training, withheld)` sample indices of each fold.
    pub fn iter(&self) -> impl Iterator<Item = (Vec<usize>, Vec<usize>)> + '_ {
        (0..self.samples).step_by(self.leave_n_out).map(|start| {
            let end = (start + self.leave_n_out).min(self.samples);
            ((0..start).chain(end..self.samples).collect(), (start..end).collect())
        })
    }
}

/// Principal components of one field's training samples.
pub(super) struct Components {
    /// Eigenvalues, largest first.
    pub values: Vec<f64>,
    /// Row-major `n x n`, the unit eigenvectors as columns.
    vectors: Vec<f64>,
    n: usize,
}

impl Components {
    pub fn of(side: &Side, train: &[usize]) -> Self {
        let n = train.len();
        let (values, vectors) = symmetric_eigen(&centred_gram(&side.gram, side.samples, train, train), n);
        Self { values, vectors, n }
    }

    /// How many components have a positive eigenvalue (above rounding of the largest).
    pub fn rank(&self) -> usize {
        let floor = self.values.first().copied().unwrap_or(0.0).abs() * 1e-12;
        self.values.iter().take_while(|&&v| v > floor).count()
    }

    /// Column `j` of the eigenvectors.
    pub fn column(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        (0..self.n).map(move |i| self.vectors[i * self.n + j])
    }
}

/// The prepared fold: both fields' components and the predictor's withheld-by-training
/// products.
pub(super) struct FoldBasis {
    x: Components,
    y: Components,
    /// Row-major `test x n`: centred products of the withheld and training predictor samples.
    cross: Vec<f64>,
    test: usize,
}

impl FoldBasis {
    pub fn new(prepared: &Prepared, train: &[usize], test: &[usize], max_modes: usize) -> Result<Self, CcaError> {
        let (x, y) = (Components::of(&prepared.x, train), Components::of(&prepared.y, train));
        let rank = x.rank().min(y.rank());
        if max_modes > rank {
            return Err(CcaError::Rank { name: "max_modes", modes: max_modes, rank });
        }
        let cross = centred_gram(&prepared.x.gram, prepared.samples, test, train);
        Ok(Self { x, y, cross, test: test.len() })
    }

    /// Row-major `test x n` coefficients of the training predictand anomalies for `modes`
    /// canonical modes (and as many principal components of each field).
    pub fn coefficients(&self, modes: usize) -> Vec<f64> {
        let n = self.x.n;
        let ux: Vec<Vec<f64>> = (0..modes).map(|j| self.x.column(j).collect()).collect();
        let uy: Vec<Vec<f64>> = (0..modes).map(|j| self.y.column(j).collect()).collect();
        // E = K Ux Lx^-1 (test x M)
        let e: Vec<Vec<f64>> =
            (0..self.test).map(|i| ux.iter().zip(&self.x.values).map(|(u, l)| dot(&self.cross[i * n..(i + 1) * n], u) / l).collect()).collect();
        // F = E B with B = Ux' Uy: all M canonical pairs are kept, so the canonical rotation
        // cancels
        let b: Vec<Vec<f64>> = ux.iter().map(|u| uy.iter().map(|v| dot(u, v)).collect()).collect();
        let f: Vec<Vec<f64>> = e.iter().map(|row| (0..modes).map(|c| row.iter().zip(&b).map(|(r, brow)| r * brow[c]).sum()).collect()).collect();
        // A = F Uy' (test x n)
        let uy = &uy;
        f.iter().flat_map(|row| (0..n).map(move |s| row.iter().zip(uy).map(|(r, u)| r * u[s]).sum::<f64>())).collect()
    }
}

pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The Gram entries of `rows x cols` (sample indices) centred on the mean over the `cols`
/// samples (the training set): `G_ij - r_i - r_j + g` with `r` the row means over the
/// training samples and `g` their mean.
fn centred_gram(gram: &[f64], samples: usize, rows: &[usize], cols: &[usize]) -> Vec<f64> {
    let n = cols.len() as f64;
    let mean_over_train = |i: usize| cols.iter().map(|&j| gram[i * samples + j]).sum::<f64>() / n;
    let r_cols: Vec<f64> = cols.iter().map(|&j| mean_over_train(j)).collect();
    let g = r_cols.iter().sum::<f64>() / n;
    rows.iter()
        .flat_map(|&i| {
            let ri = mean_over_train(i);
            cols.iter().zip(&r_cols).map(move |(&j, rj)| gram[i * samples + j] - ri - rj + g)
        })
        .collect()
}
