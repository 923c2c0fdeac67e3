//! GRIB editions 1 and 2 as fields, decoded natively (no ecCodes): regular latitude-longitude
//! and Gaussian grids, and reduced Gaussian grids (classic and octahedral, ECMWF's native
//! output: each row interpolated onto the regular Gaussian grid, `reduced.rs`), with simple
//! packing, with or without a bitmap — what ERA5 from the CDS, ECMWF's MARS retrievals and most
//! NWP output hold (see docs/input.md#grib). Messages in any other form (spectral, other
//! projections, complex, JPEG, PNG or CCSDS packing) are refused with [`GribError::Unsupported`];
//! the Python package then reads the file through ecCodes instead.
//!
//! A file is scanned once for its messages' headers; each frame is then one positioned read
//! and a decode, so frames are read in parallel and memory holds only the frames in flight.

mod bits;
mod edition1;
mod edition2;
mod error;
mod message;
mod params;
mod source;

pub use error::GribError;

use super::cf::{check_lat_lon, value_unit, variable_candidates};
use super::{Field, FieldInfo, Grid};
use crate::error::{Error, Result};
use crate::time::Calendar;
use message::{LatLonGrid, Message, Problem, Scanned};
use ndarray::Array2;
use source::{MessageBytes, read_exact_at};
use std::fs::File;
use std::path::{Path, PathBuf};

/// A parameter of a GRIB file, read one message (frame) at a time.
pub struct GribField {
    path: PathBuf,
    file: File,
    source_variable: String,
    /// The variable's messages in valid-time order.
    frames: Vec<Message>,
    grid: LatLonGrid,
    /// A reduced Gaussian grid's rows, interpolated onto the regular one.
    reduced: Option<crate::spectral::reduced::ReducedRows>,
    info: FieldInfo,
}

impl std::fmt::Debug for GribField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GribField").field("path", &self.path).field("variable", &self.source_variable).field("info", &self.info).finish()
    }
}

/// Whether the file at `path` begins with a GRIB indicator section.
pub fn is_grib_file(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    path.is_file() && File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == b"GRIB"
}

impl GribField {
    /// Open `variable` (an ecCodes short name such as `msl` or `vo`, or an ECMWF parameter id
    /// such as `151`) of the GRIB file at `path`. Every message's headers are read and checked
    /// here; values later, frame by frame.
    pub fn open(path: impl AsRef<Path>, variable: &str) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            return Err(Error::MissingInput(path));
        }
        let file = File::open(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
        let mut candidates: Vec<&str> = variable_candidates(variable).collect();
        if variable == "msl" {
            candidates.push("prmsl"); // WMO's name for it (GRIB 1 table 2, GRIB 2 0.3.1)
        }
        let (wanted, others) = scan(&file, &path, &|p| candidates.iter().any(|c| p.is(c)))?;
        // the first name asked for that the file holds (`msl` before its alias `slp`)
        let Some(name) = candidates.iter().find(|c| wanted.iter().any(|m| m.param.is(c))) else {
            let mut available: Vec<String> = others.into_iter().collect();
            available.sort();
            return Err(GribError::VariableNotFound { name: variable.into(), path, available: available.join(", ") }.into());
        };
        let mut frames: Vec<Message> = wanted.into_iter().filter(|m| m.param.is(name)).collect();
        frames.sort_by_key(|m| (m.valid, m.offset));
        check_one_series(&path, &frames)?;
        let first = &frames[0];
        let grid = first.grid.clone();
        let lat = grid.latitudes().map_err(|p| problem(&path, first.offset, p))?;
        let lon = grid.longitudes();
        let reduced = grid.pl.as_deref().map(crate::spectral::reduced::ReducedRows::new);
        check_lat_lon(&lat, &lon).map_err(|(what, detail)| Error::CorruptInput { path: path.clone(), what: what.into(), detail: detail.into() })?;
        let param = first.param.clone();
        let (value_unit, unit_factor) = value_unit(variable, param.units)?;
        let info = FieldInfo {
            // an id (`151`) is reported by its name (`msl`), for the default mode and threshold
            variable: if variable.bytes().all(|b| b.is_ascii_digit()) { param.name.clone() } else { variable.into() },
            standard_name: param.standard_name.map(str::to_string),
            units: param.units.map(str::to_string),
            value_unit,
            unit_factor,
            times: frames.iter().map(|m| m.valid).collect(),
            calendar: Calendar::ProlepticGregorian,
            grid: Grid::new(lat, lon),
        };
        Ok(GribField { path, file, source_variable: param.name, frames, grid, reduced, info })
    }

    /// The file the field was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parameter's short name in the file.
    pub fn source_variable(&self) -> &str {
        &self.source_variable
    }
}

impl Field for GribField {
    fn info(&self) -> &FieldInfo {
        &self.info
    }

    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        let Some(m) = self.frames.get(t) else {
            return Err(Error::option("frame", format!("frame {t} is out of range (the field has {} frames)", self.frames.len())));
        };
        let bytes =
            read_exact_at(&self.file, m.offset, m.length as usize).map_err(|e| self.problem(m.offset, Problem::Corrupt(format!("cannot read it: {e}"))))?;
        let scanned = m.packing.decode(&bytes, self.grid.points()).map_err(|p| self.problem(m.offset, p))?;
        let mut rows = match &self.reduced {
            Some(r) => r.to_regular(&scanned),
            None => self.grid.to_rows(scanned),
        };
        if self.info.unit_factor != 1.0 {
            rows.iter_mut().for_each(|v| *v *= self.info.unit_factor);
        }
        Array2::from_shape_vec((self.grid.nj, self.grid.ni), rows).map_err(|e| self.problem(m.offset, Problem::Corrupt(e.to_string())))
    }
}

impl GribField {
    fn problem(&self, offset: u64, p: Problem) -> Error {
        problem(&self.path, offset, p).into()
    }
}

/// The error of a message at `offset` of `path`.
fn problem(path: &Path, offset: u64, p: Problem) -> GribError {
    match p {
        Problem::Corrupt(detail) => GribError::Corrupt { path: path.into(), offset, detail },
        Problem::Unsupported(feature) => GribError::Unsupported { path: path.into(), offset, feature },
    }
}

/// Every message of the file: the wanted ones parsed, the names of the others.
fn scan(file: &File, path: &Path, wanted: &dyn Fn(&params::Param) -> bool) -> Result<(Vec<Message>, std::collections::BTreeSet<String>)> {
    let size = file.metadata().map_err(|source| Error::Io { path: path.into(), source })?.len();
    let (mut messages, mut others) = (Vec::new(), std::collections::BTreeSet::new());
    let mut at = 0u64;
    while let Some(start) = next_indicator(file, path, at, size)? {
        let (length, scanned) = message_at(file, start, size, wanted).map_err(|p| problem(path, start, p))?;
        match scanned {
            Scanned::Wanted(m) => messages.push(m),
            Scanned::Other(p) => {
                others.insert(p.name);
            }
        }
        at = start + length;
    }
    if messages.is_empty() && others.is_empty() {
        return Err(GribError::NotGrib { path: path.into(), detail: "no message begins with 'GRIB'".into() }.into());
    }
    Ok((messages, others))
}

/// The offset of the next `GRIB` at or after `at` (bytes between messages are skipped, as
/// ecCodes skips them).
fn next_indicator(file: &File, path: &Path, mut at: u64, size: u64) -> Result<Option<u64>> {
    const WINDOW: u64 = 1 << 16;
    while at + 4 <= size {
        let len = WINDOW.min(size - at);
        let bytes = read_exact_at(file, at, len as usize).map_err(|source| Error::Io { path: path.into(), source })?;
        if let Some(k) = bytes.windows(4).position(|w| w == b"GRIB") {
            return Ok(Some(at + k as u64));
        }
        at += len.saturating_sub(3).max(1);
    }
    Ok(None)
}

/// The message starting at `start`: its length and what it holds.
fn message_at(file: &File, start: u64, size: u64, wanted: &dyn Fn(&params::Param) -> bool) -> message::Parsed<(u64, Scanned)> {
    let indicator = MessageBytes { file, offset: start, length: (size - start).min(16) }.read(0, 16)?;
    let edition = indicator[7];
    let length = match edition {
        1 => {
            let length = bits::unsigned(&indicator[4..7]);
            if length & 0x80_0000 != 0 {
                return message::unsupported("a GRIB 1 message over 8 MB (ECMWF's large-message length encoding)");
            }
            length
        }
        2 => bits::unsigned(&indicator[8..16]),
        e => return message::unsupported(format!("GRIB edition {e}")),
    };
    if length < 16 + 4 {
        return message::corrupt(format!("it says it is {length} bytes long"));
    }
    if start + length > size {
        return message::corrupt(format!("the file ends {} bytes into its {length} bytes (the file is truncated)", size - start));
    }
    let m = MessageBytes { file, offset: start, length };
    if m.read(length - 4, 4)? != b"7777" {
        return message::corrupt("it does not end with '7777'");
    }
    let scanned = if edition == 1 { edition1::parse(&m, wanted)? } else { edition2::parse(&m, indicator[6], wanted)? };
    Ok((length, scanned))
}

/// The messages of the variable must be one field in time: one level, one member, one grid,
/// one message per valid time.
fn check_one_series(path: &Path, frames: &[Message]) -> Result<()> {
    let name = &frames[0].param.name;
    let bad = |detail: String| Err(GribError::NotOneSeries { path: path.into(), detail }.into());
    let distinct = |f: &dyn Fn(&Message) -> String| {
        let mut seen: Vec<String> = Vec::new();
        for m in frames {
            let v = f(m);
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen
    };
    if frames.iter().any(|m| m.level.key != frames[0].level.key) {
        let levels = distinct(&|m| m.level.text.clone()).join(", ");
        return bad(format!("'{name}' is on several levels ({levels}): keep one first (grib_copy -w level=850 in.grib out.grib, or cdo sellevel)"));
    }
    if frames.iter().any(|m| m.member != frames[0].member) {
        let members = distinct(&|m| m.member.map_or("none".into(), |n| n.to_string())).join(", ");
        return bad(format!("'{name}' holds several ensemble members ({members}): keep one first (grib_copy -w number=0 in.grib out.grib)"));
    }
    if let Some(other) = frames.iter().find(|m| m.grid != frames[0].grid) {
        let (a, b) = (&frames[0], other);
        return bad(format!(
            "'{name}' is on more than one grid ({} x {} at byte {}, {} x {} at byte {}): regrid to one grid first",
            a.grid.ni, a.grid.nj, a.offset, b.grid.ni, b.grid.nj, b.offset
        ));
    }
    if let Some(w) = frames.windows(2).find(|w| w[0].valid == w[1].valid) {
        return bad(format!(
            "two '{name}' fields are valid at {} (messages at bytes {} and {}): keep one run and step per time (e.g. grib_copy -w step=0)",
            Calendar::ProlepticGregorian.format_iso(w[0].valid),
            w[0].offset,
            w[1].offset
        ));
    }
    Ok(())
}
