use super::estimator::Sums;
use super::window::Columns;
use super::*;
use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM, great_circle_angle};
use crate::tracks::OwnedTrackSet;
use crate::variables::Mode;
use approx::assert_relative_eq;
use std::f64::consts::PI;

const HOUR_MS: i64 = 3_600_000;

/// Tracks as lists of `(time_ms, lat, lon, value)`, ids from 1, minima.
fn owned(tracks: &[Vec<(i64, f64, f64, f64)>]) -> OwnedTrackSet {
    OwnedTrackSet::from_tracks(tracks.iter().cloned().enumerate().map(|(i, t)| (i as i64 + 1, t)), Mode::Min)
}

/// Single-point tracks.
fn points(p: &[(f64, f64)]) -> OwnedTrackSet {
    owned(&p.iter().map(|&(lat, lon)| vec![(0, lat, lon, 1.0)]).collect::<Vec<_>>())
}

/// `start, start + step, …` for `n` values.
fn axis(start: f64, step: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| start + i as f64 * step).collect()
}

fn cap(radius_deg: f64, months: f64) -> StatsOptions {
    StatsOptions::new(SphericalKernel::Cap { radius_deg }, months)
}

fn fisher(bandwidth_deg: f64, months: f64) -> StatsOptions {
    StatsOptions::new(SphericalKernel::Fisher { bandwidth_deg }, months)
}

/// The textbook formula: K(θ) · A(5°) / months with A(h) = 2π(1 − cos h).
fn fisher_density(theta: f64, h_deg: f64, months: f64) -> f64 {
    let kappa = 1.0 / (h_deg * DEG_TO_RAD).powi(2);
    let k = kappa / (2.0 * PI * (1.0 - (-2.0 * kappa).exp())) * (kappa * (theta.cos() - 1.0)).exp();
    let k = if (kappa * (theta.cos() - 1.0)).exp() < 1e-12 { 0.0 } else { k };
    k * 2.0 * PI * (1.0 - (5.0 * DEG_TO_RAD).cos()) / months
}

fn stats(t: &OwnedTrackSet, lat: &[f64], lon: &[f64], o: &StatsOptions) -> TrackStats {
    track_statistics(&t.set(), lat, lon, o).unwrap()
}

#[test]
fn cap_single_point_is_a_scaled_indicator() {
    let (lat, lon) = (axis(-90.0, 1.0, 181), axis(0.0, 1.0, 360));
    let t = points(&[(30.3, 40.7)]);
    let h = 7.0;
    let s = stats(&t, &lat, &lon, &cap(h, 2.0));
    let inside = cap_area(5.0) / cap_area(h) / 2.0;
    assert_relative_eq!(inside, (1.0 - (5.0 * DEG_TO_RAD).cos()) / (1.0 - (7.0 * DEG_TO_RAD).cos()) / 2.0, max_relative = 1e-12);
    let mut n_in = 0;
    for (i, &la) in lat.iter().enumerate() {
        for (j, &lo) in lon.iter().enumerate() {
            let c = i * lon.len() + j;
            let within = great_circle_angle(la, lo, 30.3, 40.7) <= h * DEG_TO_RAD;
            n_in += within as usize;
            let want = if within { inside } else { 0.0 };
            for f in [&s.feature_density, &s.track_density, &s.genesis_density, &s.lysis_density] {
                assert_eq!(f[c], want, "cell ({la}, {lo})");
            }
            assert_eq!(s.mean_intensity[c].is_nan(), !within);
            if within {
                assert_eq!((s.mean_intensity[c], s.mean_lifetime[c]), (1.0, 0.0));
            }
            assert!(s.mean_speed[c].is_nan() && s.mean_growth[c].is_nan(), "single points have no speed");
        }
    }
    // about A(7°) / (1° cell at 30°N) cells
    let expect = cap_area(h) / (DEG_TO_RAD * DEG_TO_RAD * (30.3 * DEG_TO_RAD).cos());
    assert!((n_in as f64 - expect).abs() < 0.05 * expect, "{n_in} vs {expect}");
}

#[test]
fn fisher_single_point_follows_the_formula() {
    let lat = [0.0, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 45.0, -3.0];
    let t = points(&[(0.0, 0.0)]);
    let s = stats(&t, &lat, &[0.0], &fisher(2.5, 3.0));
    for (i, &la) in lat.iter().enumerate() {
        let want = fisher_density(la.abs() * DEG_TO_RAD, 2.5, 3.0);
        assert_relative_eq!(s.feature_density[i], want, max_relative = 1e-9);
    }
    // peak ≈ A(5°)/(2π h²)/months = 2/3 for small h; truncated beyond 18.6°
    assert_relative_eq!(s.feature_density[0], 2.0 / 3.0, max_relative = 2e-3);
    assert!(s.feature_density[6] > 0.0 && s.feature_density[7] == 0.0 && s.feature_density[8] == 0.0);
}

/// `n` points of a Fibonacci lattice: equal-area nodes on the sphere.
fn fibonacci(n: usize) -> Vec<(f64, f64)> {
    let golden = 180.0 * (3.0 - 5f64.sqrt());
    (0..n).map(|i| ((1.0 - 2.0 * (i as f64 + 0.5) / n as f64).asin() / DEG_TO_RAD, (i as f64 * golden) % 360.0)).collect()
}

/// Worst relative deviation of the feature density from `n A(5°) / (4π) / months`.
fn uniform_error(n: usize, o: &StatsOptions) -> f64 {
    let (lat, lon) = (axis(-90.0, 5.0, 37), axis(-180.0, 5.0, 72));
    let s = stats(&points(&fibonacci(n)), &lat, &lon, o);
    let want = n as f64 * cap_area(5.0) / (4.0 * PI) / o.months;
    s.feature_density.iter().map(|d| (d / want - 1.0).abs()).fold(0.0, f64::max)
}

#[test]
fn uniform_points_give_uniform_density() {
    // The estimate at x is an N-node equal-area quadrature of ∫K dΩ = 1 (N = 1e5, node spacing
    // √(4π/N) = 0.64°). The Fisher kernel is smooth: measured errors fall as ~N^-1.6 (4.2e-3,
    // 7.0e-4, 1.1e-4, 2.0e-5 for N = 1e4, 3e4, 1e5, 3e5), asserted 2e-4. The cap is an indicator
    // holding ~190 nodes: its count is off by about √(nodes along its edge) = √(2π sin 5° /
    // 0.64°) ≈ 7 (3.7%), measured 3.3% at worst (falling as N^-3/4), asserted 5%.
    let e = uniform_error(100_000, &fisher(2.5, 2.0));
    assert!(e < 2e-4, "fisher {e}");
    let e = uniform_error(100_000, &cap(5.0, 2.0));
    assert!(e < 5e-2, "cap {e}");
}

use crate::test_rng::Rng;

#[test]
fn feature_density_integrates_to_the_point_count() {
    // 0.5° cell-centred grid, midpoint rule with cos-lat weights: ∫ density dΩ / A(5°) · months
    // = n. The Fisher kernels are smooth: the rule is exact to rounding for a narrow one
    // (measured 4e-12) and off by at most the midpoint bias Δφ²/24 = 3.2e-6 for one that reaches
    // the poles (measured 1.7e-6); asserted 1e-5. A cap's edge cuts ~2πh/Δφ = 63 cells (h = 5°),
    // each off by a uniform fraction of a cell: σ ≈ √63 · 0.29 · A(cell)/A(5°) = 7e-3 per point,
    // 1.2e-3 for the mean of 40; measured 6e-4 and 2e-4 (h = 12°), asserted 4e-3.
    let (lat, lon) = (axis(-89.75, 0.5, 360), axis(0.25, 0.5, 720));
    let mut rng = Rng(7);
    let pts: Vec<_> = (0..40).map(|_| (rng.uniform(-1.0, 1.0).asin() / DEG_TO_RAD, rng.uniform(-180.0, 180.0))).collect();
    let t = points(&pts);
    for (o, tol) in [(fisher(2.5, 4.0), 1e-5), (fisher(10.0, 4.0), 1e-5), (cap(5.0, 4.0), 4e-3), (cap(12.0, 4.0), 4e-3)] {
        let s = stats(&t, &lat, &lon, &o);
        let d_omega = |i: usize| (0.5 * DEG_TO_RAD).powi(2) * (lat[i] * DEG_TO_RAD).cos();
        let total: f64 = s.feature_density.iter().enumerate().map(|(c, d)| d * d_omega(c / lon.len())).sum();
        let n = total / cap_area(5.0) * o.months;
        assert!((n / 40.0 - 1.0).abs() < tol, "{:?}: {n}", o.kernel);
    }
}

/// A track northward along 20°E from 0.05°N to 39.95°N, a point every 0.1° and 6 h.
fn meridional() -> OwnedTrackSet {
    owned(&[(0..400).map(|k| (k * 6 * HOUR_MS, 0.05 + 0.1 * k as f64, 20.0, 0.0)).collect()])
}

#[test]
fn track_density_counts_a_track_once() {
    let (lat, lon) = (axis(-10.0, 1.0, 61), axis(0.0, 1.0, 41));
    let s = stats(&meridional(), &lat, &lon, &cap(5.0, 1.0));
    let at = |la: f64, lo: f64| ((la + 10.0) as usize) * lon.len() + lo as usize;
    for (i, &la) in lat.iter().enumerate() {
        for (j, &lo) in lon.iter().enumerate() {
            // distance to the path, within the 0.05° of its sampling
            let d = (0..=400).map(|k| great_circle_angle(la, lo, 0.1 * k as f64, 20.0)).fold(f64::INFINITY, f64::min) / DEG_TO_RAD;
            let c = i * lon.len() + j;
            if d < 4.9 {
                assert_eq!(s.track_density[c], 1.0, "({la}, {lo})");
                assert_eq!(s.mean_lifetime[c], 399.0 / 4.0);
            } else if d > 5.1 {
                assert_eq!(s.track_density[c], 0.0, "({la}, {lo})");
                assert!(s.mean_lifetime[c].is_nan());
            }
        }
    }
    // 100 points (15.05..24.95°N) lie within 5° of (20°N, 20°E)
    assert_eq!(s.feature_density[at(20.0, 20.0)], 100.0);
    assert_eq!(s.genesis_density[at(0.0, 20.0)], 1.0);
    assert_eq!(s.genesis_density[at(20.0, 20.0)], 0.0);
    assert_eq!(s.genesis_density[at(40.0, 20.0)], 0.0);
    assert_eq!(s.lysis_density[at(40.0, 20.0)], 1.0);
    assert_eq!(s.lysis_density[at(20.0, 20.0)], 0.0);
    assert_eq!(s.lysis_density[at(0.0, 20.0)], 0.0);
}

#[test]
fn speed_growth_intensity_and_lifetime_are_exact_on_a_steady_track() {
    // eastward along the equator, 0.5° every 6 h, value rising 3 units a day: 101 points over
    // 25 days; a second track, 2 days long, far away
    let value = |k: i64| 990.0 + 3.0 * (k as f64 * 0.25);
    let eq: Vec<_> = (0..101).map(|k| (k * 6 * HOUR_MS, 0.0, 0.25 + 0.5 * k as f64, value(k))).collect();
    let t = owned(&[eq, vec![(0, -40.0, 100.0, 5.0), (48 * HOUR_MS, -40.0, 101.0, 5.0)]]);
    let (lat, lon) = (axis(-10.0, 1.0, 21), axis(-10.0, 1.0, 71));
    let speed = EARTH_RADIUS_KM * 1000.0 * 0.5 * DEG_TO_RAD / (6.0 * 3600.0);
    for o in [cap(5.0, 1.0), fisher(2.5, 1.0)] {
        let s = stats(&t, &lat, &lon, &o);
        let mut n = 0;
        for c in 0..lat.len() * lon.len() {
            if s.track_density[c] > 0.0 {
                n += 1;
                assert!((s.mean_speed[c] - speed).abs() < 1e-9, "{} vs {speed}", s.mean_speed[c]);
                assert!((s.mean_growth[c] - 3.0).abs() < 1e-9, "{}", s.mean_growth[c]);
                assert!((s.mean_lifetime[c] - 25.0).abs() < 1e-12);
            } else {
                assert!(s.mean_speed[c].is_nan() && s.mean_growth[c].is_nan() && s.mean_lifetime[c].is_nan());
            }
        }
        assert!(n > 500);
        // the points within 5° of (0, 25°E) are symmetric about it: the mean is the value there
        let c = 10 * lon.len() + 35;
        assert_relative_eq!(s.mean_intensity[c], value(49) + 0.75 / 2.0, max_relative = 1e-12);
    }
}

#[test]
fn dateline_is_seamless_in_any_convention() {
    let lat = [8.0, 9.0, 10.0, 11.0, 12.0];
    let west = axis(-179.9, 0.2, 1800); // −179.9 … 179.9, periodic
    let east = axis(0.1, 0.2, 1800); // 0.1 … 359.9, holds 180.1 at 900
    let sparse = [-179.9, -90.0, 0.0, 90.0, 180.1]; // irregular: scanned
    let regional = axis(170.0, 0.5, 41); // 170 … 190, not periodic
    for o in [fisher(2.5, 1.0), cap(5.0, 1.0)] {
        for p_lon in [179.9, -180.1, 539.9] {
            let t = points(&[(10.0, p_lon)]);
            let want = |cell_lon: f64| match o.kernel {
                SphericalKernel::Fisher { .. } => fisher_density(great_circle_angle(10.0, cell_lon, 10.0, 179.9), 2.5, 1.0),
                SphericalKernel::Cap { .. } => 1.0,
            };
            let a = stats(&t, &lat, &west, &o);
            let b = stats(&t, &lat, &east, &o);
            let c = stats(&t, &lat, &sparse, &o);
            assert_relative_eq!(a.feature_density[2 * 1800], want(-179.9), max_relative = 1e-9);
            assert_relative_eq!(b.feature_density[2 * 1800 + 900], want(180.1), max_relative = 1e-9);
            assert_relative_eq!(c.feature_density[2 * 5], want(-179.9), max_relative = 1e-9);
            assert_relative_eq!(c.feature_density[2 * 5 + 4], want(180.1), max_relative = 1e-9);
            assert_eq!(c.feature_density[2 * 5 + 2], 0.0);
            // as many cells reached on either side of the seam
            let reached = |s: &TrackStats| s.feature_density.iter().filter(|&&d| d > 0.0).count();
            assert_eq!(reached(&a), reached(&b));
            // a regional grid across the dateline, the point given in −180..180
            let t = points(&[(10.0, -175.0)]);
            let r = stats(&t, &lat, &regional, &o);
            let peak = if o.kernel == cap(5.0, 1.0).kernel { 1.0 } else { fisher_density(0.0, 2.5, 1.0) };
            assert_relative_eq!(r.feature_density[2 * 41 + 30], peak, max_relative = 1e-9);
            assert_eq!(r.feature_density[2 * 41 + 10] == 0.0, o.kernel == cap(5.0, 1.0).kernel);
        }
    }
}

#[test]
fn a_point_near_the_pole_reaches_every_longitude() {
    let lat = axis(-90.0, 1.0, 181);
    for lon in [axis(0.0, 1.0, 360), axis(-180.0, 0.5, 720), vec![-170.0, -3.0, 0.0, 10.0, 100.0, 179.0]] {
        let n = lon.len();
        for (p_lat, p_lon) in [(89.9, 37.0), (-89.95, -100.0)] {
            let t = points(&[(p_lat, p_lon)]);
            let s = stats(&t, &lat, &lon, &cap(5.0, 1.0));
            let f = stats(&t, &lat, &lon, &fisher(2.5, 1.0));
            // rows within 4.1° of the pole: every cell within 5° of the point
            for r in 0..=4 {
                let row = if p_lat > 0.0 { 180 - r } else { r };
                assert!(s.feature_density[row * n..(row + 1) * n].iter().all(|&d| d == 1.0), "row {}", lat[row]);
            }
            for r in 0..25 {
                let row = if p_lat > 0.0 { 180 - r } else { r };
                for (j, &lo) in lon.iter().enumerate() {
                    let want = fisher_density(great_circle_angle(lat[row], lo, p_lat, p_lon), 2.5, 1.0);
                    assert_relative_eq!(f.feature_density[row * n + j], want, max_relative = 1e-9, epsilon = 1e-300);
                }
            }
        }
    }
}

/// All cells × all points, in input order, with the unpruned kernel definition.
fn brute_force(t: &TrackSet<'_>, lat: &[f64], lon: &[f64], o: &StatsOptions) -> TrackStats {
    let kern = Kern::new(o).unwrap();
    let p = Points::new(t, o.select).unwrap();
    let nlon = lon.len();
    let mut sums = Sums::zeros(o.select, lat.len() * nlon);
    let mut tmax = vec![0.0; lat.len() * nlon];
    for (i, &la) in lat.iter().enumerate() {
        for (j, &lo) in lon.iter().enumerate() {
            let c = i * nlon + j;
            for (ti, w) in t.offsets.windows(2).enumerate() {
                let mut m: f64 = 0.0;
                for k in w[0]..w[1] {
                    let (p1, p2, l1, l2) = (la * DEG_TO_RAD, t.lat[k] * DEG_TO_RAD, lo * DEG_TO_RAD, t.lon[k] * DEG_TO_RAD);
                    let dot = (p1.sin() * p2.sin() + p1.cos() * p2.cos() * (l1 - l2).cos()).clamp(-1.0, 1.0);
                    assert_eq!(dot.acos(), great_circle_angle(la, lo, t.lat[k], t.lon[k]));
                    let s = kern.shape_ref(dot);
                    if s > 0.0 {
                        sums.add_point(&p.terms(k, o.select), c, s);
                        m = m.max(s);
                    }
                }
                if m > 0.0 {
                    tmax[c] = m;
                    sums.add_track(&mut tmax, &mut vec![c], p.lifetime_days[ti]);
                }
            }
        }
    }
    sums.finish(&kern, lat.len(), nlon)
}

/// Random tracks anywhere (poles and dateline included), lon in several conventions, values
/// with NaNs, single-point tracks.
fn random_tracks(rng: &mut Rng, n_tracks: usize) -> OwnedTrackSet {
    let tracks: Vec<Vec<_>> = (0..n_tracks)
        .map(|_| {
            let len = 1 + (rng.next() % 12) as usize;
            let mut lat = match rng.next() % 5 {
                0 => 90.0 - rng.uniform(0.0, 3.0),
                1 => -90.0 + rng.uniform(0.0, 3.0),
                _ => rng.uniform(-1.0, 1.0).asin() / DEG_TO_RAD,
            };
            let shift = [0.0, 360.0, -360.0][(rng.next() % 3) as usize];
            let mut lon = if rng.next().is_multiple_of(3) { 180.0 + rng.uniform(-4.0, 4.0) } else { rng.uniform(-180.0, 180.0) };
            let mut time = (rng.next() % 1000) as i64 * HOUR_MS;
            (0..len)
                .map(|_| {
                    let v = if rng.next().is_multiple_of(7) { f64::NAN } else { rng.uniform(950.0, 1020.0) };
                    let point = (time, lat, lon + shift, v);
                    lat = (lat + rng.uniform(-3.0, 3.0)).clamp(-90.0, 90.0);
                    lon += rng.uniform(-2.0, 6.0);
                    time += (1 + rng.next() % 12) as i64 * HOUR_MS;
                    point
                })
                .collect()
        })
        .collect();
    owned(&tracks)
}

fn assert_bits_eq(a: &TrackStats, b: &TrackStats, what: &str) {
    let fields = |s: &TrackStats| {
        [
            s.feature_density.clone(),
            s.track_density.clone(),
            s.genesis_density.clone(),
            s.lysis_density.clone(),
            s.mean_intensity.clone(),
            s.mean_speed.clone(),
            s.mean_lifetime.clone(),
            s.mean_growth.clone(),
        ]
    };
    for (f, (x, y)) in fields(a).iter().zip(fields(b).iter()).enumerate() {
        assert_eq!(x.len(), y.len(), "{what}: field {f}");
        if let Some(c) = (0..x.len()).find(|&c| x[c].to_bits() != y[c].to_bits()) {
            panic!("{what}: field {f} differs at cell {c}: {} vs {}", x[c], y[c]);
        }
    }
}

/// Grids exercising every pruning path: ascending/descending, periodic with and without a
/// duplicated seam, regional, decreasing longitudes, irregular, non-monotonic latitudes.
fn test_grids() -> Vec<(Vec<f64>, Vec<f64>)> {
    vec![
        (axis(-90.0, 10.0, 19), axis(0.0, 10.0, 36)),
        (axis(88.5, -7.0, 26), axis(-180.0, 5.0, 72)),
        (axis(-90.0, 7.5, 25), axis(0.0, 10.0, 37)),
        (axis(20.0, 2.5, 21), axis(100.0, 2.5, 65)),
        (axis(-80.0, 8.0, 21), axis(350.0, -10.0, 36)),
        (vec![10.0, -30.0, 60.0, 89.0, -90.0, 0.0, 90.0, 45.0], vec![-170.0, -100.0, -20.0, 0.0, 1.0, 45.0, 90.0, 179.0, 200.0]),
        (axis(-87.5, 5.0, 36), axis(0.0, 11.0, 33)),
    ]
}

#[test]
fn pruned_equals_brute_force_bit_for_bit() {
    let mut rng = Rng(42);
    let kernels = [cap(5.0, 3.0), cap(12.5, 3.0), cap(100.0, 3.0), fisher(2.5, 3.0), fisher(8.0, 3.0), fisher(30.0, 3.0)];
    for (case, (lat, lon)) in test_grids().into_iter().enumerate() {
        let t = random_tracks(&mut rng, 120);
        for o in &kernels {
            let fast = stats(&t, &lat, &lon, o);
            let slow = brute_force(&t.set(), &lat, &lon, o);
            assert_bits_eq(&fast, &slow, &format!("grid {case}, {:?}", o.kernel));
            assert!(fast.track_density.iter().any(|&d| d > 0.0));
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut rng = Rng(3);
    let t = random_tracks(&mut rng, 2000);
    let (lat, lon) = (axis(90.0, -2.0, 91), axis(0.0, 2.0, 180));
    for o in [cap(5.0, 1.0), fisher(2.5, 1.0)] {
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| stats(&t, &lat, &lon, &o))
        };
        assert_bits_eq(&run(1), &run(3), "1 vs 3 threads");
    }
}

#[test]
fn a_selection_computes_only_its_fields() {
    let mut rng = Rng(11);
    let t = random_tracks(&mut rng, 200);
    let (lat, lon) = (axis(-90.0, 5.0, 37), axis(0.0, 5.0, 72));
    let all = stats(&t, &lat, &lon, &fisher(4.0, 2.0));
    let sel = Selection::parse("track, Genesis").unwrap();
    assert_eq!(sel, Selection { track: true, genesis: true, ..Selection::NONE });
    let part = stats(&t, &lat, &lon, &StatsOptions { select: sel, ..fisher(4.0, 2.0) });
    assert_eq!(part.track_density, all.track_density);
    assert_eq!(part.genesis_density, all.genesis_density);
    assert!(part.feature_density.is_empty() && part.mean_speed.is_empty() && part.mean_lifetime.is_empty());
    let only_lifetime = stats(&t, &lat, &lon, &StatsOptions { select: Selection::parse("lifetime").unwrap(), ..fisher(4.0, 2.0) });
    assert_bits_eq(
        &only_lifetime,
        &TrackStats { mean_lifetime: all.mean_lifetime.clone(), nlat: all.nlat, nlon: all.nlon, ..TrackStats::default() },
        "lifetime",
    );
    assert_eq!(Selection::parse("all").unwrap(), Selection::ALL);
    assert_eq!(Selection::parse("").unwrap(), Selection::NONE);
    assert!(matches!(Selection::parse("track,cyclogenesis"), Err(StatsError::UnknownField(f)) if f == "cyclogenesis"));
}

#[test]
fn without_values_the_value_means_are_nan() {
    let t = meridional();
    let set = TrackSet { values: None, ..t.set() };
    let s = track_statistics(&set, &[20.0], &[20.0], &cap(5.0, 1.0)).unwrap();
    assert!(s.mean_intensity[0].is_nan() && s.mean_growth[0].is_nan());
    assert!(s.mean_speed[0] > 0.0 && s.track_density[0] == 1.0);
}

#[test]
fn no_tracks_give_zero_densities_and_nan_means() {
    let t = owned(&[]);
    let s = stats(&t, &[0.0, 10.0], &[0.0], &cap(5.0, 1.0));
    assert_eq!(s.feature_density, vec![0.0, 0.0]);
    assert!(s.mean_speed.iter().all(|v| v.is_nan()));
}

#[test]
fn invalid_input_is_rejected_with_a_one_line_message() {
    let t = meridional();
    let ok = |f: &dyn Fn(&mut StatsOptions)| {
        let mut o = cap(5.0, 1.0);
        f(&mut o);
        track_statistics(&t.set(), &[0.0], &[0.0], &o)
    };
    let errs = [
        ok(&|o| o.months = 0.0),
        ok(&|o| o.months = f64::INFINITY),
        ok(&|o| o.kernel = SphericalKernel::Cap { radius_deg: 0.0 }),
        ok(&|o| o.kernel = SphericalKernel::Fisher { bandwidth_deg: 180.0 }),
        ok(&|o| o.kernel = SphericalKernel::Fisher { bandwidth_deg: f64::NAN }),
        ok(&|o| o.unit_area_cap_deg = -5.0),
        track_statistics(&t.set(), &[], &[0.0], &cap(5.0, 1.0)),
        track_statistics(&t.set(), &[0.0], &[f64::NAN], &cap(5.0, 1.0)),
        track_statistics(&t.set(), &[91.0], &[0.0], &cap(5.0, 1.0)),
        track_statistics(&TrackSet { lon: &t.lon[1..], ..t.set() }, &[0.0], &[0.0], &cap(5.0, 1.0)),
        track_statistics(&TrackSet { offsets: &[0, 3], ..t.set() }, &[0.0], &[0.0], &cap(5.0, 1.0)),
        track_statistics(&TrackSet { values: Some(&[1.0]), ..t.set() }, &[0.0], &[0.0], &cap(5.0, 1.0)),
        track_statistics(&TrackSet { times_ms: &vec![0; 400], ..t.set() }, &[0.0], &[0.0], &cap(5.0, 1.0)),
        track_statistics(&TrackSet { lat: &vec![95.0; 400], ..t.set() }, &[0.0], &[0.0], &cap(5.0, 1.0)),
    ];
    let want = [
        StatsError::Months(0.0),
        StatsError::Months(f64::INFINITY),
        StatsError::KernelWidth { name: "radius_deg", value: 0.0 },
        StatsError::KernelWidth { name: "bandwidth_deg", value: 180.0 },
    ];
    for (e, w) in errs.iter().zip(&want) {
        assert_eq!(e.as_ref().unwrap_err(), w);
    }
    assert!(matches!(errs[6], Err(StatsError::EmptyGrid("lat"))));
    assert!(matches!(errs[8], Err(StatsError::GridLatRange { index: 0, .. })));
    assert!(matches!(errs[10], Err(StatsError::Offsets(400))));
    assert!(matches!(errs[12], Err(StatsError::Times(1))));
    for e in &errs {
        let msg = e.as_ref().unwrap_err().to_string();
        assert!(!msg.contains('\n') && msg.contains("; "), "{msg}");
    }
}

#[test]
fn shortcuts_match_the_kernel_definition() {
    // the `acos`/`exp` shortcuts near their thresholds, on a dense sweep of cos θ
    for o in [cap(5.0, 1.0), cap(0.01, 1.0), cap(179.0, 1.0), fisher(2.5, 1.0), fisher(0.1, 1.0), fisher(60.0, 1.0)] {
        let k = Kern::new(&o).unwrap();
        let edge = if k.fisher { 1.0 + FISHER_CUTOFF.ln() / k.kappa } else { k.h_rad.cos() };
        for i in -20_000..=20_000 {
            let dot = (edge + i as f64 * 1e-13).clamp(-1.0, 1.0);
            assert_eq!(k.shape(dot).to_bits(), k.shape_ref(dot).to_bits(), "{:?} at {dot}", o.kernel);
        }
    }
}

proptest::proptest! {
    /// The windows of a regular longitude axis hold every column within the half-width, once.
    #[test]
    fn windows_cover_the_support(
        lon0 in -400.0..400.0f64, n in 1usize..200, step_i in 0usize..5, desc in proptest::bool::ANY,
        lon in -720.0..720.0f64, w in 0.0..179.0f64,
    ) {
        let step = [0.25, 1.0, 2.5, 7.3, 30.0][step_i] * if desc { -1.0 } else { 1.0 };
        let axis = axis(lon0, step, n);
        let cols = Columns::new(&axis);
        let mut out = Vec::new();
        cols.windows(lon, Some(w), &mut out);
        let mut seen = vec![0; n];
        for &(a, b) in &out {
            for s in &mut seen[a..b] { *s += 1; }
        }
        for (j, &l) in axis.iter().enumerate() {
            let d = (l - lon).rem_euclid(360.0);
            let d = d.min(360.0 - d);
            proptest::prop_assert!(seen[j] <= 1, "column {} twice", j);
            proptest::prop_assert!(d > w || seen[j] == 1, "column {} ({}) at {} missed", j, l, d);
        }
    }
}
