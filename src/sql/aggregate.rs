//! One implementation for the per-track aggregate functions: they gather a track's points
//! (ignoring rows with a NULL), sort them by time and apply a measure from
//! `crate::tracks::measure`. Rows may arrive in any order and from any number of partitions.

use super::args::{as_f64, coerce_number, coerce_time, ticks_per_hour, time_values};
use crate::tracks::measure::{TrackPoints, duration_hours, max_speed_kmh, path_length_km};
use arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array, ListArray};
use arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, Signature, Volatility};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What an aggregate computes, and so the order of its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// `(lat, lon, time)`
    PathLength,
    /// `(time)`
    Duration,
    /// `(time, lat, lon)`
    MaxSpeed,
    /// `(time, lat, lon)`: TRACK's RSPLICE criterion (8 points, 10 degrees first to last)
    Rsplice,
}

impl Measure {
    fn arity(self) -> usize {
        match self {
            Measure::PathLength | Measure::MaxSpeed | Measure::Rsplice => 3,
            Measure::Duration => 1,
        }
    }

    /// Positions of (time, lat, lon) among the arguments.
    fn positions(self) -> (usize, Option<(usize, usize)>) {
        match self {
            Measure::PathLength => (2, Some((0, 1))),
            Measure::Duration => (0, None),
            Measure::MaxSpeed | Measure::Rsplice => (0, Some((1, 2))),
        }
    }
}

pub struct TrackAggregate {
    name: &'static str,
    measure: Measure,
    doc: fn() -> &'static Documentation,
    signature: Signature,
}

impl TrackAggregate {
    pub fn new(name: &'static str, measure: Measure, doc: fn() -> &'static Documentation) -> AggregateUDF {
        AggregateUDF::new_from_impl(TrackAggregate { name, measure, doc, signature: Signature::user_defined(Volatility::Immutable) })
    }
}

impl std::fmt::Debug for TrackAggregate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackAggregate").field("name", &self.name).finish()
    }
}
impl PartialEq for TrackAggregate {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for TrackAggregate {}
impl Hash for TrackAggregate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state)
    }
}

impl AggregateUDFImpl for TrackAggregate {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let m = self.measure;
        if arg_types.len() != m.arity() {
            let syntax = (self.doc)().syntax_example.clone();
            return plan_err!("{} takes {} arguments, not {}: {syntax}", self.name, m.arity(), arg_types.len());
        }
        let (t, ll) = m.positions();
        let mut out = arg_types.to_vec();
        // a path length needs times only to order the points, so plain integers will do
        out[t] = coerce_time(self.name, "time", &arg_types[t], matches!(m, Measure::PathLength | Measure::Rsplice))?;
        if let Some((la, lo)) = ll {
            out[la] = coerce_number(self.name, "lat", &arg_types[la])?;
            out[lo] = coerce_number(self.name, "lon", &arg_types[lo])?;
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.measure == Measure::Rsplice { DataType::Boolean } else { DataType::Float64 })
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let list = |n: &str, t: DataType| Arc::new(Field::new(format!("{}[{n}]", args.name), DataType::new_list(t, true), true));
        Ok(vec![list("time", DataType::Int64), list("lat", DataType::Float64), list("lon", DataType::Float64)])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let (t, _) = self.measure.positions();
        let tph = ticks_per_hour(acc_args.expr_fields[t].data_type());
        if tph.is_none() && !matches!(self.measure, Measure::PathLength | Measure::Rsplice) {
            return exec_err!("{}: time must be a timestamp", self.name);
        }
        Ok(Box::new(TrackAccumulator { name: self.name, measure: self.measure, ticks_per_hour: tph.unwrap_or(1.0), points: TrackPoints::default() }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some((self.doc)())
    }
}

#[derive(Debug)]
struct TrackAccumulator {
    name: &'static str,
    measure: Measure,
    ticks_per_hour: f64,
    points: TrackPoints,
}

impl Accumulator for TrackAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let (t, ll) = self.measure.positions();
        let times = time_values(self.name, &values[t])?;
        let n = times.len();
        let (lats, lons) = match ll {
            Some((la, lo)) => (as_f64(self.name, &values[la])?, as_f64(self.name, &values[lo])?),
            None => (Float64Array::from(vec![0.0; n]), Float64Array::from(vec![0.0; n])),
        };
        for i in 0..n {
            if times.is_null(i) || lats.is_null(i) || lons.is_null(i) {
                continue;
            }
            self.points.push(times.value(i), lats.value(i), lons.value(i));
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.points.is_empty() {
            return Ok(if self.measure == Measure::Rsplice { ScalarValue::Boolean(None) } else { ScalarValue::Float64(None) });
        }
        self.points.sort_by_time();
        let p = &self.points;
        if self.measure == Measure::Rsplice {
            let keep = crate::compare::rsplice_keep(&p.times, &p.lats, &p.lons, &crate::compare::RspliceOptions::default())
                .map_err(|e| datafusion::common::DataFusionError::Execution(format!("{}: {e}", self.name)))?;
            return Ok(ScalarValue::Boolean(Some(keep)));
        }
        let v = match self.measure {
            Measure::PathLength => Some(path_length_km(&p.lats, &p.lons)),
            Measure::Duration => duration_hours(&p.times, self.ticks_per_hour),
            Measure::MaxSpeed => match max_speed_kmh(&p.times, &p.lats, &p.lons, self.ticks_per_hour) {
                Ok(v) => v,
                Err(_) => return exec_err!("{}: two points of one track have the same time; group by track and drop duplicate times", self.name),
            },
            Measure::Rsplice => unreachable!("answered above"),
        };
        Ok(ScalarValue::Float64(v))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.points.len() * 24
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let p = std::mem::take(&mut self.points);
        Ok(vec![
            ScalarValue::List(Arc::new(ListArray::from_iter_primitive::<Int64Type, _, _>([Some(p.times.into_iter().map(Some))]))),
            ScalarValue::List(Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>([Some(p.lats.into_iter().map(Some))]))),
            ScalarValue::List(Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>([Some(p.lons.into_iter().map(Some))]))),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (t, la, lo) = (states[0].as_list::<i32>(), states[1].as_list::<i32>(), states[2].as_list::<i32>());
        for row in 0..t.len() {
            if t.is_null(row) {
                continue;
            }
            let tv = t.value(row);
            let (lav, lov) = (la.value(row), lo.value(row));
            let tv: &Int64Array = tv.as_primitive();
            let (lav, lov): (&Float64Array, &Float64Array) = (lav.as_primitive(), lov.as_primitive());
            for i in 0..tv.len() {
                self.points.push(tv.value(i), lav.value(i), lov.value(i));
            }
        }
        Ok(())
    }
}
