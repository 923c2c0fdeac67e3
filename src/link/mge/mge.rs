//! MGE linking of one temporal segment (§7.10, §7.11).
//!
//! The workspace is a row-major `rows × T` matrix of filtered-feature indices (`PHANTOM` =
//! no feature). Speed comes from the following, none of which changes the result of
//! the straightforward O(rows²) exchange scan ([`Linker::best_pair_reference`]):
//!
//! 1. **Spatial candidates.** A pair can only be exchanged when every row that holds a real
//!    feature at the centre frame `k` and receives a real feature at the target frame `τ`
//!    receives one within `avg_dmax` of its `k` feature. Each feature's near neighbours
//!    (within the largest possible `avg_dmax`) in the adjacent frames are precomputed once
//!    per segment with a latitude-sorted band search, and `owner[feature]` maps a feature
//!    to its row, so the candidate partners of a row are found in O(neighbours).
//! 2. **Phantom classes.** Rows with phantoms at both `k` and `τ` ("PP rows") can only pair
//!    usefully with rows holding real features at `k` and `τ`; the gain of such a pair
//!    depends on the PP row only through whether its non-target neighbour (`k−1` forward,
//!    `k+1` backward) is real, so only the first PP row of each class in row order can be
//!    the selected pair.
//! 3. **Zero-gain pairs.** Pairs in which no row holds a real feature at `k` while
//!    receiving or losing one only move costs between identical values (gain exactly 0 in
//!    floating point), so they are never selected and are not enumerated.
//! 4. **Stale centres.** `best_pair(k, dir)` reads only columns `k−1..=k+1`, the real
//!    counts of rows present there (through the "≤ 1 real entries" skip) and the row list.
//!    Every workspace write marks the centres it can affect; a centre that returned no pair
//!    and has not been marked since is skipped in later sweeps.
//! 5. **Incremental costs.** The current cost of the row holding feature `g` at centre
//!    `frame(g)` is cached per feature and invalidated by writes next to it; great-circle
//!    angles between near features of adjacent frames are stored with the neighbour lists.
//!
//! The same gain expression is evaluated for every enumerated pair, and the maximum is taken
//! with ties resolved to the lexicographically first `(i, j)` — exactly the pair the
//! reference scan returns.

use crate::link::mge::TrackPoint;
use crate::link::mge::cost::{D2R, Point, adaptive_phimax, geod_dev_legs, zone_dmax};
use crate::link::mge::params::{EffectiveParams, MgeError};

/// Features with a value below this are DUFF (never kept, but usable as neighbours).
pub const DUFF_CUTOFF: f64 = -1.0e10;
/// DUFF test; NaN values are not DUFF (as in the reference's `value < cutoff`).
fn is_duff(value: f64) -> bool {
    value < DUFF_CUTOFF
}

/// Best-pair gains must exceed this.
const MIN_GAIN: f64 = 1.0e-8;
/// Phantom workspace entry.
const PHANTOM: u32 = u32::MAX;

/// One detected feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feature {
    pub lat: f64,
    pub lon: f64,
    /// Primary value; `< -1e10` marks a DUFF feature.
    pub value: f64,
}

/// Sweep direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Forward,
    Backward,
}

/// Which best-pair implementation drives the sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    Fast,
    #[cfg(test)]
    Reference,
    /// Runs both and panics on any disagreement (test oracle).
    #[cfg(test)]
    Checked,
}

/// Missing-frame counts (§7.10 step 1): `nmiss[f] = (interval_f − 1) div cadence`, last 0.
pub fn missing_counts(times: &[i64], time_step_ms: Option<i64>) -> Result<Vec<usize>, MgeError> {
    let mut n = vec![0usize; times.len()];
    if times.len() <= 1 {
        return Ok(n);
    }
    let intervals: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    if let Some(i) = intervals.iter().position(|&d| d <= 0) {
        return Err(MgeError::InvalidTimes { message: format!("frame {} time is not after frame {}; sort the frames by time", i + 1, i) });
    }
    let cadence = time_step_ms.unwrap_or_else(|| *intervals.iter().min().unwrap());
    for (f, &d) in intervals.iter().enumerate() {
        if time_step_ms.is_some() && d % cadence != 0 {
            return Err(MgeError::InvalidTimes {
                message: format!("interval {d} ms after frame {f} is not a multiple of time_step_ms {cadence}; fix time_step_ms"),
            });
        }
        n[f] = ((d - 1) / cadence) as usize;
    }
    Ok(n)
}

/// A frame's features sorted by latitude, for band queries.
struct LatIndex {
    /// `(lat, feature index)` sorted by latitude.
    sorted: Vec<(f64, u32)>,
}

impl LatIndex {
    fn new(lats: impl Iterator<Item = f64>) -> Self {
        let mut sorted: Vec<(f64, u32)> = lats.enumerate().map(|(i, l)| (l, i as u32)).collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        Self { sorted }
    }

    /// Indices of features with |Δlat| ≤ `radius` (plus a margin covering rounding of
    /// `geod`), in increasing index order. Since `geod ≥ |Δφ|`, this is a superset of the
    /// features within `radius` degrees of arc.
    fn band(&self, lat: f64, radius: f64, out: &mut Vec<u32>) {
        out.clear();
        let r = radius + 1e-6;
        let lo = self.sorted.partition_point(|e| e.0 < lat - r);
        let hi = self.sorted.partition_point(|e| e.0 <= lat + r);
        out.extend(self.sorted[lo..hi].iter().map(|e| e.1));
        out.sort_unstable();
    }
}

/// Largest possible `avg_dmax` for a given out-of-zone default.
fn max_avg_dmax(p: &EffectiveParams, default: f64) -> f64 {
    if p.zones.is_empty() { default } else { p.zones.iter().map(|z| z.dmax).fold(default, f64::max) }
}

/// TRACK `feature_pt_filter` (§7.10 step 3): which features of each frame are kept.
fn prefilter(frames: &[&[Feature]], nmiss: &[usize], p: &EffectiveParams) -> Vec<Vec<bool>> {
    let pts: Vec<Vec<(Point, Option<f64>)>> =
        frames.iter().map(|fr| fr.iter().map(|f| (Point::new(f.lat, f.lon), zone_dmax(f.lat, f.lon, &p.zones))).collect()).collect();
    let idx: Vec<LatIndex> = frames.iter().map(|fr| LatIndex::new(fr.iter().map(|f| f.lat))).collect();
    let mut band = Vec::new();
    let t = frames.len();
    let connected = |f: usize, g: usize, adj: usize, default: f64, band: &mut Vec<u32>| {
        let (a, za) = &pts[f][g];
        idx[adj].band(a.lat, max_avg_dmax(p, default), band);
        band.iter().any(|&q| {
            let (b, zb) = &pts[adj][q as usize];
            let avg = 0.5 * (za.unwrap_or(default) + zb.unwrap_or(default));
            a.geod(b) <= avg * D2R
        })
    };
    (0..t)
        .map(|f| {
            (0..frames[f].len())
                .map(|g| {
                    !is_duff(frames[f][g].value)
                        && ((f + 1 < t && connected(f, g, f + 1, p.dmax_param(nmiss[f]), &mut band))
                            || (f > 0 && connected(f, g, f - 1, p.dmax_param(nmiss[f - 1]), &mut band)))
                })
                .collect()
        })
        .collect()
}

/// Checks that every feature lies in some zone (§7.10 step 2).
fn check_zone_coverage(frames: &[&[Feature]], p: &EffectiveParams) -> Result<(), MgeError> {
    if p.zones.is_empty() {
        return Ok(());
    }
    for (f, fr) in frames.iter().enumerate() {
        for (g, x) in fr.iter().enumerate() {
            if zone_dmax(x.lat, x.lon, &p.zones).is_none() {
                return Err(MgeError::UncoveredFeature { frame: f, feature: g, lat: x.lat, lon: x.lon });
            }
        }
    }
    Ok(())
}

/// Links one segment: frames of features and their times (ms). Returns the tracks in
/// workspace row order (every row with at least one real entry, 1-point tracks included),
/// each as `(frame, feature index within frame)` in time order.
pub fn link_segment(frames: &[&[Feature]], times: &[i64], p: &EffectiveParams) -> Result<Vec<Vec<TrackPoint>>, MgeError> {
    Ok(Linker::new(frames, times, p)?.run(Strategy::Fast, &mut |_, _| {}))
}

/// State of one segment's linking.
pub(crate) struct Linker<'a> {
    p: &'a EffectiveParams,
    t: usize,
    nmiss: Vec<usize>,
    /// Filtered features (global index), their frame and original index within the frame.
    pts: Vec<Point>,
    zone: Vec<Option<f64>>,
    frame_of: Vec<u32>,
    orig: Vec<u32>,
    offsets: Vec<usize>,
    /// CSR lists of near features in frame+1 / frame−1 (sorted by feature index):
    /// `geod(g, q) ≤ D·π/180` with `D` the largest possible `avg_dmax` of the link — a
    /// superset of the admissible ones, which are tested exactly where used.
    next_start: Vec<u32>,
    next: Vec<Near>,
    prev_start: Vec<u32>,
    prev: Vec<Near>,
    /// Workspace, row-major `rows × t`.
    cells: Vec<u32>,
    /// Real entries per row.
    count: Vec<u32>,
    /// Row holding each feature.
    owner: Vec<u32>,
    /// Scratch row marks for [`Linker::first_free_row`] (`mark_gen` = current generation).
    marks: Vec<u32>,
    mark_gen: u32,
    /// `stale[dir][k]`: the workspace changed where `best_pair(k, dir)` looks since it last
    /// returned no pair (columns `k−1..=k+1`, a row's real count crossing 1↔2 next to
    /// them, or new rows), so it must be evaluated again. Clean centres are skipped.
    stale: [Vec<bool>; 2],
    /// Cached cost at centre `frame(g)` of the row holding feature `g` (NaN = unknown);
    /// the triplet is the same for both directions.
    centre_cost: Vec<f64>,
}

/// A near feature of an adjacent frame and the great-circle angle to it (from the owner
/// of the list to `q`, in that operand order).
#[derive(Debug, Clone, Copy)]
struct Near {
    q: u32,
    d: f64,
}

/// A proposed exchange with its gain.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pick {
    gain: f64,
    i: usize,
    j: usize,
}

/// Every frame needs exactly one time.
pub(crate) fn check_one_time_per_frame(frames: usize, times: usize) -> Result<(), MgeError> {
    if frames != times {
        return Err(MgeError::InvalidTimes { message: format!("{frames} frames but {times} times; give one time per frame") });
    }
    Ok(())
}

impl<'a> Linker<'a> {
    /// Missing-frame counts, zone check, prefilter, neighbour lists and workspace
    /// initialisation (§7.10 steps 1–4).
    pub(crate) fn new(frames: &[&[Feature]], times: &[i64], p: &'a EffectiveParams) -> Result<Self, MgeError> {
        check_one_time_per_frame(frames.len(), times.len())?;
        let nmiss = missing_counts(times, p.time_step_ms)?;
        check_zone_coverage(frames, p)?;
        let keep = prefilter(frames, &nmiss, p);
        let mut lk = Self::with_features(frames, nmiss, p, &keep);
        lk.initialise();
        Ok(lk)
    }

    /// A linker over the `keep`-selected features with an empty workspace.
    fn with_features(frames: &[&[Feature]], nmiss: Vec<usize>, p: &'a EffectiveParams, keep: &[Vec<bool>]) -> Self {
        let t = frames.len();
        let mut lk = Linker {
            p,
            t,
            nmiss,
            pts: Vec::new(),
            zone: Vec::new(),
            frame_of: Vec::new(),
            orig: Vec::new(),
            offsets: vec![0],
            next_start: vec![0],
            next: Vec::new(),
            prev_start: vec![0],
            prev: Vec::new(),
            cells: Vec::new(),
            count: Vec::new(),
            owner: Vec::new(),
            marks: Vec::new(),
            mark_gen: 0,
            stale: [vec![true; t], vec![true; t]],
            centre_cost: Vec::new(),
        };
        for (f, fr) in frames.iter().enumerate() {
            for (g, x) in fr.iter().enumerate().filter(|(g, _)| keep[f][*g]) {
                lk.pts.push(Point::new(x.lat, x.lon));
                lk.zone.push(zone_dmax(x.lat, x.lon, &p.zones));
                lk.frame_of.push(f as u32);
                lk.orig.push(g as u32);
            }
            lk.offsets.push(lk.pts.len());
        }
        lk.owner = vec![PHANTOM; lk.pts.len()];
        lk.centre_cost = vec![f64::NAN; lk.pts.len()];
        lk.build_neighbours();
        lk
    }

    /// A linker keeping every feature, with an empty workspace (tests of single steps).
    #[cfg(test)]
    pub(crate) fn bare(frames: &[&[Feature]], times: &[i64], p: &'a EffectiveParams) -> Self {
        let keep: Vec<Vec<bool>> = frames.iter().map(|f| vec![true; f.len()]).collect();
        Self::with_features(frames, missing_counts(times, p.time_step_ms).unwrap(), p, &keep)
    }

    fn frame(&self, f: usize) -> std::ops::Range<usize> {
        self.offsets[f]..self.offsets[f + 1]
    }

    /// Default dmax of the link between frames `f` and `f+1`.
    fn link_default(&self, f: usize) -> f64 {
        self.p.dmax_param(self.nmiss[f])
    }

    fn avg_dmax(&self, a: u32, b: u32, default: f64) -> f64 {
        0.5 * (self.zone[a as usize].unwrap_or(default) + self.zone[b as usize].unwrap_or(default))
    }

    /// `geod(a, b)` (operand order as given), from the neighbour lists when `b` is near.
    #[inline]
    fn dist(&self, a: u32, b: u32) -> f64 {
        let (fa, fb) = (self.frame_of[a as usize], self.frame_of[b as usize]);
        let list = if fb == fa + 1 {
            self.neighbours(a, Dir::Forward)
        } else if fb + 1 == fa {
            self.neighbours(a, Dir::Backward)
        } else {
            &[]
        };
        match list.binary_search_by_key(&b, |n| n.q) {
            Ok(i) => list[i].d,
            Err(_) => self.pts[a as usize].geod(&self.pts[b as usize]),
        }
    }

    /// Exact displacement test `geod(a, b) ≤ avg_dmax·π/180` (operand order as given).
    fn within(&self, a: u32, b: u32, default: f64) -> bool {
        self.dist(a, b) <= self.avg_dmax(a, b, default) * D2R
    }

    fn build_neighbours(&mut self) {
        let idx: Vec<LatIndex> = (0..self.t).map(|f| LatIndex::new(self.frame(f).map(|g| self.pts[g].lat))).collect();
        let mut band = Vec::new();
        let (mut next, mut prev) = (Vec::new(), Vec::new());
        let (mut next_start, mut prev_start) = (vec![0u32], vec![0u32]);
        for f in 0..self.t {
            for g in self.frame(f) {
                for (adj, list, starts) in [(f + 1, &mut next, &mut next_start), (f.wrapping_sub(1), &mut prev, &mut prev_start)] {
                    if adj < self.t {
                        let default = self.link_default(f.min(adj));
                        let radius = max_avg_dmax(self.p, default);
                        idx[adj].band(self.pts[g].lat, radius, &mut band);
                        let base = self.offsets[adj] as u32;
                        list.extend(band.iter().map(|&q| q + base).filter_map(|q| {
                            let d = self.pts[g].geod(&self.pts[q as usize]);
                            (d <= radius * D2R).then_some(Near { q, d })
                        }));
                    }
                    starts.push(list.len() as u32);
                }
            }
        }
        (self.next, self.prev, self.next_start, self.prev_start) = (next, prev, next_start, prev_start);
    }

    fn neighbours(&self, g: u32, dir: Dir) -> &[Near] {
        let g = g as usize;
        match dir {
            Dir::Forward => &self.next[self.next_start[g] as usize..self.next_start[g + 1] as usize],
            Dir::Backward => &self.prev[self.prev_start[g] as usize..self.prev_start[g + 1] as usize],
        }
    }

    pub(crate) fn rows(&self) -> usize {
        self.count.len()
    }

    #[inline]
    fn at(&self, r: usize, f: usize) -> u32 {
        self.cells[r * self.t + f]
    }

    fn push_row(&mut self) -> usize {
        self.stale.iter_mut().for_each(|s| s.fill(true));
        self.cells.extend(std::iter::repeat_n(PHANTOM, self.t));
        self.count.push(0);
        self.count.len() - 1
    }

    fn set(&mut self, r: usize, f: usize, v: u32) {
        let old = std::mem::replace(&mut self.cells[r * self.t + f], v);
        if old == v {
            return;
        }
        let before = self.count[r];
        if old != PHANTOM {
            self.count[r] -= 1;
        }
        if v != PHANTOM {
            self.count[r] += 1;
            self.owner[v as usize] = r as u32;
        }
        self.mark_stale(f);
        for g in [old, v, self.at_or_phantom(r, f.wrapping_sub(1)), self.at_or_phantom(r, f + 1)] {
            if g != PHANTOM {
                self.centre_cost[g as usize] = f64::NAN;
            }
        }
        // The "real count ≤ 1" skip of best_pair reads counts of rows real at k or τ.
        if (before <= 1) != (self.count[r] <= 1) {
            for g in 0..self.t {
                if self.at(r, g) != PHANTOM {
                    self.mark_stale(g);
                }
            }
        }
    }

    fn at_or_phantom(&self, r: usize, f: usize) -> u32 {
        if f < self.t { self.at(r, f) } else { PHANTOM }
    }

    /// Marks the centres whose triplets or targets include frame `f`.
    fn mark_stale(&mut self, f: usize) {
        for c in f.saturating_sub(1)..=(f + 1).min(self.t - 1) {
            self.stale[0][c] = true;
            self.stale[1][c] = true;
        }
    }

    /// Moves frames `[first, last)` of row `src` to row `dst` (source becomes phantom).
    fn move_section(&mut self, src: usize, dst: usize, first: usize, last: usize) {
        for c in first..last {
            let v = self.at(src, c);
            self.set(src, c, PHANTOM);
            self.set(dst, c, v);
        }
    }

    /// First row whose entries are phantom over all `frames`, found by marking the owners of
    /// those frames' features (cheaper than scanning the row-major workspace).
    fn first_free_row(&mut self, frames: std::ops::RangeInclusive<usize>) -> Option<usize> {
        self.marks.resize(self.rows(), 0);
        self.mark_gen = self.mark_gen.wrapping_add(1);
        if self.mark_gen == 0 {
            self.marks.fill(0);
            self.mark_gen = 1;
        }
        for f in frames {
            for g in self.frame(f) {
                if let Some(m) = self.marks.get_mut(self.owner[g] as usize) {
                    *m = self.mark_gen;
                }
            }
        }
        self.marks.iter().position(|&m| m != self.mark_gen)
    }

    /// Exchanges the entries of rows `i` and `j` at frame `f`.
    fn swap(&mut self, i: usize, j: usize, f: usize) {
        let (a, b) = (self.at(i, f), self.at(j, f));
        self.set(i, f, PHANTOM);
        self.set(j, f, a);
        self.set(i, f, b);
    }

    /// TRACK `initialize_mge` (§7.10 step 4).
    fn initialise(&mut self) {
        if self.t == 0 {
            return;
        }
        for g in self.frame(0) {
            let r = self.push_row();
            self.set(r, 0, g as u32);
            self.push_row();
        }
        for f in 0..self.t.saturating_sub(1) {
            let default = self.link_default(f);
            for g in self.frame(f) {
                let r = self.owner[g];
                // A later candidate at equal distance wins (`≤`). Only near features are
                // scanned: the nearest unassigned feature can pass the avg_dmax test only
                // if it is near, and if any near one is unassigned the nearest is near.
                let mut best: Option<(f64, u32)> = None;
                for &Near { q, d } in self.neighbours(g as u32, Dir::Forward) {
                    if self.owner[q as usize] != PHANTOM {
                        continue;
                    }
                    if best.is_none_or(|(bd, _)| d <= bd) {
                        best = Some((d, q));
                    }
                }
                if let Some((_, q)) = best.filter(|&(_, q)| self.within(g as u32, q, default)) {
                    self.set(r as usize, f + 1, q);
                }
            }
            for q in self.frame(f + 1) {
                if self.owner[q] == PHANTOM {
                    let r = self.push_row();
                    self.set(r, f + 1, q as u32);
                    self.push_row();
                }
            }
        }
    }

    /// Runs MGE and the final split (§7.10 steps 5–6), calling `on_sweep` after every
    /// directional sweep, and returns the output tracks (step 7).
    pub(crate) fn run(mut self, strategy: Strategy, on_sweep: &mut dyn FnMut(Dir, &Self)) -> Vec<Vec<TrackPoint>> {
        if self.t > 3 {
            self.outer_control(strategy, on_sweep);
            self.split_track_sections();
        }
        self.tracks()
    }

    /// Output rows: every row with a real entry, its real points in time order.
    pub(crate) fn tracks(&self) -> Vec<Vec<TrackPoint>> {
        (0..self.rows())
            .filter(|&r| self.count[r] > 0)
            .map(|r| {
                (0..self.t)
                    .filter_map(|f| {
                        let g = self.at(r, f);
                        (g != PHANTOM).then(|| (f, self.orig[g as usize] as usize))
                    })
                    .collect()
            })
            .collect()
    }

    /// §7.11 j.
    fn outer_control(&mut self, strategy: Strategy, on_sweep: &mut dyn FnMut(Dir, &Self)) {
        let (mut fwd, mut bwd) = (true, true);
        let m = self.p.max_iterations;
        for r in 0..m {
            if !fwd && !bwd {
                break;
            }
            if fwd {
                if self.run_direction(Dir::Forward, strategy, on_sweep) {
                    bwd = true;
                }
                fwd = false;
            }
            if r == m - 1 {
                break;
            }
            if bwd {
                if self.run_direction(Dir::Backward, strategy, on_sweep) {
                    fwd = true;
                }
                bwd = false;
            }
        }
    }

    /// Adaptive preprocessing, then sweeps in one direction until one changes nothing.
    /// Returns whether any sweep changed the workspace.
    fn run_direction(&mut self, dir: Dir, strategy: Strategy, on_sweep: &mut dyn FnMut(Dir, &Self)) -> bool {
        if self.p.adapt.is_some() {
            self.split_track_sections();
            self.constraint_filter(dir);
        }
        let mut any = false;
        loop {
            let changed = self.sweep(dir, strategy);
            on_sweep(dir, self);
            if !changed {
                return any;
            }
            any = true;
        }
    }

    /// One forward or backward sweep (§7.11 f).
    fn sweep(&mut self, dir: Dir, strategy: Strategy) -> bool {
        let t = self.t;
        let mut changed = false;
        let ks: Vec<usize> = match dir {
            Dir::Forward => (1..t - 1).collect(),
            Dir::Backward => (1..t - 1).rev().collect(),
        };
        let d = dir as usize;
        for k in ks {
            let fast = |lk: &mut Self| {
                let stale = std::mem::replace(&mut lk.stale[d][k], false);
                if stale { lk.best_pair_fast(k, dir) } else { None }
            };
            let pick = match strategy {
                Strategy::Fast => fast(self),
                #[cfg(test)]
                Strategy::Reference => self.best_pair_reference(k, dir),
                #[cfg(test)]
                Strategy::Checked => {
                    let b = self.best_pair_reference(k, dir);
                    let a = fast(self);
                    assert_eq!(a, b, "best_pair mismatch at k={k} dir={dir:?}");
                    a
                }
            };
            let Some((i, j)) = pick else { continue };
            changed = true;
            match dir {
                Dir::Forward => {
                    self.swap(i, j, k + 1);
                    if k + 2 < t {
                        // §20.10: the reference indexes dmax_params[nmiss] unclamped.
                        let default = self.p.dmax_param(self.nmiss[k + 1]);
                        self.track_fail(i, k, dir, default);
                        self.track_fail(j, k, dir, default);
                    }
                }
                Dir::Backward => {
                    self.swap(i, j, k - 1);
                    if k >= 2 {
                        let default = self.p.dmax_param(self.nmiss[k - 2]);
                        self.track_fail(i, k, dir, default);
                        self.track_fail(j, k, dir, default);
                    }
                }
            }
        }
        changed
    }

    /// `(cost, limit)` of the triplet `p0, p1, p2` (§7.11 a); `limit` is φ* of the
    /// dynamic smoothness check when all three are real.
    fn triplet(&self, p0: u32, p1: u32, p2: u32, phimax: f64) -> (f64, Option<f64>) {
        if p0 == PHANTOM {
            return (0.0, None);
        }
        if p1 == PHANTOM || p2 == PHANTOM {
            return (phimax, None);
        }
        let (a, b, c) = (&self.pts[p0 as usize], &self.pts[p1 as usize], &self.pts[p2 as usize]);
        let (d1, d2) = (self.dist(p0, p1), self.dist(p1, p2));
        let cost = geod_dev_legs(a, b, c, d1, d2, self.p.w1, self.p.w2);
        let limit = adaptive_phimax(0.5 * (d1 + d2) / D2R, self.p.adapt.as_ref(), phimax);
        (cost, Some(limit))
    }

    /// Cost at centre `k` of row `r` with its target-frame entry replaced by `tau_val`.
    fn cost_with(&self, r: usize, k: usize, dir: Dir, tau_val: u32, phimax: f64) -> (f64, Option<f64>) {
        match dir {
            Dir::Forward => self.triplet(self.at(r, k - 1), self.at(r, k), tau_val, phimax),
            Dir::Backward => self.triplet(tau_val, self.at(r, k), self.at(r, k + 1), phimax),
        }
    }

    /// Per-k constants: target frame, phantom penalty, default dmax (§7.11 e).
    fn step_params(&self, k: usize, dir: Dir) -> (usize, f64, f64) {
        let phimax = self.p.phimax_param(self.nmiss[k - 1].max(self.nmiss[k]));
        match dir {
            Dir::Forward => (k + 1, phimax, self.p.dmax_param(self.nmiss[k])),
            Dir::Backward => (k - 1, phimax, self.p.dmax_param(self.nmiss[k - 1])),
        }
    }

    /// The reference's evaluation of one pair `i < j`, given their current costs:
    /// `Some(gain)` when the exchange is admissible.
    #[allow(clippy::too_many_arguments)]
    fn evaluate(&self, i: usize, j: usize, ci: f64, cj: f64, k: usize, dir: Dir, tau: usize, phimax: f64, dmax: f64) -> Option<f64> {
        if self.count[i] <= 1 && self.count[j] <= 1 {
            return None;
        }
        let (ti, tj) = (self.at(i, tau), self.at(j, tau));
        if ti == tj {
            return None;
        }
        let (ki, kj) = (self.at(i, k), self.at(j, k));
        if ki != PHANTOM && tj != PHANTOM && !self.within(ki, tj, dmax) {
            return None;
        }
        if kj != PHANTOM && ti != PHANTOM && !self.within(kj, ti, dmax) {
            return None;
        }
        let (ni, li) = self.cost_with(i, k, dir, tj, phimax);
        let (nj, lj) = self.cost_with(j, k, dir, ti, phimax);
        if li.is_some_and(|l| ni > l) || lj.is_some_and(|l| nj > l) {
            return None;
        }
        Some((ci + cj) - (ni + nj))
    }

    /// The straightforward O(rows²) `best_pair(k, dir)` of §7.11 e (test oracle).
    #[cfg(test)]
    pub(crate) fn best_pair_reference(&self, k: usize, dir: Dir) -> Option<(usize, usize)> {
        let (tau, phimax, dmax) = self.step_params(k, dir);
        let n = self.rows();
        let costs: Vec<f64> = (0..n).map(|r| self.cost_with(r, k, dir, self.at(r, tau), phimax).0).collect();
        let mut best = MIN_GAIN;
        let mut pick = None;
        for i in 0..n {
            for j in i + 1..n {
                if let Some(g) = self.evaluate(i, j, costs[i], costs[j], k, dir, tau, phimax, dmax) {
                    if g > best {
                        best = g;
                        pick = Some((i, j));
                    }
                }
            }
        }
        pick
    }

    /// Fast `best_pair(k, dir)`; returns the same pair as the reference scan (see module doc).
    pub(crate) fn best_pair_fast(&mut self, k: usize, dir: Dir) -> Option<(usize, usize)> {
        let (tau, phimax, dmax) = self.step_params(k, dir);
        let side = match dir {
            Dir::Forward => k - 1,
            Dir::Backward => k + 1,
        };

        // First PP row of each class (real entry on the non-target side or not). Partners
        // of PP rows hold real features at k and τ, so the real-count skip never applies.
        let rep_phantom = self.first_free_row(k.min(side).min(tau)..=k.max(side).max(tau));
        let is_pp = |r: usize| self.at(r, k) == PHANTOM && self.at(r, tau) == PHANTOM;
        // Rows with a real non-target neighbour are the owners of that frame's features.
        let rep_real = self.frame(side).map(|g| self.owner[g] as usize).filter(|&r| is_pp(r)).min();
        let reps = [rep_real, rep_phantom];

        // Costs of the rows holding frame-k features come from the cache; rows with a
        // phantom at k have trivial costs (no trigonometry).
        for g in self.frame(k) {
            if self.centre_cost[g].is_nan() {
                let r = self.owner[g] as usize;
                self.centre_cost[g] = self.cost_with(r, k, dir, self.at(r, tau), phimax).0;
            }
        }
        let cost = |r: usize| match self.at(r, k) {
            PHANTOM => self.cost_with(r, k, dir, self.at(r, tau), phimax).0,
            g => self.centre_cost[g as usize],
        };

        let mut best: Option<Pick> = None;
        let mut consider = |a: usize, b: usize, ca: f64, cb: f64| {
            let (i, j, ci, cj) = if a < b { (a, b, ca, cb) } else { (b, a, cb, ca) };
            if let Some(gain) = self.evaluate(i, j, ci, cj, k, dir, tau, phimax, dmax) {
                let better = match best {
                    None => gain > MIN_GAIN,
                    Some(bp) => gain > bp.gain || (gain == bp.gain && (i, j) < (bp.i, bp.j)),
                };
                if better {
                    best = Some(Pick { gain, i, j });
                }
            }
        };
        for g in self.frame(k) {
            let i = self.owner[g] as usize;
            let ci = cost(i);
            let ti = self.at(i, tau);
            for &Near { q, .. } in self.neighbours(g as u32, dir) {
                let j = self.owner[q as usize] as usize;
                if j == i {
                    continue;
                }
                // Both rows hold real features at k and τ: the pair is admissible only if
                // each row finds the other's τ feature, so enumerate it from the lower row.
                if ti != PHANTOM && self.at(j, k) != PHANTOM && j < i {
                    continue;
                }
                consider(i, j, ci, cost(j));
            }
            if ti != PHANTOM {
                for &r in reps.iter().flatten() {
                    consider(i, r, ci, cost(r));
                }
            }
        }
        best.map(|b| (b.i, b.j))
    }

    /// TRACK `track_fail` for row `r` around centre `k` (§7.11 g).
    fn track_fail(&mut self, r: usize, k: usize, dir: Dir, default: f64) {
        let t = self.t;
        let excess = |a: u32, b: u32| a != PHANTOM && b != PHANTOM && !self.within(a, b, default);
        let (first, last) = match dir {
            Dir::Forward => {
                let first = k + 2;
                if first >= t || !excess(self.at(r, k + 1), self.at(r, first)) {
                    return;
                }
                let last = (first + 1..t).find(|&f| self.at(r, f) == PHANTOM).unwrap_or(t);
                (first, last)
            }
            Dir::Backward => {
                let last = k - 1;
                if last == 0 || !excess(self.at(r, last), self.at(r, k - 2)) {
                    return;
                }
                let first = if last - 1 == 0 { 0 } else { (0..last).rev().find(|&f| self.at(r, f) == PHANTOM).map_or(0, |f| f + 1) };
                (first, last)
            }
        };
        if last <= first {
            return;
        }
        let lo = first.saturating_sub(1);
        let hi = if last == t { last - 1 } else { last };
        let dest = self.first_free_row(lo..=hi).or_else(|| self.count.iter().position(|&c| c == 0));
        if let Some(d) = dest {
            self.move_section(r, d, first, last);
        }
    }

    /// TRACK `track_split` (§7.11 h): every row present on entry keeps its last contiguous
    /// section; earlier sections move to new rows (each followed by a phantom row).
    pub(crate) fn split_track_sections(&mut self) {
        let n = self.rows();
        for r in 0..n {
            while self.count[r] > 1 {
                let f = (0..self.t).find(|&f| self.at(r, f) != PHANTOM).unwrap();
                let l = (f + 1..self.t).find(|&c| self.at(r, c) == PHANTOM).unwrap_or(self.t);
                if l - f >= self.count[r] as usize {
                    break;
                }
                let d = self.push_row();
                self.move_section(r, d, f, l);
                self.push_row();
            }
        }
    }

    /// Directional adaptive constraint filter (§7.11 i); rows are contiguous after a split.
    pub(crate) fn constraint_filter(&mut self, dir: Dir) {
        let t = self.t;
        let static_dmax = self.p.dmax_params[0];
        let mut r = 0;
        while r < self.rows() {
            if self.count[r] <= 2 {
                r += 1;
                continue;
            }
            let real: Vec<usize> = (0..t).filter(|&f| self.at(r, f) != PHANTOM).collect();
            let mut central: Vec<usize> = real[1..real.len() - 1].to_vec();
            if dir == Dir::Backward {
                central.reverse();
            }
            for c in central {
                let (a, prev, first, last) = match dir {
                    Dir::Forward => (c + 1, c - 1, c + 1, t),
                    Dir::Backward => (c - 1, c + 1, 0, c),
                };
                let (pc, pa, pp) = (self.at(r, c), self.at(r, a), self.at(r, prev));
                debug_assert!(pa != PHANTOM && pp != PHANTOM, "rows are contiguous after a split");
                let (ec, ea, ep) = (&self.pts[pc as usize], &self.pts[pa as usize], &self.pts[pp as usize]);
                let violates = if ec.geod(ea) > static_dmax * D2R {
                    true
                } else {
                    let (d1, d2) = (ep.geod(ec), ec.geod(ea));
                    let cost = geod_dev_legs(ep, ec, ea, d1, d2, self.p.w1, self.p.w2);
                    cost > adaptive_phimax(0.5 * (d1 + d2) / D2R, self.p.adapt.as_ref(), self.p.phimax)
                };
                if violates {
                    let d = self.push_row();
                    self.move_section(r, d, first, last);
                    self.push_row();
                    break;
                }
            }
            r += 1;
        }
    }

    /// The workspace as rows of `Option<global filtered feature index>` (tests).
    #[cfg(test)]
    pub(crate) fn matrix(&self) -> Vec<Vec<i64>> {
        (0..self.rows()).map(|r| (0..self.t).map(|f| if self.at(r, f) == PHANTOM { -1 } else { self.at(r, f) as i64 }).collect()).collect()
    }

    /// Replaces the workspace (tests of the individual steps).
    #[cfg(test)]
    pub(crate) fn set_matrix(&mut self, m: &[Vec<i64>]) {
        self.cells.clear();
        self.count.clear();
        for row in m {
            let r = self.push_row();
            for (f, &v) in row.iter().enumerate() {
                if v >= 0 {
                    self.set(r, f, v as u32);
                }
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn track_fail_for_test(&mut self, r: usize, k: usize, forward: bool, default: f64) {
        self.track_fail(r, k, if forward { Dir::Forward } else { Dir::Backward }, default);
    }

    /// Kept features per frame, as original indices (tests).
    #[cfg(test)]
    pub(crate) fn kept(&self) -> Vec<Vec<usize>> {
        (0..self.t).map(|f| self.frame(f).map(|g| self.orig[g] as usize).collect()).collect()
    }
}
