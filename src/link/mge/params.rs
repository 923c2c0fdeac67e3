//! Linker parameters, defaults (docs/algorithms.md#tracker-defaults), normalisation (docs/algorithms.md#hodges-parameters) and the `zone.dat` /
//! `adapt.dat` readers (see docs/algorithms.md#zone-and-adaptive-tables).

use thiserror::Error;

/// Errors of parameter validation, file parsing and linking. Every message is one line
/// naming the problem and how to fix it.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MgeError {
    /// A zone file could not be parsed or holds an invalid zone.
    #[error("zone file line {line}: {message}")]
    ZoneFile { line: usize, message: String },
    /// An adaptive-smoothness file could not be parsed or is invalid.
    #[error("adapt file: {message}")]
    AdaptFile { message: String },
    /// A linker parameter is out of range.
    #[error("invalid parameter {name}: {message}")]
    InvalidParameter { name: &'static str, message: String },
    /// A feature lies outside every regional dmax zone (see docs/algorithms.md#mge-linking, step 2).
    #[error(
        "feature {feature} of frame {frame} at lat {lat}, lon {lon} lies in no dmax zone; \
         extend the zone table to cover it or disable zones"
    )]
    UncoveredFeature { frame: usize, feature: usize, lat: f64, lon: f64 },
    /// Frame times are inconsistent (see docs/algorithms.md#mge-linking, step 1).
    #[error("frame times: {message}")]
    InvalidTimes { message: String },
}

fn invalid(name: &'static str, message: impl Into<String>) -> MgeError {
    MgeError::InvalidParameter { name, message: message.into() }
}

/// A regional dmax zone. `lon_min > lon_max` denotes a zone wrapping through 0°/360°.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zone {
    pub lon_min: f64,
    pub lon_max: f64,
    pub lat_min: f64,
    pub lat_max: f64,
    /// Maximum displacement between consecutive frames, degrees of great-circle arc.
    pub dmax: f64,
}

impl Zone {
    /// Checks the zone rules of docs/algorithms.md#zone-and-adaptive-tables (finite, `lat_min < lat_max`, `dmax > 0`, and
    /// `lon_min != lon_max`; wrap zones with `lon_min > lon_max` are accepted, see docs/algorithms.md#zone-and-adaptive-table-validation).
    pub fn validate(&self) -> Result<(), String> {
        let v = [self.lon_min, self.lon_max, self.lat_min, self.lat_max, self.dmax];
        if v.iter().any(|x| !x.is_finite()) {
            return Err("zone values must be finite numbers".into());
        }
        if self.lon_min == self.lon_max {
            return Err(format!("lon_min equals lon_max ({}); give a non-empty longitude range (lon_min > lon_max wraps through 0)", self.lon_min));
        }
        if self.lat_min >= self.lat_max {
            return Err(format!("lat_min {} must be below lat_max {}; swap the two columns", self.lat_min, self.lat_max));
        }
        if self.dmax <= 0.0 {
            return Err(format!("dmax {} must be positive", self.dmax));
        }
        Ok(())
    }
}

/// The default TRACK zone table (`data/zone.dat`).
pub fn default_zones() -> Vec<Zone> {
    let z = |lat_min, lat_max, dmax| Zone { lon_min: 0.0, lon_max: 360.0, lat_min, lat_max, dmax };
    vec![z(-90.0, -20.0, 6.5), z(-20.0, 20.0, 3.0), z(20.0, 90.0, 6.5)]
}

/// Piecewise-linear adaptive smoothness table: φ* as a function of the mean leg length
/// (degrees). Thresholds strictly increasing, values ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptTable {
    thresholds: [f64; 4],
    values: [f64; 4],
}

impl AdaptTable {
    /// Builds a validated table.
    pub fn new(thresholds: [f64; 4], values: [f64; 4]) -> Result<Self, MgeError> {
        let err = |m: String| MgeError::AdaptFile { message: m };
        if thresholds.iter().chain(values.iter()).any(|x| !x.is_finite()) {
            return Err(err("all thresholds and values must be finite numbers".into()));
        }
        if thresholds.windows(2).any(|w| w[0] >= w[1]) {
            return Err(err(format!("thresholds {thresholds:?} must be strictly increasing; remove duplicates or reorder")));
        }
        if values.iter().any(|&v| v < 0.0) {
            return Err(err(format!("values {values:?} must be >= 0")));
        }
        Ok(Self { thresholds, values })
    }

    /// Mean-displacement knots (degrees).
    pub fn thresholds(&self) -> [f64; 4] {
        self.thresholds
    }

    /// φ* values at the knots.
    pub fn values(&self) -> [f64; 4] {
        self.values
    }

    /// Largest φ* value of the table.
    pub fn max_value(&self) -> f64 {
        self.values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

impl Default for AdaptTable {
    /// The default TRACK table (`data/adapt.dat`).
    fn default() -> Self {
        Self { thresholds: [1.0, 2.0, 5.0, 8.0], values: [1.0, 0.3, 0.1, 0.0] }
    }
}

/// User-facing MGE parameters (the `HodgesTracker` linking arguments).
///
/// Unlike the Python API, "use the default table" is expressed by [`Default`]; an empty
/// `zones` vector disables zones and `adapt: None` disables the adaptive table.
#[derive(Debug, Clone, PartialEq)]
pub struct MgeParams {
    /// Direction weight of the smoothness cost.
    pub w1: f64,
    /// Speed weight of the smoothness cost.
    pub w2: f64,
    /// Static maximum displacement (degrees).
    pub dmax: f64,
    /// Static smoothness bound.
    pub phimax: f64,
    /// Outer MGE rounds.
    pub max_iterations: usize,
    /// Tracks shorter than this are dropped after splicing.
    pub min_track_points: usize,
    /// Regional dmax zones (empty = disabled).
    pub zones: Vec<Zone>,
    /// Adaptive smoothness table (None = disabled).
    pub adapt: Option<AdaptTable>,
    /// `(dmax, phimax)` rows indexed by missing-frame count; empty = `[(dmax, phimax)]`.
    pub missing_frame_params: Vec<(f64, f64)>,
    /// Expected input cadence in ms (required with several missing-frame rows).
    pub time_step_ms: Option<i64>,
    /// Frames per temporal segment (None = one segment).
    pub segment_frames: Option<usize>,
}

impl Default for MgeParams {
    fn default() -> Self {
        Self {
            w1: 0.2,
            w2: 0.8,
            dmax: 6.5,
            phimax: 0.5,
            max_iterations: 3,
            min_track_points: 3,
            zones: default_zones(),
            adapt: Some(AdaptTable::default()),
            missing_frame_params: Vec::new(),
            time_step_ms: None,
            segment_frames: Some(62),
        }
    }
}

/// Parameters after normalisation (docs/algorithms.md#hodges-parameters), as consumed by the
/// linker: the user's parameters with the reported `dmax` (the largest zone dmax, or
/// `dmax_params[0]` without zones) and `phimax` (raised to the table maximum and to
/// `phimax_params[0]`), read through `Deref`, and the missing-frame table by column.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveParams {
    /// The parameters, with `dmax` and `phimax` as reported.
    pub params: MgeParams,
    /// Column 0 of the missing-frame table (default dmax per missing-frame count).
    pub dmax_params: Vec<f64>,
    /// Column 1 of the missing-frame table (phantom penalty per missing-frame count).
    pub phimax_params: Vec<f64>,
}

impl std::ops::Deref for EffectiveParams {
    type Target = MgeParams;
    fn deref(&self) -> &MgeParams {
        &self.params
    }
}

impl EffectiveParams {
    /// Index into the missing-frame table for a missing-frame count, clamped to the last
    /// row. The clamp is also used by the sweeps' track-fail default (see docs/algorithms.md#missing-frame-parameter-index).
    pub fn param_index(&self, missing: usize) -> usize {
        missing.min(self.dmax_params.len() - 1)
    }

    /// Default dmax (degrees) for a missing-frame count.
    pub fn dmax_param(&self, missing: usize) -> f64 {
        self.dmax_params[self.param_index(missing)]
    }

    /// Phantom penalty for a missing-frame count.
    pub fn phimax_param(&self, missing: usize) -> f64 {
        self.phimax_params[self.param_index(missing)]
    }
}

impl MgeParams {
    /// Validates and normalises (see docs/algorithms.md#hodges-parameters, order matters): zones set the reported dmax; the
    /// adaptive table raises phimax and the missing-frame phimax column; the missing-frame
    /// table defaults to the *original* `(dmax, phimax)`.
    pub fn normalise(&self) -> Result<EffectiveParams, MgeError> {
        self.validate()?;

        // 1. zones
        let mut dmax = self.dmax;
        if !self.zones.is_empty() {
            dmax = self.zones.iter().map(|z| z.dmax).fold(f64::NEG_INFINITY, f64::max);
        }
        // 2. adaptive table
        let mut phimax = self.phimax;
        if let Some(t) = &self.adapt {
            phimax = phimax.max(t.max_value());
        }
        // 3. missing-frame parameters
        let mut rows = if self.missing_frame_params.is_empty() { vec![(self.dmax, self.phimax)] } else { self.missing_frame_params.clone() };
        for (i, &(d, p)) in rows.iter().enumerate() {
            if !(d > 0.0 && d.is_finite() && p >= 0.0 && p.is_finite()) {
                return Err(invalid("missing_frame_params", format!("row {i} ({d}, {p}): need dmax > 0 and phimax >= 0")));
            }
        }
        if rows.len() > 1 {
            if !self.zones.is_empty() || self.adapt.is_some() {
                return Err(invalid("missing_frame_params", "several rows require zones and the adaptive table to be disabled"));
            }
            if self.time_step_ms.is_none() {
                return Err(invalid("missing_frame_params", "several rows require time_step_ms"));
            }
        }
        if let Some(t) = &self.adapt {
            let m = t.max_value();
            for r in rows.iter_mut() {
                r.1 = r.1.max(m);
            }
        }
        if self.zones.is_empty() {
            dmax = rows[0].0;
        }
        phimax = phimax.max(rows[0].1);

        Ok(EffectiveParams {
            params: MgeParams { dmax, phimax, ..self.clone() },
            dmax_params: rows.iter().map(|r| r.0).collect(),
            phimax_params: rows.iter().map(|r| r.1).collect(),
        })
    }

    /// The range checks of [`MgeParams::normalise`] that need no other parameter, in the
    /// order their errors are reported.
    fn validate(&self) -> Result<(), MgeError> {
        check_finite("w1", self.w1, Bound::AtLeastZero)?;
        check_finite("w2", self.w2, Bound::AtLeastZero)?;
        check_finite("dmax", self.dmax, Bound::AboveZero)?;
        check_finite("phimax", self.phimax, Bound::AtLeastZero)?;
        for (name, count) in [("max_iterations", self.max_iterations), ("min_track_points", self.min_track_points)] {
            if count == 0 {
                return Err(invalid(name, "must be at least 1"));
            }
        }
        if self.segment_frames == Some(0) {
            return Err(invalid("segment_frames", "must be at least 1 (or None for one segment)"));
        }
        if let Some(ts) = self.time_step_ms
            && ts <= 0
        {
            return Err(invalid("time_step_ms", format!("{ts} must be positive")));
        }
        for (i, z) in self.zones.iter().enumerate() {
            z.validate().map_err(|m| invalid("zones", format!("zone {i}: {m}")))?;
        }
        Ok(())
    }
}

/// The lower bound a finite parameter must respect.
#[derive(Debug, Clone, Copy)]
enum Bound {
    AtLeastZero,
    AboveZero,
}

/// `value` must be a finite number within `bound` (NaN fails).
fn check_finite(name: &'static str, value: f64, bound: Bound) -> Result<(), MgeError> {
    let (ok, text) = match bound {
        Bound::AtLeastZero => (value >= 0.0, ">= 0"),
        Bound::AboveZero => (value > 0.0, "> 0"),
    };
    if ok && value.is_finite() { Ok(()) } else { Err(invalid(name, format!("{value} must be a finite number {text}"))) }
}

/// Numeric rows with their 1-based line numbers.
type NumericRows = Vec<(usize, Vec<f64>)>;

/// Whitespace-separated numeric rows of a text file (`numpy.loadtxt` semantics: `#` starts
/// a comment, blank lines skipped), with 1-based line numbers. With `skip_header`, a first
/// line holding exactly one token is skipped.
fn numeric_rows(text: &str, skip_header: bool) -> Result<NumericRows, (usize, String)> {
    let mut rows = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if i == 0 && skip_header && tokens.len() == 1 {
            continue;
        }
        if tokens.is_empty() {
            continue;
        }
        let mut row = Vec::with_capacity(tokens.len());
        for t in tokens {
            row.push(t.parse::<f64>().map_err(|_| (i + 1, format!("'{t}' is not a number")))?);
        }
        rows.push((i + 1, row));
    }
    Ok(rows)
}

/// Reads a `zone.dat` table (see docs/algorithms.md#zone-and-adaptive-tables): an optional one-token header line (the zone count, not
/// checked) followed by rows `lon_min lon_max lat_min lat_max dmax`.
pub fn parse_zones(text: &str) -> Result<Vec<Zone>, MgeError> {
    let rows = numeric_rows(text, true).map_err(|(line, message)| MgeError::ZoneFile { line, message })?;
    if rows.is_empty() {
        return Err(MgeError::ZoneFile { line: 1, message: "no zones found; add rows 'lon_min lon_max lat_min lat_max dmax'".into() });
    }
    rows.into_iter()
        .map(|(line, r)| {
            if r.len() != 5 {
                return Err(MgeError::ZoneFile { line, message: format!("expected 5 numbers (lon_min lon_max lat_min lat_max dmax), found {}", r.len()) });
            }
            let z = Zone { lon_min: r[0], lon_max: r[1], lat_min: r[2], lat_max: r[3], dmax: r[4] };
            z.validate().map_err(|message| MgeError::ZoneFile { line, message })?;
            Ok(z)
        })
        .collect()
}

/// Reads an `adapt.dat` table (see docs/algorithms.md#zone-and-adaptive-tables): a 2×4 matrix (thresholds row, values row) or TRACK's
/// native 4×2 layout (`threshold value` per line), which is transposed.
pub fn parse_adapt(text: &str) -> Result<AdaptTable, MgeError> {
    let rows = numeric_rows(text, false).map_err(|(line, m)| MgeError::AdaptFile { message: format!("line {line}: {m}") })?;
    let shape_err = |m: String| MgeError::AdaptFile { message: m };
    let cols = rows.first().map_or(0, |r| r.1.len());
    if let Some((line, r)) = rows.iter().find(|r| r.1.len() != cols) {
        return Err(shape_err(format!("line {line}: expected {cols} numbers like the first row, found {}", r.len())));
    }
    let (thr, val): (Vec<f64>, Vec<f64>) = match (rows.len(), cols) {
        (2, 4) => (rows[0].1.clone(), rows[1].1.clone()),
        (4, 2) => (rows.iter().map(|r| r.1[0]).collect(), rows.iter().map(|r| r.1[1]).collect()),
        (n, c) => return Err(shape_err(format!("expected a 2x4 table (thresholds row, values row) or 4 lines 'threshold value', found {n}x{c}"))),
    };
    AdaptTable::new([thr[0], thr[1], thr[2], thr[3]], [val[0], val[1], val[2], val[3]])
}
