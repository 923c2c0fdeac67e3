//! `path_length_km(lat, lon, time)`: length of a track's path.

use super::DOC_SECTION_TRACKS;
use super::aggregate::{Measure, TrackAggregate};
use datafusion::logical_expr::{AggregateUDF, Documentation};
use std::sync::{Arc, LazyLock};

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "Length in km of the path through a group's points in time order: the sum of great-circle steps \
             (radius 6371.22 km). Rows with a NULL are skipped; one point gives 0, no point gives NULL. The \
             `time` argument orders the points (a timestamp or an integer), since SQL gives rows to an aggregate \
             in no particular order.",
            "path_length_km(lat, lon, time)",
        )
        .with_argument("lat, lon", "Track point, degrees north and east.")
        .with_argument("time", "Time of the point (timestamp of any unit, or integer), used for ordering only.")
        .with_sql_example(
            "```sql\n> SELECT track_id, path_length_km(lat, lon, time) AS km\n  FROM track_points GROUP BY track_id ORDER BY km DESC LIMIT 3;\n```",
        )
        .with_related_udf("great_circle_km")
        .with_related_udf("duration_h")
        .with_related_udf("max_speed_kmh")
        .build()
    });
    &DOC
}

/// The `path_length_km` aggregate function.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> = LazyLock::new(|| Arc::new(TrackAggregate::new("path_length_km", Measure::PathLength, doc)));
    UDAF.clone()
}
