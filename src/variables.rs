//! What the tracker knows about variable names, units and detection modes (see docs/algorithms.md#default-thresholds, docs/algorithms.md#unit-normalisation,
//! docs/algorithms.md#detection-mode).

use crate::error::{Error, Result};

/// Whether centres are minima (pressure lows) or maxima (vorticity highs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Min,
    Max,
}

impl Mode {
    /// `"min"` or `"max"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Min => "min",
            Mode::Max => "max",
        }
    }
    /// Parse `min`/`max` (case-insensitive).
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "min" => Some(Mode::Min),
            "max" => Some(Mode::Max),
            _ => None,
        }
    }
}

/// Kind of physical quantity a variable name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Pressure,
    Vorticity,
}

const PRESSURE_NAMES: &[&str] = &["msl", "slp", "pnm", "pres"];
const VORTICITY_NAMES: &[&str] = &["vo", "vort", "vorticity"];

/// The quantity a variable name denotes, by the peer's name tables (case-insensitive).
pub fn quantity_of_name(name: &str) -> Option<Quantity> {
    let n = name.trim().to_ascii_lowercase();
    if PRESSURE_NAMES.contains(&n.as_str()) {
        Some(Quantity::Pressure)
    } else if VORTICITY_NAMES.contains(&n.as_str()) {
        Some(Quantity::Vorticity)
    } else {
        None
    }
}

/// Detection mode implied by a variable name (`auto` in the peer, see docs/algorithms.md#detection-mode).
pub fn mode_of_name(name: &str) -> Option<Mode> {
    match name.trim().to_ascii_lowercase().as_str() {
        "msl" | "slp" | "pnm" | "pres" | "pressure" => Some(Mode::Min),
        "vo" | "vort" | "vorticity" | "intensity1" => Some(Mode::Max),
        _ => None,
    }
}

/// Canonical unit of a recognised name (`Pa` or `s^-1`).
pub fn canonical_unit(name: &str) -> Option<&'static str> {
    quantity_of_name(name).map(|q| match q {
        Quantity::Pressure => "Pa",
        Quantity::Vorticity => "s^-1",
    })
}

/// Factor converting `unit` to the canonical unit of `name` (see docs/algorithms.md#unit-normalisation). `Ok(None)` when the
/// name is not recognised (its unit is kept as declared).
pub fn unit_factor(name: &str, unit: Option<&str>) -> Result<Option<f64>> {
    let Some(q) = quantity_of_name(name) else { return Ok(None) };
    let Some(unit) = unit else { return Ok(Some(1.0)) };
    let u = unit.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    let f = match q {
        Quantity::Pressure => match u.as_str() {
            "pa" => 1.0,
            "hpa" | "mb" | "mbar" | "millibar" => 100.0,
            _ => {
                return Err(Error::UnknownUnit { variable: name.into(), unit: unit.into(), expected: "Pa, hPa, mb, mbar, millibar".into() });
            }
        },
        Quantity::Vorticity => match u.as_str() {
            "s^-1" | "s-1" | "s**-1" | "1/s" => 1.0,
            "10^-5 s^-1" | "10**-5 s^-1" => 1e-5,
            _ => {
                return Err(Error::UnknownUnit { variable: name.into(), unit: unit.into(), expected: "s^-1, s-1, s**-1, 1/s, 10^-5 s^-1".into() });
            }
        },
    };
    Ok(Some(f))
}

/// Multiplier applied to the primary variable in IMILAST files (Pa -> hPa, s^-1 -> 1e-5 s^-1).
pub fn imilast_scale(name: &str) -> f64 {
    match quantity_of_name(name) {
        Some(Quantity::Pressure) => 0.01,
        Some(Quantity::Vorticity) => 1e5,
        None => 1.0,
    }
}

/// Attributes of a field that decide whether it is relative vorticity.
#[derive(Debug, Clone, Default)]
pub struct FieldIdentity<'a> {
    pub name: &'a str,
    pub standard_name: Option<&'a str>,
    pub units: Option<&'a str>,
}

/// Whether a field is relative vorticity, for the default feature threshold.
///
/// The peer uses the 1e-5 s^-1 default only when the variable is named exactly `vo`
/// (see docs/algorithms.md#default-thresholds, docs/algorithms.md#vorticity-default-threshold). We decide from the evidence a CF file carries, any one
/// suffices:
/// 1. the name is a vorticity name (`vo`, `vort`, `vorticity`, any case), or
/// 2. the CF `standard_name` contains `vorticity` (e.g. `atmosphere_relative_vorticity`), or
/// 3. the units are an inverse second (`s-1`, `s^-1`, `s**-1`, `1/s`) and the name is not a
///    divergence (`d`, `dv`, `div`, `divergence`).
pub fn is_vorticity(id: &FieldIdentity<'_>) -> bool {
    if quantity_of_name(id.name) == Some(Quantity::Vorticity) {
        return true;
    }
    if id.standard_name.is_some_and(|s| s.to_ascii_lowercase().contains("vorticity")) {
        return true;
    }
    let n = id.name.trim().to_ascii_lowercase();
    let divergence = matches!(n.as_str(), "d" | "dv" | "div" | "divergence");
    let per_second = id.units.is_some_and(|u| {
        let u = u.split_whitespace().collect::<String>().to_ascii_lowercase();
        matches!(u.as_str(), "s-1" | "s^-1" | "s**-1" | "1/s")
    });
    per_second && !divergence
}

/// Default Simple feature (contrast) threshold in canonical units: 1e-5 s^-1 for vorticity,
/// 0 otherwise.
pub fn default_feature_threshold(id: &FieldIdentity<'_>) -> f64 {
    if is_vorticity(id) { 1e-5 } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_anchors() {
        // docs/algorithms.md#test-anchors: 2 hPa threshold -> 200 Pa; 5 (1e-5 s^-1) -> 5e-5 s^-1
        assert_eq!(unit_factor("msl", Some("hPa")).unwrap(), Some(100.0));
        assert_eq!(unit_factor("vo", Some("10^-5 s^-1")).unwrap(), Some(1e-5));
        assert_eq!(unit_factor("precip", Some("kg m-2")).unwrap(), None);
        assert!(unit_factor("msl", Some("K")).is_err());
    }

    #[test]
    fn vorticity_rule() {
        let v = |name, sn, u| is_vorticity(&FieldIdentity { name, standard_name: sn, units: u });
        assert!(v("vo", None, None));
        assert!(v("VO", None, None));
        assert!(v("relvort", Some("atmosphere_relative_vorticity"), None));
        assert!(v("zeta", None, Some("s**-1")));
        assert!(!v("dv", None, Some("s**-1")));
        assert!(!v("msl", Some("air_pressure_at_mean_sea_level"), Some("Pa")));
    }

    #[test]
    fn modes() {
        assert_eq!(mode_of_name("MSL"), Some(Mode::Min));
        assert_eq!(mode_of_name("Intensity1"), Some(Mode::Max));
        assert_eq!(mode_of_name("t2m"), None);
    }
}
