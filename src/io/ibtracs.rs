//! IBTrACS v04 (docs/formats.md#ibtracs), the observed tropical cyclones, as a reference for
//! `compare`: the NetCDF file (`storm x date_time` arrays) and the CSV file (one row per
//! observation, a units row under the header).
//!
//! Each storm is a track numbered by its position in the file (1, 2, ...); its points are the
//! observations with a time and a position. The tracked variable is `wmo_pres` (the WMO agency's
//! central pressure, hPa read as Pa, minima), NaN where the agency gives none (IBTrACS
//! interpolates positions to 3-hourly times but not pressures); `wmo_wind` (knots) rides along.

use super::format_error;
use crate::error::{Error, Result};
use crate::time::{Calendar, CfTimeUnits};
use crate::tracks::{Point, Tracks, TracksBuilder, TracksMetadata};
use crate::variables::Mode;
use std::path::Path;

/// The variables kept, with their unit after reading and the factor from IBTrACS' unit.
const KEPT: [(&str, &str, f64); 2] = [("wmo_pres", "Pa", 100.0), ("wmo_wind", "kt", 1.0)];

/// Whether a NetCDF file looks like IBTrACS: a `sid` per storm and `storm x date_time` times.
#[cfg(feature = "netcdf")]
pub fn is_ibtracs_netcdf(file: &netcdf_reader::NcFile) -> bool {
    let dims = |name: &str| file.variable(name).map(|v| v.dimensions().iter().map(|d| d.name.clone()).collect::<Vec<_>>()).unwrap_or_default();
    dims("sid").first().map(String::as_str) == Some("storm") && dims("time") == ["storm", "date_time"]
}

/// Tracks from per-storm rows of observations: `(time, lat, lon, values)` where valid.
fn build(storms: Vec<Vec<(i64, f64, f64, [f64; 2])>>, path: &Path) -> Result<Tracks> {
    let mut metadata = TracksMetadata::new(KEPT[0].0, Mode::Min);
    metadata.calendar = Calendar::Standard;
    let names: Vec<(&str, &str)> = KEPT.iter().map(|k| (k.0, k.1)).collect();
    let mut b = TracksBuilder::new(metadata, &names, None);
    for (k, obs) in storms.into_iter().enumerate() {
        let mut points: Vec<Point> = Vec::with_capacity(obs.len());
        let mut values: Vec<Vec<f64>> = Vec::with_capacity(obs.len());
        for (time, lat, lon, v) in obs {
            // IBTrACS repeats no time within a storm; a repeat would be a corrupt file
            if points.last().is_some_and(|p| p.time >= time) {
                return Err(format_error(path, format!("storm {} has times out of order", k + 1)));
            }
            points.push(Point { time, lat, lon, grid: None });
            values.push(v.to_vec());
        }
        if !points.is_empty() {
            b.push(k as i64 + 1, &points, &values);
        }
    }
    b.finish().map_err(|e| super::imilast::with_path(e, path))
}

/// Read the IBTrACS NetCDF file.
#[cfg(feature = "netcdf")]
pub fn read_netcdf(file: &netcdf_reader::NcFile, path: &Path) -> Result<Tracks> {
    let var = |name: &str| -> Result<Vec<f64>> {
        let v = file.variable(name).map_err(|_| format_error(path, format!("it has no '{name}' variable: not an IBTrACS file")))?;
        super::cf_trajectory::unpacked_values(file, v, path)
    };
    let time_var = file.variable("time").map_err(|_| format_error(path, "it has no time variable"))?;
    let text = |a: &str| time_var.attribute(a).and_then(|a| a.value.as_string());
    let units = text("units").ok_or_else(|| format_error(path, "its time variable has no units"))?;
    let cf = CfTimeUnits::parse(&units, text("calendar").as_deref()).map_err(|e| format_error(path, e))?;
    let n_storms = file.dimension("storm").map_err(|e| format_error(path, e))?.size as usize;
    let n_times = file.dimension("date_time").map_err(|e| format_error(path, e))?.size as usize;
    let (time, lat, lon) = (var("time")?, var("lat")?, var("lon")?);
    let kept: Vec<Vec<f64>> = KEPT.iter().map(|k| var(k.0)).collect::<Result<_>>()?;
    let cells = n_storms * n_times;
    if [time.len(), lat.len(), lon.len()].into_iter().chain(kept.iter().map(Vec::len)).any(|n| n != cells) {
        return Err(format_error(path, format!("its storm x date_time variables do not all hold {n_storms} x {n_times} values")));
    }
    let mut storms = Vec::with_capacity(n_storms);
    for s in 0..n_storms {
        let mut obs = Vec::new();
        for c in s * n_times..(s + 1) * n_times {
            if !(time[c].is_finite() && lat[c].is_finite() && lon[c].is_finite()) {
                continue;
            }
            // IBTrACS times are whole minutes; round the float days to the minute
            let t = cf.decode((time[c] * 1440.0).round() / 1440.0).map_err(|e| format_error(path, e))?;
            let t = (t as f64 / 60_000.0).round() as i64 * 60_000;
            obs.push((t, lat[c], lon[c], [kept[0][c] * KEPT[0].2, kept[1][c] * KEPT[1].2]));
        }
        storms.push(obs);
    }
    build(storms, path)
}

/// Whether CSV text is IBTrACS': a header beginning `SID,SEASON`.
pub fn is_ibtracs_csv(first_line: &str) -> bool {
    first_line.trim_start_matches('\u{feff}').replace(' ', "").to_ascii_uppercase().starts_with("SID,SEASON")
}

/// Read the IBTrACS CSV file (`ISO_TIME` in UTC, a units row under the header, blanks missing).
pub fn read_csv_str(text: &str, path: &Path) -> Result<Tracks> {
    let perr = |line: usize, reason: String| Error::Parse { path: path.to_path_buf(), line, reason };
    let mut lines = text.lines().enumerate().map(|(k, l)| (k + 1, l));
    let (hl, header) = lines.next().ok_or_else(|| perr(1, "the file is empty".into()))?;
    let names: Vec<String> = header.trim_start_matches('\u{feff}').split(',').map(|c| c.trim().to_ascii_uppercase()).collect();
    let find = |n: &str| names.iter().position(|c| c == n).ok_or_else(|| perr(hl, format!("the IBTrACS header has no {n} column")));
    let (sid, iso, lat, lon) = (find("SID")?, find("ISO_TIME")?, find("LAT")?, find("LON")?);
    let kept: Vec<usize> = ["WMO_PRES", "WMO_WIND"].iter().map(|n| find(n)).collect::<Result<_>>()?;
    let mut storms: super::grouping::FirstAppearance<String, (i64, f64, f64, [f64; 2])> = Default::default();
    for (lineno, line) in lines {
        let tok: Vec<&str> = line.split(',').map(str::trim).collect();
        if line.trim().is_empty() || (lineno == 2 && tok.get(sid).is_some_and(|s| s.is_empty())) {
            continue; // the units row
        }
        if tok.len() != names.len() {
            return Err(perr(lineno, format!("the row has {} fields but the header names {}", tok.len(), names.len())));
        }
        let number = |k: usize, what: &str| -> std::result::Result<f64, String> {
            if tok[k].is_empty() {
                return Ok(f64::NAN);
            }
            tok[k].parse::<f64>().map_err(|_| format!("{what} '{}' is not a number", tok[k]))
        };
        let t = Calendar::Standard.parse_datetime(tok[iso]).ok_or_else(|| perr(lineno, format!("ISO_TIME '{}' is not a date and time", tok[iso])))?;
        let (la, lo) = (number(lat, "LAT").map_err(|r| perr(lineno, r))?, number(lon, "LON").map_err(|r| perr(lineno, r))?);
        if !(la.is_finite() && lo.is_finite()) {
            continue;
        }
        let v = [number(kept[0], "WMO_PRES").map_err(|r| perr(lineno, r))? * KEPT[0].2, number(kept[1], "WMO_WIND").map_err(|r| perr(lineno, r))? * KEPT[1].2];
        storms.push(tok[sid].to_string(), (t, la, lo, v));
    }
    build(storms.into_groups().into_iter().map(|(_, rows)| rows).collect(), path)
}
