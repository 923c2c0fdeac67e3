//! The `quadratic` refinement of the CCL path (see docs/algorithms.md#refinement-methods): the grid cell nearest to a candidate,
//! refined by the Simple detector's 3x3 fit (see docs/algorithms.md#quadratic-refinement).

pub use crate::detect::refine::refine_quadratic_at as refine_quadratic;
use crate::geo::cyclic_delta;

/// First index of the smallest `key(v)`.
fn first_argmin(values: &[f64], key: impl Fn(f64) -> f64) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate().skip(1) {
        if key(v) < key(values[best]) {
            best = i;
        }
    }
    best
}

/// The grid cell nearest to `(lat_c, lon_c)`: first minimum of |Δlat| and of |Δlon| (cyclic
/// when periodic).
pub fn nearest_cell(lat: &[f64], lon: &[f64], periodic: bool, lat_c: f64, lon_c: f64) -> (usize, usize) {
    let r = first_argmin(lat, |v| (v - lat_c).abs());
    let c = if periodic { first_argmin(lon, |v| cyclic_delta(v, lon_c).abs()) } else { first_argmin(lon, |v| (v - lon_c).abs()) };
    (r, c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn flat_field_keeps_the_grid_point() {
        let f = Array2::<f64>::from_elem((5, 5), 101.0);
        let lat = [10.0, 11.0, 12.0, 13.0, 14.0];
        let lon = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(refine_quadratic(f.view(), &lat, &lon, false, 1, 1), (11.0, 1.0, 101.0));
    }

    #[test]
    fn shifted_bowl_is_located_exactly() {
        let f = Array2::from_shape_fn((6, 6), |(r, c)| {
            let (y, x) = (r as f64 - 2.25, c as f64 - 2.2);
            y * y + x * x
        });
        let ax: Vec<f64> = (0..6).map(|i| i as f64).collect();
        let (lat, lon, v) = refine_quadratic(f.view(), &ax, &ax, false, 2, 2);
        assert!((lat - 2.25).abs() < 1e-9 && (lon - 2.2).abs() < 1e-9, "{lat} {lon}");
        assert!(v < f[[2, 2]]);
    }

    #[test]
    fn nearest_cell_is_cyclic_when_periodic() {
        let lon = [0.0, 90.0, 180.0, 270.0];
        assert_eq!(nearest_cell(&[0.0], &lon, true, 0.0, 359.0), (0, 0));
        assert_eq!(nearest_cell(&[0.0], &lon, false, 0.0, 359.0), (0, 3));
    }
}
