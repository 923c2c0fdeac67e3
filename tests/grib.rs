//! The native GRIB reader against ecCodes: samples written by ecCodes from the shared ERA5
//! field (tests/data/grib/make_samples.py) must read back with ecCodes' coordinates, valid
//! times and values to the last bit; every malformed or unsupported file is one error, never a
//! panic (docs/input.md#grib).
#![cfg(feature = "grib")]

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use stormtrack::error::Error;
use stormtrack::field::{Field, GribError, GribField};
use stormtrack::time::Calendar;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/grib").join(name)
}

fn expected(name: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(sample("expected.json")).unwrap();
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    all[name].as_array().unwrap().clone()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

/// `YYYYMMDDHHMM` as ms (proleptic Gregorian).
fn ms(stamp: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| stamp[r].parse::<u32>().unwrap();
    Calendar::ProlepticGregorian.from_civil(n(0..4) as i32, n(4..6), n(6..8), n(8..10)).unwrap() + i64::from(n(10..12)) * 60_000
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn grib1_and_grib2_read_as_eccodes_decodes_them() {
    for name in ["msl_grib1.grib", "msl_grib2_bitmap.grib2"] {
        let field = GribField::open(sample(name), "msl").unwrap();
        let want = expected(name);
        let info = field.info();
        assert_eq!(info.times, want.iter().map(|m| ms(m["valid_time"].as_str().unwrap())).collect::<Vec<_>>(), "{name}");
        assert_eq!(info.grid.lat, floats(&want[0]["latitudes"]), "{name}");
        assert_eq!(info.grid.lon, floats(&want[0]["longitudes"]), "{name}");
        assert_eq!((info.value_unit.as_str(), info.standard_name.as_deref()), ("Pa", Some("air_pressure_at_mean_sea_level")));
        for (t, m) in want.iter().enumerate() {
            let frame = field.read_frame(t).unwrap();
            let got: Vec<f64> = frame.iter().copied().collect();
            assert!(same_bits(&got, &floats(&m["values"])), "{name} frame {t}");
        }
    }
    let gaps = GribField::open(sample("msl_grib2_bitmap.grib2"), "151").unwrap();
    let frame = gaps.read_frame(0).unwrap();
    assert!(frame[[0, 0]].is_nan() && frame[[4, 7]].is_nan() && frame.iter().filter(|v| v.is_nan()).count() == 2);
    assert_eq!(gaps.info().variable, "msl", "a parameter id is reported by its name");
}

fn expected_gaussian(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(sample("expected_gaussian.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()[name].clone()
}

/// ecCodes' latitudes, north to south, within 1e-9 degree of ours (both are the Gauss–Legendre
/// nodes, found by different iterations).
fn assert_gaussian_latitudes(ours: &[f64], want: &serde_json::Value) {
    let mut want = floats(want);
    want.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(ours.len(), want.len());
    assert!(ours.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-9), "{ours:?}");
}

/// Regular and reduced Gaussian grids written by ecCodes (tests/data/grib/make_gaussian.py):
/// a regular grid's values to the last bit; a reduced grid's rows on the regular Gaussian grid
/// of its longest row, equal to ecCodes' values wherever a row's points fall on the regular
/// grid's longitudes, and (an analytic field of degree 3 along each row) to the field itself at
/// every longitude.
#[test]
fn gaussian_grids_regular_and_reduced_read_as_eccodes_decodes_them() {
    let field = GribField::open(sample("msl_n32_regular.grib2"), "msl").unwrap();
    let want = expected_gaussian("msl_n32_regular.grib2");
    let grid = &field.info().grid;
    assert_gaussian_latitudes(&grid.lat, &want["latitudes"]);
    assert_eq!(grid.lon, (0..128).map(|k| 2.8125 * k as f64).collect::<Vec<_>>());
    assert!(grid.periodic_x);
    let got: Vec<f64> = field.read_frame(0).unwrap().iter().copied().collect();
    assert!(same_bits(&got, &floats(&want["values"])));

    let field = GribField::open(sample("msl_o32.grib2"), "msl").unwrap();
    let want = expected_gaussian("msl_o32.grib2");
    let (grid, info) = (&field.info().grid, field.info());
    assert_eq!((grid.ny(), grid.nx(), info.times.len()), (64, 144, 40));
    assert_gaussian_latitudes(&grid.lat, &want["latitudes"]);
    let pl: Vec<usize> = want["pl"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap() as usize).collect();
    assert_eq!(pl[..3], [20, 24, 28], "octahedral");
    let frame = field.read_frame(0).unwrap();
    let values = floats(&want["values"]);
    let (mut start, mut compared) = (0, 0);
    for (j, &p) in pl.iter().enumerate() {
        if 144 % p == 0 {
            for k in 0..p {
                let ours = frame[[j, k * 144 / p]];
                assert!((ours - values[start + k]).abs() < 1e-6, "row {j} point {k}: {ours} vs {}", values[start + k]);
                compared += 1;
            }
        }
        start += p;
    }
    assert_eq!(compared, 2 * (24 + 36 + 48 + 72 + 144));

    let field = GribField::open(sample("analytic_n32.grib"), "msl").unwrap();
    let grid = &field.info().grid;
    assert_eq!((grid.ny(), grid.nx()), (64, 128));
    for t in 0..2 {
        let frame = field.read_frame(t).unwrap();
        for (j, &la) in grid.lat.iter().enumerate() {
            for (k, &lo) in grid.lon.iter().enumerate() {
                let (la, lo) = (la.to_radians(), lo.to_radians());
                let f = 100000.0 + 1500.0 * la.cos() * (lo + 0.5 * t as f64).cos() - 800.0 * la.sin() * la.cos().powi(2) * (3.0 * lo).sin() + 300.0 * la.sin();
                // 24-bit packing of a 3,600 Pa range: 2e-4 Pa steps
                assert!((frame[[j, k]] - f).abs() < 1e-3, "frame {t} ({j}, {k}): {} vs {f}", frame[[j, k]]);
            }
        }
    }
}

/// A reduced grid that does not go round the globe is refused in one line.
#[test]
fn a_regional_reduced_grid_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // GRIB 1 grid description: octets 21-23 the last longitude (357.1875 -> 180.000)
    let regional = edited(dir.path(), "analytic_n32.grib", |b| {
        let pds_len = u32::from_be_bytes([0, b[8], b[9], b[10]]) as usize;
        let gds = 8 + pds_len;
        b[gds + 20..gds + 23].copy_from_slice(&[0x02, 0xbf, 0x20]);
    });
    let e = GribField::open(&regional, "msl").unwrap_err().to_string();
    assert!(e.contains("a regional reduced grid") && !e.contains('\n'), "{e}");
}

#[test]
fn unsupported_packing_and_absent_variables_are_one_line_errors() {
    let e = GribField::open(sample("msl_grib2_ccsds.grib2"), "msl").unwrap_err();
    assert!(matches!(e, Error::Grib(GribError::Unsupported { .. })), "{e}");
    assert!(e.to_string().contains("CCSDS packing") && e.to_string().contains("at byte 0"), "{e}");
    let e = GribField::open(sample("msl_grib1.grib"), "vo").unwrap_err().to_string();
    assert!(e.contains("variable 'vo' not found") && e.contains("GRIB parameters there: msl"), "{e}");
    // a parameter not asked for is not decoded, so its packing does not matter
    let e = GribField::open(sample("msl_grib2_ccsds.grib2"), "vo").unwrap_err().to_string();
    assert!(e.contains("not found"), "{e}");
    for e in [e] {
        assert!(!e.contains('\n'));
    }
}

/// A copy of `name` in a temporary directory, changed by `edit`.
fn edited(dir: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(sample(name)).unwrap();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn files_that_are_not_one_series_are_refused_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let one = std::fs::read(sample("msl_grib1.grib")).unwrap();
    let len = one.len() / 3; // three messages of equal size
    let open = |p: &Path| GribField::open(p, "msl").unwrap_err().to_string();

    let twice = edited(dir.path(), "msl_grib1.grib", |b| b.extend_from_slice(&one[..len]));
    assert!(open(&twice).contains("two 'msl' fields are valid at 2025-12-01T00:00:00"), "{}", open(&twice));

    let truncated = edited(dir.path(), "msl_grib1.grib", |b| b.truncate(b.len() - 10));
    let e = open(&truncated);
    assert!(e.contains("the file is truncated") && e.contains(&format!("at byte {}", 2 * len)), "{e}");

    let no_end = edited(dir.path(), "msl_grib1.grib", |b| b[len - 1] = b'X');
    assert!(open(&no_end).contains("does not end with '7777'"), "{}", open(&no_end));

    // GRIB 1 product section: level type (octet 10) and value (octets 11-12) of message 2
    let levels = edited(dir.path(), "msl_grib1.grib", |b| {
        let pds = len + 8;
        b[pds + 9] = 100;
        b[pds + 10..pds + 12].copy_from_slice(&850u16.to_be_bytes());
    });
    assert!(open(&levels).contains("on several levels (the surface, 850 hPa)"), "{}", open(&levels));

    let empty = edited(dir.path(), "msl_grib1.grib", |b| b.iter_mut().for_each(|x| *x = b'x'));
    let e = GribField::open(&empty, "msl").unwrap_err().to_string();
    assert!(e.contains("is not a GRIB file"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Mutated samples (bytes overwritten, files cut short) open and read without a panic:
    /// each is read, or refused with one line.
    #[test]
    fn mutated_files_never_panic(
        which in 0usize..4,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let name = ["msl_grib1.grib", "msl_grib2_bitmap.grib2", "msl_grib2_ccsds.grib2", "analytic_n32.grib"][which];
        let dir = tempfile::tempdir().unwrap();
        let path = edited(dir.path(), name, |b| {
            for (at, value) in &edits {
                let k = at.index(b.len());
                b[k] = *value;
            }
            if let Some(cut) = cut {
                let n = cut.index(b.len());
                b.truncate(n);
            }
        });
        match GribField::open(&path, "msl") {
            Ok(field) => {
                for t in 0..field.info().times.len() {
                    if let Err(e) = field.read_frame(t) {
                        prop_assert!(!e.to_string().contains('\n'));
                    }
                }
            }
            Err(e) => prop_assert!(!e.to_string().contains('\n'), "{}", e),
        }
    }
}
