//! Continuing a stored run with later frames (`track --append`, docs/datasets.md#appending):
//! what a tracker keeps after a run ([`LinkState`]), what it is handed back
//! ([`StoredRun`]) and what continuing gives ([`Resumed`]). The trackers implement it
//! ([`super::tracker::Tracker::end_state`], [`super::tracker::Tracker::resume`]); reading and
//! writing the dataset is the operations' business.

pub(crate) mod hodges;
pub(crate) mod simple;

use super::DetectedFrame;
use super::hodges::StageTimes;
use crate::error::Error;
use crate::tracks::{Point, Tracks, TracksBuilder};
use serde_json::Value;
use std::path::Path;

/// A run's linker state: the descriptor's `link_state` (with `next_frame` and
/// `last_frame_time`) and, for trackers that re-link buffered frames, those frames as Arrow
/// IPC bytes kept beside it.
#[derive(Debug, Clone)]
pub struct LinkState {
    pub value: Value,
    pub frames: Option<Vec<u8>>,
}

/// A stored run as a continuation finds it.
#[derive(Debug, Clone, Copy)]
pub struct StoredRun<'a> {
    /// Where it is stored (for messages).
    pub dataset: &'a Path,
    /// Its tracks.
    pub tracks: &'a Tracks,
    /// Its linker state.
    pub link_state: &'a Value,
    /// The frames kept beside the state (Arrow IPC), if any.
    pub link_frames: Option<&'a [u8]>,
}

impl StoredRun<'_> {
    /// An error about the stored state, naming the dataset.
    pub fn error(&self, what: &str) -> Error {
        state_error(self.dataset, what)
    }
}

/// An error about the state stored in the dataset at `dir`.
pub fn state_error(dir: &Path, what: &str) -> Error {
    Error::option("append", format!("{}: {what}", dir.display()))
}

/// A continued run.
#[derive(Debug, Clone)]
pub struct Resumed {
    /// The tracks of the whole period, in id order.
    pub tracks: Tracks,
    /// The new frames, as detected (numbered after the stored ones).
    pub frames: Vec<DetectedFrame>,
    /// The state to continue from next time.
    pub state: LinkState,
    /// The times of the track points that were added, changed or removed (every new frame's
    /// time where the stored points never change): their storage partitions changed.
    pub changed_point_times: Vec<i64>,
    /// The first times of the tracks that were added, changed or removed.
    pub changed_start_times: Vec<i64>,
    /// Where the time went (detection stages; zeros where the tracker keeps none).
    pub times: StageTimes,
}

/// The points and values of track `i` of `t`.
pub(crate) fn points_of(t: &Tracks, i: usize) -> (Vec<Point>, Vec<Vec<f64>>) {
    let span = t.offsets[i]..t.offsets[i + 1];
    let points = span
        .clone()
        .map(|p| Point { time: t.times[p], lat: t.lats[p], lon: t.lons[p], grid: t.grid.as_ref().map(|g| (g.frame[p], g.row[p], g.col[p])) })
        .collect();
    let values = span.map(|p| t.variables.iter().map(|v| v.values[p]).collect()).collect();
    (points, values)
}

/// A builder for tracks shaped as `stored` (metadata, variables, longitude convention).
fn builder_like(stored: &Tracks) -> TracksBuilder {
    let variables: Vec<(&str, &str)> = stored.variables.iter().map(|v| (v.name.as_str(), v.unit.as_str())).collect();
    let convention = stored.grid.as_ref().map(|g| g.lon_convention);
    TracksBuilder::new(stored.metadata.clone(), &variables, convention)
}
