//! Many files or stores as one time series (ERA5 one file per month, CMIP one per decade):
//! NetCDF files and, with the `zarr` and `grib` features, Zarr stores and GRIB files, in any mix.
//!
//! The files are ordered by their first time and must continue each other: one variable in one
//! unit, one grid, one calendar, no time given twice and no step missing where one file ends
//! and the next begins (see docs/input.md#many-files-as-one-series). Frames are then read from
//! the file that holds them, so tracks cross file boundaries exactly as in one file.

use super::{Field, FieldInfo, NetcdfField};
use crate::error::{Error, Result};
use ndarray::Array2;
use std::path::{Path, PathBuf};

/// One input of a series.
#[derive(Debug)]
enum Part {
    Netcdf(NetcdfField),
    #[cfg(feature = "zarr")]
    Zarr(super::ZarrField),
    #[cfg(feature = "grib")]
    Grib(super::GribField),
}

impl Part {
    /// A Zarr store (a URL or a directory), a GRIB file (by its first bytes) or a NetCDF file.
    fn open(input: &Path, variable: &str) -> Result<Self> {
        #[cfg(feature = "grib")]
        if super::is_grib_file(input) {
            return Ok(Part::Grib(super::GribField::open(input, variable)?));
        }
        #[cfg(feature = "zarr")]
        if super::is_zarr_location(input) {
            return Ok(Part::Zarr(super::ZarrField::open(&input.to_string_lossy(), variable)?));
        }
        Ok(Part::Netcdf(NetcdfField::open(input, variable)?))
    }

    fn field(&self) -> &dyn Field {
        match self {
            Part::Netcdf(f) => f,
            #[cfg(feature = "zarr")]
            Part::Zarr(f) => f,
            #[cfg(feature = "grib")]
            Part::Grib(f) => f,
        }
    }

    fn info(&self) -> &FieldInfo {
        self.field().info()
    }

    /// The file or store, as given.
    fn path(&self) -> &Path {
        match self {
            Part::Netcdf(f) => f.path(),
            #[cfg(feature = "zarr")]
            Part::Zarr(f) => Path::new(f.location()),
            #[cfg(feature = "grib")]
            Part::Grib(f) => f.path(),
        }
    }

    fn source_variable(&self) -> &str {
        match self {
            Part::Netcdf(f) => f.source_variable(),
            #[cfg(feature = "zarr")]
            Part::Zarr(f) => f.source_variable(),
            #[cfg(feature = "grib")]
            Part::Grib(f) => f.source_variable(),
        }
    }
}

/// A field whose frames come from several files or stores in time order.
#[derive(Debug)]
pub struct FieldSeries {
    parts: Vec<Part>,
    /// Index of each part's first frame in the series, then the frame count.
    starts: Vec<usize>,
    info: FieldInfo,
    /// The boundary taper every frame gets, if any (`taper_points`).
    taper: Option<super::BoundaryTaper>,
    /// The polar stereographic plane the frames are regridded to, if any; `info` then
    /// describes the plane.
    plane: Option<super::PolarPlane>,
    /// Other variables of the same input on the same grid and times, which criteria test.
    others: Vec<FieldSeries>,
}

/// The files named by `inputs`, in the order given: an existing path stands for itself; a path
/// with `*`, `?` or `[` that does not exist is a glob pattern, expanded in sorted order.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if input.exists() || !text.contains(['*', '?', '[']) || text.contains("://") {
            out.push(input.clone());
            continue;
        }
        let pattern = glob::glob(&text).map_err(|e| Error::option("input", format!("'{text}' is not a valid glob pattern ({e})")))?;
        let mut matched: Vec<PathBuf> = pattern.filter_map(std::result::Result::ok).filter(|p| p.is_file() || is_store_directory(p)).collect();
        if matched.is_empty() {
            return Err(Error::option("input", format!("no file matches '{text}'")));
        }
        matched.sort();
        out.extend(matched);
    }
    if out.is_empty() {
        return Err(Error::option("input", "is required: give a file, several files or a glob such as 'era5_msl_*.nc'"));
    }
    if let Some((a, _)) = out.iter().enumerate().find(|(i, p)| out[..*i].contains(p)) {
        return Err(Error::option("input", format!("'{}' is given twice", out[a].display())));
    }
    Ok(out)
}

/// A directory holding a Zarr store (what a glob such as `era5_*.zarr` should match).
fn is_store_directory(p: &Path) -> bool {
    p.is_dir() && ["zarr.json", ".zgroup", ".zmetadata"].iter().any(|k| p.join(k).is_file())
}

impl FieldSeries {
    /// Open `variable` in every file or store of `inputs` (globs expanded) as one series on a
    /// latitude-longitude grid (a HEALPix input is refused in one line naming the HEALPix tracker).
    pub fn open(inputs: &[PathBuf], variable: &str) -> Result<Self> {
        let series = Self::open_any_grid(inputs, variable)?;
        match series.info.grid.healpix {
            Some(cells) => Err(Error::HealpixInput {
                variable: series.info.variable.clone(),
                path: series.parts[0].path().to_path_buf(),
                nside: cells.nside,
                ordering: cells.ordering(),
            }),
            None => Ok(series),
        }
    }

    /// Open as [`FieldSeries::open`], HEALPix inputs included (docs/input.md#healpix-inputs):
    /// their frames are one row of cells, read only by the HEALPix tracker.
    pub fn open_any_grid(inputs: &[PathBuf], variable: &str) -> Result<Self> {
        let paths = expand_inputs(inputs)?;
        let mut parts = paths.iter().map(|p| Part::open(p, variable)).collect::<Result<Vec<_>>>()?;
        parts.sort_by_key(|p| p.info().times.first().copied());
        Self::from_parts(parts)
    }

    /// Every frame multiplied by the boundary taper of `points` rows and columns (0: none;
    /// docs/algorithms.md#boundary-taper).
    pub fn with_taper(mut self, points: usize) -> Self {
        self.taper = (points > 0).then(|| super::BoundaryTaper::new(self.info.grid.ny(), self.info.grid.nx(), points));
        self
    }

    /// Every frame regridded to the polar stereographic plane of `spec` (after the taper), the
    /// `band` filter in the same pass (docs/algorithms.md#polar-stereographic-regridding).
    pub fn on_plane(mut self, spec: super::PlaneSpec, band: Option<crate::spectral::SpectralOptions>) -> Result<Self> {
        let plane = super::PolarPlane::new(spec, &self.info.grid, band)?;
        self.info.grid = plane.grid();
        self.plane = Some(plane);
        Ok(self)
    }

    /// With the other `variables` of the same `inputs`, read frame by frame beside this one
    /// ([`Field::other_frames`]); each must lie on the same grid at the same times.
    pub fn with_others(mut self, inputs: &[PathBuf], variables: &[String]) -> Result<Self> {
        for v in variables {
            let other = FieldSeries::open(inputs, v).map_err(|e| match e {
                Error::VariableNotFound { name, path, available } => Error::option(
                    "closed_contour",
                    format!("variable '{name}' is not in {} (variables there: {available}); criteria test variables of the input", path.display()),
                ),
                e => e,
            })?;
            let (a, b) = (&self.info, &other.info);
            if a.grid != b.grid {
                return Err(Error::option("closed_contour", format!("'{v}' lies on another grid than '{}'; give variables of one grid", a.variable)));
            }
            if a.times != b.times || a.calendar != b.calendar {
                return Err(Error::option("closed_contour", format!("'{v}' has other times than '{}'; give variables of the same times", a.variable)));
            }
            self.others.push(other);
        }
        Ok(self)
    }

    /// The plane's provenance records (the band filter, `regrid`), empty without a plane.
    pub fn plane_steps(&self) -> Vec<crate::tracks::ProcessingStep> {
        self.plane.as_ref().map_or_else(Vec::new, super::PolarPlane::steps)
    }

    /// The boundary taper's points (0: none).
    pub fn taper_points(&self) -> usize {
        self.taper.as_ref().map_or(0, |t| t.points)
    }

    /// A series of fields already open, in time order.
    fn from_parts(parts: Vec<Part>) -> Result<Self> {
        let first = parts.first().ok_or_else(|| Error::option("input", "is required"))?;
        let mut info = first.info().clone();
        for w in parts.windows(2) {
            check_continues(&w[0], &w[1], expected_step(&parts))?;
            info.times.extend_from_slice(&w[1].info().times);
        }
        let mut starts = vec![0];
        for p in &parts {
            starts.push(starts.last().unwrap() + p.info().times.len());
        }
        Ok(FieldSeries { parts, starts, info, taper: None, plane: None, others: Vec::new() })
    }

    /// The files, in time order.
    pub fn paths(&self) -> Vec<&Path> {
        self.parts.iter().map(Part::path).collect()
    }

    /// The variable's name in the files (an alias of the one asked for, e.g. `msl` for `slp`).
    pub fn source_variable(&self) -> &str {
        self.parts[0].source_variable()
    }
}

/// The time step the series advances by: the smallest step inside any file, or where every
/// file holds one frame, the smallest step between files.
fn expected_step(parts: &[Part]) -> Option<i64> {
    let inside = parts.iter().flat_map(|p| p.info().times.windows(2).map(|w| w[1] - w[0])).min();
    inside.or_else(|| parts.windows(2).map(|w| w[1].info().times[0] - w[0].info().times.last().copied().unwrap_or(0)).min())
}

/// `b` must continue `a`: same unit, grid and calendar, starting one step after `a` ends.
fn check_continues(a: &Part, b: &Part, step: Option<i64>) -> Result<()> {
    let (x, y) = (a.info(), b.info());
    let (pa, pb) = (a.path().display(), b.path().display());
    let bad = |what: String| Err(Error::option("input", what));
    if x.value_unit != y.value_unit {
        return bad(format!("{pa} and {pb} hold '{}' in different units ({} and {}); give files of one variable", x.variable, x.value_unit, y.value_unit));
    }
    if x.grid.lat != y.grid.lat || x.grid.lon != y.grid.lon || x.grid.healpix != y.grid.healpix {
        return bad(format!(
            "{pa} and {pb} are on different grids ({} x {} and {} x {} points, or other coordinates); regrid them to one grid first",
            x.grid.ny(),
            x.grid.nx(),
            y.grid.ny(),
            y.grid.nx()
        ));
    }
    if x.calendar != y.calendar {
        return bad(format!("{pa} and {pb} use different calendars ({} and {})", x.calendar.name(), y.calendar.name()));
    }
    let (Some(&end), Some(&start)) = (x.times.last(), y.times.first()) else { return Ok(()) };
    let iso = |t: i64| x.calendar.format_iso(t);
    if start <= end {
        return bad(format!("{pa} and {pb} overlap in time ({pb} starts at {} before {pa} ends at {}); give each time once", iso(start), iso(end)));
    }
    if let Some(step) = step.filter(|&s| start - end > s) {
        return bad(format!(
            "a gap between {pa} (ends {}) and {pb} (starts {}): the series advances by {} h; add the missing file",
            iso(end),
            iso(start),
            step as f64 / 3.6e6
        ));
    }
    Ok(())
}

impl Field for FieldSeries {
    fn info(&self) -> &FieldInfo {
        &self.info
    }

    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        if t >= self.info.times.len() {
            return Err(Error::option("frame", format!("frame {t} is out of range (the field has {} frames)", self.info.times.len())));
        }
        let part = self.starts.partition_point(|&s| s <= t) - 1;
        let mut frame = self.parts[part].field().read_frame(t - self.starts[part])?;
        if let Some(taper) = &self.taper {
            taper.apply(frame.view_mut());
        }
        match &self.plane {
            Some(plane) => plane.apply(frame.view(), t),
            None => Ok(frame),
        }
    }

    fn other_frames(&self, t: usize) -> Result<Vec<Array2<f64>>> {
        self.others.iter().map(|o| o.read_frame(t)).collect()
    }

    fn other_infos(&self) -> Vec<&FieldInfo> {
        self.others.iter().map(|o| &o.info).collect()
    }
}
