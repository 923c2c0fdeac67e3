//! The two fields of a CCA: checked, their all-missing cells set aside, their anomalies from
//! the mean over all samples and the weighted Gram matrix of those anomalies.

use super::CcaError;
use ndarray::ArrayView3;
use rayon::prelude::*;

/// The predictor `x` and predictand `y`, both `(time, lat, lon)` on the same times and grid,
/// and the grid's latitudes in degrees (one per row: the cos-latitude weights).
#[derive(Debug, Clone, Copy)]
pub struct CcaFields<'a> {
    pub x: ArrayView3<'a, f64>,
    pub y: ArrayView3<'a, f64>,
    pub lat: &'a [f64],
}

impl CcaFields<'_> {
    /// Cells per time of the grid.
    pub fn cells(&self) -> usize {
        let (_, ny, nx) = self.x.dim();
        ny * nx
    }
}

/// Both fields prepared for the sample-space computation.
pub(super) struct Prepared {
    pub samples: usize,
    pub x: Side,
    pub y: Side,
}

impl Prepared {
    pub fn new(fields: &CcaFields<'_>) -> Result<Self, CcaError> {
        let (nt, ny, nx) = fields.x.dim();
        if fields.x.dim() != fields.y.dim() {
            return Err(CcaError::Shape { x: fields.x.dim(), y: fields.y.dim() });
        }
        if fields.lat.len() != ny {
            return Err(CcaError::Latitudes { lat: fields.lat.len(), rows: ny });
        }
        let weights: Vec<f64> = (0..ny * nx).map(|k| sqrt_cos_lat(fields.lat[k / nx])).collect();
        Ok(Self { samples: nt, x: Side::new(fields.x, &weights, "predictor")?, y: Side::new(fields.y, &weights, "predictand")? })
    }
}

/// xeofs' area weight of a latitude: the square root of its cosine (clipped to [0, 1]).
fn sqrt_cos_lat(lat: f64) -> f64 {
    lat.to_radians().cos().clamp(0.0, 1.0).sqrt()
}

/// One field: the cells with a value at every time (cells missing at every time are left
/// out and predicted as missing, as xeofs does), as anomalies from their mean over all
/// samples, sample-major.
pub(super) struct Side {
    pub samples: usize,
    /// Cells of the whole grid.
    pub grid_cells: usize,
    /// Grid index of each kept cell.
    pub kept: Vec<usize>,
    /// Mean over all samples of each kept cell.
    pub mean: Vec<f64>,
    /// `anomaly[t * kept.len() + c]`: value minus the cell's mean.
    pub anomaly: Vec<f64>,
    /// Squared weight (cos latitude) of each kept cell.
    pub weight2: Vec<f64>,
    /// Row-major `samples x samples` sums over cells of weighted anomaly products.
    pub gram: Vec<f64>,
    /// The field as given, `samples x grid_cells` (the observed values the scores compare).
    pub values: Vec<f64>,
}

impl Side {
    fn new(field: ArrayView3<'_, f64>, weights: &[f64], name: &'static str) -> Result<Self, CcaError> {
        let (nt, ny, nx) = field.dim();
        let grid_cells = ny * nx;
        let values: Vec<f64> = field.iter().copied().collect(); // (time, lat, lon) order
        let missing = |c: usize| (0..nt).filter(|&t| !values[t * grid_cells + c].is_finite()).count();
        let counts: Vec<usize> = (0..grid_cells).map(missing).collect();
        let partial = counts.iter().filter(|&&m| m > 0 && m < nt).count();
        if partial > 0 {
            return Err(CcaError::PartialNan { field: name, cells: partial });
        }
        let kept: Vec<usize> = (0..grid_cells).filter(|&c| counts[c] == 0).collect();
        if kept.is_empty() {
            return Err(CcaError::NoCells { field: name });
        }
        let k = kept.len();
        let mean: Vec<f64> = kept.iter().map(|&c| (0..nt).map(|t| values[t * grid_cells + c]).sum::<f64>() / nt as f64).collect();
        let mut anomaly = vec![0.0; nt * k];
        for t in 0..nt {
            for (j, &c) in kept.iter().enumerate() {
                anomaly[t * k + j] = values[t * grid_cells + c] - mean[j];
            }
        }
        let weight2: Vec<f64> = kept.iter().map(|&c| weights[c] * weights[c]).collect();
        let gram = gram(&anomaly, &weight2, nt);
        Ok(Self { samples: nt, grid_cells, kept, mean, anomaly, weight2, gram, values })
    }

    /// Cells kept.
    pub fn cells(&self) -> usize {
        self.kept.len()
    }

    /// The observed field, `samples x grid_cells`.
    pub fn observed(&self) -> &[f64] {
        &self.values
    }

    /// Writes the prediction of the `test` samples into `out` (`samples x grid_cells`): per
    /// kept cell, the training mean plus `coefficients` (`test x train`, row-major) applied to
    /// the training anomalies from that mean.
    pub fn predict_into(&self, coefficients: &[f64], train: &[usize], test: &[usize], out: &mut [f64]) {
        let k = self.cells();
        let n = train.len() as f64;
        let predictions: Vec<Vec<f64>> = (0..k)
            .into_par_iter()
            .map(|j| {
                let series: Vec<f64> = train.iter().map(|&b| self.anomaly[b * k + j]).collect();
                let train_mean = series.iter().sum::<f64>() / n;
                (0..test.len())
                    .map(|i| {
                        let row = &coefficients[i * train.len()..(i + 1) * train.len()];
                        let combined: f64 = row.iter().zip(&series).map(|(a, d)| a * (d - train_mean)).sum();
                        self.mean[j] + train_mean + combined
                    })
                    .collect()
            })
            .collect();
        for (j, cell) in predictions.iter().enumerate() {
            for (i, &s) in test.iter().enumerate() {
                out[s * self.grid_cells + self.kept[j]] = cell[i];
            }
        }
    }
}

/// `gram[i * n + j] = sum over cells of weight2 * anomaly_i * anomaly_j`, rows in parallel.
fn gram(anomaly: &[f64], weight2: &[f64], n: usize) -> Vec<f64> {
    let k = weight2.len();
    let weighted: Vec<f64> = anomaly.chunks(k).flat_map(|row| row.iter().zip(weight2).map(|(a, w)| a * w)).collect();
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let wi = &weighted[i * k..(i + 1) * k];
            (0..=i).map(|j| wi.iter().zip(&anomaly[j * k..(j + 1) * k]).map(|(a, b)| a * b).sum()).collect()
        })
        .collect();
    let mut g = vec![0.0; n * n];
    for (i, row) in rows.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            g[i * n + j] = v;
            g[j * n + i] = v;
        }
    }
    g
}
