//! `stormtrack filter` (TRACK's RSPLICE criterion) and `stormtrack compare` (one-to-one
//! matching of two track sets): commands over track files in any supported format.

use super::args::{CompareArgs, FilterArgs};
use crate::error::{Error, Result};
use crate::ops;

pub fn filter(a: FilterArgs) -> Result<()> {
    let opts = ops::filter::Options {
        input: a.input,
        output: a.out.output,
        format: a.out.format,
        variable: a.variable,
        calendar: a.calendar,
        criterion: ops::filter::Criterion {
            min_points: a.min_points,
            max_points: a.max_points,
            min_endpoint_distance_deg: a.min_endpoint_distance_deg,
            min_travel_distance_deg: a.min_travel_distance_deg,
            expected_cadence: a.expected_cadence,
        },
        reading: ops::TrackReading { fields: a.fields, mode: a.mode },
    };
    let done = ops::filter::run(&opts)?;
    eprintln!(
        "stormtrack: kept {} of {} tracks ({} of {} points) -> {}",
        done.kept.len(),
        done.tracks,
        done.kept.n_points(),
        done.points,
        opts.output.display()
    );
    Ok(())
}

pub fn compare(a: CompareArgs) -> Result<()> {
    let reference = a.reference.or(a.reference_flag).ok_or_else(|| Error::option("reference", "is required"))?;
    let candidate = a.candidate.or(a.candidate_flag).ok_or_else(|| Error::option("candidate", "is required"))?;
    let json_file = a.json.as_ref().and_then(|j| j.clone());
    let opts = ops::compare::Options {
        reference,
        candidate,
        matching: a.matching,
        max_mean_separation: a.max_mean_separation,
        min_overlap: a.min_overlap,
        detection_mode: a.detection_mode,
        variable: a.variable,
        calendar: a.calendar,
        reports: a.output_report.into_iter().chain(json_file).collect(),
        fields: a.fields,
        by_basin: a.by_basin,
        matched_output: a.matched_output,
    };
    let done = ops::compare::run(&opts)?;
    if matches!(a.json, Some(None)) {
        println!("{}", done.json);
    } else {
        println!("{}", done.report.summary_text());
        if let Some(scores) = &done.basins {
            println!("{}", crate::compare::basin_table(scores));
        }
    }
    Ok(())
}
