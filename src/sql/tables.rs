//! The tables of a tracks dataset (`centers`, `track_points`, `tracks`) as DataFusion listing
//! tables over the hive-partitioned Parquet files, with typed partition columns.

use crate::io::parquet::{PARTITION_COLUMNS, dataset_tables};
use arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::ListingOptions;
use datafusion::prelude::SessionContext;
use std::path::Path;
use std::sync::Arc;

/// Partition columns of every table ([`PARTITION_COLUMNS`]) with their type, INT.
pub fn table_partition_columns() -> Vec<(String, DataType)> {
    PARTITION_COLUMNS.iter().map(|n| (n.to_string(), DataType::Int32)).collect()
}

/// Register one table directory (e.g. `tracks/track_points`) under `name`.
pub async fn register_tracks_table(ctx: &SessionContext, name: &str, dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(DataFusionError::Plan(format!("{}: no such directory; is it a dataset written by `stormtrack track`?", dir.display())));
    }
    let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet").with_table_partition_cols(table_partition_columns());
    let path = std::fs::canonicalize(dir).map_err(|e| DataFusionError::Plan(format!("{}: {e}", dir.display())))?;
    let url = format!("{}/", path.display());
    ctx.register_listing_table(name, url, options, None, None).await
}

/// Register the tables `centers`, `track_points` and `tracks` of a dataset directory (those
/// present; at least one must be).
pub async fn register_tracks(ctx: &SessionContext, dir: impl AsRef<Path>) -> Result<()> {
    // one snapshot of a dataset that a writer may switch meanwhile
    let dir = &crate::io::generations::snapshot(dir.as_ref());
    for t in dataset_tables(dir).map_err(|e| DataFusionError::Plan(e.to_string()))? {
        register_tracks_table(ctx, t, &dir.join(t)).await?;
    }
    Ok(())
}
