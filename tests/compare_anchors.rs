//! The comparison anchors of docs/algorithms.md#test-anchors, plus validation and layout checks.

use stormtrack::compare::{CompareError, ComparisonReport, MatchingMethod, TrackComparisonConfig, compare_tracks, report_json};
use stormtrack::tracks::OwnedTrackSet;
use stormtrack::variables::Mode;

const H: i64 = 3_600_000;

/// One point: `(time_ms, lat, lon, value)`.
type Point = (i64, f64, f64, f64);

/// Tracks given as `(id, points)`, minima.
fn owned(tracks: &[(i64, Vec<Point>)]) -> OwnedTrackSet {
    OwnedTrackSet::from_tracks(tracks.iter().cloned(), Mode::Min)
}

/// Tracks of `n` 6-hourly points moving 1° east per step from lon 10, one per latitude.
fn straight(ids: &[i64], lats: &[f64], n: i64) -> OwnedTrackSet {
    let tracks: Vec<_> = ids.iter().zip(lats).map(|(&id, &lat)| (id, (0..n).map(|i| (i * 6 * H, lat, 10.0 + i as f64, 1.0)).collect())).collect();
    owned(&tracks)
}

/// Reference tracks 1 and 2 and candidate tracks 10 and 20, four points each, at the
/// latitudes given.
fn two_against_two(reference: [f64; 2], candidate: [f64; 2]) -> (OwnedTrackSet, OwnedTrackSet) {
    (straight(&[1, 2], &reference, 4), straight(&[10, 20], &candidate, 4))
}

fn run(reference: &OwnedTrackSet, candidate: &OwnedTrackSet, matching: MatchingMethod) -> ComparisonReport {
    let config = TrackComparisonConfig { matching, ..Default::default() };
    compare_tracks(&reference.set(), &candidate.set(), &config).unwrap()
}

fn pairs(report: &ComparisonReport) -> Vec<(i64, i64)> {
    report.matches.iter().map(|m| (m.reference_id, m.candidate_id)).collect()
}

#[test]
fn nearest_picks_the_closest_candidate() {
    let reference = straight(&[1], &[0.0], 4);
    let candidate = straight(&[10, 20, 30], &[0.5, 0.2, -0.3], 4);
    let report = run(&reference, &candidate, MatchingMethod::Nearest);
    assert_eq!(pairs(&report), vec![(1, 20)]);
    assert_eq!(report.matches[0].eligible_candidate_count, 3);
    assert!((report.matches[0].mean_separation_deg - 0.2).abs() < 1e-9);
}

#[test]
fn nearest_reuse_metrics() {
    let (reference, candidate) = two_against_two([0.0, 0.1], [0.05, 30.0]);
    let report = run(&reference, &candidate, MatchingMethod::Nearest);
    assert_eq!(pairs(&report), vec![(1, 10), (2, 10)]);
    assert_eq!(report.reference_coverage(), 1.0);
    assert_eq!(report.candidate_coverage(), 0.5);
    assert_eq!(report.unique_candidate_count(), 1);
    assert_eq!(report.reused_candidate_count(), 1);
    assert_eq!(report.reused_candidate_assignments(), 1);
    assert_eq!(report.unmatched_candidate_ids, vec![20]);
}

#[test]
fn only_exact_common_timestamps_align() {
    let reference = straight(&[1], &[0.0], 4);
    // Same positions, times shifted by 1 ms: nothing in common.
    let mut shifted = straight(&[10], &[0.0], 4);
    shifted.times_ms.iter_mut().for_each(|t| *t += 1);
    let report = run(&reference, &shifted, MatchingMethod::Nearest);
    assert_eq!(report.match_count(), 0);
    assert_eq!(report.unmatched_reference_ids, vec![1]);
    // Only the 3 exactly shared times of a 4-point candidate count: overlap 6/8 = 0.75.
    let partial = owned(&[(10, vec![(0, 0.0, 10.0, 1.0), (6 * H, 0.0, 11.0, 1.0), (12 * H + 1, 0.0, 12.0, 1.0), (18 * H, 0.0, 13.0, 1.0)])]);
    let report = run(&reference, &partial, MatchingMethod::Nearest);
    let m = &report.matches[0];
    assert_eq!((m.overlap_count, m.overlap_fraction), (3, 0.75));
    assert!(m.same_time_range && m.same_point_count && !m.topology_identical);
}

/// The dateline anchor pair: (0°, 179°) → (0°, −179°) in 12 h against a copy 0.1° north.
fn dateline_pair() -> (OwnedTrackSet, OwnedTrackSet) {
    let mut reference = owned(&[(1, vec![(0, 0.0, 179.0, 1.0e-4), (12 * H, 0.0, -179.0, 2.0e-4)])]);
    let mut candidate = owned(&[(2, vec![(0, 0.1, 179.0, 1.1e-4), (12 * H, 0.1, -179.0, 2.1e-4)])]);
    reference.mode = Mode::Max;
    candidate.mode = Mode::Max;
    (reference, candidate)
}

#[test]
fn dateline_pair_anchors() {
    let (reference, candidate) = dateline_pair();
    let config = TrackComparisonConfig { variable: Some("vo".into()), ..Default::default() };
    let report = compare_tracks(&reference.set(), &candidate.set(), &config).unwrap();
    let m = &report.matches[0];
    assert!(m.mean_separation_deg < 1.0);
    assert!((m.mean_separation_km - 11.12).abs() < 5e-3, "{}", m.mean_separation_km);
    assert!((m.reference.path_length_km - 222.39).abs() / 222.39 < 1e-3);
    assert!((m.reference.mean_speed_kmh - 18.53).abs() < 5e-3, "{}", m.reference.mean_speed_kmh);
    assert_eq!(m.reference.duration_hours, 12.0);
    assert_eq!(m.reference.peak_intensity, Some(2.0e-4));
    let d = m.intensity_difference.as_ref().unwrap();
    assert!((d.bias - 1e-5).abs() < 1e-15 && (d.mae - 1e-5).abs() < 1e-15 && (d.rmse - 1e-5).abs() < 1e-15);
    assert!((d.correlation.unwrap() - 1.0).abs() < 1e-12);
    // Without a variable, intensities are not compared.
    let report = run(&reference, &candidate, MatchingMethod::Nearest);
    assert_eq!(report.matches[0].intensity_difference, None);
    assert_eq!(report.matches[0].reference.mean_intensity, None);
}

#[test]
fn mutual_nearest_agreement() {
    let reference = straight(&[1, 2, 3], &[0.6, 0.0, 10.0], 4);
    let candidate = straight(&[1, 2, 3], &[0.1, 20.0, 10.1], 4);
    let report = run(&reference, &candidate, MatchingMethod::MutualNearest);
    assert_eq!(pairs(&report), vec![(2, 1), (3, 3)]);
    assert_eq!(report.agreement(), 2.0 / 3.0);
}

#[test]
fn global_assignment_prefers_cardinality() {
    // A–X is the closest pair, but taking it would leave B unmatched.
    let (reference, candidate) = two_against_two([0.0, 0.6], [0.4, -0.5]);
    assert_eq!(pairs(&run(&reference, &candidate, MatchingMethod::Nearest)), vec![(1, 10), (2, 10)]);
    assert_eq!(pairs(&run(&reference, &candidate, MatchingMethod::GlobalAssignment)), vec![(1, 20), (2, 10)]);
}

#[test]
fn global_assignment_prefers_overlap_over_separation() {
    let reference = straight(&[1], &[0.0], 5);
    // 10: all 5 times, 1.5° away (overlap 1.0); 20: 4 of 5 times, 0.1° away (overlap 8/9).
    let full = straight(&[10], &[1.5], 5);
    let short = straight(&[20], &[0.1], 4);
    let candidate = owned(&[
        (10, (0..5).map(|i| (full.times_ms[i], full.lat[i], full.lon[i], 1.0)).collect()),
        (20, (0..4).map(|i| (short.times_ms[i], short.lat[i], short.lon[i], 1.0)).collect()),
    ]);
    assert_eq!(pairs(&run(&reference, &candidate, MatchingMethod::Nearest)), vec![(1, 20)]);
    assert_eq!(pairs(&run(&reference, &candidate, MatchingMethod::GlobalAssignment)), vec![(1, 10)]);
}

#[test]
fn global_assignment_minimises_total_separation() {
    // Equal overlaps; A = 0°, B = 0.4°, X = 0.1°, Y = 0.3° north: {A–X, B–Y} totals 0.2°,
    // {A–Y, B–X} 0.6°. The edge-order term alone would pick {A–Y, B–X} (see the tie test), so
    // separation must be decided first.
    let (reference, candidate) = two_against_two([0.0, 0.4], [0.1, 0.3]);
    let report = run(&reference, &candidate, MatchingMethod::GlobalAssignment);
    assert_eq!(pairs(&report), vec![(1, 10), (2, 20)]);
}

#[test]
fn ties_are_deterministic() {
    // Identical candidates: nearest takes the first in candidate order.
    let (reference, candidate) = two_against_two([0.0, 0.0], [0.5, 0.5]);
    assert_eq!(pairs(&run(&reference, &candidate, MatchingMethod::Nearest)), vec![(1, 10), (2, 10)]);
    assert_eq!(pairs(&run(&reference, &candidate, MatchingMethod::MutualNearest)), vec![(1, 10)]);
    // Global: edges e0 = 1–10, e1 = 1–20, e2 = 2–10, e3 = 2–20 all tie; the 2^e term makes
    // {e1, e2} (cost 6) beat {e0, e3} (cost 9). Verified against the peer.
    for _ in 0..3 {
        assert_eq!(pairs(&run(&reference, &candidate, MatchingMethod::GlobalAssignment)), vec![(1, 20), (2, 10)]);
    }
    let single = straight(&[1], &[0.0], 4);
    assert_eq!(pairs(&run(&single, &candidate, MatchingMethod::GlobalAssignment)), vec![(1, 10)]);
}

#[test]
fn summary_metrics_and_json_layout() {
    let reference = straight(&[5, 3, 9], &[0.0, 20.0, 40.0], 4);
    let candidate = straight(&[7, 8], &[0.1, 20.2], 4);
    let report = run(&reference, &candidate, MatchingMethod::GlobalAssignment);
    assert_eq!(pairs(&report), vec![(3, 8), (5, 7)], "global matches are sorted by reference id");
    assert_eq!((report.tp(), report.fp(), report.fn_()), (2, 0, 1));
    assert_eq!((report.precision(), report.recall()), (1.0, 2.0 / 3.0));
    assert!((report.f1() - 0.8).abs() < 1e-15);
    assert_eq!(report.unmatched_reference_ids, vec![9]);
    let doc = report_json(&report);
    let keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "candidate_count",
            "config",
            "f1",
            "fn",
            "fp",
            "match_count",
            "matches",
            "matching",
            "precision",
            "recall",
            "reference_count",
            "topology_identical_count",
            "tp",
            "unmatched_candidate_count",
            "unmatched_candidate_ids",
            "unmatched_reference_count",
            "unmatched_reference_ids"
        ]
    );
    assert_eq!(doc["config"]["mode"], "auto");
    let empty = straight(&[], &[], 4);
    for matching in [MatchingMethod::Nearest, MatchingMethod::MutualNearest, MatchingMethod::GlobalAssignment] {
        let report = run(&empty, &empty, matching);
        assert_eq!((report.f1(), report.agreement(), report.candidate_coverage()), (0.0, 0.0, 0.0));
        assert_eq!(report.pooled_median_separation_km, None);
    }
}

#[test]
fn pooled_quantiles_cover_all_matched_points() {
    let (reference, candidate) = two_against_two([0.0, 10.0], [0.1, 10.3]);
    let report = run(&reference, &candidate, MatchingMethod::Nearest);
    assert_eq!(report.matched_point_pair_count, 8);
    // 4 separations of 0.1° and 4 of 0.3°: median is their midpoint.
    let km = 6371.22 * std::f64::consts::PI / 180.0;
    assert!((report.pooled_median_separation_km.unwrap() - 0.2 * km).abs() < 1e-6);
    assert!((report.pooled_p95_separation_km.unwrap() - 0.3 * km).abs() < 1e-6);
}

#[test]
fn invalid_inputs_are_rejected() {
    let ok = straight(&[1], &[0.0], 3);
    for (sep, overlap) in [(0.0, 0.5), (f64::NAN, 0.5), (2.0, 1.5), (2.0, -0.1), (2.0, f64::NAN)] {
        let config = TrackComparisonConfig { max_mean_separation_deg: sep, min_overlap_fraction: overlap, ..Default::default() };
        assert!(matches!(compare_tracks(&ok.set(), &ok.set(), &config), Err(CompareError::InvalidOption(_))));
    }
    let unordered = owned(&[(4, vec![(H, 0.0, 0.0, 1.0), (0, 0.0, 1.0, 1.0)])]);
    let err = compare_tracks(&unordered.set(), &ok.set(), &TrackComparisonConfig::default()).unwrap_err();
    assert_eq!(err, CompareError::NonIncreasingTimes { track_id: 4 });
    let config = TrackComparisonConfig { variable: Some("msl".into()), ..Default::default() };
    let mut no_values = ok.set();
    no_values.values = None;
    assert!(matches!(compare_tracks(&no_values, &ok.set(), &config), Err(CompareError::InvalidOption(_))));
}
