//! The names of GRIB parameters: ECMWF's short names (those of ecCodes and cfgrib) for the
//! parameters storm tracking reads, from GRIB 1 (ECMWF table 128 and WMO table 2) and GRIB 2
//! (discipline, category, number and, where it decides, the first fixed surface). Anything
//! else is named by its codes (`p151.200`, `p0.19.7`), so that it can still be selected.

/// A parameter as this reader names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Param {
    /// ecCodes' short name, or the codes of an unnamed parameter.
    pub name: String,
    /// ECMWF's parameter id, where the parameter has one here.
    pub id: Option<u32>,
    /// Units as ecCodes gives them.
    pub units: Option<&'static str>,
    /// CF standard name.
    pub standard_name: Option<&'static str>,
    /// The name cfgrib gives the variable where it differs (`t2m` for `2t`, `u10` for `10u`).
    pub cf_var_name: Option<&'static str>,
}

/// One known parameter: ECMWF id, short name, units, CF standard name.
type Known = (u32, &'static str, &'static str, &'static str);

const MSL: Known = (151, "msl", "Pa", "air_pressure_at_mean_sea_level");
const SP: Known = (134, "sp", "Pa", "surface_air_pressure");
const PRMSL: Known = (260_074, "prmsl", "Pa", "air_pressure_at_mean_sea_level");
const PRES: Known = (54, "pres", "Pa", "air_pressure");
const VO: Known = (138, "vo", "s**-1", "atmosphere_relative_vorticity");
const ABSV: Known = (3041, "absv", "s**-1", "atmosphere_absolute_vorticity");
const D: Known = (155, "d", "s**-1", "divergence_of_wind");
const Z: Known = (129, "z", "m**2 s**-2", "geopotential");
const GH: Known = (156, "gh", "gpm", "geopotential_height");
const T: Known = (130, "t", "K", "air_temperature");
const U: Known = (131, "u", "m s**-1", "eastward_wind");
const V: Known = (132, "v", "m s**-1", "northward_wind");
const Q: Known = (133, "q", "kg kg**-1", "specific_humidity");
const R: Known = (157, "r", "%", "relative_humidity");
const U10: Known = (165, "10u", "m s**-1", "eastward_wind");
const V10: Known = (166, "10v", "m s**-1", "northward_wind");
const T2: Known = (167, "2t", "K", "air_temperature");
const D2: Known = (168, "2d", "K", "dew_point_temperature");
const SST: Known = (34, "sst", "K", "sea_surface_temperature");

fn known((id, name, units, standard_name): Known) -> Param {
    let cf_var_name = match name {
        "10u" => Some("u10"),
        "10v" => Some("v10"),
        "2t" => Some("t2m"),
        "2d" => Some("d2m"),
        _ => None,
    };
    Param { name: name.into(), id: Some(id), units: Some(units), standard_name: Some(standard_name), cf_var_name }
}

fn unnamed(name: String) -> Param {
    Param { name, id: None, units: None, standard_name: None, cf_var_name: None }
}

/// A GRIB 1 parameter: `table` is the table 2 version, `code` the indicator of parameter.
pub(super) fn grib1(table: u8, code: u8) -> Param {
    let found = match (table, code) {
        // ECMWF's local table 128: the code is the parameter id
        (128, 34) => Some(SST),
        (128, 129) => Some(Z),
        (128, 130) => Some(T),
        (128, 131) => Some(U),
        (128, 132) => Some(V),
        (128, 133) => Some(Q),
        (128, 134) => Some(SP),
        (128, 138) => Some(VO),
        (128, 151) => Some(MSL),
        (128, 155) => Some(D),
        (128, 156) => Some(GH),
        (128, 157) => Some(R),
        (128, 165) => Some(U10),
        (128, 166) => Some(V10),
        (128, 167) => Some(T2),
        (128, 168) => Some(D2),
        // WMO's international table 2 (versions 1 to 3, used by NCEP and most others)
        (1..=3, 1) => Some(PRES),
        (1..=3, 2) => Some(PRMSL),
        (1..=3, 6) => Some(Z),
        (1..=3, 7) => Some(GH),
        (1..=3, 11) => Some(T),
        (1..=3, 33) => Some(U),
        (1..=3, 34) => Some(V),
        (1..=3, 41) => Some(ABSV),
        (1..=3, 43) => Some(VO),
        (1..=3, 44) => Some(D),
        (1..=3, 51) => Some(Q),
        (1..=3, 52) => Some(R),
        _ => None,
    };
    found.map_or_else(|| unnamed(format!("p{code}.{table}")), known)
}

/// A GRIB 2 parameter, with the type and value of its first fixed surface (103 at 10 m is
/// where `10u` differs from `u`).
pub(super) fn grib2(discipline: u8, category: u8, number: u8, surface: u8, surface_value: f64) -> Param {
    let at_height = |h: f64| surface == 103 && surface_value == h;
    let found = match (discipline, category, number) {
        (0, 0, 0) if at_height(2.0) => Some(T2),
        (0, 0, 0) => Some(T),
        (0, 0, 6) if at_height(2.0) => Some(D2),
        (0, 1, 0) => Some(Q),
        (0, 1, 1) => Some(R),
        (0, 2, 2) if at_height(10.0) => Some(U10),
        (0, 2, 2) => Some(U),
        (0, 2, 3) if at_height(10.0) => Some(V10),
        (0, 2, 3) => Some(V),
        (0, 2, 10) => Some(ABSV),
        (0, 2, 12) => Some(VO),
        (0, 2, 13) => Some(D),
        (0, 3, 0) if surface == 101 => Some(MSL),
        (0, 3, 0) if surface == 1 => Some(SP),
        (0, 3, 0) => Some(PRES),
        (0, 3, 1) => Some(PRMSL),
        (0, 3, 4) => Some(Z),
        (0, 3, 5) => Some(GH),
        (10, 3, 0) => Some(SST),
        _ => None,
    };
    found.map_or_else(|| unnamed(format!("p{discipline}.{category}.{number}")), known)
}

impl Param {
    /// Whether `wanted` names this parameter: its short name, cfgrib's name for it or its
    /// ECMWF id.
    pub fn is(&self, wanted: &str) -> bool {
        self.name == wanted || self.cf_var_name == Some(wanted) || self.id.is_some_and(|id| id.to_string() == wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameters_of_storm_tracking_are_named_as_ecmwf_names_them() {
        assert_eq!(grib1(128, 151).name, "msl");
        assert_eq!(grib1(128, 138).name, "vo");
        assert_eq!(grib1(2, 2).name, "prmsl");
        assert_eq!(grib2(0, 3, 0, 101, 0.0).name, "msl");
        assert_eq!(grib2(0, 2, 12, 100, 85_000.0).name, "vo");
        assert_eq!(grib2(0, 2, 2, 103, 10.0).name, "10u");
        assert_eq!(grib2(0, 2, 2, 100, 85_000.0).name, "u");
        assert_eq!(grib1(200, 7).name, "p7.200");
        assert_eq!(grib2(0, 19, 7, 1, 0.0).name, "p0.19.7");
        assert!(grib1(128, 167).is("t2m") && grib1(128, 167).is("2t"));
        assert!(grib1(128, 151).is("151") && grib1(128, 151).is("msl") && !grib1(128, 151).is("vo"));
    }
}
