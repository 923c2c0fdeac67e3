//! The added fields of TRACK files (`ADD_FLD`, docs/formats.md#track): values TRACK sampled
//! along each track besides the tracked one, each with or without its own position.
//!
//! ```text
//! TRACK_NUM        2 ADD_FLD    3   7 &110
//! 2022011318 284.087189 29.495327 2.272951e+00 & 285.3 & 29.4 & 3.9 & 284.7 & 30.1 & 3.7 & 1.000000e+25
//! ```
//! `&110`: fields 1 and 2 carry `lon & lat & value`, field 3 a value alone; 7 values in all.
//! TRACK writes `1e25` where a value is missing.

use crate::tracks::Tracks;

/// TRACK's missing value in added fields.
pub const MISSING: f64 = 1e25;

/// The `ADD_FLD` declaration: for each added field, whether it carries its own position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddedFields {
    pub with_position: Vec<bool>,
}

impl AddedFields {
    /// Parse the tokens of a `TRACK_NUM` line after the track count (`ADD_FLD n m &flags`);
    /// no `ADD_FLD` at all is no added field.
    pub fn parse(tokens: &[&str]) -> std::result::Result<Self, String> {
        let Some(at) = tokens.iter().position(|t| *t == "ADD_FLD") else { return Ok(AddedFields::default()) };
        let rest = &tokens[at + 1..];
        let int = |k: usize, what: &str| -> std::result::Result<usize, String> {
            let tok = rest.get(k).ok_or_else(|| format!("malformed ADD_FLD: the {what} is missing; expected 'ADD_FLD <fields> <values> &<flags>'"))?;
            tok.parse().map_err(|_| format!("malformed ADD_FLD: the {what} '{tok}' is not a non-negative integer"))
        };
        let (n_fields, n_values) = (int(0, "number of fields")?, int(1, "number of values")?);
        let flags = match rest.get(2) {
            Some(f) => f.strip_prefix('&').ok_or_else(|| format!("malformed ADD_FLD: expected '&<flags>' after the counts, got '{f}'"))?,
            None => "",
        };
        if rest.len() > 3 {
            return Err(format!("malformed ADD_FLD: unexpected '{}' after the flags", rest[3]));
        }
        let with_position = flags
            .chars()
            .map(|c| match c {
                '1' => Ok(true),
                '0' => Ok(false),
                other => Err(format!("malformed ADD_FLD: flag '{other}' is neither 0 nor 1")),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let fields = AddedFields { with_position };
        if fields.with_position.len() != n_fields {
            return Err(format!("ADD_FLD declares {n_fields} fields but gives {} flags", fields.with_position.len()));
        }
        if fields.n_values() != n_values {
            return Err(format!("ADD_FLD declares {n_values} values but its flags make {} (3 per field with a position, 1 without)", fields.n_values()));
        }
        Ok(fields)
    }

    /// Number of values each point carries after the tracked one.
    pub fn n_values(&self) -> usize {
        self.with_position.iter().map(|&p| if p { 3 } else { 1 }).sum()
    }

    /// Column names of the values, in file order: `name_lon`, `name_lat`, `name` for a field
    /// with a position; `names` where given (one per field), `field_<k>` (0-based) otherwise.
    pub fn columns(&self, names: &[String]) -> std::result::Result<Vec<(String, &'static str)>, String> {
        if !names.is_empty() && names.len() != self.with_position.len() {
            return Err(format!("{} added field names were given but the file has {} added fields", names.len(), self.with_position.len()));
        }
        let mut out = Vec::with_capacity(self.n_values());
        for (k, &pos) in self.with_position.iter().enumerate() {
            let name = names.get(k).cloned().unwrap_or_else(|| format!("field_{k}"));
            if pos {
                out.push((format!("{name}_lon"), "degrees_east"));
                out.push((format!("{name}_lat"), "degrees_north"));
            }
            out.push((name, "1"));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some((dup, _)) = out.iter().find(|(c, _)| !seen.insert(c.as_str())) {
            return Err(format!("the added field column '{dup}' appears twice; give each field its own name"));
        }
        Ok(out)
    }

    /// The `ADD_FLD    n   m &flags` part of the header line.
    pub fn header(&self) -> String {
        let flags: String = self.with_position.iter().map(|&p| if p { '1' } else { '0' }).collect();
        format!("ADD_FLD {:4} {:3} &{flags}", self.with_position.len(), self.n_values())
    }
}

/// The added fields to write for `tracks`, with the indices of the variables that fill them in
/// order: every variable but the primary; a variable `X` whose `X_lon` and `X_lat` exist is a
/// field with a position (those two are then not fields of their own).
pub fn of_tracks(tracks: &Tracks) -> (AddedFields, Vec<usize>) {
    let index = |name: &str| tracks.variables.iter().position(|v| v.name == name);
    let primary = &tracks.metadata.primary_variable;
    let positioned = |name: &str| matches!((index(&format!("{name}_lon")), index(&format!("{name}_lat"))), (Some(_), Some(_)));
    let is_position_of_field =
        |name: &str| [("_lon"), ("_lat")].iter().any(|s| name.strip_suffix(s).is_some_and(|base| base != primary && index(base).is_some() && positioned(base)));
    let (mut fields, mut columns) = (AddedFields::default(), Vec::new());
    for (k, v) in tracks.variables.iter().enumerate() {
        if &v.name == primary || is_position_of_field(&v.name) {
            continue;
        }
        let pos = positioned(&v.name);
        if pos {
            columns.push(index(&format!("{}_lon", v.name)).unwrap());
            columns.push(index(&format!("{}_lat", v.name)).unwrap());
        }
        columns.push(k);
        fields.with_position.push(pos);
    }
    (fields, columns)
}

/// A value read from an added field: TRACK's missing value becomes NaN.
pub fn read_value(x: f64) -> f64 {
    if x.abs() >= MISSING { f64::NAN } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_declarations_track_writes() {
        let toks = |s: &'static str| s.split_whitespace().collect::<Vec<_>>();
        let f = AddedFields::parse(&toks("ADD_FLD   13  33 &1111111111000")).unwrap();
        assert_eq!((f.with_position.len(), f.n_values()), (13, 33));
        assert_eq!(AddedFields::parse(&toks("ADD_FLD    0   0 &")).unwrap(), AddedFields::default());
        assert_eq!(AddedFields::parse(&[]).unwrap(), AddedFields::default());
        assert_eq!(f.header(), "ADD_FLD   13  33 &1111111111000");
        for (bad, words) in [
            ("ADD_FLD 2 4 &11", "declares 4 values"),
            ("ADD_FLD 3 6 &11", "declares 3 fields"),
            ("ADD_FLD 1 3 &2", "neither 0 nor 1"),
            ("ADD_FLD x 3 &1", "not a non-negative integer"),
            ("ADD_FLD 1", "missing"),
            ("ADD_FLD 1 3 1", "expected '&<flags>'"),
        ] {
            let e = AddedFields::parse(&toks(bad)).unwrap_err();
            assert!(e.contains(words), "{bad}: {e}");
        }
    }

    #[test]
    fn names_columns_as_given_or_by_position() {
        let f = AddedFields { with_position: vec![true, false] };
        let names: Vec<String> = f.columns(&[]).unwrap().into_iter().map(|c| c.0).collect();
        assert_eq!(names, ["field_0_lon", "field_0_lat", "field_0", "field_1"]);
        let names: Vec<String> = f.columns(&["vor".into(), "mslp".into()]).unwrap().into_iter().map(|c| c.0).collect();
        assert_eq!(names, ["vor_lon", "vor_lat", "vor", "mslp"]);
        assert!(f.columns(&["one".into()]).unwrap_err().contains("1 added field names"));
        assert!(read_value(1e25).is_nan() && read_value(-1e25).is_nan() && read_value(3.0) == 3.0);
    }
}
