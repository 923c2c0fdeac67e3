"""The compatibility API's B-spline surfaces and refiners (``stormtrack.compat.refinement``)
against PyStormTracker 0.8's on ERA5 msl frame 0 (reference ``tests/data/reference/
bspline_era5_peer.npz``, made by ``make_bspline.py`` in the peer's venv): the rectangular
surface (global, signed longitudes, a regional box) and the spherical one, their knots and
coefficients, and the refinement of every 3x3 extremum, starts off the grid points, on the
seam and outside the grid, under several keyword settings. Measured: rectangular coefficients
within 3e-10 Pa (field ~1e5 Pa), positions within 2e-6 degrees; spherical coefficients within
2e-5 Pa (the pole rows: FITPACK's least squares against our closed form), positions within
4e-6 degrees; every status equal."""

from pathlib import Path

import numpy as np
import pytest
from conftest import reference_maker

import stormtrack as st
from stormtrack.compat import refinement as ref

REFERENCE = Path(__file__).resolve().parents[1] / "data/reference"
SHARED = Path(__file__).resolve().parents[3] / "shared"

# (knots, coefficients, positions in degrees, values) tolerances per kind
TOLERANCE = {"rect": (0.0, 1e-9, 1e-5, 1e-8), "sphere": (0.0, 1e-4, 5e-5, 1e-5)}


@pytest.fixture(scope="module")
def made():
    data = SHARED / "data/era5"
    if not (data / "era5_msl_djf2526_2.5deg.nc").exists():
        pytest.skip("needs ../shared")
    pytest.importorskip("xarray")
    maker = reference_maker("make_bspline")
    return maker, maker.cases(data), np.load(REFERENCE / "bspline_era5_peer.npz")


def build(kind, frame, lat, lon, periodic):
    if kind == "rect":
        return ref.build_bspline_surface(frame, lat, lon, periodic_x=periodic)
    return ref.build_spherical_bspline_surface(frame, lat, lon, periodic_x=periodic)


def parts(kind, s):
    if kind == "rect":
        return s.x_knots, s.y_knots, [s.x_lower, s.x_upper, s.y_lower, s.y_upper, s.first_sample_x, s.last_sample_x]
    return s.theta_knots, s.phi_knots, [s.theta_lower, s.theta_upper, s.phi_lower, s.phi_upper, s.first_sample_phi, s.last_sample_phi]


@pytest.mark.parametrize("name", ["rect_global", "rect_signed", "rect_box", "sphere_global", "sphere_signed"])
def test_surfaces_and_refinements_equal_the_peers(made, name):
    maker, cases, peer = made
    kind, frame, lat, lon, periodic = cases[name]
    built = build(kind, frame, lat, lon, periodic)
    assert built.status == "success"
    surface = built.surface
    knots_tol, coeff_tol, pos_tol, value_tol = TOLERANCE[kind]
    tx, ty, bounds = parts(kind, surface)
    np.testing.assert_allclose(tx, peer[f"{name}_x_knots"], rtol=0, atol=knots_tol)
    np.testing.assert_allclose(ty, peer[f"{name}_y_knots"], rtol=0, atol=knots_tol)
    np.testing.assert_allclose(bounds, peer[f"{name}_bounds"], rtol=0, atol=0)
    assert surface.coeffs.shape == peer[f"{name}_coeffs"].shape
    np.testing.assert_allclose(surface.coeffs, peer[f"{name}_coeffs"], rtol=0, atol=coeff_tol)

    refine = ref.refine_bspline_feature_point if kind == "rect" else ref.refine_spherical_bspline_feature_point
    s_lat, s_lon, s_min, raw = maker.starts(frame, lat, lon)
    for run, kwargs in maker.RUNS[kind].items():
        rows = []
        for la, lo, is_min, v in zip(s_lat, s_lon, s_min, raw):
            kw = {k: (v if a == "raw" else a) for k, a in kwargs.items()}
            rows.append(refine(surface, la, lo, is_minimum=bool(is_min), **kw))
        assert all(isinstance(r, ref.BsplineRefinementResult) for r in rows)
        status = np.array([maker.STATUSES.index(r.status) for r in rows])
        np.testing.assert_array_equal(status, peer[f"{name}_{run}_status"], err_msg=run)
        for field, tol in (("lat", pos_tol), ("lon", pos_tol), ("value", value_tol)):
            ours = np.array([getattr(r, {"lat": "latitude", "lon": "longitude", "value": "value"}[field]) for r in rows])
            np.testing.assert_allclose(ours, peer[f"{name}_{run}_{field}"], rtol=0, atol=tol, equal_nan=True, err_msg=f"{run} {field}")
        if run == "default":
            # the settings exercise success, the invalid starts and failed searches alike
            assert {0, 1, 2} <= set(status.tolist())


def test_a_surface_survives_being_stored(made):
    """A surface rebuilt from plain arrays (as read back from a file) refines the same."""
    _, cases, _ = made
    kind, frame, lat, lon, periodic = cases["rect_global"]
    s = build(kind, frame, lat, lon, periodic).surface
    copy = ref.BsplineSurface(*[np.array(v).tolist() if isinstance(v, np.ndarray) else v for v in s])
    a = ref.refine_bspline_feature_point(s, 50.0, 10.0, is_minimum=True, max_iterations=100)
    b = ref.refine_bspline_feature_point(copy, 50.0, 10.0, is_minimum=True, max_iterations=100)
    assert a == b and a.status == "success"


def test_failures_are_the_peers_and_misuse_is_refused(made):
    _, cases, _ = made
    _, frame, lat, lon, _ = cases["rect_global"]
    holed = frame.copy()
    holed[3, 4] = np.nan
    failure = "spline_construction_failure"
    assert ref.build_bspline_surface(holed, lat, lon, periodic_x=True) == (None, failure)
    assert ref.build_bspline_surface(frame[None], lat, lon, periodic_x=True) == (None, failure)
    assert ref.build_bspline_surface(frame, lat[:-1], lon, periodic_x=True) == (None, failure)
    assert ref.build_bspline_surface(frame[:3, :], lat[:3], lon, periodic_x=True) == (None, failure)
    assert ref.build_bspline_surface(frame, lat, lon, periodic_x=True, smoothing=-1.0) == (None, failure)
    assert ref.build_spherical_bspline_surface(frame, lat, lon, periodic_x=False) == (None, failure)
    assert ref.build_spherical_bspline_surface(holed, lat, lon, periodic_x=True) == (None, failure)
    with pytest.raises(ValueError, match="smoothing=5.0: only the interpolating spline"):
        ref.build_bspline_surface(frame, lat, lon, periodic_x=True, smoothing=5.0)
    with pytest.raises(ValueError, match="grid: pass None"):
        ref.build_bspline_surface(frame, lat, lon, periodic_x=True, grid=object())

    s = ref.build_bspline_surface(frame, lat, lon, periodic_x=True).surface
    bad = ref.refine_bspline_feature_point(s, 50.0, 10.0, is_minimum=True, optimization_scale=0.0)
    assert bad.status == "invalid_neighborhood" and np.isnan(bad.value)
    with pytest.raises(st.StormtrackError, match="144 x 73 coefficients for 149 and 77 knots"):
        ref.refine_bspline_feature_point(s._replace(coeffs=s.coeffs[:-1]), 50.0, 10.0, is_minimum=True)
    with pytest.raises(st.StormtrackError, match="not a cubic spline's"):
        ref.refine_bspline_feature_point(s._replace(x_knots=s.x_knots[::-1].copy()), 50.0, 10.0, is_minimum=True)
    sphere = ref.build_spherical_bspline_surface(frame, lat, lon, periodic_x=True).surface
    for window in (0, 2, 1):
        r = ref.refine_spherical_bspline_feature_point(sphere, 50.0, 10.0, is_minimum=True, search_window_size=window)
        assert r.status == "invalid_neighborhood" and np.isnan(r.value)
    with pytest.raises(st.StormtrackError, match="not a cubic spline's"):
        ref.refine_spherical_bspline_feature_point(sphere._replace(phi_knots=sphere.phi_knots[::-1].copy()), 50.0, 10.0, is_minimum=True)
