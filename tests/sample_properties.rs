//! Properties: the index windows keep exactly the peer's candidate cells, and bad input gives
//! errors, never panics.

use proptest::prelude::*;
use stormtrack::geo::{DEG_TO_RAD, cyclic_delta, great_circle_km_acos};
use stormtrack::metrics::eulerian::*;
use stormtrack::numeric::nanmean;
use stormtrack::sample::*;

/// The peer's radius methods over the whole grid (no windows): rows and columns in grid order.
fn brute(lat: &[f64], lon: &[f64], frame: &[f64], p: (f64, f64), r: f64, method: SampleMethod) -> f64 {
    let lat_buffer = (r / 111.0) * 1.5;
    let c = (p.0 * DEG_TO_RAD).cos().abs();
    let lon_buffer = if c < 1e-12 { 180.0 } else { ((r / (111.0 * c)) * 1.5).min(180.0) };
    let mut vals = Vec::new();
    for (i, &la) in lat.iter().enumerate() {
        for (j, &lo) in lon.iter().enumerate() {
            if (la - p.0).abs() <= lat_buffer && cyclic_delta(lo, p.1).abs() <= lon_buffer && great_circle_km_acos(p.0, p.1, la, lo) <= r {
                vals.push(frame[i * lon.len() + j]);
            }
        }
    }
    let finite = vals.iter().copied().filter(|v| !v.is_nan());
    match method {
        SampleMethod::Max => finite.reduce(f64::max).unwrap_or(f64::NAN),
        SampleMethod::Min => finite.reduce(f64::min).unwrap_or(f64::NAN),
        _ => nanmean(&mut vals),
    }
}

fn grid_strategy() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    let lats = prop::collection::vec(-90.0f64..=90.0, 1..25);
    let lons = (prop::collection::vec(0.0f64..360.0, 1..40), prop_oneof![Just(0.0), Just(-180.0), Just(360.0)]);
    (lats, lons).prop_map(|(lat, (lon, shift))| {
        let mut lon: Vec<f64> = lon.into_iter().map(|x| (x * 8.0).round() / 8.0 + shift).collect();
        lon.sort_by(f64::total_cmp);
        lon.dedup_by(|a, b| (*a - *b).abs() < 1e-9); // distinct modulo 360 (span < 360)
        (lat, lon)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn windows_keep_the_peer_candidates(
        (lat, lon) in grid_strategy(),
        plat in -90.0f64..=90.0,
        plon in -180.0f64..180.0,
        r in prop_oneof![1.0f64..4000.0, Just(300.0), Just(20000.0)],
        seed in 0u64..1000,
        rotate in 0usize..40,
    ) {
        let mut lon = lon;
        let k = rotate % lon.len();
        lon.rotate_left(k); // any column order
        let frame: Vec<f64> = (0..lat.len() * lon.len())
            .map(|c| { let h = (c as u64 * 2654435761 + seed) % 1009; if h.is_multiple_of(17) { f64::NAN } else { h as f64 * 0.37 - 150.0 } })
            .collect();
        let grid = SampleGrid::new(&lat, &lon).unwrap();
        for method in [SampleMethod::Mean, SampleMethod::Max, SampleMethod::Min] {
            let got = grid.sample(&frame, plat, plon, method, r).unwrap();
            let want = brute(&lat, &lon, &frame, (plat, plon), r, method);
            prop_assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()), "{method:?}: {got} vs {want}");
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic(
        lat in prop::collection::vec(prop_oneof![-100.0f64..100.0, Just(f64::NAN)], 0..6),
        lon in prop::collection::vec(prop_oneof![-400.0f64..400.0, Just(f64::INFINITY)], 0..6),
        len in 0usize..40,
        p in (prop_oneof![-95.0f64..95.0, Just(f64::NAN)], -500.0f64..500.0),
        r in -10.0f64..3000.0,
        times in prop::collection::vec(-5i64..5, 0..6),
    ) {
        if let Ok(grid) = SampleGrid::new(&lat, &lon) {
            let frame = vec![1.0f64; len];
            let _ = grid.check_frame(&frame);
            for m in [SampleMethod::Nearest, SampleMethod::Bilinear, SampleMethod::Mean, SampleMethod::Max, SampleMethod::Min] {
                let _ = grid.sample(&frame, p.0, p.1, m, r);
            }
        }
        let _ = nearest_time_index(&times, 0);
        let _ = median_step_hours(&times);
        if let Ok(mut v) = DifferenceVariance::<f64>::with_shift(1 + len % 3, 2) {
            for &t in &times { let _ = v.push(t, &vec![0.5; len % 4]); }
            let _ = v.finish();
        }
        if let Ok(mut h) = HighWindIndex::<f32>::new(r / 1000.0, 2) {
            for &t in &times { let _ = h.push(t * 86_400_000 * 20, &[1.0, 2.0], &vec![0.5; len % 4]); }
            let _ = h.finish();
        }
    }
}

#[test]
fn streaming_rejects_bad_frames_without_changing_state() {
    let mut eke = Eke::<f64>::new(6, 2).unwrap();
    assert!(eke.push(0, &[1.0, 2.0], &[1.0, 2.0]).is_ok());
    assert_eq!(eke.push(1, &[1.0, 2.0], &[1.0]), Err(EulerError::FrameLength { expected: 2, got: 1 }));
    assert_eq!(eke.push(0, &[1.0, 2.0], &[1.0, 2.0]), Err(EulerError::NonIncreasingTime { previous: 0, got: 0 }));
    assert!(eke.push(6 * 3_600_000, &[1.0, 2.0], &[1.0, 2.0]).is_ok()); // u and v still in step
    assert_eq!(Eke::<f64>::new(5, 2).err(), Some(EulerError::StepNotDivisor(5)));
    let mut one = DifferenceVariance::<f64>::new(24, 1).unwrap();
    one.push(0, &[1.0]).unwrap();
    assert_eq!(one.finish(), Err(EulerError::TooFewTimes(1)));
    assert_eq!("median".parse::<SampleMethod>(), Err(SampleError::UnknownMethod("median".into())));
}

#[test]
fn gap_months_are_emitted_as_nan() {
    // 2020-01-31T00, 2020-01-31T12, 2020-04-01T00 (step 12 h, shift 2): Feb and Mar have no frame.
    let t = [1_580_428_800_000i64, 1_580_472_000_000, 1_585_699_200_000];
    let mut v = DifferenceVariance::<f64>::new(12, 1).unwrap();
    let mut out = Vec::new();
    for (k, &tm) in t.iter().enumerate() {
        out.extend(v.push(tm, &[k as f64]).unwrap());
    }
    out.extend(v.finish().unwrap());
    let months: Vec<_> = out.iter().map(|m| m.0).collect();
    assert_eq!(months, [(2020, 1), (2020, 2), (2020, 3), (2020, 4)]);
    approx::assert_relative_eq!(out[0].1[0], 4.0); // (x2 - x0)² across the gap, as the peer
    assert!(out[1].1[0].is_nan() && out[2].1[0].is_nan() && out[3].1[0].is_nan());
}
