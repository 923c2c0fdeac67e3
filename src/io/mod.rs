//! Reading and writing tracks: text formats of the field (IMILAST, TRACK, TrackJSON) and the
//! hive-partitioned Parquet dataset. Every writer is atomic: it writes a temporary sibling and
//! renames it into place, so a failure never leaves a half-written output.

pub mod atomic;
pub mod generations;
#[cfg(feature = "netcdf")]
pub mod grid_netcdf;
pub mod gridded;
pub mod imilast;
pub mod parquet;
pub mod tdump;
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
            other => return Err(Error::option("format", format!("unknown format '{other}'; use auto, imilast, track, json or parquet"))),
        }))
    }

    /// Name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            TrackFormat::Imilast => "imilast",
            TrackFormat::Track => "track",
            TrackFormat::TrackJson => "json",
            TrackFormat::Parquet => "parquet",
        }
    }
}

fn suffix(path: &Path) -> String {
    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default()
}

/// The format of an output path: explicit wins; else by suffix (`.txt`/`.dat` IMILAST,
/// `.tdump`/`.track`/`.hodges` TRACK, `.trackjson`/`.json` TrackJSON, `.parquet`, an existing
/// directory, a trailing `/` or no suffix at all: the Parquet dataset).
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
        "parquet" | "" => Ok(TrackFormat::Parquet),
        other => Err(Error::Format(format!(
            "cannot infer the output format from the suffix '.{other}' of {}; use .txt, .tdump, .trackjson, .parquet or a directory, or give `format`",
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
        _ => {}
    }
    sniff(path)
}

/// Sniff a text track file (see docs/algorithms.md#format-routing): skip blank lines and lines whose first token is `0`.
fn sniff(path: &Path) -> Result<TrackFormat> {
    use std::io::{BufRead, BufReader};
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 4];
    if std::io::Read::read(&mut &f, &mut head).unwrap_or(0) == 4 && &head == b"PAR1" {
        return Ok(TrackFormat::Parquet);
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
        break;
    }
    Err(Error::Format(format!("cannot tell the track format of {}: it is not IMILAST, TRACK or TrackJSON; pass the format explicitly", path.display())))
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

/// [`read_tracks_as`], with the calendar of the dates of the text formats that carry none
/// (IMILAST, TRACK; default proleptic Gregorian). TrackJSON and datasets record their own: a
/// `calendar` that contradicts it is an error.
pub fn read_tracks_in(path: &Path, format: Option<TrackFormat>, variable: Option<&str>, calendar: Option<crate::time::Calendar>) -> Result<Tracks> {
    let in_calendar = calendar.unwrap_or(crate::time::Calendar::ProlepticGregorian);
    let tracks = match input_format(path, format)? {
        TrackFormat::Imilast => {
            let text = imilast::read_text(path)?;
            return imilast::read_str_in(&text, path, variable, None, in_calendar);
        }
        TrackFormat::Track => {
            let text = imilast::read_text(path)?;
            let opts = tdump::ReadOptions { primary_variable: variable.map(str::to_string), calendar: in_calendar, ..Default::default() };
            return tdump::read_str_with(&text, path, &opts);
        }
        TrackFormat::TrackJson => trackjson::read_file(path)?,
        TrackFormat::Parquet => parquet::read_dataset(path)?,
    };
    match calendar {
        Some(c) if c.output() != tracks.metadata.calendar.output() => Err(Error::option(
            "calendar",
            format!("{} records its dates in the {} calendar; drop `calendar` ({}) for this input", path.display(), tracks.metadata.calendar.name(), c.name()),
        )),
        _ => Ok(tracks),
    }
}

/// Check before any long work that `path` can receive tracks in `format`.
pub fn check_track_output(path: &Path, format: TrackFormat) -> Result<()> {
    if format == TrackFormat::Parquet { parquet::check_target(path) } else { atomic::check_writable_file(path) }
}

/// Write tracks in any supported format, atomically.
pub fn write_tracks(tracks: &Tracks, path: &Path, format: TrackFormat) -> Result<()> {
    match format {
        TrackFormat::Imilast => atomic::write_file(path, |w| imilast::write(tracks, w)),
        TrackFormat::Track => atomic::write_file(path, |w| tdump::write(tracks, w)),
        TrackFormat::TrackJson => atomic::write_file(path, |w| trackjson::write(tracks, w, false)),
        TrackFormat::Parquet => parquet::write_dataset(tracks, path, &parquet::DatasetOptions::default()),
    }
}
