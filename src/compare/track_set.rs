//! Borrowed structure-of-arrays view of a track collection.

use crate::compare::error::CompareError;
use std::collections::HashSet;

/// Minima or maxima: the tracker's [`Mode`](crate::variables::Mode).
pub use crate::variables::Mode as DetectionMode;

/// Packed tracks: track `i` owns points `offsets[i]..offsets[i + 1]`.
#[derive(Debug, Clone, Copy)]
pub struct TrackSet<'a> {
    /// Unique track ids, one per track.
    pub ids: &'a [i64],
    /// Point offsets, `len = ids.len() + 1`, starting at 0 and ending at the point count.
    pub offsets: &'a [usize],
    /// Point times in ms since 1970-01-01, strictly increasing within each track.
    pub times_ms: &'a [i64],
    /// Point latitudes (degrees).
    pub lat: &'a [f64],
    /// Point longitudes (degrees, any convention).
    pub lon: &'a [f64],
    /// Primary variable per point (NaN allowed); only used by comparisons naming a variable.
    pub values: Option<&'a [f64]>,
    /// Detection mode from the track set's metadata; decides the peak intensity when the
    /// comparison config leaves `mode` unset ("auto").
    pub mode: DetectionMode,
}

impl<'a> TrackSet<'a> {
    /// Number of tracks.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the set holds no track.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Point range of track `i`.
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i]..self.offsets[i + 1]
    }

    /// Checks the packing invariants, id uniqueness and per-track time order.
    pub fn validate(&self) -> Result<(), CompareError> {
        let bad = |m: &str| Err(CompareError::InvalidTrackSet(m.to_string()));
        let n_tracks = self.ids.len();
        if self.offsets.len() != n_tracks + 1 {
            return bad("offsets must have one more entry than ids");
        }
        if self.offsets[0] != 0 {
            return bad("offsets[0] must be 0");
        }
        let n_points = self.offsets[n_tracks];
        if self.offsets.windows(2).any(|w| w[1] <= w[0]) {
            return bad("offsets must be strictly increasing (no empty track)");
        }
        if self.times_ms.len() != n_points || self.lat.len() != n_points || self.lon.len() != n_points {
            return bad("times/lat/lon length must equal offsets[last]");
        }
        if self.values.is_some_and(|v| v.len() != n_points) {
            return bad("values length must equal offsets[last]");
        }
        let mut seen = HashSet::with_capacity(n_tracks);
        if !self.ids.iter().all(|id| seen.insert(*id)) {
            return bad("track ids must be unique");
        }
        for i in 0..n_tracks {
            if self.times_ms[self.range(i)].windows(2).any(|w| w[1] <= w[0]) {
                return Err(CompareError::NonIncreasingTimes { track_id: self.ids[i] });
            }
        }
        Ok(())
    }
}
