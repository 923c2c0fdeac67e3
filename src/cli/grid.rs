//! `stormtrack spectral` and `stormtrack vorticity`: grid-to-grid commands that write CF
//! NetCDF. Frames are processed in parallel a chunk at a time and written in order, so memory
//! holds one chunk whatever the length of the input.

use super::args::{GridRunArgs, SpectralArgs, VorticityArgs};
use super::commands::pool;
use crate::error::{Error, Result};
use crate::field::{Field, FilteredField, NetcdfField};
use crate::io::atomic;
use crate::io::grid_netcdf::{GridHeader, GridVariable, LATITUDE_LONGITUDE, write_grid};
use crate::spectral::{FilterKind, SpectralOptions};
use rayon::prelude::*;
use std::ops::Range;

/// Frames computed together before they are written.
const CHUNK: usize = 32;

fn frame_range(field: &NetcdfField, run: &GridRunArgs) -> Result<Range<usize>> {
    super::commands::check_threads(run.threads)?;
    if run.n_frames == Some(0) {
        return Err(Error::option("--n-frames", "0 must be a positive integer"));
    }
    let n = field.info().times.len();
    Ok(0..run.n_frames.map_or(n, |k| k.min(n)))
}

/// Attributes of the source variable worth keeping, with the unit of the values handed out.
fn attributes(field: &NetcdfField, long_name_suffix: &str) -> Vec<(String, String)> {
    let info = field.info();
    let mut a = vec![("units".to_string(), info.value_unit.clone())];
    if let Some(s) = &info.standard_name {
        a.push(("standard_name".into(), s.clone()));
    }
    a.push(("long_name".into(), format!("{}{long_name_suffix}", info.variable)));
    a
}

/// Compute `frames(t)` for a chunk of frames in parallel, hand them to the writer in order.
fn chunked<'a>(range: Range<usize>, compute: impl Fn(usize) -> Result<Vec<Vec<f64>>> + Sync + 'a) -> impl FnMut(usize) -> Result<Vec<Vec<f64>>> + 'a {
    let mut chunk: Vec<Vec<Vec<f64>>> = Vec::new();
    let mut chunk_start = usize::MAX;
    move |i| {
        let t = range.start + i;
        if chunk_start == usize::MAX || t >= chunk_start + chunk.len() {
            chunk_start = t;
            let end = (t + CHUNK).min(range.end);
            chunk = (t..end).into_par_iter().map(&compute).collect::<Result<Vec<_>>>()?;
        }
        Ok(std::mem::take(&mut chunk[t - chunk_start]))
    }
}

pub fn spectral(a: SpectralArgs) -> Result<()> {
    let kind = FilterKind::parse(&a.filter_type)?;
    let opts = SpectralOptions { lmin: a.lmin, lmax: a.lmax, taper: a.taper, kind };
    opts.validate()?;
    atomic::check_writable_file(&a.output)?;
    let field = NetcdfField::open_grid(&a.input, &a.variable)?;
    let range = frame_range(&field, &a.run)?;
    let grid = &field.info().grid;
    let filtered = FilteredField::with_options(&field, &opts)?;
    let method = filtered.filter().method();
    let times: Vec<i64> = field.info().times[range.clone()].to_vec();
    let header = GridHeader {
        lat: &grid.lat,
        lon: &grid.lon,
        times: (!field.is_timeless()).then_some(times.as_slice()),
        variables: vec![GridVariable {
            name: field.source_variable().to_string(),
            attributes: attributes(&field, &format!(" (T{}-{} {method} filter)", a.lmin, a.lmax)),
        }],
        global: vec![
            ("source".into(), format!("stormtrack {} spectral", crate::VERSION)),
            (
                "history".into(),
                format!(
                    "stormtrack spectral -i {} --variable {} --lmin {} --lmax {} --spectral-taper {} --filter-type {method}",
                    a.input.display(),
                    a.variable,
                    a.lmin,
                    a.lmax,
                    a.taper
                ),
            ),
        ],
        double: a.run.double,
        axes: LATITUDE_LONGITUDE,
    };
    let pool = pool(a.run.threads)?;
    pool.install(|| write_grid(&a.output, &header, chunked(range.clone(), |t| Ok(vec![filtered.read_frame(t)?.into_raw_vec_and_offset().0]))))?;
    if !a.run.quiet {
        eprintln!(
            "stormtrack: {} frame(s) of '{}' filtered ({method}, l = {}..{}, taper {}) -> {}",
            range.len(),
            a.variable,
            a.lmin,
            a.lmax,
            a.taper,
            a.output.display()
        );
    }
    Ok(())
}

pub fn vorticity(a: VorticityArgs) -> Result<()> {
    if !(a.radius_m.is_finite() && a.radius_m > 0.0) {
        return Err(Error::option("--radius-m", format!("{} must be a positive number of metres", a.radius_m)));
    }
    atomic::check_writable_file(&a.output)?;
    let u = NetcdfField::open_grid(&a.input, &a.u)?;
    let v = NetcdfField::open_grid(&a.input, &a.v)?;
    let (gu, gv) = (&u.info().grid, &v.info().grid);
    if gu.lat != gv.lat || gu.lon != gv.lon || u.info().times != v.info().times {
        return Err(Error::option("--u/--v", format!("'{}' and '{}' are not on the same grid and times; give two components of one wind field", a.u, a.v)));
    }
    let range = frame_range(&u, &a.run)?;
    let kin = crate::spectral::Kinematics::new(&gu.lat, &gu.lon, a.radius_m)?;
    let times: Vec<i64> = u.info().times[range.clone()].to_vec();
    let mut variables = vec![GridVariable {
        name: "vo".into(),
        attributes: vec![
            ("units".into(), "s**-1".into()),
            ("standard_name".into(), "atmosphere_relative_vorticity".into()),
            ("long_name".into(), "Relative vorticity".into()),
        ],
    }];
    if a.divergence {
        variables.push(GridVariable {
            name: "dv".into(),
            attributes: vec![
                ("units".into(), "s**-1".into()),
                ("standard_name".into(), "divergence_of_wind".into()),
                ("long_name".into(), "Divergence".into()),
            ],
        });
    }
    let header = GridHeader {
        lat: &gu.lat,
        lon: &gu.lon,
        times: (!u.is_timeless()).then_some(times.as_slice()),
        variables,
        global: vec![
            ("source".into(), format!("stormtrack {} vorticity (spherical harmonics, radius {} m)", crate::VERSION, a.radius_m)),
            ("history".into(), format!("stormtrack vorticity -i {} --u {} --v {}", a.input.display(), a.u, a.v)),
        ],
        double: a.run.double,
        axes: LATITUDE_LONGITUDE,
    };
    let compute = |t: usize| -> Result<Vec<Vec<f64>>> {
        let (uf, vf) = (u.read_frame(t)?, v.read_frame(t)?);
        for (name, f) in [(&a.u, &uf), (&a.v, &vf)] {
            if let Some(k) = f.iter().position(|x| !x.is_finite()) {
                return Err(Error::option(
                    "--input",
                    format!("frame {t} of '{name}' has a missing or non-finite value at cell {k}; vorticity needs complete global fields"),
                ));
            }
        }
        let (vo, dv) = kin.vorticity_divergence(uf.as_slice().expect("standard layout"), vf.as_slice().expect("standard layout"));
        Ok(if a.divergence { vec![vo, dv] } else { vec![vo] })
    };
    let pool = pool(a.run.threads)?;
    pool.install(|| write_grid(&a.output, &header, chunked(range.clone(), compute)))?;
    if !a.run.quiet {
        eprintln!("stormtrack: vorticity{} of {} frame(s) -> {}", if a.divergence { " and divergence" } else { "" }, range.len(), a.output.display());
    }
    Ok(())
}
