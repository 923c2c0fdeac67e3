//! Error type shared by the comparison and RSPLICE entry points.

use thiserror::Error;

/// Errors raised by invalid inputs or options.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CompareError {
    /// The packed arrays of a [`TrackSet`](crate::tracks::TrackSet) violate an invariant.
    #[error("invalid track set: {0}")]
    InvalidTrackSet(String),
    /// Timestamps of one track are not strictly increasing.
    #[error("times must be strictly increasing within each track (track id {track_id})")]
    NonIncreasingTimes {
        /// Offending track id.
        track_id: i64,
    },
    /// An option value is out of its domain.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// A time gap is not an integral multiple of the expected cadence (RSPLICE).
    #[error("{}time gap of {gap_ms} ms is not an integral multiple of the expected cadence {cadence_ms} ms", track_prefix(.track_id))]
    NonIntegralGap {
        /// Track id when known (filled by [`filter_rsplice`](crate::compare::filter_rsplice)).
        track_id: Option<i64>,
        /// Offending gap.
        gap_ms: i64,
        /// Expected cadence.
        cadence_ms: i64,
    },
}

fn track_prefix(track_id: &Option<i64>) -> String {
    track_id.map(|id| format!("track {id}: ")).unwrap_or_default()
}

impl From<crate::tracks::TrackSetError> for CompareError {
    fn from(e: crate::tracks::TrackSetError) -> Self {
        match e {
            crate::tracks::TrackSetError::Invalid(m) => CompareError::InvalidTrackSet(m),
            crate::tracks::TrackSetError::NonIncreasingTimes { track_id } => CompareError::NonIncreasingTimes { track_id },
        }
    }
}
