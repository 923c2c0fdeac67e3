//! `bearing_deg(lat1, lon1, lat2, lon2)`: initial great-circle bearing.

use super::DOC_SECTION_GEOMETRY;
use super::scalar::ElementwiseUdf;
use datafusion::logical_expr::{Documentation, ScalarUDF};
use std::sync::{Arc, LazyLock};

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_GEOMETRY,
            "Initial bearing (forward azimuth) in degrees clockwise from north, in [0, 360), of the great circle \
             from the first point to the second. Coincident points give 0. NULL in any argument gives NULL.",
            "bearing_deg(lat1, lon1, lat2, lon2)",
        )
        .with_argument("lat1, lon1", "Start point, degrees north and east.")
        .with_argument("lat2, lon2", "End point, degrees north and east.")
        .with_sql_example("```sql\n> SELECT bearing_deg(0.0, 179.5, 0.0, -179.5) AS deg;\n+------+\n| deg  |\n+------+\n| 90.0 |\n+------+\n```")
        .with_related_udf("great_circle_km")
        .build()
    });
    &DOC
}

/// The `bearing_deg` scalar function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ElementwiseUdf::new("bearing_deg", 4, |a| crate::geo::bearing_deg(a[0], a[1], a[2], a[3]), doc)));
    UDF.clone()
}
