//! Parity with PyStormTracker 0.8.0 `sample_tracks` on the synthetic cases recorded by
//! `scripts/peer_sample.py` in `tests/data/sample_synthetic.json`.

use serde_json::Value;
use stormtrack::numeric::GridValue;
use stormtrack::sample::{SampleError, SampleGrid, SampleMethod, nearest_time_index};

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample_synthetic.json")).expect("reference JSON");
    serde_json::from_str(&text).expect("valid JSON")
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

fn hash(t: usize, i: usize, j: usize) -> usize {
    (i * 131 + j * 197 + t * 71 + ((i * j) % 17) * 29) % 1009
}

/// The field of `scripts/peer_sample.py::build`, value by value (only exact-rounded + - *).
fn frame(case: &Value, t: usize) -> Vec<f64> {
    let (nlat, nlon) = (case["lat"].as_array().unwrap().len(), case["lon"].as_array().unwrap().len());
    let (base, scale) = (case["base"].as_f64().unwrap(), case["scale"].as_f64().unwrap());
    let nan_mod = case["nan_mod"].as_u64().unwrap() as usize;
    let endpoint = case["endpoint"].as_str();
    let mut out = Vec::with_capacity(nlat * nlon);
    for i in 0..nlat {
        for j in 0..nlon {
            let last = j == nlon - 1 && endpoint.is_some();
            let jj = if last { 0 } else { j };
            let h = hash(t, i, jj);
            let mut v = base + h as f64 * scale + i as f64 * 0.75 - jj as f64 * 0.3;
            match endpoint {
                Some("near") if last => v = v + v * 1e-6,
                Some("conflict") if last => v += 1.0,
                _ => {}
            }
            out.push(if nan_mod > 0 && h.is_multiple_of(nan_mod) { f64::NAN } else { v });
        }
    }
    out
}

fn same(got: f64, want: f64) -> bool {
    (got.is_nan() && want.is_nan()) || got == want || (got - want).abs() <= 1e-12 * got.abs().max(want.abs())
}

fn check_case<T: GridValue>(case: &Value, frames: &[Vec<T>]) -> (usize, usize) {
    let name = case["name"].as_str().unwrap();
    let grid = SampleGrid::new(&f64s(&case["lat"]), &f64s(&case["lon"])).unwrap();
    for f in frames {
        grid.check_frame(f).unwrap();
    }
    let times: Vec<i64> = case["times"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    let pts = &case["points"];
    let (plat, plon) = (f64s(&pts["lat"]), f64s(&pts["lon"]));
    let ptime: Vec<i64> = pts["time"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    let (mut exact, mut total) = (0, 0);
    for (key, want) in case["results"].as_object().unwrap() {
        let (method, radius) = key.split_once(':').unwrap();
        let method: SampleMethod = method.parse().unwrap();
        let radius: f64 = radius.parse().unwrap();
        for (k, want) in f64s(want).into_iter().enumerate() {
            let f = &frames[nearest_time_index(&times, ptime[k]).unwrap()];
            let got = grid.sample(f, plat[k], plon[k], method, radius).unwrap();
            // Deliberate fix: the peer interpolates a regional grid across its gap (from its
            // two edges) for a point beyond its longitudes; we give NaN there.
            let outside = name == "regional" && {
                // the regional grid covers 100°E to 150°E
                let d = stormtrack::geo::cyclic_delta(plon[k], 100.0);
                !(0.0..=50.0).contains(&d)
            };
            if method == SampleMethod::Bilinear && outside {
                assert!(got.is_nan(), "{name} {key} point {k}: outside the regional grid, got {got}");
                total += 1;
                exact += 1;
                continue;
            }
            assert!(same(got, want), "{name} {key} point {k} ({}, {}): got {got:e}, peer {want:e}", plat[k], plon[k]);
            exact += usize::from(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()));
            total += 1;
        }
    }
    (exact, total)
}

#[test]
fn matches_peer_on_synthetic_grids() {
    let data = load();
    let (mut exact, mut total) = (0, 0);
    for case in data["cases"].as_array().unwrap() {
        let nt = case["times"].as_array().unwrap().len();
        let frames: Vec<Vec<f64>> = (0..nt).map(|t| frame(case, t)).collect();
        let factor = case["factor"].as_f64().unwrap();
        match case["name"].as_str().unwrap() {
            "conflicting_endpoint" => {
                let grid = SampleGrid::new(&f64s(&case["lat"]), &f64s(&case["lon"])).unwrap();
                assert!(matches!(grid.check_frame(&frames[0]), Err(SampleError::ConflictingEndpoint { .. })));
                continue;
            }
            "interior_duplicate" => {
                let err = SampleGrid::new(&f64s(&case["lat"]), &f64s(&case["lon"])).unwrap_err();
                assert_eq!(err, SampleError::DuplicateLongitude);
                continue;
            }
            _ => assert!(case["error"].is_null()),
        }
        let (e, n) = if case["dtype"] == "f32" {
            let frames: Vec<Vec<f32>> = frames.iter().map(|f| f.iter().map(|&x| x as f32 * factor as f32).collect()).collect();
            check_case(case, &frames)
        } else {
            let frames: Vec<Vec<f64>> = frames.iter().map(|f| f.iter().map(|&x| x * factor).collect()).collect();
            check_case(case, &frames)
        };
        exact += e;
        total += n;
    }
    eprintln!("{exact} of {total} sampled values bit-identical to the peer");
    assert!(total > 3000);
}

#[test]
fn nearest_time_matches_xarray() {
    let data = load();
    for case in data["time_cases"].as_array().unwrap() {
        let times: Vec<i64> = case["times"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
        let queries = case["queries"].as_array().unwrap();
        let want = case["index"].as_array().unwrap();
        for (q, w) in queries.iter().zip(want) {
            let got = nearest_time_index(&times, q.as_i64().unwrap()).unwrap();
            assert_eq!(got as u64, w.as_u64().unwrap(), "times {times:?} query {q}");
        }
    }
}
