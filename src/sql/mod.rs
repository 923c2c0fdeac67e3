//! DataFusion front end: the SQL functions and the tracks tables.
//!
//! Every function lives in a file of its own, with its documentation in code; `docs/sql.md`
//! is generated from that documentation by [`docs_markdown`] (a test keeps it current).
//! The kernels are the core's ([`crate::geo`], [`crate::tracks::measure`],
//! [`crate::link::link_points`]); this module only adapts Arrow arrays to them.
//!
//! ```no_run
//! # async fn example() -> datafusion::common::Result<()> {
//! use datafusion::prelude::SessionContext;
//! let ctx = SessionContext::new();
//! stormtrack::sql::register_all(&ctx);
//! stormtrack::sql::register_tracks(&ctx, "tracks/").await?;
//! ctx.sql("SELECT track_id, path_length_km(lat, lon, time) FROM track_points GROUP BY track_id").await?.show().await?;
//! # Ok(()) }
//! ```

mod aggregate;
mod args;
pub mod bearing_deg;
pub mod compare_tracks;
pub mod duration_h;
pub mod great_circle_km;
pub mod link_tracks;
pub mod link_tracks_mge;
pub mod max_speed_kmh;
pub mod normalize_lon;
pub mod path_length_km;
pub mod rsplice_keep;
mod scalar;
mod tables;
pub mod track_metrics;

pub use tables::{register_tracks, register_tracks_table, table_partition_columns};

use datafusion::logical_expr::{AggregateUDF, DocSection, Documentation, ScalarUDF, WindowUDF};
use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// Doc section of the elementwise geometry functions.
pub const DOC_SECTION_GEOMETRY: DocSection =
    DocSection { include: true, label: "Geometry on the sphere", description: Some("Elementwise functions of points given in degrees.") };

/// Doc section of the per-track aggregates and the linking window function.
pub const DOC_SECTION_TRACKS: DocSection = DocSection {
    include: true,
    label: "Tracks",
    description: Some("Aggregates over the points of a track (use with GROUP BY track_id or OVER (PARTITION BY track_id)) and linking of centres into tracks."),
};

/// Every scalar function.
pub fn scalar_udfs() -> Vec<Arc<ScalarUDF>> {
    vec![great_circle_km::udf(), bearing_deg::udf(), normalize_lon::udf()]
}

/// Every aggregate function.
pub fn aggregate_udfs() -> Vec<Arc<AggregateUDF>> {
    vec![path_length_km::udaf(), duration_h::udaf(), max_speed_kmh::udaf(), rsplice_keep::udaf(), track_metrics::udaf()]
}

/// Every window function.
pub fn window_udfs() -> Vec<Arc<WindowUDF>> {
    vec![link_tracks::udwf(), link_tracks_mge::udwf()]
}

/// Register every stormtrack function with a session.
pub fn register_all(ctx: &SessionContext) {
    for f in scalar_udfs() {
        ctx.register_udf(f.as_ref().clone());
    }
    for f in aggregate_udfs() {
        ctx.register_udaf(f.as_ref().clone());
    }
    for f in window_udfs() {
        ctx.register_udwf(f.as_ref().clone());
    }
    ctx.register_udtf(compare_tracks::NAME, Arc::new(compare_tracks::CompareTracksFunction));
}

/// A session with every function registered.
pub fn session_context() -> SessionContext {
    let ctx = SessionContext::new();
    register_all(&ctx);
    ctx
}

/// The reference page of the SQL functions (`docs/sql.md`), generated from their
/// documentation.
pub fn docs_markdown() -> String {
    let mut entries: Vec<(&str, &'static str, &Documentation)> = Vec::new();
    let scalars = scalar_udfs();
    let aggs = aggregate_udfs();
    let wins = window_udfs();
    for f in &scalars {
        entries.push((f.name(), "scalar", f.documentation().expect("every function is documented")));
    }
    for f in &aggs {
        entries.push((f.name(), "aggregate", f.documentation().expect("every function is documented")));
    }
    for f in &wins {
        entries.push((f.name(), "window", f.documentation().expect("every function is documented")));
    }
    entries.push((compare_tracks::NAME, "table", compare_tracks::doc()));
    let mut out = String::from(
        "<!-- Generated from the documentation in src/sql/*.rs by `make docs` (the test `docs_sql_md` of tests/frontends.rs with STORMTRACK_BLESS=1); do not edit. -->\n\n\
         # SQL functions\n\n\
         `stormtrack::sql::register_all(&ctx)` (Rust), `stormtrack.sql_context()` (Python) and `stormtrack sql` (CLI) \
         register these functions with a DataFusion session; `register_tracks` adds the tables `centers`, \
         `track_points` and `tracks` of a dataset written by `stormtrack track`, with typed partition columns \
         `year` and `month` (INT). Examples that run: `sql/*.slt` and `sql/examples/*.sql`.\n",
    );
    for section in [DOC_SECTION_GEOMETRY, DOC_SECTION_TRACKS] {
        out.push_str(&format!("\n## {}\n\n{}\n", section.label, section.description.unwrap_or_default()));
        for (name, kind, doc) in entries.iter().filter(|e| e.2.doc_section == section) {
            out.push_str(&format!("\n### `{name}` ({kind})\n\n{}\n\n```sql\n{}\n```\n", doc.description, doc.syntax_example));
            if let Some(args) = &doc.arguments {
                out.push_str("\n| argument | meaning |\n|---|---|\n");
                for (a, d) in args {
                    out.push_str(&format!("| `{a}` | {d} |\n"));
                }
            }
            if let Some(ex) = &doc.sql_example {
                out.push_str(&format!("\nExample:\n\n{ex}\n"));
            }
            if let Some(rel) = &doc.related_udfs {
                let names: Vec<String> = rel.iter().map(|r| format!("`{r}`")).collect();
                out.push_str(&format!("\nSee also {}.\n", names.join(", ")));
            }
        }
    }
    out
}
