//! Arrow schemas and record batches for centres, track points and track summaries
//! (documented in `docs/formats.md`).
//!
//! Every batch carries schema metadata naming the primary variable, its unit, the detection
//! mode and the longitude convention of the source grid, so that a batch read back from
//! Parquet can be linked and written again without outside knowledge.

use crate::detect::FrameCenters;
use crate::error::{Error, Result};
use crate::geo::{LonConvention, normalize_lon};
use crate::time::Calendar;
use crate::tracks::{Tracks, summarize};
use crate::variables::Mode;
use arrow::array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray, UInt32Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::collections::HashMap;
use std::sync::Arc;

/// Schema metadata keys.
pub mod meta {
    /// Name of the variable in the `value` column (e.g. `msl`).
    pub const VARIABLE: &str = "stormtrack:variable";
    /// Unit of the `value` column.
    pub const UNIT: &str = "stormtrack:unit";
    /// `min` or `max`.
    pub const MODE: &str = "stormtrack:mode";
    /// Longitude convention of the source grid (`0..360` or `-180..180`).
    pub const LON_CONVENTION: &str = "stormtrack:lon_convention";
    /// Version of stormtrack that wrote the data.
    pub const VERSION: &str = "stormtrack:version";
    /// CF calendar of the times, present only for calendars other than the Gregorian
    /// (then `time` columns are Int64 ms since 1970-01-01 in that calendar).
    pub const CALENDAR: &str = "stormtrack:calendar";
}

/// What every batch says about its values.
#[derive(Debug, Clone, PartialEq)]
pub struct CentersMeta {
    pub variable: String,
    pub unit: String,
    pub mode: Mode,
    pub lon_convention: LonConvention,
    pub calendar: Calendar,
}

impl CentersMeta {
    fn to_map(&self) -> HashMap<String, String> {
        let mut m = HashMap::from([
            (meta::VARIABLE.into(), self.variable.clone()),
            (meta::UNIT.into(), self.unit.clone()),
            (meta::MODE.into(), self.mode.as_str().into()),
            (meta::LON_CONVENTION.into(), self.lon_convention.as_str().into()),
            (meta::VERSION.into(), crate::VERSION.into()),
        ]);
        if !self.calendar.is_gregorian() {
            m.insert(meta::CALENDAR.into(), self.calendar.name().into());
        }
        m
    }

    /// Read the metadata back from a schema.
    pub fn from_schema(schema: &Schema) -> Result<Self> {
        let m = schema.metadata();
        let get = |k: &str| m.get(k).cloned().ok_or_else(|| Error::Format(format!("schema metadata lacks '{k}': not written by stormtrack")));
        Ok(CentersMeta {
            variable: get(meta::VARIABLE)?,
            unit: get(meta::UNIT)?,
            mode: Mode::parse(&get(meta::MODE)?).ok_or_else(|| Error::Format("schema metadata has a bad mode".into()))?,
            lon_convention: m.get(meta::LON_CONVENTION).and_then(|s| LonConvention::parse(s)).unwrap_or_default(),
            calendar: Calendar::parse(m.get(meta::CALENDAR).map(String::as_str))?,
        })
    }
}

/// A time column: an Arrow timestamp (ms, UTC) in the Gregorian calendars; Int64 ms since
/// 1970-01-01 in the calendar otherwise, with `units` and `calendar` field metadata
/// (docs/calendars.md): no engine reads a 360-day date as a timestamp.
fn time_field(name: &str, calendar: Calendar, nullable: bool) -> Field {
    if calendar.is_gregorian() {
        return Field::new(name, DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())), nullable);
    }
    Field::new(name, DataType::Int64, nullable).with_metadata(HashMap::from([
        ("units".to_string(), "milliseconds since 1970-01-01 00:00:00".to_string()),
        ("calendar".to_string(), calendar.name().to_string()),
    ]))
}

/// The suffix of the text column that spells each time column in a non-Gregorian calendar.
pub const ISO_SUFFIX: &str = "_iso";

/// The `<name>_iso` text columns (`YYYY-MM-DDTHH:MM:SS` in the calendar) that follow the other
/// columns in a non-Gregorian calendar, for filters and group-bys without a calendar library;
/// none in the Gregorian calendars.
fn iso_fields(names: &[&str], calendar: Calendar, nullable: bool) -> Vec<Field> {
    if calendar.is_gregorian() {
        return Vec::new();
    }
    names.iter().map(|n| Field::new(format!("{n}{ISO_SUFFIX}"), DataType::Utf8, nullable)).collect()
}

/// A time column's values (see [`time_field`]).
fn time_column(values: Vec<Option<i64>>, calendar: Calendar) -> ArrayRef {
    if calendar.is_gregorian() { Arc::new(TimestampMillisecondArray::from(values).with_timezone("UTC")) } else { Arc::new(Int64Array::from(values)) }
}

/// The `_iso` column of a time column's values, or none in the Gregorian calendars.
fn iso_column(values: &[Option<i64>], calendar: Calendar) -> Option<ArrayRef> {
    (!calendar.is_gregorian()).then(|| Arc::new(values.iter().map(|t| t.map(|t| calendar.format_iso(t))).collect::<StringArray>()) as ArrayRef)
}

/// A non-null time column named `name`, and its `_iso` column in a non-Gregorian calendar.
pub fn time_column_pair(name: &str, values: Vec<i64>, calendar: Calendar) -> (Field, ArrayRef, Option<(Field, ArrayRef)>) {
    let (column, iso) = time_columns(values, calendar);
    let iso = iso.map(|c| (iso_fields(&[name], calendar, false).remove(0), c));
    (time_field(name, calendar, false), column, iso)
}

/// Columns shared by `centers` and `track_points`, after the table's own leading columns.
fn center_fields(calendar: Calendar) -> Vec<Field> {
    vec![
        time_field("time", calendar, false),
        Field::new("frame", DataType::UInt32, true),
        Field::new("lat", DataType::Float64, false),
        Field::new("lon", DataType::Float64, false),
        Field::new("value", DataType::Float64, true),
        Field::new("row", DataType::UInt32, true),
        Field::new("col", DataType::UInt32, true),
    ]
}

/// Schema of the `centers` table: `time, frame, lat, lon, value, row, col` then any extra
/// Float64 variables.
pub fn centers_schema(meta: &CentersMeta, extra: &[String]) -> SchemaRef {
    let mut fields = center_fields(meta.calendar);
    fields.extend(extra.iter().map(|n| Field::new(n, DataType::Float64, true)));
    fields.extend(iso_fields(&["time"], meta.calendar, false));
    Arc::new(Schema::new_with_metadata(fields, meta.to_map()))
}

/// Schema of the `track_points` table: `track_id, step` then the centre columns.
pub fn track_points_schema(meta: &CentersMeta, extra: &[String]) -> SchemaRef {
    let mut fields = vec![Field::new("track_id", DataType::Int64, false), Field::new("step", DataType::UInt32, false)];
    fields.extend(center_fields(meta.calendar));
    fields.extend(extra.iter().map(|n| Field::new(n, DataType::Float64, true)));
    fields.extend(iso_fields(&["time"], meta.calendar, false));
    Arc::new(Schema::new_with_metadata(fields, meta.to_map()))
}

/// Schema of the `tracks` table (one row per track).
pub fn tracks_schema(meta: &CentersMeta) -> SchemaRef {
    let f = |n: &str, t: DataType, null: bool| Field::new(n, t, null);
    let cal = meta.calendar;
    let mut fields = vec![
        f("track_id", DataType::Int64, false),
        time_field("start_time", cal, false),
        time_field("end_time", cal, false),
        f("n_points", DataType::UInt32, false),
        f("duration_hours", DataType::Float64, false),
        f("path_length_km", DataType::Float64, false),
        f("displacement_km", DataType::Float64, false),
        f("extreme_value", DataType::Float64, true),
        time_field("extreme_time", cal, true),
        f("extreme_lat", DataType::Float64, true),
        f("extreme_lon", DataType::Float64, true),
        f("start_lat", DataType::Float64, false),
        f("start_lon", DataType::Float64, false),
        f("end_lat", DataType::Float64, false),
        f("end_lon", DataType::Float64, false),
        f("south_lat", DataType::Float64, false),
        f("north_lat", DataType::Float64, false),
        f("west_lon", DataType::Float64, false),
        f("east_lon", DataType::Float64, false),
        f("crosses_antimeridian", DataType::Boolean, false),
    ];
    fields.extend(iso_fields(&["start_time", "end_time"], cal, false));
    fields.extend(iso_fields(&["extreme_time"], cal, true));
    Arc::new(Schema::new_with_metadata(fields, meta.to_map()))
}

/// A time column and its `_iso` column (if any) from non-null values.
fn time_columns(values: Vec<i64>, calendar: Calendar) -> (ArrayRef, Option<ArrayRef>) {
    let values: Vec<Option<i64>> = values.into_iter().map(Some).collect();
    (time_column(values.clone(), calendar), iso_column(&values, calendar))
}

/// The centres of one frame as a record batch (longitudes normalised to [-180, 180)).
pub fn frame_centers_batch(meta: &CentersMeta, frame: u32, time: i64, c: &FrameCenters) -> Result<RecordBatch> {
    let n = c.len();
    let (time, time_iso) = time_columns(vec![time; n], meta.calendar);
    let columns: Vec<ArrayRef> = vec![
        time,
        Arc::new(UInt32Array::from(vec![frame; n])),
        Arc::new(Float64Array::from(c.lats.clone())),
        Arc::new(Float64Array::from(c.lons.iter().map(|&x| normalize_lon(x)).collect::<Vec<_>>())),
        Arc::new(Float64Array::from(c.values.clone())),
        Arc::new(c.rows.iter().map(|&v| (v != u32::MAX).then_some(v)).collect::<UInt32Array>()),
        Arc::new(c.cols.iter().map(|&v| (v != u32::MAX).then_some(v)).collect::<UInt32Array>()),
    ];
    let mut columns = columns;
    columns.extend(c.extras.iter().map(|e| Arc::new(Float64Array::from(e.values.clone())) as ArrayRef));
    columns.extend(time_iso);
    let names: Vec<String> = c.extras.iter().map(|e| e.name.clone()).collect();
    Ok(RecordBatch::try_new(centers_schema(meta, &names), columns)?)
}

fn meta_of(tracks: &Tracks) -> CentersMeta {
    CentersMeta {
        variable: tracks.metadata.primary_variable.clone(),
        unit: tracks.primary().unit.clone(),
        mode: tracks.metadata.mode,
        lon_convention: tracks.grid.as_ref().map(|g| g.lon_convention).unwrap_or_default(),
        calendar: tracks.metadata.calendar,
    }
}

fn extra_variables(tracks: &Tracks) -> Vec<&crate::tracks::Variable> {
    tracks.variables.iter().filter(|v| v.name != tracks.metadata.primary_variable).collect()
}

fn grid_column(tracks: &Tracks, pick: fn(&crate::tracks::GridIndex) -> &Vec<u32>) -> ArrayRef {
    match &tracks.grid {
        Some(g) => Arc::new(pick(g).iter().map(|&v| (v != u32::MAX).then_some(v)).collect::<UInt32Array>()),
        None => Arc::new(UInt32Array::new_null(tracks.n_points())),
    }
}

/// All points of `tracks` as one `track_points` batch, in track order.
pub fn track_points_batch(tracks: &Tracks) -> Result<RecordBatch> {
    let meta = meta_of(tracks);
    let extra = extra_variables(tracks);
    let names: Vec<String> = extra.iter().map(|v| v.name.clone()).collect();
    let (time, time_iso) = time_columns(tracks.times.clone(), meta.calendar);
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(tracks.point_track_ids())),
        Arc::new(UInt32Array::from(tracks.point_steps())),
        time,
        grid_column(tracks, |g| &g.frame),
        Arc::new(Float64Array::from(tracks.lats.clone())),
        Arc::new(Float64Array::from(tracks.lons.clone())),
        Arc::new(Float64Array::from(tracks.primary().values.clone())),
        grid_column(tracks, |g| &g.row),
        grid_column(tracks, |g| &g.col),
    ];
    columns.extend(extra.iter().map(|v| Arc::new(Float64Array::from(v.values.clone())) as ArrayRef));
    columns.extend(time_iso);
    Ok(RecordBatch::try_new(track_points_schema(&meta, &names), columns)?)
}

/// One summary row per track, in track order.
pub fn tracks_batch(tracks: &Tracks) -> Result<RecordBatch> {
    let s = summarize(tracks);
    let f = |g: fn(&crate::tracks::TrackSummary) -> f64| -> ArrayRef { Arc::new(s.iter().map(g).collect::<Float64Array>()) };
    let o = |g: fn(&crate::tracks::TrackSummary) -> Option<f64>| -> ArrayRef { Arc::new(s.iter().map(g).collect::<Float64Array>()) };
    let cal = tracks.metadata.calendar;
    let (start, start_iso) = time_columns(s.iter().map(|x| x.start_time).collect(), cal);
    let (end, end_iso) = time_columns(s.iter().map(|x| x.end_time).collect(), cal);
    let peak_times: Vec<Option<i64>> = s.iter().map(|x| x.peak_time).collect();
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(s.iter().map(|x| x.id).collect::<Int64Array>()),
        start,
        end,
        Arc::new(s.iter().map(|x| x.point_count as u32).collect::<UInt32Array>()),
        f(|x| x.duration_hours),
        f(|x| x.path_length_km),
        f(|x| x.displacement_km),
        o(|x| x.peak_value),
        time_column(peak_times.clone(), cal),
        o(|x| x.peak_lat),
        o(|x| x.peak_lon),
        f(|x| x.start_lat),
        f(|x| x.start_lon),
        f(|x| x.end_lat),
        f(|x| x.end_lon),
        f(|x| x.south_lat),
        f(|x| x.north_lat),
        f(|x| x.west_lon),
        f(|x| x.east_lon),
        Arc::new(s.iter().map(|x| Some(x.antimeridian_wrap)).collect::<BooleanArray>()),
    ];
    columns.extend([start_iso, end_iso, iso_column(&peak_times, cal)].into_iter().flatten());
    Ok(RecordBatch::try_new(tracks_schema(&meta_of(tracks)), columns)?)
}

/// A typed column of a batch, or a format error naming it.
pub fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a T> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| Error::Format(format!("column '{name}' is missing or has the wrong type")))
}

/// The calendar a schema's time columns count in (Gregorian when its metadata names none).
pub fn calendar_of(schema: &Schema) -> Result<Calendar> {
    Calendar::parse(schema.metadata().get(meta::CALENDAR).map(String::as_str))
}

/// The non-null values of a time column (see [`time_field`]): a millisecond timestamp or Int64.
pub fn time_values(batch: &RecordBatch, name: &str) -> Result<Vec<i64>> {
    let c = batch.column_by_name(name).ok_or_else(|| Error::Format(format!("column '{name}' is missing")))?;
    if c.null_count() > 0 {
        return Err(Error::Format(format!("column '{name}' must not be null")));
    }
    if let Some(t) = c.as_any().downcast_ref::<TimestampMillisecondArray>() {
        return Ok(t.values().to_vec());
    }
    if let Some(t) = c.as_any().downcast_ref::<Int64Array>() {
        return Ok(t.values().to_vec());
    }
    Err(Error::Format(format!("column '{name}' is not a millisecond timestamp or Int64 milliseconds")))
}

/// Centre columns of a `centers` batch as plain vectors (longitudes in the source convention
/// recorded in the metadata), ready for a linker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CenterColumns {
    pub time: Vec<i64>,
    pub frame: Vec<Option<u32>>,
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    pub value: Vec<f64>,
    pub row: Vec<Option<u32>>,
    pub col: Vec<Option<u32>>,
}

impl CenterColumns {
    /// Append the rows of a `centers` (or `track_points`) batch.
    pub fn extend_from_batch(&mut self, batch: &RecordBatch, convention: LonConvention) -> Result<()> {
        let time = time_values(batch, "time")?;
        let lat = column::<Float64Array>(batch, "lat")?;
        let lon = column::<Float64Array>(batch, "lon")?;
        let value = column::<Float64Array>(batch, "value")?;
        let frame = column::<UInt32Array>(batch, "frame")?;
        let row = column::<UInt32Array>(batch, "row")?;
        let col = column::<UInt32Array>(batch, "col")?;
        if lat.null_count() + lon.null_count() > 0 {
            return Err(Error::Format("time, lat and lon must not be null".into()));
        }
        self.time.extend(time);
        self.lat.extend(lat.values().iter());
        self.lon.extend(lon.values().iter().map(|&x| convention.apply(x)));
        self.value.extend(value.iter().map(|v| v.unwrap_or(f64::NAN)));
        self.frame.extend(frame.iter());
        self.row.extend(row.iter());
        self.col.extend(col.iter());
        Ok(())
    }
}
