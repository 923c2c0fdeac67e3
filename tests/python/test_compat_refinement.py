"""The compatibility API's quadratic refiners (``stormtrack.compat.refinement``) against
PyStormTracker 0.8's on ERA5 msl frame 0 (reference ``tests/data/reference/
refinement_era5_peer.npz``, made by ``make_refinement.py`` in the peer's venv): every 3x3
minimum and maximum, edge rows, cells off the frame and a sample of ordinary cells, the
spherical fits with every diagnostic and status (a NaN beside one minimum)."""

from pathlib import Path

import numpy as np
import pytest
from conftest import reference_maker

import stormtrack as st
from stormtrack.compat import refinement as ref

REFERENCE = Path(__file__).resolve().parents[1] / "data/reference"
SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def made():
    data = SHARED / "data/era5"
    if not (data / "era5_msl_djf2526_2.5deg.nc").exists():
        pytest.skip("needs ../shared")
    pytest.importorskip("xarray")
    maker = reference_maker("make_refinement")
    return maker.inputs(data), np.load(REFERENCE / "refinement_era5_peer.npz")


def close(ours, theirs, what, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64), theirs, rtol=rtol, atol=1e-9, equal_nan=True, err_msg=what)


def test_planar_quadratic_equals_the_peers(made):
    g, peer = made
    inside = g["inside"]
    rows, columns = g["rows"][inside], g["columns"][inside]
    for name, arrays in (
        ("quadratic", ref.refine_quadratic_feature_points(g["frame"], rows, columns, g["lat"], g["lon"])),
        ("coordinates", ref.refine_quadratic_feature_coordinates(g["frame"], g["lat"][rows] + 0.8, g["lon"][columns] - 0.8, g["lat"], g["lon"])),
    ):
        for k, a in zip(("lat", "lon", "value"), arrays):
            close(a, peer[f"{name}_{k}"], f"{name}_{k}")
    one = ref.refine_quadratic_feature_point(g["frame"], int(rows[0]), int(columns[0]), g["lat"], g["lon"])
    close(one, [peer[f"quadratic_{k}"][0] for k in ("lat", "lon", "value")], "one point")


@pytest.mark.parametrize("kind", ["minimum", "maximum"])
def test_spherical_quadratic_batch_equals_the_peers(made, kind):
    g, peer = made
    batch = ref.refine_spherical_quadratic_feature_points(g["holed"], g["rows"], g["columns"], g["lat"], g["lon"], is_minimum=kind == "minimum")
    assert isinstance(batch, ref.SphericalQuadraticRefinementBatch)
    np.testing.assert_array_equal(batch.status_codes, peer[f"{kind}_status_codes"])
    assert batch.status_codes.dtype == np.int8
    # every status occurs but the singular fit: success, edges, wrong curvature, beyond the
    # neighbourhood, the NaN neighbour
    assert set(np.unique(batch.status_codes)) == {0, 1, 3, 4, 5}
    for field in ("latitudes", "longitudes", "values", "hessian_eigenvalues", "normalized_displacements"):
        close(getattr(batch, field), peer[f"{kind}_{field}"], field)
    close(batch.condition_numbers, peer[f"{kind}_condition_numbers"], "condition_numbers", rtol=1e-9)
    assert [ref.spherical_quadratic_status_name(c) for c in range(7)] == [
        "success", "invalid_neighborhood", "singular_or_ill_conditioned_fit", "wrong_curvature", "outside_locality", "nonfinite_failure", "nonfinite_failure"]


def test_bad_arguments_are_refused(made):
    g, _ = made
    with pytest.raises(st.StormtrackError, match="outside the 73 x 144 frame"):
        ref.refine_quadratic_feature_points(g["frame"], [80], [3], g["lat"], g["lon"])
    with pytest.raises(st.StormtrackError, match="latitudes"):
        ref.refine_quadratic_feature_points(g["frame"], [5], [3], g["lat"][:-1], g["lon"])
    with pytest.raises(st.StormtrackError, match="one per cell"):
        ref.refine_quadratic_feature_points(g["frame"], [5, 6], [3], g["lat"], g["lon"])
    # a frame the spherical fit cannot use gives NaN and invalid_neighborhood, as the peer
    bad = ref.refine_spherical_quadratic_feature_points(g["frame"], [5], [3], g["lat"][:-1], g["lon"], is_minimum=True)
    assert bad.status_codes.tolist() == [1] and np.isnan(bad.latitudes).all()
