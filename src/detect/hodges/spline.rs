//! Interpolating bicubic tensor-product B-spline on a rectangular grid (see docs/algorithms.md#b-spline-refinement, "Surface").
//!
//! Equivalent to FITPACK `RectBivariateSpline(kx=ky=3, s=0)`: not-a-knot style knot vectors
//! and coefficients `C = Ay⁻¹ Z Ax⁻ᵀ`, where `Ax`, `Ay` are the banded cubic collocation
//! matrices of the two axes. Everything that depends only on the grid (orderings, knots, the LU
//! factors of the collocation matrices) lives in [`RectSpline`], built once and shared (it is
//! `Sync`); a frame only pays for two banded solves.

use crate::geo::normalize_lon_360;
use ndarray::ArrayView2;

/// Why a spline surface could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplineError {
    /// Fewer than 4 distinct rows or columns, or coordinates not strictly increasing once sorted.
    BadGrid,
    /// The frame holds a non-finite value.
    NonFinite,
    /// Knots and coefficients that do not make a cubic spline (see [`Bicubic::new`]).
    BadKnots,
}

/// Cubic knot vector for interpolation at `nodes`: `[x0]*4 + nodes[2..n-2] + [x_{n-1}]*4`.
fn cubic_interpolation_knots(nodes: &[f64]) -> Vec<f64> {
    let n = nodes.len();
    let mut t = Vec::with_capacity(n + 4);
    t.extend_from_slice(&[nodes[0]; 4]);
    t.extend_from_slice(&nodes[2..n - 2]);
    t.extend_from_slice(&[nodes[n - 1]; 4]);
    t
}

/// Knot span `s` with `t[s] <= u < t[s+1]` for a cubic spline with `ncoef` coefficients;
/// `u` at or beyond the last interior knot maps to the last span, `u <= t[3]` to the first.
#[inline]
pub(super) fn find_span(t: &[f64], ncoef: usize, u: f64) -> usize {
    let last = ncoef - 1;
    if u >= t[last + 1] {
        return last;
    }
    if u <= t[3] {
        return 3;
    }
    let (mut low, mut high) = (3, last + 1);
    let mut mid = (low + high) / 2;
    while u < t[mid] || u >= t[mid + 1] {
        if u < t[mid] {
            high = mid;
        } else {
            low = mid;
        }
        mid = (low + high) / 2;
    }
    mid
}

/// The four non-zero cubic basis functions at `u` in span `span` (Cox–de Boor) and their first
/// derivatives, obtained from the quadratic basis of the same recursion.
#[inline]
pub(super) fn basis_and_derivs(t: &[f64], u: f64, span: usize) -> ([f64; 4], [f64; 4]) {
    let mut left = [0.0; 4];
    let mut right = [0.0; 4];
    let mut n = [1.0, 0.0, 0.0, 0.0];
    let mut quadratic = [0.0; 3];
    for j in 1..4 {
        left[j] = u - t[span + 1 - j];
        right[j] = t[span + j] - u;
        let mut saved = 0.0;
        for r in 0..j {
            let temp = n[r] / (right[r + 1] + left[j - r]);
            n[r] = saved + right[r + 1] * temp;
            saved = left[j - r] * temp;
        }
        n[j] = saved;
        if j == 2 {
            quadratic.copy_from_slice(&n[..3]);
        }
    }
    let mut d = [0.0; 4];
    for (r, dr) in d.iter_mut().enumerate() {
        let j = span - 3 + r;
        let mut term1 = 0.0;
        if r > 0 {
            let w = t[j + 3] - t[j];
            if w > 0.0 {
                term1 = quadratic[r - 1] / w;
            }
        }
        let mut term2 = 0.0;
        if r < 3 {
            let w = t[j + 4] - t[j + 1];
            if w > 0.0 {
                term2 = quadratic[r] / w;
            }
        }
        *dr = 3.0 * (term1 - term2);
    }
    (n, d)
}

/// Value and first derivatives `(f, ∂f/∂x, ∂f/∂y)` at `(x, y)` of the tensor-product cubic
/// spline with knots `tx` (`nx` coefficients) and `ty` (`ny`), coefficients x-major
/// (`coeffs[ix * ny + iy]`, FITPACK's layout).
#[inline]
pub(super) fn eval_tensor((tx, nx): (&[f64], usize), (ty, ny): (&[f64], usize), coeffs: &[f64], x: f64, y: f64) -> (f64, f64, f64) {
    let sx = find_span(tx, nx, x);
    let sy = find_span(ty, ny, y);
    let (bx, dbx) = basis_and_derivs(tx, x, sx);
    let (by, dby) = basis_and_derivs(ty, y, sy);
    let (mut v, mut dx, mut dy) = (0.0, 0.0, 0.0);
    for i in 0..4 {
        let column = &coeffs[(sx - 3 + i) * ny + sy - 3..][..4];
        for j in 0..4 {
            let c = column[j];
            v += c * bx[i] * by[j];
            dx += c * dbx[i] * by[j];
            dy += c * bx[i] * dby[j];
        }
    }
    (v, dx, dy)
}

/// LU factors (no pivoting) of a banded matrix with at most 3 sub- and 3 super-diagonals.
/// B-spline collocation matrices are totally positive, so elimination without pivoting is stable.
#[derive(Debug, Clone)]
pub(super) struct BandLu {
    n: usize,
    /// Row `i`, column `j` stored at `band[i * 7 + (j + 3 - i)]`; L below the diagonal (unit
    /// diagonal implied), U on and above it.
    band: Vec<f64>,
}

pub(super) const HALF_BAND: usize = 3;
const BAND_WIDTH: usize = 2 * HALF_BAND + 1;

impl BandLu {
    /// Collocation matrix `A[i][j] = B_j(nodes[i])` of the cubic spline with knots `t`, factored.
    fn collocation(nodes: &[f64], t: &[f64]) -> Option<Self> {
        let n = nodes.len();
        Self::factor(n, |i| {
            let span = find_span(t, n, nodes[i]);
            let (b, _) = basis_and_derivs(t, nodes[i], span);
            (span - 3..=span).zip(b).collect()
        })
    }

    /// Factor the `n × n` matrix whose row `i` holds the `(column, value)` entries `row(i)`;
    /// `None` when an entry lies outside the band or a pivot vanishes.
    pub(super) fn factor(n: usize, row: impl Fn(usize) -> Vec<(usize, f64)>) -> Option<Self> {
        let mut band = vec![0.0; n * BAND_WIDTH];
        for i in 0..n {
            for (j, v) in row(i) {
                if j >= n || j + HALF_BAND < i || j > i + HALF_BAND {
                    return None;
                }
                band[i * BAND_WIDTH + j + HALF_BAND - i] = v;
            }
        }
        let at = |i: usize, j: usize| i * BAND_WIDTH + j + HALF_BAND - i;
        for k in 0..n {
            let pivot = band[at(k, k)];
            if pivot == 0.0 || !pivot.is_finite() {
                return None;
            }
            for i in k + 1..(k + HALF_BAND + 1).min(n) {
                let l = band[at(i, k)] / pivot;
                band[at(i, k)] = l;
                for j in k + 1..(k + HALF_BAND + 1).min(n) {
                    band[at(i, j)] -= l * band[at(k, j)];
                }
            }
        }
        Some(Self { n, band })
    }

    #[inline]
    fn get(&self, i: usize, j: usize) -> f64 {
        self.band[i * BAND_WIDTH + j + HALF_BAND - i]
    }

    /// Solve `A X = B` in place where `B` is row-major `n × width` (row operations on whole rows).
    pub(super) fn solve_rows(&self, b: &mut [f64], width: usize) {
        let n = self.n;
        for i in 0..n {
            for k in i.saturating_sub(HALF_BAND)..i {
                let l = self.get(i, k);
                let (head, tail) = b.split_at_mut(i * width);
                let src = &head[k * width..(k + 1) * width];
                for (d, s) in tail[..width].iter_mut().zip(src) {
                    *d -= l * s;
                }
            }
        }
        for i in (0..n).rev() {
            for k in i + 1..(i + HALF_BAND + 1).min(n) {
                let u = self.get(i, k);
                let (head, tail) = b.split_at_mut(k * width);
                let src = &tail[..width];
                for (d, s) in head[i * width..(i + 1) * width].iter_mut().zip(src) {
                    *d -= u * s;
                }
            }
            let diag = self.get(i, i);
            for d in &mut b[i * width..(i + 1) * width] {
                *d /= diag;
            }
        }
    }
}

/// A bicubic tensor-product spline given by its knots and coefficients, FITPACK's `tck`: knots
/// `tx` and `ty`, coefficients x-major (`coeffs[ix * ny + iy]`, `ny = ty.len() - 4`). The
/// surfaces of this module and of the spherical spline are such splines; [`Bicubic::new`]
/// also accepts one handed in from outside (a spline exported and read back).
#[derive(Debug, Clone, Copy)]
pub struct Bicubic<'a> {
    tx: &'a [f64],
    ty: &'a [f64],
    coeffs: &'a [f64],
}

impl<'a> Bicubic<'a> {
    /// The spline of knots `tx`, `ty` and coefficients `coeffs`. Refused (`BadKnots`) unless
    /// each knot vector holds at least 8 finite, non-decreasing knots with `t[3] < t[len-4]`
    /// and `coeffs` holds `(tx.len() - 4) · (ty.len() - 4)` values: evaluation then never
    /// reads outside them.
    pub fn new(tx: &'a [f64], ty: &'a [f64], coeffs: &'a [f64]) -> Result<Self, SplineError> {
        let usable = |t: &[f64]| t.len() >= 8 && t.iter().all(|k| k.is_finite()) && t.windows(2).all(|w| w[1] >= w[0]) && t[3] < t[t.len() - 4];
        if !usable(tx) || !usable(ty) || coeffs.len() != (tx.len() - 4) * (ty.len() - 4) {
            return Err(SplineError::BadKnots);
        }
        Ok(Self { tx, ty, coeffs })
    }

    /// A spline whose knots and coefficients this module built (no check).
    #[inline]
    pub(super) fn trusted(tx: &'a [f64], ty: &'a [f64], coeffs: &'a [f64]) -> Self {
        Self { tx, ty, coeffs }
    }

    /// The knots in x and in y.
    pub fn knots(&self) -> (&'a [f64], &'a [f64]) {
        (self.tx, self.ty)
    }

    /// The coefficients, x-major.
    pub fn coeffs(&self) -> &'a [f64] {
        self.coeffs
    }

    /// Value and first derivatives `(f, ∂f/∂x, ∂f/∂y)` at `(x, y)`; outside the knots the end
    /// polynomial pieces continue.
    #[inline]
    pub fn eval(&self, x: f64, y: f64) -> (f64, f64, f64) {
        eval_tensor((self.tx, self.tx.len() - 4), (self.ty, self.ty.len() - 4), self.coeffs, x, y)
    }

    /// Value only.
    #[inline]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        self.eval(x, y).0
    }
}

/// Grid-only preparation for the rectangular spline (and the column order the candidate
/// path of docs/algorithms.md#rectangular-candidate-path shares). Build once per grid with [`RectSpline::for_grid`].
#[derive(Debug, Clone)]
pub struct RectSpline {
    periodic: bool,
    /// Native column of each sorted longitude (`lon mod 360` ascending when periodic).
    pub(crate) lon_order: Vec<usize>,
    /// Native row of each latitude in ascending order.
    lat_order: Vec<usize>,
    /// Sorted longitudes, extended by `x0 + 360` when periodic (the spline's x nodes).
    pub(crate) x_nodes: Vec<f64>,
    tx: Vec<f64>,
    ty: Vec<f64>,
    /// Collocation factors; `None` when the grid cannot carry a cubic interpolant.
    factors: Option<(BandLu, BandLu)>,
}

impl RectSpline {
    /// Prepare the grid given by the native coordinate vectors (`lat` rows, `lon` columns).
    /// Never fails: a grid unfit for a spline only makes [`RectSpline::surface`] fail.
    pub fn for_grid(lat: &[f64], lon: &[f64], periodic: bool) -> Self {
        let x: Vec<f64> = if periodic { lon.iter().map(|&l| normalize_lon_360(l)).collect() } else { lon.to_vec() };
        let mut lon_order: Vec<usize> = (0..lon.len()).collect();
        lon_order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut lat_order: Vec<usize> = (0..lat.len()).collect();
        lat_order.sort_by(|&a, &b| lat[a].total_cmp(&lat[b]));
        let mut x_nodes: Vec<f64> = lon_order.iter().map(|&j| x[j]).collect();
        if periodic && !x_nodes.is_empty() {
            x_nodes.push(x_nodes[0] + 360.0);
        }
        let y_nodes: Vec<f64> = lat_order.iter().map(|&i| lat[i]).collect();
        let usable = |v: &[f64]| v.len() >= 4 && v.iter().all(|a| a.is_finite()) && v.windows(2).all(|w| w[1] > w[0]);
        let (tx, ty, factors) = if usable(&x_nodes) && usable(&y_nodes) {
            let tx = cubic_interpolation_knots(&x_nodes);
            let ty = cubic_interpolation_knots(&y_nodes);
            let factors = BandLu::collocation(&x_nodes, &tx).zip(BandLu::collocation(&y_nodes, &ty));
            (tx, ty, factors)
        } else {
            (Vec::new(), Vec::new(), None)
        };
        Self { periodic, lon_order, lat_order, x_nodes, tx, ty, factors }
    }

    /// The knots in x (sorted longitudes) and y (ascending latitudes); empty when the grid
    /// cannot carry the spline.
    pub fn knots(&self) -> (&[f64], &[f64]) {
        (&self.tx, &self.ty)
    }

    /// Whether longitudes are periodic (the x axis carries the cyclic endpoint).
    pub fn periodic(&self) -> bool {
        self.periodic
    }

    /// Build the interpolating surface of one frame `(ny, nx)` in native row/column order.
    pub fn surface(&self, frame: ArrayView2<'_, f64>) -> Result<SplineSurface<'_>, SplineError> {
        let (ax, ay) = self.factors.as_ref().ok_or(SplineError::BadGrid)?;
        let (ny, nx) = frame.dim();
        if ny != self.lat_order.len() || nx != self.lon_order.len() {
            return Err(SplineError::BadGrid);
        }
        let width = self.x_nodes.len();
        let mut coeffs = Vec::with_capacity(ny * width);
        for &r in &self.lat_order {
            let row = frame.row(r);
            let start = coeffs.len();
            coeffs.extend(self.lon_order.iter().map(|&c| row[c]));
            if self.periodic {
                coeffs.push(coeffs[start]);
            }
        }
        if !coeffs.iter().all(|v| v.is_finite()) {
            return Err(SplineError::NonFinite);
        }
        // Ay⁻¹ Z on rows of length nx_nodes, then (Ax⁻¹ (Ay⁻¹ Z)ᵀ) on rows of length ny: both
        // solves are row operations over whole rows, which vectorise
        ay.solve_rows(&mut coeffs, width);
        let mut coeffs = transpose(&coeffs, ny, width);
        ax.solve_rows(&mut coeffs, ny);
        Ok(SplineSurface { grid: self, coeffs })
    }
}

/// Transpose of a row-major `rows × cols` matrix, in cache-friendly blocks.
pub(super) fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    const BLOCK: usize = 32;
    let mut t = vec![0.0; a.len()];
    for r0 in (0..rows).step_by(BLOCK) {
        for c0 in (0..cols).step_by(BLOCK) {
            for r in r0..(r0 + BLOCK).min(rows) {
                for c in c0..(c0 + BLOCK).min(cols) {
                    t[c * rows + r] = a[r * cols + c];
                }
            }
        }
    }
    t
}

/// One frame's interpolating bicubic spline; evaluation is `Sync` and allocation-free.
#[derive(Debug, Clone)]
pub struct SplineSurface<'g> {
    grid: &'g RectSpline,
    /// `nx_nodes × ny`, x-major (FITPACK's layout): `coeffs[ix * ny + iy]`.
    coeffs: Vec<f64>,
}

impl SplineSurface<'_> {
    /// Lower x bound `t_x[3]` (first sorted longitude).
    pub fn x_lower(&self) -> f64 {
        self.grid.tx[3]
    }
    /// Upper x bound `t_x[-4]` (`x0 + 360` when periodic).
    pub fn x_upper(&self) -> f64 {
        self.grid.tx[self.grid.tx.len() - 4]
    }
    /// Lowest latitude.
    pub fn y_lower(&self) -> f64 {
        self.grid.ty[3]
    }
    /// Highest latitude.
    pub fn y_upper(&self) -> f64 {
        self.grid.ty[self.grid.ty.len() - 4]
    }
    /// First real column's longitude `x_0`.
    pub fn first_sample_x(&self) -> f64 {
        self.grid.x_nodes[0]
    }
    /// Last real column's longitude `x_{nx-1}` (not the cyclic endpoint).
    pub fn last_sample_x(&self) -> f64 {
        self.grid.x_nodes[self.grid.lon_order.len() - 1]
    }

    /// The surface as knots and coefficients.
    #[inline]
    pub fn bicubic(&self) -> Bicubic<'_> {
        Bicubic { tx: &self.grid.tx, ty: &self.grid.ty, coeffs: &self.coeffs }
    }

    /// Value and first derivatives `(f, ∂f/∂x, ∂f/∂y)` at longitude `x`, latitude `y`.
    #[inline]
    pub fn eval(&self, x: f64, y: f64) -> (f64, f64, f64) {
        self.bicubic().eval(x, y)
    }

    /// Value only at `(x, y)`.
    #[inline]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        self.eval(x, y).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn field(lat: &[f64], lon: &[f64]) -> Array2<f64> {
        Array2::from_shape_fn((lat.len(), lon.len()), |(i, j)| {
            let (y, x) = (lat[i].to_radians(), lon[j].to_radians());
            1000.0 * (y.sin() + 0.3 * (2.0 * x).cos() * y.cos() + 0.1 * (5.0 * x + 3.0 * y).sin())
        })
    }

    #[test]
    fn interpolates_the_nodes() {
        // N→S rows, signed longitudes: the surface must reproduce every node (and the cyclic one)
        let lat: Vec<f64> = (0..37).map(|i| 90.0 - 5.0 * i as f64).collect();
        let lon: Vec<f64> = (0..72).map(|j| -180.0 + 5.0 * j as f64).collect();
        let f = field(&lat, &lon);
        let grid = RectSpline::for_grid(&lat, &lon, true);
        let s = grid.surface(f.view()).unwrap();
        let mut worst: f64 = 0.0;
        for (i, &y) in lat.iter().enumerate() {
            for (j, &x) in lon.iter().enumerate() {
                let x = normalize_lon_360(x);
                worst = worst.max((s.value(x, y) - f[[i, j]]).abs());
                if x == 0.0 {
                    worst = worst.max((s.value(360.0, y) - f[[i, j]]).abs());
                }
            }
        }
        assert!(worst < 1e-12 * 1000.0, "worst node error {worst}");
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let lat: Vec<f64> = (0..19).map(|i| -90.0 + 10.0 * i as f64).collect();
        let lon: Vec<f64> = (0..36).map(|j| 10.0 * j as f64).collect();
        let f = field(&lat, &lon);
        let grid = RectSpline::for_grid(&lat, &lon, true);
        let s = grid.surface(f.view()).unwrap();
        let (x, y, h) = (123.4, 37.7, 1e-5);
        let (_, dx, dy) = s.eval(x, y);
        let fdx = (s.value(x + h, y) - s.value(x - h, y)) / (2.0 * h);
        let fdy = (s.value(x, y + h) - s.value(x, y - h)) / (2.0 * h);
        assert!((dx - fdx).abs() < 1e-5 && (dy - fdy).abs() < 1e-5, "{dx} {fdx} {dy} {fdy}");
    }

    #[test]
    fn non_finite_frames_and_tiny_grids_fail() {
        let lat = [0.0, 1.0, 2.0, 3.0];
        let lon = [0.0, 90.0, 180.0, 270.0];
        let mut f = Array2::<f64>::zeros((4, 4));
        let grid = RectSpline::for_grid(&lat, &lon, true);
        assert!(grid.surface(f.view()).is_ok());
        f[[1, 1]] = f64::NAN;
        assert_eq!(grid.surface(f.view()).unwrap_err(), SplineError::NonFinite);
        let small = RectSpline::for_grid(&lat[..3], &lon, true);
        assert_eq!(small.surface(Array2::<f64>::zeros((3, 4)).view()).unwrap_err(), SplineError::BadGrid);
    }

    #[test]
    fn exported_knots_and_coefficients_evaluate_as_the_surface() {
        let lat: Vec<f64> = (0..19).map(|i| -90.0 + 10.0 * i as f64).collect();
        let lon: Vec<f64> = (0..36).map(|j| 10.0 * j as f64).collect();
        let f = field(&lat, &lon);
        let grid = RectSpline::for_grid(&lat, &lon, true);
        let s = grid.surface(f.view()).unwrap();
        let (tx, ty) = s.bicubic().knots();
        let (tx, ty, c) = (tx.to_vec(), ty.to_vec(), s.bicubic().coeffs().to_vec());
        let copy = Bicubic::new(&tx, &ty, &c).unwrap();
        assert_eq!(copy.eval(123.4, 37.7), s.eval(123.4, 37.7));
        // knots out of order, too few, or coefficients of another shape are refused
        let reversed: Vec<f64> = tx.iter().rev().copied().collect();
        assert_eq!(Bicubic::new(&reversed, &ty, &c).unwrap_err(), SplineError::BadKnots);
        assert_eq!(Bicubic::new(&tx[..7], &ty, &c).unwrap_err(), SplineError::BadKnots);
        assert_eq!(Bicubic::new(&tx, &ty, &c[1..]).unwrap_err(), SplineError::BadKnots);
    }
}
