//! Hodges detector anchors of the reference test-suite (see docs/algorithms.md#test-anchors), on small synthetic frames.

use ndarray::Array2;
use stormtrack::detect::hodges::{Feature, HodgesDetectOptions, Mode, RefineStatus, Refinement, detect_frame};

fn opts(mode: Mode, threshold: f64, refinement: Refinement) -> HodgesDetectOptions {
    HodgesDetectOptions { mode, threshold, refinement, ..HodgesDetectOptions::default() }
}

fn axis(start: f64, step: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| start + step * i as f64).collect()
}

fn positions(features: &[Feature]) -> Vec<(f64, f64, f64)> {
    features.iter().map(|f| (f.lat, f.lon, f.value)).collect()
}

#[test]
fn thresholds_are_inclusive_and_nan_is_never_a_member() {
    let row = Array2::from_shape_vec((1, 5), vec![1.0, 2.0, 3.0, f64::NAN, 5.0]).unwrap();
    let (lat, lon) = ([0.0], axis(0.0, 1.0, 5));
    // max, threshold 3: members [0,0,1,0,1] → two one-cell objects
    let max = detect_frame(row.view(), &lat, &lon, false, &opts(Mode::Max, 3.0, Refinement::Grid)).unwrap();
    assert_eq!(positions(&max), [(0.0, 2.0, 3.0), (0.0, 4.0, 5.0)]);
    // min, threshold 3: members [1,1,1,0,0] → one object, its minimum at column 0
    let min = detect_frame(row.view(), &lat, &lon, false, &opts(Mode::Min, 3.0, Refinement::Grid)).unwrap();
    assert_eq!(positions(&min), [(0.0, 0.0, 1.0)]);
}

/// 12 × 24 global grid (N→S, 15° columns), background 1, two diagonal cells below 0.
fn diagonal_pair() -> (Array2<f64>, Vec<f64>, Vec<f64>) {
    let mut f = Array2::from_elem((12, 24), 1.0);
    f[[4, 5]] = -2.0;
    f[[5, 6]] = -1.0;
    (f, axis(55.0, -10.0, 12), axis(0.0, 15.0, 24))
}

#[test]
fn rectangular_objects_are_4_connected_and_extrema_do_not_compete_across_objects() {
    let (f, lat, lon) = diagonal_pair();
    let feats = detect_frame(f.view(), &lat, &lon, true, &opts(Mode::Min, 0.0, Refinement::Bspline)).unwrap();
    let ids: Vec<u32> = feats.iter().map(|x| x.object_id).collect();
    assert_eq!(ids, [1, 2], "diagonal cells are two objects on the rectangular path");
    assert!((feats[0].raw_value + 2.0).abs() < 1e-12 && (feats[1].raw_value + 1.0).abs() < 1e-12);
    // the weaker cell is still its own object's extremum, despite the stronger diagonal neighbour
    assert!(feats.iter().all(|x| x.status == RefineStatus::Success));
}

#[test]
fn ccl_objects_are_8_connected_and_extrema_compete_inside_an_object() {
    let (f, lat, lon) = diagonal_pair();
    let feats = detect_frame(f.view(), &lat, &lon, true, &opts(Mode::Min, 0.0, Refinement::Grid)).unwrap();
    assert_eq!(positions(&feats), [(15.0, 75.0, -2.0)]);
    assert_eq!(feats[0].object_id, 1);
    assert!(feats[0].diagnostics.gridcell_area_km2 > 0.0);
}

#[test]
fn ccl_candidates_come_in_west_to_east_object_order() {
    // objects A (label 1, columns 4-5), B (label 2, column 0), C (label 3, column 2)
    #[rustfmt::skip]
    let f = Array2::from_shape_vec((4, 6), vec![
         1.0, 1.0,  1.0, 1.0,  1.0, -1.0,
        -1.0, 1.0, -2.0, 1.0,  1.0, -1.5,
        -2.0, 1.0, -1.0, 1.0,  1.0, -2.0,
         1.0, 1.0,  1.0, 1.0, -1.0,  1.0,
    ]).unwrap();
    let (lat, lon) = (axis(3.0, -1.0, 4), axis(0.0, 1.0, 6));
    let feats = detect_frame(f.view(), &lat, &lon, false, &opts(Mode::Min, 0.0, Refinement::Grid)).unwrap();
    assert_eq!(positions(&feats), [(1.0, 0.0, -2.0), (2.0, 2.0, -2.0), (1.0, 5.0, -2.0)]);
    let ids: Vec<u32> = feats.iter().map(|x| x.object_id).collect();
    assert_eq!(ids, [2, 3, 1]);
}

#[test]
fn plateau_grouping_gives_a_single_representative() {
    let mut f = Array2::from_elem((5, 5), 1.0);
    for c in 1..4 {
        f[[2, c]] = -1.0;
    }
    let ax = axis(0.0, 1.0, 5);
    let mut o = opts(Mode::Min, 0.0, Refinement::Grid);
    assert_eq!(detect_frame(f.view(), &ax, &ax, false, &o).unwrap().len(), 3);
    o.group_adjacent_extrema = true;
    assert_eq!(positions(&detect_frame(f.view(), &ax, &ax, false, &o).unwrap()), [(2.0, 2.0, -1.0)]);
}

/// A smooth field with several minima and maxima on a 5° global grid (N→S).
fn smooth(lat: &[f64], lon: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((lat.len(), lon.len()), |(i, j)| {
        let (y, x) = (lat[i].to_radians(), lon[j].to_radians());
        (3.0 * x).sin() * (2.0 * y).cos() + 0.4 * (5.0 * x + y).cos() + 0.2 * y.sin()
    })
}

#[test]
fn signed_and_unsigned_longitudes_give_the_same_features() {
    let lat = axis(90.0, -5.0, 37);
    let unsigned = axis(0.0, 5.0, 72);
    // the same data on -180 .. 175
    let signed: Vec<f64> = (0..72).map(|j| unsigned[(j + 36) % 72] - if j < 36 { 360.0 } else { 0.0 }).collect();
    let f_unsigned = smooth(&lat, &unsigned);
    let f_signed = Array2::from_shape_fn((37, 72), |(i, j)| f_unsigned[[i, (j + 36) % 72]]);
    for mode in [Mode::Min, Mode::Max] {
        let o = opts(mode, 0.0, Refinement::Bspline);
        let a = detect_frame(f_unsigned.view(), &lat, &unsigned, true, &o).unwrap();
        let b = detect_frame(f_signed.view(), &lat, &signed, true, &o).unwrap();
        assert!(!a.is_empty());
        assert_eq!(a, b);
        assert!(a.iter().all(|x| (0.0..=360.0).contains(&x.lon)));
    }
}

#[test]
fn a_seam_minimum_is_found_from_the_360_endpoint() {
    // minimum at lon 356 (between the 350 and 0/360 nodes, nearer 0): one object across the seam,
    // larger on its east side, so the candidate sits in the cyclic column at lon 360
    let lat = axis(60.0, -10.0, 13);
    let lon = axis(0.0, 10.0, 36);
    let f = Array2::from_shape_fn((13, 36), |(i, j)| {
        let d = ((lon[j] - 356.0 + 180.0).rem_euclid(360.0) - 180.0) / 12.0;
        let y = lat[i] / 20.0;
        -(-(d * d + y * y)).exp()
    });
    let feats = detect_frame(f.view(), &lat, &lon, true, &opts(Mode::Min, -0.1, Refinement::Bspline)).unwrap();
    assert_eq!(feats.len(), 1);
    let x = &feats[0];
    assert_eq!(x.status, RefineStatus::Success);
    assert!((x.raw_value - f[[6, 0]]).abs() < 1e-12, "the candidate is the node at 0/360");
    assert!((x.lon - 356.0).abs() < 0.5 && x.lat.abs() < 1e-6, "{x:?}");
    assert!(x.value < x.raw_value);
}
