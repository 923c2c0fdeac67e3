//! Time: the canonical representation is signed milliseconds since 1970-01-01T00:00:00 counted in
//! the data's CF calendar: the proleptic Gregorian calendar (UTC) for `standard` and
//! `proleptic_gregorian` data, as in PyStormTracker 0.8, and the model calendar otherwise (see
//! docs/algorithms.md#time-decoding and docs/calendars.md).

use crate::error::{Error, Result};

/// Milliseconds per CF unit word.
fn unit_scale_ms(word: &str) -> Option<f64> {
    Some(match word.to_ascii_lowercase().as_str() {
        "days" | "day" | "d" => 86_400_000.0,
        "hours" | "hour" | "hr" | "hrs" | "h" => 3_600_000.0,
        "minutes" | "minute" | "min" | "mins" | "m" => 60_000.0,
        "seconds" | "second" | "sec" | "secs" | "s" => 1_000.0,
        "milliseconds" | "millisecond" | "msec" | "ms" => 1.0,
        "microseconds" | "microsecond" | "us" => 1e-3,
        "nanoseconds" | "nanosecond" | "ns" => 1e-6,
        _ => return None,
    })
}

/// The CF calendars (see docs/calendars.md). Times are milliseconds since 1970-01-01T00:00 counted
/// in the calendar itself, so differences are real durations in every calendar (all have
/// 86 400-second days) and dates such as a 360-day February 30 keep their own value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Calendar {
    /// `proleptic_gregorian`, or no calendar attribute.
    #[default]
    ProlepticGregorian,
    /// `standard` / `gregorian`: identical after 1582-10-15, earlier dates are rejected.
    Standard,
    /// `julian`: a leap year every fourth year.
    Julian,
    /// `noleap` / `365_day`: no leap years.
    NoLeap,
    /// `all_leap` / `366_day`: every year a leap year.
    AllLeap,
    /// `360_day`: twelve months of 30 days.
    Day360,
}

/// Cumulative days before each month in a 365-day year.
const DAYS_BEFORE_MONTH: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

impl Calendar {
    /// Every calendar, for tests and messages.
    pub const ALL: [Calendar; 6] = [Calendar::ProlepticGregorian, Calendar::Standard, Calendar::Julian, Calendar::NoLeap, Calendar::AllLeap, Calendar::Day360];

    /// Parse a CF `calendar` attribute (case-insensitive; CF aliases accepted).
    pub fn parse(attr: Option<&str>) -> Result<Self> {
        let Some(s) = attr.map(|s| s.trim().to_ascii_lowercase()) else { return Ok(Calendar::ProlepticGregorian) };
        Ok(match s.as_str() {
            "" | "proleptic_gregorian" => Calendar::ProlepticGregorian,
            "standard" | "gregorian" => Calendar::Standard,
            "julian" => Calendar::Julian,
            "noleap" | "365_day" => Calendar::NoLeap,
            "all_leap" | "366_day" => Calendar::AllLeap,
            "360_day" => Calendar::Day360,
            _ => return Err(Error::UnsupportedCalendar(s)),
        })
    }

    /// The CF name written to outputs.
    pub fn name(self) -> &'static str {
        match self {
            Calendar::ProlepticGregorian => "proleptic_gregorian",
            Calendar::Standard => "standard",
            Calendar::Julian => "julian",
            Calendar::NoLeap => "noleap",
            Calendar::AllLeap => "all_leap",
            Calendar::Day360 => "360_day",
        }
    }

    /// Whether times are proleptic Gregorian instants (`standard` is, from 1582-10-15 on, the
    /// only range it accepts): such times are Arrow timestamps; the others are not.
    pub fn is_gregorian(self) -> bool {
        matches!(self, Calendar::ProlepticGregorian | Calendar::Standard)
    }

    /// The calendar outputs name: `proleptic_gregorian` for the Gregorian family (our times
    /// are proleptic), the calendar itself otherwise.
    pub fn output(self) -> Calendar {
        if self.is_gregorian() { Calendar::ProlepticGregorian } else { self }
    }

    fn is_leap(self, year: i64) -> bool {
        match self {
            Calendar::ProlepticGregorian | Calendar::Standard => year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0),
            Calendar::Julian => year.rem_euclid(4) == 0,
            Calendar::AllLeap => true,
            Calendar::NoLeap | Calendar::Day360 => false,
        }
    }

    /// Days in `month` (1-12) of `year`.
    pub fn month_days(self, year: i64, month: u32) -> u32 {
        if self == Calendar::Day360 {
            return 30;
        }
        let m = month as usize;
        let days = (DAYS_BEFORE_MONTH[m] - DAYS_BEFORE_MONTH[m - 1]) as u32;
        if month == 2 && self.is_leap(year) { days + 1 } else { days }
    }

    /// Days from 1970-01-01 to the date (`None` for a date the calendar does not have).
    pub fn days_from_civil(self, year: i64, month: u32, day: u32) -> Option<i64> {
        if !(1..=12).contains(&month) || day == 0 || day > self.month_days(year, month) {
            return None;
        }
        let (m, d) = (month as i64, day as i64);
        Some(match self {
            Calendar::ProlepticGregorian | Calendar::Standard => gregorian_days(year, m, d),
            Calendar::Julian => julian_day_number(year, m, d) - julian_day_number(1970, 1, 1),
            Calendar::NoLeap => 365 * (year - 1970) + DAYS_BEFORE_MONTH[month as usize - 1] + d - 1,
            Calendar::AllLeap => 366 * (year - 1970) + DAYS_BEFORE_MONTH[month as usize - 1] + i64::from(month > 2) + d - 1,
            Calendar::Day360 => 360 * (year - 1970) + 30 * (m - 1) + d - 1,
        })
    }

    /// The date `days` after 1970-01-01: (year, month, day).
    pub fn civil_from_days(self, days: i64) -> (i64, u32, u32) {
        let in_year = |year_len: i64, leap: bool| {
            let (y, doy) = (1970 + days.div_euclid(year_len), days.rem_euclid(year_len));
            let before = |m: usize| DAYS_BEFORE_MONTH[m] + i64::from(leap && m >= 2);
            let m = (1..=12).find(|&m| doy < before(m)).unwrap_or(12);
            (y, m as u32, (doy - before(m - 1) + 1) as u32)
        };
        match self {
            Calendar::ProlepticGregorian | Calendar::Standard => gregorian_civil(days),
            Calendar::Julian => julian_civil(days + julian_day_number(1970, 1, 1)),
            Calendar::NoLeap => in_year(365, false),
            Calendar::AllLeap => in_year(366, true),
            Calendar::Day360 => (1970 + days.div_euclid(360), (days.rem_euclid(360) / 30 + 1) as u32, (days.rem_euclid(30) + 1) as u32),
        }
    }

    /// Broken-down time of `ms` in this calendar.
    pub fn civil(self, ms: i64) -> Civil {
        let (days, in_day) = (ms.div_euclid(MS_PER_DAY), ms.rem_euclid(MS_PER_DAY));
        let (year, month, day) = self.civil_from_days(days);
        Civil {
            year: year as i32,
            month,
            day,
            hour: (in_day / 3_600_000) as u32,
            minute: (in_day / 60_000 % 60) as u32,
            second: (in_day / 1000 % 60) as u32,
            millisecond: (in_day % 1000) as u32,
        }
    }

    /// Milliseconds of a date and hour in this calendar; `None` for a date it does not have.
    pub fn from_civil(self, year: i32, month: u32, day: u32, hour: u32) -> Option<i64> {
        if hour > 23 {
            return None;
        }
        Some(self.days_from_civil(year as i64, month, day)? * MS_PER_DAY + hour as i64 * 3_600_000)
    }

    /// The first instant of the month of `ms`.
    pub fn month_start(self, ms: i64) -> i64 {
        let c = self.civil(ms);
        self.from_civil(c.year, c.month, 1, 0).expect("day 1 exists in every calendar")
    }

    /// `YYYY-MM-DDTHH:MM:SS` of `ms` in this calendar, for messages, metadata and the dataset.
    pub fn format_iso(self, ms: i64) -> String {
        let c = self.civil(ms);
        format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }
}

const MS_PER_DAY: i64 = 86_400_000;

/// Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
fn gregorian_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`gregorian_days`].
fn gregorian_civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

/// Julian day number of a Julian-calendar date.
fn julian_day_number(y: i64, m: i64, d: i64) -> i64 {
    let a = (14 - m) / 12;
    let (y, m) = (y + 4800 - a, m + 12 * a - 3);
    d + (153 * m + 2) / 5 + 365 * y + y.div_euclid(4) - 32_083
}

/// Julian-calendar date of a Julian day number.
fn julian_civil(jdn: i64) -> (i64, u32, u32) {
    let c = jdn + 32_082;
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2) / 153;
    (d - 4800 + m / 10, (m + 3 - 12 * (m / 10)) as u32, (e - (153 * m + 2) / 5 + 1) as u32)
}

/// Frame times and the calendar they count in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeAxis {
    /// Milliseconds since 1970-01-01 in `calendar`, strictly increasing.
    pub times: Vec<i64>,
    pub calendar: Calendar,
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

/// The origin of a CF unit in ms. In the `standard` calendar an origin before 1582-10-15 is a
/// Julian date (the calendar is mixed, as in cftime), shifted onto the proleptic Gregorian axis.
fn parse_origin(calendar: Calendar, origin: &str) -> Option<i64> {
    let proleptic = calendar.parse_datetime(origin)?;
    if calendar != Calendar::Standard || proleptic >= GREGORIAN_START_MS {
        return Some(proleptic);
    }
    // Julian 1970-01-01 is Gregorian 1970-01-14
    Some(Calendar::Julian.parse_datetime(origin)? + 13 * MS_PER_DAY)
}

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
        let origin_ms = parse_origin(calendar, origin.trim())
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
                self.calendar.format_iso(ms)
            )));
        }
        Ok(ms)
    }
}

/// Parse an ISO-like date-time (`YYYY-MM-DD`, with optional `T` or space and `hh:mm[:ss[.f]]`,
/// and an optional `Z`/`UTC`/`+00:00` suffix) to ms since the epoch in the proleptic Gregorian
/// calendar. Years may have 1-4 digits.
pub fn parse_datetime_ms(s: &str) -> Option<i64> {
    Calendar::ProlepticGregorian.parse_datetime(s)
}

impl Calendar {
    /// [`parse_datetime_ms`] in this calendar: `2001-02-30` is a date of `360_day`.
    pub fn parse_datetime(self, s: &str) -> Option<i64> {
        let s = s.trim();
        let s = s.strip_suffix("UTC").or_else(|| s.strip_suffix('Z')).unwrap_or(s).trim_end();
        let s = s.strip_suffix("+00:00").or_else(|| s.strip_suffix("+0000")).unwrap_or(s).trim_end();
        let (date, time) = match s.find(['T', ' ']) {
            Some(i) => (&s[..i], s[i + 1..].trim()),
            None => (s, ""),
        };
        let mut dp = date.split('-');
        let y: i64 = dp.next()?.parse().ok()?;
        let m: u32 = dp.next().unwrap_or("1").parse().ok()?;
        let d: u32 = dp.next().unwrap_or("1").parse().ok()?;
        if dp.next().is_some() || !(-9999..=9999).contains(&y) {
            return None;
        }
        let days = self.days_from_civil(y, m, d)?;
        let (mut hh, mut mm, mut sec) = (0i64, 0i64, 0.0f64);
        if !time.is_empty() {
            let mut tp = time.split(':');
            hh = tp.next()?.parse().ok()?;
            mm = tp.next().unwrap_or("0").parse().ok()?;
            sec = tp.next().unwrap_or("0").parse().ok()?;
            if tp.next().is_some() || !(0..24).contains(&hh) || !(0..60).contains(&mm) || !(0.0..60.0).contains(&sec) {
                return None;
            }
        }
        let ms_in_day = (hh * 3600 + mm * 60 + sec.trunc() as i64) * 1000 + (sec.fract() * 1000.0).round() as i64;
        Some(days * MS_PER_DAY + ms_in_day)
    }
}

/// Broken-down time of a ms value in some calendar.
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

/// Parse a user-supplied time bound (CLI `--start`/`--end`): an ISO date or date-time.
pub fn parse_user_time(option: &str, s: &str, calendar: Calendar) -> Result<i64> {
    parse_user_time_any(option, s)?;
    calendar
        .parse_datetime(s)
        .ok_or_else(|| Error::option(option, format!("'{s}' is not a date of the input's calendar ({}); give a date it has", calendar.name())))
}

/// Check a user-supplied time bound before the input is open: a date or date-time of some CF
/// calendar (`2001-02-30` is one of `360_day`). Returns its proleptic Gregorian value when it has one.
pub fn parse_user_time_any(option: &str, s: &str) -> Result<Option<i64>> {
    if Calendar::ALL.iter().all(|c| c.parse_datetime(s).is_none()) {
        return Err(Error::option(option, format!("'{s}' is not a date or date-time such as 2025-12-01 or 2025-12-01T06:00")));
    }
    Ok(parse_datetime_ms(s))
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
        assert!(matches!(CfTimeUnits::parse("days since 2000-01-01", Some("365.25_day")), Err(Error::UnsupportedCalendar(_))));
        assert!(CfTimeUnits::parse("fortnights since 2000-01-01", None).is_err());
        assert!(CfTimeUnits::parse("hours after 2000-01-01", None).is_err());
        let u = CfTimeUnits::parse("hours since 2000-01-01", None).unwrap();
        assert!(u.decode(0.5000001).is_err());
        assert_eq!(u.decode(0.5).unwrap(), parse_datetime_ms("2000-01-01T00:30").unwrap());
    }

    #[test]
    fn civil_round_trip() {
        let g = Calendar::ProlepticGregorian;
        let ms = g.from_civil(2025, 12, 1, 6).unwrap();
        let c = g.civil(ms);
        assert_eq!((c.year, c.month, c.day, c.hour), (2025, 12, 1, 6));
        assert_eq!(g.format_iso(ms), "2025-12-01T06:00:00");
    }

    /// Values of `cftime.date2num(date, "milliseconds since 1970-01-01", calendar)` (cftime 1.6).
    const CFTIME: [(Calendar, (i32, u32, u32, u32), i64); 20] = [
        (Calendar::ProlepticGregorian, (1850, 1, 1, 0), -3786825600000),
        (Calendar::ProlepticGregorian, (2000, 2, 29, 6), 951804000000),
        (Calendar::ProlepticGregorian, (2100, 3, 1, 18), 4107607200000),
        (Calendar::ProlepticGregorian, (1, 1, 1, 0), -62135596800000),
        (Calendar::Julian, (1850, 1, 1, 0), -3786912000000),
        (Calendar::Julian, (2000, 2, 29, 6), 951804000000),
        (Calendar::Julian, (2100, 2, 29, 18), 4107607200000),
        (Calendar::Julian, (1, 1, 1, 0), -62136892800000),
        (Calendar::NoLeap, (1850, 1, 1, 0), -3784320000000),
        (Calendar::NoLeap, (2001, 2, 28, 6), 982648800000),
        (Calendar::NoLeap, (2100, 3, 1, 18), 4104842400000),
        (Calendar::NoLeap, (1, 1, 1, 0), -62094384000000),
        (Calendar::AllLeap, (1850, 1, 1, 0), -3794688000000),
        (Calendar::AllLeap, (2001, 2, 29, 6), 985413600000),
        (Calendar::AllLeap, (2100, 12, 31, 18), 4142512800000),
        (Calendar::AllLeap, (1, 1, 1, 0), -62264505600000),
        (Calendar::Day360, (1850, 1, 1, 0), -3732480000000),
        (Calendar::Day360, (2001, 2, 30, 6), 969343200000),
        (Calendar::Day360, (2100, 12, 30, 18), 4074602400000),
        (Calendar::Day360, (1, 1, 1, 0), -61243776000000),
    ];

    #[test]
    fn every_calendar_agrees_with_cftime() {
        for (cal, (y, m, d, h), ms) in CFTIME {
            assert_eq!(cal.from_civil(y, m, d, h), Some(ms), "{cal:?} {y}-{m}-{d}");
            let c = cal.civil(ms);
            assert_eq!((c.year, c.month, c.day, c.hour), (y, m, d, h), "{cal:?} {ms}");
        }
    }

    #[test]
    fn dates_a_calendar_lacks_are_refused() {
        assert_eq!(Calendar::NoLeap.from_civil(2000, 2, 29, 0), None);
        assert_eq!(Calendar::ProlepticGregorian.from_civil(2001, 2, 30, 0), None);
        assert_eq!(Calendar::Day360.from_civil(2001, 1, 31, 0), None);
        assert_eq!(Calendar::Julian.from_civil(2100, 2, 30, 0), None);
        assert_eq!(Calendar::Day360.format_iso(Calendar::Day360.parse_datetime("2001-02-30T06").unwrap()), "2001-02-30T06:00:00");
        assert!(matches!(Calendar::parse(Some("none")), Err(Error::UnsupportedCalendar(_))));
        assert_eq!(Calendar::parse(Some("365_day")).unwrap(), Calendar::NoLeap);
        assert_eq!(Calendar::parse(Some("366_DAY")).unwrap(), Calendar::AllLeap);
    }

    #[test]
    fn day_numbers_round_trip_in_every_calendar() {
        for cal in Calendar::ALL {
            for days in (-800_000..800_000).step_by(997) {
                let (y, m, d) = cal.civil_from_days(days);
                assert_eq!(cal.days_from_civil(y, m, d), Some(days), "{cal:?} {days}");
            }
        }
    }

    #[test]
    fn standard_origin_before_the_reform_is_julian() {
        // cftime.num2date(730000, "days since 0001-01-01", "standard") == 1999-09-02
        let u = CfTimeUnits::parse("days since 0001-01-01", Some("standard")).unwrap();
        assert_eq!(Calendar::Standard.format_iso(u.decode(730_000.0).unwrap()), "1999-09-02T00:00:00");
        let u = CfTimeUnits::parse("days since 1582-10-04", Some("gregorian")).unwrap();
        assert!(u.decode(0.0).is_err());
        assert_eq!(Calendar::Standard.format_iso(u.decode(1.0).unwrap()), "1582-10-15T00:00:00");
    }
}
