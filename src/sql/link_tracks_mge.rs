//! `link_tracks_mge(time, lat, lon [, value [, options]]) OVER (PARTITION BY ... ORDER BY time)`:
//! Hodges (TRACK) linking of the features of each partition, one track id per row.

use super::DOC_SECTION_TRACKS;
use super::args::{as_f64, coerce_number, coerce_time, first_null};
use crate::link::link_points_mge;
use crate::ops::link::MgeSettings;
use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::datatypes::{DataType, Field, FieldRef, Int64Type, TimeUnit};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{Documentation, PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl};
use std::sync::{Arc, LazyLock};

const NAME: &str = "link_tracks_mge";

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "Links the features of each window partition into tracks with the Hodges (TRACK) Modified Greedy \
             Exchange and its adaptive constraints, as `stormtrack track -a hodges` does, and returns each row's \
             track id, or NULL for a row in no kept track (shorter than `min_track_points`, default 3, or a DUFF \
             value below -1e10). Rows of one time form a frame; within a frame features are taken in (lat, lon) \
             order, so the result does not depend on the window's ORDER BY. `options` is a JSON object of the \
             CLI's options: `w1`, `w2`, `dmax`, `phimax`, `mge_max_iterations`, `min_track_points`, \
             `segment_frames` (0: one segment), `time_step_ms`, `dmax_zones` (rows [lon_min, lon_max, lat_min, \
             lat_max, dmax]), `adaptive_smoothness` ([[t0..t3], [v0..v3]]).",
            "link_tracks_mge(time, lat, lon [, value [, options]]) OVER (PARTITION BY member ORDER BY time)",
        )
        .with_argument("time", "Time of the feature: a timestamp (any unit) or an integer.")
        .with_argument("lat, lon", "Feature position, degrees north and east.")
        .with_argument("value", "Feature value; values below -1e10 mark DUFF features (never linked).")
        .with_argument("options", "A constant JSON object of linker options, e.g. '{\"min_track_points\": 8}'.")
        .with_sql_example(
            "```sql\n> SELECT time, lat, lon, link_tracks_mge(time, lat, lon, value, '{\"min_track_points\": 8}') OVER () AS track_id\n  FROM centers;\n```",
        )
        .with_related_udf("link_tracks")
        .with_related_udf("rsplice_keep")
        .build()
    });
    &DOC
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct LinkTracksMge {
    signature: Signature,
}

impl WindowUDFImpl for LinkTracksMge {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if !(3..=5).contains(&arg_types.len()) {
            return plan_err!("{NAME} takes 3 to 5 arguments, not {}: {NAME}(time, lat, lon [, value [, options]])", arg_types.len());
        }
        let mut out =
            vec![coerce_time(NAME, "time", &arg_types[0], true)?, coerce_number(NAME, "lat", &arg_types[1])?, coerce_number(NAME, "lon", &arg_types[2])?];
        if arg_types.len() >= 4 {
            out.push(coerce_number(NAME, "value", &arg_types[3])?);
        }
        if arg_types.len() == 5 {
            match &arg_types[4] {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => out.push(DataType::Utf8),
                other => return plan_err!("{NAME}: options must be a JSON string, not {other}"),
            }
        }
        Ok(out)
    }

    fn partition_evaluator(&self, _args: PartitionEvaluatorArgs) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(MgeEvaluator))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(field_args.name(), DataType::Int64, true)))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(doc())
    }
}

#[derive(Debug)]
struct MgeEvaluator;

/// The options argument: one constant JSON object (or absent).
fn options(a: Option<&ArrayRef>) -> Result<MgeSettings> {
    let Some(a) = a else { return Ok(MgeSettings::default()) };
    let s = arrow::compute::cast(a, &DataType::Utf8)?;
    let s = s.as_string::<i32>();
    if s.is_empty() || s.null_count() > 0 {
        return exec_err!("{NAME}: options must be a JSON string, not NULL");
    }
    let first = s.value(0);
    if s.iter().any(|v| v != Some(first)) {
        return exec_err!("{NAME}: options must be a constant");
    }
    serde_json::from_str(first).map_err(|e| DataFusionError::Execution(format!("{NAME}: options: {e}")))
}

impl PartitionEvaluator for MgeEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        // timestamps in milliseconds (the unit of time_step_ms); integers as given
        let times = match values[0].data_type() {
            DataType::Timestamp(_, _) => {
                arrow::compute::cast(&arrow::compute::cast(&values[0], &DataType::Timestamp(TimeUnit::Millisecond, None))?, &DataType::Int64)?
            }
            _ => arrow::compute::cast(&values[0], &DataType::Int64)?,
        };
        let times = times.as_primitive::<Int64Type>();
        let lats = as_f64(NAME, &values[1])?;
        let lons = as_f64(NAME, &values[2])?;
        if let Some(i) = first_null(&[times as &dyn Array, &lats, &lons]) {
            return exec_err!("{NAME}: time, lat and lon must not be NULL (row {i} of the partition); filter such rows out first");
        }
        if times.len() != num_rows {
            return exec_err!("{NAME}: got {} values for {num_rows} rows", times.len());
        }
        let value = values.get(3).map(|a| as_f64(NAME, a)).transpose()?;
        let value: Option<Vec<f64>> = value.map(|v| v.iter().map(|x| x.unwrap_or(0.0)).collect());
        let params = options(values.get(4))?.params().map_err(|e| DataFusionError::Execution(format!("{NAME}: {}", e.plain_message())))?;
        let ids = link_points_mge(times.values(), lats.values(), lons.values(), value.as_deref(), &params)
            .map_err(|e| DataFusionError::Execution(format!("{NAME}: {}", e.plain_message())))?;
        Ok(Arc::new(Int64Array::from(ids)))
    }
}

/// The `link_tracks_mge` window function.
pub fn udwf() -> Arc<WindowUDF> {
    static UDWF: LazyLock<Arc<WindowUDF>> =
        LazyLock::new(|| Arc::new(WindowUDF::new_from_impl(LinkTracksMge { signature: Signature::user_defined(Volatility::Immutable) })));
    UDWF.clone()
}
