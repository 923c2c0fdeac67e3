//! `normalize_lon(lon)`: longitude into [-180, 180).

use super::DOC_SECTION_GEOMETRY;
use super::scalar::ElementwiseUdf;
use datafusion::logical_expr::{Documentation, ScalarUDF};
use std::sync::{Arc, LazyLock};

fn doc() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            DOC_SECTION_GEOMETRY,
            "Longitude in [-180, 180): ((lon + 180) mod 360) - 180, so 180 becomes -180 and 350 becomes -10. \
             stormtrack stores every longitude this way. NULL gives NULL.",
            "normalize_lon(lon)",
        )
        .with_argument("lon", "Longitude in degrees east, any convention.")
        .with_sql_example("```sql\n> SELECT normalize_lon(350.0) AS lon;\n+-------+\n| lon   |\n+-------+\n| -10.0 |\n+-------+\n```")
        .build()
    });
    &DOC
}

/// The `normalize_lon` scalar function.
pub fn udf() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| Arc::new(ElementwiseUdf::new("normalize_lon", 1, |a| crate::geo::normalize_lon(a[0]), doc)));
    UDF.clone()
}
