//! `detect --rejections`: every candidate of the Simple detector in each selected frame, kept or
//! not, with the test that turned it down and the value it was tested on
//! (docs/algorithms.md#rejected-candidates), as one table.

use super::detect::{Method, Options};
use super::progress::reporting;
use super::{Progress, pool};
use crate::arrow::{CentersMeta, frame_centers_batch};
use crate::detect::{Detector, ExtraColumn, FrameCenters, Rejection};
use crate::error::{Error, Result};
use crate::field::{Field, FilteredField};
use crate::io::parquet as pq;
use crate::pipeline::centers_meta;
use crate::variables::Mode;
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
    let field = opts.field.open_for(&mut method, &opts.detection.other_variables(&opts.field.variable)?)?;
    let range = opts.field.selection(field.info().calendar)?.frames(&field.info().times);
    let (method, mode) = method.settle(&field, &opts.field, opts.detection.feature_threshold)?;
    let Method::Simple { detector, spectral } = &method else { return Err(simple_only()) };
    let filtered;
    let source: &dyn Field = match spectral {
        Some(s) => {
            filtered = FilteredField::with_options(&field, s)?;
            &filtered
        }
        None => &field,
    };
    let meta = centers_meta(&field, mode);
    let pool = pool(opts.field.threads)?;
    let done = AtomicUsize::new(0);
    let batches = reporting(progress, range.len(), |p| {
        pool.install(|| {
            range
                .clone()
                .into_par_iter()
                .map(|t| {
                    let batch = frame_table(source, detector, mode, &meta, t);
                    p(done.fetch_add(1, Ordering::Relaxed) + 1);
                    batch
                })
                .collect::<Result<Vec<_>>>()
        })
    })?;
    Ok(batches)
}

/// Check, before any work, that the options ask for the Simple tracker and `path` can be written.
pub fn validate(opts: &Options, path: &Path) -> Result<()> {
    opts.validate()?;
    if !matches!(opts.detection.method(&opts.field)?, Method::Simple { .. }) {
        return Err(simple_only());
    }
    crate::io::atomic::check_writable_file(path)
}

fn simple_only() -> Error {
    Error::option("rejections", "are reported for `algorithm` simple; the Hodges and HEALPix trackers do not report theirs yet")
}

/// Write the table to `path` (Parquet, atomically).
pub fn write(batches: &[RecordBatch], path: &Path) -> Result<()> {
    let Some(first) = batches.first() else { return Err(Error::TooFewFrames("no frame selected".into())) };
    pq::write_file(&arrow::compute::concat_batches(&first.schema(), batches)?, path)
}

fn frame_table(field: &dyn Field, detector: &dyn Detector, mode: Mode, meta: &CentersMeta, t: usize) -> Result<RecordBatch> {
    let (frame, _) = crate::pipeline::simple_frame(field, t)?;
    let grid = &field.info().grid;
    let others = field.other_frames(t)?;
    let views: Vec<_> = others.iter().map(|o| o.view()).collect();
    let (kept, rejected) = detector.diagnose(frame.view(), &views, grid, mode);
    // kept centres first, then the rejections, all sorted by cell
    let mut rows: Vec<(u32, u32, f64, f64, f64, f64, f64, Option<String>)> =
        (0..kept.len()).map(|k| (kept.rows[k], kept.cols[k], kept.lats[k], kept.lons[k], kept.values[k], f64::NAN, f64::NAN, None)).collect();
    rows.extend(rejected.into_iter().map(|Rejection { row, col, test, value, limit }| {
        let (r, c) = (row as usize, col as usize);
        (row, col, grid.lat[r], grid.lon[c], frame[[r, c]], value, limit, Some(test))
    }));
    rows.sort_by_key(|r| (r.0, r.1));
    let mut centres = FrameCenters {
        rows: rows.iter().map(|r| r.0).collect(),
        cols: rows.iter().map(|r| r.1).collect(),
        lats: rows.iter().map(|r| r.2).collect(),
        lons: rows.iter().map(|r| r.3).collect(),
        values: rows.iter().map(|r| r.4).collect(),
        extras: vec![
            ExtraColumn { name: "tested_value".into(), unit: String::new(), values: rows.iter().map(|r| r.5).collect() },
            ExtraColumn { name: "limit".into(), unit: String::new(), values: rows.iter().map(|r| r.6).collect() },
        ],
    };
    // on a plane, every position in latitude and longitude
    crate::pipeline::to_sphere(grid, &mut centres);
    let batch = frame_centers_batch(meta, t as u32, field.info().times[t], &centres)?;
    let reasons: ArrayRef = Arc::new(rows.iter().map(|r| r.7.as_deref()).collect::<StringArray>());
    let schema = batch.schema();
    let mut fields: Vec<ArrowField> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(ArrowField::new("rejected_by", DataType::Utf8, true));
    let mut columns = batch.columns().to_vec();
    columns.push(reasons);
    Ok(RecordBatch::try_new(Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())), columns)?)
}
