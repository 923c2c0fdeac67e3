//! The HEALPix tracker's detection (see docs/algorithms.md#healpix-tracker): each frame of a
//! global latitude-longitude field is regridded to HEALPix through its spherical harmonics (the
//! optional band-pass filter in the same pass), or a HEALPix input is read as it is
//! (docs/input.md#healpix-inputs); features are found on the pixel neighbour graph, and the
//! Hodges tracker's MGE linking takes them from there.

use super::DetectedFrame;
use super::hodges::{HodgesOptions, StageTimes, add_secs, secs};
use super::tracker::Detections;
use crate::detect::healpix::{self as hp, HealpixDetectOptions, HealpixGrid, HealpixOrdering, HealpixRefinement};
use crate::detect::hodges::{RefineStatus, Refinement};
use crate::detect::{ExtraColumn, FrameCenters};
use crate::error::{Error, Result};
use crate::field::{Field, Grid, HealpixLayout};
use crate::spectral::regrid::{SphereRegrid, default_nside, source_lmax, target_lmax};
use crate::tracks::ProcessingStep;
use rayon::prelude::*;
use serde_json::json;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// The HEALPix tracker's own settings (its other options are the Hodges tracker's).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HealpixSettings {
    /// Pixels per base-pixel side, a power of two; `None`: from the source grid's spacing
    /// ([`default_nside`]).
    pub nside: Option<u32>,
}

/// The refinement of HEALPix features: `grid` or `quadratic` (the spherical fit, the default).
pub fn refinement(r: Refinement) -> Result<HealpixRefinement> {
    match r {
        Refinement::Grid => Ok(HealpixRefinement::Grid),
        Refinement::Quadratic => Ok(HealpixRefinement::Quadratic),
        other => Err(Error::option("feature_refinement", format!("'{}' does not apply to `algorithm` healpix; use quadratic or grid", other.as_str()))),
    }
}

/// Check `nside` (a power of two, at most 8192).
pub fn check_nside(nside: Option<u32>) -> Result<()> {
    match nside {
        Some(n) if n == 0 || !n.is_power_of_two() || n > 8192 => Err(Error::option("nside", format!("{n} must be a power of two from 1 to 8192"))),
        _ => Ok(()),
    }
}

/// The source grid's spacing the peer derives nside from: the larger of the median latitude
/// step and the median positive cyclic longitude step.
fn grid_spacing(grid: &Grid) -> f64 {
    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            f64::NAN
        } else if n % 2 == 1 {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        }
    }
    let dlat = median(grid.lat.windows(2).map(|w| (w[1] - w[0]).abs()).collect());
    let dlon = median(grid.lon.windows(2).map(|w| crate::geo::normalize_lon_360(w[1] - w[0])).filter(|d| *d > 0.0).collect());
    dlat.max(dlon)
}

/// The HEALPix grid and regridding of a source grid: nside and the transform's degree by the
/// peer's rules (docs/algorithms.md#healpix-regridding), checked against the band asked for.
pub struct HealpixPlan {
    pub grid: HealpixGrid,
    pub regrid: SphereRegrid,
}

impl HealpixPlan {
    pub fn new(source: &Grid, settings: HealpixSettings, band: Option<(usize, usize, f64)>) -> Result<Self> {
        check_nside(settings.nside)?;
        if !source.periodic_x {
            return Err(Error::option("algorithm", "healpix regrids global grids only; this input's longitudes do not go round the globe"));
        }
        let nside = settings.nside.unwrap_or_else(|| default_nside(grid_spacing(source)));
        let (src, tgt) = (source_lmax(source.ny(), source.nx()), target_lmax(nside));
        let (lmin, transform_lmax, taper) = match band {
            None => (0, src.min(tgt), 1.0),
            Some((lmin, lmax, taper)) => {
                if lmax > src {
                    return Err(Error::option("lmax", format!("{lmax} exceeds the input grid's bandwidth {src}")));
                }
                if lmax > tgt {
                    return Err(Error::option("lmax", format!("{lmax} exceeds 3 nside - 1 = {tgt} for nside {nside}; raise `nside` or lower `lmax`")));
                }
                (lmin, lmax, taper)
            }
        };
        let grid = HealpixGrid::new(nside, HealpixOrdering::Ring).map_err(|e| Error::option("nside", e.to_string()))?;
        let regrid = SphereRegrid::new(&source.lat, &source.lon, (grid.lat(), grid.lon()), lmin, transform_lmax, taper)
            .map_err(|e| Error::option("algorithm", format!("healpix cannot regrid this input: {e}")))?;
        Ok(Self { grid, regrid })
    }

    /// The provenance record of the regridding (the peer's `regrid` step).
    pub fn step(&self) -> ProcessingStep {
        let mut parameters = serde_json::Map::new();
        parameters.insert("projection".into(), json!("healpix"));
        parameters.insert("nside".into(), json!(self.grid.nside()));
        parameters.insert("transform_lmax".into(), json!(self.regrid.lmax()));
        ProcessingStep { operation: "regrid".into(), enabled: true, parameters }
    }
}

/// Where the HEALPix tracker's pixels come from.
enum PixelSource {
    /// A latitude-longitude field regridded.
    Regridded(HealpixPlan),
    /// A HEALPix input, detected in RING numbering whatever its own: `file_cell[r]` is the
    /// input's cell of RING pixel `r` (`None`: the input is RING).
    Native { grid: HealpixGrid, file_cell: Option<Vec<u32>> },
}

impl PixelSource {
    fn new(grid: &Grid, settings: HealpixSettings, band: Option<(usize, usize, f64)>) -> Result<Self> {
        let Some(layout) = grid.healpix else { return Ok(Self::Regridded(HealpixPlan::new(grid, settings, band)?)) };
        check_nside(settings.nside)?;
        if let Some(n) = settings.nside.filter(|&n| n != layout.nside) {
            return Err(Error::option(
                "nside",
                format!("{n} differs from the input's nside {}; remove `nside` (a HEALPix input is tracked at its own resolution)", layout.nside),
            ));
        }
        if band.is_some() {
            return Err(Error::option(
                "lmin",
                "the band filter regrids latitude-longitude inputs; a HEALPix input is tracked as it is (filter it before, or give the latitude-longitude field)",
            ));
        }
        let grid = HealpixGrid::new(layout.nside, HealpixOrdering::Ring).map_err(|e| Error::option("nside", e.to_string()))?;
        Ok(Self::Native { grid, file_cell: native_cells(layout) })
    }

    fn grid(&self) -> &HealpixGrid {
        match self {
            Self::Regridded(plan) => &plan.grid,
            Self::Native { grid, .. } => grid,
        }
    }

    /// One frame's pixel values in RING numbering.
    fn pixels(&self, frame: &[f64]) -> Vec<f64> {
        match self {
            Self::Regridded(plan) => plan.regrid.apply(frame),
            Self::Native { file_cell: None, .. } => frame.to_vec(),
            Self::Native { file_cell: Some(cells), .. } => cells.iter().map(|&c| frame[c as usize]).collect(),
        }
    }

    /// The input's cell of RING pixel `p` (for the centres' `row`).
    fn input_cell(&self, p: usize) -> usize {
        match self {
            Self::Native { file_cell: Some(cells), .. } => cells[p] as usize,
            _ => p,
        }
    }
}

/// The input's cell of each RING pixel of a NESTED input; `None` for a RING input.
fn native_cells(layout: HealpixLayout) -> Option<Vec<u32>> {
    layout.nested.then(|| hp::nested_of_ring(layout.nside))
}

/// One run's HEALPix detection, prepared: where the pixels come from and the detector's
/// options (mode and threshold resolved for the field).
pub struct HealpixDetection {
    source: PixelSource,
    opts: HealpixDetectOptions,
}

impl HealpixDetection {
    pub fn new(field: &dyn Field, opts: &HodgesOptions, settings: HealpixSettings) -> Result<Self> {
        let info = field.info();
        let band = opts.spectral.as_ref().map(|s| (s.lmin, s.lmax, s.taper));
        let source = PixelSource::new(&info.grid, settings, band)?;
        let detect_opts = HealpixDetectOptions {
            mode: super::hodges::run_mode(field, opts)?,
            threshold: opts.object_threshold.unwrap_or_else(|| info.feature_threshold(None)),
            min_object_points: opts.detect.min_object_points,
            refinement: refinement(opts.detect.refinement)?,
        };
        Ok(Self { source, opts: detect_opts })
    }

    /// The smallest object kept, in pixels.
    pub fn min_object_points(&self) -> usize {
        self.opts.min_object_points
    }

    /// Frame `t`'s pixel values (RING numbering) and its missing cells; a frame to regrid must
    /// be complete. `clocks`: where the reading and the regridding times add up.
    fn pixels(&self, field: &dyn Field, t: usize, clocks: Option<(&AtomicU64, &AtomicU64)>) -> Result<(Vec<f64>, usize)> {
        let t0 = Instant::now();
        let frame = field.read_frame(t)?;
        if let Some((read_ns, _)) = clocks {
            add_secs(read_ns, t0);
        }
        let nan_cells = frame.iter().filter(|v| v.is_nan()).count();
        if nan_cells > 0 && matches!(self.source, PixelSource::Regridded(_)) {
            return Err(Error::option(
                "algorithm",
                format!("healpix regrids complete global frames; frame {t} has {nan_cells} missing values (fill them, or use `algorithm` hodges)"),
            ));
        }
        let t1 = Instant::now();
        let values = self.source.pixels(frame.as_standard_layout().as_slice().expect("standard layout"));
        if let Some((_, regrid_ns)) = clocks {
            add_secs(regrid_ns, t1);
        }
        Ok((values, nan_cells))
    }

    /// Frame `t` detected: its features as centres (the pixel or input cell in `row`).
    /// `clocks`: where the reading, regridding and detection times add up.
    pub fn detect_frame(&self, field: &dyn Field, t: usize, clocks: Option<[&AtomicU64; 3]>) -> Result<DetectedFrame> {
        let info = field.info();
        let (values, nan_cells) = self.pixels(field, t, clocks.map(|[read, regrid, _]| (read, regrid)))?;
        let t2 = Instant::now();
        let features = self.features(&values);
        if let Some([_, _, detect]) = clocks {
            add_secs(detect, t2);
        }
        Ok(DetectedFrame { frame: t as u32, time: info.times[t], centers: to_centers(&info.value_unit, &features), nan_cells })
    }

    /// The provenance records of the band filter (if any) and of the regridding (if any).
    pub fn steps(&self, opts: &HodgesOptions) -> Vec<ProcessingStep> {
        let mut processing: Vec<ProcessingStep> = opts.spectral.iter().map(|s| super::hodges::spectral_step(s, None)).collect();
        if let PixelSource::Regridded(plan) = &self.source {
            processing.push(plan.step());
        }
        processing
    }

    /// The features of one frame's pixels, each at the input's cell.
    fn features(&self, values: &[f64]) -> Vec<hp::HealpixFeature> {
        let mut features = hp::detect(values, self.source.grid(), &self.opts);
        for f in &mut features {
            f.pixel = self.source.input_cell(f.pixel);
        }
        features
    }

    /// Frame `t`'s features and the objects too small to be kept: `(lat, lon, value, cell,
    /// pixels)` of each one's extremum (docs/algorithms.md#rejected-candidates).
    pub fn diagnose(&self, field: &dyn Field, t: usize) -> Result<(Vec<hp::HealpixFeature>, Vec<(f64, f64, f64, usize, usize)>)> {
        let (values, _) = self.pixels(field, t, None)?;
        let grid = self.source.grid();
        let small = hp::small_objects(&values, grid, &self.opts)
            .into_iter()
            .map(|(p, size)| (grid.lat()[p], grid.lon()[p], values[p], self.source.input_cell(p), size))
            .collect();
        Ok((self.features(&values), small))
    }
}

/// Regrid (or read), detect and refine the frames in `range` in parallel, gathered in frame order.
pub fn detect_healpix(
    field: &dyn Field,
    opts: &HodgesOptions,
    settings: HealpixSettings,
    range: std::ops::Range<usize>,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<Detections> {
    let detection = HealpixDetection::new(field, opts, settings)?;
    let (read_ns, filter_ns, detect_ns) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let done = AtomicUsize::new(0);
    let frames: Vec<Result<DetectedFrame>> = range
        .into_par_iter()
        .map(|t| {
            let frame = detection.detect_frame(field, t, Some([&read_ns, &filter_ns, &detect_ns]));
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(n);
            }
            frame
        })
        .collect();
    let frames = frames.into_iter().collect::<Result<Vec<_>>>()?;
    let times = StageTimes { read_s: secs(&read_ns), filter_s: secs(&filter_ns), detect_s: secs(&detect_ns), ..StageTimes::default() };
    Ok(Detections { frames, mode: detection.opts.mode, processing: detection.steps(opts), times })
}

/// HEALPix features as centres: the pixel in `row` (column 0), the raw value, object and the
/// fit's status.
fn to_centers(unit: &str, features: &[hp::HealpixFeature]) -> FrameCenters {
    let extra = |name: &str, unit: &str, f: fn(&hp::HealpixFeature) -> f64| ExtraColumn {
        name: name.into(),
        unit: unit.into(),
        values: features.iter().map(f).collect(),
    };
    let mut c = FrameCenters {
        extras: vec![
            extra("raw_value", unit, |f| f.raw_value),
            extra("object_id", "1", |f| f.object_id as f64),
            extra("refinement_status", "1", |f| RefineStatus::Fit(f.status).code()),
        ],
        ..FrameCenters::default()
    };
    for f in features {
        c.rows.push(f.pixel as u32);
        c.cols.push(0);
        c.lats.push(f.lat);
        c.lons.push(f.lon);
        c.values.push(f.value);
    }
    c
}
