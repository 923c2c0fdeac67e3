//! `detect --rejections`: every candidate of the Simple or Hodges detector in each selected
//! frame, kept or not, with the test that turned it down and the value it was tested on
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
use crate::pipeline::healpix::HealpixDetection;
use crate::pipeline::hodges::HodgesDiagnosis;
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
    let field = opts.field.open_for(&mut method, &opts.detection.other_variables(&opts.field.variable))?;
    let range = opts.field.selection(field.info().calendar)?.frames(&field.info().times);
    let (method, mode) = method.settle(&field, &opts.field, opts.detection.feature_threshold)?;
    let meta = centers_meta(&field, mode);
    let pool = pool(opts.field.threads)?;
    let done = AtomicUsize::new(0);
    let each = |table: &(dyn Fn(usize) -> Result<RecordBatch> + Sync)| {
        reporting(progress, range.len(), |p| {
            pool.install(|| {
                range
                    .clone()
                    .into_par_iter()
                    .map(|t| {
                        let batch = table(t);
                        p(done.fetch_add(1, Ordering::Relaxed) + 1);
                        batch
                    })
                    .collect::<Result<Vec<_>>>()
            })
        })
    };
    match &method {
        Method::Simple { detector, spectral } => {
            let filtered;
            let source: &dyn Field = match spectral {
                Some(s) => {
                    filtered = FilteredField::with_options(&field, s)?;
                    &filtered
                }
                None => &field,
            };
            each(&|t| simple_table(source, detector, mode, &meta, t))
        }
        Method::Hodges(h) => match h.healpix {
            Some(settings) => {
                let detection = HealpixDetection::new(&field, h, settings)?;
                each(&|t| healpix_table(&detection, &field, &meta, t))
            }
            None => {
                let diagnosis = HodgesDiagnosis::new(&field, h)?;
                each(&|t| hodges_table(&diagnosis, &field, &meta, t))
            }
        },
    }
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

/// One row of the table: cell, position, value, what was tested, its limit, the test that
/// turned the candidate down (`None`: kept).
type Row = (u32, u32, f64, f64, f64, f64, f64, Option<String>);

fn simple_table(field: &dyn Field, detector: &dyn Detector, mode: Mode, meta: &CentersMeta, t: usize) -> Result<RecordBatch> {
    let (frame, _) = crate::pipeline::simple_frame(field, t)?;
    let grid = &field.info().grid;
    let others = field.other_frames(t)?;
    let views: Vec<_> = others.iter().map(|o| o.view()).collect();
    let (kept, rejected) = detector.diagnose(frame.view(), &views, grid, mode);
    let mut rows: Vec<Row> =
        (0..kept.len()).map(|k| (kept.rows[k], kept.cols[k], kept.lats[k], kept.lons[k], kept.values[k], f64::NAN, f64::NAN, None)).collect();
    rows.extend(rejected.into_iter().map(|Rejection { row, col, test, value, limit }| {
        let (r, c) = (row as usize, col as usize);
        (row, col, grid.lat[r], grid.lon[c], frame[[r, c]], value, limit, Some(test))
    }));
    table(field, meta, t, rows)
}

/// The Hodges tracker's rows: its features (DUFF ones turned down as `duplicate`, or by the
/// name of their failed `spherical_bspline` search), and the
/// extrema of objects below `min_object_grid_points` (`object_size`: the object's points
/// against the limit), at their positions (the nearest grid cell in `row`, `col`).
fn hodges_table(diagnosis: &HodgesDiagnosis<'_>, field: &dyn Field, meta: &CentersMeta, t: usize) -> Result<RecordBatch> {
    use crate::detect::hodges::{RefineStatus, nearest_cell};
    let grid = &field.info().grid;
    let (features, small) = diagnosis.frame(t)?;
    let cell = |lat: f64, lon: f64| {
        let (r, c) = nearest_cell(&grid.lat, &grid.lon, grid.periodic_x, lat, lon);
        (r as u32, c as u32)
    };
    let mut rows: Vec<Row> = features
        .iter()
        .map(|f| {
            let (r, c) = cell(f.lat, f.lon);
            match f.status {
                RefineStatus::Duff => (r, c, f.lat, f.lon, f.raw_value, f64::NAN, f64::NAN, Some("duplicate".to_string())),
                // spherical_bspline turns a failed search DUFF: the test is the refinement
                s if f.value == crate::detect::hodges::DUFF_FEATURE_VALUE => {
                    (r, c, f.lat, f.lon, f.raw_value, f64::NAN, f64::NAN, Some(s.as_str().to_string()))
                }
                _ => (r, c, f.lat, f.lon, f.value, f64::NAN, f64::NAN, None),
            }
        })
        .collect();
    let limit = diagnosis.min_object_points() as f64;
    rows.extend(small.iter().map(|c| {
        let (r, col) = cell(c.lat, c.lon);
        (r, col, c.lat, c.lon, c.raw_value, c.object_points as f64, limit, Some("object_size".to_string()))
    }));
    table(field, meta, t, rows)
}

/// The HEALPix tracker's rows: its features (kept), and the extremum of every object below
/// `min_object_grid_points` (`object_size`), the input's cell in `row` (`col` 0).
fn healpix_table(detection: &HealpixDetection, field: &dyn Field, meta: &CentersMeta, t: usize) -> Result<RecordBatch> {
    let (features, small) = detection.diagnose(field, t)?;
    let mut rows: Vec<Row> = features.iter().map(|f| (f.pixel as u32, 0, f.lat, f.lon, f.value, f64::NAN, f64::NAN, None)).collect();
    let limit = detection.min_object_points() as f64;
    rows.extend(small.into_iter().map(|(lat, lon, value, cell, size)| (cell as u32, 0, lat, lon, value, size as f64, limit, Some("object_size".to_string()))));
    table(field, meta, t, rows)
}

/// The rows of frame `t`, sorted by cell, as a `centers` batch with `tested_value`, `limit` and
/// `rejected_by`.
fn table(field: &dyn Field, meta: &CentersMeta, t: usize, mut rows: Vec<Row>) -> Result<RecordBatch> {
    let grid = &field.info().grid;
    rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)).then(a.3.total_cmp(&b.3)));
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
