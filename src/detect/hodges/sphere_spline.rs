//! The interpolating bicubic spline on the sphere that the `spherical_bspline` refinement
//! searches (docs/algorithms.md#spherical-b-spline-refinement): FITPACK's `spgrid` with `s = 0`
//! and no pole constraints, the surface SciPy's `RectSphereBivariateSpline` builds.
//!
//! Coordinates are colatitude `u` (radians, ascending, clipped to `[1e-7, π − 1e-7]`) and
//! longitude `v` (radians, `lon mod 2π`, ascending). Knots: in `u` four at 0, the data rows
//! `u[1..mu-1]`, four at π; in `v` the data columns, `v0 + 2π`, and three more on each side
//! continued periodically. The first and last coefficient rows are the values at the poles
//! (constant in `v`). FITPACK takes them from a first least-squares spline (its `u` knots at
//! every other row, `u[2], u[4], …`) whose pole values minimise the residual; that minimiser is
//! a fixed linear function of the data's row means, prepared here once per grid. Given the pole
//! values, interpolation is a square system that separates into a cyclic collocation solve along
//! each row and a banded solve along each column.

use super::spline::{BandLu, Bicubic, HALF_BAND, SplineError, basis_and_derivs, find_span, transpose};
use crate::geo::DEG_TO_RAD;
use ndarray::ArrayView2;
use std::f64::consts::PI;

/// Colatitudes are kept this far from the poles (SciPy needs `0 < u < π`).
const POLE_CLEARANCE: f64 = 1e-7;

/// Grid-only preparation of the spherical spline; build once per grid with [`SphereSpline::for_grid`].
#[derive(Debug, Clone)]
pub struct SphereSpline {
    /// Native row of each ascending colatitude.
    theta_order: Vec<usize>,
    /// Native column of each ascending `lon mod 2π`.
    phi_order: Vec<usize>,
    /// Knots in colatitude (`mu + 6`) and longitude (`mv + 7`).
    tu: Vec<f64>,
    tv: Vec<f64>,
    factors: Option<Factors>,
}

/// What the solves of every frame share.
#[derive(Debug, Clone)]
struct Factors {
    /// Collocation of the `mu` inner coefficient rows at the `mu` data rows.
    rows: BandLu,
    /// The pole rows' basis functions at the data rows.
    north_basis: Vec<f64>,
    south_basis: Vec<f64>,
    /// Pole value = weights · row means (the least-squares minimiser).
    north_weights: Vec<f64>,
    south_weights: Vec<f64>,
    /// Periodic collocation along a row.
    columns: CyclicLu,
}

impl SphereSpline {
    /// Prepare the grid of the native coordinate vectors (degrees). Never fails: a grid unfit
    /// for the spline (fewer than 4 rows or columns, repeated coordinates) makes
    /// [`SphereSpline::surface`] fail.
    pub fn for_grid(lat: &[f64], lon: &[f64]) -> Self {
        let theta: Vec<f64> = lat.iter().map(|&l| (90.0 - l) * DEG_TO_RAD).collect();
        let mut theta_order: Vec<usize> = (0..lat.len()).collect();
        theta_order.sort_by(|&a, &b| theta[a].total_cmp(&theta[b]));
        let u: Vec<f64> = theta_order.iter().map(|&i| theta[i].clamp(POLE_CLEARANCE, PI - POLE_CLEARANCE)).collect();
        let phi: Vec<f64> = lon.iter().map(|&l| (l * DEG_TO_RAD).rem_euclid(2.0 * PI)).collect();
        let mut phi_order: Vec<usize> = (0..lon.len()).collect();
        phi_order.sort_by(|&a, &b| phi[a].total_cmp(&phi[b]));
        let v: Vec<f64> = phi_order.iter().map(|&j| phi[j]).collect();
        let usable = |x: &[f64]| x.len() >= 4 && x.iter().all(|a| a.is_finite()) && x.windows(2).all(|w| w[1] > w[0]);
        if !usable(&u) || !usable(&v) || v[v.len() - 1] >= v[0] + 2.0 * PI {
            return Self { theta_order, phi_order, tu: Vec::new(), tv: Vec::new(), factors: None };
        }
        let tu = colatitude_knots(&u[1..u.len() - 1]);
        let tv = periodic_knots(&v);
        let factors = Factors::new(&u, &v, &tu, &tv);
        Self { theta_order, phi_order, tu, tv, factors }
    }

    /// The interpolating surface of one frame `(ny, nx)` in native row/column order.
    pub fn surface(&self, frame: ArrayView2<'_, f64>) -> Result<SphereSurface<'_>, SplineError> {
        let f = self.factors.as_ref().ok_or(SplineError::BadGrid)?;
        let (mu, mv) = (self.theta_order.len(), self.phi_order.len());
        if frame.dim() != (mu, mv) {
            return Err(SplineError::BadGrid);
        }
        // the data, colatitude-major, transposed to one row per longitude for the cyclic solve
        let mut data = Vec::with_capacity(mu * mv);
        for &r in &self.theta_order {
            let row = frame.row(r);
            data.extend(self.phi_order.iter().map(|&c| row[c]));
        }
        if !data.iter().all(|v| v.is_finite()) {
            return Err(SplineError::NonFinite);
        }
        let means: Vec<f64> = data.chunks(mv).map(|r| r.iter().sum::<f64>() / mv as f64).collect();
        let dot = |w: &[f64]| w.iter().zip(&means).map(|(a, b)| a * b).sum::<f64>();
        let (north, south) = (dot(&f.north_weights), dot(&f.south_weights));
        let mut by_column = transpose(&data, mu, mv);
        f.columns.solve_rows(&mut by_column, mu);
        let mut inner = transpose(&by_column, mv, mu);
        for (i, row) in inner.chunks_mut(mv).enumerate() {
            let pole = f.north_basis[i] * north + f.south_basis[i] * south;
            if pole != 0.0 {
                row.iter_mut().for_each(|x| *x -= pole);
            }
        }
        f.rows.solve_rows(&mut inner, mv);
        // rows: north pole, the mu inner rows, south pole; columns: mv and 3 repeated
        let width = mv + 3;
        let mut coeffs = Vec::with_capacity((mu + 2) * width);
        let mut push_row = |row: &[f64]| {
            coeffs.extend_from_slice(row);
            coeffs.extend_from_slice(&row[..3]);
        };
        push_row(&vec![north; mv]);
        inner.chunks(mv).for_each(&mut push_row);
        push_row(&vec![south; mv]);
        Ok(SphereSurface { grid: self, coeffs })
    }
}

/// `[0]*4, inner, [π]*4`.
fn colatitude_knots(inner: &[f64]) -> Vec<f64> {
    let mut t = vec![0.0; 4];
    t.extend_from_slice(inner);
    t.extend_from_slice(&[PI; 4]);
    t
}

/// The data columns, `v0 + 2π`, and three knots continued periodically on each side.
fn periodic_knots(v: &[f64]) -> Vec<f64> {
    let (m, per) = (v.len(), 2.0 * PI);
    let mut t: Vec<f64> = v[m - 3..].iter().map(|x| x - per).collect();
    t.extend_from_slice(v);
    t.push(v[0] + per);
    t.extend(v[1..4].iter().map(|x| x + per));
    t
}

/// The cubic basis functions at `x` as `(coefficient, value)` pairs.
fn basis_at(t: &[f64], ncoef: usize, x: f64) -> [(usize, f64); 4] {
    let span = find_span(t, ncoef, x);
    let (b, _) = basis_and_derivs(t, x, span);
    std::array::from_fn(|r| (span - 3 + r, b[r]))
}

impl Factors {
    fn new(u: &[f64], v: &[f64], tu: &[f64], tv: &[f64]) -> Option<Self> {
        let (mu, mv) = (u.len(), v.len());
        let ncoef = mu + 2;
        let rows = BandLu::factor(mu, |i| basis_at(tu, ncoef, u[i]).into_iter().filter(|&(j, _)| j >= 1 && j <= mu).map(|(j, b)| (j - 1, b)).collect())?;
        let pole_basis = |pole: usize| u.iter().map(|&x| basis_at(tu, ncoef, x).into_iter().find(|&(j, _)| j == pole).map_or(0.0, |(_, b)| b)).collect();
        let (north_weights, south_weights) = pole_weights(u)?;
        // coefficient j of the periodic basis is unknown j mod mv; unknown (k + 1) mod mv sits
        // on the diagonal of row k (the largest of the three non-zero values at a knot)
        let columns =
            CyclicLu::factor(mv, |k| basis_at(tv, mv + 3, v[k]).into_iter().filter(|&(_, b)| b != 0.0).map(|(j, b)| ((j % mv + mv - 1) % mv, b)).collect())?;
        let columns = CyclicLu { unknown_shift: 1, ..columns };
        Some(Self { rows, north_basis: pole_basis(0), south_basis: pole_basis(mu + 1), north_weights, south_weights, columns })
    }
}

/// The pole values FITPACK's first, least-squares pass finds, as weights on the row means.
///
/// With knots in `v` at every data column the `v` collocation is invertible, so the residual of
/// the least-squares spline separates by column: `Σ_j |P (r_j − n a − s b)|²`, where `a`, `b`
/// are the pole rows' basis functions at the data rows and `P` projects out the span of the inner
/// rows'. Its minimiser solves `G (n, s) = (Pa · m, Pb · m)` with `G` the Gram matrix of
/// `Pa, Pb` and `m` the row means.
fn pole_weights(u: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let mu = u.len();
    let inner: Vec<f64> = u.iter().skip(2).step_by(2).copied().filter(|&x| x <= u[mu - 3]).collect();
    let t = colatitude_knots(&inner);
    let ncoef = t.len() - 4;
    let mut design = vec![0.0; mu * ncoef];
    for (i, &x) in u.iter().enumerate() {
        for (j, b) in basis_at(&t, ncoef, x) {
            design[i * ncoef + j] = b;
        }
    }
    let column = |j: usize| (0..mu).map(|i| design[i * ncoef + j]).collect::<Vec<f64>>();
    let (north, south) = (column(0), column(ncoef - 1));
    let inner_cols: Vec<f64> = (0..mu).flat_map(|i| design[i * ncoef + 1..(i + 1) * ncoef - 1].to_vec()).collect();
    let [pn, ps] = least_squares_residuals(inner_cols, mu, ncoef - 2, [north, south]);
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let (g00, g01, g11) = (dot(&pn, &pn), dot(&pn, &ps), dot(&ps, &ps));
    let det = g00 * g11 - g01 * g01;
    if !(det.is_finite() && det > 0.0) {
        return None;
    }
    let north_w = pn.iter().zip(&ps).map(|(a, b)| (g11 * a - g01 * b) / det).collect();
    let south_w = pn.iter().zip(&ps).map(|(a, b)| (g00 * b - g01 * a) / det).collect();
    Some((north_w, south_w))
}

/// The residuals `b − A x` of the least-squares fits of each `b` by the columns of the dense
/// row-major `rows × cols` matrix `a` (Householder QR).
fn least_squares_residuals<const K: usize>(mut a: Vec<f64>, rows: usize, cols: usize, mut b: [Vec<f64>; K]) -> [Vec<f64>; K] {
    let mut reflectors: Vec<(Vec<f64>, f64)> = Vec::with_capacity(cols);
    for k in 0..cols.min(rows) {
        let norm = (k..rows).map(|i| a[i * cols + k].powi(2)).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        let alpha = if a[k * cols + k] > 0.0 { -norm } else { norm };
        let mut w: Vec<f64> = (k..rows).map(|i| a[i * cols + k]).collect();
        w[0] -= alpha;
        let wn = w.iter().map(|x| x * x).sum::<f64>();
        for j in k..cols {
            reflect(&w, wn, &mut a, |i| (k + i) * cols + j);
        }
        for v in b.iter_mut() {
            reflect(&w, wn, v, |i| k + i);
        }
        reflectors.push((w, wn));
    }
    // the residual is Q applied to Qᵀb with its first `cols` entries zeroed
    for v in b.iter_mut() {
        v[..cols.min(rows)].iter_mut().for_each(|x| *x = 0.0);
        for (w, wn) in reflectors.iter().rev() {
            let k = rows - w.len();
            reflect(w, *wn, v, |i| k + i);
        }
    }
    b
}

/// Apply the Householder reflector `I − 2wwᵀ/|w|²` to the entries `data[index(i)]`.
fn reflect(w: &[f64], wn: f64, data: &mut [f64], index: impl Fn(usize) -> usize) {
    let s = 2.0 * w.iter().enumerate().map(|(i, wi)| wi * data[index(i)]).sum::<f64>() / wn;
    for (i, wi) in w.iter().enumerate() {
        data[index(i)] -= s * wi;
    }
}

/// LU factors of a cyclic banded matrix: the band factored, the few entries that wrap around
/// the corners handled as a low-rank correction (Sherman–Morrison–Woodbury).
#[derive(Debug, Clone)]
struct CyclicLu {
    band: BandLu,
    /// Rows with wrapped entries, and those entries `(column, value)`.
    corners: Vec<(usize, Vec<(usize, f64)>)>,
    /// `M⁻¹ U`: one column per corner row, row-major `n × r`.
    z: Vec<f64>,
    /// `(I + Vᵀ M⁻¹ U)⁻¹`, row-major `r × r`.
    capacitance: Vec<f64>,
    /// Solution entry `k` is unknown `(k + unknown_shift) mod n` of the caller's numbering.
    unknown_shift: usize,
}

impl CyclicLu {
    fn factor(n: usize, row: impl Fn(usize) -> Vec<(usize, f64)>) -> Option<Self> {
        let near = |i: usize, j: usize| i.abs_diff(j) <= HALF_BAND;
        let corners: Vec<(usize, Vec<(usize, f64)>)> =
            (0..n).map(|i| (i, row(i).into_iter().filter(|&(j, _)| !near(i, j)).collect::<Vec<_>>())).filter(|(_, e)| !e.is_empty()).collect();
        let band = BandLu::factor(n, |i| row(i).into_iter().filter(|&(j, _)| near(i, j)).collect())?;
        let r = corners.len();
        let mut z = vec![0.0; n * r];
        for (c, (i, _)) in corners.iter().enumerate() {
            z[i * r + c] = 1.0;
        }
        band.solve_rows(&mut z, r);
        // capacitance I + Vᵀ Z, inverted by Gauss-Jordan with partial pivoting
        let mut m = vec![0.0; r * r];
        for (a, (_, entries)) in corners.iter().enumerate() {
            m[a * r + a] += 1.0;
            for &(j, v) in entries {
                for c in 0..r {
                    m[a * r + c] += v * z[j * r + c];
                }
            }
        }
        let capacitance = invert(m, r)?;
        Some(Self { band, corners, z, capacitance, unknown_shift: 0 })
    }

    /// Solve `A X = B` in place, `B` row-major `n × width`, and put the solution in the caller's
    /// unknown order.
    fn solve_rows(&self, b: &mut [f64], width: usize) {
        let n = b.len() / width;
        self.band.solve_rows(b, width);
        let r = self.corners.len();
        if r > 0 {
            let mut t = vec![0.0; r * width];
            for (a, (_, entries)) in self.corners.iter().enumerate() {
                for &(j, v) in entries {
                    for (x, y) in t[a * width..(a + 1) * width].iter_mut().zip(&b[j * width..(j + 1) * width]) {
                        *x += v * y;
                    }
                }
            }
            let mut w = vec![0.0; r * width];
            for a in 0..r {
                for c in 0..r {
                    let s = self.capacitance[a * r + c];
                    for (x, y) in w[a * width..(a + 1) * width].iter_mut().zip(&t[c * width..(c + 1) * width]) {
                        *x += s * y;
                    }
                }
            }
            for i in 0..n {
                for c in 0..r {
                    let zc = self.z[i * r + c];
                    for (x, y) in b[i * width..(i + 1) * width].iter_mut().zip(&w[c * width..(c + 1) * width]) {
                        *x -= zc * y;
                    }
                }
            }
        }
        if self.unknown_shift != 0 {
            b.rotate_right(self.unknown_shift * width);
        }
    }
}

/// Inverse of a small dense `n × n` matrix (Gauss-Jordan, partial pivoting); `None` if singular.
fn invert(mut m: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    let mut inv = vec![0.0; n * n];
    (0..n).for_each(|i| inv[i * n + i] = 1.0);
    for k in 0..n {
        let p = (k..n).max_by(|&a, &b| m[a * n + k].abs().total_cmp(&m[b * n + k].abs()))?;
        if m[p * n + k] == 0.0 || !m[p * n + k].is_finite() {
            return None;
        }
        for j in 0..n {
            m.swap(k * n + j, p * n + j);
            inv.swap(k * n + j, p * n + j);
        }
        let d = m[k * n + k];
        for j in 0..n {
            m[k * n + j] /= d;
            inv[k * n + j] /= d;
        }
        for i in (0..n).filter(|&i| i != k) {
            let f = m[i * n + k];
            if f != 0.0 {
                for j in 0..n {
                    m[i * n + j] -= f * m[k * n + j];
                    inv[i * n + j] -= f * inv[k * n + j];
                }
            }
        }
    }
    Some(inv)
}

/// One frame's spline on the sphere; evaluation is `Sync` and allocation-free.
#[derive(Debug, Clone)]
pub struct SphereSurface<'g> {
    grid: &'g SphereSpline,
    /// `(mu + 2) × (mv + 3)`, colatitude-major: `coeffs[i * (mv + 3) + j]`.
    coeffs: Vec<f64>,
}

impl SphereSurface<'_> {
    /// The surface as knots and coefficients, evaluated periodically in longitude.
    #[inline]
    pub fn view(&self) -> SphereView<'_> {
        SphereView(Bicubic::trusted(&self.grid.tu, &self.grid.tv, &self.coeffs))
    }

    /// Value and first derivatives `(f, ∂f/∂θ, ∂f/∂φ)` at colatitude `theta`, longitude `phi`
    /// (radians); see [`SphereView::eval`].
    #[inline]
    pub fn eval(&self, theta: f64, phi: f64) -> (f64, f64, f64) {
        self.view().eval(theta, phi)
    }

    /// Value only.
    #[inline]
    pub fn value(&self, theta: f64, phi: f64) -> f64 {
        self.eval(theta, phi).0
    }
}

/// A spherical spline as knots (colatitude, longitude; radians) and coefficients: one built
/// here ([`SphereSurface::view`]) or handed in from outside ([`SphereView::new`]).
#[derive(Debug, Clone, Copy)]
pub struct SphereView<'a>(Bicubic<'a>);

impl<'a> SphereView<'a> {
    /// The spline of knots `tu` (colatitude), `tv` (longitude) and colatitude-major
    /// coefficients; refused as [`Bicubic::new`] refuses.
    pub fn new(tu: &'a [f64], tv: &'a [f64], coeffs: &'a [f64]) -> Result<Self, SplineError> {
        Bicubic::new(tu, tv, coeffs).map(Self)
    }

    /// The knots and coefficients.
    pub fn bicubic(&self) -> Bicubic<'a> {
        self.0
    }

    /// Value and first derivatives `(f, ∂f/∂θ, ∂f/∂φ)` at colatitude `theta`, longitude `phi`
    /// (radians). A longitude below the first column is taken one period on (the spline is
    /// periodic; SciPy would extrapolate there, which only differs on grids not starting at 0°).
    #[inline]
    pub fn eval(&self, theta: f64, phi: f64) -> (f64, f64, f64) {
        let tv = self.0.knots().1;
        let phi = if phi < tv[3] { phi + 2.0 * PI } else { phi };
        self.0.eval(theta, phi)
    }

    /// Value only.
    #[inline]
    pub fn value(&self, theta: f64, phi: f64) -> f64 {
        self.eval(theta, phi).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn grid(ny: usize, nx: usize) -> (Vec<f64>, Vec<f64>) {
        let dlat = 180.0 / (ny - 1) as f64;
        let lat = (0..ny).map(|i| 90.0 - i as f64 * dlat).collect();
        let lon = (0..nx).map(|j| j as f64 * 360.0 / nx as f64).collect();
        (lat, lon)
    }

    #[test]
    fn interpolates_every_grid_point_and_is_periodic() {
        let (lat, lon) = grid(19, 24);
        let f = Array2::from_shape_fn((19, 24), |(r, c)| {
            let (la, lo) = (lat[r] * DEG_TO_RAD, lon[c] * DEG_TO_RAD);
            1000.0 + 30.0 * la.sin() + 12.0 * (la.cos() * (2.0 * lo).cos()) + 5.0 * (3.0 * lo + la).sin() * la.cos()
        });
        let spline = SphereSpline::for_grid(&lat, &lon);
        let s = spline.surface(f.view()).unwrap();
        for r in 0..19 {
            for c in 0..24 {
                let theta = ((90.0 - lat[r]) * DEG_TO_RAD).clamp(POLE_CLEARANCE, PI - POLE_CLEARANCE);
                let v = s.value(theta, lon[c] * DEG_TO_RAD);
                assert!((v - f[[r, c]]).abs() < 1e-8, "{r} {c}: {v} vs {}", f[[r, c]]);
            }
        }
        let (a, b) = (s.eval(1.0, 1e-9), s.eval(1.0, 2.0 * PI - 1e-9));
        assert!((a.0 - b.0).abs() < 1e-6 && (a.2 - b.2).abs() < 1e-4, "{a:?} {b:?}");
    }

    #[test]
    fn small_or_repeated_grids_cannot_carry_the_spline() {
        let f = Array2::zeros((3, 8));
        assert_eq!(SphereSpline::for_grid(&[10.0, 0.0, -10.0], &[0.0; 8]).surface(f.view()).unwrap_err(), SplineError::BadGrid);
        let (lat, lon) = grid(7, 8);
        let mut f = Array2::zeros((7, 8));
        f[[3, 3]] = f64::NAN;
        assert_eq!(SphereSpline::for_grid(&lat, &lon).surface(f.view()).unwrap_err(), SplineError::NonFinite);
    }
}
