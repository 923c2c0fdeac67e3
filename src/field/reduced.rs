//! Reduced Gaussian grids as NetCDF files describe them (docs/input.md#reduced-gaussian-grids):
//! the points of every row stored one after another along one dimension, described either as
//! CDO writes them (the variable's `CDI_grid_type = "gaussian_reduced"`, with the rows'
//! latitudes and points per row in the variables its `CDI_grid_latitudes` and
//! `CDI_grid_reduced_points` name; every row starts at 0°) or as xarray writes what cfgrib
//! opened (a latitude and a longitude coordinate for every point). Either way the grid is
//! checked to be a global Gaussian one and handed out as the regular Gaussian grid its rows are
//! interpolated onto (`spectral::reduced`).

/// Largest difference, in degrees, between a stored coordinate and the grid's own: files hold
/// the coordinates ecCodes computes, in double precision, or CDO's copy of them.
const TOLERANCE_DEG: f64 = 1e-5;

/// A global reduced Gaussian grid: its rows and the regular grid they are handed out on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReducedGrid {
    /// Latitude of each row, in storage order (the Gaussian grid's own values).
    pub lat: Vec<f64>,
    /// Longitudes of the regular grid: `max(pl)` points from the rows' first longitude.
    pub lon: Vec<f64>,
    /// Points of each row, in storage order.
    pub pl: Vec<usize>,
}

impl ReducedGrid {
    /// The grid of rows at `lat` holding `pl` points each from `first_lon`, checked against
    /// the `points` stored per frame; `Err` says what is wrong in a sentence.
    pub fn from_rows(lat: &[f64], pl: &[f64], first_lon: f64, points: usize) -> Result<Self, String> {
        if lat.len() != pl.len() {
            return Err(format!("it gives {} row latitudes for {} rows", lat.len(), pl.len()));
        }
        if let Some(bad) = pl.iter().find(|&&p| !(p >= 1.0 && p.fract() == 0.0 && p <= 1e7)) {
            return Err(format!("a row has {bad} points; points per row must be whole numbers from 1"));
        }
        let pl: Vec<usize> = pl.iter().map(|&p| p as usize).collect();
        let total: usize = pl.iter().sum();
        if total != points {
            return Err(format!("its rows hold {total} points where the variable has {points}"));
        }
        let lat = gaussian_rows(lat)?;
        let nlon = pl.iter().copied().max().unwrap_or(1);
        let lon = (0..nlon).map(|k| first_lon + 360.0 * k as f64 / nlon as f64).collect();
        Ok(ReducedGrid { lat, lon, pl })
    }

    /// The grid whose points lie at `lat` and `lon` (one pair per stored point, row after row,
    /// as xarray writes a field cfgrib opened); `Err` says what is wrong in a sentence.
    pub fn from_points(lat: &[f64], lon: &[f64]) -> Result<Self, String> {
        if lat.len() != lon.len() || lat.is_empty() {
            return Err(format!("it has {} latitudes and {} longitudes", lat.len(), lon.len()));
        }
        if lat.iter().chain(lon).any(|v| !v.is_finite()) {
            return Err("its coordinates are not all finite".into());
        }
        let mut rows: Vec<(f64, usize)> = Vec::new();
        for &y in lat {
            match rows.last_mut() {
                Some((row_lat, n)) if (*row_lat - y).abs() <= TOLERANCE_DEG => *n += 1,
                _ => rows.push((y, 1)),
            }
        }
        let row_lat: Vec<f64> = rows.iter().map(|r| r.0).collect();
        gaussian_rows(&row_lat)?;
        let first_lon = lon[0];
        let mut start = 0;
        for &(row_lat, p) in &rows {
            for (k, &x) in lon[start..start + p].iter().enumerate() {
                let expected = first_lon + 360.0 * k as f64 / p as f64;
                let off = (x - expected + 180.0).rem_euclid(360.0) - 180.0;
                if off.abs() > TOLERANCE_DEG {
                    return Err(format!(
                        "its row at {row_lat}° does not hold {p} equally spaced points round the globe from {first_lon}° (point {k} is at {x}°, not {expected}°)"
                    ));
                }
            }
            start += p;
        }
        let pl: Vec<f64> = rows.iter().map(|r| r.1 as f64).collect();
        Self::from_rows(&row_lat, &pl, first_lon, lat.len())
    }
}

/// The Gaussian latitudes of `lat`'s rows, in its order, when they are those of a global
/// Gaussian grid (every row of `2N`, north to south or south to north).
fn gaussian_rows(lat: &[f64]) -> Result<Vec<f64>, String> {
    let rows = lat.len();
    let not_gaussian =
        |detail: String| format!("its {rows} rows are not those of a global Gaussian grid ({detail}); only global reduced Gaussian grids are read");
    if rows < 2 || rows % 2 != 0 {
        return Err(not_gaussian("an odd number of rows".into()));
    }
    let mut nodes = crate::spectral::gaussian_latitudes(rows);
    if lat[0] < lat[rows - 1] {
        nodes.reverse();
    }
    if let Some(k) = (0..rows).find(|&k| (lat[k] - nodes[k]).abs() > TOLERANCE_DEG) {
        return Err(not_gaussian(format!("row {k} is at {}°, the Gaussian grid's at {}°", lat[k], nodes[k])));
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn octahedral(n: usize) -> (Vec<f64>, Vec<f64>) {
        let lat = crate::spectral::gaussian_latitudes(2 * n);
        let pl = (0..2 * n).map(|j| 20.0 + 4.0 * j.min(2 * n - 1 - j) as f64).collect();
        (lat, pl)
    }

    #[test]
    fn rows_of_an_octahedral_grid() {
        let (lat, pl) = octahedral(4);
        let g = ReducedGrid::from_rows(&lat, &pl, 0.0, 20 + 24 + 28 + 32 + 32 + 28 + 24 + 20).unwrap();
        assert_eq!(g.pl, vec![20, 24, 28, 32, 32, 28, 24, 20]);
        assert_eq!(g.lon.len(), 32);
        assert_eq!(g.lon[8], 90.0);
        assert_eq!(g.lat, lat);
    }

    #[test]
    fn points_give_the_same_grid_as_rows() {
        let (lat, pl) = octahedral(3);
        let mut plat = Vec::new();
        let mut plon = Vec::new();
        for (y, &p) in lat.iter().zip(&pl) {
            for k in 0..p as usize {
                plat.push(*y);
                plon.push(360.0 * k as f64 / p);
            }
        }
        let from_points = ReducedGrid::from_points(&plat, &plon).unwrap();
        assert_eq!(from_points, ReducedGrid::from_rows(&lat, &pl, 0.0, plat.len()).unwrap());
        // south to north keeps its order
        let rev: Vec<f64> = lat.iter().rev().copied().collect();
        assert_eq!(ReducedGrid::from_rows(&rev, &pl, 0.0, plat.len()).unwrap().lat, rev);
    }

    #[test]
    fn what_is_not_a_global_reduced_gaussian_grid_is_refused() {
        let (lat, pl) = octahedral(3);
        let n: usize = pl.iter().map(|&p| p as usize).sum();
        assert!(ReducedGrid::from_rows(&lat, &pl, 0.0, n + 1).unwrap_err().contains(&format!("hold {n} points where the variable has {}", n + 1)));
        assert!(ReducedGrid::from_rows(&lat[..4], &pl[..4], 0.0, 100).unwrap_err().contains("not those of a global Gaussian grid"));
        let regular: Vec<f64> = (0..6).map(|j| 75.0 - 30.0 * j as f64).collect();
        assert!(ReducedGrid::from_rows(&regular, &pl, 0.0, n).unwrap_err().contains("row 0 is at 75°"));
        assert!(ReducedGrid::from_rows(&lat, &[20.0, 24.5, 28.0, 28.0, 24.0, 20.0], 0.0, n).unwrap_err().contains("24.5 points"));
        // an unstructured mesh: one latitude per point
        let e = ReducedGrid::from_points(&[10.0, 11.0, 12.0], &[0.0, 5.0, 7.0]).unwrap_err();
        assert!(e.contains("not those of a global Gaussian grid"), "{e}");
        // a row that does not go round the globe
        let mut plat: Vec<f64> = lat.iter().flat_map(|&y| [y; 3]).collect();
        let mut plon: Vec<f64> = lat.iter().flat_map(|_| [0.0, 120.0, 240.0]).collect();
        assert!(ReducedGrid::from_points(&plat, &plon).is_ok());
        (plat[1], plon[1]) = (lat[0], 10.0);
        plat.truncate(17);
        plon.truncate(17);
        let e = ReducedGrid::from_points(&plat, &plon).unwrap_err();
        assert!(e.contains("equally spaced points round the globe"), "{e}");
    }
}
