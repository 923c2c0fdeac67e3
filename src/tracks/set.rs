//! Borrowed structure-of-arrays view of a track collection ([`TrackSet`]), the input of the
//! comparison, RSPLICE and metrics kernels, and its owned form ([`OwnedTrackSet`]) for tracks
//! built from point columns.

use super::Tracks;
use crate::time::Calendar;
use crate::variables::Mode;
use std::collections::HashSet;

/// A track set that breaks an invariant.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrackSetError {
    /// The packed arrays are inconsistent.
    #[error("invalid track set: {0}")]
    Invalid(String),
    /// Timestamps of one track are not strictly increasing.
    #[error("times must be strictly increasing within each track (track id {track_id})")]
    NonIncreasingTimes { track_id: i64 },
}

/// A [`Tracks`] as a [`TrackSet`] (longitudes are already normalised to [-180, 180) there, as
/// the kernels expect), with the primary variable's values.
pub fn track_set(t: &Tracks) -> TrackSet<'_> {
    TrackSet {
        ids: &t.ids,
        offsets: &t.offsets,
        times_ms: &t.times,
        lat: &t.lats,
        lon: &t.lons,
        values: Some(&t.primary().values),
        mode: t.metadata.mode,
        calendar: t.metadata.calendar,
    }
}

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
    pub mode: Mode,
    /// Calendar of `times_ms` (monthly metrics split by its months).
    pub calendar: Calendar,
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
    pub fn validate(&self) -> Result<(), TrackSetError> {
        let bad = |m: &str| Err(TrackSetError::Invalid(m.to_string()));
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
                return Err(TrackSetError::NonIncreasingTimes { track_id: self.ids[i] });
            }
        }
        Ok(())
    }
}

/// Owned storage behind a [`TrackSet`]: for tracks built from their points (tests, and the
/// dataframe and SQL front ends, which get point columns in any row order).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedTrackSet {
    pub ids: Vec<i64>,
    pub offsets: Vec<usize>,
    pub times_ms: Vec<i64>,
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    /// One value per point (NaN where there is none).
    pub values: Vec<f64>,
    pub mode: Mode,
    pub calendar: Calendar,
}

impl OwnedTrackSet {
    fn empty(mode: Mode) -> Self {
        OwnedTrackSet {
            ids: Vec::new(),
            offsets: vec![0],
            times_ms: Vec::new(),
            lat: Vec::new(),
            lon: Vec::new(),
            values: Vec::new(),
            mode,
            calendar: Calendar::default(),
        }
    }

    fn push(&mut self, time_ms: i64, lat: f64, lon: f64, value: f64) {
        self.times_ms.push(time_ms);
        self.lat.push(lat);
        self.lon.push(lon);
        self.values.push(value);
    }

    /// Tracks given in order as `(id, [(time_ms, lat, lon, value), ...])`.
    pub fn from_tracks(tracks: impl IntoIterator<Item = (i64, Vec<(i64, f64, f64, f64)>)>, mode: Mode) -> Self {
        let mut o = OwnedTrackSet::empty(mode);
        for (id, points) in tracks {
            o.ids.push(id);
            for (t, la, lo, v) in points {
                o.push(t, la, lo, v);
            }
            o.offsets.push(o.times_ms.len());
        }
        o
    }

    /// Tracks from point columns in any row order: tracks by ascending id, points by time. Two
    /// points of one track at the same time are an error.
    pub fn from_points(track_id: &[i64], time_ms: &[i64], lat: &[f64], lon: &[f64], value: &[f64], mode: Mode) -> Result<Self, TrackSetError> {
        let n = track_id.len();
        if [time_ms.len(), lat.len(), lon.len(), value.len()].iter().any(|&l| l != n) {
            return Err(TrackSetError::Invalid("track_id, time, lat, lon and value must have the same length".into()));
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (track_id[i], time_ms[i]));
        let mut o = OwnedTrackSet::empty(mode);
        for (k, &i) in order.iter().enumerate() {
            let same_track = k > 0 && track_id[order[k - 1]] == track_id[i];
            if same_track && time_ms[order[k - 1]] == time_ms[i] {
                return Err(TrackSetError::Invalid(format!("track {} has two points at the same time; a track has one point per time", track_id[i])));
            }
            if !same_track {
                if k > 0 {
                    o.offsets.push(k);
                }
                o.ids.push(track_id[i]);
            }
            o.push(time_ms[i], lat[i], lon[i], value[i]);
        }
        if n > 0 {
            o.offsets.push(n);
        }
        Ok(o)
    }

    /// The borrowed view.
    pub fn set(&self) -> TrackSet<'_> {
        TrackSet {
            ids: &self.ids,
            offsets: &self.offsets,
            times_ms: &self.times_ms,
            lat: &self.lat,
            lon: &self.lon,
            values: Some(&self.values),
            mode: self.mode,
            calendar: self.calendar,
        }
    }
}

impl From<TrackSetError> for crate::Error {
    fn from(e: TrackSetError) -> Self {
        crate::Error::InvalidTracks(e.to_string())
    }
}
