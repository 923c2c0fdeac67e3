//! GeoParquet 1.1 of tracks (docs/formats.md#geoparquet): one row per track, the `tracks`
//! table's columns, the track as a LineString in GeoArrow's native `linestring` encoding, and
//! the points' times and values as lists, so that QGIS, GeoPandas, DuckDB or lonboard draw the
//! tracks and `stormtrack` reads them back whole.

use super::format_error;
use crate::arrow::{CentersMeta, tracks_batch};
use crate::error::{Error, Result};
use crate::tracks::{Point, SpatialBounds, Tracks, TracksBuilder, TracksMetadata};
use arrow::array::{Array, ArrayRef, Float64Array, Int64Array, ListArray, RecordBatch, StructArray, TimestampMillisecondArray};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The geometry column.
pub const GEOMETRY: &str = "geometry";
/// The list column of the points' times (ms since 1970-01-01 in the tracks' calendar).
pub const POINT_TIME: &str = "point_time";
/// Prefix of the list columns of the points' variables.
pub const POINT_PREFIX: &str = "point_";

/// Longitudes made continuous along each track: each vertex within 180 degrees of the previous
/// one, so a track across the antimeridian goes on past +-180 instead of crossing the map.
fn unwrapped_lons(tracks: &Tracks, i: usize) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(tracks.range(i).len());
    for p in tracks.range(i) {
        let lon = tracks.lons[p];
        out.push(match out.last() {
            Some(&prev) => prev + (lon - prev + 180.0).rem_euclid(360.0) - 180.0,
            None => lon,
        });
    }
    out
}

/// The `geometry` column (GeoArrow `linestring`: list of struct x, y) and its bounding box.
/// A track of one point is a line of that point twice: a LineString needs two vertices.
fn geometry(tracks: &Tracks) -> (Field, ArrayRef, [f64; 4]) {
    let (mut xs, mut ys, mut offsets) = (Vec::new(), Vec::new(), vec![0i32]);
    for i in 0..tracks.len() {
        let lons = unwrapped_lons(tracks, i);
        let lats = &tracks.lats[tracks.range(i)];
        let repeat = if lons.len() == 1 { 2 } else { 1 };
        for _ in 0..repeat {
            xs.extend_from_slice(&lons);
            ys.extend_from_slice(lats);
        }
        offsets.push(xs.len() as i32);
    }
    let fold = |v: &[f64], f: fn(f64, f64) -> f64, init: f64| v.iter().copied().fold(init, f);
    let bbox = [
        fold(&xs, f64::min, f64::INFINITY),
        fold(&ys, f64::min, f64::INFINITY),
        fold(&xs, f64::max, f64::NEG_INFINITY),
        fold(&ys, f64::max, f64::NEG_INFINITY),
    ];
    let xy = Fields::from(vec![Field::new("x", DataType::Float64, false), Field::new("y", DataType::Float64, false)]);
    let vertices = StructArray::new(xy.clone(), vec![Arc::new(Float64Array::from(xs)) as ArrayRef, Arc::new(Float64Array::from(ys))], None);
    let item = Arc::new(Field::new("vertices", DataType::Struct(xy), false));
    let lines = ListArray::new(item.clone(), OffsetBuffer::new(offsets.into()), Arc::new(vertices), None);
    let field = Field::new(GEOMETRY, DataType::List(item), false).with_metadata(HashMap::from([
        ("ARROW:extension:name".to_string(), "geoarrow.linestring".to_string()),
        ("ARROW:extension:metadata".to_string(), "{}".to_string()),
    ]));
    (field, Arc::new(lines), bbox)
}

/// A list column of per-point values, one list per track.
fn point_list(name: String, tracks: &Tracks, item_type: DataType, values: ArrayRef) -> (Field, ArrayRef) {
    let offsets: Vec<i32> = tracks.offsets.iter().map(|&o| o as i32).collect();
    let item = Arc::new(Field::new("item", item_type, true));
    let list = ListArray::new(item.clone(), OffsetBuffer::new(offsets.into()), values, None);
    (Field::new(name, DataType::List(item), false), Arc::new(list))
}

/// The GeoParquet `geo` metadata of the geometry column.
fn geo_metadata(bbox: [f64; 4]) -> String {
    let bbox: Vec<f64> = if bbox.iter().all(|x| x.is_finite()) { bbox.to_vec() } else { Vec::new() };
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": GEOMETRY,
        "columns": {GEOMETRY: {"encoding": "linestring", "geometry_types": ["LineString"], "bbox": bbox, "edges": "planar"}}
    })
    .to_string()
}

/// The batch written: the `tracks` table, the geometry, the points' times and variables.
pub fn batch(tracks: &Tracks) -> Result<RecordBatch> {
    let summary = tracks_batch(tracks)?;
    let schema = summary.schema();
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let mut columns: Vec<ArrayRef> = summary.columns().to_vec();
    let (geom_field, geom, bbox) = geometry(tracks);
    fields.push(geom_field);
    columns.push(geom);
    let times: ArrayRef = if tracks.metadata.calendar.is_gregorian() {
        Arc::new(TimestampMillisecondArray::from(tracks.times.clone()).with_timezone("UTC"))
    } else {
        Arc::new(Int64Array::from(tracks.times.clone()))
    };
    let time_type = times.data_type().clone();
    let mut lists = vec![point_list(POINT_TIME.to_string(), tracks, time_type, times)];
    for v in &tracks.variables {
        lists.push(point_list(format!("{POINT_PREFIX}{}", v.name), tracks, DataType::Float64, Arc::new(Float64Array::from(v.values.clone()))));
    }
    for (f, c) in lists {
        fields.push(f);
        columns.push(c);
    }
    let mut metadata = schema.metadata().clone();
    metadata.insert("geo".to_string(), geo_metadata(bbox));
    let units: serde_json::Map<String, serde_json::Value> = tracks.variables.iter().map(|v| (v.name.clone(), v.unit.clone().into())).collect();
    metadata.insert(UNITS_KEY.to_string(), serde_json::Value::Object(units).to_string());
    if let Some(b) = tracks.metadata.bounds {
        metadata.insert(BOUNDS_KEY.to_string(), serde_json::json!([b.south, b.north, b.west, b.east]).to_string());
    }
    if !tracks.metadata.processing.is_empty() {
        let text = super::trackjson::encode_processing(&tracks.metadata.processing).map_err(|e| Error::Format(e.to_string()))?;
        metadata.insert(PROCESSING_KEY.to_string(), text);
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new_with_metadata(fields, metadata)), columns)?)
}

/// Schema metadata key: the unit of each variable, as a JSON object.
const UNITS_KEY: &str = "stormtrack:units";
/// Schema metadata key: the source field's bounds, `[south, north, west, east]`.
const BOUNDS_KEY: &str = "stormtrack:bounds";
/// Schema metadata key: the preprocessing steps, TrackJSON's `processing` array.
const PROCESSING_KEY: &str = "stormtrack:processing";

/// Write `tracks` as one GeoParquet file, atomically.
pub fn write(tracks: &Tracks, path: &Path) -> Result<()> {
    let batch = batch(tracks)?;
    let mut bytes = Vec::new();
    let mut w = ArrowWriter::try_new(&mut bytes, batch.schema(), None)?;
    w.write(&batch)?;
    w.close()?;
    super::atomic::write_file(path, |out| std::io::Write::write_all(out, &bytes))
}

/// The values of list column `name` and its offsets.
fn list_values<'a>(batch: &'a RecordBatch, name: &str, path: &Path) -> Result<(&'a ListArray, ArrayRef)> {
    let list = batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<ListArray>())
        .ok_or_else(|| format_error(path, format!("it has no list column '{name}': not tracks written by stormtrack")))?;
    Ok((list, list.values().clone()))
}

fn f64s(values: &ArrayRef, what: &str, path: &Path) -> Result<Vec<f64>> {
    let a = values.as_any().downcast_ref::<Float64Array>().ok_or_else(|| format_error(path, format!("{what} is not Float64")))?;
    Ok((0..a.len()).map(|k| if a.is_null(k) { f64::NAN } else { a.value(k) }).collect())
}

/// Read tracks written by [`write`].
pub fn read(path: &Path) -> Result<Tracks> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format_error(path, e))?;
    // the schema with its metadata (the batches read carry none)
    let schema = builder.schema().clone();
    let reader = builder.build().map_err(|e| format_error(path, e))?;
    let batches: Vec<RecordBatch> = reader.collect::<std::result::Result<_, _>>().map_err(|e| format_error(path, e))?;
    let meta = CentersMeta::from_schema(&schema).map_err(|e| format_error(path, e))?;
    let units: serde_json::Map<String, serde_json::Value> = schema
        .metadata()
        .get(UNITS_KEY)
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| format_error(path, format!("schema metadata lacks '{UNITS_KEY}'")))?;
    let mut names: Vec<(String, String)> = units.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("1").to_string())).collect();
    // the tracked variable first, the others in their column order
    let order = |n: &str| schema.index_of(&format!("{POINT_PREFIX}{n}")).unwrap_or(usize::MAX);
    names.sort_by_key(|(n, _)| (n != &meta.variable, order(n)));
    let mut metadata = TracksMetadata::new(meta.variable.as_str(), meta.mode);
    metadata.calendar = meta.calendar;
    if let Some(text) = schema.metadata().get(BOUNDS_KEY) {
        let b: Vec<f64> = serde_json::from_str(text).map_err(|_| format_error(path, format!("its {BOUNDS_KEY} is not a list of numbers")))?;
        let [south, north, west, east] = b[..] else { return Err(format_error(path, format!("its {BOUNDS_KEY} does not hold 4 numbers"))) };
        metadata.bounds = Some(SpatialBounds { south, north, west, east });
    }
    if let Some(text) = schema.metadata().get(PROCESSING_KEY) {
        metadata.processing = super::trackjson::decode_processing(text, path)?;
    }
    let refs: Vec<(&str, &str)> = names.iter().map(|(n, u)| (n.as_str(), u.as_str())).collect();
    let mut b = TracksBuilder::new(metadata, &refs, None);
    for batch in &batches {
        let ids = crate::arrow::column::<Int64Array>(batch, "track_id").map_err(|e| format_error(path, e))?;
        let (geom, vertices) = list_values(batch, GEOMETRY, path)?;
        let xy = vertices.as_any().downcast_ref::<StructArray>().ok_or_else(|| format_error(path, "its geometry is not a GeoArrow linestring"))?;
        let (xs, ys) = (f64s(xy.column(0), "geometry x", path)?, f64s(xy.column(1), "geometry y", path)?);
        let (times_list, times) = list_values(batch, POINT_TIME, path)?;
        let times: Vec<i64> = crate::arrow::time_values(&RecordBatch::try_from_iter([("t", times)])?, "t").map_err(|e| format_error(path, e))?;
        let columns: Vec<Vec<f64>> =
            names.iter().map(|(n, _)| list_values(batch, &format!("{POINT_PREFIX}{n}"), path).and_then(|(_, v)| f64s(&v, n, path))).collect::<Result<_>>()?;
        for row in 0..batch.num_rows() {
            let (t0, t1) = (times_list.value_offsets()[row] as usize, times_list.value_offsets()[row + 1] as usize);
            let g0 = geom.value_offsets()[row] as usize;
            if geom.value_length(row) < (t1 - t0) as i32 {
                return Err(format_error(path, format!("track {} has fewer vertices than times", ids.value(row))));
            }
            let points: Vec<Point> = (0..t1 - t0).map(|k| Point { time: times[t0 + k], lat: ys[g0 + k], lon: xs[g0 + k], grid: None }).collect();
            let values: Vec<Vec<f64>> = (t0..t1).map(|p| columns.iter().map(|c| c[p]).collect()).collect();
            b.push(ids.value(row), &points, &values);
        }
    }
    b.finish().map_err(|e| super::imilast::with_path(e, path))
}
