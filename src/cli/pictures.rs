//! `stormtrack plot` (PNG maps) and `stormtrack explore` (the HTML track explorer).

use super::args::{ExploreArgs, PlotArgs, TrackReadArgs};
use crate::error::{Error, Result};
use crate::ops;

/// The reading options of a track input.
fn read_options(a: TrackReadArgs) -> Result<crate::io::InputOptions> {
    let frames = Some((a.first_frame_time.as_deref(), a.frame_step_hours));
    ops::input_options(Some(&a.in_format), None, a.calendar.as_deref(), &a.fields, a.mode.as_deref(), frames)
}

/// `west,east,south,north` in degrees.
fn parse_region(s: &str) -> Result<[f64; 4]> {
    let values: Vec<f64> = s
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::option("region", format!("'{s}' is not four numbers west,east,south,north")))?;
    <[f64; 4]>::try_from(values).map_err(|_| Error::option("region", format!("'{s}' is not four numbers west,east,south,north")))
}

pub fn plot(a: PlotArgs) -> Result<()> {
    let region = a.region.as_deref().map(parse_region).transpose()?;
    let opts = ops::plot::Options {
        input: a.input,
        output: Some(a.output),
        kind: a.kind,
        view: a.view,
        region,
        central_lon: a.central_lon,
        boundary_lat: a.boundary_lat,
        colour_by: a.colour_by,
        variable: a.variable,
        vmin: a.vmin,
        vmax: a.vmax,
        width: a.width,
        height: a.height,
        title: a.title,
        frame: a.frame,
        read: read_options(a.read)?,
    };
    let done = ops::plot::run(&opts)?;
    let out = opts.output.as_ref().expect("set above");
    eprintln!("stormtrack: {} -> {} ({} x {} pixels)", done.summary, out.display(), done.layout.width, done.layout.height);
    Ok(())
}

pub fn explore(a: ExploreArgs) -> Result<()> {
    let opts = ops::explore::Options { input: a.input, output: a.output, title: a.title, read: read_options(a.read)? };
    let done = ops::explore::run(&opts)?;
    eprintln!("stormtrack: {} tracks, {} points -> {} ({} kB, self-contained)", done.tracks, done.points, opts.output.display(), done.bytes.div_ceil(1024));
    Ok(())
}
