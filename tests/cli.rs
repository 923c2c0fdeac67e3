//! End-to-end runs of the `stormtrack` binary: real data, determinism across thread counts,
//! and every bad input of issue #2 scope 9 (exit code 2, one line naming problem and fix,
//! nothing left behind).

mod common;

use common::{nc_lock, shared, stormtrack};
use std::path::{Path, PathBuf};
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert a clean failure: exit code 2, one line on stderr containing every `needles`.
fn assert_fails(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("stormtrack: error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "{err:?} lacks {n:?}");
    }
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}

/// Entries of a directory (names), sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A temporary folder holding the default synthetic input `in.nc`.
fn with_default_input() -> (tempfile::TempDir, PathBuf) {
    let d = tmp();
    let input = d.path().join("in.nc");
    write_nc(&input, Nc::default());
    (d, input)
}

// ---------------------------------------------------------------- small NetCDF files

struct Nc<'a> {
    var: &'a str,
    time_units: Option<&'a str>,
    calendar: Option<&'a str>,
    times: Vec<f64>,
    with_lat: bool,
    with_time: bool,
    data: Option<Vec<f32>>,
}

impl Default for Nc<'_> {
    fn default() -> Self {
        Nc {
            var: "msl",
            time_units: Some("hours since 2025-12-01 00:00:00"),
            calendar: None,
            times: vec![0.0, 6.0, 12.0],
            with_lat: true,
            with_time: true,
            data: None,
        }
    }
}

const NY: usize = 37;
const NX: usize = 72;

/// `nt` frames of one low moving east at 0.6 cells per frame on the small grid.
fn moving_low(nt: usize) -> Vec<f32> {
    let mut d = vec![101_000.0f32; nt * NY * NX];
    for t in 0..nt {
        for i in 0..NY {
            for j in 0..NX {
                let (di, dj) = (i as f32 - 24.0, j as f32 - 20.0 - 0.6 * t as f32);
                d[(t * NY + i) * NX + j] -= 2000.0 * (-(di * di + dj * dj) / 4.0).exp();
            }
        }
    }
    d
}

/// A small global 5° field with one low moving east at 0.6 cells per frame (< 500 km), written with the netcdf crate.
fn write_nc(path: &Path, nc: Nc<'_>) {
    let _guard = nc_lock();
    let nt = nc.times.len();
    let mut f = netcdf::create(path).unwrap();
    f.add_dimension("time", nt).unwrap();
    f.add_dimension("lat", NY).unwrap();
    f.add_dimension("lon", NX).unwrap();
    if nc.with_time {
        let mut t = f.add_variable::<f64>("time", &["time"]).unwrap();
        if let Some(u) = nc.time_units {
            t.put_attribute("units", u).unwrap();
        }
        if let Some(c) = nc.calendar {
            t.put_attribute("calendar", c).unwrap();
        }
        t.put_values(&nc.times, ..).unwrap();
    }
    if nc.with_lat {
        let mut v = f.add_variable::<f64>("lat", &["lat"]).unwrap();
        v.put_values(&(0..NY).map(|i| -90.0 + 5.0 * i as f64).collect::<Vec<_>>(), ..).unwrap();
    }
    let mut v = f.add_variable::<f64>("lon", &["lon"]).unwrap();
    v.put_values(&(0..NX).map(|j| -180.0 + 5.0 * j as f64).collect::<Vec<_>>(), ..).unwrap();
    let data = nc.data.unwrap_or_else(|| moving_low(nt));
    let mut v = f.add_variable::<f32>(nc.var, &["time", "lat", "lon"]).unwrap();
    v.put_attribute("units", "Pa").unwrap();
    v.put_attribute("_FillValue", f32::NAN).unwrap();
    v.put_values(&data, ..).unwrap();
}

fn track_to(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["track", "-i", input.to_str().unwrap(), "--variable", "msl", "-o", out.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    stormtrack(&args)
}

// ---------------------------------------------------------------- happy paths

#[test]
fn small_file_tracks_one_storm_to_every_format() {
    let (d, input) = with_default_input();
    for name in ["t.txt", "t.tdump", "t.trackjson", "ds"] {
        let o = track_to(&input, &d.path().join(name), &[]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
    }
    let txt = std::fs::read_to_string(d.path().join("t.txt")).unwrap();
    assert!(txt.starts_with("99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL\n90 1 3\n"), "{txt}");
    assert!(d.path().join("ds/_stormtrack.json").is_file());
    assert!(d.path().join("ds/track_points/year=2025/month=12/part-0.parquet").is_file());
    // convert the dataset back to IMILAST: the same bytes
    let back = d.path().join("back.txt");
    let o = stormtrack(&["convert", d.path().join("ds").to_str().unwrap(), back.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(back).unwrap(), txt);
}

#[test]
fn djf_msl_cli_matches_the_peer_and_converts_between_all_formats() {
    let Some(input) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let refdir = shared("reference/pst-0.8.0").unwrap();
    let d = tmp();
    let (ds, txt) = (d.path().join("tracks"), d.path().join("tracks.txt"));
    let (i, to_ds, to_txt) = (input.to_str().unwrap(), ds.to_str().unwrap(), txt.to_str().unwrap());
    let o = stormtrack(&["track", "-i", i, "--variable", "msl", "-a", "simple", "-m", "min", "-o", to_ds, "-o", to_txt, "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&txt).unwrap(), std::fs::read(refdir.join("simple_msl_2.5.txt")).unwrap());
    // dataset -> every text format: identical to the peer's files
    for (suffix, reference) in [("tdump", "simple_msl_2.5.tdump"), ("trackjson", "simple_msl_2.5.trackjson"), ("txt", "simple_msl_2.5.txt")] {
        let out = d.path().join(format!("conv.{suffix}"));
        let o = stormtrack(&["convert", ds.to_str().unwrap(), out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(refdir.join(reference)).unwrap(), "{suffix}");
    }
    // text -> dataset -> text
    let ds2 = d.path().join("from_tdump.parquet");
    let o = stormtrack(&["convert", refdir.join("simple_msl_2.5.tdump").to_str().unwrap(), ds2.to_str().unwrap(), "--variable", "msl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = d.path().join("back.tdump");
    assert!(stormtrack(&["convert", ds2.to_str().unwrap(), back.to_str().unwrap()]).status.success());
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(refdir.join("simple_msl_2.5.tdump")).unwrap());
}

/// All files under a directory with their bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn outputs_are_byte_identical_for_1_2_and_8_threads() {
    let Some(input) = shared("data/era5/era5_vo850_djf2526_2.5deg.nc") else { return };
    let d = tmp();
    let mut runs = Vec::new();
    for threads in ["1", "2", "8"] {
        let dir = d.path().join(format!("t{threads}"));
        std::fs::create_dir(&dir).unwrap();
        let o = stormtrack(&[
            "track",
            "-i",
            input.to_str().unwrap(),
            "--variable",
            "vo",
            "-m",
            "max",
            "--feature-threshold",
            "1e-4",
            "--threads",
            threads,
            "-o",
            dir.join("ds").to_str().unwrap(),
            "-o",
            dir.join("t.txt").to_str().unwrap(),
            "-o",
            dir.join("t.trackjson").to_str().unwrap(),
            "-o",
            dir.join("t.tdump").to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        runs.push(tree(&dir));
    }
    assert!(runs[0].len() >= 4 + 3 * 3);
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}

// ---------------------------------------------------------------- bad inputs

#[test]
fn missing_input_file() {
    let d = tmp();
    let out = d.path().join("o.txt");
    let o = track_to(&d.path().join("nope.nc"), &out, &[]);
    assert_fails(&o, &["nope.nc", "does not exist"]);
    assert!(entries(d.path()).is_empty());
}

#[test]
fn not_a_netcdf_file() {
    let d = tmp();
    let input = d.path().join("notes.nc");
    std::fs::write(&input, "these are not data\n").unwrap();
    let o = track_to(&input, &d.path().join("o.txt"), &[]);
    assert_fails(&o, &["not a readable NetCDF file"]);
    assert_eq!(entries(d.path()), vec!["notes.nc"]);
}

#[test]
fn truncated_and_corrupt_files() {
    let Some(src) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let bytes = std::fs::read(src).unwrap();
    let d = tmp();
    // truncated: half the file
    let cut = d.path().join("cut.nc");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = track_to(&cut, &d.path().join("o.txt"), &[]);
    assert_fails(&o, &["cut.nc"]);
    assert!(stderr(&o).contains("truncated or corrupt") || stderr(&o).contains("not a readable NetCDF"), "{}", stderr(&o));
    // corrupt: garbage over the compressed data in the middle of the file
    let bad = d.path().join("bad.nc");
    let mut b = bytes.clone();
    let mid = b.len() / 2;
    for x in &mut b[mid..mid + 4096] {
        *x = 0xA5;
    }
    std::fs::write(&bad, &b).unwrap();
    let o = track_to(&bad, &d.path().join("o.txt"), &[]);
    assert_fails(&o, &["bad.nc", "truncated or corrupt"]);
    assert_eq!(entries(d.path()), vec!["bad.nc", "cut.nc"]);
}

#[test]
fn variable_not_found_lists_what_is_there() {
    let d = tmp();
    let input = d.path().join("in.nc");
    write_nc(&input, Nc { var: "t2m", ..Default::default() });
    let o = track_to(&input, &d.path().join("o.txt"), &[]);
    assert_fails(&o, &["variable 'msl' not found", "t2m", "--variable"]);
    assert_eq!(entries(d.path()), vec!["in.nc"]);
}

#[test]
fn missing_coordinates() {
    let d = tmp();
    let no_lat = d.path().join("nolat.nc");
    write_nc(&no_lat, Nc { with_lat: false, ..Default::default() });
    assert_fails(&track_to(&no_lat, &d.path().join("o.txt"), &[]), &["no latitude coordinate", "latitude, lat, y"]);
    let no_time = d.path().join("notime.nc");
    write_nc(&no_time, Nc { with_time: false, ..Default::default() });
    assert_fails(&track_to(&no_time, &d.path().join("o.txt"), &[]), &["no time coordinate"]);
    let no_units = d.path().join("nounits.nc");
    write_nc(&no_units, Nc { time_units: None, ..Default::default() });
    assert_fails(&track_to(&no_units, &d.path().join("o.txt"), &[]), &["no units attribute"]);
    assert_eq!(entries(d.path()), vec!["nolat.nc", "notime.nc", "nounits.nc"]);
}

#[test]
fn unknown_calendar() {
    let d = tmp();
    let input = d.path().join("in.nc");
    write_nc(&input, Nc { calendar: Some("365.25_day"), ..Default::default() });
    assert_fails(&track_to(&input, &d.path().join("o.txt"), &[]), &["calendar '365.25_day' is not a CF calendar", "360_day"]);
    assert_eq!(entries(d.path()), vec!["in.nc"]);
}

#[test]
fn single_time_step() {
    let d = tmp();
    let input = d.path().join("in.nc");
    write_nc(&input, Nc { times: vec![0.0], ..Default::default() });
    assert_fails(&track_to(&input, &d.path().join("o.txt"), &[]), &["only one time step", "stormtrack detect"]);
    assert_eq!(entries(d.path()), vec!["in.nc"]);
    // `detect` handles it
    let out = d.path().join("c.parquet");
    let o = stormtrack(&["detect", "-i", input.to_str().unwrap(), "--variable", "msl", "-o", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.is_file());
}

#[test]
fn nan_frames_and_patches_are_skipped_with_a_warning() {
    let d = tmp();
    let input = d.path().join("in.nc");
    let mut data = moving_low(4);
    for v in &mut data[2 * NY * NX..3 * NY * NX] {
        *v = f32::NAN; // frame 2 entirely missing
    }
    for j in 20..25 {
        data[(3 * NY + 10) * NX + j] = f32::NAN; // a patch in frame 3
    }
    write_nc(&input, Nc { times: vec![0.0, 6.0, 12.0, 18.0], data: Some(data), ..Default::default() });
    let out = d.path().join("o.txt");
    let o = track_to(&input, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("warning: missing values: 1 frame(s) entirely NaN") && err.contains("1 frame(s) with NaN patches"), "{err}");
    // the storm is tracked before the gap and again after it
    let txt = std::fs::read_to_string(out).unwrap();
    assert!(txt.contains("\n90 1 2\n") && txt.contains("\n90 2 1\n"), "{txt}");
    assert!(!txt.contains("nan"));
}

/// The grids of issue 15 on a small synthetic input: the moving low is tracked on HEALPix pixels
/// and on either polar plane where it lies; missing values, which a spherical transform would
/// spread everywhere, are refused in one line with nothing written.
#[test]
fn healpix_and_polar_planes_track_the_low_and_refuse_missing_values() {
    let d = tmp();
    let input = d.path().join("in.nc");
    write_nc(&input, Nc { times: vec![0.0, 6.0, 12.0, 18.0], ..Default::default() });
    let out = d.path().join("o.txt");
    // the low sits at row 24 of -90..90 by 5 degrees: 30 N
    for extra in [&["-a", "healpix", "--object-threshold", "100000", "--nside", "16"][..], &["-p", "nh_stereo", "-r", "200", "--feature-threshold", "100"]] {
        let o = track_to(&input, &out, extra);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        let txt = std::fs::read_to_string(&out).unwrap();
        let lats: Vec<f64> = txt.lines().filter(|l| l.starts_with("00 ")).map(|l| l.split_whitespace().nth(9).unwrap().parse().unwrap()).collect();
        assert!(!lats.is_empty() && lats.iter().all(|l| (l - 30.0).abs() < 2.0), "{extra:?}: {lats:?}\n{txt}");
    }
    let mut data = moving_low(4);
    for j in 20..25 {
        data[(3 * NY + 10) * NX + j] = f32::NAN;
    }
    write_nc(&input, Nc { times: vec![0.0, 6.0, 12.0, 18.0], data: Some(data), ..Default::default() });
    std::fs::remove_file(&out).unwrap();
    assert_fails(&track_to(&input, &out, &["-a", "healpix"]), &["frame 3", "missing"]);
    assert_fails(&track_to(&input, &out, &["-p", "sh_stereo"]), &["frame 3", "missing"]);
    assert!(!out.exists());
}

#[test]
fn bad_option_values_fail_before_any_work() {
    let (d, input) = with_default_input();
    let out = d.path().join("o.txt");
    let cases: &[(&[&str], &[&str])] = &[
        (&["--feature-threshold", "-1"], &["--feature-threshold"]),
        (&["--search-window-size", "4"], &["--search-window-size", "odd"]),
        (&["-m", "sideways"], &["--detection-mode", "sideways"]),
        (&["-n", "0"], &["--n-frames"]),
        (&["--threads", "0"], &["--threads"]),
        (&["-a", "healpix", "--nside", "12"], &["--nside", "power of two"]),
        (&["-a", "kalman"], &["--algorithm", "kalman"]),
        (&["--w1", "0.3"], &["--w1", "hodges"]),
        (&["--feature-refinement", "bspline"], &["--feature-refinement", "bspline"]),
        (&["--lmin", "5"], &["--lmin", "--lmax", "together"]),
        (&["--lmin", "5", "--lmax", "42", "--spectral-taper", "2"], &["--spectral-taper"]),
        (&["-b", "mpi"], &["--backend", "mpi"]),
        (&["--start", "yesterday"], &["--start", "yesterday"]),
        (&["--start", "2025-12-02", "--end", "2025-12-01"], &["--end"]),
        (&["--max-link-km", "-5"], &["--max-link-km"]),
        (&["--bogus-flag"], &["--bogus-flag"]),
        (&["-f", "xls"], &["unknown format 'xls'"]),
    ];
    for (extra, needles) in cases {
        let o = track_to(&input, &out, extra);
        assert_fails(&o, needles);
    }
    let o = stormtrack(&["track", "-i", input.to_str().unwrap()]);
    assert_fails(&o, &["required", "--variable", "--output"]);
    let o = track_to(&input, &d.path().join("o.xls"), &[]);
    assert_fails(&o, &[".xls", "-f"]);
    let o = track_to(&input, &out, &["--start", "2030-01-01"]);
    assert_fails(&o, &["no frame"]);
    assert_eq!(entries(d.path()), vec!["in.nc"]);
}

#[test]
fn unwritable_outputs_fail_before_any_work() {
    let (d, input) = with_default_input();
    assert_fails(&track_to(&input, Path::new("/nonexistent-dir/o.txt"), &[]), &["cannot write", "does not exist"]);
    // a non-empty directory that is not a dataset is never overwritten
    let other = d.path().join("photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("cat.jpg"), b"meow").unwrap();
    assert_fails(&track_to(&input, &other, &[]), &["not a stormtrack dataset"]);
    assert_eq!(entries(&other), vec!["cat.jpg"]);
    // read-only directory (root ignores permissions, so only check where they apply)
    let ro = d.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), b"").is_err() {
        assert_fails(&track_to(&input, &ro.join("o.txt"), &[]), &["cannot write"]);
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _ = std::fs::remove_file(ro.join("probe"));
    assert!(entries(&ro).is_empty());
    assert_eq!(entries(d.path()), vec!["in.nc", "photos", "ro"]);
}

#[test]
fn a_dataset_is_replaced_atomically() {
    let (d, input) = with_default_input();
    let ds = d.path().join("ds");
    assert!(track_to(&input, &ds, &[]).status.success());
    assert!(track_to(&input, &ds, &["-n", "2"]).status.success());
    let desc = std::fs::read_to_string(ds.join("_stormtrack.json")).unwrap();
    assert!(desc.contains("\"n_points\": 2"), "{desc}");
    assert_eq!(entries(d.path()), vec!["ds", "in.nc"]);
}

#[test]
fn every_reference_file_survives_a_trip_through_the_dataset() {
    let Some(refdir) = shared("reference/pst-0.8.0") else { return };
    let d = tmp();
    for name in ["simple_msl_2.5.txt", "simple_msl_2.5.tdump", "simple_msl_2.5.trackjson", "hodges_msl_2.5_T5-42.trackjson"] {
        let src = refdir.join(name);
        let ds = d.path().join(format!("{name}.ds"));
        let back = d.path().join(name);
        let o = stormtrack(&["convert", src.to_str().unwrap(), ds.to_str().unwrap(), "-F", "parquet", "--variable", "msl"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let o = stormtrack(&["convert", ds.to_str().unwrap(), back.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&src).unwrap(), "{name}");
    }
}

#[test]
fn time_range_and_frame_count_select_frames() {
    let d = tmp();
    let input = d.path().join("in.nc");
    write_nc(&input, Nc { times: vec![0.0, 6.0, 12.0, 18.0, 24.0], ..Default::default() });
    let count = |extra: &[&str]| {
        let out = d.path().join("sel.txt");
        let o = track_to(&input, &out, extra);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("00 "))
            .map(|l| l.split_whitespace().nth(3).unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(count(&[]).len(), 5);
    assert_eq!(count(&["-n", "2"]), vec!["2025120100", "2025120106"]);
    assert_eq!(count(&["--start", "2025-12-01T06:00", "--end", "2025-12-01T18"]), vec!["2025120106", "2025120112", "2025120118"]);
    assert_eq!(count(&["--start", "2025-12-01T06:00", "-n", "2"]), vec!["2025120106", "2025120112"]);
}
