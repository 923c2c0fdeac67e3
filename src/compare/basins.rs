//! Scores by basin (docs/metrics.md#basins): each reference and candidate track belongs to the
//! basin of its first point (genesis); POD, FAR and F1 count, in each basin, the reference
//! tracks matched and the candidate tracks matched; separations are those of the matches whose
//! reference track formed there.

use super::matching::ComparisonReport;
use super::report::num;
use crate::geo::basins::Basin;
use crate::tracks::TrackSet;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The scores of one basin.
#[derive(Debug, Clone, PartialEq)]
pub struct BasinScores {
    pub basin: Basin,
    /// Reference tracks that form in the basin.
    pub reference_count: usize,
    /// Candidate tracks that form in the basin.
    pub candidate_count: usize,
    /// Reference tracks of the basin with a match.
    pub matched_reference_count: usize,
    /// Candidate tracks of the basin with a match.
    pub matched_candidate_count: usize,
    /// Mean and median of the matches' mean separations (km), over matches whose reference
    /// forms in the basin; `None` without any.
    pub mean_separation_km: Option<f64>,
    pub median_separation_km: Option<f64>,
}

impl BasinScores {
    /// Probability of detection: matched reference tracks over reference tracks.
    pub fn pod(&self) -> f64 {
        ratio(self.matched_reference_count, self.reference_count)
    }
    /// False alarm ratio: unmatched candidate tracks over candidate tracks.
    pub fn far(&self) -> f64 {
        ratio(self.candidate_count - self.matched_candidate_count, self.candidate_count)
    }
    /// The harmonic mean of POD and 1 - FAR (recall and precision).
    pub fn f1(&self) -> f64 {
        let (r, p) = (self.pod(), 1.0 - self.far());
        if r + p > 0.0 { 2.0 * r * p / (r + p) } else { 0.0 }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { f64::NAN } else { a as f64 / b as f64 }
}

/// The basin of each track's genesis, by id.
fn genesis_basins(set: &TrackSet<'_>) -> BTreeMap<i64, Option<Basin>> {
    (0..set.len()).map(|i| (set.ids[i], set.range(i).next().and_then(|k| Basin::of(set.lon[k], set.lat[k])))).collect()
}

/// The scores of every basin where a reference or a candidate track forms, in IBTrACS' order.
pub fn basin_scores(report: &ComparisonReport, reference: &TrackSet<'_>, candidate: &TrackSet<'_>) -> Vec<BasinScores> {
    let (rb, cb) = (genesis_basins(reference), genesis_basins(candidate));
    Basin::ALL
        .iter()
        .map(|&basin| {
            let in_basin = |m: &BTreeMap<i64, Option<Basin>>, id: i64| m.get(&id).copied().flatten() == Some(basin);
            let mut seps: Vec<f64> =
                report.matches.iter().filter(|m| in_basin(&rb, m.reference_id)).map(|m| m.mean_separation_km).filter(|s| s.is_finite()).collect();
            seps.sort_by(f64::total_cmp);
            let matched_refs: std::collections::BTreeSet<i64> = report.matches.iter().map(|m| m.reference_id).filter(|&id| in_basin(&rb, id)).collect();
            let matched_cands: std::collections::BTreeSet<i64> = report.matches.iter().map(|m| m.candidate_id).filter(|&id| in_basin(&cb, id)).collect();
            BasinScores {
                basin,
                reference_count: rb.values().filter(|b| **b == Some(basin)).count(),
                candidate_count: cb.values().filter(|b| **b == Some(basin)).count(),
                matched_reference_count: matched_refs.len(),
                matched_candidate_count: matched_cands.len(),
                mean_separation_km: (!seps.is_empty()).then(|| seps.iter().sum::<f64>() / seps.len() as f64),
                median_separation_km: median(&seps),
            }
        })
        .filter(|s| s.reference_count + s.candidate_count > 0)
        .collect()
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The report's `basins` entry: one object per basin code.
pub fn basin_scores_json(scores: &[BasinScores]) -> Value {
    let map: serde_json::Map<String, Value> = scores
        .iter()
        .map(|s| {
            let v = json!({
                "reference_count": s.reference_count,
                "candidate_count": s.candidate_count,
                "matched_reference_count": s.matched_reference_count,
                "matched_candidate_count": s.matched_candidate_count,
                "pod": num(s.pod()),
                "far": num(s.far()),
                "f1": num(s.f1()),
                "mean_separation_km": s.mean_separation_km.map_or(Value::Null, num),
                "median_separation_km": s.median_separation_km.map_or(Value::Null, num),
            });
            (s.basin.code().to_string(), v)
        })
        .collect();
    Value::Object(map)
}

/// The scores as a text table (what `stormtrack compare --by-basin` prints).
pub fn basin_table(scores: &[BasinScores]) -> String {
    let pct = |x: f64| if x.is_finite() { format!("{:.1}%", 100.0 * x) } else { "n/a".into() };
    let km = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.1}"));
    let mut out = String::from("basin  reference  candidate  matched     POD     FAR      F1  mean km  median km");
    for s in scores {
        out.push_str(&format!(
            "\n{:<5}  {:>9}  {:>9}  {:>7}  {:>6}  {:>6}  {:>6}  {:>7}  {:>9}",
            s.basin.code(),
            s.reference_count,
            s.candidate_count,
            s.matched_reference_count,
            pct(s.pod()),
            pct(s.far()),
            pct(s.f1()),
            km(s.mean_separation_km),
            km(s.median_separation_km)
        ));
    }
    out
}
