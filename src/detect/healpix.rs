//! Feature detection on a HEALPix grid, on the pixels' neighbour graph (see
//! docs/algorithms.md#healpix-tracker): thresholded objects are the connected components of
//! member pixels, each object gives its one absolute extremum, refined by the spherical
//! quadratic fit over the pixel's 7 or 8 neighbours.
//!
//! ```
//! use stormtrack::detect::healpix::{HealpixGrid, HealpixOrdering, HealpixDetectOptions, detect};
//! let grid = HealpixGrid::new(8, HealpixOrdering::Ring).unwrap();
//! // one low centred on pixel 300
//! let (lat0, lon0) = (grid.lat()[300], grid.lon()[300]);
//! let values: Vec<f64> = (0..grid.npix())
//!     .map(|p| -1000.0 * (-stormtrack::geo::great_circle_angle(grid.lat()[p], grid.lon()[p], lat0, lon0).powi(2) * 20.0).exp())
//!     .collect();
//! let found = detect(&values, &grid, &HealpixDetectOptions::default());
//! assert_eq!(found.len(), 1);
//! assert!(stormtrack::geo::great_circle_angle(found[0].lat, found[0].lon, lat0, lon0).to_degrees() < 0.1);
//! ```

use super::spherical_quadratic::{FitStatus, Sample, refine};
use crate::variables::Mode;

/// The two pixel numberings of HEALPix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealpixOrdering {
    /// Rings of equal latitude from north to south (the peer's, and DUCC's default).
    Ring,
    /// The hierarchical numbering (pixel `p` at nside `2n` lies in pixel `p / 4` at `n`).
    Nested,
}

impl HealpixOrdering {
    /// `ring` or `nested` (CF and the HEALPix conventions also say `RING`, `NESTED`, `NEST`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "ring" => Some(Self::Ring),
            "nested" | "nest" => Some(Self::Nested),
            _ => None,
        }
    }
    /// `ring` or `nested`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ring => "ring",
            Self::Nested => "nested",
        }
    }
}

/// Why a HEALPix grid cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HealpixError {
    /// nside is not a power of two (both numberings' neighbours need one), or is too large.
    #[error("nside {0} is not a power of two between 1 and 2^29")]
    Nside(u64),
    /// A cell count that is not 12 nside².
    #[error("{0} cells is not 12 nside² for a power of two nside")]
    Cells(usize),
}

/// A HEALPix grid: each pixel's centre (degrees; longitudes in [0, 360)) and its neighbours.
#[derive(Debug, Clone)]
pub struct HealpixGrid {
    nside: u32,
    ordering: HealpixOrdering,
    lat: Vec<f64>,
    lon: Vec<f64>,
    /// Up to 8 neighbours per pixel, `u32::MAX` where a pixel has 7.
    neighbours: Vec<[u32; 8]>,
}

const NO_PIXEL: u32 = u32::MAX;

impl HealpixGrid {
    /// The grid of `nside` (a power of two) in `ordering`.
    pub fn new(nside: u32, ordering: HealpixOrdering) -> Result<Self, HealpixError> {
        if nside == 0 || !nside.is_power_of_two() || nside > (1 << 13) {
            // 2^13 is 805 million pixels, beyond any frame this reader holds in memory
            return Err(HealpixError::Nside(nside.into()));
        }
        let depth = nside.trailing_zeros() as u8;
        let layer = cdshealpix::nested::get(depth);
        let npix = 12 * (nside as usize) * (nside as usize);
        // pixels in the grid's numbering <-> nested hashes
        let nested_of = |p: u64| match ordering {
            HealpixOrdering::Ring => layer.from_ring(p),
            HealpixOrdering::Nested => p,
        };
        let own_of = |h: u64| match ordering {
            HealpixOrdering::Ring => layer.to_ring(h),
            HealpixOrdering::Nested => h,
        };
        let mut lat = Vec::with_capacity(npix);
        let mut lon = Vec::with_capacity(npix);
        let mut neighbours = Vec::with_capacity(npix);
        for p in 0..npix as u64 {
            let h = nested_of(p);
            let (lo, la) = layer.center(h);
            lat.push(la.to_degrees());
            lon.push(crate::geo::normalize_lon_360(lo.to_degrees()));
            let mut n = [NO_PIXEL; 8];
            for (slot, q) in n.iter_mut().zip(layer.neighbours(h, false).values_vec()) {
                *slot = own_of(q) as u32;
            }
            neighbours.push(n);
        }
        Ok(Self { nside, ordering, lat, lon, neighbours })
    }

    /// The grid of `cells` pixels (12 nside²).
    pub fn with_cells(cells: usize, ordering: HealpixOrdering) -> Result<Self, HealpixError> {
        let nside = ((cells / 12) as f64).sqrt().round() as u64;
        if cells == 0 || 12 * nside * nside != cells as u64 || !nside.is_power_of_two() {
            return Err(HealpixError::Cells(cells));
        }
        Self::new(nside as u32, ordering)
    }

    /// nside.
    pub fn nside(&self) -> u32 {
        self.nside
    }
    /// The numbering.
    pub fn ordering(&self) -> HealpixOrdering {
        self.ordering
    }
    /// Number of pixels, 12 nside².
    pub fn npix(&self) -> usize {
        self.lat.len()
    }
    /// Pixel centre latitudes (degrees).
    pub fn lat(&self) -> &[f64] {
        &self.lat
    }
    /// Pixel centre longitudes (degrees, [0, 360)).
    pub fn lon(&self) -> &[f64] {
        &self.lon
    }
    /// The neighbours of pixel `p` (7 or 8).
    pub fn neighbours(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        self.neighbours[p].iter().filter(|&&q| q != NO_PIXEL).map(|&q| q as usize)
    }
}

/// The NESTED number of each RING pixel at `nside` (a power of two): reading a NESTED map
/// through it gives the same map in RING numbering.
pub fn nested_of_ring(nside: u32) -> Vec<u32> {
    let layer = cdshealpix::nested::get(nside.trailing_zeros() as u8);
    let npix = 12 * (nside as u64) * (nside as u64);
    (0..npix).map(|r| layer.from_ring(r) as u32).collect()
}

/// Refinement of a HEALPix extremum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealpixRefinement {
    /// The pixel centre and its value.
    Grid,
    /// The spherical quadratic fit over the pixel's neighbours (the default).
    Quadratic,
}

/// Options of one frame's detection on HEALPix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealpixDetectOptions {
    pub mode: Mode,
    /// Membership threshold, inclusive, in the field's unit.
    pub threshold: f64,
    /// Objects with fewer pixels are ignored.
    pub min_object_points: usize,
    pub refinement: HealpixRefinement,
}

impl Default for HealpixDetectOptions {
    fn default() -> Self {
        Self { mode: Mode::Min, threshold: 0.0, min_object_points: 1, refinement: HealpixRefinement::Quadratic }
    }
}

/// One feature: position, value, the pixel it was found at, its object and the fit's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealpixFeature {
    pub lat: f64,
    pub lon: f64,
    pub value: f64,
    /// The pixel's own value.
    pub raw_value: f64,
    pub pixel: usize,
    /// 1-based object number, objects ordered by their smallest pixel.
    pub object_id: u32,
    pub status: FitStatus,
}

/// The features of one frame (`values` in the grid's numbering; NaN is never a member), in
/// ascending pixel order.
pub fn detect(values: &[f64], grid: &HealpixGrid, opts: &HealpixDetectOptions) -> Vec<HealpixFeature> {
    assert_eq!(values.len(), grid.npix(), "a frame must hold one value per pixel");
    let (size, best) = objects(values, grid, opts);
    let mut pixels: Vec<(usize, u32)> =
        best.iter().enumerate().filter(|(l, _)| size[*l] >= opts.min_object_points).filter_map(|(l, b)| b.map(|p| (p, l as u32 + 1))).collect();
    pixels.sort_unstable();
    pixels.into_iter().map(|(p, object_id)| feature_at(values, grid, p, object_id, opts)).collect()
}

/// The extremum pixel and the size of every object smaller than `min_object_points` (what
/// [`detect`] turns down, docs/algorithms.md#rejected-candidates), in ascending pixel order.
pub fn small_objects(values: &[f64], grid: &HealpixGrid, opts: &HealpixDetectOptions) -> Vec<(usize, usize)> {
    assert_eq!(values.len(), grid.npix(), "a frame must hold one value per pixel");
    let (size, best) = objects(values, grid, opts);
    let mut small: Vec<(usize, usize)> = best.iter().zip(&size).filter(|(_, s)| **s < opts.min_object_points).filter_map(|(b, s)| b.map(|p| (p, *s))).collect();
    small.sort_unstable();
    small
}

/// Per object (label order = smallest pixel order): its size and its first strict extremum.
fn objects(values: &[f64], grid: &HealpixGrid, opts: &HealpixDetectOptions) -> (Vec<usize>, Vec<Option<usize>>) {
    let member = |v: f64| match opts.mode {
        Mode::Min => v <= opts.threshold,
        Mode::Max => v >= opts.threshold,
    };
    let labels = components(values, grid, member);
    let n_objects = labels.iter().filter_map(|&l| l).max().map_or(0, |m| m as usize + 1);
    let mut size = vec![0usize; n_objects];
    let mut best: Vec<Option<usize>> = vec![None; n_objects];
    for (p, l) in labels.iter().enumerate() {
        let Some(l) = *l else { continue };
        let l = l as usize;
        size[l] += 1;
        let better = match best[l] {
            None => true,
            Some(b) => match opts.mode {
                Mode::Min => values[p] < values[b],
                Mode::Max => values[p] > values[b],
            },
        };
        if better {
            best[l] = Some(p);
        }
    }
    (size, best)
}

/// Connected components of member pixels on the neighbour graph, numbered 0.. in the order of
/// their smallest pixel (what repeated minimum-label propagation gives).
fn components(values: &[f64], grid: &HealpixGrid, member: impl Fn(f64) -> bool) -> Vec<Option<u32>> {
    let mut labels: Vec<Option<u32>> = vec![None; values.len()];
    let mut next = 0u32;
    let mut stack = Vec::new();
    for start in 0..values.len() {
        if labels[start].is_some() || !member(values[start]) {
            continue;
        }
        labels[start] = Some(next);
        stack.push(start);
        while let Some(p) = stack.pop() {
            for q in grid.neighbours(p) {
                if labels[q].is_none() && member(values[q]) {
                    labels[q] = Some(next);
                    stack.push(q);
                }
            }
        }
        next += 1;
    }
    labels
}

fn feature_at(values: &[f64], grid: &HealpixGrid, p: usize, object_id: u32, opts: &HealpixDetectOptions) -> HealpixFeature {
    let centre = Sample { lat: grid.lat[p], lon: grid.lon[p], value: values[p] };
    let fit = match opts.refinement {
        HealpixRefinement::Grid => None,
        HealpixRefinement::Quadratic => {
            let neighbours: Vec<Sample> = grid.neighbours(p).map(|q| Sample { lat: grid.lat[q], lon: grid.lon[q], value: values[q] }).collect();
            Some(refine(centre, &neighbours, None, opts.mode, false))
        }
    };
    let (lat, lon, value, status) = match fit {
        None => (centre.lat, centre.lon, centre.value, FitStatus::Success),
        Some(f) => (f.lat, f.lon, f.value, f.status),
    };
    HealpixFeature { lat, lon, value, raw_value: values[p], pixel: p, object_id, status }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::great_circle_angle;

    #[test]
    fn pixel_counts_neighbours_and_orderings_agree() {
        let ring = HealpixGrid::new(4, HealpixOrdering::Ring).unwrap();
        let nested = HealpixGrid::new(4, HealpixOrdering::Nested).unwrap();
        assert_eq!(ring.npix(), 192);
        // RING numbers rings from the north: pixel 0 is the northernmost, the last the southernmost
        assert!(ring.lat()[0] > 78.0 && ring.lat()[191] < -78.0);
        // every pixel has 7 or 8 neighbours, symmetric, each close by
        for g in [&ring, &nested] {
            let mut sevens = 0;
            for p in 0..g.npix() {
                let n: Vec<usize> = g.neighbours(p).collect();
                assert!(n.len() == 7 || n.len() == 8);
                sevens += usize::from(n.len() == 7);
                for &q in &n {
                    assert!(g.neighbours(q).any(|r| r == p), "{p} {q}");
                    assert!(great_circle_angle(g.lat()[p], g.lon()[p], g.lat()[q], g.lon()[q]).to_degrees() < 30.0);
                }
            }
            assert_eq!(sevens, 24, "8 corner pixels per pole pair and equator, 3 each");
        }
        // the same set of centres in both numberings
        let key = |g: &HealpixGrid| {
            let mut v: Vec<(i64, i64)> = (0..g.npix()).map(|p| ((g.lat()[p] * 1e9) as i64, (g.lon()[p] * 1e9) as i64)).collect();
            v.sort();
            v
        };
        assert_eq!(key(&ring), key(&nested));
        assert!(HealpixGrid::new(3, HealpixOrdering::Ring).is_err());
        assert!(HealpixGrid::with_cells(12 * 9, HealpixOrdering::Ring).is_err());
        assert_eq!(HealpixGrid::with_cells(768, HealpixOrdering::Nested).unwrap().nside(), 8);
    }

    #[test]
    fn centres_and_neighbours_equal_duccs() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/healpix/ducc0_nside4.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for (scheme, ordering) in [("RING", HealpixOrdering::Ring), ("NEST", HealpixOrdering::Nested)] {
            let g = HealpixGrid::new(4, ordering).unwrap();
            let r = &v[scheme];
            for p in 0..g.npix() {
                let (la, lo) = (r["lat"][p].as_f64().unwrap(), r["lon"][p].as_f64().unwrap());
                assert!((g.lat()[p] - la).abs() < 1e-12 && (g.lon()[p] - lo).abs() < 1e-12, "{scheme} {p}");
                let mut theirs: Vec<i64> = r["neighbours"][p].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).filter(|&x| x >= 0).collect();
                let mut ours: Vec<i64> = g.neighbours(p).map(|q| q as i64).collect();
                theirs.sort();
                ours.sort();
                assert_eq!(ours, theirs, "{scheme} {p}");
            }
        }
    }

    #[test]
    fn one_extremum_per_object_lowest_pixel_first_on_ties() {
        let g = HealpixGrid::new(2, HealpixOrdering::Ring).unwrap();
        let mut v = vec![1.0; g.npix()];
        // one object of two equal minima: the lower pixel wins
        let p = 20;
        let q = g.neighbours(p).next().unwrap();
        v[p] = -5.0;
        v[q] = -5.0;
        let f = detect(&v, &g, &HealpixDetectOptions { refinement: HealpixRefinement::Grid, ..Default::default() });
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].pixel, f[0].object_id), (p.min(q), 1));
        // too small an object is ignored
        let f = detect(&v, &g, &HealpixDetectOptions { min_object_points: 3, ..Default::default() });
        assert!(f.is_empty());
        // NaN is never a member
        v[p] = f64::NAN;
        v[q] = f64::NAN;
        assert!(detect(&v, &g, &HealpixDetectOptions::default()).is_empty());
    }
}
