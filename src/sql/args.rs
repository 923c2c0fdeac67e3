//! Argument handling shared by the SQL functions: casting to Float64, reading timestamps
//! with their unit, and error messages that name the function.

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};
use std::sync::Arc;

/// Cast any numeric array to Float64.
pub fn as_f64(name: &str, a: &ArrayRef) -> Result<Float64Array> {
    let c = arrow::compute::cast(a, &DataType::Float64)
        .map_err(|e| DataFusionError::Execution(format!("{name}: cannot use {} as a number: {e}", a.data_type())))?;
    Ok(c.as_primitive::<Float64Type>().clone())
}

/// Ticks per hour of a time type: timestamps of any unit; plain integers only where the
/// unit does not matter (`None`).
pub fn ticks_per_hour(t: &DataType) -> Option<f64> {
    match t {
        DataType::Timestamp(TimeUnit::Second, _) => Some(3600.0),
        DataType::Timestamp(TimeUnit::Millisecond, _) => Some(3.6e6),
        DataType::Timestamp(TimeUnit::Microsecond, _) => Some(3.6e9),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => Some(3.6e12),
        _ => None,
    }
}

/// Check a time argument's type at planning time: a timestamp, or (when `integers_ok`) an
/// integer whose unit does not matter.
pub fn coerce_time(name: &str, arg: &str, t: &DataType, integers_ok: bool) -> Result<DataType> {
    match t {
        DataType::Timestamp(_, _) => Ok(t.clone()),
        DataType::Date32 | DataType::Date64 => Ok(DataType::Timestamp(TimeUnit::Millisecond, None)),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::UInt8 | DataType::UInt16 | DataType::UInt32 if integers_ok => {
            Ok(DataType::Int64)
        }
        DataType::Null => Ok(DataType::Timestamp(TimeUnit::Millisecond, None)),
        other => plan_err!("{name}: {arg} must be a timestamp, not {other}"),
    }
}

/// Check a coordinate argument's type at planning time (any number becomes Float64).
pub fn coerce_number(name: &str, arg: &str, t: &DataType) -> Result<DataType> {
    if t.is_numeric() || *t == DataType::Null { Ok(DataType::Float64) } else { plan_err!("{name}: {arg} must be a number (degrees), not {t}") }
}

/// Physical i64 values of a time column (a timestamp of any unit, or Int64).
pub fn time_values(name: &str, a: &ArrayRef) -> Result<Arc<arrow::array::PrimitiveArray<Int64Type>>> {
    match a.data_type() {
        DataType::Timestamp(_, _) | DataType::Int64 => {
            let c = arrow::compute::cast(a, &DataType::Int64)?;
            Ok(Arc::new(c.as_primitive::<Int64Type>().clone()))
        }
        other => exec_err!("{name}: time must be a timestamp, not {other}"),
    }
}

/// The first row index where any of `arrays` is null.
pub fn first_null(arrays: &[&dyn Array]) -> Option<usize> {
    arrays.iter().filter_map(|a| (0..a.len()).find(|&i| a.is_null(i))).min()
}
