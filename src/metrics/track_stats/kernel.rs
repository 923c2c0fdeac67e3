//! The spherical kernels (definitions in `docs/statistics.md`), prepared as an unnormalised
//! shape of `cos θ` with shortcuts that skip `acos` and `exp` without changing a value.

use super::window::WINDOW_EPS_DEG;
use super::{StatsError, StatsOptions};
use crate::geo::DEG_TO_RAD;
use std::f64::consts::PI;

/// Kernel values below this fraction of the peak are truncated to 0 (Fisher kernel).
pub const FISHER_CUTOFF: f64 = 1e-12;
/// Margin on `cos θ` of the shortcuts that skip `acos` and `exp`: far larger than the rounding
/// of `cos θ` (≈1e-16), so the shortcuts never change a kernel value.
const DOT_EPS: f64 = 1e-9;

/// Kernel on the sphere (see `docs/statistics.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SphericalKernel {
    /// Uniform within `radius_deg` (inclusive).
    Cap { radius_deg: f64 },
    /// Von Mises–Fisher with `κ = 1/h²`, `h = bandwidth_deg` in radians.
    Fisher { bandwidth_deg: f64 },
}

/// Area in steradians of a spherical cap of angular radius `radius_deg`: `4π sin²(h/2)`.
pub fn cap_area(radius_deg: f64) -> f64 {
    let s = (0.5 * radius_deg * DEG_TO_RAD).sin();
    4.0 * PI * s * s
}

/// A kernel prepared for evaluation as an unnormalised "shape" `s(cos θ)` in `[0, 1]` (cap: 1
/// inside; Fisher: `exp(κ(cos θ − 1))`), with `scale · s` the density contribution.
#[derive(Debug, Clone, Copy)]
pub(super) struct Kern {
    pub(super) fisher: bool,
    /// Cap radius (radians).
    pub(super) h_rad: f64,
    pub(super) kappa: f64,
    /// Below this `cos θ` the shape is surely 0: the pre-test that prunes.
    dot_min: f64,
    /// Above this `cos θ` a cap's shape is surely 1 (no `acos` needed).
    dot_one: f64,
    /// Support angle in degrees, widened by [`WINDOW_EPS_DEG`]; ≥ 180 means the whole sphere.
    pub(super) support_deg: f64,
    /// `K / s · A(unit) / months`.
    pub(super) scale: f64,
}

impl Kern {
    pub(super) fn new(o: &StatsOptions) -> Result<Kern, StatsError> {
        if !(o.months.is_finite() && o.months > 0.0) {
            return Err(StatsError::Months(o.months));
        }
        if !(o.unit_area_cap_deg > 0.0 && o.unit_area_cap_deg <= 180.0) {
            return Err(StatsError::UnitArea(o.unit_area_cap_deg));
        }
        let (name, h) = match o.kernel {
            SphericalKernel::Cap { radius_deg } => ("radius_deg", radius_deg),
            SphericalKernel::Fisher { bandwidth_deg } => ("bandwidth_deg", bandwidth_deg),
        };
        if !(h > 0.0 && h < 180.0) {
            return Err(StatsError::KernelWidth { name, value: h });
        }
        let unit = cap_area(o.unit_area_cap_deg);
        let h_rad = h * DEG_TO_RAD;
        let (fisher, kappa, dot_edge, dot_one, scale) = match o.kernel {
            SphericalKernel::Cap { .. } => {
                let c = h_rad.cos();
                (false, 0.0, c, c + DOT_EPS, unit / cap_area(h) / o.months)
            }
            SphericalKernel::Fisher { .. } => {
                let kappa = 1.0 / (h_rad * h_rad);
                // 1 − e^{−2κ} through expm1: exact for small κ too
                let norm = kappa / (2.0 * PI * -(-2.0 * kappa).exp_m1());
                (true, kappa, 1.0 + FISHER_CUTOFF.ln() / kappa, 2.0, norm * unit / o.months)
            }
        };
        let dot_min = dot_edge - DOT_EPS;
        let support_deg = if dot_min <= -1.0 + DOT_EPS { 180.0 } else { dot_min.acos() / DEG_TO_RAD + WINDOW_EPS_DEG };
        Ok(Kern { fisher, h_rad, kappa, dot_min, dot_one, support_deg, scale })
    }

    /// The shape at a clamped `cos θ`, with the shortcuts; equal to [`Kern::shape_ref`].
    #[inline]
    pub(super) fn shape(&self, dot: f64) -> f64 {
        if dot < self.dot_min {
            0.0
        } else if self.fisher {
            let e = (self.kappa * (dot - 1.0)).exp();
            if e < FISHER_CUTOFF { 0.0 } else { e }
        } else if dot > self.dot_one || dot.acos() <= self.h_rad {
            1.0
        } else {
            0.0
        }
    }

    /// The definition, without shortcuts (tests compare [`Kern::shape`] to it).
    #[cfg(test)]
    pub(super) fn shape_ref(&self, dot: f64) -> f64 {
        if self.fisher {
            let e = (self.kappa * (dot - 1.0)).exp();
            if e < FISHER_CUTOFF { 0.0 } else { e }
        } else if dot.acos() <= self.h_rad {
            1.0
        } else {
            0.0
        }
    }
}
