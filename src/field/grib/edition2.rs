//! GRIB edition 2 (WMO FM 92 GRIB, edition 2): the identification, grid definition, product
//! definition, data representation, bitmap and data sections of one message, read into a
//! [`Message`]. Decoded here: one field per message on a regular latitude-longitude grid
//! (template 3.0), products of templates 4.0, 4.1, 4.8 and 4.11, simple packing (5.0).

use super::bits::{ieee_f32, signed, unsigned};
use super::message::{LatLonGrid, Level, Message, Parsed, Problem, Scanned, SimplePacking, civil_ms, corrupt, unsupported, valid_time};
use super::params;
use super::source::MessageBytes;
use std::ops::Range;

/// What the sections of a message said, as they are read.
#[derive(Default)]
struct Sections {
    reference: Option<i64>,
    grid: Option<Vec<u8>>,
    product: Option<Product>,
    packing: Option<(usize, [u8; 21])>,
    bitmap: Option<Option<Range<usize>>>,
    data: Option<Range<usize>>,
}

/// The product definition: parameter, level, member and valid time (given the reference time).
struct Product {
    param: params::Param,
    level: Level,
    member: Option<u64>,
    step: i64,
    unit: u8,
    /// The end of the statistical period (templates 4.8 and 4.11): the valid time itself.
    end: Option<i64>,
}

/// Parses the message at `m` (its indicator section already read; `discipline` is its octet 7)
/// as far as its parameter, and wholly where `wanted` takes that parameter.
pub(super) fn parse(m: &MessageBytes, discipline: u8, wanted: &dyn Fn(&params::Param) -> bool) -> Parsed<Scanned> {
    let mut s = Sections::default();
    let mut at = 16u64;
    loop {
        if m.read(at, 4)? == b"7777" {
            break;
        }
        let len = m.section_length(at, 4, 5, "section")?;
        let number = m.read(at + 4, 1)?[0];
        if s.data.is_some() && (2..=7).contains(&number) {
            return unsupported("several fields in one message");
        }
        match number {
            1 if len < 21 => return corrupt("its identification section is shorter than 21 bytes"),
            1 => s.reference = Some(reference(&m.read(at, 21)?)?),
            2 => {}
            // the grid is read once the product says whether the message is wanted
            3 => s.grid = Some(m.read(at, len)?),
            4 => {
                let product = product(&m.read(at, len)?, discipline)?;
                if !wanted(&product.param) {
                    return Ok(Scanned::Other(product.param));
                }
                s.product = Some(product);
            }
            5 => s.packing = Some(packing(&m.read(at, len)?)?),
            6 if len < 6 => return corrupt("its bitmap section is shorter than 6 bytes"),
            6 => s.bitmap = Some(bitmap(&m.read(at, 6)?, at, len)?),
            7 => s.data = Some((at + 5) as usize..(at + len) as usize),
            n => return corrupt(format!("it has a section numbered {n}")),
        }
        at += len;
    }
    if at + 4 != m.length {
        return corrupt(format!("its end marker is at byte {at}, not at the end of its {} bytes", m.length));
    }
    assemble(m, s).map(Scanned::Wanted)
}

/// The message from its sections, each required one present.
fn assemble(m: &MessageBytes, s: Sections) -> Parsed<Message> {
    let missing = |name: &str| corrupt(format!("it has no {name} section"));
    let Some(reference) = s.reference else { return missing("identification") };
    let Some(product) = s.product else { return missing("product definition") };
    let Some(grid_section) = s.grid else { return missing("grid definition") };
    let (grid, points) = grid(&grid_section)?;
    let Some((count, head)) = s.packing else { return missing("data representation") };
    let Some(values) = s.data else { return missing("data") };
    if points != grid.points() {
        return corrupt(format!("its grid of {} x {} points says it has {points}", grid.ni, grid.nj));
    }
    let packing = SimplePacking {
        reference: ieee_f32(&head[11..15]),
        binary_scale: signed(&head[15..17]),
        decimal_scale: signed(&head[17..19]),
        bits: u32::from(head[19]),
        values,
        unused_bits: 0,
        bitmap: s.bitmap.flatten(),
    };
    if packing.bitmap.is_none() && count != points {
        return corrupt(format!("it packs {count} values for {points} points and has no bitmap"));
    }
    packing.check_against(&grid, Some(count))?;
    let valid = match product.end {
        Some(end) => end,
        None => valid_time(2, reference, product.step, product.unit)?,
    };
    Ok(Message { offset: m.offset, length: m.length, param: product.param, level: product.level, member: product.member, valid, grid, packing })
}

/// The reference time of the identification section.
fn reference(b: &[u8]) -> Parsed<i64> {
    civil_ms(unsigned(&b[12..14]) as i64, b[14], b[15], b[16], b[17], b[18])
}

/// The grid of a grid definition section, with the number of points it declares: a regular
/// latitude-longitude grid (template 3.0) or a Gaussian one (3.40), regular or reduced (a list
/// of points per row after the template).
fn grid(b: &[u8]) -> Parsed<(LatLonGrid, usize)> {
    if b.len() < 14 {
        return corrupt("its grid definition section is too short");
    }
    if b[5] != 0 {
        return unsupported("a predefined grid");
    }
    let template = unsigned(&b[12..14]);
    let gaussian = match template {
        0 => false,
        40 => true,
        1 => return unsupported("a rotated latitude-longitude grid (template 3.1)"),
        10 => return unsupported("a Mercator grid (template 3.10)"),
        20 => return unsupported("a polar stereographic grid (template 3.20)"),
        30 => return unsupported("a Lambert conformal grid (template 3.30)"),
        101 => return unsupported("an unstructured grid (template 3.101)"),
        150 => return unsupported("a HEALPix grid (template 3.150)"),
        t => return unsupported(format!("grid definition template 3.{t}")),
    };
    if b[10] != 0 && !gaussian {
        return unsupported("a reduced latitude-longitude grid (a list of points per row)");
    }
    if b.len() < 72 {
        return corrupt("its grid definition is shorter than 72 bytes");
    }
    let (ni, nj) = (unsigned(&b[30..34]), unsigned(&b[34..38]));
    if nj == 0 || nj == 0xffff_ffff || (b[10] == 0 && (ni == 0 || ni == 0xffff_ffff)) {
        return corrupt(format!("its grid is {ni} x {nj} points"));
    }
    let (basic, subdivisions) = (unsigned(&b[38..42]), unsigned(&b[42..46]));
    let per_degree = if basic == 0 || basic == 0xffff_ffff {
        1e6
    } else if subdivisions == 0 || subdivisions == 0xffff_ffff {
        return corrupt("it gives a basic angle without subdivisions");
    } else {
        subdivisions as f64 / basic as f64
    };
    let scan = b[71];
    if scan & 0x1f != 0 {
        return unsupported(format!("scanning mode {scan:#04x}"));
    }
    let mut grid = LatLonGrid {
        ni: ni as usize,
        nj: nj as usize,
        lat_first: signed(&b[46..50]),
        lon_first: signed(&b[50..54]),
        lat_last: signed(&b[55..59]),
        lon_last: signed(&b[59..63]),
        per_degree,
        scan,
        gaussian: None,
        pl: None,
    };
    if gaussian {
        let n = unsigned(&b[67..71]);
        if n == 0 || n > 8000 {
            return corrupt(format!("its Gaussian grid has N = {n}"));
        }
        grid.gaussian = Some(n as usize);
    }
    if b[10] != 0 {
        grid.pl = Some(points_per_row(b, nj as usize)?);
        super::message::check_reduced(&mut grid)?;
    }
    Ok((grid, unsigned(&b[6..10]) as usize))
}

/// The list of points per row after a reduced grid's template: `nj` numbers of `b[10]` bytes.
fn points_per_row(b: &[u8], nj: usize) -> Parsed<Vec<usize>> {
    let width = usize::from(b[10]);
    if b[11] != 1 {
        return unsupported(format!("a list of points per row of interpretation {}", b[11]));
    }
    let list = b.get(72..72 + width * nj).ok_or(Problem::Corrupt(format!("its list of points per row ends past its grid definition ({nj} rows)")))?;
    Ok(list.chunks(width).map(|c| unsigned(c) as usize).collect())
}

/// The product definition section: templates 4.0 (analysis or forecast), 4.1 (ensemble
/// member), 4.8 (statistics over a period), 4.11 (both).
fn product(b: &[u8], discipline: u8) -> Parsed<Product> {
    if b.len() < 9 {
        return corrupt("its product definition section is too short");
    }
    let template = unsigned(&b[7..9]);
    let needed = match template {
        0 => 34,
        1 => 37,
        8 => 58,
        11 => 61,
        t => return unsupported(format!("product definition template 4.{t}")),
    };
    if b.len() < needed {
        return corrupt(format!("its product definition template 4.{template} is shorter than {needed} bytes"));
    }
    let (surface, scale, scaled) = (b[22], b[23], unsigned(&b[24..28]));
    let surface_value = if scale == 0xff || scaled == 0xffff_ffff {
        0.0
    } else {
        scaled as f64 / 10f64.powi(i32::from(scale & 0x7f)) * if scale & 0x80 != 0 { -1.0 } else { 1.0 }
    };
    let member = match template {
        1 => Some(u64::from(b[35])),
        11 => Some(u64::from(b[35])),
        _ => None,
    };
    let end = match template {
        8 => Some(civil_ms(unsigned(&b[34..36]) as i64, b[36], b[37], b[38], b[39], b[40])?),
        11 => Some(civil_ms(unsigned(&b[37..39]) as i64, b[39], b[40], b[41], b[42], b[43])?),
        _ => None,
    };
    Ok(Product {
        param: params::grib2(discipline, b[9], b[10], surface, surface_value),
        level: level(surface, surface_value),
        member,
        step: signed(&b[18..22]),
        unit: b[17],
        end,
    })
}

/// The first fixed surface (code table 4.5) as a level.
fn level(surface: u8, value: f64) -> Level {
    let text = match surface {
        1 => "the surface".to_string(),
        100 => format!("{} hPa", value / 100.0),
        101 => "mean sea level".to_string(),
        103 => format!("{value} m above ground"),
        _ => format!("level type {surface} value {value}"),
    };
    Level { key: (2, u16::from(surface), (value * 1000.0).round() as i64), text }
}

/// Number of packed values and the first 21 bytes of a data representation section.
fn packing(b: &[u8]) -> Parsed<(usize, [u8; 21])> {
    if b.len() < 11 {
        return corrupt("its data representation section is too short");
    }
    match unsigned(&b[9..11]) {
        0 => {}
        2 | 3 => return unsupported("complex packing (template 5.2/5.3)"),
        4 => return unsupported("IEEE packing (template 5.4)"),
        40 => return unsupported("JPEG 2000 packing (template 5.40)"),
        41 => return unsupported("PNG packing (template 5.41)"),
        42 => return unsupported("CCSDS packing (template 5.42)"),
        t => return unsupported(format!("data representation template 5.{t}")),
    }
    let head: [u8; 21] =
        b.get(..21).and_then(|h| h.try_into().ok()).ok_or(super::message::Problem::Corrupt("its simple packing template is shorter than 21 bytes".into()))?;
    Ok((unsigned(&b[5..9]) as usize, head))
}

/// The bitmap of a bitmap section (`head` its first 6 bytes, at `at`, `len` long).
fn bitmap(head: &[u8], at: u64, len: u64) -> Parsed<Option<Range<usize>>> {
    match head[5] {
        255 => Ok(None),
        0 => Ok(Some((at + 6) as usize..(at + len) as usize)),
        254 => corrupt("it refers to a bitmap defined before in the message, and there is none"),
        _ => unsupported("a predefined bitmap"),
    }
}
