//! `detect --rejections`: every candidate of the Simple or Hodges detector in each selected
//! frame, kept or not, with the test that turned it down and the value it was tested on
//! (docs/algorithms.md#rejected-candidates), as one table.

use super::detect::Options;
use super::progress::reporting;
use super::{Progress, pool};
use crate::arrow::{CentersMeta, frame_centers_batch};
use crate::detect::{ExtraColumn, FrameCenters};
use crate::error::{Error, Result};
use crate::field::Field;
use crate::io::parquet as pq;
use crate::pipeline::candidates::Candidate;
use crate::pipeline::centers_meta;
use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field as ArrowField, Schema};
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The candidates of every selected frame (one batch per frame, in time order): the `centers`
/// columns of the candidate's cell (its refined position and value when kept), then
/// `tested_value`, `limit` and `rejected_by` (null when kept).
pub fn run(opts: &Options, progress: &dyn Progress) -> Result<Vec<RecordBatch>> {
    opts.validate()?;
    let mut method = opts.detection.method(&opts.field)?;
    let field = opts.field.open_for(&mut method, &opts.detection.other_variables(&opts.field.variable))?;
    let range = opts.field.selection(field.info().calendar)?.frames(&field.info().times);
    let (method, mode) = method.settle(&field, &opts.field, opts.detection.feature_threshold)?;
    let meta = centers_meta(&field, mode);
    let pool = pool(opts.field.threads)?;
    let tracker = method.tracker(mode, None);
    let candidates = tracker.candidates(&field)?;
    let done = AtomicUsize::new(0);
    reporting(progress, range.len(), |p| {
        pool.install(|| {
            range
                .clone()
                .into_par_iter()
                .map(|t| {
                    let batch = table(&field, &meta, t, candidates.frame(t)?);
                    p(done.fetch_add(1, Ordering::Relaxed) + 1);
                    batch
                })
                .collect::<Result<Vec<_>>>()
        })
    })
}

/// Check, before any work, the options and that `path` can be written.
pub fn validate(opts: &Options, path: &Path) -> Result<()> {
    opts.validate()?;
    opts.detection.method(&opts.field)?;
    crate::io::atomic::check_writable_file(path)
}

/// Write the table to `path` (Parquet, atomically).
pub fn write(batches: &[RecordBatch], path: &Path) -> Result<()> {
    let Some(first) = batches.first() else { return Err(Error::TooFewFrames("no frame selected".into())) };
    pq::write_file(&arrow::compute::concat_batches(&first.schema(), batches)?, path)
}

/// The rows of frame `t`, sorted by cell, as a `centers` batch with `tested_value`, `limit` and
/// `rejected_by`.
fn table(field: &dyn Field, meta: &CentersMeta, t: usize, mut rows: Vec<Candidate>) -> Result<RecordBatch> {
    let grid = &field.info().grid;
    rows.sort_by(|a, b| (a.row, a.col).cmp(&(b.row, b.col)).then(a.lat.total_cmp(&b.lat)).then(a.lon.total_cmp(&b.lon)));
    let mut centres = FrameCenters {
        rows: rows.iter().map(|r| r.row).collect(),
        cols: rows.iter().map(|r| r.col).collect(),
        lats: rows.iter().map(|r| r.lat).collect(),
        lons: rows.iter().map(|r| r.lon).collect(),
        values: rows.iter().map(|r| r.value).collect(),
        extras: vec![
            ExtraColumn { name: "tested_value".into(), unit: String::new(), values: rows.iter().map(|r| r.tested_value).collect() },
            ExtraColumn { name: "limit".into(), unit: String::new(), values: rows.iter().map(|r| r.limit).collect() },
        ],
    };
    // on a plane, every position in latitude and longitude
    crate::pipeline::to_sphere(grid, &mut centres);
    let batch = frame_centers_batch(meta, t as u32, field.info().times[t], &centres)?;
    let reasons: ArrayRef = Arc::new(rows.iter().map(|r| r.rejected_by.as_deref()).collect::<StringArray>());
    let schema = batch.schema();
    let mut fields: Vec<ArrowField> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(ArrowField::new("rejected_by", DataType::Utf8, true));
    let mut columns = batch.columns().to_vec();
    columns.push(reasons);
    Ok(RecordBatch::try_new(Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())), columns)?)
}
