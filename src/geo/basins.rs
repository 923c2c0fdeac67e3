//! Tropical cyclone basins by position, as IBTrACS names them (docs/metrics.md#basins): NA,
//! EP, WP, NI north of the equator, SI, SP, SA south of it. The boundaries follow IBTrACS'
//! technical documentation: NI | WP at 100°E, WP | EP at 180°, EP | NA along Central America
//! (the line below), NA | NI at 30°E; SA | SI at 20°E, SI | SP at 135°E, SP | SA at 70°W
//! (south of the Americas at 70°W).

/// A basin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basin {
    /// North Atlantic (with the Gulf of Mexico, the Caribbean and the Mediterranean).
    NA,
    /// Eastern North Pacific (with the central North Pacific).
    EP,
    /// Western North Pacific.
    WP,
    /// North Indian.
    NI,
    /// South Indian (west of 135°E).
    SI,
    /// South Pacific (east of 135°E, with the Australian region's east).
    SP,
    /// South Atlantic.
    SA,
}

impl Basin {
    /// Every basin, in IBTrACS' order.
    pub const ALL: [Basin; 7] = [Basin::NA, Basin::EP, Basin::WP, Basin::NI, Basin::SI, Basin::SP, Basin::SA];

    /// IBTrACS' two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Basin::NA => "NA",
            Basin::EP => "EP",
            Basin::WP => "WP",
            Basin::NI => "NI",
            Basin::SI => "SI",
            Basin::SP => "SP",
            Basin::SA => "SA",
        }
    }

    /// The basin of a point (longitude in any convention); `None` for a non-finite position.
    ///
    /// ```
    /// use stormtrack::geo::basins::Basin;
    /// assert_eq!(Basin::of(-75.0, 25.0), Some(Basin::NA)); // off Florida
    /// assert_eq!(Basin::of(-95.0, 12.0), Some(Basin::EP)); // off Guatemala's Pacific coast
    /// assert_eq!(Basin::of(140.0, 15.0), Some(Basin::WP));
    /// assert_eq!(Basin::of(160.0, -15.0), Some(Basin::SP));
    /// ```
    pub fn of(lon: f64, lat: f64) -> Option<Basin> {
        if !(lon.is_finite() && lat.is_finite()) {
            return None;
        }
        let lon = crate::geo::normalize_lon(lon);
        Some(if lat >= 0.0 {
            if (30.0..100.0).contains(&lon) {
                Basin::NI
            } else if lon >= 100.0 {
                Basin::WP
            } else if lon >= -180.0 && lon < central_america(lat) {
                Basin::EP
            } else {
                Basin::NA
            }
        } else if (20.0..135.0).contains(&lon) {
            Basin::SI
        } else if lon >= 135.0 || lon < -70.0 {
            Basin::SP
        } else {
            Basin::SA
        })
    }
}

/// The longitude of the EP | NA boundary at latitude `lat` (north): along the Central American
/// isthmus, then up the Mexican highlands at 100°W. Linear between these (latitude, longitude)
/// points.
fn central_america(lat: f64) -> f64 {
    const LINE: [(f64, f64); 8] = [(0.0, -78.0), (8.0, -78.0), (9.0, -81.5), (11.0, -85.5), (13.5, -88.0), (15.5, -91.0), (17.0, -94.5), (19.0, -100.0)];
    if lat >= LINE[LINE.len() - 1].0 {
        return LINE[LINE.len() - 1].1;
    }
    for w in LINE.windows(2) {
        let ((la0, lo0), (la1, lo1)) = (w[0], w[1]);
        if lat <= la1 {
            return lo0 + (lo1 - lo0) * (lat - la0) / (la1 - la0);
        }
    }
    LINE[0].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basins_of_well_known_storm_places() {
        // Katrina's genesis (Bahamas), Haiyan (WP), Cyclone Idai (SI, Mozambique Channel),
        // Winston (SP, Fiji), Catarina (SA), Gonu (NI, Arabian Sea), Patricia (EP), a medicane
        for (lon, lat, basin) in [
            (-76.2, 23.1, Basin::NA),
            (158.0, 6.1, Basin::WP),
            (40.0, -17.0, Basin::SI),
            (178.0, -17.0, Basin::SP),
            (-40.0, -28.0, Basin::SA),
            (65.0, 15.0, Basin::NI),
            (-94.0, 13.0, Basin::EP),
            (18.0, 36.0, Basin::NA),
            (-150.0, 15.0, Basin::EP),
            (-89.0, 22.0, Basin::NA),
            (-105.0, 20.0, Basin::EP),
            (200.0, 10.0, Basin::EP),
        ] {
            assert_eq!(Basin::of(lon, lat), Some(basin), "{lon}, {lat}");
        }
        assert_eq!(Basin::of(f64::NAN, 0.0), None);
    }
}
