//! A CCA trained on every sample (the peer's `train_cca_model`): predicts the predictand field
//! of new predictor fields.

use super::fields::Prepared;
use super::fold::{Components, dot};
use super::{CcaError, CcaFields, symmetric_eigen};
use ndarray::{Array2, Array3, ArrayView2, ArrayView3};

/// The CCA of `y` on `x` with `modes` principal components of each field and `modes`
/// canonical pairs, trained on all samples.
///
/// ```
/// use ndarray::Array3;
/// use stormtrack::metrics::cca::{CcaFields, CcaModel};
/// // a predictor of two patterns and a predictand twice it plus one: recovered exactly
/// let (a, b) = (|t: usize| (t * t % 7) as f64, |t: usize| (t * 3 % 5) as f64);
/// let x = Array3::from_shape_fn((8, 2, 3), |(t, r, c)| 3.0 + a(t) * (r + 1) as f64 + b(t) * (c as f64 - 1.0));
/// let y = x.mapv(|v| 2.0 * v + 1.0);
/// let model = CcaModel::train(&CcaFields { x: x.view(), y: y.view(), lat: &[10.0, 20.0] }, 2).unwrap();
/// let predicted = model.predict(x.view()).unwrap();
/// assert!(predicted.iter().zip(y.iter()).all(|(p, o)| (p - o).abs() < 1e-9));
/// ```
#[derive(Debug, Clone)]
pub struct CcaModel {
    modes: usize,
    grid: (usize, usize),
    x_kept: Vec<usize>,
    x_mean: Vec<f64>,
    /// `cells_x x modes`: weighted predictor anomalies to principal-component coordinates
    /// divided by their eigenvalues.
    x_map: Vec<f64>,
    y_kept: Vec<usize>,
    y_mean: Vec<f64>,
    /// `modes x cells_y`: predicted coordinates to predictand anomalies.
    y_map: Vec<f64>,
    correlations: Vec<f64>,
}

impl CcaModel {
    /// Trains on every sample of `fields` (docs/metrics.md#cca).
    pub fn train(fields: &CcaFields<'_>, modes: usize) -> Result<Self, CcaError> {
        if modes == 0 {
            return Err(CcaError::NotPositive { name: "n_modes" });
        }
        let prepared = Prepared::new(fields)?;
        let n = prepared.samples;
        let rank = (n.saturating_sub(1)).min(prepared.x.cells()).min(prepared.y.cells());
        if modes > rank {
            return Err(CcaError::Rank { name: "n_modes", modes, rank });
        }
        let all: Vec<usize> = (0..n).collect();
        let (cx, cy) = (Components::of(&prepared.x, &all), Components::of(&prepared.y, &all));
        let rank = cx.rank().min(cy.rank());
        if modes > rank {
            return Err(CcaError::Rank { name: "n_modes", modes, rank });
        }
        let ux: Vec<Vec<f64>> = (0..modes).map(|j| cx.column(j).collect()).collect();
        let uy: Vec<Vec<f64>> = (0..modes).map(|j| cy.column(j).collect()).collect();
        let b: Vec<Vec<f64>> = ux.iter().map(|u| uy.iter().map(|v| dot(u, v)).collect()).collect();
        let (xs, ys) = (&prepared.x, &prepared.y);
        let (kx, ky) = (xs.cells(), ys.cells());
        // x_map[c][k] = w2_c * sum_t anomaly[t][c] ux_k[t] / l_k
        let mut x_map = vec![0.0; kx * modes];
        for c in 0..kx {
            for (k, u) in ux.iter().enumerate() {
                x_map[c * modes + k] = xs.weight2[c] * (0..n).map(|t| xs.anomaly[t * kx + c] * u[t]).sum::<f64>() / cx.values[k];
            }
        }
        // y_map = B Uy' Yc
        let uy_yc: Vec<Vec<f64>> = uy.iter().map(|u| (0..ky).map(|c| (0..n).map(|t| u[t] * ys.anomaly[t * ky + c]).sum()).collect()).collect();
        let uy_yc = &uy_yc;
        let y_map: Vec<f64> = b.iter().flat_map(|brow| (0..ky).map(move |c| brow.iter().zip(uy_yc).map(|(bv, row)| bv * row[c]).sum::<f64>())).collect();
        let mut btb = vec![0.0; modes * modes];
        for i in 0..modes {
            for j in 0..modes {
                btb[i * modes + j] = b.iter().map(|row| row[i] * row[j]).sum();
            }
        }
        let correlations = symmetric_eigen(&btb, modes).0.iter().map(|v| v.max(0.0).sqrt()).collect();
        let (_, ny, nx) = fields.x.dim();
        Ok(Self {
            modes,
            grid: (ny, nx),
            x_kept: xs.kept.clone(),
            x_mean: xs.mean.clone(),
            x_map,
            y_kept: ys.kept.clone(),
            y_mean: ys.mean.clone(),
            y_map,
            correlations,
        })
    }

    /// Canonical correlations of the training fields, largest first.
    pub fn canonical_correlations(&self) -> &[f64] {
        &self.correlations
    }

    /// Mode count.
    pub fn modes(&self) -> usize {
        self.modes
    }

    /// The predictand `(time, lat, lon)` the model predicts from the predictor `x` (same grid
    /// as in training); cells the predictand never had are NaN.
    pub fn predict(&self, x: ArrayView3<'_, f64>) -> Result<Array3<f64>, CcaError> {
        Ok(self.field(self.coordinates(x)?.view()))
    }

    /// The predicted coordinates `(time, mode)` of the predictand for the predictor `x`, in
    /// the model's own basis (the training predictor's principal components, scaled): what
    /// [`field`](Self::field) turns into the predictand.
    pub fn coordinates(&self, x: ArrayView3<'_, f64>) -> Result<Array2<f64>, CcaError> {
        let (nt, ny, nx) = x.dim();
        if (ny, nx) != self.grid {
            return Err(CcaError::PredictShape { got: ny * nx, expected: self.grid.0 * self.grid.1 });
        }
        let mut coords = Array2::zeros((nt, self.modes));
        for (t, mut row) in coords.rows_mut().into_iter().enumerate() {
            for (c, &cell) in self.x_kept.iter().enumerate() {
                let a = x[[t, cell / nx, cell % nx]] - self.x_mean[c];
                if !a.is_finite() {
                    return Err(CcaError::PredictNan);
                }
                for (k, coord) in row.iter_mut().enumerate() {
                    *coord += a * self.x_map[c * self.modes + k];
                }
            }
        }
        Ok(coords)
    }

    /// The predictand `(time, lat, lon)` of predicted coordinates `(time, mode)`.
    pub fn field(&self, coordinates: ArrayView2<'_, f64>) -> Array3<f64> {
        let (ny, nx) = self.grid;
        let ky = self.y_kept.len();
        let mut out = Array3::from_elem((coordinates.nrows(), ny, nx), f64::NAN);
        for (t, coords) in coordinates.rows().into_iter().enumerate() {
            for (c, &cell) in self.y_kept.iter().enumerate() {
                let anomaly: f64 = coords.iter().take(self.modes).enumerate().map(|(k, v)| v * self.y_map[k * ky + c]).sum();
                out[[t, cell / nx, cell % nx]] = self.y_mean[c] + anomaly;
            }
        }
        out
    }
}
