//! `stormtrack filter` (TRACK's RSPLICE criterion) and `stormtrack compare` (one-to-one
//! matching of two track sets): commands over track files in any supported format.

use super::args::{CompareArgs, FilterArgs};
use super::hodges::parse_time_step;
use crate::compare::{self, DistanceMode, MatchingMethod, RspliceOptions, TrackComparisonConfig};
use crate::error::{Error, Result};
use crate::io::{self, TrackFormat, atomic};
use crate::tracks::Tracks;
use std::path::Path;

/// Read tracks in any format; `variable` names the primary variable of text formats.
pub fn read_any(path: &Path, variable: Option<&str>) -> Result<Tracks> {
    match io::input_format(path, None)? {
        TrackFormat::Imilast => io::imilast::read_file(path, variable),
        TrackFormat::Track => io::tdump::read_file(path, variable),
        other => io::read_tracks(path, Some(other)),
    }
}

/// The RSPLICE options of `filter`, checked.
pub fn rsplice_options(a: &FilterArgs) -> Result<RspliceOptions> {
    let (mode, distance_deg) = match (a.min_endpoint_distance_deg, a.min_travel_distance_deg) {
        (_, Some(d)) => (DistanceMode::Travel, d),
        (d, None) => (DistanceMode::Endpoint, d.unwrap_or(10.0)),
    };
    if !(distance_deg.is_finite() && distance_deg >= 0.0) {
        return Err(Error::option("--min-endpoint-distance-deg", format!("{distance_deg} must be a finite number of degrees >= 0")));
    }
    if let Some(m) = a.max_points
        && m < a.min_points
    {
        return Err(Error::option("--max-points", format!("{m} is below --min-points {}", a.min_points)));
    }
    let expected_cadence_ms = a
        .expected_cadence
        .as_deref()
        .map(|s| {
            parse_time_step(s).map_err(|_| Error::option("--expected-cadence", format!("'{s}' is not a positive integer followed by s, m, h or D (e.g. 6h)")))
        })
        .transpose()?;
    Ok(RspliceOptions { min_points: a.min_points, max_points: a.max_points, distance_deg, mode, expected_cadence_ms })
}

pub fn filter(a: FilterArgs) -> Result<()> {
    let opts = rsplice_options(&a)?;
    let out_format = io::output_format(&a.output, TrackFormat::parse(&a.format)?)?;
    if out_format == TrackFormat::Parquet {
        io::parquet::check_target(&a.output)?;
    } else {
        atomic::check_writable_file(&a.output)?;
    }
    let tracks = read_any(&a.input, a.variable.as_deref())?;
    let keep = compare::filter_rsplice(&compare::track_set(&tracks), &opts)?;
    let kept = tracks.select(&keep);
    io::write_tracks(&kept, &a.output, out_format)?;
    eprintln!("stormtrack: kept {} of {} tracks ({} of {} points) -> {}", kept.len(), tracks.len(), kept.n_points(), tracks.n_points(), a.output.display());
    Ok(())
}

pub fn compare(a: CompareArgs) -> Result<()> {
    let reference = a.reference.or(a.reference_flag).ok_or_else(|| Error::option("REFERENCE", "is required"))?;
    let candidate = a.candidate.or(a.candidate_flag).ok_or_else(|| Error::option("CANDIDATE", "is required"))?;
    let matching = MatchingMethod::parse(&a.matching)
        .ok_or_else(|| Error::option("--matching", format!("'{}' is unknown; use nearest, mutual_nearest or global_assignment", a.matching)))?;
    let mode = super::metrics::parse_mode("--detection-mode", &a.detection_mode)?;
    let config = TrackComparisonConfig {
        matching,
        max_mean_separation_deg: a.max_mean_separation,
        min_overlap_fraction: a.min_overlap,
        variable: a.variable.clone(),
        mode,
    };
    config.validate().map_err(Error::from)?;
    let json_file = a.json.as_ref().and_then(|j| j.clone());
    for p in a.output_report.iter().chain(json_file.iter()) {
        atomic::check_writable_file(p)?;
    }
    let r = read_any(&reference, a.variable.as_deref())?;
    let c = read_any(&candidate, a.variable.as_deref())?;
    let report = compare::compare_tracks(&with_values(&r, a.variable.as_deref())?, &with_values(&c, a.variable.as_deref())?, &config)?;
    let text = serde_json::to_string_pretty(&compare::report_json(&report)).expect("a report is plain JSON");
    for p in a.output_report.iter().chain(json_file.iter()) {
        atomic::write_file(p, |w| w.write_all(text.as_bytes()).and_then(|()| w.write_all(b"\n")))?;
    }
    if matches!(a.json, Some(None)) {
        println!("{text}");
    } else {
        println!("{}", report.summary_text());
    }
    Ok(())
}

/// The comparison view of `t`, with the values of `variable` (which must exist) when given.
fn with_values<'a>(t: &'a Tracks, variable: Option<&str>) -> Result<compare::TrackSet<'a>> {
    let mut s = compare::track_set(t);
    if let Some(name) = variable {
        let names: Vec<&str> = t.variables.iter().map(|v| v.name.as_str()).collect();
        let v = t
            .variable(name)
            .ok_or_else(|| Error::option("--variable", format!("'{name}' is not a variable of both track sets (found: {})", names.join(", "))))?;
        s.values = Some(&v.values);
    }
    Ok(s)
}
