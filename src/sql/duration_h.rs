//! `duration_h(time)`: lifetime of a track in hours.

use super::DOC_SECTION_TRACKS;
use super::aggregate::{Measure, TrackAggregate};
use datafusion::logical_expr::{AggregateUDF, Documentation};
use std::sync::{Arc, LazyLock};

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "Hours from a group's first to its last time (max - min). NULLs are skipped; one point gives 0, no \
             point gives NULL. Needs a timestamp (any unit), so that the unit of time is known.",
            "duration_h(time)",
        )
        .with_argument("time", "Time of the point: a timestamp of any unit.")
        .with_sql_example("```sql\n> SELECT avg(h) FROM (SELECT duration_h(time) AS h FROM track_points GROUP BY track_id);\n```")
        .with_related_udf("path_length_km")
        .with_related_udf("max_speed_kmh")
        .build()
    });
    &DOC
}

/// The `duration_h` aggregate function.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> = LazyLock::new(|| Arc::new(TrackAggregate::new("duration_h", Measure::Duration, doc)));
    UDAF.clone()
}
