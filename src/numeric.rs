//! Numbers as NumPy computes them. Cell values as the peer stores them: `f64`, or `f32` when the file holds float32 (ERA5 does).
//! NumPy keeps float32 arithmetic in float32 (sums, differences, squares, square roots), so the
//! reductions here run in the element type to give the peer's numbers bit for bit.

use std::ops::{Add, Mul, Sub};

/// An element type of a gridded field: `f64` or `f32`.
pub trait GridValue: Copy + PartialOrd + Send + Sync + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + 'static {
    /// Zero of this type.
    const ZERO: Self;
    /// Exact widening to `f64`.
    fn to_f64(self) -> f64;
    /// Round an `f64` to this type (exact for values that came from it).
    fn from_f64(x: f64) -> Self;
    /// NaN test.
    fn is_nan(self) -> bool;
    /// Square root in this type.
    fn sqrt(self) -> Self;
    /// `sum / count` as NumPy's `nanmean` returns it (NaN when `count` is 0).
    fn div_count(sum: Self, count: usize) -> Self {
        Self::from_f64(sum.to_f64() / count as f64)
    }
}

impl GridValue for f64 {
    const ZERO: Self = 0.0;
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(x: f64) -> Self {
        x
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

impl GridValue for f32 {
    const ZERO: Self = 0.0;
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

/// NumPy's pairwise summation of a contiguous 1-D array (`np.sum`), in the element type:
/// plain loop below 8 items, 8 accumulators up to 128, then halves split at a multiple of 8.
pub fn pairwise_sum<T: GridValue>(a: &[T]) -> T {
    let n = a.len();
    if n < 8 {
        a.iter().fold(T::ZERO, |s, &x| s + x)
    } else if n <= 128 {
        let mut r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
        let full = n - n % 8;
        for chunk in a[8..full].chunks_exact(8) {
            for (acc, &x) in r.iter_mut().zip(chunk) {
                *acc = *acc + x;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[full..] {
            res = res + x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// `np.nanmean` of a 1-D array: NaN replaced by 0 in place, pairwise sum, divided by the count
/// of non-NaN items. NaN when every item is NaN or the slice is empty.
pub fn nanmean<T: GridValue>(values: &mut [T]) -> f64 {
    let mut count = 0;
    for v in values.iter_mut() {
        if v.is_nan() { *v = T::ZERO } else { count += 1 }
    }
    if count == 0 {
        return f64::NAN;
    }
    T::div_count(pairwise_sum(values), count).to_f64()
}
