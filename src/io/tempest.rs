//! TempestExtremes StitchNodes output (docs/formats.md#tempestextremes), in its two forms.
//!
//! The text form (`--out_file_format gfdl`, the default) has no track ids; a `start` line gives
//! each track's point count and first time, and every point is its grid index (`i j`, or one
//! index on unstructured grids), the columns the user declared to DetectNodes (`--in_fmt`,
//! typically `lon,lat,slp,wind`) and `year month day hour`:
//!
//! ```text
//! start	2	1999	9	10	0
//! 	605	36	302.500000	18.000000	1.003906e+05	1.918985e+01	1999	9	10	0
//! 	604	37	302.000000	18.500000	1.002089e+05	2.398492e+01	1999	9	10	6
//! ```
//! The CSV form (`--out_file_format csv`) names its columns:
//!
//! ```text
//! track_id, year, month, day, hour, i, j, lon, lat, slp, wind10
//! 0, 1980, 1, 6, 6, 482, 417, 120.500000, -14.250000, 9.987638e+04, 1.464815e+01
//! ```

use super::imilast::{parse_float, with_path};
use super::tdump::c_exp;
use crate::error::{Error, Result};
use crate::geo::normalize_lon_360;
use crate::time::Calendar;
use crate::tracks::{Point, Tracks, TracksBuilder, TracksMetadata};
use crate::variables::{Mode, canonical_unit, mode_of_name};
use std::io::Write;
use std::path::Path;

const HOUR_MS: i64 = 3_600_000;

/// How to read a TempestExtremes file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The columns of each point between its grid index and its date, as declared to
    /// DetectNodes with `--in_fmt` (e.g. `lon,lat,slp,wind`; must hold `lon` and `lat`). The
    /// text form carries no names: by default `lon`, `lat`, then `field_0`, `field_1`, ...
    /// The CSV form names its own columns; declared names then must match them.
    pub fields: Vec<String>,
    /// Points carry one grid index (unstructured grids) instead of `i j` (text form); implied
    /// when the declared columns leave room for one index only.
    pub unstructured: bool,
    /// The variable that defines the centres; by default the first column after `lon, lat`.
    pub primary_variable: Option<String>,
    /// Minima or maxima; by default implied by the primary variable's name.
    pub mode: Option<Mode>,
    /// The calendar of the dates.
    pub calendar: Calendar,
}

/// A parse failure: the line and the reason.
type LineError = (usize, String);

/// The date of `year month day hour` tokens.
fn parse_date(tok: &[&str], calendar: Calendar) -> std::result::Result<i64, String> {
    let int = |k: usize, what: &str| -> std::result::Result<i64, String> {
        let x = parse_float(tok[k]).filter(|x| x.is_finite() && x.fract() == 0.0).ok_or_else(|| format!("{what} '{}' is not an integer", tok[k]))?;
        Ok(x as i64)
    };
    let (y, m, d, h) = (int(0, "year")?, int(1, "month")?, int(2, "day")?, int(3, "hour")?);
    if !(0..=23).contains(&h) {
        return Err(format!("hour {h} is outside 0..23"));
    }
    let fits = |x: i64, lo: i64, hi: i64| (lo..=hi).contains(&x);
    if !fits(y, -9999, 9999) || !fits(m, 1, 12) || !fits(d, 1, 31) {
        return Err(format!("{y}-{m}-{d} is not a date"));
    }
    calendar
        .from_civil(y as i32, m as u32, d as u32, h as u32)
        .ok_or_else(|| format!("{y}-{m:02}-{d:02} is not a date of the {} calendar; pass the calendar of the dates as `calendar`", calendar.name()))
}

/// Where `lon` and `lat` are among `columns`, and the value columns (name, index).
fn split_columns(columns: &[String]) -> std::result::Result<(usize, usize, Vec<(String, usize)>), String> {
    let find = |n: &str| columns.iter().position(|c| c == n);
    let (Some(lon), Some(lat)) = (find("lon"), find("lat")) else {
        return Err(format!("the declared columns ({}) must include lon and lat", columns.join(",")));
    };
    let values: Vec<(String, usize)> = columns.iter().enumerate().filter(|(k, _)| *k != lon && *k != lat).map(|(k, c)| (c.clone(), k)).collect();
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = columns.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(format!("column '{dup}' is declared twice"));
    }
    Ok((lon, lat, values))
}

/// Tracks collected from either form: per track, its id, points and values (grid index first).
struct Collected {
    index_names: Vec<&'static str>,
    columns: Vec<String>,
    tracks: Vec<(i64, Vec<Point>, Vec<Vec<f64>>)>,
}

/// The text form's tracks.
fn collect_text(text: &str, opts: &ReadOptions) -> std::result::Result<Collected, LineError> {
    let mut index_names: Vec<&'static str> = if opts.unstructured { vec!["i"] } else { vec!["i", "j"] };
    let mut columns = opts.fields.clone();
    let mut tracks = Vec::new();
    let mut lines = text.lines().enumerate().map(|(k, l)| (k + 1, l.trim())).filter(|(_, l)| !l.is_empty());
    while let Some((lineno, line)) = lines.next() {
        let tok: Vec<&str> = line.split_whitespace().collect();
        if tok[0] != "start" {
            return Err((lineno, format!("expected a 'start <points> <year> <month> <day> <hour>' line, got '{line}'")));
        }
        if tok.len() != 6 {
            return Err((lineno, "malformed start line: expected 'start <points> <year> <month> <day> <hour>'".into()));
        }
        let n: usize = tok[1].parse().map_err(|_| (lineno, format!("malformed start line: point count '{}' is not a non-negative integer", tok[1])))?;
        let start = parse_date(&tok[2..], opts.calendar).map_err(|r| (lineno, r))?;
        let (mut points, mut values) = (Vec::with_capacity(n.min(1 << 16)), Vec::with_capacity(n.min(1 << 16)));
        for k in 0..n {
            let Some((pl, point)) = lines.next() else {
                return Err((lineno, format!("the track starting here is truncated: its start line says {n} points but {k} follow")));
            };
            let tok: Vec<&str> = point.split_whitespace().collect();
            if tok[0] == "start" {
                return Err((lineno, format!("the track starting here is truncated: its start line says {n} points but {k} follow")));
            }
            // declared columns tell an unstructured grid's single index from `i j`
            if tracks.is_empty() && k == 0 && !columns.is_empty() && tok.len() == columns.len() + 5 {
                index_names = vec!["i"];
            }
            let n_cols = tok.len().checked_sub(index_names.len() + 4).filter(|&c| c >= 2).ok_or_else(|| {
                (pl, format!("a point needs {} grid index column(s), lon, lat and year month day hour; this one has {} columns", index_names.len(), tok.len()))
            })?;
            if columns.is_empty() {
                columns = ["lon", "lat"].iter().map(|s| s.to_string()).chain((0..n_cols - 2).map(|k| format!("field_{k}"))).collect();
            }
            if n_cols != columns.len() {
                return Err((
                    pl,
                    format!("a point has {n_cols} columns between its grid index and its date but {} are declared ({})", columns.len(), columns.join(",")),
                ));
            }
            let (point_, row) = parse_point(&tok, &index_names, &columns, opts.calendar).map_err_line(pl)?;
            if k == 0 && point_.time != start {
                return Err((pl, "the first point's date differs from the date on its start line".into()));
            }
            points.push(point_);
            values.push(row);
        }
        tracks.push((tracks.len() as i64, points, values));
    }
    Ok(Collected { index_names, columns, tracks })
}

/// Turn a line-less error into one at `line`.
trait AtLine<T> {
    fn map_err_line(self, line: usize) -> std::result::Result<T, LineError>;
}

impl<T> AtLine<T> for std::result::Result<T, String> {
    fn map_err_line(self, line: usize) -> std::result::Result<T, LineError> {
        self.map_err(|r| (line, r))
    }
}

/// One point of the text form: index tokens, declared columns, date.
fn parse_point(tok: &[&str], index_names: &[&str], columns: &[String], calendar: Calendar) -> std::result::Result<(Point, Vec<f64>), String> {
    let n_idx = index_names.len();
    let time = parse_date(&tok[tok.len() - 4..], calendar)?;
    let mut out = Vec::with_capacity(n_idx + columns.len());
    for (k, t) in tok[..n_idx].iter().enumerate() {
        out.push(parse_float(t).filter(|x| x.is_finite()).ok_or_else(|| format!("grid index {} '{t}' is not a number", index_names[k]))?);
    }
    for (k, t) in tok[n_idx..n_idx + columns.len()].iter().enumerate() {
        out.push(parse_float(t).ok_or_else(|| format!("{} '{t}' is not a number", columns[k]))?);
    }
    point_of(time, &out[n_idx..], columns).map(|p| (p, out))
}

/// The point at `time` whose declared columns hold `cols`.
fn point_of(time: i64, cols: &[f64], columns: &[String]) -> std::result::Result<Point, String> {
    let at = |n: &str| columns.iter().position(|c| c == n).map(|k| cols[k]);
    let (lon, lat) = (at("lon").unwrap_or(f64::NAN), at("lat").unwrap_or(f64::NAN));
    if !lon.is_finite() {
        return Err(format!("longitude {lon} must be finite"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} is outside [-90, 90]"));
    }
    Ok(Point { time, lat, lon, grid: None })
}

/// The CSV form's tracks, grouped by `track_id` in order of first appearance.
fn collect_csv(text: &str, opts: &ReadOptions) -> std::result::Result<Collected, LineError> {
    let mut lines = text.lines().enumerate().map(|(k, l)| (k + 1, l.trim())).filter(|(_, l)| !l.is_empty());
    let Some((hl, header)) = lines.next() else { return Err((1, "the file is empty: expected a header 'track_id, year, month, day, hour, ...'".into())) };
    let names: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
    let find = |n: &str| names.iter().position(|c| c.eq_ignore_ascii_case(n));
    let mut required = [0usize; 5];
    for (k, n) in ["track_id", "year", "month", "day", "hour"].iter().enumerate() {
        required[k] =
            find(n).ok_or_else(|| (hl, format!("the CSV header has no '{n}' column; TempestExtremes CSV starts 'track_id, year, month, day, hour'")))?;
    }
    let index: Vec<(usize, &'static str)> = ["i", "j"].iter().filter_map(|n| find(n).map(|k| (k, *n))).collect();
    let taken: Vec<usize> = required.iter().copied().chain(index.iter().map(|i| i.0)).collect();
    let data: Vec<(usize, String)> = names.iter().enumerate().filter(|(k, _)| !taken.contains(k)).map(|(k, n)| (k, n.clone())).collect();
    let columns: Vec<String> = data.iter().map(|d| d.1.clone()).collect();
    if !opts.fields.is_empty() && opts.fields != columns {
        return Err((hl, format!("the declared columns ({}) differ from the CSV header's ({})", opts.fields.join(","), columns.join(","))));
    }
    let mut groups: super::grouping::FirstAppearance<i64, (Point, Vec<f64>)> = Default::default();
    for (lineno, line) in lines {
        let tok: Vec<&str> = line.split(',').map(str::trim).collect();
        if tok.len() != names.len() {
            return Err((lineno, format!("the row has {} fields but the header names {}", tok.len(), names.len())));
        }
        let id = parse_float(tok[required[0]])
            .filter(|x| x.is_finite() && x.fract() == 0.0)
            .ok_or_else(|| (lineno, format!("track_id '{}' is not an integer", tok[required[0]])))? as i64;
        let date: Vec<&str> = required[1..].iter().map(|&k| tok[k]).collect();
        let time = parse_date(&date, opts.calendar).map_err_line(lineno)?;
        let mut row = Vec::with_capacity(index.len() + data.len());
        for &(k, n) in &index {
            row.push(parse_float(tok[k]).filter(|x| x.is_finite()).ok_or_else(|| (lineno, format!("grid index {n} '{}' is not a number", tok[k])))?);
        }
        for (k, n) in &data {
            row.push(parse_float(tok[*k]).ok_or_else(|| (lineno, format!("{n} '{}' is not a number", tok[*k])))?);
        }
        let point = point_of(time, &row[index.len()..], &columns).map_err_line(lineno)?;
        groups.push(id, (point, row));
    }
    let tracks = groups
        .into_groups()
        .into_iter()
        .map(|(id, rows)| {
            let (p, v): (Vec<Point>, Vec<Vec<f64>>) = rows.into_iter().unzip();
            (id, p, v)
        })
        .collect();
    Ok(Collected { index_names: index.iter().map(|i| i.1).collect(), columns, tracks })
}

/// Read the text form.
pub fn read_str(text: &str, path: &Path, opts: &ReadOptions) -> Result<Tracks> {
    check_declared(opts)?;
    let collected = collect_text(text, opts).map_err(|(line, reason)| Error::Parse { path: path.to_path_buf(), line, reason })?;
    build(collected, path, opts)
}

/// Read the CSV form.
pub fn read_csv_str(text: &str, path: &Path, opts: &ReadOptions) -> Result<Tracks> {
    check_declared(opts)?;
    let collected = collect_csv(text, opts).map_err(|(line, reason)| Error::Parse { path: path.to_path_buf(), line, reason })?;
    build(collected, path, opts)
}

/// The declared columns must name `lon` and `lat`, each column once.
fn check_declared(opts: &ReadOptions) -> Result<()> {
    if !opts.fields.is_empty() {
        split_columns(&opts.fields).map_err(|r| Error::option("fields", r))?;
    }
    Ok(())
}

/// Tracks with the grid index as columns `i` (and `j`), then the value columns.
fn build(c: Collected, path: &Path, opts: &ReadOptions) -> Result<Tracks> {
    let (_, _, values) = split_columns(&c.columns).map_err(|r| Error::Format(format!("{}: {r}", path.display())))?;
    let primary = match &opts.primary_variable {
        Some(p) if values.iter().any(|v| &v.0 == p) => p.clone(),
        Some(p) => return Err(Error::option("variable", format!("'{p}' is not a column of {}; its columns: {}", path.display(), c.columns.join(",")))),
        None => values
            .first()
            .map(|v| v.0.clone())
            .ok_or_else(|| Error::Format(format!("{}: the points carry no value besides lon and lat to track", path.display())))?,
    };
    let mode = opts
        .mode
        .or_else(|| mode_of_name(&primary))
        .ok_or_else(|| Error::option("mode", format!("cannot tell whether '{primary}' centres are minima or maxima; pass the mode (min or max) explicitly")))?;
    let n_idx = c.index_names.len();
    // columns of the result: the primary, the other values, then the grid index
    let mut order: Vec<(String, usize, &str)> = Vec::new();
    for (name, k) in &values {
        let unit = if *name == primary { canonical_unit(name).unwrap_or("1") } else { "1" };
        let entry = (name.clone(), n_idx + k, unit);
        if *name == primary { order.insert(0, entry) } else { order.push(entry) }
    }
    order.extend(c.index_names.iter().enumerate().map(|(k, n)| (n.to_string(), k, "1")));
    let mut metadata = TracksMetadata::new(primary.as_str(), mode);
    metadata.calendar = opts.calendar;
    let names: Vec<(&str, &str)> = order.iter().map(|(n, _, u)| (n.as_str(), *u)).collect();
    let mut b = TracksBuilder::new(metadata, &names, None);
    for (id, points, rows) in c.tracks {
        let picked: Vec<Vec<f64>> = rows.iter().map(|r| order.iter().map(|o| r[o.1]).collect()).collect();
        b.push(id, &points, &picked);
    }
    b.finish().map_err(|e| with_path(e, path))
}

/// The point's `year month day hour`, or why TempestExtremes cannot write it.
fn date_fields(tracks: &Tracks, i: usize, p: usize) -> std::io::Result<[i64; 4]> {
    let t = tracks.times[p];
    if t.rem_euclid(HOUR_MS) != 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("TempestExtremes output holds whole hours only; {} of track {} is not on the hour", tracks.metadata.calendar.format_iso(t), tracks.ids[i]),
        ));
    }
    let c = tracks.metadata.calendar.civil(t);
    Ok([i64::from(c.year), i64::from(c.month), i64::from(c.day), i64::from(c.hour)])
}

/// The grid index written for point `p`: the `i`/`j` columns where the tracks have them, the
/// detection grid's column and row otherwise, 0 when neither is known.
fn grid_index(tracks: &Tracks, p: usize) -> [i64; 2] {
    let col = |n: &str| tracks.variable(n).map(|v| v.values[p]);
    if let (Some(i), j) = (col("i"), col("j")) {
        return [i as i64, j.unwrap_or(0.0) as i64];
    }
    match &tracks.grid {
        Some(g) if g.col[p] != u32::MAX => [i64::from(g.col[p]), i64::from(g.row[p])],
        _ => [0, 0],
    }
}

/// The value columns written: the primary first, then every other variable but `i`, `j`.
fn value_columns(tracks: &Tracks) -> Vec<usize> {
    let primary = &tracks.metadata.primary_variable;
    let mut cols: Vec<usize> =
        tracks.variables.iter().enumerate().filter(|(_, v)| &v.name != primary && v.name != "i" && v.name != "j").map(|(k, _)| k).collect();
    cols.insert(0, tracks.variables.iter().position(|v| &v.name == primary).expect("validated tracks carry their primary"));
    cols
}

/// C's `%e` without padding.
fn c_e(x: f64) -> String {
    c_exp(x).trim_start().to_string()
}

/// Write the text form (as StitchNodes writes it: tabs, longitudes in [0, 360)).
pub fn write(tracks: &Tracks, w: &mut dyn Write) -> std::io::Result<()> {
    let cols = value_columns(tracks);
    for i in 0..tracks.len() {
        let r = tracks.range(i);
        let [y, m, d, h] = date_fields(tracks, i, r.start)?;
        writeln!(w, "start\t{}\t{y}\t{m}\t{d}\t{h}", r.len())?;
        for p in r {
            let [y, m, d, h] = date_fields(tracks, i, p)?;
            let [gi, gj] = grid_index(tracks, p);
            let mut line = format!("\t{gi}\t{gj}\t{:.6}\t{:.6}", normalize_lon_360(tracks.lons[p]) + 0.0, tracks.lats[p]);
            for &c in &cols {
                line.push('\t');
                line.push_str(&c_e(tracks.variables[c].values[p]));
            }
            writeln!(w, "{line}\t{y}\t{m}\t{d}\t{h}")?;
        }
    }
    Ok(())
}

/// Write the CSV form (as StitchNodes writes it: `, ` between fields).
pub fn write_csv(tracks: &Tracks, w: &mut dyn Write) -> std::io::Result<()> {
    let cols = value_columns(tracks);
    let names: Vec<&str> = cols.iter().map(|&c| tracks.variables[c].name.as_str()).collect();
    writeln!(w, "track_id, year, month, day, hour, i, j, lon, lat, {}", names.join(", "))?;
    for i in 0..tracks.len() {
        for p in tracks.range(i) {
            let [y, m, d, h] = date_fields(tracks, i, p)?;
            let [gi, gj] = grid_index(tracks, p);
            let mut line = format!("{}, {y}, {m}, {d}, {h}, {gi}, {gj}, {:.6}, {:.6}", tracks.ids[i], normalize_lon_360(tracks.lons[p]) + 0.0, tracks.lats[p]);
            for &c in &cols {
                line.push_str(", ");
                line.push_str(&c_e(tracks.variables[c].values[p]));
            }
            writeln!(w, "{line}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "start\t2\t1999\t9\t10\t0\n\t605\t36\t302.500000\t18.000000\t1.003906e+05\t1.918985e+01\t1999\t9\t10\t0\n\t604\t37\t302.000000\t18.500000\t1.002089e+05\t2.398492e+01\t1999\t9\t10\t6\n";

    fn opts(columns: &str) -> ReadOptions {
        ReadOptions { fields: columns.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(), ..Default::default() }
    }

    #[test]
    fn text_round_trips_with_declared_columns() {
        let t = read_str(TEXT, Path::new("te.txt"), &opts("lon,lat,slp,wind")).unwrap();
        let names: Vec<&str> = t.variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["slp", "wind", "i", "j"]);
        assert_eq!((t.metadata.mode, t.lons[0], t.variables[0].unit.as_str()), (Mode::Min, -57.5, "Pa"));
        let mut out = Vec::new();
        write(&t, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), TEXT);
        let mut csv = Vec::new();
        write_csv(&t, &mut csv).unwrap();
        let back = read_csv_str(std::str::from_utf8(&csv).unwrap(), Path::new("te.csv"), &ReadOptions::default()).unwrap();
        assert_eq!(back.variables, t.variables);
        assert_eq!((back.times.clone(), back.lats.clone(), back.lons.clone()), (t.times.clone(), t.lats.clone(), t.lons.clone()));
    }

    #[test]
    fn undeclared_columns_and_bad_input() {
        let e = read_str(TEXT, Path::new("te.txt"), &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("field_0") && e.contains("min or max"), "{e}");
        let t = read_str(TEXT, Path::new("te.txt"), &ReadOptions { mode: Some(Mode::Min), ..Default::default() }).unwrap();
        assert_eq!(t.metadata.primary_variable, "field_0");
        for (text, words) in [
            (TEXT.replace("start\t2", "start\t3"), "truncated"),
            (TEXT.replace("\t6\n", "\t68\n"), "line 3: hour 68 is outside 0..23"),
            (TEXT.replace("18.500000", "98.5"), "outside [-90, 90]"),
            (TEXT.replace("1.002089e+05", "x"), "slp 'x' is not a number"),
            (TEXT.replace("start\t2\t1999", "begin\t2\t1999"), "expected a 'start"),
            (TEXT.replace("\t10\t0\n\t605", "\t10\t6\n\t605"), "differs from the date on its start line"),
        ] {
            let e = read_str(&text, Path::new("te.txt"), &opts("lon,lat,slp,wind")).unwrap_err().to_string();
            assert!(e.contains(words) && !e.contains('\n'), "{words}: {e}");
        }
        let e = read_str(TEXT, Path::new("te.txt"), &opts("lon,lat,slp")).unwrap_err().to_string();
        assert!(e.contains("4 columns") && e.contains("3 are declared"), "{e}");
        let e = read_str(TEXT, Path::new("te.txt"), &opts("x,y,slp,wind")).unwrap_err().to_string();
        assert!(e.contains("must include lon and lat"), "{e}");
        let e = read_csv_str("track_id, year\n", Path::new("te.csv"), &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("no 'month' column"), "{e}");
    }
}
