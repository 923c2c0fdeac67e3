//! Distance weights of the Lagrangian metrics (see docs/algorithms.md#lagrangian-metrics).

/// Weighting of a point's contribution by its distance `d` to a grid cell (see docs/algorithms.md#lagrangian-metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// 1 within the radius (inclusive): the Yau & Chang (2020) accumulation window.
    #[default]
    Constant,
    /// `(R² − d²)/(R² + d²)` (Cressman 1959).
    Cressman,
    /// `1 − d/R`.
    Linear,
    /// `1 − (d/R)²`.
    Quadratic,
}

impl Kernel {
    /// Every kernel, in the order of their names.
    pub const ALL: [Kernel; 4] = [Kernel::Constant, Kernel::Cressman, Kernel::Linear, Kernel::Quadratic];

    /// `constant`, `cressman`, `linear` or `quadratic`.
    pub fn parse(s: &str) -> Option<Self> {
        Kernel::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kernel's name, as [`Kernel::parse`] reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kernel::Constant => "constant",
            Kernel::Cressman => "cressman",
            Kernel::Linear => "linear",
            Kernel::Quadratic => "quadratic",
        }
    }

    /// Weight at distance `d` km for radius `r` km; 0 beyond the radius. A cell receives a
    /// contribution only where the weight is positive, so the constant kernel counts a cell at
    /// exactly `d = r` and the compact kernels do not.
    ///
    /// ```
    /// use stormtrack::metrics::Kernel;
    /// assert_eq!(Kernel::Cressman.weight(500.0, 1000.0), 0.6);
    /// assert_eq!(Kernel::Linear.weight(500.0, 1000.0), 0.5);
    /// assert_eq!(Kernel::Quadratic.weight(500.0, 1000.0), 0.75);
    /// assert_eq!(Kernel::Constant.weight(1000.0, 1000.0), 1.0);
    /// assert_eq!(Kernel::Linear.weight(1000.0, 1000.0), 0.0);
    /// ```
    #[inline]
    pub fn weight(self, d: f64, r: f64) -> f64 {
        if d > r {
            return 0.0;
        }
        match self {
            Kernel::Constant => 1.0,
            Kernel::Cressman => (r * r - d * d) / (r * r + d * d),
            Kernel::Linear => 1.0 - d / r,
            Kernel::Quadratic => 1.0 - (d / r) * (d / r),
        }
    }
}
