//! `stormtrack metrics` (gridded storm-track metrics of a track file, as CF NetCDF or tidy
//! Parquet), `stormtrack stats` (TRACK's statistics), `stormtrack eulerian` (metrics of fields)
//! and `stormtrack sample` (a field sampled along tracks). Options are checked before
//! the tracks are read.

use super::args::{EulerianArgs, MetricsArgs, SampleArgs, StatsArgs};
use super::commands::{check_threads, pool};
use super::track_files::read_any;
use crate::error::{Error, Result};
use crate::field::NetcdfField;
use crate::io::{self, TrackFormat, gridded};
use crate::metrics::{AtaInterpolation, Kernel, MetricsGrid, MetricsOptions, Selection, SphericalKernel};
use crate::pipeline::eulerian::{EulerianMetric, eulerian_table};
use crate::pipeline::metrics::{LagrangianRequest, StatisticsRequest, lagrangian_table, statistics_table};
use crate::pipeline::sample::sample_tracks;
use crate::sample::SampleMethod;
use crate::variables::Mode;

/// `auto` (None), `min` or `max`.
pub fn parse_mode(option: &str, s: &str) -> Result<Option<Mode>> {
    match s {
        "auto" => Ok(None),
        s => Mode::parse(s).map(Some).ok_or_else(|| Error::option(option, format!("'{s}' is not one of auto, min, max"))),
    }
}

/// The kernel options of `metrics`, checked.
pub fn metrics_options(radius_km: f64, kernel: &str, interpolation: &str) -> Result<MetricsOptions> {
    let kernel =
        Kernel::parse(kernel).ok_or_else(|| Error::option("--kernel", format!("'{kernel}' is unknown; use constant, cressman, linear or quadratic")))?;
    let interpolation = AtaInterpolation::parse(interpolation)
        .ok_or_else(|| Error::option("--interpolation", format!("'{interpolation}' is unknown; use linear or linear_pchip")))?;
    let o = MetricsOptions { radius_km, kernel, is_min: false, interpolation };
    o.validate()?;
    Ok(o)
}

pub fn metrics(a: MetricsArgs) -> Result<()> {
    let req = LagrangianRequest {
        grid: MetricsGrid::regular(a.grid)?,
        options: metrics_options(a.radius_km, &a.kernel, &a.interpolation)?,
        monthly: a.monthly,
        variable: a.variable.clone(),
        mode: parse_mode("--mode", &a.mode)?,
    };
    check_threads(a.threads)?;
    gridded::check_target(&a.output)?;
    let tracks = read_any(&a.input, a.variable.as_deref())?;
    let table = pool(a.threads)?.install(|| lagrangian_table(&tracks, &req))?;
    gridded::write(&table, &a.output)?;
    let periods = table.times.as_ref().map_or(1, Vec::len);
    eprintln!(
        "stormtrack: metrics of {} tracks ({} points) on a {}° grid, {} km {} kernel, {} period(s) -> {}",
        tracks.len(),
        tracks.n_points(),
        a.grid,
        a.radius_km,
        req.options.kernel.as_str(),
        periods,
        a.output.display()
    );
    Ok(())
}

pub fn sample(a: SampleArgs) -> Result<()> {
    let method: SampleMethod = a.method.parse()?;
    if !(a.radius_km.is_finite() && a.radius_km >= 0.0) {
        return Err(Error::option("--radius-km", format!("{} must be a finite number of km >= 0", a.radius_km)));
    }
    let out_format = io::output_format(&a.output, TrackFormat::parse(&a.format)?)?;
    if out_format == TrackFormat::Parquet {
        io::parquet::check_target(&a.output)?;
    } else {
        io::atomic::check_writable_file(&a.output)?;
    }
    let mut tracks = read_any(&a.tracks, a.track_variable.as_deref())?;
    let field = NetcdfField::open(&a.input, &a.variable)?;
    let name = a.name.clone().unwrap_or_else(|| a.variable.clone());
    sample_tracks(&mut tracks, &field, method, a.radius_km, &name)?;
    io::write_tracks(&tracks, &a.output, out_format)?;
    let missing = tracks.variable(&name).map_or(0, |v| v.values.iter().filter(|x| x.is_nan()).count());
    eprintln!("stormtrack: sampled {} at {} points of {} tracks ({} missing) -> {}", name, tracks.n_points(), tracks.len(), missing, a.output.display());
    Ok(())
}

/// The spherical kernel of `stats`: `cap` or `fisher` with its width in degrees.
pub fn spherical_kernel(kernel: &str, width_deg: Option<f64>) -> Result<SphericalKernel> {
    let k = match kernel {
        "cap" | "constant" => SphericalKernel::Cap { radius_deg: width_deg.unwrap_or(5.0) },
        "fisher" | "exponential" => SphericalKernel::Fisher { bandwidth_deg: width_deg.unwrap_or(2.5) },
        other => return Err(Error::option("--kernel", format!("'{other}' is unknown; use cap or fisher"))),
    };
    let w = width_deg.unwrap_or(1.0);
    if !(w.is_finite() && w > 0.0 && w < 180.0) {
        return Err(Error::option("--width-deg", format!("{w} must be an angle in degrees above 0 and below 180")));
    }
    Ok(k)
}

/// The fields of `stats`: the densities and means named, or everything when neither is given.
pub fn selection(density: Option<&str>, mean: Option<&str>) -> Result<Selection> {
    let check = |option: &str, list: Option<&str>, allowed: &[&str]| -> Result<Selection> {
        let Some(list) = list else { return Ok(Selection::NONE) };
        let mut names: Vec<String> = Vec::new();
        for n in list.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()) {
            if n == "all" {
                names.extend(allowed.iter().map(|s| s.to_string()));
            } else if allowed.contains(&n.as_str()) {
                names.push(n);
            } else {
                return Err(Error::option(option, format!("'{n}' is unknown; use {} or all", allowed.join(", "))));
            }
        }
        Ok(Selection::parse(&names.join(","))?)
    };
    let d = check("--density", density, &["feature", "track", "genesis", "lysis"])?;
    let m = check("--mean", mean, &["intensity", "speed", "lifetime", "growth"])?;
    if density.is_none() && mean.is_none() {
        return Ok(Selection::ALL);
    }
    Ok(Selection { intensity: m.intensity, speed: m.speed, lifetime: m.lifetime, growth: m.growth, ..d })
}

/// `--months`, checked before the long work.
pub fn check_months(months: Option<f64>) -> Result<()> {
    match months {
        Some(m) if !(m.is_finite() && m > 0.0) => Err(Error::option("--months", format!("{m} must be a number of months above 0"))),
        _ => Ok(()),
    }
}

pub fn stats(a: StatsArgs) -> Result<()> {
    let req = StatisticsRequest {
        grid: MetricsGrid::regular(a.grid)?,
        kernel: spherical_kernel(&a.kernel, a.width_deg)?,
        months: a.months,
        select: selection(a.density.as_deref(), a.mean.as_deref())?,
        variable: a.variable.clone(),
    };
    check_months(a.months)?;
    check_threads(a.threads)?;
    gridded::check_target(&a.output)?;
    let tracks = read_any(&a.input, a.variable.as_deref())?;
    let table = pool(a.threads)?.install(|| statistics_table(&tracks, &req))?;
    gridded::write(&table, &a.output)?;
    let names: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
    eprintln!("stormtrack: {} of {} tracks ({} points) on a {}° grid -> {}", names.join(", "), tracks.len(), tracks.n_points(), a.grid, a.output.display());
    Ok(())
}

pub fn eulerian(a: EulerianArgs) -> Result<()> {
    let metric = EulerianMetric::parse(&a.metric, a.percentile)?;
    let (first, second) = match metric {
        EulerianMetric::Variance => (a.variable.clone().ok_or_else(|| Error::option("--variable", "the variance needs the variable to difference"))?, None),
        _ => (
            a.u.clone().ok_or_else(|| Error::option("--u", "EKE and the high-wind index need the eastward wind"))?,
            Some(a.v.clone().ok_or_else(|| Error::option("--v", "EKE and the high-wind index need the northward wind"))?),
        ),
    };
    gridded::check_target(&a.output)?;
    let x = NetcdfField::open(&a.input, &first)?;
    let v = second.map(|name| NetcdfField::open(&a.input, &name)).transpose()?;
    let table = eulerian_table(metric, &x, v.as_ref().map(|f| f as &dyn crate::field::Field))?;
    gridded::write(&table, &a.output)?;
    eprintln!(
        "stormtrack: {} for {} month(s) on a {}x{} grid -> {}",
        table.fields[0].name,
        table.times.as_ref().map_or(0, Vec::len),
        table.lat.len(),
        table.lon.len(),
        a.output.display()
    );
    Ok(())
}
