//! A global field seen on a polar stereographic plane (the trackers' `nh_stereo` and
//! `sh_stereo` projections, see docs/algorithms.md#polar-stereographic-regridding): each frame
//! is regridded through its spherical harmonics (the band filter in the same pass) onto a
//! square grid of points `spacing_km` apart; points beyond the equator (ρ > 2R) or outside the
//! input's latitudes are not data (NaN; the peer writes 0 there, which its Hodges tracker then
//! takes for one huge object of thousands of extrema at threshold 0).

use super::Grid;
use crate::error::{Error, Result};
use crate::geo::stereo::{Hemisphere, plane_to_sphere};
use crate::geo::{EARTH_RADIUS_KM, LonConvention};
use crate::spectral::SpectralOptions;
use crate::spectral::regrid::{SphereRegrid, source_lmax};
use crate::tracks::ProcessingStep;
use ndarray::{Array2, ArrayView2};
use serde_json::json;

/// The plane asked for: hemisphere, spacing and extent `[xmin, xmax, ymin, ymax]` in km.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaneSpec {
    pub hemisphere: Hemisphere,
    /// Distance between grid points (km), > 0.
    pub spacing_km: f64,
    /// `[xmin, xmax, ymin, ymax]` (km), minima below maxima.
    pub extent: [f64; 4],
    /// Whether the extent was given (the provenance records it only then, as the peer does).
    pub extent_given: bool,
}

/// The peer's default extent: ±13,000 km, the whole hemisphere and beyond.
pub const DEFAULT_EXTENT_KM: [f64; 4] = [-13000.0, 13000.0, -13000.0, 13000.0];
/// The peer's default spacing.
pub const DEFAULT_SPACING_KM: f64 = 100.0;

impl PlaneSpec {
    /// Check the spacing and the extent (errors name `stereo_grid_spacing_km` and `extent`).
    pub fn validate(&self) -> Result<()> {
        if !(self.spacing_km.is_finite() && self.spacing_km > 0.0) {
            return Err(Error::option("stereo_grid_spacing_km", format!("{} must be a positive number of km", self.spacing_km)));
        }
        let [x0, x1, y0, y1] = self.extent;
        if !self.extent.iter().all(|v| v.is_finite()) || x0 >= x1 || y0 >= y1 {
            return Err(Error::option("extent", "must be xmin,xmax,ymin,ymax in km with each minimum below its maximum"));
        }
        let points = ((x1 - x0) / self.spacing_km).round() * ((y1 - y0) / self.spacing_km).round();
        if points > 1e8 {
            return Err(Error::option(
                "stereo_grid_spacing_km",
                format!("{} km over this extent gives {points:.0} points; use a coarser spacing", self.spacing_km),
            ));
        }
        Ok(())
    }

    /// `linspace(min, max, round((max - min) / spacing) + 1)` of one axis.
    fn axis(&self, min: f64, max: f64) -> Vec<f64> {
        let n = ((max - min) / self.spacing_km).round() as usize + 1;
        if n == 1 {
            return vec![min];
        }
        let step = (max - min) / (n - 1) as f64;
        // NumPy's linspace: start + i * step, the last point exactly `max`
        (0..n).map(|i| if i == n - 1 { max } else { min + i as f64 * step }).collect()
    }
}

/// The plane and its regridding from one source grid; `Sync`.
pub struct PolarPlane {
    spec: PlaneSpec,
    x: Vec<f64>,
    y: Vec<f64>,
    valid: Vec<bool>,
    regrid: SphereRegrid,
    band: Option<SpectralOptions>,
}

impl std::fmt::Debug for PolarPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolarPlane")
            .field("spec", &self.spec)
            .field("ny", &self.y.len())
            .field("nx", &self.x.len())
            .field("transform_lmax", &self.regrid.lmax())
            .finish()
    }
}

impl PolarPlane {
    /// The plane of `spec` over the global `source` grid, the `band` filter folded in.
    pub fn new(spec: PlaneSpec, source: &Grid, band: Option<SpectralOptions>) -> Result<Self> {
        spec.validate()?;
        if !source.periodic_x {
            return Err(Error::option("projection", "regrids global grids only; this input's longitudes do not go round the globe"));
        }
        let src = source_lmax(source.ny(), source.nx());
        let (lmin, transform_lmax, taper) = match &band {
            None => (0, src, 1.0),
            Some(b) if b.lmax > src => return Err(Error::option("lmax", format!("{} exceeds the input grid's bandwidth {src}", b.lmax))),
            Some(b) => (b.lmin, b.lmax, b.taper),
        };
        let [x0, x1, y0, y1] = spec.extent;
        let (x, y) = (spec.axis(x0, x1), spec.axis(y0, y1));
        let lat_max = source.lat.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lat_min = source.lat.iter().copied().fold(f64::INFINITY, f64::min);
        // only the points inside the disc and the input's latitudes are synthesised (the
        // others are no data): a quarter fewer latitudes to evaluate on the default plane
        let (mut plat, mut plon, mut valid) = (Vec::new(), Vec::new(), Vec::with_capacity(x.len() * y.len()));
        for &yv in &y {
            for &xv in &x {
                let (theta, phi) = plane_to_sphere(xv, yv, spec.hemisphere);
                let rho = (xv * xv + yv * yv).sqrt();
                let colat = theta.to_degrees();
                let ok = rho <= 2.0 * EARTH_RADIUS_KM && colat >= 90.0 - lat_max && colat <= 90.0 - lat_min;
                valid.push(ok);
                if ok {
                    plat.push(90.0 - colat);
                    plon.push(phi.to_degrees());
                }
            }
        }
        let regrid = SphereRegrid::new(&source.lat, &source.lon, (&plat, &plon), lmin, transform_lmax, taper)
            .map_err(|e| Error::option("projection", format!("cannot regrid this input: {e}")))?;
        Ok(Self { spec, x, y, valid, regrid, band })
    }

    /// The plane as a grid: rows along y, columns along x (km), not periodic.
    pub fn grid(&self) -> Grid {
        Grid {
            lat: self.y.clone(),
            lon: self.x.clone(),
            periodic_x: false,
            lon_convention: LonConvention::Unsigned,
            plane: Some(self.spec.hemisphere),
            healpix: None,
        }
    }

    /// One source frame (its own storage order) on the plane, shape (ny, nx).
    pub fn apply(&self, frame: ArrayView2<'_, f64>, t: usize) -> Result<Array2<f64>> {
        if let Some(k) = frame.iter().position(|v| !v.is_finite()) {
            return Err(Error::option(
                "projection",
                format!("frame {t} has a missing value at cell {k}; the stereographic regridding needs complete global fields (fill the gaps first)"),
            ));
        }
        let mut values = self.regrid.apply(frame.as_standard_layout().as_slice().expect("standard layout")).into_iter();
        let out = self.valid.iter().map(|&ok| if ok { values.next().expect("one value per valid point") } else { f64::NAN }).collect();
        Ok(Array2::from_shape_vec((self.y.len(), self.x.len()), out).expect("ny * nx values"))
    }

    /// The steps the peer records: the band filter (when given), then `regrid`.
    pub fn steps(&self) -> Vec<ProcessingStep> {
        let mut out: Vec<ProcessingStep> = self.band.iter().map(|b| b.step("sht")).collect();
        let mut parameters = serde_json::Map::new();
        parameters.insert("projection".into(), json!(self.spec.hemisphere.projection_name()));
        parameters.insert("stereo_grid_spacing_km".into(), json!(self.spec.spacing_km));
        parameters.insert("transform_lmax".into(), json!(self.regrid.lmax()));
        if self.spec.extent_given {
            parameters.insert("extent".into(), json!(self.spec.extent.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(",")));
        }
        out.push(ProcessingStep { operation: "regrid".into(), enabled: true, parameters });
        out
    }
}
