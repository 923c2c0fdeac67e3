//! Linking centres into tracks. Linkers take frames of centres in time order and return
//! tracks as lists of `(frame, centre)` indices; they know nothing of files or Arrow.

pub mod mge;
mod points;
mod simple;

pub use points::{link_points, link_points_mge};
pub use simple::{LinkResume, LinkedTracks, SimpleLinker, link_frames_brute_force};

/// Centres of one frame as handed to a linker. Longitudes are in the input grid's own
/// convention (the peer sorts and measures in it, which decides exact ties).
#[derive(Debug, Clone, Copy)]
pub struct FrameRef<'a> {
    /// Frame time in ms.
    pub time: i64,
    pub lats: &'a [f64],
    pub lons: &'a [f64],
}

impl From<mge::MgeError> for crate::Error {
    fn from(e: mge::MgeError) -> Self {
        let option = match &e {
            mge::MgeError::ZoneFile { .. } => "dmax_zones",
            mge::MgeError::AdaptFile { .. } => "adaptive_smoothness",
            mge::MgeError::InvalidParameter { name, .. } => name,
            mge::MgeError::UncoveredFeature { .. } => "dmax_zones",
            mge::MgeError::InvalidTimes { .. } => "time_step",
        };
        crate::Error::option(option, e.to_string())
    }
}
