//! Every candidate centre of a frame, kept or not, with the test that turned it down and the
//! value it was tested on (docs/algorithms.md#rejected-candidates): what each [`Tracker`]
//! gives through [`Tracker::candidates`](super::tracker::Tracker::candidates), and
//! `detect --rejections` tabulates.

use super::healpix::HealpixDetection;
use super::hodges::{HodgesDiagnosis, HodgesOptions};
use crate::detect::hodges::{DUFF_FEATURE_VALUE, RefineStatus, nearest_cell};
use crate::detect::{Detector, Rejection, SimpleDetector};
use crate::error::Result;
use crate::field::{Field, FilteredField};
use crate::spectral::SpectralOptions;
use crate::variables::Mode;

/// One candidate: its cell (`row`, `col`; HEALPix: the input's cell in `row`, `col` 0), its
/// position and value (refined when kept), the value tested and its limit (NaN when the test
/// has none), and the test that turned it down (`None`: kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub row: u32,
    pub col: u32,
    pub lat: f64,
    pub lon: f64,
    pub value: f64,
    pub tested_value: f64,
    pub limit: f64,
    pub rejected_by: Option<String>,
}

impl Candidate {
    fn kept(row: u32, col: u32, lat: f64, lon: f64, value: f64) -> Self {
        Self { row, col, lat, lon, value, tested_value: f64::NAN, limit: f64::NAN, rejected_by: None }
    }

    fn rejected(row: u32, col: u32, lat: f64, lon: f64, value: f64, test: &str) -> Self {
        Self { rejected_by: Some(test.to_string()), ..Self::kept(row, col, lat, lon, value) }
    }
}

/// A tracker's detector prepared for one field, giving the candidates of any frame.
pub trait CandidateSource: Sync {
    /// The candidates of frame `t`, in no particular order.
    fn frame(&self, t: usize) -> Result<Vec<Candidate>>;
}

/// The Simple detector's local extrema, each with the first of its tests it failed.
pub(super) struct SimpleCandidates<'a> {
    field: &'a dyn Field,
    filtered: Option<FilteredField<'a>>,
    detector: &'a SimpleDetector,
    mode: Mode,
}

impl<'a> SimpleCandidates<'a> {
    pub fn new(field: &'a dyn Field, detector: &'a SimpleDetector, spectral: Option<&SpectralOptions>, mode: Mode) -> Result<Self> {
        detector.validate()?;
        let filtered = spectral.map(|s| FilteredField::with_options(field, s)).transpose()?;
        Ok(Self { field, filtered, detector, mode })
    }
}

impl CandidateSource for SimpleCandidates<'_> {
    fn frame(&self, t: usize) -> Result<Vec<Candidate>> {
        let field: &dyn Field = match &self.filtered {
            Some(f) => f,
            None => self.field,
        };
        let (frame, _) = super::simple_frame(field, t)?;
        let grid = &field.info().grid;
        let others = field.other_frames(t)?;
        let views: Vec<_> = others.iter().map(|o| o.view()).collect();
        let (kept, rejected) = self.detector.diagnose(frame.view(), &views, grid, self.mode);
        let mut out: Vec<Candidate> =
            (0..kept.len()).map(|k| Candidate::kept(kept.rows[k], kept.cols[k], kept.lats[k], kept.lons[k], kept.values[k])).collect();
        out.extend(rejected.into_iter().map(|Rejection { row, col, test, value, limit }| {
            let (r, c) = (row as usize, col as usize);
            Candidate { tested_value: value, limit, ..Candidate::rejected(row, col, grid.lat[r], grid.lon[c], frame[[r, c]], &test) }
        }));
        Ok(out)
    }
}

/// The Hodges tracker's features (DUFF ones turned down as `duplicate`, or by the name of
/// their failed `spherical_bspline` search) and the extrema of objects below
/// `min_object_grid_points` (`object_size`: the object's points against the limit), at their
/// positions (the nearest grid cell in `row`, `col`).
pub(super) struct HodgesCandidates<'a> {
    field: &'a dyn Field,
    diagnosis: HodgesDiagnosis<'a>,
}

impl<'a> HodgesCandidates<'a> {
    pub fn new(field: &'a dyn Field, opts: &HodgesOptions) -> Result<Self> {
        Ok(Self { field, diagnosis: HodgesDiagnosis::new(field, opts)? })
    }
}

impl CandidateSource for HodgesCandidates<'_> {
    fn frame(&self, t: usize) -> Result<Vec<Candidate>> {
        let grid = &self.field.info().grid;
        let (features, small) = self.diagnosis.frame(t)?;
        let cell = |lat: f64, lon: f64| {
            let (r, c) = nearest_cell(&grid.lat, &grid.lon, grid.periodic_x, lat, lon);
            (r as u32, c as u32)
        };
        let mut out: Vec<Candidate> = features
            .iter()
            .map(|f| {
                let (r, c) = cell(f.lat, f.lon);
                match f.status {
                    RefineStatus::Duff => Candidate::rejected(r, c, f.lat, f.lon, f.raw_value, "duplicate"),
                    // spherical_bspline turns a failed search DUFF: the test is the refinement
                    s if f.value == DUFF_FEATURE_VALUE => Candidate::rejected(r, c, f.lat, f.lon, f.raw_value, s.as_str()),
                    _ => Candidate::kept(r, c, f.lat, f.lon, f.value),
                }
            })
            .collect();
        let limit = self.diagnosis.min_object_points() as f64;
        out.extend(small.iter().map(|s| {
            let (r, c) = cell(s.lat, s.lon);
            Candidate { tested_value: s.object_points as f64, limit, ..Candidate::rejected(r, c, s.lat, s.lon, s.raw_value, "object_size") }
        }));
        Ok(out)
    }
}

/// The HEALPix tracker's features (kept) and the extremum of every object below
/// `min_object_grid_points` (`object_size`).
pub(super) struct HealpixCandidates<'a> {
    field: &'a dyn Field,
    detection: HealpixDetection,
}

impl<'a> HealpixCandidates<'a> {
    pub fn new(field: &'a dyn Field, opts: &HodgesOptions, settings: super::healpix::HealpixSettings) -> Result<Self> {
        Ok(Self { field, detection: HealpixDetection::new(field, opts, settings)? })
    }
}

impl CandidateSource for HealpixCandidates<'_> {
    fn frame(&self, t: usize) -> Result<Vec<Candidate>> {
        let (features, small) = self.detection.diagnose(self.field, t)?;
        let mut out: Vec<Candidate> = features.iter().map(|f| Candidate::kept(f.pixel as u32, 0, f.lat, f.lon, f.value)).collect();
        let limit = self.detection.min_object_points() as f64;
        out.extend(small.into_iter().map(|(lat, lon, value, cell, size)| Candidate {
            tested_value: size as f64,
            limit,
            ..Candidate::rejected(cell as u32, 0, lat, lon, value, "object_size")
        }));
        Ok(out)
    }
}
