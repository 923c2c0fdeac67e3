//! `convert`: tracks from one format to another (Parquet dataset, IMILAST, TRACK, TrackJSON).

use crate::error::{Error, Result};
use crate::io::{self, TrackFormat, atomic};
use crate::tracks::Tracks;
use std::path::PathBuf;

/// Options of `convert`.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: PathBuf,
    pub output: PathBuf,
    /// `auto`, `parquet`, `imilast`, `track` or `json`.
    pub in_format: String,
    /// `auto`, `parquet`, `imilast`, `track` or `json`.
    pub out_format: String,
    /// Names the value column of IMILAST and TRACK files.
    pub variable: Option<String>,
    /// Write TrackJSON's `stats` (TrackJSON output only).
    pub stats: bool,
    /// The calendar of the dates of IMILAST and TRACK input (they carry none; default
    /// proleptic Gregorian), e.g. `360_day`.
    pub calendar: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            input: PathBuf::new(),
            output: PathBuf::new(),
            in_format: "auto".into(),
            out_format: "auto".into(),
            variable: None,
            stats: false,
            calendar: None,
        }
    }
}

/// What `convert` did.
#[derive(Debug, Clone)]
pub struct Converted {
    pub tracks: Tracks,
    pub in_format: TrackFormat,
    pub out_format: TrackFormat,
}

impl Options {
    /// Check everything but the input's content; returns the output format.
    pub fn validate(&self) -> Result<TrackFormat> {
        TrackFormat::parse(&self.in_format)?;
        self.calendar()?;
        let out = io::output_format(&self.output, TrackFormat::parse(&self.out_format)?)?;
        if self.stats && out != TrackFormat::TrackJson {
            return Err(Error::option("stats", "applies to TrackJSON output only"));
        }
        io::check_track_output(&self.output, out)?;
        Ok(out)
    }
}

impl Options {
    /// The calendar asked for, parsed.
    fn calendar(&self) -> Result<Option<crate::time::Calendar>> {
        super::parse_calendar(self.calendar.as_deref())
    }
}

/// Read the input and write it in the output format.
pub fn run(opts: &Options) -> Result<Converted> {
    let out_format = opts.validate()?;
    let in_format = io::input_format(&opts.input, TrackFormat::parse(&opts.in_format)?)?;
    let tracks = io::read_tracks_in(&opts.input, Some(in_format), opts.variable.as_deref(), opts.calendar()?)?;
    if opts.stats {
        atomic::write_file(&opts.output, |w| io::trackjson::write(&tracks, w, true))?;
    } else {
        tracks.validate()?;
        io::write_tracks(&tracks, &opts.output, out_format)?;
    }
    Ok(Converted { tracks, in_format, out_format })
}
