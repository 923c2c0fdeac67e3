//! Parity with PyStormTracker 0.8 (Simple tracker) on real ERA5 data: byte-identical IMILAST,
//! TRACK and TrackJSON files, and the k-d tree linker equal to the dense matrix on every frame.

mod common;

use common::{diff_lines, reference_gz, shared, to_string};
use stormtrack::detect::Refinement;
use stormtrack::field::{Field, NetcdfField, TimeSelection};
use stormtrack::io::{imilast, tdump, trackjson};
use stormtrack::link::{FrameRef, SimpleLinker, link_frames_brute_force};
use stormtrack::pipeline::{SimpleOptions, TrackRun, track_simple};
use stormtrack::variables::{Mode, default_feature_threshold};

fn run(file: &str, variable: &str, f: impl FnOnce(&mut SimpleOptions, &NetcdfField)) -> Option<TrackRun> {
    let path = shared(&format!("data/era5/{file}"))?;
    let field = NetcdfField::open(&path, variable).unwrap();
    let mut opts = SimpleOptions::default();
    opts.detector.threshold = default_feature_threshold(&field.info().identity());
    f(&mut opts, &field);
    Some(track_simple(&field, &opts, None).unwrap())
}

fn assert_same(ours: &str, peer: &str, what: &str) {
    if ours != peer {
        let d = diff_lines(ours, peer, 10);
        panic!("{what}: {} of {} lines differ (first: {:#?})", d.len(), peer.lines().count(), d);
    }
}

#[test]
fn msl_djf_is_byte_identical_to_the_peer() {
    let Some(r) = run("era5_msl_djf2526_2.5deg.nc", "msl", |o, _| o.mode = Some(Mode::Min)) else { return };
    assert_eq!((r.tracks.len(), r.tracks.n_points()), (10340, 28125));
    let refdir = shared("reference/pst-0.8.0").unwrap();
    let read = |n: &str| std::fs::read_to_string(refdir.join(n)).unwrap();
    assert_same(&to_string(|w| imilast::write(&r.tracks, w)), &read("simple_msl_2.5.txt"), "IMILAST");
    assert_same(&to_string(|w| tdump::write(&r.tracks, w)), &read("simple_msl_2.5.tdump"), "TRACK");
    assert_same(&to_string(|w| trackjson::write(&r.tracks, w, false)), &read("simple_msl_2.5.trackjson"), "TrackJSON");
}

#[test]
fn msl_quadratic_refinement_matches_the_peer() {
    let Some(r) = run("era5_msl_djf2526_2.5deg.nc", "msl", |o, _| o.detector.refinement = Refinement::Quadratic) else { return };
    assert_eq!((r.tracks.len(), r.tracks.n_points()), (9768, 28125));
    assert_same(&to_string(|w| imilast::write(&r.tracks, w)), &reference_gz("simple_msl_quadratic.txt.gz"), "IMILAST");
    assert_same(&to_string(|w| trackjson::write(&r.tracks, w, false)), &reference_gz("simple_msl_quadratic.trackjson.gz"), "TrackJSON");
}

#[test]
fn msl_first_40_frames_match_the_peer() {
    let Some(r) = run("era5_msl_djf2526_2.5deg.nc", "msl", |o, _| o.selection = TimeSelection { n_frames: Some(40), ..Default::default() }) else { return };
    assert_eq!((r.tracks.len(), r.tracks.n_points()), (1251, 3119));
    assert_same(&to_string(|w| imilast::write(&r.tracks, w)), &reference_gz("simple_msl_n40_start.txt.gz"), "IMILAST");
    assert_same(&to_string(|w| trackjson::write(&r.tracks, w, false)), &reference_gz("simple_msl_n40_start.trackjson.gz"), "TrackJSON");
}

fn vo_case(threshold: f64, stem: &str, counts: (usize, usize)) {
    let Some(r) = run("era5_vo850_djf2526_2.5deg.nc", "vo", |o, f| {
        o.detector.threshold = threshold * f.info().unit_factor;
        o.mode = Some(Mode::Max);
    }) else {
        return;
    };
    assert_eq!((r.tracks.len(), r.tracks.n_points()), counts);
    assert_same(&to_string(|w| imilast::write(&r.tracks, w)), &reference_gz(&format!("{stem}.txt.gz")), "IMILAST");
    assert_same(&to_string(|w| trackjson::write(&r.tracks, w, false)), &reference_gz(&format!("{stem}.trackjson.gz")), "TrackJSON");
}

#[test]
fn vo_threshold_1e5_matches_the_peer() {
    vo_case(1e-5, "simple_vo_thr1e-5", (47698, 119988));
}

#[test]
fn vo_threshold_1e4_matches_the_peer() {
    vo_case(1e-4, "simple_vo_thr1e-4", (11715, 26633));
}

#[test]
fn vo_default_threshold_is_1e5() {
    let Some(path) = shared("data/era5/era5_vo850_djf2526_2.5deg.nc") else { return };
    let field = NetcdfField::open(&path, "vo").unwrap();
    assert_eq!(default_feature_threshold(&field.info().identity()), 1e-5);
    assert_eq!(field.default_mode().unwrap(), Mode::Max);
}

#[test]
fn kd_tree_linker_equals_the_dense_matrix_on_every_frame() {
    for (file, var, thr) in [("era5_msl_djf2526_2.5deg.nc", "msl", 0.0), ("era5_vo850_djf2526_2.5deg.nc", "vo", 1e-5)] {
        let Some(r) = run(file, var, |o, _| o.detector.threshold = thr) else { return };
        let refs: Vec<FrameRef<'_>> = r.frames.iter().map(|f| f.frame_ref()).collect();
        // frame by frame: the prefix up to each frame links identically
        let fast = SimpleLinker::default().link(&refs);
        let dense = link_frames_brute_force(&refs, 500.0);
        assert_eq!(fast, dense, "{file}");
        for max_km in [150.0, 300.0, 1000.0] {
            assert_eq!(SimpleLinker { max_km }.link(&refs[..60]), link_frames_brute_force(&refs[..60], max_km), "{file} at {max_km} km");
        }
    }
}

/// The boundary taper (`--taper-points 5`): the same tracks as the peer, byte for byte.
#[test]
fn boundary_taper_matches_the_peer() {
    let Some(input) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("taper5.trackjson");
    let o = common::stormtrack(&["track", "-i", input.to_str().unwrap(), "--variable", "msl", "--taper-points", "5", "-o", out.to_str().unwrap(), "-q"]);
    common::assert_ok(&o);
    assert_same(&std::fs::read_to_string(&out).unwrap(), &reference_gz("simple_msl_taper5.trackjson.gz"), "TrackJSON");
}
