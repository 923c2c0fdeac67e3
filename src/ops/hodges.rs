//! The Hodges tracker's settings as front ends give them (PyStormTracker 0.8's names and
//! defaults), checked and turned into [`HodgesOptions`] before the input is read.

use super::link::MgeSettings;
use crate::detect::hodges::{HodgesDetectOptions, Refinement};
use crate::error::{Error, Result};
use crate::link::mge;
use crate::pipeline::hodges::HodgesOptions;
use crate::spectral::SpectralOptions;
use std::path::{Path, PathBuf};

/// Options of the Hodges tracker alone; absent fields keep the defaults.
#[derive(Debug, Clone, Default)]
pub struct HodgesSettings {
    /// Object membership threshold in the file's units; default 1e-5 s-1 for vorticity, else 0.
    pub object_threshold: Option<f64>,
    /// Smallest object, in grid points (1).
    pub min_object_grid_points: Option<usize>,
    /// Link all frames as one segment.
    pub no_segmentation: bool,
    /// TRACK zone.dat file of regional dmax zones (default: 3 built-in zones).
    pub dmax_zones: Option<PathBuf>,
    /// TRACK adapt.dat file of the adaptive smoothness table (default: built in).
    pub adaptive_smoothness: Option<PathBuf>,
    /// Expected time step for counting missing frames, e.g. `6h`, `30m`, `1D`.
    pub time_step: Option<String>,
    /// The MGE linker's weights and limits (w1 0.2, w2 0.8, dmax 6.5 degrees, phimax 0.5, 3
    /// sweeps, tracks of 3 points or more, segments of 62 frames that overlap by 2); zones and
    /// the adaptive table may be given here as values instead of files.
    pub linker: MgeSettings,
    /// Threads linking the segments (PyStormTracker's `mge_workers`, positive); default: all.
    pub mge_workers: Option<usize>,
}

impl HodgesSettings {
    /// The field name of the first setting given, if any: the Simple tracker refuses them.
    pub fn first_given(&self) -> Option<&'static str> {
        let l = &self.linker;
        [
            ("object_threshold", self.object_threshold.is_some()),
            ("w1", l.w1.is_some()),
            ("w2", l.w2.is_some()),
            ("dmax", l.dmax.is_some()),
            ("phimax", l.phimax.is_some()),
            ("min_track_points", l.min_track_points.is_some()),
            ("mge_max_iterations", l.mge_max_iterations.is_some()),
            ("min_object_grid_points", self.min_object_grid_points.is_some()),
            ("segment_frames", l.segment_frames.is_some()),
            ("no_segmentation", self.no_segmentation),
            ("dmax_zones", self.dmax_zones.is_some() || l.dmax_zones.is_some()),
            ("adaptive_smoothness", self.adaptive_smoothness.is_some() || l.adaptive_smoothness.is_some()),
            ("time_step", self.time_step.is_some() || l.time_step_ms.is_some()),
        ]
        .into_iter()
        .find(|p| p.1)
        .map(|p| p.0)
    }

    /// Every Hodges option checked (files read and parsed), with the refinement asked for and
    /// the spectral filter. The mode, time selection and threshold unit are settled later,
    /// from the opened field.
    pub fn resolve(&self, feature_refinement: Option<&str>, spectral: Option<SpectralOptions>) -> Result<HodgesOptions> {
        let refinement = parse_refinement(feature_refinement.unwrap_or("bspline"))?;
        let l = &self.linker;
        if l.segment_frames.is_some() && self.no_segmentation {
            return Err(Error::option("segment_frames", "cannot be given with `no_segmentation`"));
        }
        super::check_positive("segment_frames", l.segment_frames)?;
        super::check_positive("mge_workers", self.mge_workers)?;
        if self.dmax_zones.is_some() && l.dmax_zones.is_some() {
            return Err(Error::option("dmax_zones", "is given both as a file and as values; give one"));
        }
        if self.adaptive_smoothness.is_some() && l.adaptive_smoothness.is_some() {
            return Err(Error::option("adaptive_smoothness", "is given both as a file and as values; give one"));
        }
        if self.time_step.is_some() && l.time_step_ms.is_some() {
            return Err(Error::option("time_step", "is given both as text and in milliseconds; give one"));
        }
        let settings = MgeSettings {
            segment_frames: if self.no_segmentation { Some(0) } else { l.segment_frames },
            time_step_ms: match &self.time_step {
                Some(t) => Some(parse_time_step(t)?),
                None => l.time_step_ms,
            },
            ..l.clone()
        };
        let zones = match self.dmax_zones.as_deref() {
            Some(p) => Some(read_setting("dmax_zones", p, mge::parse_zones)?),
            None => settings.zones(),
        };
        let adapt = match self.adaptive_smoothness.as_deref() {
            Some(p) => Some(Some(read_setting("adaptive_smoothness", p, mge::parse_adapt)?)),
            None => settings.adapt()?,
        };
        let linker = settings.params_with(zones, adapt)?;
        let defaults = HodgesDetectOptions::default();
        let opts = HodgesOptions {
            mode: None,
            object_threshold: self.object_threshold,
            detect: HodgesDetectOptions { min_object_points: self.min_object_grid_points.unwrap_or(defaults.min_object_points), refinement, ..defaults },
            spectral,
            linker,
            selection: Default::default(),
            healpix: None,
            link_threads: self.mge_workers,
        };
        crate::pipeline::hodges::validate(&opts)?;
        Ok(opts)
    }
}

fn parse_refinement(s: &str) -> Result<Refinement> {
    match s {
        "bspline" => Ok(Refinement::Bspline),
        "quadratic" => Ok(Refinement::Quadratic),
        "grid" => Ok(Refinement::Grid),
        "spherical_quadratic" => Ok(Refinement::SphericalQuadratic),
        "spherical_bspline" => Ok(Refinement::SphericalBspline),
        _ => Err(Error::option("feature_refinement", format!("'{s}' is unknown; use bspline, quadratic, spherical_quadratic, spherical_bspline or grid"))),
    }
}

/// A TRACK settings file, read and parsed; errors name the option and the file.
fn read_setting<T>(option: &str, path: &Path, parse: fn(&str) -> std::result::Result<T, mge::MgeError>) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::option(option, format!("cannot read {}: {e}", path.display())))?;
    parse(&text).map_err(|e| Error::option(option, format!("{}: {e}", path.display())))
}

/// A positive integer followed by s, m, h or D (PyStormTracker's `time_step`), in ms.
pub fn parse_time_step(s: &str) -> Result<i64> {
    let bad = || Error::option("time_step", format!("'{s}' is not a positive integer followed by s, m, h or D (e.g. 6h, 30m, 1D)"));
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| bad())?;
    if n <= 0 || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let ms = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "D" => 86_400_000,
        _ => return Err(bad()),
    };
    n.checked_mul(ms).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_steps() {
        assert_eq!(parse_time_step("6h").unwrap(), 21_600_000);
        assert_eq!(parse_time_step("30m").unwrap(), 1_800_000);
        assert_eq!(parse_time_step("1D").unwrap(), 86_400_000);
        assert_eq!(parse_time_step("90s").unwrap(), 90_000);
        for bad in ["", "h", "0h", "-6h", "6", "6d", "+6h", "1.5h"] {
            assert!(parse_time_step(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn defaults_are_the_linker_defaults() {
        let o = HodgesSettings::default().resolve(None, None).unwrap();
        let d = crate::link::mge::MgeParams::default();
        assert_eq!((o.linker.w1, o.linker.dmax, o.linker.segment_frames), (d.w1, d.dmax, d.segment_frames));
        assert_eq!(o.detect.refinement, Refinement::Bspline);
        let one = HodgesSettings { no_segmentation: true, ..Default::default() }.resolve(None, None).unwrap();
        assert_eq!(one.linker.segment_frames, None);
    }
}
