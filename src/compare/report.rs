//! JSON report in the peer's `to_dict()` layout (keys sorted, as the CLI writes them).

use crate::compare::matching::{ComparisonReport, IntensityDifference, MatchingMethod, TrackMatch, TrackProperties};
use serde_json::{Map, Value, json};

/// Finite floats as numbers, NaN/∞ as `null` (JSON has no non-finite numbers).
pub(super) fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num)
}

fn properties(p: &TrackProperties) -> Value {
    json!({
        "point_count": p.point_count,
        "duration_hours": num(p.duration_hours),
        "path_length_km": num(p.path_length_km),
        "mean_speed_kmh": num(p.mean_speed_kmh),
        "mean_intensity": opt(p.mean_intensity),
        "peak_intensity": opt(p.peak_intensity),
    })
}

fn intensity(d: &Option<IntensityDifference>) -> Value {
    d.as_ref().map_or(Value::Null, |d| json!({"bias": num(d.bias), "mae": num(d.mae), "rmse": num(d.rmse), "correlation": opt(d.correlation)}))
}

fn track_match(m: &TrackMatch) -> Value {
    json!({
        "reference_id": m.reference_id,
        "candidate_id": m.candidate_id,
        "eligible_candidate_count": m.eligible_candidate_count,
        "overlap_count": m.overlap_count,
        "overlap_fraction": num(m.overlap_fraction),
        "mean_separation_deg": num(m.mean_separation_deg),
        "mean_separation_km": num(m.mean_separation_km),
        "minimum_separation_km": num(m.minimum_separation_km),
        "median_separation_km": num(m.median_separation_km),
        "p95_separation_km": num(m.p95_separation_km),
        "maximum_separation_km": num(m.maximum_separation_km),
        "same_time_range": m.same_time_range,
        "same_point_count": m.same_point_count,
        "topology_identical": m.topology_identical,
        "reference": properties(&m.reference),
        "candidate": properties(&m.candidate),
        "intensity_difference": intensity(&m.intensity_difference),
    })
}

/// Builds the report document: `config`, `matching`, counts, the method-specific summary keys
/// (nearest: coverage and reuse; mutual: agreement; global: tp/fp/fn, precision, recall, F1),
/// `matches` and the unmatched id lists. `config.mode` is `"auto"` when unset, as the CLI
/// writes it. Serialise with `serde_json::to_string_pretty` for the CLI's indent-2, sorted-key
/// layout. The pooled point-pair quantiles are not part of the peer layout and are omitted.
pub fn report_json(report: &ComparisonReport) -> Value {
    let c = &report.config;
    let mut doc = Map::new();
    doc.insert(
        "config".into(),
        json!({
            "matching": c.matching.as_str(),
            "max_mean_separation_deg": num(c.max_mean_separation_deg),
            "min_overlap_fraction": num(c.min_overlap_fraction),
            "variable": c.variable,
            "mode": c.mode.map_or("auto", |m| m.as_str()),
        }),
    );
    doc.insert("matching".into(), json!(c.matching.as_str()));
    doc.insert("reference_count".into(), json!(report.reference_count));
    doc.insert("candidate_count".into(), json!(report.candidate_count));
    doc.insert("match_count".into(), json!(report.match_count()));
    doc.insert("unmatched_reference_count".into(), json!(report.unmatched_reference_count()));
    doc.insert("unmatched_candidate_count".into(), json!(report.unmatched_candidate_count()));
    doc.insert("topology_identical_count".into(), json!(report.topology_identical_count()));
    match c.matching {
        MatchingMethod::Nearest => {
            doc.insert("reference_coverage".into(), num(report.reference_coverage()));
            doc.insert("candidate_coverage".into(), num(report.candidate_coverage()));
            doc.insert("unique_candidate_count".into(), json!(report.unique_candidate_count()));
            doc.insert("reused_candidate_count".into(), json!(report.reused_candidate_count()));
            doc.insert("reused_candidate_assignments".into(), json!(report.reused_candidate_assignments()));
        }
        MatchingMethod::MutualNearest => {
            doc.insert("agreement".into(), num(report.agreement()));
        }
        MatchingMethod::GlobalAssignment => {
            doc.insert("tp".into(), json!(report.tp()));
            doc.insert("fn".into(), json!(report.fn_()));
            doc.insert("fp".into(), json!(report.fp()));
            doc.insert("precision".into(), num(report.precision()));
            doc.insert("recall".into(), num(report.recall()));
            doc.insert("f1".into(), num(report.f1()));
        }
    }
    doc.insert("matches".into(), Value::Array(report.matches.iter().map(track_match).collect()));
    doc.insert("unmatched_reference_ids".into(), json!(report.unmatched_reference_ids));
    doc.insert("unmatched_candidate_ids".into(), json!(report.unmatched_candidate_ids));
    sorted(Value::Object(doc))
}

/// `v` with the keys of every object in sorted order (the peer writes `sort_keys=True`; this
/// crate's serde_json keeps insertion order).
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}
