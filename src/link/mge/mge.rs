//! MGE linking of one temporal segment (see docs/algorithms.md#mge-linking, docs/algorithms.md#mge-details).
//!
//! The workspace is a row-major `rows × T` matrix of filtered-feature indices (`PHANTOM` =
//! no feature). Speed comes from the following, none of which changes the result of
//! the straightforward O(rows²) exchange scan (`Linker::best_pair_reference`, a test oracle):
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
//!
//! The linker is split by concern: this file holds the public entry points and the linker
//! state; `neighbours.rs` the prefilter and the spatial candidates (1); `workspace.rs` the
//! workspace writes, stale marks and cached costs (4, 5) and its initialisation; `sweep.rs`
//! the exchange sweeps and both best-pair searches (2, 3); `split.rs` track failure, section
//! splitting and the adaptive constraint filter.

use crate::link::mge::TrackPoint;
use crate::link::mge::cost::{Point, zone_dmax};
use crate::link::mge::neighbours::{Near, prefilter};
use crate::link::mge::params::{EffectiveParams, MgeError};

/// Features with a value below this are DUFF (never kept, but usable as neighbours).
pub const DUFF_CUTOFF: f64 = -1.0e10;
/// DUFF test; NaN values are not DUFF (as in the reference's `value < cutoff`).
pub(super) fn is_duff(value: f64) -> bool {
    value < DUFF_CUTOFF
}

/// Phantom workspace entry.
pub(super) const PHANTOM: u32 = u32::MAX;

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

/// Missing-frame counts (see docs/algorithms.md#mge-linking, step 1): `nmiss[f] = (interval_f − 1) div cadence`, last 0.
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

/// Checks that every feature lies in some zone (see docs/algorithms.md#mge-linking, step 2).
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
    Ok(link_segment_rows(frames, times, p)?.into_iter().map(|(_, t)| t).collect())
}

/// [`link_segment`] with each track's workspace row (0-based): rows without a real entry
/// (the all-phantom rows the exchanges use) leave gaps, as in TRACK's track table.
pub fn link_segment_rows(frames: &[&[Feature]], times: &[i64], p: &EffectiveParams) -> Result<Vec<(usize, Vec<TrackPoint>)>, MgeError> {
    Ok(Linker::new(frames, times, p)?.run(Strategy::Fast, &mut |_, _| {}))
}

/// State of one segment's linking.
pub(crate) struct Linker<'a> {
    pub(super) p: &'a EffectiveParams,
    pub(super) t: usize,
    pub(super) nmiss: Vec<usize>,
    /// Filtered features (global index), their frame and original index within the frame.
    pub(super) pts: Vec<Point>,
    pub(super) zone: Vec<Option<f64>>,
    pub(super) frame_of: Vec<u32>,
    pub(super) orig: Vec<u32>,
    pub(super) offsets: Vec<usize>,
    /// CSR lists of near features in frame+1 / frame−1 (sorted by feature index):
    /// `angle(g, q) ≤ D·π/180` with `D` the largest possible `avg_dmax` of the link — a
    /// superset of the admissible ones, which are tested exactly where used.
    pub(super) next_start: Vec<u32>,
    pub(super) next: Vec<Near>,
    pub(super) prev_start: Vec<u32>,
    pub(super) prev: Vec<Near>,
    /// Workspace, row-major `rows × t`.
    pub(super) cells: Vec<u32>,
    /// Real entries per row.
    pub(super) count: Vec<u32>,
    /// Row holding each feature.
    pub(super) owner: Vec<u32>,
    /// Scratch row marks for [`Linker::first_free_row`] (`mark_gen` = current generation).
    pub(super) marks: Vec<u32>,
    pub(super) mark_gen: u32,
    /// `stale[dir][k]`: the workspace changed where `best_pair(k, dir)` looks since it last
    /// returned no pair (columns `k−1..=k+1`, a row's real count crossing 1↔2 next to
    /// them, or new rows), so it must be evaluated again. Clean centres are skipped.
    pub(super) stale: [Vec<bool>; 2],
    /// Cached cost at centre `frame(g)` of the row holding feature `g` (NaN = unknown);
    /// the triplet is the same for both directions.
    pub(super) centre_cost: Vec<f64>,
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
    /// initialisation (see docs/algorithms.md#mge-linking, steps 1–4).
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

    /// Global indices of frame `f`'s filtered features.
    #[inline]
    pub(super) fn frame(&self, f: usize) -> std::ops::Range<usize> {
        self.offsets[f]..self.offsets[f + 1]
    }

    /// Runs MGE and the final split (see docs/algorithms.md#mge-linking, steps 5–6), calling `on_sweep` after every
    /// directional sweep, and returns the output tracks (step 7).
    pub(crate) fn run(mut self, strategy: Strategy, on_sweep: &mut dyn FnMut(Dir, &Self)) -> Vec<(usize, Vec<TrackPoint>)> {
        if self.t > 3 {
            self.outer_control(strategy, on_sweep);
            self.split_track_sections();
        }
        self.numbered_tracks()
    }

    /// Output rows: every row with a real entry, its real points in time order.
    #[cfg(test)]
    pub(crate) fn tracks(&self) -> Vec<Vec<TrackPoint>> {
        self.numbered_tracks().into_iter().map(|(_, t)| t).collect()
    }

    /// [`Self::tracks`], each with its row.
    fn numbered_tracks(&self) -> Vec<(usize, Vec<TrackPoint>)> {
        (0..self.rows())
            .filter(|&r| self.count[r] > 0)
            .map(|r| {
                let points = (0..self.t)
                    .filter_map(|f| {
                        let g = self.at(r, f);
                        (g != PHANTOM).then(|| (f, self.orig[g as usize] as usize))
                    })
                    .collect();
                (r, points)
            })
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn kept(&self) -> Vec<Vec<usize>> {
        (0..self.t).map(|f| self.frame(f).map(|g| self.orig[g] as usize).collect()).collect()
    }
}
