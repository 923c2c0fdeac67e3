//! GRIB edition 1 (WMO FM 92 GRIB, edition 1): the product, grid, bitmap and binary data
//! sections of one message, read into a [`Message`]. Decoded here: regular latitude-longitude
//! grids with simple packing, with or without a bitmap.

use super::bits::{ibm_f32, signed, unsigned};
use super::message::{LatLonGrid, Level, Message, Parsed, Problem, Scanned, SimplePacking, civil_ms, corrupt, unsupported, valid_time};
use super::params;
use super::source::MessageBytes;

/// Parses the message at `m` (its indicator section already read) as far as its parameter,
/// and wholly where `wanted` takes that parameter.
pub(super) fn parse(m: &MessageBytes, wanted: &dyn Fn(&params::Param) -> bool) -> Parsed<Scanned> {
    let pds_at = 8;
    let pds_len = m.section_length(pds_at, 3, 28, "product definition section")?;
    let pds = m.read(pds_at, pds_len)?;
    let param = params::grib1(pds[3], pds[8]);
    if !wanted(&param) {
        return Ok(Scanned::Other(param));
    }
    let (has_grid, has_bitmap) = (pds[7] & 0x80 != 0, pds[7] & 0x40 != 0);
    if !has_grid {
        return unsupported("a predefined grid (no grid description section)");
    }
    let gds_at = pds_at + pds_len;
    let gds_len = m.section_length(gds_at, 3, 28, "grid description section")?;
    let grid = grid(&m.read(gds_at, gds_len)?)?;
    let mut next = gds_at + gds_len;
    let bitmap = if has_bitmap {
        let bms_len = m.section_length(next, 3, 6, "bitmap section")?;
        let head = m.read(next, 6)?;
        if unsigned(&head[4..6]) != 0 {
            return unsupported("a predefined bitmap");
        }
        let range = (next + 6) as usize..(next + bms_len) as usize;
        next += bms_len;
        Some(range)
    } else {
        None
    };
    let bds_len = m.section_length(next, 3, 11, "binary data section")?;
    let bds = m.read(next, 11)?;
    let flags = bds[3] >> 4;
    if flags & 0x8 != 0 {
        return unsupported("spherical harmonic coefficients");
    }
    if flags & 0x4 != 0 {
        return unsupported("second-order (complex) packing");
    }
    if flags & 0x1 != 0 {
        return unsupported("additional data flags");
    }
    if next + bds_len + 4 > m.length {
        return corrupt("its binary data section runs into the end marker");
    }
    let packing = SimplePacking {
        reference: ibm_f32(&bds[6..10]),
        binary_scale: signed(&bds[4..6]),
        decimal_scale: signed(&pds[26..28]),
        bits: u32::from(bds[10]),
        values: (next + 11) as usize..(next + bds_len) as usize,
        unused_bits: usize::from(bds[3] & 0x0f),
        bitmap,
    };
    packing.check_against(&grid, None)?;
    Ok(Scanned::Wanted(Message { offset: m.offset, length: m.length, param, level: level(&pds), member: None, valid: valid(&pds)?, grid, packing }))
}

/// The grid of a grid description section: regular latitude-longitude (type 0) or Gaussian
/// (type 4), regular or reduced (the points of each row listed after the vertical coordinates).
fn grid(gds: &[u8]) -> Parsed<LatLonGrid> {
    let gaussian = match gds[5] {
        0 => false,
        4 => true,
        1 => return unsupported("a Mercator grid"),
        3 => return unsupported("a Lambert conformal grid"),
        5 => return unsupported("a polar stereographic grid"),
        10 => return unsupported("a rotated latitude-longitude grid"),
        50 => return unsupported("spherical harmonic coefficients"),
        t => return unsupported(format!("grid type {t}")),
    };
    let (ni, nj) = (unsigned(&gds[6..8]), unsigned(&gds[8..10]));
    let reduced = ni == 0xffff;
    if reduced && !gaussian {
        return unsupported("a reduced (quasi-regular) latitude-longitude grid");
    }
    if ni == 0 || nj == 0 || nj == 0xffff {
        return corrupt(format!("its grid is {ni} x {nj} points"));
    }
    let scan = gds[27];
    if scan & 0x1f != 0 {
        return unsupported(format!("scanning mode {scan:#04x}"));
    }
    let mut grid = LatLonGrid {
        ni: ni as usize,
        nj: nj as usize,
        lat_first: signed(&gds[10..13]),
        lon_first: signed(&gds[13..16]),
        lat_last: signed(&gds[17..20]),
        lon_last: signed(&gds[20..23]),
        per_degree: 1000.0,
        scan,
        gaussian: None,
        pl: None,
    };
    if gaussian {
        let n = unsigned(&gds[25..27]);
        if n == 0 || n > 8000 {
            return corrupt(format!("its Gaussian grid has N = {n}"));
        }
        grid.gaussian = Some(n as usize);
    }
    if reduced {
        // octet 5: where the list of vertical coordinates (4 bytes each, octet 4 of them) or
        // of points per row begins; the points per row follow the coordinates, 2 bytes each
        let (nv, at) = (usize::from(gds[3]), usize::from(gds[4]));
        let start = (at.max(1) - 1) + 4 * nv;
        let list = gds
            .get(start..start + 2 * nj as usize)
            .ok_or(Problem::Corrupt(format!("its list of points per row ends past its grid description ({nj} rows)")))?;
        grid.pl = Some(list.chunks(2).map(|c| unsigned(c) as usize).collect());
        super::message::check_reduced(&mut grid)?;
    }
    Ok(grid)
}

/// The level of a product definition section (table 3).
fn level(pds: &[u8]) -> Level {
    let (kind, value) = (pds[9], unsigned(&pds[10..12]) as i64);
    let text = match kind {
        1 => "the surface".to_string(),
        100 => format!("{value} hPa"),
        102 => "mean sea level".to_string(),
        105 => format!("{value} m above ground"),
        _ => format!("level type {kind} value {value}"),
    };
    Level { key: (1, u16::from(kind), value), text }
}

/// The valid time of a product definition section: reference time plus the step its time
/// range indicator names (the end of a period for accumulations and averages).
fn valid(pds: &[u8]) -> Parsed<i64> {
    let century = i64::from(pds[24]);
    let year = (century - 1) * 100 + i64::from(pds[12]);
    let reference = civil_ms(year, pds[13], pds[14], pds[15], pds[16], 0)?;
    let (p1, p2) = (i64::from(pds[18]), i64::from(pds[19]));
    let step = match pds[20] {
        0 => p1,
        1 => 0,
        10 => p1 << 8 | p2,
        2..=5 => p2,
        other => return unsupported(format!("time range indicator {other}")),
    };
    valid_time(1, reference, step, pds[17])
}
