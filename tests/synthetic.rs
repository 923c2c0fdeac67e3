//! Synthetic truth: the Simple tracker recovers generated storms (issue #2 acceptance).

use ndarray::Array3;
use stormtrack::detect::{Detector, SimpleDetector};
use stormtrack::field::{Field, MemoryField};
use stormtrack::pipeline::{SimpleOptions, track_simple};
use stormtrack::synthetic::{SyntheticConfig, generate, score};
use stormtrack::variables::Mode;

fn field_of(s: &stormtrack::synthetic::Synthetic) -> MemoryField {
    MemoryField::new("msl", "Pa", s.times.clone(), s.lat.clone(), s.lon.clone(), s.msl.clone()).unwrap()
}

#[test]
fn background_alone_has_no_centres() {
    let cfg = SyntheticConfig { storms: 0, frames: 40, ..Default::default() };
    let s = generate(&cfg).unwrap();
    assert!(s.storms.is_empty());
    let f = field_of(&s);
    for t in 0..cfg.frames {
        let c = SimpleDetector::default().detect(f.read_frame(t).unwrap().view(), &f.info().grid, Mode::Min);
        assert!(c.is_empty(), "frame {t}: background minima at rows {:?} cols {:?}", c.rows, c.cols);
    }
}

#[test]
fn storms_are_recovered_for_several_seeds() {
    for seed in [1u64, 7, 2026, 31337] {
        let cfg = SyntheticConfig { seed, ..Default::default() };
        let s = generate(&cfg).unwrap();
        assert!(s.storms.len() >= 20, "seed {seed}: only {} storms placed", s.storms.len());
        let truth = s.truth().unwrap();
        let run = track_simple(&field_of(&s), &SimpleOptions::default(), None).unwrap();
        let sc = score(&run.tracks, &truth, cfg.spacing_deg, s.lon.len());
        assert!(sc.detection_rate() >= 0.98, "seed {seed}: {sc}");
        assert_eq!(sc.storms_in_one_track, sc.storms, "seed {seed}: {sc}");
        assert!(sc.longest_false_track <= 2, "seed {seed}: {sc}");
        assert!(sc.passes());
    }
}

#[test]
fn generation_is_deterministic() {
    let a = generate(&SyntheticConfig { seed: 5, frames: 10, ..Default::default() }).unwrap();
    let b = generate(&SyntheticConfig { seed: 5, frames: 10, ..Default::default() }).unwrap();
    assert_eq!(a.msl, b.msl);
    assert_eq!(a.storms, b.storms);
    let c = generate(&SyntheticConfig { seed: 6, frames: 10, ..Default::default() }).unwrap();
    assert_ne!(a.msl, c.msl);
    let _: &Array3<f64> = &a.msl;
}
