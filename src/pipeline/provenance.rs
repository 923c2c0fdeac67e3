//! What a tracker records of its options in a dataset's provenance (docs/datasets.md): the
//! parameters an `--append` must find unchanged.

use super::hodges::HodgesOptions;
use crate::detect::SimpleDetector;
use crate::field::Field;
use crate::link::SimpleLinker;
use crate::spectral::SpectralOptions;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The Simple tracker's detector and linker options; its criteria (the merge distance and the
/// closed contours, each with the variable it tests in `field`) where it has any.
pub fn simple(m: &mut BTreeMap<String, Value>, detector: &SimpleDetector, linker: &SimpleLinker, field: &dyn Field) {
    m.insert("algorithm".into(), json!("simple"));
    m.insert("feature_threshold".into(), json!(detector.threshold));
    m.insert("search_window_size".into(), json!(detector.window));
    m.insert("feature_refinement".into(), json!(format!("{:?}", detector.refinement).to_lowercase()));
    m.insert("max_link_km".into(), json!(linker.max_km));
    let criteria = &detector.criteria;
    if let Some(d) = criteria.merge_dist_deg {
        m.insert("merge_dist".into(), json!(d));
    }
    if !criteria.closed_contours.is_empty() {
        let others = field.other_infos();
        let variable = |k: usize| if k == 0 { field.info().variable.clone() } else { others.get(k - 1).map_or_else(String::new, |i| i.variable.clone()) };
        let contours: Vec<Value> = criteria
            .closed_contours
            .iter()
            .map(|c| json!({"variable": variable(c.field), "delta": c.delta, "distance": c.dist_deg, "minmaxdist": c.minmaxdist_deg}))
            .collect();
        m.insert("closed_contours".into(), json!(contours));
    }
}

/// The band-pass filter's options in the descriptor.
pub fn spectral(m: &mut BTreeMap<String, Value>, s: &SpectralOptions) {
    m.insert("lmin".into(), json!(s.lmin));
    m.insert("lmax".into(), json!(s.lmax));
    m.insert("spectral_taper".into(), json!(s.taper));
}

/// The Hodges or HEALPix tracker's options (the object threshold resolved for `field`).
pub fn hodges(m: &mut BTreeMap<String, Value>, h: &HodgesOptions, field: &dyn Field) {
    let l = &h.linker;
    let threshold = h.object_threshold.unwrap_or_else(|| field.info().feature_threshold(None));
    m.insert("algorithm".into(), json!(if h.healpix.is_some() { "healpix" } else { "hodges" }));
    if let Some(hp) = &h.healpix {
        m.insert("nside".into(), json!(hp.nside));
        // a HEALPix input is tracked at its own resolution, in its numbering's cells
        if let Some(cells) = field.info().grid.healpix {
            m.insert("nside".into(), json!(cells.nside));
            m.insert("healpix_input_ordering".into(), json!(cells.ordering()));
        }
    }
    m.insert("object_threshold".into(), json!(threshold));
    m.insert("feature_refinement".into(), json!(h.detect.refinement.as_str()));
    m.insert("min_object_grid_points".into(), json!(h.detect.min_object_points));
    m.insert("w1".into(), json!(l.w1));
    m.insert("w2".into(), json!(l.w2));
    m.insert("dmax".into(), json!(l.dmax));
    m.insert("phimax".into(), json!(l.phimax));
    m.insert("mge_max_iterations".into(), json!(l.max_iterations));
    m.insert("min_track_points".into(), json!(l.min_track_points));
    m.insert("segment_frames".into(), json!(l.segment_frames));
    // the zone, adaptive and time-step tables, as a digest an append compares
    m.insert("linker_tables".into(), json!(tables_digest(&format!("{:?}", (&l.zones, &l.adapt, l.time_step_ms)))));
    if let Some(s) = &h.spectral {
        spectral(m, s);
    }
}

/// FNV-1a 64 of `text`, in hex: a short, stable fingerprint for the descriptor.
fn tables_digest(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}
