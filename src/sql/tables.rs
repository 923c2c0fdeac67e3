//! The tables of a tracks dataset (`centers`, `track_points`, `tracks`) as DataFusion listing
//! tables over the hive-partitioned Parquet files, with typed partition columns.

use crate::io::parquet::TABLES;
use arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::ListingOptions;
use datafusion::prelude::SessionContext;
use std::path::Path;
use std::sync::Arc;

/// Partition columns of every table: `year=YYYY/month=M` directories, read as INT.
pub const TABLE_PARTITION_COLUMNS: [(&str, DataType); 2] = [("year", DataType::Int32), ("month", DataType::Int32)];

/// Register one table directory (e.g. `tracks/track_points`) under `name`.
pub async fn register_tracks_table(ctx: &SessionContext, name: &str, dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(DataFusionError::Plan(format!("{}: no such directory; is it a dataset written by `stormtrack track`?", dir.display())));
    }
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(TABLE_PARTITION_COLUMNS.iter().map(|(n, t)| (n.to_string(), t.clone())).collect());
    let path = std::fs::canonicalize(dir).map_err(|e| DataFusionError::Plan(format!("{}: {e}", dir.display())))?;
    let url = format!("{}/", path.display());
    ctx.register_listing_table(name, url, options, None, None).await
}

/// Register the tables `centers`, `track_points` and `tracks` of a dataset directory (those
/// present; at least one must be).
pub async fn register_tracks(ctx: &SessionContext, dir: impl AsRef<Path>) -> Result<()> {
    let dir = dir.as_ref();
    let mut found = 0;
    for t in TABLES {
        let d = dir.join(t);
        if d.is_dir() {
            register_tracks_table(ctx, t, &d).await?;
            found += 1;
        }
    }
    if found == 0 {
        return Err(DataFusionError::Plan(format!(
            "{}: not a tracks dataset (no centers/, track_points/ or tracks/ directory); write one with `stormtrack track -o DIR`",
            dir.display()
        )));
    }
    Ok(())
}
