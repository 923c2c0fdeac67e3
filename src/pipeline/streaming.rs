//! A Simple tracker fed one frame at a time (docs/datasets.md#streaming): it keeps the linker's
//! state and the points of the open tracks, and hands back each track when it finishes. The
//! tracks it returns, over a whole run, are those of [`super::track_simple`] on the same frames,
//! with the same ids: the linker is sequential and resumes exactly ([`LinkResume`]).

use super::{DetectedFrame, build_tracks, detect_range};
use crate::detect::SimpleDetector;
use crate::error::{Error, Result};
use crate::field::{Field, MemoryField};
use crate::link::{FrameRef, LinkResume, SimpleLinker};
use crate::time::{Calendar, TimeAxis};
use crate::tracks::{Tracks, TracksMetadata};
use crate::variables::Mode;
use ndarray::{Array2, Axis};

/// What the frames are: their variable, units and coordinates.
#[derive(Debug, Clone)]
pub struct StreamSpec {
    pub variable: String,
    /// CF units of the values (converted as a file's are, e.g. hPa to Pa).
    pub units: Option<String>,
    pub standard_name: Option<String>,
    pub calendar: Calendar,
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    /// The other variables the detector's criteria test (closed contours of other variables),
    /// in field order, with their CF units: each frame comes with one of each.
    pub others: Vec<(String, Option<String>)>,
}

impl StreamSpec {
    /// The description of `field`'s frames (values already in the field's unit).
    pub fn of(field: &dyn crate::field::Field) -> StreamSpec {
        let i = field.info();
        StreamSpec {
            variable: i.variable.clone(),
            units: Some(i.value_unit.clone()),
            standard_name: i.standard_name.clone(),
            calendar: i.calendar,
            lat: i.grid.lat.clone(),
            lon: i.grid.lon.clone(),
            others: Vec::new(),
        }
    }

    /// One frame at `time` as a field, read as a file's would be (units, calendar, checks).
    pub(crate) fn frame_field(&self, time: i64, frame: Array2<f64>) -> Result<MemoryField> {
        self.frame_field_with(time, frame, Vec::new())
    }

    /// [`Self::frame_field`] carrying `others`, one frame of each of [`Self::others`] in order.
    pub(crate) fn frame_field_with(&self, time: i64, frame: Array2<f64>, others: Vec<Array2<f64>>) -> Result<MemoryField> {
        if others.len() != self.others.len() {
            let names: Vec<&str> = self.others.iter().map(|(n, _)| n.as_str()).collect();
            return Err(Error::option(
                "others",
                format!("{} other frames given; the criteria test {} ({}): give one frame of each", others.len(), names.len(), names.join(", ")),
            ));
        }
        let axis = || TimeAxis { times: vec![time], calendar: self.calendar };
        let one = |name: &str, units: Option<&str>, standard_name: Option<String>, frame: Array2<f64>| {
            MemoryField::from_cf(name, units, standard_name, axis(), self.lat.clone(), self.lon.clone(), frame.insert_axis(Axis(0)))
        };
        let other_fields = self.others.iter().zip(others).map(|((name, units), f)| one(name, units.as_deref(), None, f)).collect::<Result<Vec<_>>>()?;
        one(&self.variable, self.units.as_deref(), self.standard_name.clone(), frame)?.with_others(other_fields)
    }

    /// Frames come in time order: `time` must follow `last`, the previous frame's time.
    pub(crate) fn check_after(&self, last: Option<i64>, time: i64) -> Result<()> {
        match last {
            Some(last) if time <= last => {
                let c = self.calendar;
                Err(Error::Time(format!("frame at {} is not after the previous one ({}); push frames in time order", c.format_iso(time), c.format_iso(last))))
            }
            _ => Ok(()),
        }
    }
}

/// An open track: its id and its points so far (frames kept with the centres they use).
#[derive(Debug, Clone)]
struct OpenTrack {
    id: i64,
    points: Vec<(usize, usize)>,
}

/// The Simple tracker, one frame at a time.
#[derive(Debug)]
pub struct StreamingTracker {
    spec: StreamSpec,
    detector: SimpleDetector,
    /// `None`: the variable's default threshold (as a file's).
    threshold: Option<f64>,
    linker: SimpleLinker,
    mode: Option<Mode>,
    resume: LinkResume,
    /// In the order of `resume.tails`.
    open: Vec<OpenTrack>,
    /// Frames holding points of open tracks (older ones are dropped as tracks finish).
    frames: Vec<DetectedFrame>,
    next_id: i64,
    next_frame: u32,
    last_time: Option<i64>,
    unit: String,
    /// Of the grid's longitudes, decided once.
    lon_convention: crate::geo::LonConvention,
}

impl StreamingTracker {
    /// A tracker for frames described by `spec`; `mode` `None` decides from the variable,
    /// `threshold` `None` takes the variable's default.
    pub fn new(spec: StreamSpec, detector: SimpleDetector, threshold: Option<f64>, linker: SimpleLinker, mode: Option<Mode>) -> Result<Self> {
        detector.validate()?;
        if !(linker.max_km > 0.0 && linker.max_km.is_finite()) {
            return Err(Error::option("max_link_km", format!("{} must be a positive number", linker.max_km)));
        }
        let lon_convention = crate::field::Grid::new(spec.lat.clone(), spec.lon.clone()).lon_convention;
        let t = StreamingTracker {
            spec,
            detector,
            threshold,
            linker,
            mode,
            resume: LinkResume::default(),
            open: Vec::new(),
            frames: Vec::new(),
            next_id: 1,
            next_frame: 0,
            last_time: None,
            unit: String::new(),
            lon_convention,
        };
        // check the description once, on an empty frame, before any data arrives
        let probe = || Array2::from_elem((t.spec.lat.len(), t.spec.lon.len()), f64::NAN);
        t.spec.frame_field_with(0, probe(), t.spec.others.iter().map(|_| probe()).collect())?;
        Ok(t)
    }

    /// Detect `frame` (shape latitude x longitude) at `time` (ms in the spec's calendar), link
    /// it, and return the tracks that ended before it.
    pub fn push(&mut self, time: i64, frame: Array2<f64>) -> Result<Tracks> {
        self.push_with(time, frame, Vec::new())
    }

    /// [`Self::push`] with the frames of the other variables the criteria test (one of each of
    /// the spec's `others`, in order, at the same time and on the same grid).
    pub fn push_with(&mut self, time: i64, frame: Array2<f64>, others: Vec<Array2<f64>>) -> Result<Tracks> {
        self.spec.check_after(self.last_time, time)?;
        let field = self.spec.frame_field_with(time, frame, others)?;
        let mode = match self.mode {
            Some(m) => m,
            None => field.default_mode()?,
        };
        self.mode = Some(mode);
        self.unit = field.info().value_unit.clone();
        let detector = SimpleDetector {
            threshold: field.info().feature_threshold(self.threshold),
            criteria: super::criteria_in_field_units(&self.detector.criteria, &field),
            ..self.detector.clone()
        };
        let mut detected = detect_range(&field, &detector, mode, 0..1, None)?.pop().expect("one frame");
        detected.frame = self.next_frame;
        self.next_frame += 1;
        self.last_time = Some(time);
        let refs = [FrameRef { time, lats: &detected.centers.lats, lons: &detected.centers.lons }];
        let (linked, end, end_tails) = self.linker.link_resumed(&self.resume, &refs);
        self.frames.push(detected);
        let fi = self.frames.len() - 1;

        let n_tails = self.resume.tails.len();
        let mut tracks: Vec<OpenTrack> = Vec::with_capacity(linked.len());
        for (k, l) in linked.iter().enumerate() {
            let mut t = if k < n_tails { self.open[k].clone() } else { OpenTrack { id: self.next_id + (k - n_tails) as i64, points: Vec::new() } };
            t.points.extend(l.iter().filter(|p| p.0 != usize::MAX).map(|&(_, c)| (fi, c)));
            tracks.push(t);
        }
        self.next_id += (linked.len() - n_tails) as i64;
        let mut still_open = vec![false; tracks.len()];
        end_tails.iter().for_each(|&k| still_open[k] = true);
        let finished: Vec<OpenTrack> = tracks.iter().zip(&still_open).filter(|(_, o)| !**o).map(|(t, _)| t.clone()).collect();
        self.open = end_tails.iter().map(|&k| tracks[k].clone()).collect();
        self.resume = end;
        let out = self.tracks_of(finished)?;
        self.drop_unused_frames();
        Ok(out)
    }

    /// What the frames are.
    pub fn spec(&self) -> &StreamSpec {
        &self.spec
    }

    /// Every track still open, as if the input ended here.
    pub fn finish(mut self) -> Result<Tracks> {
        let open = std::mem::take(&mut self.open);
        self.tracks_of(open)
    }

    /// Finished tracks in id order (their creation order), as [`super::track_simple`] builds them.
    fn tracks_of(&self, mut list: Vec<OpenTrack>) -> Result<Tracks> {
        list.sort_by_key(|t| t.id);
        list.retain(|t| !t.points.is_empty());
        let mut metadata = TracksMetadata::new(self.spec.variable.clone(), self.mode.unwrap_or(Mode::Min));
        metadata.calendar = self.spec.calendar;
        let linked: Vec<Vec<(usize, usize)>> = list.iter().map(|t| t.points.clone()).collect();
        let ids: Vec<i64> = list.iter().map(|t| t.id).collect();
        let unit = if self.unit.is_empty() { "1" } else { &self.unit };
        build_tracks(metadata, &self.spec.variable, unit, self.lon_convention, &self.frames, &linked, Some(&ids))
    }

    /// Forget frames no open track points into, renumbering the open tracks' references.
    fn drop_unused_frames(&mut self) {
        let first = self.open.iter().filter_map(|t| t.points.first().map(|p| p.0)).min().unwrap_or(self.frames.len());
        if first == 0 {
            return;
        }
        self.frames.drain(..first);
        for t in &mut self.open {
            for p in &mut t.points {
                p.0 -= first;
            }
        }
    }
}
