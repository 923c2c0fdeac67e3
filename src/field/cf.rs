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
