//! The coastlines the maps draw: Natural Earth 1:110m, compiled in (src/plot/data/README.md).

/// Natural Earth's coastlines: int16 pairs, longitude then latitude in hundredths of a degree,
/// `(i16::MIN, i16::MIN)` between two lines (made by scripts/make_coastlines.py).
const COASTLINES_110M: &[u8] = include_bytes!("data/coastlines_110m.bin");

/// One coastline as longitudes and latitudes in degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct Coastline {
    pub lons: Vec<f64>,
    pub lats: Vec<f64>,
}

/// Every coastline of the world at 1:110m (133 lines, 5161 points).
pub fn coastlines() -> Vec<Coastline> {
    let mut lines = Vec::new();
    let mut line = Coastline { lons: Vec::new(), lats: Vec::new() };
    for pair in COASTLINES_110M.chunks_exact(4) {
        let lon = i16::from_le_bytes([pair[0], pair[1]]);
        let lat = i16::from_le_bytes([pair[2], pair[3]]);
        if lon == i16::MIN && lat == i16::MIN {
            lines.push(std::mem::replace(&mut line, Coastline { lons: Vec::new(), lats: Vec::new() }));
        } else {
            line.lons.push(f64::from(lon) / 100.0);
            line.lats.push(f64::from(lat) / 100.0);
        }
    }
    if !line.lons.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coastlines_are_the_world_s() {
        let lines = coastlines();
        assert_eq!(lines.len(), 133);
        assert_eq!(lines.iter().map(|l| l.lons.len()).sum::<usize>(), 5161);
        let all = lines.iter().flat_map(|l| l.lons.iter().zip(&l.lats));
        assert!(all.clone().all(|(lon, lat)| (-180.0..=180.0).contains(lon) && (-90.0..=84.0).contains(lat)));
        // Ireland is in it: a line within 51-56N, 11-5W
        assert!(lines.iter().any(|l| l.lats.iter().all(|&y| (51.0..56.0).contains(&y)) && l.lons.iter().all(|&x| (-11.0..-5.0).contains(&x))));
    }
}
