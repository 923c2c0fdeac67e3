//! The operations: what a user asks stormtrack to do (track, detect, filter, compare, metrics,
//! stats, eulerian, sample, convert, spectral, vorticity), one file each.
//!
//! Every operation has an `Options` struct whose `Default` holds the defaults (the one place
//! they are written), a `validate()` that checks everything that needs no input, and a
//! `run(&options, ...)` that validates, reads, computes and writes. Errors name options by
//! their field names (`max_link_km`); the front ends (CLI, Python, Polars, SQL) only convert
//! their own arguments into these options, and the CLI writes the field names as its flags
//! when it prints an error ([`crate::Error::message_with`]).
//!
//! Choices (`kernel`, `algorithm`, `detection_mode`, ...) are strings in the options, as every
//! front end receives them, and are parsed by `validate()` with one message for all.
//!
//! ```no_run
//! use stormtrack::ops::{self, NoProgress};
//! let opts = ops::track::Options {
//!     field: ops::FieldOptions { input: vec!["era5_msl.nc".into()], variable: "msl".into(), ..Default::default() },
//!     outputs: vec!["tracks/".into()],
//!     ..Default::default()
//! };
//! let done = ops::track::run(&opts, &NoProgress)?;
//! eprintln!("{}", done.summary());
//! # Ok::<(), stormtrack::Error>(())
//! ```

#[cfg(feature = "netcdf")]
pub mod append;
pub mod compare;
pub mod convert;
#[cfg(feature = "netcdf")]
pub mod detect;
#[cfg(feature = "netcdf")]
pub mod distributed;
#[cfg(feature = "netcdf")]
pub mod eulerian;
#[cfg(feature = "plot")]
pub mod explore;
#[cfg(feature = "netcdf")]
mod field_input;
pub mod filter;
#[cfg(feature = "netcdf")]
mod grid_frames;
mod hodges;
pub mod link;
pub mod metrics;
#[cfg(feature = "plot")]
pub mod plot;
mod progress;
pub mod rejections;
#[cfg(feature = "netcdf")]
pub mod sample;
#[cfg(feature = "netcdf")]
pub mod spectral;
pub mod stats;
#[cfg(feature = "netcdf")]
pub mod track;
#[cfg(feature = "netcdf")]
pub mod vorticity;

#[cfg(feature = "netcdf")]
pub use field_input::{BandPass, FieldOptions, ProjectionOptions, TimeWindow};
#[cfg(feature = "netcdf")]
pub use grid_frames::GridRun;
pub use hodges::{HodgesSettings, parse_time_step};
pub use progress::{NoProgress, Progress};

/// What text track files do not say, for the operations that read tracks: the names of their
/// unnamed columns (TRACK's added fields, TempestExtremes' DetectNodes columns) and whether the
/// tracked variable's centres are minima or maxima.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackReading {
    /// Names of the columns the file does not name (e.g. `lon,lat,slp,wind`).
    pub fields: Vec<String>,
    /// `min` or `max` where the tracked variable's name does not say; `None` or `auto`: from
    /// the name.
    pub mode: Option<String>,
}

/// Read tracks in any supported format with `variable` (the value column of IMILAST and TRACK
/// files), `calendar` (of the text formats' dates) and `reading`.
pub fn read_track_input(path: &std::path::Path, variable: Option<&str>, calendar: Option<&str>, reading: &TrackReading) -> Result<crate::tracks::Tracks> {
    // `auto` is these commands' "from the name"
    let mode = reading.mode.as_deref().filter(|m| *m != "auto");
    let opts = input_options(None, variable, calendar, &reading.fields, mode, None)?;
    crate::io::read_tracks_with(path, &opts)
}

/// The reading options of a track file, from what every front end takes: the format's name
/// (`auto` or `None`: sniffed), the value column, the calendar's name, the unnamed columns,
/// `min`/`max`, and the frame axis of a TRACK file of frame numbers
/// (`(first_frame_time, frame_step_hours)`, [`frame_step`]).
pub fn input_options(
    format: Option<&str>,
    variable: Option<&str>,
    calendar: Option<&str>,
    fields: &[String],
    mode: Option<&str>,
    frames: Option<(Option<&str>, Option<f64>)>,
) -> Result<crate::io::InputOptions> {
    let calendar = parse_calendar(calendar)?;
    let (first, step) = frames.unwrap_or_default();
    Ok(crate::io::InputOptions {
        format: format.map(crate::io::TrackFormat::parse).transpose()?.flatten(),
        variable: variable.map(str::to_string),
        calendar,
        fields: fields.to_vec(),
        mode: parse_read_mode(mode)?,
        numeric_time: frame_step(first, step, calendar)?
            .map_or(crate::io::tdump::NumericTime::Reject, |(first, step)| crate::io::tdump::NumericTime::FrameStep { first, step }),
    })
}

/// `min` or `max` where a track file's variable does not say; `None`: from the name.
pub fn parse_read_mode(mode: Option<&str>) -> Result<Option<Mode>> {
    mode.filter(|&m| m != "auto").map(|m| Mode::parse(m).ok_or_else(|| Error::option("mode", format!("'{m}' is not one of auto, min, max")))).transpose()
}

/// The frame axis of a TRACK file that numbers its frames: the time of frame 1
/// (`first_frame_time`, a date of `calendar`) and the step (`frame_step_hours`), both or
/// neither; as `(first, step)` in ms.
pub fn frame_step(first_frame_time: Option<&str>, frame_step_hours: Option<f64>, calendar: Option<crate::time::Calendar>) -> Result<Option<(i64, i64)>> {
    match (first_frame_time, frame_step_hours) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::option("frame_step_hours", "is required with `first_frame_time`: the hours between two frames")),
        (None, Some(_)) => Err(Error::option("first_frame_time", "is required with `frame_step_hours`: the time of frame 1")),
        (Some(t), Some(h)) => {
            let first = crate::time::parse_user_time("first_frame_time", t, calendar.unwrap_or(crate::time::Calendar::ProlepticGregorian))?;
            let step = h * 3_600_000.0;
            if !(h.is_finite() && h > 0.0 && step.fract() == 0.0) {
                return Err(Error::option("frame_step_hours", format!("{h} must be a positive whole number of milliseconds in hours")));
            }
            Ok(Some((first, step as i64)))
        }
    }
}

/// The calendar an option names (`calendar`), parsed; `None` when not given.
pub fn parse_calendar(name: Option<&str>) -> Result<Option<crate::time::Calendar>> {
    name.map(|c| crate::time::Calendar::parse(Some(c))).transpose()
}

use crate::error::{Error, Result};
use crate::variables::Mode;

/// `threads`, checked before the long work: 0 is refused (absent means all cores).
pub fn check_threads(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        return Err(Error::option("threads", "0 must be a positive integer"));
    }
    Ok(())
}

/// A rayon pool of `threads` workers (all cores when `None`).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    check_threads(threads)?;
    rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0)).build().map_err(|e| Error::option("threads", e.to_string()))
}

/// A detection mode choice: `auto` (`None`: from the data), `min` or `max`.
pub fn parse_mode(option: &str, s: &str) -> Result<Option<Mode>> {
    match s {
        "auto" => Ok(None),
        s => Mode::parse(s).map(Some).ok_or_else(|| Error::option(option, format!("'{s}' is not one of auto, min, max"))),
    }
}

/// A count that must be positive when given (`n_frames`, `segment_frames`, ...).
pub fn check_positive(option: &str, value: Option<usize>) -> Result<()> {
    if value == Some(0) {
        return Err(Error::option(option, "0 must be a positive integer"));
    }
    Ok(())
}

#[cfg(all(test, feature = "netcdf"))]
mod tests {
    use super::*;

    fn flags(name: &str) -> Option<String> {
        Some(format!("--{}", name.replace('_', "-")))
    }

    #[test]
    fn errors_name_options_by_field_and_fail_before_any_input() {
        let field = FieldOptions { input: vec!["missing.nc".into()], variable: "msl".into(), ..Default::default() };
        let bad_km = track::Options { field: field.clone(), max_link_km: Some(-5.0), ..Default::default() };
        let e = bad_km.validate().unwrap_err();
        assert_eq!(e.to_string(), "invalid option `max_link_km`: -5 must be a positive number");
        assert_eq!(e.message_with(&flags), "invalid option --max-link-km: -5 must be a positive number");
        let hodges_only = track::Options {
            field: field.clone(),
            detection: detect::DetectionSettings {
                hodges: HodgesSettings { linker: link::MgeSettings { w1: Some(0.3), ..Default::default() }, ..Default::default() },
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            hodges_only.validate().unwrap_err().message_with(&flags),
            "invalid option --w1: applies to --algorithm hodges or healpix only; remove it for the simple tracker"
        );
        let lonely = FieldOptions { band: BandPass { lmin: Some(5), ..Default::default() }, ..field.clone() };
        assert!(lonely.validate().unwrap_err().to_string().contains("`lmax`"));
        let backwards = FieldOptions { times: TimeWindow { start: Some("2025-12-02".into()), end: Some("2025-12-01".into()), n_frames: None }, ..field };
        assert_eq!(backwards.validate().unwrap_err().to_string(), "invalid option `end`: is before `start`");
    }

    #[test]
    fn defaults_are_written_once() {
        let (m, t) = (metrics::Options::default(), metrics::TableOptions::default());
        assert_eq!((m.job.grid, m.radius_km, &m.kernel, &m.interpolation), (t.grid, t.radius_km, &t.kernel, &t.interpolation));
        assert_eq!(track::default_max_link_km(), crate::link::SimpleLinker::default().max_km);
        assert_eq!(vorticity::Options::default().radius_m, crate::spectral::DEFAULT_RADIUS_M);
        let c = compare::Options::default().config().unwrap();
        assert_eq!(c.max_mean_separation_deg, crate::compare::TrackComparisonConfig::default().max_mean_separation_deg);
        assert_eq!(filter::Criterion::default().rsplice().unwrap(), crate::compare::RspliceOptions::default());
    }

    #[test]
    fn threads_and_counts_must_be_positive() {
        assert_eq!(check_threads(Some(0)).unwrap_err().to_string(), "invalid option `threads`: 0 must be a positive integer");
        assert!(check_threads(None).is_ok() && check_positive("n_frames", Some(3)).is_ok());
        assert_eq!(
            parse_mode("detection_mode", "sideways").unwrap_err().to_string(),
            "invalid option `detection_mode`: 'sideways' is not one of auto, min, max"
        );
    }
}
