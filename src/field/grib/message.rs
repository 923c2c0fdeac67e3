//! One GRIB message as this reader keeps it: where it lies in the file, what it holds
//! (parameter, level, member, valid time), its grid and how its values are packed. The two
//! editions are parsed in `edition1` and `edition2` into this one form; decoding is common.

use super::bits::{for_each_packed, power};
use super::params::Param;
use std::ops::Range;

/// Why a message cannot be used, before the file's path and offset are added.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Problem {
    /// The bytes contradict themselves.
    Corrupt(String),
    /// A valid message in a form not decoded here.
    Unsupported(String),
}

pub(super) type Parsed<T> = std::result::Result<T, Problem>;

pub(super) fn corrupt<T>(detail: impl Into<String>) -> Parsed<T> {
    Err(Problem::Corrupt(detail.into()))
}

pub(super) fn unsupported<T>(feature: impl Into<String>) -> Parsed<T> {
    Err(Problem::Unsupported(feature.into()))
}

/// A message's vertical level: what identifies it, and how a user reads it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Level {
    /// Edition, level type and value: equal for messages on one level.
    pub key: (u8, u16, i64),
    pub text: String,
}

/// A regular latitude-longitude grid, or a Gaussian one (regular or reduced), as a message
/// describes it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LatLonGrid {
    /// Points per row (the longest row of a reduced grid).
    pub ni: usize,
    pub nj: usize,
    /// First and last latitude and longitude, in 1/`per_degree` degrees, in scan order.
    pub lat_first: i64,
    pub lat_last: i64,
    pub lon_first: i64,
    pub lon_last: i64,
    pub per_degree: f64,
    /// The scanning mode flags (table 8 / 3.4): 0x80 i scans west, 0x40 j scans north,
    /// 0x20 j is the fast index.
    pub scan: u8,
    /// A Gaussian grid: N, the rows between a pole and the equator (the rows' latitudes are
    /// those of the 2N-row grid from the first to the last latitude).
    pub gaussian: Option<usize>,
    /// A reduced Gaussian grid: the points of each row, in scan order.
    pub pl: Option<Vec<usize>>,
}

pub(super) const SCAN_I_NEGATIVE: u8 = 0x80;
pub(super) const SCAN_J_CONSECUTIVE: u8 = 0x20;

/// Simple packing: value = (reference + packed * 2^binary_scale) * 10^-decimal_scale.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SimplePacking {
    pub reference: f64,
    pub binary_scale: i64,
    pub decimal_scale: i64,
    pub bits: u32,
    /// Packed values, relative to the message start.
    pub values: Range<usize>,
    /// Bits at the end of `values` that hold no value.
    pub unused_bits: usize,
    /// The bitmap, relative to the message start: one bit per grid point, 1 where a value is.
    pub bitmap: Option<Range<usize>>,
}

/// One field: a parsed message.
#[derive(Debug, Clone)]
pub(super) struct Message {
    /// Where the message starts in the file, and its length in bytes.
    pub offset: u64,
    pub length: u64,
    pub param: Param,
    pub level: Level,
    /// Ensemble member, where the message says.
    pub member: Option<u64>,
    /// Valid time in ms since 1970-01-01 (proleptic Gregorian).
    pub valid: i64,
    pub grid: LatLonGrid,
    pub packing: SimplePacking,
}

/// A message as the scan of a file leaves it: parsed where its parameter is wanted, else
/// only named.
#[derive(Debug)]
pub(super) enum Scanned {
    Wanted(Message),
    Other(Param),
}

/// Seconds in one unit of a forecast step (GRIB 1 table 4; GRIB 2 table 4.4 differs only in
/// that 13 is the second).
pub(super) fn step_unit_seconds(edition: u8, unit: u8) -> Option<i64> {
    Some(match (edition, unit) {
        (_, 0) => 60,
        (_, 1) => 3600,
        (_, 2) => 86_400,
        (_, 10) => 3 * 3600,
        (_, 11) => 6 * 3600,
        (_, 12) => 12 * 3600,
        (1, 13) => 900,
        (1, 14) => 1800,
        (1, 254) | (2, 13) => 1,
        _ => return None,
    })
}

/// Milliseconds since 1970-01-01 of a date and time, proleptic Gregorian (GRIB's calendar).
pub(super) fn civil_ms(year: i64, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Parsed<i64> {
    let days = crate::time::Calendar::ProlepticGregorian.days_from_civil(year, u32::from(month), u32::from(day));
    match days {
        Some(days) if hour < 24 && minute < 60 && second < 60 => {
            Ok(days * 86_400_000 + (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * 1000)
        }
        _ => corrupt(format!("its date {year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02} does not exist")),
    }
}

/// The valid time: the reference time plus `step` units of `unit`.
pub(super) fn valid_time(edition: u8, reference: i64, step: i64, unit: u8) -> Parsed<i64> {
    if step == 0 {
        return Ok(reference);
    }
    match step_unit_seconds(edition, unit) {
        Some(s) => Ok(reference + step * s * 1000),
        None => unsupported(format!("forecast steps in time unit {unit} (months or longer)")),
    }
}

impl LatLonGrid {
    /// Points of the grid.
    pub fn points(&self) -> usize {
        self.pl.as_ref().map_or(self.ni * self.nj, |pl| pl.iter().sum())
    }

    /// Latitudes in scan order (rows as stored); a Gaussian grid's within its first and last
    /// latitude (to the message's precision), which must be `nj` rows.
    pub fn latitudes(&self) -> Parsed<Vec<f64>> {
        let Some(n) = self.gaussian else { return Ok(axis(self.lat_first, self.lat_last, self.nj, self.per_degree)) };
        let (a, b) = (self.lat_first as f64 / self.per_degree, self.lat_last as f64 / self.per_degree);
        let tol = 1.5 / self.per_degree;
        let mut rows: Vec<f64> = crate::spectral::gaussian_latitudes(2 * n).into_iter().filter(|&l| l <= a.max(b) + tol && l >= a.min(b) - tol).collect();
        if a < b {
            rows.reverse();
        }
        if rows.len() != self.nj {
            return corrupt(format!("its Gaussian grid N{n} has {} rows from {a} to {b} degrees, where it says {}", rows.len(), self.nj));
        }
        Ok(rows)
    }

    /// Longitudes from west to east (columns as handed out): a grid that scans westwards is
    /// turned around; one that would pass 360 degrees starts at its western edge minus 360.
    pub fn longitudes(&self) -> Vec<f64> {
        if self.pl.is_some() {
            // every row goes round the globe from the first longitude (checked when parsed)
            return (0..self.ni).map(|k| self.lon_first as f64 / self.per_degree + 360.0 * k as f64 / self.ni as f64).collect();
        }
        let (west, east) = if self.scan & SCAN_I_NEGATIVE != 0 { (self.lon_last, self.lon_first) } else { (self.lon_first, self.lon_last) };
        let full = (360.0 * self.per_degree).round() as i64;
        let span = (east - west).rem_euclid(full.max(1));
        let west = if west + span > full { west - full } else { west };
        axis(west, west + span, self.ni, self.per_degree)
    }

    /// Values in scan order rearranged to rows in scan order and columns west to east.
    pub fn to_rows(&self, scanned: Vec<f64>) -> Vec<f64> {
        let (ni, nj) = (self.ni, self.nj);
        let i_negative = self.scan & SCAN_I_NEGATIVE != 0;
        let j_consecutive = self.scan & SCAN_J_CONSECUTIVE != 0;
        if !i_negative && !j_consecutive {
            return scanned;
        }
        let mut rows = vec![0.0; ni * nj];
        for j in 0..nj {
            for c in 0..ni {
                let i = if i_negative { ni - 1 - c } else { c };
                rows[j * ni + c] = if j_consecutive { scanned[i * nj + j] } else { scanned[j * ni + i] };
            }
        }
        rows
    }
}

/// Checks a reduced grid as this reader takes it (Gaussian, global rows scanned north to south
/// or south to north, west to east, each row contiguous) and sets `ni` to its longest row.
pub(super) fn check_reduced(grid: &mut LatLonGrid) -> Parsed<()> {
    let Some(pl) = &grid.pl else { return Ok(()) };
    if grid.gaussian.is_none() {
        return unsupported("a reduced grid that is not Gaussian");
    }
    if pl.len() != grid.nj || pl.contains(&0) {
        return corrupt(format!("its list of points per row has {} rows (some empty?) for {} rows", pl.len(), grid.nj));
    }
    if grid.scan & (SCAN_I_NEGATIVE | SCAN_J_CONSECUTIVE) != 0 {
        return unsupported(format!("a reduced grid in scanning mode {:#04x}", grid.scan));
    }
    let ni = pl.iter().copied().max().unwrap_or(1);
    let span = (grid.lon_last - grid.lon_first) as f64 / grid.per_degree;
    let global = 360.0 - 360.0 / ni as f64;
    if (span.rem_euclid(360.0) - global).abs() > 1.5 / grid.per_degree + 1e-9 {
        return unsupported(format!(
            "a regional reduced grid (rows from {} to {} degrees)",
            grid.lon_first as f64 / grid.per_degree,
            grid.lon_last as f64 / grid.per_degree
        ));
    }
    grid.ni = ni;
    Ok(())
}

/// `n` values from `first` to `last` (in 1/`per_degree` degrees) in equal steps: integer steps
/// where the span divides evenly, so that 0.25-degree coordinates are exact decimals.
fn axis(first: i64, last: i64, n: usize, per_degree: f64) -> Vec<f64> {
    if n <= 1 {
        return vec![first as f64 / per_degree; n];
    }
    let gaps = (n - 1) as i64;
    if (last - first) % gaps == 0 {
        let step = (last - first) / gaps;
        (0..n as i64).map(|k| (first + k * step) as f64 / per_degree).collect()
    } else {
        let step = (last - first) as f64 / gaps as f64;
        (0..n).map(|k| (first as f64 + k as f64 * step) / per_degree).collect()
    }
}

/// The most grid points a message may have here (2^28, a 0.0125-degree global grid): a bound
/// that keeps a corrupt size from asking for terabytes.
const MAX_POINTS: usize = 1 << 28;

impl SimplePacking {
    /// Checks, at open, that the grid's size is plausible and that the bitmap and the `count`
    /// packed values (all points where there is no bitmap) fit in their sections.
    pub fn check_against(&self, grid: &LatLonGrid, count: Option<usize>) -> Parsed<()> {
        let points = grid.points();
        if points > MAX_POINTS {
            return corrupt(format!("its grid of {} x {} points is larger than any this reader takes ({MAX_POINTS} points)", grid.ni, grid.nj));
        }
        match &self.bitmap {
            Some(r) if r.len() * 8 < points => corrupt(format!("its bitmap has {} bits for {points} points", r.len() * 8)),
            Some(_) => count.map_or(Ok(()), |n| self.check(n)),
            None => self.check(count.unwrap_or(points)),
        }
    }

    /// Checks that `count` packed values fit in the data section. that the packed values the message claims fit in its data section.
    pub fn check(&self, count: usize) -> Parsed<()> {
        if self.bits > 64 {
            return corrupt(format!("{} bits per value", self.bits));
        }
        let held = (self.values.len() * 8).saturating_sub(self.unused_bits);
        if (count as u128) * u128::from(self.bits) > held as u128 {
            return corrupt(format!("{count} values of {} bits do not fit in its {} data bytes", self.bits, self.values.len()));
        }
        Ok(())
    }

    /// The grid's values in scan order, NaN where the bitmap says missing, decoded as ecCodes
    /// decodes them: `(packed * 2^E + R) * 10^-D`, the reference value alone for 0 bits.
    pub fn decode(&self, message: &[u8], points: usize) -> Parsed<Vec<f64>> {
        let bytes = |r: &Range<usize>| message.get(r.clone()).ok_or(Problem::Corrupt("a section runs past the end of the message".into()));
        let present = match &self.bitmap {
            Some(r) => {
                let map = bytes(r)?;
                if map.len() * 8 < points {
                    return corrupt(format!("its bitmap has {} bits for {points} points", map.len() * 8));
                }
                Some(map)
            }
            None => None,
        };
        let count = present.map_or(points, |map| count_ones(map, points));
        self.check(count)?;
        let (s, d) = (power(self.binary_scale, 2.0), power(-self.decimal_scale, 10.0));
        let mut packed = Vec::with_capacity(count);
        if self.bits == 0 {
            packed.resize(count, self.reference);
        } else {
            let r = self.reference;
            for_each_packed(bytes(&self.values)?, self.bits, count, |x| packed.push((x as f64 * s + r) * d));
        }
        Ok(match present {
            None => packed,
            Some(map) => {
                let mut next = packed.into_iter();
                (0..points).map(|k| if map[k / 8] & (0x80 >> (k % 8)) != 0 { next.next().unwrap_or(f64::NAN) } else { f64::NAN }).collect()
            }
        })
    }
}

/// Set bits among the first `points` bits of `map`.
fn count_ones(map: &[u8], points: usize) -> usize {
    let whole = points / 8;
    let full: usize = map[..whole].iter().map(|b| b.count_ones() as usize).sum();
    let rest = points % 8;
    if rest == 0 { full } else { full + (map[whole] & !(0xffu8 >> rest)).count_ones() as usize }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(scan: u8) -> LatLonGrid {
        LatLonGrid { ni: 3, nj: 2, lat_first: 10_000, lat_last: 0, lon_first: 0, lon_last: 20_000, per_degree: 1000.0, scan, gaussian: None, pl: None }
    }

    #[test]
    fn coordinates_are_exact_decimals() {
        let g = LatLonGrid {
            ni: 1440,
            nj: 721,
            lat_first: 90_000,
            lat_last: -90_000,
            lon_first: 0,
            lon_last: 359_750,
            per_degree: 1000.0,
            scan: 0,
            gaussian: None,
            pl: None,
        };
        assert_eq!(g.latitudes().unwrap()[1], 89.75);
        assert_eq!(g.longitudes()[1439], 359.75);
        let wrapped = LatLonGrid { lon_first: 180_000, lon_last: 179_750, ..g };
        assert_eq!((wrapped.longitudes()[0], wrapped.longitudes()[1439]), (-180.0, 179.75));
    }

    #[test]
    fn every_scanning_mode_gives_rows_west_to_east() {
        let rows = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(grid(0).to_rows(rows.clone()), rows);
        assert_eq!(grid(SCAN_I_NEGATIVE).to_rows(vec![3.0, 2.0, 1.0, 6.0, 5.0, 4.0]), rows);
        assert_eq!(grid(SCAN_J_CONSECUTIVE).to_rows(vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]), rows);
        let g = LatLonGrid { lon_first: 20_000, lon_last: 0, ..grid(SCAN_I_NEGATIVE) };
        assert_eq!(g.longitudes(), vec![0.0, 10.0, 20.0]);
    }

    #[test]
    fn a_bitmap_marks_missing_points() {
        // three 8-bit values for points 0, 2 and 3 of four
        let message = [0b1011_0000, 7, 8, 9];
        let p = SimplePacking { reference: 100.0, binary_scale: 1, decimal_scale: 1, bits: 8, values: 1..4, unused_bits: 0, bitmap: Some(0..1) };
        let v = p.decode(&message, 4).unwrap();
        assert_eq!(v[0], (7.0 * 2.0 + 100.0) * 0.1);
        assert!(v[1].is_nan());
        assert_eq!(v[3], (9.0 * 2.0 + 100.0) * 0.1);
        let p = SimplePacking { values: 1..3, ..p };
        assert!(matches!(p.decode(&message, 4), Err(Problem::Corrupt(_))));
    }
}
