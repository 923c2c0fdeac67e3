//! Linking options of the table front ends (Polars `st.link`, SQL `link_tracks` and
//! `link_tracks_mge`) and the one place where MGE settings are laid over the defaults.

use crate::error::{Error, Result};
use crate::link::mge::{AdaptTable, MgeParams, Zone};

/// MGE settings as the front ends give them; absent fields keep [`MgeParams::default`]. Read
/// from keyword arguments or a JSON object such as
/// `{"min_track_points": 8, "time_step_ms": 21600000}`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MgeSettings {
    pub w1: Option<f64>,
    pub w2: Option<f64>,
    pub dmax: Option<f64>,
    pub phimax: Option<f64>,
    pub mge_max_iterations: Option<usize>,
    pub min_track_points: Option<usize>,
    /// Frames per segment; `0` links all frames as one segment.
    pub segment_frames: Option<usize>,
    /// Cadence for counting missing frames, in the unit of the times (ms for timestamps).
    pub time_step_ms: Option<i64>,
    /// Zones as rows `[lon_min, lon_max, lat_min, lat_max, dmax]`; `[]` disables them.
    pub dmax_zones: Option<Vec<[f64; 5]>>,
    /// `[[t0, t1, t2, t3], [v0, v1, v2, v3]]`; absent keeps the default table.
    pub adaptive_smoothness: Option<[[f64; 4]; 2]>,
}

impl MgeSettings {
    /// The linker parameters, checked.
    pub fn params(&self) -> Result<MgeParams> {
        self.params_with(self.zones(), self.adapt()?)
    }

    /// The zones given as rows, if any.
    pub(crate) fn zones(&self) -> Option<Vec<Zone>> {
        let zone = |r: &[f64; 5]| Zone { lon_min: r[0], lon_max: r[1], lat_min: r[2], lat_max: r[3], dmax: r[4] };
        self.dmax_zones.as_ref().map(|rows| rows.iter().map(zone).collect())
    }

    /// The adaptive table given as values, if any, checked.
    pub(crate) fn adapt(&self) -> Result<Option<Option<AdaptTable>>> {
        Ok(self.adaptive_smoothness.map(|[t, v]| AdaptTable::new(t, v).map(Some)).transpose()?)
    }

    /// The parameters with zones and adaptive table given already parsed (from TRACK's
    /// zone.dat and adapt.dat files, say); `None` keeps the defaults.
    pub(crate) fn params_with(&self, zones: Option<Vec<Zone>>, adapt: Option<Option<AdaptTable>>) -> Result<MgeParams> {
        let d = MgeParams::default();
        let zones = zones.unwrap_or_else(|| d.zones.clone());
        for (k, z) in zones.iter().enumerate() {
            z.validate().map_err(|m| Error::option("dmax_zones", format!("zone {}: {m}", k + 1)))?;
        }
        let p = MgeParams {
            w1: self.w1.unwrap_or(d.w1),
            w2: self.w2.unwrap_or(d.w2),
            dmax: self.dmax.unwrap_or(d.dmax),
            phimax: self.phimax.unwrap_or(d.phimax),
            max_iterations: self.mge_max_iterations.unwrap_or(d.max_iterations),
            min_track_points: self.min_track_points.unwrap_or(d.min_track_points),
            zones,
            adapt: adapt.unwrap_or_else(|| d.adapt.clone()),
            time_step_ms: self.time_step_ms,
            segment_frames: match self.segment_frames {
                None => d.segment_frames,
                Some(0) => None,
                Some(n) => Some(n),
            },
            ..d
        };
        p.normalise()?;
        Ok(p)
    }
}
