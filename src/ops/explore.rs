//! `explore`: one self-contained HTML page to browse tracks (docs/plots.md#explorer).

use crate::error::{Error, Result};
use crate::io;
use std::path::PathBuf;

/// Options of `explore`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub input: PathBuf,
    /// An `.html` file.
    pub output: PathBuf,
    /// The page's title; `None`: the input's name and the number of tracks.
    pub title: Option<String>,
    /// How to read the input (format, calendar, fields, mode).
    pub read: io::InputOptions,
}

/// What `explore` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explored {
    pub tracks: usize,
    pub points: usize,
    pub bytes: usize,
}

impl Options {
    /// The output's suffix and directory.
    pub fn validate(&self) -> Result<()> {
        check_output(&self.output)
    }
}

/// An explorer page's path: an `.html` (or `.htm`) in a writable directory.
pub fn check_output(out: &std::path::Path) -> Result<()> {
    if !out.extension().is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")) {
        return Err(Error::option("output", format!("{} must end in .html", out.display())));
    }
    io::atomic::check_writable_file(out)
}

/// Read the tracks and write the page.
pub fn run(opts: &Options) -> Result<Explored> {
    opts.validate()?;
    let tracks = io::read_tracks_with(&opts.input, &opts.read)?;
    let name = opts.input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| opts.input.display().to_string());
    let title = opts.title.clone().unwrap_or_else(|| format!("{name}: {} tracks", tracks.len()));
    let html = crate::plot::explorer::explorer_html(&tracks, &title);
    io::atomic::write_file(&opts.output, |w| w.write_all(html.as_bytes()))?;
    Ok(Explored { tracks: tracks.len(), points: tracks.n_points(), bytes: html.len() })
}
