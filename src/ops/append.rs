//! `track --append DIR`: continue the tracks of a dataset with new frames, from the linker
//! state stored in its descriptor, writing a new generation in which only the touched
//! partitions are new files (docs/datasets.md#appending). Every algorithm continues through
//! its tracker ([`crate::pipeline::tracker::Tracker::resume`]); this reads and writes the dataset around it.

use super::track::{Options, Tracked};
use crate::arrow::frame_centers_batch;
use crate::error::{Error, Result};
use crate::field::{Field, FieldSeries};
use crate::io::parquet as pq;
use crate::pipeline::continuation::{Resumed, StoredRun, state_error};
use crate::pipeline::{MissingDataReport, TrackRun, centers_meta};
use crate::variables::Mode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Continue the dataset at `dir` with the frames of `opts.field`.
pub fn run(opts: &Options, dir: &Path, progress: &dyn super::Progress) -> Result<Tracked> {
    let (mut method, outputs) = opts.checked()?;
    if !outputs.is_empty() {
        return Err(Error::option("outputs", "cannot be given with `append` (the appended dataset is the output)"));
    }
    // one generation read throughout; the write refuses if another writer switched since
    let generation = crate::io::generations::snapshot(dir);
    let descriptor = pq::read_descriptor(&generation)?;
    let link_state = &descriptor["link_state"];
    if link_state.is_null() {
        return Err(state_error(dir, "has no stored linker state (written by an older version); track the whole period again"));
    }
    let field = opts.field.open_for(&mut method, &opts.detection.other_variables(&opts.field.variable))?;
    let (method, mode) = method.settle(&field, &opts.field, opts.detection.feature_threshold)?;
    let algorithm = method.algorithm();
    let tracker = method.tracker(mode, opts.max_link_km);
    let mut provenance = super::track::provenance(&field, opts.input_name.as_deref());
    tracker.record(&mut provenance, &field);
    same_options(dir, &descriptor, &provenance, tracker.deciding_options())?;
    let number = |k: &str| link_state[k].as_i64().ok_or_else(|| state_error(dir, &format!("link_state.{k} is missing")));
    let (next_frame, last_frame_time) = (number("next_frame")? as u32, number("last_frame_time")?);
    let stored_tracks = pq::read_dataset(&generation)?;
    let info = field.info();
    if stored_tracks.metadata.mode != mode || stored_tracks.metadata.calendar != info.calendar {
        return Err(state_error(dir, "holds another detection mode or calendar than this input"));
    }
    // one frame is enough to continue a run
    let range = opts.field.selection(info.calendar)?.frames(&info.times);
    if range.is_empty() {
        return Err(Error::TooFewFrames("the time selection contains no frame; widen `start`/`end`".into()));
    }
    let first = info.times[range.start];
    if first <= last_frame_time {
        let iso = |t: i64| info.calendar.format_iso(t);
        return Err(state_error(
            dir,
            &format!("ends at {}; the input starts at {}, which overlaps or precedes it; append only later data", iso(last_frame_time), iso(first)),
        ));
    }

    let link_frames = pq::read_link_frames(&generation)?;
    let stored = StoredRun { dataset: dir, tracks: &stored_tracks, link_state, link_frames: link_frames.as_deref() };
    tracker.check_stored(&stored)?;
    let pool = super::pool(opts.field.threads)?;
    let resumed = pool.install(|| -> Result<Resumed> {
        let mut detections = super::progress::reporting(progress, range.len(), |p| tracker.detect(&field, range.clone(), Some(p)))?;
        for f in &mut detections.frames {
            f.frame += next_frame;
        }
        tracker.resume(&field, &stored, detections)
    })?;
    let month = |t: &i64| month_of(info.calendar, *t);
    let new_months: BTreeSet<(i32, u32)> = resumed.frames.iter().map(|f| month(&f.time)).collect();
    let touched = BTreeMap::from([
        ("centers", new_months),
        ("track_points", resumed.changed_point_times.iter().map(month).collect()),
        ("tracks", resumed.changed_start_times.iter().map(month).collect()),
    ]);
    let base = pq::AppendBase { generation, touched };
    let stage_times = (algorithm != super::detect::Algorithm::Simple).then_some(resumed.times);
    let (run, provenance) = write_continued(dir, base, &descriptor, &field, mode, resumed, provenance)?;
    let outputs = vec![(dir.into(), crate::io::TrackFormat::Parquet)];
    Ok(Tracked { run, algorithm, outputs, provenance, unit: info.value_unit.clone(), stage_times })
}

/// The options that decide the result (`keys` of the provenance) must be those the dataset
/// was tracked with.
fn same_options(dir: &Path, descriptor: &Value, now: &BTreeMap<String, Value>, keys: &[&str]) -> Result<()> {
    let stored = &descriptor["provenance"];
    for key in keys {
        let (was, is) = (&stored[*key], now.get(*key).unwrap_or(&Value::Null));
        if was != is {
            return Err(state_error(dir, &format!("was tracked with {key} = {was}, this run has {is}; append with the same options")));
        }
    }
    Ok(())
}

/// The inputs of the stored dataset and of this run, for the descriptor.
fn appended_provenance(descriptor: &Value, provenance: &mut BTreeMap<String, Value>) {
    let mut inputs: Vec<Value> = match &descriptor["provenance"]["input"] {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    };
    inputs.push(provenance["input"].clone());
    provenance.insert("input".into(), json!(inputs));
    provenance.insert("appended".into(), json!(true));
}

/// The (year, month) of a time: the storage partition it falls in.
fn month_of(calendar: crate::time::Calendar, t: i64) -> (i32, u32) {
    let c = calendar.civil(t);
    (c.year, c.month)
}

/// Write a continuation as the new generation of the dataset at `dir` over the one it read
/// (`base`, whose descriptor is `descriptor`): the stored centres and the new frames', the
/// inputs appended to the provenance; returns the run and the provenance written.
fn write_continued(
    dir: &Path,
    base: pq::AppendBase,
    descriptor: &Value,
    field: &FieldSeries,
    mode: Mode,
    resumed: Resumed,
    mut provenance: BTreeMap<String, Value>,
) -> Result<(TrackRun, BTreeMap<String, Value>)> {
    let Resumed { tracks, frames, state, .. } = resumed;
    let meta = centers_meta(field, mode);
    let mut centers = pq::read_table(&base.generation.join("centers"))?;
    for f in &frames {
        centers.push(frame_centers_batch(&meta, f.frame, f.time, &f.centers)?);
    }
    appended_provenance(descriptor, &mut provenance);
    let opts_ds = pq::DatasetOptions {
        centers: Some(centers),
        provenance: provenance.clone(),
        link_state: Some(state.value),
        link_frames: state.frames,
        append: Some(base),
    };
    pq::write_dataset(&tracks, dir, &opts_ds)?;
    let info = field.info();
    let missing = MissingDataReport::of(&frames, &info.grid);
    Ok((TrackRun { tracks, frames, missing, mode }, provenance))
}
