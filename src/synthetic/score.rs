//! Scoring tracks against synthetic truth.

use crate::geo::cyclic_delta;
use crate::tracks::Tracks;
use std::collections::HashMap;

/// How well tracks recover the true storms.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// True storm points.
    pub true_points: usize,
    /// True points with a detected point at the same time within one grid cell.
    pub detected_points: usize,
    /// Storms.
    pub storms: usize,
    /// Storms of which one track holds at least 90 % of the points.
    pub storms_in_one_track: usize,
    /// Tracks with no point near any true storm.
    pub false_tracks: usize,
    /// Longest false track, in points.
    pub longest_false_track: usize,
}

impl Score {
    /// Fraction of true points detected.
    pub fn detection_rate(&self) -> f64 {
        self.detected_points as f64 / self.true_points.max(1) as f64
    }
    /// Whether the scores meet the demo's targets: >= 98 % of points detected, every storm in
    /// one track for >= 90 % of its life, no false track longer than 2 points.
    pub fn passes(&self) -> bool {
        self.detection_rate() >= 0.98 && self.storms_in_one_track == self.storms && self.longest_false_track <= 2
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "  detected   {}/{} true storm points within one grid cell ({:.1} %, target >= 98 %)",
            self.detected_points,
            self.true_points,
            100.0 * self.detection_rate()
        )?;
        writeln!(f, "  continuity {}/{} storms held by one track for >= 90 % of their life (target: all)", self.storms_in_one_track, self.storms)?;
        writeln!(f, "  false      {} tracks match no storm; the longest has {} points (target <= 2)", self.false_tracks, self.longest_false_track)?;
        write!(f, "  score      {}", if self.passes() { "PASS" } else { "FAIL" })
    }
}

/// Score `tracks` against `truth`: a detected point matches a true point at the same time
/// when it lies within one grid spacing in latitude and in longitude.
pub fn score(tracks: &Tracks, truth: &Tracks, spacing_deg: f64, _nx: usize) -> Score {
    let tol = spacing_deg * (1.0 + 1e-9);
    let ids = tracks.point_track_ids();
    let mut by_time: HashMap<i64, Vec<usize>> = HashMap::new();
    for k in 0..tracks.n_points() {
        by_time.entry(tracks.times[k]).or_default().push(k);
    }
    let mut matched_point = vec![false; tracks.n_points()];
    let mut s =
        Score { true_points: truth.n_points(), detected_points: 0, storms: truth.len(), storms_in_one_track: 0, false_tracks: 0, longest_false_track: 0 };
    for i in 0..truth.len() {
        let mut per_track: HashMap<i64, usize> = HashMap::new();
        for k in truth.range(i) {
            let near = by_time.get(&truth.times[k]).and_then(|cands| {
                cands.iter().copied().find(|&c| (tracks.lats[c] - truth.lats[k]).abs() <= tol && cyclic_delta(tracks.lons[c], truth.lons[k]).abs() <= tol)
            });
            if let Some(c) = near {
                s.detected_points += 1;
                matched_point[c] = true;
                *per_track.entry(ids[c]).or_default() += 1;
            }
        }
        let best = per_track.values().copied().max().unwrap_or(0);
        if best as f64 >= 0.9 * truth.range(i).len() as f64 {
            s.storms_in_one_track += 1;
        }
    }
    for i in 0..tracks.len() {
        let r = tracks.range(i);
        if !r.clone().any(|k| matched_point[k]) {
            s.false_tracks += 1;
            s.longest_false_track = s.longest_false_track.max(r.len());
        }
    }
    s
}
