//! `track --append DIR`: continue the Simple tracks of a dataset with new frames, from the
//! linker state stored in its descriptor, writing a new generation in which only the touched
//! partitions are new files (docs/datasets.md#appending).

use super::detect::Method;
use super::track::{Options, Tracked, simple_link_state};
use crate::arrow::frame_centers_batch;
use crate::error::{Error, Result};
use crate::field::{Field, FieldSeries};
use crate::io::parquet as pq;
use crate::link::{FrameRef, LinkResume, SimpleLinker};
use crate::pipeline::{DetectedFrame, MissingDataReport, TrackRun, centers_meta, check_frame_count, detect_range};
use crate::tracks::{Point, Tracks, TracksBuilder};
use crate::variables::Mode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stored state a run continues: the linker's resume point and the numbering.
struct Stored {
    resume: LinkResume,
    tail_ids: Vec<i64>,
    next_id: i64,
    next_frame: u32,
    last_frame_time: i64,
    descriptor: Value,
}

pub(super) fn state_error(dir: &Path, what: &str) -> Error {
    Error::option("append", format!("{}: {what}", dir.display()))
}

impl Stored {
    /// The state in the descriptor of `generation`, the snapshot of the dataset at `dir`.
    fn load(dir: &Path, generation: &Path) -> Result<Stored> {
        let d = pq::read_descriptor(generation)?;
        let s = &d["link_state"];
        if s.is_null() {
            return Err(state_error(dir, "has no stored linker state (written by an older version); track the whole period again"));
        }
        if s["algorithm"] != "simple" {
            return Err(state_error(dir, &format!("was tracked with algorithm = {}, this run has \"simple\"; append with the same options", s["algorithm"])));
        }
        let num = |k: &str| s[k].as_i64().ok_or_else(|| state_error(dir, &format!("link_state.{k} is missing")));
        let tails: Vec<(f64, f64, i64)> = s["tails"]
            .as_array()
            .ok_or_else(|| state_error(dir, "link_state.tails is missing"))?
            .iter()
            .map(|t| Some((t[0].as_f64()?, t[1].as_f64()?, t[2].as_i64()?)))
            .collect::<Option<_>>()
            .ok_or_else(|| state_error(dir, "link_state.tails is malformed"))?;
        Ok(Stored {
            resume: LinkResume { last_time: s["last_time"].as_i64(), step: s["step"].as_i64(), tails: tails.iter().map(|t| (t.0, t.1)).collect() },
            tail_ids: tails.iter().map(|t| t.2).collect(),
            next_id: num("next_id")?,
            next_frame: num("next_frame")? as u32,
            last_frame_time: num("last_frame_time")?,
            descriptor: d,
        })
    }

    /// The options that decide the result must be those the dataset was tracked with.
    fn check_same(&self, dir: &Path, now: &BTreeMap<String, Value>) -> Result<()> {
        let keys = [
            "algorithm",
            "variable",
            "feature_threshold",
            "search_window_size",
            "feature_refinement",
            "max_link_km",
            "lmin",
            "lmax",
            "spectral_taper",
            "taper_points",
        ];
        same_options(dir, &self.descriptor, now, &keys)
    }
}

/// The options that decide the result (`keys` of the provenance) must be those the dataset
/// was tracked with.
pub(super) fn same_options(dir: &Path, descriptor: &Value, now: &BTreeMap<String, Value>, keys: &[&str]) -> Result<()> {
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

/// The points and values of track `i` of `t`.
pub(super) fn points_of(t: &Tracks, i: usize) -> (Vec<Point>, Vec<Vec<f64>>) {
    let span = t.offsets[i]..t.offsets[i + 1];
    let points = span
        .clone()
        .map(|p| Point { time: t.times[p], lat: t.lats[p], lon: t.lons[p], grid: t.grid.as_ref().map(|g| (g.frame[p], g.row[p], g.col[p])) })
        .collect();
    let values = span.map(|p| t.variables.iter().map(|v| v.values[p]).collect()).collect();
    (points, values)
}

/// The (year, month) of a time.
pub(super) fn month_of(calendar: crate::time::Calendar, t: i64) -> (i32, u32) {
    let c = calendar.civil(t);
    (c.year, c.month)
}

/// Continue the dataset at `dir` with the frames of `opts.field`.
pub fn run(opts: &Options, dir: &Path, progress: &dyn super::Progress) -> Result<Tracked> {
    let (method, outputs) = opts.checked()?;
    if !outputs.is_empty() {
        return Err(Error::option("outputs", "cannot be given with `append` (the appended dataset is the output)"));
    }
    if let Method::Hodges(_) = method {
        return super::append_hodges::run(opts, dir, method, progress);
    }
    // one generation read throughout; the write refuses if another writer switched since
    let generation = crate::io::generations::snapshot(dir);
    let stored = Stored::load(dir, &generation)?;
    let field = opts.field.open()?;
    let (method, mode) = method.settle(&field, &opts.field, opts.detection.feature_threshold)?;
    let Method::Simple { detector, spectral } = method else { unreachable!("checked above") };
    let linker = SimpleLinker { max_km: opts.max_link_km.unwrap_or_else(super::track::default_max_link_km) };
    let mut provenance = super::track::provenance(&field, opts.input_name.as_deref());
    crate::pipeline::provenance::simple(&mut provenance, &detector, &linker);
    if let Some(s) = &spectral {
        crate::pipeline::provenance::spectral(&mut provenance, s);
    }
    stored.check_same(dir, &provenance)?;
    let stored_tracks = pq::read_dataset(&generation)?;
    if stored_tracks.metadata.mode != mode || stored_tracks.metadata.calendar != field.info().calendar {
        return Err(state_error(dir, "holds another detection mode or calendar than this input"));
    }
    let info = field.info();
    let range = opts.field.selection(info.calendar)?.frames(&info.times);
    // one frame is enough to continue a run
    if range.len() != 1 {
        check_frame_count(&field, range.clone())?;
    }
    let first = info.times[range.start];
    if first <= stored.last_frame_time {
        return Err(state_error(
            dir,
            &format!(
                "ends at {}; the input starts at {}, which overlaps or precedes it; append only later data",
                info.calendar.format_iso(stored.last_frame_time),
                info.calendar.format_iso(first)
            ),
        ));
    }
    let pool = super::pool(opts.field.threads)?;
    let mut frames = match &spectral {
        None => pool.install(|| super::progress::reporting(progress, range.len(), |p| detect_range(&field, &detector, mode, range, Some(p))))?,
        Some(s) => {
            let filtered = crate::field::FilteredField::with_options(&field, s)?;
            pool.install(|| super::progress::reporting(progress, range.len(), |p| detect_range(&filtered, &detector, mode, range, Some(p))))?
        }
    };
    for f in &mut frames {
        f.frame += stored.next_frame;
    }
    let refs: Vec<FrameRef<'_>> = frames.iter().map(DetectedFrame::frame_ref).collect();
    let (linked, end, end_tails) = linker.link_resumed(&stored.resume, &refs);

    let (tracks, ids, touched_tracks) = merge(&stored_tracks, &stored, &frames, &linked)?;
    let tail_ids: Vec<i64> = end_tails.iter().map(|&t| ids[t]).collect();
    let next_id = stored.next_id + (linked.len() - stored.resume.tails.len()) as i64;
    let last = frames.last().expect("at least one frame");
    let link_state = simple_link_state(&end, &tail_ids, next_id, last.frame + 1, last.time);

    // what changed: the months of the new frames, and the start months of touched tracks
    let month = |t: i64| month_of(info.calendar, t);
    let new_months: BTreeSet<(i32, u32)> = frames.iter().map(|f| month(f.time)).collect();
    let start_months: BTreeSet<(i32, u32)> = touched_tracks.iter().map(|&k| month(tracks.times[tracks.offsets[k]])).collect();
    let touched = BTreeMap::from([("centers", new_months.clone()), ("track_points", new_months), ("tracks", start_months)]);

    let base = pq::AppendBase { generation, touched };
    let continued = Continued { tracks, frames, provenance, link_state, link_frames: None, algorithm: super::detect::Algorithm::Simple, stage_times: None };
    write_continued(dir, base, &stored.descriptor, &field, mode, continued)
}

/// What a continuation made: the tracks of the whole period, the new frames, and the state to
/// continue from next time.
pub(super) struct Continued {
    pub tracks: Tracks,
    pub frames: Vec<DetectedFrame>,
    pub provenance: BTreeMap<String, Value>,
    pub link_state: Value,
    pub link_frames: Option<Vec<u8>>,
    pub algorithm: super::detect::Algorithm,
    pub stage_times: Option<crate::pipeline::hodges::StageTimes>,
}

/// Write a continuation as the new generation of the dataset at `dir` over the one it read
/// (`base`, whose descriptor is `descriptor`): the stored centres and the new frames', the
/// inputs appended to the provenance; returns the run as `track` does.
pub(super) fn write_continued(dir: &Path, base: pq::AppendBase, descriptor: &Value, field: &FieldSeries, mode: Mode, c: Continued) -> Result<Tracked> {
    let Continued { tracks, frames, mut provenance, link_state, link_frames, algorithm, stage_times } = c;
    let meta = centers_meta(field, mode);
    let mut centers = pq::read_table(&base.generation.join("centers"))?;
    for f in &frames {
        centers.push(frame_centers_batch(&meta, f.frame, f.time, &f.centers)?);
    }
    appended_provenance(descriptor, &mut provenance);
    let opts_ds = pq::DatasetOptions { centers: Some(centers), provenance: provenance.clone(), link_state: Some(link_state), link_frames, append: Some(base) };
    pq::write_dataset(&tracks, dir, &opts_ds)?;
    let info = field.info();
    let missing = MissingDataReport::of(&frames, info.grid.ny() * info.grid.nx());
    let run = TrackRun { tracks, frames, missing, mode };
    Ok(Tracked { run, algorithm, outputs: vec![(dir.into(), crate::io::TrackFormat::Parquet)], provenance, unit: info.value_unit.clone(), stage_times })
}

/// The stored tracks, the continued ones extended, then the new ones: the tracks of the whole
/// period in id order. Returns them, the id of every linked track, and the indices (in the
/// result) of the tracks that changed.
fn merge(stored: &Tracks, state: &Stored, frames: &[DetectedFrame], linked: &[Vec<(usize, usize)>]) -> Result<(Tracks, Vec<i64>, Vec<usize>)> {
    let n_tails = state.resume.tails.len();
    let ids: Vec<i64> = (0..linked.len()).map(|k| if k < n_tails { state.tail_ids[k] } else { state.next_id + (k - n_tails) as i64 }).collect();
    let new_points = |track: &[(usize, usize)]| -> (Vec<Point>, Vec<Vec<f64>>) {
        let mut points = Vec::new();
        let mut values = Vec::new();
        for &(fi, c) in track.iter().filter(|p| p.0 != usize::MAX) {
            let f = &frames[fi];
            let cs = &f.centers;
            points.push(Point { time: f.time, lat: cs.lats[c], lon: cs.lons[c], grid: Some((f.frame, cs.rows[c], cs.cols[c])) });
            let mut v = vec![cs.values[c]];
            v.extend(cs.extras.iter().map(|e| e.values[c]));
            values.push(v);
        }
        (points, values)
    };
    let continued: BTreeMap<i64, usize> = (0..n_tails).filter(|&k| linked[k].len() > 1).map(|k| (ids[k], k)).collect();
    let variables: Vec<(&str, &str)> = stored.variables.iter().map(|v| (v.name.as_str(), v.unit.as_str())).collect();
    let convention = stored.grid.as_ref().map(|g| g.lon_convention);
    let mut builder = TracksBuilder::new(stored.metadata.clone(), &variables, convention);
    let mut touched = Vec::new();
    for (i, &id) in stored.ids.iter().enumerate() {
        let (mut points, mut values) = points_of(stored, i);
        if let Some(&k) = continued.get(&id) {
            let (p, v) = new_points(&linked[k]);
            points.extend(p);
            values.extend(v);
            touched.push(i);
        }
        builder.push(id, &points, &values);
    }
    for k in n_tails..linked.len() {
        let (p, v) = new_points(&linked[k]);
        touched.push(stored.ids.len() + k - n_tails);
        builder.push(ids[k], &p, &v);
    }
    let tracks = builder.finish()?;
    Ok((tracks, ids, touched))
}
