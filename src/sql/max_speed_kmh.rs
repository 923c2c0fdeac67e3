//! `max_speed_kmh(time, lat, lon)`: fastest step of a track.

use super::DOC_SECTION_TRACKS;
use super::aggregate::{Measure, TrackAggregate};
use datafusion::logical_expr::{AggregateUDF, Documentation};
use std::sync::{Arc, LazyLock};

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "Largest translation speed in km/h between consecutive points of a group in time order (great-circle \
             step over elapsed time). Rows with a NULL are skipped; fewer than two points give NULL. Two points \
             of one group at the same time are an error: the group is not one track.",
            "max_speed_kmh(time, lat, lon)",
        )
        .with_argument("time", "Time of the point: a timestamp of any unit.")
        .with_argument("lat, lon", "Track point, degrees north and east.")
        .with_sql_example("```sql\n> SELECT track_id, max_speed_kmh(time, lat, lon) AS kmh FROM track_points GROUP BY track_id;\n```")
        .with_related_udf("path_length_km")
        .with_related_udf("duration_h")
        .build()
    });
    &DOC
}

/// The `max_speed_kmh` aggregate function.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> = LazyLock::new(|| Arc::new(TrackAggregate::new("max_speed_kmh", Measure::MaxSpeed, doc)));
    UDAF.clone()
}
