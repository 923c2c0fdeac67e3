//! Reference/candidate track matching with per-match diagnostics (see docs/algorithms.md#track-comparison).

use crate::compare::assignment::{ComponentEdge, assign_component};
use crate::compare::error::CompareError;
use crate::compare::geo::separation_km;
use crate::compare::stats::{mean, median_sorted, pairwise_sum, pearson, percentile_sorted};
use crate::geo::EARTH_RADIUS_KM;
use crate::tracks::TrackSet;
use crate::variables::Mode;
use std::collections::HashMap;

/// Matching method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchingMethod {
    /// Each reference takes its closest eligible candidate; candidates may be reused.
    Nearest,
    /// Pairs that are each other's nearest eligible partner.
    MutualNearest,
    /// Exact lexicographic optimum one-to-one assignment.
    GlobalAssignment,
}

impl MatchingMethod {
    /// Name as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchingMethod::Nearest => "nearest",
            MatchingMethod::MutualNearest => "mutual_nearest",
            MatchingMethod::GlobalAssignment => "global_assignment",
        }
    }
}

/// Comparison options (TRACK-compatible defaults: 2.0° mean separation, 0.6 overlap).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackComparisonConfig {
    /// Matching method.
    pub matching: MatchingMethod,
    /// Largest admissible mean separation (degrees of arc, > 0; `+inf` disables the limit).
    pub max_mean_separation_deg: f64,
    /// Smallest admissible overlap fraction `2|common|/(n_r+n_c)`, in [0, 1].
    pub min_overlap_fraction: f64,
    /// Name of the intensity variable; when set, both sets must carry `values` and intensity
    /// statistics are reported; when `None`, `values` are ignored (as the peer does).
    pub variable: Option<String>,
    /// Peak-intensity mode; `None` ("auto") uses each track set's own mode.
    pub mode: Option<Mode>,
}

impl Default for TrackComparisonConfig {
    fn default() -> Self {
        TrackComparisonConfig { matching: MatchingMethod::Nearest, max_mean_separation_deg: 2.0, min_overlap_fraction: 0.6, variable: None, mode: None }
    }
}

impl TrackComparisonConfig {
    /// Checks `max_mean_separation_deg > 0` (NaN rejected) and `min_overlap_fraction ∈ [0, 1]`.
    pub fn validate(&self) -> Result<(), CompareError> {
        if self.max_mean_separation_deg.is_nan() || self.max_mean_separation_deg <= 0.0 {
            return Err(CompareError::InvalidOption("max_mean_separation_deg must be greater than zero".into()));
        }
        if !(0.0..=1.0).contains(&self.min_overlap_fraction) {
            return Err(CompareError::InvalidOption("min_overlap_fraction must be between zero and one".into()));
        }
        Ok(())
    }
}

/// Per-track properties reported for both sides of a match.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackProperties {
    /// Number of points.
    pub point_count: usize,
    /// (last − first time) in hours.
    pub duration_hours: f64,
    /// Sum of consecutive separations (km).
    pub path_length_km: f64,
    /// `path_length_km / duration_hours`, 0 for a zero duration.
    pub mean_speed_kmh: f64,
    /// Mean of the finite intensities (`None` without a variable or finite value).
    pub mean_intensity: Option<f64>,
    /// Minimum or maximum finite intensity according to the resolved mode.
    pub peak_intensity: Option<f64>,
}

/// Candidate − reference intensity statistics over common points with finite differences.
#[derive(Debug, Clone, PartialEq)]
pub struct IntensityDifference {
    /// Mean difference.
    pub bias: f64,
    /// Mean absolute difference.
    pub mae: f64,
    /// Root mean square difference.
    pub rmse: f64,
    /// Pearson correlation (needs ≥ 2 values and a finite result).
    pub correlation: Option<f64>,
}

/// One matched reference/candidate pair with its diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackMatch {
    /// Index of the reference track in its set.
    pub reference_index: usize,
    /// Index of the candidate track in its set.
    pub candidate_index: usize,
    /// Reference track id.
    pub reference_id: i64,
    /// Candidate track id.
    pub candidate_id: i64,
    /// Number of eligible candidates of this reference.
    pub eligible_candidate_count: usize,
    /// Number of exactly common timestamps.
    pub overlap_count: usize,
    /// `2·overlap_count / (n_r + n_c)`.
    pub overlap_fraction: f64,
    /// Mean separation in degrees of arc.
    pub mean_separation_deg: f64,
    /// Mean separation (km).
    pub mean_separation_km: f64,
    /// Smallest separation (km).
    pub minimum_separation_km: f64,
    /// Median separation (km).
    pub median_separation_km: f64,
    /// 95th percentile (NumPy linear) of the separations (km).
    pub p95_separation_km: f64,
    /// Largest separation (km).
    pub maximum_separation_km: f64,
    /// First and last timestamps are equal.
    pub same_time_range: bool,
    /// Point counts are equal.
    pub same_point_count: bool,
    /// Timestamp arrays are identical.
    pub topology_identical: bool,
    /// Reference track properties.
    pub reference: TrackProperties,
    /// Candidate track properties.
    pub candidate: TrackProperties,
    /// Intensity differences (`None` without a variable or without finite differences).
    pub intensity_difference: Option<IntensityDifference>,
}

/// Result of [`compare_tracks`].
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonReport {
    /// Configuration used.
    pub config: TrackComparisonConfig,
    /// Number of reference tracks.
    pub reference_count: usize,
    /// Number of candidate tracks.
    pub candidate_count: usize,
    /// Matches: by reference index (nearest, mutual) or reference id (global assignment).
    pub matches: Vec<TrackMatch>,
    /// Unmatched reference ids in set order.
    pub unmatched_reference_ids: Vec<i64>,
    /// Unmatched candidate ids in set order.
    pub unmatched_candidate_ids: Vec<i64>,
    /// Number of matched point pairs pooled over all matches.
    pub matched_point_pair_count: usize,
    /// Median separation of all matched point pairs pooled (km); `None` without matches.
    pub pooled_median_separation_km: Option<f64>,
    /// 95th percentile (NumPy linear) of all matched point-pair separations (km).
    pub pooled_p95_separation_km: Option<f64>,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 { 0.0 } else { num as f64 / den as f64 }
}

impl ComparisonReport {
    /// Number of matches.
    pub fn match_count(&self) -> usize {
        self.matches.len()
    }
    /// Number of unmatched references.
    pub fn unmatched_reference_count(&self) -> usize {
        self.unmatched_reference_ids.len()
    }
    /// Number of unmatched candidates.
    pub fn unmatched_candidate_count(&self) -> usize {
        self.unmatched_candidate_ids.len()
    }
    /// Matches whose timestamp arrays are identical.
    pub fn topology_identical_count(&self) -> usize {
        self.matches.iter().filter(|m| m.topology_identical).count()
    }
    /// True positives (= matches).
    pub fn tp(&self) -> usize {
        self.match_count()
    }
    /// False positives: candidates minus matches.
    pub fn fp(&self) -> usize {
        self.candidate_count.saturating_sub(self.match_count())
    }
    /// False negatives: references minus matches.
    pub fn fn_(&self) -> usize {
        self.reference_count.saturating_sub(self.match_count())
    }
    /// `matches / N_cand` (0 for an empty candidate set).
    pub fn precision(&self) -> f64 {
        ratio(self.match_count(), self.candidate_count)
    }
    /// `matches / N_ref` (0 for an empty reference set).
    pub fn recall(&self) -> f64 {
        ratio(self.match_count(), self.reference_count)
    }
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    /// `matches / N_ref`.
    pub fn reference_coverage(&self) -> f64 {
        self.recall()
    }
    /// Distinct matched candidates.
    pub fn unique_candidate_count(&self) -> usize {
        self.candidate_use().len()
    }
    /// `unique candidates / N_cand`.
    pub fn candidate_coverage(&self) -> f64 {
        ratio(self.unique_candidate_count(), self.candidate_count)
    }
    /// Candidates matched more than once.
    pub fn reused_candidate_count(&self) -> usize {
        self.candidate_use().values().filter(|&&n| n > 1).count()
    }
    /// Assignments beyond the first of each candidate.
    pub fn reused_candidate_assignments(&self) -> usize {
        self.candidate_use().values().map(|n| n - 1).sum()
    }
    /// `matches / min(N_ref, N_cand)` (mutual-nearest summary; 0 for empty sets).
    pub fn agreement(&self) -> f64 {
        ratio(self.match_count(), self.reference_count.min(self.candidate_count))
    }

    fn candidate_use(&self) -> HashMap<usize, usize> {
        let mut used = HashMap::new();
        for m in &self.matches {
            *used.entry(m.candidate_index).or_insert(0) += 1;
        }
        used
    }
}

/// An eligible reference/candidate pair.
#[derive(Debug, Clone)]
struct Pair {
    reference: usize,
    candidate: usize,
    common: usize,
    denominator: usize,
    mean_sep_deg: f64,
}

/// Index pairs `(i_r, i_c)` (global point indices) of the exactly common timestamps.
fn common_points(rt: &[i64], r0: usize, ct: &[i64], c0: usize) -> Vec<(usize, usize)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < rt.len() && j < ct.len() {
        match rt[i].cmp(&ct[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((r0 + i, c0 + j));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn separations(reference: &TrackSet, candidate: &TrackSet, common: &[(usize, usize)]) -> Vec<f64> {
    common.iter().map(|&(i, j)| separation_km(reference.lat[i], reference.lon[i], candidate.lat[j], candidate.lon[j])).collect()
}

fn km_to_deg(km: f64) -> f64 {
    km / EARTH_RADIUS_KM * 180.0 / std::f64::consts::PI
}

/// Number of values of the sorted slice within `[lo, hi]`.
fn count_within(sorted: &[i64], lo: i64, hi: i64) -> usize {
    sorted.partition_point(|&t| t <= hi) - sorted.partition_point(|&t| t < lo)
}

/// Slack (degrees) for the latitude-based lower bounds of the mean separation: larger than
/// any rounding of the arccos formula (≈1e-6° at worst, for near-coincident points), so the
/// pruning never rejects a pair the exact test would accept.
const PRUNE_SLACK_DEG: f64 = 1e-5;

/// Latitude interval `(min, max)` of every track.
fn lat_ranges(set: &TrackSet) -> Vec<(f64, f64)> {
    (0..set.len()).map(|i| set.lat[set.range(i)].iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)))).collect()
}

/// All eligible pairs in (reference, candidate) index order.
///
/// Exact tests are preceded by conservative pruning: time-interval intersection (interval
/// index), an upper bound of the common count, and latitude lower bounds of the separation
/// (great-circle arc ≥ |Δlat|).
fn eligible_pairs(reference: &TrackSet, candidate: &TrackSet, config: &TrackComparisonConfig) -> Vec<Pair> {
    let lat_limit = config.max_mean_separation_deg + PRUNE_SLACK_DEG;
    let (ref_lats, cand_lats) = (lat_ranges(reference), lat_ranges(candidate));
    // Interval index: candidates sorted by start time; with the longest candidate duration,
    // every candidate intersecting [rs, re] starts within [rs - longest, re].
    let span = |s: &TrackSet, i: usize| (s.times_ms[s.offsets[i]], s.times_ms[s.offsets[i + 1] - 1]);
    let mut by_start: Vec<(i64, usize)> = (0..candidate.len()).map(|c| (span(candidate, c).0, c)).collect();
    by_start.sort_unstable();
    let longest = (0..candidate.len()).map(|c| span(candidate, c).1 - span(candidate, c).0).max().unwrap_or(0);

    let mut pairs = Vec::new();
    let mut hits = Vec::new();
    for (r, &(rlo, rhi)) in ref_lats.iter().enumerate() {
        let (rs, re) = span(reference, r);
        let rr = reference.range(r);
        let rt = &reference.times_ms[rr.clone()];
        let first = by_start.partition_point(|&(s, _)| s < rs.saturating_sub(longest));
        hits.clear();
        for &(cs, c) in &by_start[first..] {
            if cs > re {
                break;
            }
            let ce = span(candidate, c).1;
            if ce < rs {
                continue;
            }
            let (clo, chi) = cand_lats[c];
            if clo - rhi > lat_limit || rlo - chi > lat_limit {
                continue;
            }
            let cr = candidate.range(c);
            let ct = &candidate.times_ms[cr.clone()];
            let denominator = rt.len() + ct.len();
            // Cheap upper bound of the common count: points of each track inside the
            // intersection of both time intervals (overlap is monotone in the count).
            let (lo, hi) = (rs.max(cs), re.min(ce));
            let bound = count_within(rt, lo, hi).min(count_within(ct, lo, hi));
            if bound == 0 || (2 * bound) as f64 / (denominator as f64) < config.min_overlap_fraction {
                continue;
            }
            hits.push(c);
        }
        hits.sort_unstable();
        for &c in &hits {
            let cr = candidate.range(c);
            let common = common_points(rt, rr.start, &candidate.times_ms[cr.clone()], cr.start);
            let denominator = rr.len() + cr.len();
            if common.is_empty() || (2 * common.len()) as f64 / (denominator as f64) < config.min_overlap_fraction {
                continue;
            }
            let lat_gap: f64 = common.iter().map(|&(i, j)| (reference.lat[i] - candidate.lat[j]).abs()).sum();
            if lat_gap / common.len() as f64 > lat_limit {
                continue;
            }
            let mean_sep_deg = km_to_deg(mean(&separations(reference, candidate, &common)));
            if !mean_sep_deg.is_finite() || mean_sep_deg > config.max_mean_separation_deg {
                continue;
            }
            pairs.push(Pair { reference: r, candidate: c, common: common.len(), denominator, mean_sep_deg });
        }
    }
    pairs
}

/// Index (into `pairs`) of the first pair with the smallest mean separation, per key.
fn first_minimum(pairs: &[Pair], n: usize, key: impl Fn(&Pair) -> usize) -> Vec<Option<usize>> {
    let mut best: Vec<Option<usize>> = vec![None; n];
    for (k, p) in pairs.iter().enumerate() {
        let slot = &mut best[key(p)];
        if slot.is_none_or(|b| p.mean_sep_deg < pairs[b].mean_sep_deg) {
            *slot = Some(k);
        }
    }
    best
}

fn match_global(pairs: &[Pair], n_ref: usize, n_cand: usize) -> Vec<usize> {
    // Connected components of the bipartite eligibility graph (union-find over nodes).
    let mut parent: Vec<usize> = (0..n_ref + n_cand).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for p in pairs {
        let (a, b) = (find(&mut parent, p.reference), find(&mut parent, n_ref + p.candidate));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut components: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, p) in pairs.iter().enumerate() {
        components.entry(find(&mut parent, p.reference)).or_default().push(k);
    }
    let mut chosen = Vec::new();
    for members in components.values() {
        // Local node numbering; `members` is already in (reference, candidate) order.
        let mut local_r = HashMap::new();
        let mut local_c = HashMap::new();
        let edges: Vec<ComponentEdge> = members
            .iter()
            .map(|&k| {
                let p = &pairs[k];
                let nr = local_r.len();
                let nc = local_c.len();
                ComponentEdge {
                    reference: *local_r.entry(p.reference).or_insert(nr),
                    candidate: *local_c.entry(p.candidate).or_insert(nc),
                    common: p.common,
                    denominator: p.denominator,
                    mean_sep_deg: p.mean_sep_deg,
                }
            })
            .collect();
        chosen.extend(assign_component(local_r.len(), local_c.len(), &edges).into_iter().map(|e| members[e]));
    }
    chosen
}

fn intensity_mode(config: &TrackComparisonConfig, set: &TrackSet) -> Mode {
    config.mode.unwrap_or(set.mode)
}

fn track_properties(set: &TrackSet, i: usize, with_values: bool, mode: Mode) -> TrackProperties {
    let r = set.range(i);
    let (lat, lon, t) = (&set.lat[r.clone()], &set.lon[r.clone()], &set.times_ms[r.clone()]);
    let legs: Vec<f64> = (1..t.len()).map(|k| separation_km(lat[k - 1], lon[k - 1], lat[k], lon[k])).collect();
    let path_length_km = pairwise_sum(&legs);
    let duration_hours = (t[t.len() - 1] - t[0]) as f64 / 3.6e6;
    let mean_speed_kmh = if duration_hours > 0.0 { path_length_km / duration_hours } else { 0.0 };
    let finite: Vec<f64> = match set.values {
        Some(v) if with_values => v[r].iter().copied().filter(|x| x.is_finite()).collect(),
        _ => Vec::new(),
    };
    let peak = finite.iter().copied().reduce(|a, b| match mode {
        Mode::Min => a.min(b),
        Mode::Max => a.max(b),
    });
    TrackProperties {
        point_count: t.len(),
        duration_hours,
        path_length_km,
        mean_speed_kmh,
        mean_intensity: (!finite.is_empty()).then(|| mean(&finite)),
        peak_intensity: peak,
    }
}

fn intensity_difference(rv: &[f64], cv: &[f64], common: &[(usize, usize)]) -> Option<IntensityDifference> {
    let (mut refs, mut cands, mut diffs) = (Vec::new(), Vec::new(), Vec::new());
    for &(i, j) in common {
        let d = cv[j] - rv[i];
        if d.is_finite() {
            refs.push(rv[i]);
            cands.push(cv[j]);
            diffs.push(d);
        }
    }
    if diffs.is_empty() {
        return None;
    }
    let abs: Vec<f64> = diffs.iter().map(|d| d.abs()).collect();
    let sq: Vec<f64> = diffs.iter().map(|d| d * d).collect();
    let correlation = (diffs.len() >= 2).then(|| pearson(&refs, &cands)).filter(|c| c.is_finite());
    Some(IntensityDifference { bias: mean(&diffs), mae: mean(&abs), rmse: mean(&sq).sqrt(), correlation })
}

fn build_match(
    reference: &TrackSet,
    candidate: &TrackSet,
    pair: &Pair,
    eligible_candidate_count: usize,
    config: &TrackComparisonConfig,
    pooled: &mut Vec<f64>,
) -> TrackMatch {
    let (rr, cr) = (reference.range(pair.reference), candidate.range(pair.candidate));
    let (rt, ct) = (&reference.times_ms[rr.clone()], &candidate.times_ms[cr.clone()]);
    let common = common_points(rt, rr.start, ct, cr.start);
    let seps = separations(reference, candidate, &common);
    let mean_separation_km = mean(&seps);
    let mut sorted = seps.clone();
    sorted.sort_by(f64::total_cmp);
    pooled.extend_from_slice(&seps);
    let with_values = config.variable.is_some();
    let intensity = match (with_values, reference.values, candidate.values) {
        (true, Some(rv), Some(cv)) => intensity_difference(rv, cv, &common),
        _ => None,
    };
    TrackMatch {
        reference_index: pair.reference,
        candidate_index: pair.candidate,
        reference_id: reference.ids[pair.reference],
        candidate_id: candidate.ids[pair.candidate],
        eligible_candidate_count,
        overlap_count: common.len(),
        overlap_fraction: (2 * common.len()) as f64 / pair.denominator as f64,
        mean_separation_deg: pair.mean_sep_deg,
        mean_separation_km,
        minimum_separation_km: sorted[0],
        median_separation_km: median_sorted(&sorted),
        p95_separation_km: percentile_sorted(&sorted, 95.0),
        maximum_separation_km: sorted[sorted.len() - 1],
        same_time_range: rt[0] == ct[0] && rt[rt.len() - 1] == ct[ct.len() - 1],
        same_point_count: rt.len() == ct.len(),
        topology_identical: rt == ct,
        reference: track_properties(reference, pair.reference, with_values, intensity_mode(config, reference)),
        candidate: track_properties(candidate, pair.candidate, with_values, intensity_mode(config, candidate)),
        intensity_difference: intensity,
    }
}

/// Compares a candidate track set against a reference set (see docs/algorithms.md#track-comparison).
///
/// Errors on an invalid config, invalid track sets (including non-increasing times), or a
/// named variable missing from either set.
pub fn compare_tracks(reference: &TrackSet, candidate: &TrackSet, config: &TrackComparisonConfig) -> Result<ComparisonReport, CompareError> {
    config.validate()?;
    reference.validate()?;
    candidate.validate()?;
    if let Some(name) = &config.variable {
        if reference.values.is_none() || candidate.values.is_none() {
            return Err(CompareError::InvalidOption(format!("comparison intensity variable '{name}' must be present in both track sets")));
        }
    }
    let (n_ref, n_cand) = (reference.len(), candidate.len());
    let pairs = eligible_pairs(reference, candidate, config);
    let mut eligible_count = vec![0usize; n_ref];
    for p in &pairs {
        eligible_count[p.reference] += 1;
    }
    let best_for_ref = first_minimum(&pairs, n_ref, |p| p.reference);
    let selected: Vec<usize> = match config.matching {
        MatchingMethod::Nearest => best_for_ref.iter().flatten().copied().collect(),
        MatchingMethod::MutualNearest => {
            let best_for_cand = first_minimum(&pairs, n_cand, |p| p.candidate);
            best_for_ref.iter().flatten().copied().filter(|&k| best_for_cand[pairs[k].candidate] == Some(k)).collect()
        }
        MatchingMethod::GlobalAssignment => {
            let mut chosen = match_global(&pairs, n_ref, n_cand);
            chosen.sort_by_key(|&k| reference.ids[pairs[k].reference]);
            chosen
        }
    };

    let mut pooled = Vec::new();
    let matches: Vec<TrackMatch> =
        selected.iter().map(|&k| build_match(reference, candidate, &pairs[k], eligible_count[pairs[k].reference], config, &mut pooled)).collect();
    let mut ref_matched = vec![false; n_ref];
    let mut cand_matched = vec![false; n_cand];
    for m in &matches {
        ref_matched[m.reference_index] = true;
        cand_matched[m.candidate_index] = true;
    }
    let unmatched = |ids: &[i64], flags: &[bool]| ids.iter().zip(flags).filter(|(_, f)| !**f).map(|(&id, _)| id).collect();
    pooled.sort_by(f64::total_cmp);
    Ok(ComparisonReport {
        config: config.clone(),
        reference_count: n_ref,
        candidate_count: n_cand,
        matches,
        unmatched_reference_ids: unmatched(reference.ids, &ref_matched),
        unmatched_candidate_ids: unmatched(candidate.ids, &cand_matched),
        matched_point_pair_count: pooled.len(),
        pooled_median_separation_km: (!pooled.is_empty()).then(|| median_sorted(&pooled)),
        pooled_p95_separation_km: (!pooled.is_empty()).then(|| percentile_sorted(&pooled, 95.0)),
    })
}
