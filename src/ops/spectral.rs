//! `spectral`: the spectral band-pass filter of a gridded field alone (spherical harmonics on a
//! global grid, a DCT on a regional one), written as CF NetCDF.

use super::grid_frames::{GridInput, GridRun, attributes, chunked};
use super::pool;
use crate::error::Result;
use crate::field::{Field, FilteredField};
use crate::io::atomic;
use crate::io::grid_netcdf::{GridHeader, GridVariable, LATITUDE_LONGITUDE, write_grid};
use crate::spectral::{FilterKind, SpectralOptions};
use std::path::PathBuf;

/// Options of `spectral`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Input: a NetCDF file (a 2-D variable without a time axis is one frame), a GRIB file,
    /// a Zarr store or a glob of files continuing each other.
    pub input: PathBuf,
    /// Variable to filter.
    pub variable: String,
    /// Lowest total wavenumber kept (0 keeps the mean).
    pub lmin: usize,
    /// Highest total wavenumber kept (triangular truncation).
    pub lmax: usize,
    /// Weight at `lmax` of the exponential taper, in (0, 1]; 1 is a hard cut.
    pub spectral_taper: f64,
    /// `auto` (sht on a global grid, else dct), `sht` or `dct`.
    pub filter_type: String,
    /// Output NetCDF file.
    pub output: PathBuf,
    /// Frames, precision and threads.
    pub run: GridRun,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            input: PathBuf::new(),
            variable: String::new(),
            lmin: 0,
            lmax: 0,
            spectral_taper: 1.0,
            filter_type: "auto".into(),
            output: PathBuf::new(),
            run: GridRun::default(),
        }
    }
}

impl Options {
    /// Check everything that needs no input; returns the filter's options.
    pub fn validate(&self) -> Result<SpectralOptions> {
        let opts = SpectralOptions { lmin: self.lmin, lmax: self.lmax, taper: self.spectral_taper, kind: FilterKind::parse(&self.filter_type)? };
        opts.validate()?;
        self.run.validate()?;
        atomic::check_writable_file(&self.output)?;
        Ok(opts)
    }
}

/// What was filtered.
#[derive(Debug, Clone)]
pub struct Filtered {
    pub frames: usize,
    /// `sht` or `dct`.
    pub method: &'static str,
}

/// Filter every selected frame and write the result.
pub fn run(opts: &Options) -> Result<Filtered> {
    let filter = opts.validate()?;
    let field = GridInput::open(&opts.input, &opts.variable)?;
    let range = opts.run.frames(&field);
    let grid = &field.info().grid;
    let filtered = FilteredField::with_options(&field, &filter)?;
    let method = filtered.filter().method();
    let times: Vec<i64> = field.info().times[range.clone()].to_vec();
    let header = GridHeader {
        lat: &grid.lat,
        lon: &grid.lon,
        times: (!field.is_timeless()).then_some(times.as_slice()),
        calendar: field.info().calendar,
        variables: vec![GridVariable {
            name: field.source_variable().to_string(),
            attributes: attributes(&field, &format!(" (T{}-{} {method} filter)", opts.lmin, opts.lmax)),
        }],
        global: vec![
            ("source".into(), format!("stormtrack {} spectral", crate::VERSION)),
            (
                "history".into(),
                format!(
                    "stormtrack spectral -i {} --variable {} --lmin {} --lmax {} --spectral-taper {} --filter-type {method}",
                    opts.input.display(),
                    opts.variable,
                    opts.lmin,
                    opts.lmax,
                    opts.spectral_taper
                ),
            ),
        ],
        double: opts.run.double,
        axes: LATITUDE_LONGITUDE,
    };
    let frames = chunked(range.clone(), |t| Ok(vec![filtered.read_frame(t)?.into_raw_vec_and_offset().0]));
    pool(opts.run.threads)?.install(|| write_grid(&opts.output, &header, frames))?;
    Ok(Filtered { frames: range.len(), method })
}
