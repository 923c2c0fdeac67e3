//! `stormtrack spectral` and `stormtrack vorticity`: grid-to-grid commands that write CF NetCDF.

use super::args::{GridRunArgs, SpectralArgs, VorticityArgs};
use crate::error::Result;
use crate::ops;

pub fn spectral(a: SpectralArgs) -> Result<()> {
    let opts = ops::spectral::Options {
        input: a.input,
        variable: a.variable,
        lmin: a.lmin,
        lmax: a.lmax,
        spectral_taper: a.taper,
        filter_type: a.filter_type,
        output: a.output,
        run: grid_run(&a.run),
    };
    let done = ops::spectral::run(&opts)?;
    if !a.run.quiet {
        eprintln!(
            "stormtrack: {} frame(s) of '{}' filtered ({}, l = {}..{}, taper {}) -> {}",
            done.frames,
            opts.variable,
            done.method,
            opts.lmin,
            opts.lmax,
            opts.spectral_taper,
            opts.output.display()
        );
    }
    Ok(())
}

pub fn vorticity(a: VorticityArgs) -> Result<()> {
    let opts =
        ops::vorticity::Options { input: a.input, u: a.u, v: a.v, radius_m: a.radius_m, divergence: a.divergence, output: a.output, run: grid_run(&a.run) };
    let frames = ops::vorticity::run(&opts)?;
    if !a.run.quiet {
        eprintln!("stormtrack: vorticity{} of {} frame(s) -> {}", if opts.divergence { " and divergence" } else { "" }, frames, opts.output.display());
    }
    Ok(())
}

fn grid_run(a: &GridRunArgs) -> ops::GridRun {
    ops::GridRun { n_frames: a.n_frames, double: a.double, threads: a.threads }
}
