//! Output grids of the gridded metrics and the search of the cells a point reaches.

use super::MetricsError;
use crate::geo::{DEG_TO_RAD, floor_mod};

/// A latitude-longitude output grid (degrees). Metrics are row-major `(lat, lon)` on it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsGrid {
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
}

impl MetricsGrid {
    /// The regular global grid of a `--grid D` request: latitude from 90 to −90 and longitude
    /// from 0 to 360 − D in steps of D (the layout of the peer's ERA5 grids, so the two can be
    /// diffed directly). `D` must divide 180.
    ///
    /// ```
    /// let g = stormtrack::metrics::MetricsGrid::regular(2.5).unwrap();
    /// assert_eq!((g.lat.len(), g.lon.len()), (73, 144));
    /// assert_eq!((g.lat[0], g.lat[72], g.lon[0], g.lon[143]), (90.0, -90.0, 0.0, 357.5));
    /// ```
    pub fn regular(step_deg: f64) -> Result<Self, MetricsError> {
        let rows = 180.0 / step_deg;
        if !(step_deg.is_finite() && step_deg > 0.0 && step_deg <= 90.0) || (rows - rows.round()).abs() > 1e-9 {
            return Err(MetricsError::Grid(format!("`grid` {step_deg}: the spacing must be positive and divide 180 (e.g. 2.5, 1, 0.25)")));
        }
        let rows = rows.round() as usize;
        // multiply, never accumulate, so that every coordinate is the nearest float to k·D
        let lat = (0..=rows).map(|k| 90.0 - k as f64 * step_deg).collect();
        let lon = (0..2 * rows).map(|k| k as f64 * step_deg).collect();
        Ok(MetricsGrid { lat, lon })
    }

    /// A grid from explicit coordinates (any order; longitudes in any convention).
    pub fn new(lat: Vec<f64>, lon: Vec<f64>) -> Result<Self, MetricsError> {
        if lat.is_empty() || lon.is_empty() {
            return Err(MetricsError::Grid("the grid has no latitude or no longitude; give at least one of each".into()));
        }
        if lat.iter().any(|v| !v.is_finite() || v.abs() > 90.0) {
            return Err(MetricsError::Grid("latitudes must be finite and within [-90, 90]".into()));
        }
        if lon.iter().any(|v| !v.is_finite()) {
            return Err(MetricsError::Grid("longitudes must be finite".into()));
        }
        Ok(MetricsGrid { lat, lon })
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.lat.len() * self.lon.len()
    }

    /// True for a grid without cells (never, for a validated grid).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Longitudes evenly spaced and increasing, so that the columns near a longitude follow by
/// index arithmetic; otherwise every column is a candidate.
#[derive(Debug, Clone, Copy)]
enum LonAxis {
    Regular { lon0: f64, step: f64, periodic: bool },
    Irregular,
}

impl LonAxis {
    fn of(lon: &[f64]) -> LonAxis {
        if lon.len() < 2 {
            return LonAxis::Irregular;
        }
        let step = lon[1] - lon[0];
        let even = step > 0.0 && lon.iter().enumerate().all(|(j, &v)| (v - (lon[0] + j as f64 * step)).abs() <= 1e-9 * step.max(1.0));
        if !even {
            return LonAxis::Irregular;
        }
        let periodic = (lon.len() as f64 * step - 360.0).abs() < 1e-6;
        LonAxis::Regular { lon0: lon[0], step, periodic }
    }
}

/// The candidate cells of the points of a metrics computation: for a point and one grid row,
/// a superset of the columns within an angular radius, by index arithmetic on regular
/// longitudes. Callers apply the exact distance test to each candidate.
#[derive(Debug, Clone)]
pub(crate) struct CellSearch {
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    pub sin_lat: Vec<f64>,
    pub cos_lat: Vec<f64>,
    /// Longitudes in radians, as the distance formula converts them, and their cosine and sine.
    pub lon_rad: Vec<f64>,
    pub cos_lon: Vec<f64>,
    pub sin_lon: Vec<f64>,
    axis: LonAxis,
    /// Latitudes are monotonic: the rows near a latitude follow by binary search.
    monotonic: Option<bool>,
}

impl CellSearch {
    pub fn new(grid: &MetricsGrid) -> Self {
        let lat_rad: Vec<f64> = grid.lat.iter().map(|v| v * DEG_TO_RAD).collect();
        let l = &grid.lat;
        let monotonic = if l.windows(2).all(|w| w[1] > w[0]) {
            Some(true)
        } else if l.windows(2).all(|w| w[1] < w[0]) {
            Some(false)
        } else {
            None
        };
        CellSearch {
            lat: grid.lat.clone(),
            lon: grid.lon.clone(),
            sin_lat: lat_rad.iter().map(|v| v.sin()).collect(),
            cos_lat: lat_rad.iter().map(|v| v.cos()).collect(),
            lon_rad: grid.lon.iter().map(|v| v * DEG_TO_RAD).collect(),
            cos_lon: grid.lon.iter().map(|v| (v * DEG_TO_RAD).cos()).collect(),
            sin_lon: grid.lon.iter().map(|v| (v * DEG_TO_RAD).sin()).collect(),
            axis: LonAxis::of(&grid.lon),
            monotonic,
        }
    }

    /// Rows whose latitude is within `margin` degrees of `plat` (inclusive), as a range of
    /// row indices to test: exact for monotonic latitudes, every row otherwise.
    pub fn row_range(&self, plat: f64, margin: f64) -> std::ops::Range<usize> {
        let n = self.lat.len();
        match self.monotonic {
            Some(true) => self.lat.partition_point(|&g| g < plat - margin)..self.lat.partition_point(|&g| g <= plat + margin),
            Some(false) => self.lat.partition_point(|&g| g > plat + margin)..self.lat.partition_point(|&g| g >= plat - margin),
            None => 0..n,
        }
    }

    /// Half-width in degrees of longitude of a spherical cap of angular radius `radius` (radians)
    /// around a point at latitude `plat` (degrees): `asin(sin r / cos plat)`, or 180 when the
    /// cap holds a pole. Every cell within the cap, in any row, lies within it.
    pub fn cap_half_width(plat: f64, radius: f64) -> f64 {
        let colat = (90.0 - plat.abs()) * DEG_TO_RAD;
        if radius >= colat {
            return 180.0;
        }
        (radius.sin() / colat.sin()).min(1.0).asin() / DEG_TO_RAD
    }

    /// Calls `f` with every column whose longitude may lie within `half_width` degrees of
    /// `plon`: one spare column on each side of the exact window absorbs rounding.
    #[inline]
    pub fn columns(&self, plon: f64, half_width: f64, mut f: impl FnMut(usize)) {
        let n = self.lon.len();
        let LonAxis::Regular { lon0, step, periodic } = self.axis else {
            return (0..n).for_each(&mut f);
        };
        let half = half_width / step + 1.0 + 1e-9;
        let offset = floor_mod(plon - lon0, 360.0) / step;
        if periodic {
            if 2.0 * half + 1.0 >= n as f64 {
                return (0..n).for_each(&mut f);
            }
            let (lo, hi) = ((offset - half).floor() as i64, (offset + half).ceil() as i64);
            (lo..=hi).for_each(|j| f(j.rem_euclid(n as i64) as usize));
            return;
        }
        // a regional grid: the point's offset east of the first column, and that less a turn
        let mut last = -1i64;
        for centre in [offset - 360.0 / step, offset] {
            let lo = ((centre - half).floor() as i64).max(last + 1).max(0);
            let hi = ((centre + half).ceil() as i64).min(n as i64 - 1);
            for j in lo..=hi {
                f(j as usize);
            }
            last = last.max(hi);
        }
    }
}
