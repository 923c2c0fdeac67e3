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

    /// Open the input (after [`FieldOptions::validate`]).
    pub fn open(&self) -> Result<FieldSeries> {
        Ok(FieldSeries::open(&self.input, &self.variable)?.with_taper(self.taper_points))
    }

    /// The mode asked for, or the variable's default.
    pub fn resolved_mode(&self, field: &dyn Field) -> Result<Mode> {
        match self.mode()? {
            Some(m) => Ok(m),
            None => field.default_mode(),
        }
    }
}
