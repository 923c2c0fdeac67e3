//! Spatial candidates (speed-up 1 of [`super::mge`]): the TRACK prefilter,
//! per-segment lists of near features in the adjacent frames, and the displacement tests that
//! read them.

use crate::geo::DEG_TO_RAD;
use crate::link::mge::cost::{Point, zone_dmax};
use crate::link::mge::mge::{Dir, Feature, Linker, is_duff};
use crate::link::mge::params::EffectiveParams;

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

    /// Indices of features with |Δlat| ≤ `radius` (plus a margin covering rounding of the
    /// great-circle angle), in increasing index order. Since the angle is ≥ |Δφ|, this is a
    /// superset of the features within `radius` degrees of arc.
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

/// TRACK `feature_pt_filter` (see docs/algorithms.md#mge-linking, step 3): which features of each frame are kept.
pub(super) fn prefilter(frames: &[&[Feature]], nmiss: &[usize], p: &EffectiveParams) -> Vec<Vec<bool>> {
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
            a.great_circle_angle(b) <= avg * DEG_TO_RAD
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

/// A near feature of an adjacent frame and the great-circle angle to it (from the owner
/// of the list to `q`, in that operand order).
#[derive(Debug, Clone, Copy)]
pub(super) struct Near {
    pub(super) q: u32,
    pub(super) d: f64,
}

impl Linker<'_> {
    /// Default dmax of the link between frames `f` and `f+1`.
    #[inline]
    pub(super) fn link_default(&self, f: usize) -> f64 {
        self.p.dmax_param(self.nmiss[f])
    }

    #[inline]
    pub(super) fn avg_dmax(&self, a: u32, b: u32, default: f64) -> f64 {
        0.5 * (self.zone[a as usize].unwrap_or(default) + self.zone[b as usize].unwrap_or(default))
    }

    /// The great-circle angle from `a` to `b` (operand order as given), from the neighbour lists when `b` is near.
    #[inline]
    pub(super) fn dist(&self, a: u32, b: u32) -> f64 {
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
            Err(_) => self.pts[a as usize].great_circle_angle(&self.pts[b as usize]),
        }
    }

    /// Exact displacement test `angle(a, b) ≤ avg_dmax·π/180` (operand order as given).
    #[inline]
    pub(super) fn within(&self, a: u32, b: u32, default: f64) -> bool {
        self.dist(a, b) <= self.avg_dmax(a, b, default) * DEG_TO_RAD
    }

    pub(super) fn build_neighbours(&mut self) {
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
                            let d = self.pts[g].great_circle_angle(&self.pts[q as usize]);
                            (d <= radius * DEG_TO_RAD).then_some(Near { q, d })
                        }));
                    }
                    starts.push(list.len() as u32);
                }
            }
        }
        (self.next, self.prev, self.next_start, self.prev_start) = (next, prev, next_start, prev_start);
    }

    #[inline]
    pub(super) fn neighbours(&self, g: u32, dir: Dir) -> &[Near] {
        let g = g as usize;
        match dir {
            Dir::Forward => &self.next[self.next_start[g] as usize..self.next_start[g + 1] as usize],
            Dir::Backward => &self.prev[self.prev_start[g] as usize..self.prev_start[g + 1] as usize],
        }
    }
}
