//! The gridded input of `track` and `detect`: which file and variable, which frames, the
//! detection mode, the optional spectral band-pass filter and the worker threads.

use super::{check_positive, check_threads, parse_mode};
use crate::error::{Error, Result};
use crate::field::{Field, FieldSeries, TimeSelection};
use crate::spectral::{FilterKind, SpectralOptions};
use crate::time::Calendar;
use crate::variables::Mode;
use std::path::PathBuf;

/// Where the frames come from and which of them to use.
#[derive(Debug, Clone)]
pub struct FieldOptions {
    /// NetCDF files (NetCDF-3 or NetCDF-4) or Zarr stores (directories, `http(s)://` or `s3://`
    /// URLs, docs/input.md#zarr-stores): one, or several (or glob patterns) that continue
    /// each other in time and are read as one series.
    pub input: Vec<PathBuf>,
    /// Variable to track (`msl`, `vo`, ...); aliases such as `slp` are tried.
    pub variable: String,
    /// `auto` (from the variable name), `min` or `max`.
    pub detection_mode: String,
    /// Which frames.
    pub times: TimeWindow,
    /// The spectral band-pass filter applied to every frame first, if any.
    pub band: BandPass,
    /// Worker threads; `None`: all cores.
    pub threads: Option<usize>,
    /// Rows and columns of the boundary taper at each edge, before any filter (0: none;
    /// docs/algorithms.md#boundary-taper).
    pub taper_points: usize,
    /// The grid detection runs on: the input's own, or a polar stereographic plane.
    pub projection: ProjectionOptions,
}

/// Where detection runs (docs/algorithms.md#polar-stereographic-regridding): `global` (the
/// input's own grid), `nh_stereo` or `sh_stereo` (a polar stereographic plane regridded from the
/// global input), with the plane's spacing and extent.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionOptions {
    /// `global`, `nh_stereo` or `sh_stereo`.
    pub projection: String,
    /// Distance between the plane's points in km (100).
    pub stereo_grid_spacing_km: Option<f64>,
    /// `[xmin, xmax, ymin, ymax]` of the plane in km (±13,000).
    pub extent: Option<[f64; 4]>,
}

impl Default for ProjectionOptions {
    fn default() -> Self {
        Self { projection: "global".into(), stereo_grid_spacing_km: None, extent: None }
    }
}

impl ProjectionOptions {
    /// The plane asked for (`None` for `global`), checked.
    pub fn plane(&self) -> Result<Option<crate::field::PlaneSpec>> {
        use crate::geo::stereo::Hemisphere;
        let hemisphere = match self.projection.as_str() {
            "global" => {
                if self.stereo_grid_spacing_km.is_some() {
                    return Err(Error::option("stereo_grid_spacing_km", "applies to `projection` nh_stereo or sh_stereo"));
                }
                if self.extent.is_some() {
                    return Err(Error::option("extent", "applies to `projection` nh_stereo or sh_stereo"));
                }
                return Ok(None);
            }
            "nh_stereo" => Hemisphere::North,
            "sh_stereo" => Hemisphere::South,
            other => return Err(Error::option("projection", format!("'{other}' is unknown; use global, nh_stereo or sh_stereo"))),
        };
        let spec = crate::field::PlaneSpec {
            hemisphere,
            spacing_km: self.stereo_grid_spacing_km.unwrap_or(crate::field::DEFAULT_SPACING_KM),
            extent: self.extent.unwrap_or(crate::field::DEFAULT_EXTENT_KM),
            extent_given: self.extent.is_some(),
        };
        spec.validate()?;
        Ok(Some(spec))
    }
}

/// Which frames of the input: a window of times and a count.
#[derive(Debug, Clone, Default)]
pub struct TimeWindow {
    /// First time to use (inclusive), e.g. `2025-12-01` or `2025-12-01T06:00`.
    pub start: Option<String>,
    /// Last time to use (inclusive).
    pub end: Option<String>,
    /// Only the first N frames of the window.
    pub n_frames: Option<usize>,
}

/// The spectral band-pass filter before detection: none unless `lmin` and `lmax` are given.
#[derive(Debug, Clone, Default)]
pub struct BandPass {
    /// Lowest total wavenumber kept.
    pub lmin: Option<usize>,
    /// Triangular truncation: the highest total wavenumber kept.
    pub lmax: Option<usize>,
    /// Weight at `lmax` of the taper, in (0, 1]; default per algorithm
    /// ([`SIMPLE_SPECTRAL_TAPER`], [`HODGES_SPECTRAL_TAPER`]).
    pub spectral_taper: Option<f64>,
}

impl Default for FieldOptions {
    fn default() -> Self {
        FieldOptions {
            input: Vec::new(),
            variable: String::new(),
            detection_mode: "auto".into(),
            times: TimeWindow::default(),
            band: BandPass::default(),
            threads: None,
            taper_points: 0,
            projection: ProjectionOptions::default(),
        }
    }
}

/// The Simple tracker's spectral taper default (PyStormTracker 0.8); the Hodges tracker's is 1.
pub const SIMPLE_SPECTRAL_TAPER: f64 = 0.1;
/// The Hodges tracker's spectral taper default: a hard cut at `lmax`.
pub const HODGES_SPECTRAL_TAPER: f64 = 1.0;
/// The HEALPix tracker's default spectral taper (the peer's 0.1).
pub const HEALPIX_SPECTRAL_TAPER: f64 = 0.1;

impl FieldOptions {
    /// Check everything that needs no input.
    pub fn validate(&self) -> Result<()> {
        check_threads(self.threads)?;
        check_positive("n_frames", self.times.n_frames)?;
        self.mode()?;
        // a date of some calendar; the input's own calendar decides after opening
        let any = |option: &str, s: &Option<String>| s.as_deref().map(|s| crate::time::parse_user_time_any(option, s)).transpose();
        if let (Some(Some(s)), Some(Some(e))) = (any("start", &self.times.start)?, any("end", &self.times.end)?)
            && e < s
        {
            return Err(Error::option("end", "is before `start`"));
        }
        self.spectral(1.0)?;
        self.projection.plane()?;
        Ok(())
    }

    /// The mode asked for; `None`: from the variable.
    pub fn mode(&self) -> Result<Option<Mode>> {
        parse_mode("detection_mode", &self.detection_mode)
    }

    /// The time selection (start, end, first N frames) in the input's calendar, checked.
    pub fn selection(&self, calendar: Calendar) -> Result<TimeSelection> {
        let parse = |option: &str, s: &Option<String>| s.as_deref().map(|s| crate::time::parse_user_time(option, s, calendar)).transpose();
        let (start, end) = (parse("start", &self.times.start)?, parse("end", &self.times.end)?);
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            return Err(Error::option("end", "is before `start`"));
        }
        Ok(TimeSelection { start, end, n_frames: self.times.n_frames })
    }

    /// The spectral filter asked for by `lmin`/`lmax`/`spectral_taper`, or `None`;
    /// `default_taper` is the algorithm's ([`SIMPLE_SPECTRAL_TAPER`], [`HODGES_SPECTRAL_TAPER`]).
    pub fn spectral(&self, default_taper: f64) -> Result<Option<SpectralOptions>> {
        let band = &self.band;
        match (band.lmin, band.lmax) {
            (None, None) => match band.spectral_taper {
                Some(_) => Err(Error::option("spectral_taper", "applies only with `lmin` and `lmax`")),
                None => Ok(None),
            },
            (Some(lmin), Some(lmax)) => {
                let s = SpectralOptions { lmin, lmax, taper: band.spectral_taper.unwrap_or(default_taper), kind: FilterKind::Auto };
                s.validate()?;
                Ok(Some(s))
            }
            (Some(_), None) => Err(Error::option("lmin", "must be given together with `lmax` (e.g. lmin 5, lmax 42)")),
            (None, Some(_)) => Err(Error::option("lmax", "must be given together with `lmin` (e.g. lmin 5, lmax 42)")),
        }
    }

    /// Open the input (after [`FieldOptions::validate`]), on its own grid.
    pub fn open(&self) -> Result<FieldSeries> {
        Ok(FieldSeries::open(&self.input, &self.variable)?.with_taper(self.taper_points))
    }

    /// Open the input for detection by `method`: on a polar stereographic plane when the
    /// projection asks for one, the method's band filter then moved into the regridding (one
    /// spectral pass, as the peer filters before it regrids).
    /// `others`: the other variables the Simple tracker's closed contours test, read beside.
    pub(crate) fn open_for(&self, method: &mut super::detect::Method, others: &[String]) -> Result<FieldSeries> {
        // the HEALPix tracker takes HEALPix inputs too: the input is opened once either way
        let series = if method.is_healpix() {
            let series = FieldSeries::open_any_grid(&self.input, &self.variable)?;
            if series.info().grid.healpix.is_some() {
                return self.healpix_input(series);
            }
            series.with_taper(self.taper_points)
        } else {
            self.open()?
        };
        match self.projection.plane()? {
            None => series.with_others(&self.input, others),
            Some(_) if !others.is_empty() => Err(Error::option(
                "closed_contour",
                "closed contours of other variables are not tested on a stereographic plane yet; test the tracked variable",
            )),
            Some(spec) => series.on_plane(spec, method.take_spectral()),
        }
    }

    /// A HEALPix input for the HEALPix tracker, taken as it is (docs/input.md#healpix-inputs):
    /// no taper (a sphere has no edges; the band filter is refused where the pixels are read,
    /// `pipeline::healpix`).
    fn healpix_input(&self, series: FieldSeries) -> Result<FieldSeries> {
        if self.taper_points > 0 {
            return Err(Error::option("taper_points", "applies to latitude-longitude inputs; a HEALPix input covers the sphere and has no edges"));
        }
        Ok(series)
    }

    /// The mode asked for, or the variable's default.
    pub fn resolved_mode(&self, field: &dyn Field) -> Result<Mode> {
        match self.mode()? {
            Some(m) => Ok(m),
            None => field.default_mode(),
        }
    }
}
