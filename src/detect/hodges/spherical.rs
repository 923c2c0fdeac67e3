//! The `spherical_quadratic` refinement on a latitude-longitude grid: the 3×3 neighbourhood of
//! an extremum cell handed to the shared tangent-plane fit
//! (see docs/algorithms.md#spherical-quadratic-refinement).

use crate::detect::spherical_quadratic::{Fit, FitStatus, Sample, refine};
use crate::geo::{DEG_TO_RAD, cyclic_delta};
use crate::variables::Mode;
use ndarray::ArrayView2;

/// Refine the extremum at cell `(r, c)`. The cell must have rows above and below it and, on a
/// non-periodic grid, columns on both sides (else `invalid_neighborhood`); all 8 neighbours must
/// be finite (else `nonfinite_failure`). Half-widths: the larger colatitude step to the rows
/// above and below, and `cos(lat)` times the larger cyclic longitude step to the columns beside.
#[allow(clippy::too_many_arguments)]
pub fn refine_cell(frame: ArrayView2<'_, f64>, lat: &[f64], lon: &[f64], periodic: bool, r: usize, c: usize, mode: Mode, signed_lon: bool) -> Fit {
    let (ny, nx) = frame.dim();
    let centre = Sample { lat: lat[r], lon: lon[c], value: frame[[r, c]] };
    let keep = |status| Fit::kept(centre, status, Default::default());
    if r == 0 || r + 1 >= ny || (!periodic && (c == 0 || c + 1 >= nx)) || nx < 3 {
        return keep(FitStatus::InvalidNeighborhood);
    }
    let (cm, cp) = ((c + nx - 1) % nx, (c + 1) % nx);
    let mut neighbours = Vec::with_capacity(8);
    for rr in [r - 1, r, r + 1] {
        for cc in [cm, c, cp] {
            if (rr, cc) != (r, c) {
                neighbours.push(Sample { lat: lat[rr], lon: lon[cc], value: frame[[rr, cc]] });
            }
        }
    }
    if neighbours.iter().any(|s| !s.value.is_finite()) {
        return keep(FitStatus::NonfiniteFailure);
    }
    let a = f64::max((lat[r - 1] - lat[r]).abs(), (lat[r + 1] - lat[r]).abs()) * DEG_TO_RAD;
    let dlon = f64::max(cyclic_delta(lon[cm], lon[c]).abs(), cyclic_delta(lon[cp], lon[c]).abs());
    let b = (lat[r] * DEG_TO_RAD).cos() * dlon * DEG_TO_RAD;
    refine(centre, &neighbours, Some((a, b)), mode, signed_lon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn edges_and_gaps_keep_the_grid_point() {
        let lat = [10.0, 11.0, 12.0];
        let lon = [0.0, 1.0, 2.0, 3.0];
        let mut f = Array2::from_shape_fn((3, 4), |(r, c)| (r as f64 - 1.2).powi(2) + (c as f64 - 1.3).powi(2));
        assert_eq!(refine_cell(f.view(), &lat, &lon, false, 0, 1, Mode::Min, false).status, FitStatus::InvalidNeighborhood);
        assert_eq!(refine_cell(f.view(), &lat, &lon, false, 1, 0, Mode::Min, false).status, FitStatus::InvalidNeighborhood);
        assert_eq!(refine_cell(f.view(), &lat, &lon, false, 1, 1, Mode::Min, false).status, FitStatus::Success);
        f[[2, 2]] = f64::NAN;
        let fit = refine_cell(f.view(), &lat, &lon, false, 1, 1, Mode::Min, false);
        assert_eq!((fit.status, fit.lat, fit.lon), (FitStatus::NonfiniteFailure, 11.0, 1.0));
    }
}
