//! The packed track collection (structure of arrays), shared by every reader, writer and front
//! end (see docs/algorithms.md#packed-tracks).

mod from_points;
pub mod measure;
mod set;
mod summary;

pub use from_points::{PointColumns, tracks_from_points};
pub use set::{OwnedTrackSet, TrackSet, TrackSetError, track_set};
pub use summary::{TrackSummary, summarize, summarize_as_peer};

use crate::error::{Error, Result};
use crate::geo::{LonConvention, normalize_lon};
use crate::time::Calendar;
use crate::variables::Mode;
use std::ops::Range;

/// One per-point variable column.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Column name (e.g. `msl`).
    pub name: String,
    /// Unit string (`Pa`, `s^-1`, or `1` when unknown).
    pub unit: String,
    /// One value per point; NaN where missing.
    pub values: Vec<f64>,
}

/// Declared spatial extent of the source field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpatialBounds {
    pub south: f64,
    pub north: f64,
    pub west: f64,
    pub east: f64,
}

impl SpatialBounds {
    /// The whole globe.
    pub const GLOBAL: SpatialBounds = SpatialBounds { south: -90.0, north: 90.0, west: -180.0, east: 180.0 };
}

/// One preprocessing step recorded in the provenance (see docs/algorithms.md#packed-tracks).
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessingStep {
    pub operation: String,
    pub enabled: bool,
    /// Ordered parameters (ints, floats, strings, bools).
    pub parameters: serde_json::Map<String, serde_json::Value>,
}

/// Metadata of a track collection.
#[derive(Debug, Clone, PartialEq)]
pub struct TracksMetadata {
    /// Name of the variable that defines the centres (e.g. `msl`).
    pub primary_variable: String,
    /// Minima or maxima.
    pub mode: Mode,
    /// Spatial bounds of the source field, if known.
    pub bounds: Option<SpatialBounds>,
    /// Preprocessing provenance.
    pub processing: Vec<ProcessingStep>,
    /// Calendar of the point times.
    pub calendar: Calendar,
}

impl TracksMetadata {
    /// Metadata with no bounds and no processing.
    pub fn new(primary_variable: impl Into<String>, mode: Mode) -> Self {
        TracksMetadata { primary_variable: primary_variable.into(), mode, bounds: None, processing: Vec::new(), calendar: Calendar::default() }
    }
}

/// Where each point came from on the detection grid; absent for tracks read from text files.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridIndex {
    /// 0-based frame index in the input.
    pub frame: Vec<u32>,
    /// Row of the grid cell in the input's storage order.
    pub row: Vec<u32>,
    /// Column of the grid cell in the input's storage order.
    pub col: Vec<u32>,
    /// Longitude convention of the input grid.
    pub lon_convention: LonConvention,
}

/// A collection of tracks: track `i` holds points `offsets[i]..offsets[i + 1]`.
///
/// Invariants (checked by [`Tracks::validate`]): `offsets` starts at 0, strictly increases and
/// ends at the point count; ids are unique; times strictly increase within a track; latitudes
/// are finite in [-90, 90]; longitudes are finite in [-180, 180); every variable has one value
/// per point; the primary variable is present.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracks {
    pub ids: Vec<i64>,
    pub offsets: Vec<usize>,
    pub times: Vec<i64>,
    pub lats: Vec<f64>,
    pub lons: Vec<f64>,
    pub variables: Vec<Variable>,
    pub grid: Option<GridIndex>,
    pub metadata: TracksMetadata,
}

impl Tracks {
    /// An empty collection with the given metadata and primary unit.
    pub fn empty(metadata: TracksMetadata, primary_unit: impl Into<String>) -> Self {
        let primary = Variable { name: metadata.primary_variable.clone(), unit: primary_unit.into(), values: Vec::new() };
        Tracks { ids: vec![], offsets: vec![0], times: vec![], lats: vec![], lons: vec![], variables: vec![primary], grid: None, metadata }
    }

    /// Number of tracks.
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    /// Whether there are no tracks.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Number of points over all tracks.
    pub fn n_points(&self) -> usize {
        self.times.len()
    }
    /// Point range of track `i`.
    pub fn range(&self, i: usize) -> Range<usize> {
        self.offsets[i]..self.offsets[i + 1]
    }
    /// The column of a variable by name.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }
    /// The primary variable's column.
    pub fn primary(&self) -> &Variable {
        self.variable(&self.metadata.primary_variable).expect("validated tracks carry their primary variable")
    }
    /// Track id of every point.
    pub fn point_track_ids(&self) -> Vec<i64> {
        let mut out = Vec::with_capacity(self.n_points());
        for (i, &id) in self.ids.iter().enumerate() {
            out.extend(std::iter::repeat_n(id, self.offsets[i + 1] - self.offsets[i]));
        }
        out
    }
    /// 0-based index of every point within its track.
    pub fn point_steps(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.n_points());
        for i in 0..self.len() {
            out.extend(0..(self.offsets[i + 1] - self.offsets[i]) as u32);
        }
        out
    }

    /// The tracks at indices `keep` (in that order), with their ids, variables and grid index.
    pub fn select(&self, keep: &[usize]) -> Tracks {
        let points: Vec<usize> = keep.iter().flat_map(|&i| self.range(i)).collect();
        let pick_f = |v: &[f64]| points.iter().map(|&k| v[k]).collect::<Vec<_>>();
        let pick_u = |v: &[u32]| points.iter().map(|&k| v[k]).collect::<Vec<_>>();
        let mut offsets = Vec::with_capacity(keep.len() + 1);
        offsets.push(0);
        for &i in keep {
            offsets.push(offsets.last().unwrap() + self.range(i).len());
        }
        Tracks {
            ids: keep.iter().map(|&i| self.ids[i]).collect(),
            offsets,
            times: points.iter().map(|&k| self.times[k]).collect(),
            lats: pick_f(&self.lats),
            lons: pick_f(&self.lons),
            variables: self.variables.iter().map(|v| Variable { name: v.name.clone(), unit: v.unit.clone(), values: pick_f(&v.values) }).collect(),
            grid: self.grid.as_ref().map(|g| GridIndex { frame: pick_u(&g.frame), row: pick_u(&g.row), col: pick_u(&g.col), lon_convention: g.lon_convention }),
            metadata: self.metadata.clone(),
        }
    }

    /// Check every invariant of the model; the message names the first broken one.
    pub fn validate(&self) -> Result<()> {
        let n = self.n_points();
        let bad = |m: String| Err(Error::InvalidTracks(m));
        if self.offsets.first() != Some(&0) || self.offsets.len() != self.ids.len() + 1 || *self.offsets.last().unwrap() != n {
            return bad(format!("offsets must run from 0 to the point count {n} with one entry per track plus one"));
        }
        if self.offsets.windows(2).any(|w| w[1] <= w[0]) {
            return bad("a track has no points (offsets must strictly increase)".into());
        }
        if self.lats.len() != n || self.lons.len() != n {
            return bad("lat/lon columns must have one value per point".into());
        }
        let mut seen = std::collections::HashSet::with_capacity(self.ids.len());
        for &id in &self.ids {
            if !seen.insert(id) {
                return bad(format!("track id {id} appears twice"));
            }
        }
        for i in 0..self.len() {
            let r = self.range(i);
            if self.times[r.clone()].windows(2).any(|w| w[1] <= w[0]) {
                return bad(format!("times of track {} do not strictly increase", self.ids[i]));
            }
        }
        if let Some(k) = self.lats.iter().position(|x| !x.is_finite() || !(-90.0..=90.0).contains(x)) {
            return bad(format!("latitude {} of point {k} is outside [-90, 90]", self.lats[k]));
        }
        if let Some(k) = self.lons.iter().position(|x| !x.is_finite() || !(-180.0..180.0).contains(x)) {
            return bad(format!("longitude {} of point {k} is not in [-180, 180)", self.lons[k]));
        }
        for v in &self.variables {
            if v.values.len() != n {
                return bad(format!("variable '{}' has {} values for {n} points", v.name, v.values.len()));
            }
        }
        if self.variable(&self.metadata.primary_variable).is_none() {
            return bad(format!("primary variable '{}' has no column", self.metadata.primary_variable));
        }
        if let Some(g) = &self.grid
            && (g.frame.len() != n || g.row.len() != n || g.col.len() != n)
        {
            return bad("grid index columns must have one value per point".into());
        }
        Ok(())
    }
}

/// Builds [`Tracks`] track by track, in creation order.
#[derive(Debug)]
pub struct TracksBuilder {
    tracks: Tracks,
    with_grid: bool,
}

/// One point handed to [`TracksBuilder`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub time: i64,
    pub lat: f64,
    pub lon: f64,
    /// Grid provenance (frame, row, col) when known.
    pub grid: Option<(u32, u32, u32)>,
}

impl TracksBuilder {
    /// A builder for tracks with the given variables (name, unit), in the given column order.
    pub fn new(metadata: TracksMetadata, variables: &[(&str, &str)], lon_convention: Option<LonConvention>) -> Self {
        let variables = variables.iter().map(|(n, u)| Variable { name: n.to_string(), unit: u.to_string(), values: Vec::new() }).collect();
        let grid = lon_convention.map(|c| GridIndex { lon_convention: c, ..Default::default() });
        let with_grid = grid.is_some();
        TracksBuilder { tracks: Tracks { ids: vec![], offsets: vec![0], times: vec![], lats: vec![], lons: vec![], variables, grid, metadata }, with_grid }
    }

    /// Append one track. `values[k][v]` is variable `v` at point `k`. Longitudes are normalised
    /// to [-180, 180).
    pub fn push(&mut self, id: i64, points: &[Point], values: &[Vec<f64>]) {
        let t = &mut self.tracks;
        t.ids.push(id);
        for (k, p) in points.iter().enumerate() {
            t.times.push(p.time);
            t.lats.push(p.lat);
            t.lons.push(normalize_lon(p.lon));
            for (v, col) in t.variables.iter_mut().enumerate() {
                col.values.push(values[k][v]);
            }
            if self.with_grid {
                let g = t.grid.as_mut().unwrap();
                let (f, r, c) = p.grid.unwrap_or((u32::MAX, u32::MAX, u32::MAX));
                g.frame.push(f);
                g.row.push(r);
                g.col.push(c);
            }
        }
        t.offsets.push(t.times.len());
    }

    /// Finish, validating the result.
    pub fn finish(self) -> Result<Tracks> {
        self.tracks.validate()?;
        Ok(self.tracks)
    }
}
