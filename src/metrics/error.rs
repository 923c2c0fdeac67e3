//! Errors of the metrics kernels: each names the problem and the fix in one line.

/// What can be wrong with a metrics request.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum MetricsError {
    #[error("invalid metrics option: {0}")]
    Option(String),
    #[error("invalid grid: {0}")]
    Grid(String),
    #[error("track {track_id}: times must be strictly increasing; sort the points or split the track")]
    NonIncreasingTimes { track_id: i64 },
    #[error("track {track_id}: the amplitude is missing (NaN or infinite) at point {point}; choose a variable without gaps or drop those points")]
    MissingAmplitude { track_id: i64, point: usize },
    #[error("track {track_id}: the position is not finite at point {point}; repair the track file")]
    BadPosition { track_id: i64, point: usize },
    #[error("amplitudes: {got} values for {expected} track points; give one value per point")]
    AmplitudeLength { got: usize, expected: usize },
}

impl From<MetricsError> for crate::Error {
    fn from(e: MetricsError) -> Self {
        match e {
            e @ (MetricsError::Option(_) | MetricsError::Grid(_)) => crate::Error::Format(e.to_string()),
            other => crate::Error::InvalidTracks(other.to_string()),
        }
    }
}

impl From<super::StatsError> for crate::Error {
    fn from(e: super::StatsError) -> Self {
        use super::StatsError as E;
        match e {
            E::Months(_) | E::KernelWidth { .. } | E::UnitArea(_) | E::UnknownField(_) => crate::Error::Format(format!("invalid statistics option: {e}")),
            other => crate::Error::InvalidTracks(other.to_string()),
        }
    }
}
