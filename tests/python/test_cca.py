"""The CCA cross-validation (docs/metrics.md#cca) against PyStormTracker 0.8's
``find_best_cca_truncation`` on ERA5 (reference made by tests/data/reference/make_cca.py with
xeofs' exact SVD): daily 850 hPa vorticity and, from our own Simple tracks, daily centre
density, each predicting daily mean msl."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import SHARED

import stormtrack as st
import stormtrack.compat as pst
from stormtrack.compat import metrics

REFDIR = Path(__file__).resolve().parents[1] / "data" / "reference"
sys.path.insert(0, str(REFDIR))
import make_cca  # noqa: E402  (the reference's own field construction)

DATA = SHARED / "data" / "era5"


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((REFDIR / "cca_era5_peer.json").read_text())


@pytest.fixture(scope="module")
def fields() -> dict:
    """The reference's fields, the centre density made from the tracks our tracker finds."""
    tracks = pst.SimpleTracker().track(data=str(DATA / "era5_msl_djf2526_2.5deg.nc"), variable="msl", detection_mode="min")
    points = (np.asarray(tracks.times, dtype=np.int64), np.asarray(tracks.lats), np.asarray(tracks.lons))
    return make_cca.cases(DATA, points)


@pytest.mark.parametrize("case", ["vo_msl", "density_msl"])
@pytest.mark.parametrize("run,pca,max_modes", make_cca.RUNS)
def test_truncation_scores_equal_the_peers(reference, fields, case, run, pca, max_modes):
    x, y = fields[case]
    ours = metrics.find_best_cca_truncation(x, y, max_modes=max_modes, leave_n_out=3, pca=pca)
    peer = reference[f"{case}/{run}/exact"]
    np.testing.assert_allclose(ours.acc.values, peer["acc"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.fve.values, peer["fve"], rtol=0, atol=1e-9)
    assert list(ours.M.values) == list(range(1, max_modes + 1)) and ours.attrs["leave_n_out"] == 3
    # the peer's default (randomized principal components), where recorded, is only near its
    # exact self
    seeded = reference.get(f"{case}/{run}/randomized_seed0")
    if seeded is not None:
        assert np.max(np.abs(np.asarray(seeded["acc"]) - peer["acc"])) < 2e-2
    # latitudes in either order, and the native function, give the same scores
    flipped = metrics.find_best_cca_truncation(x.isel(lat=slice(None, None, -1)), y.isel(lat=slice(None, None, -1)), max_modes=max_modes)
    np.testing.assert_allclose(flipped.acc.values, ours.acc.values, rtol=0, atol=1e-12)
    native = st.cca_cross_validation(x.values, y.values, x["lat"].values, max_modes=max_modes)
    assert native.columns == ["M", "acc", "fve"] and np.array_equal(native["fve"].to_numpy(), ours.fve.values)


def test_trained_model_predicts_its_training_fields(fields):
    x, y = fields["vo_msl"]
    model = metrics.train_cca_model(x, y, n_modes=10)
    coords = model.predict(x)
    assert coords.dims == ("time", "mode") and coords.shape == (x.sizes["time"], 10)
    predicted = model.inverse_transform(Y=coords)
    assert predicted.dims == y.dims and np.array_equal(predicted.lat.values, y.lat.values)
    # the fitted part of the predictand: the training residual is below its variance
    residual = float(((predicted - y) ** 2).mean())
    assert 0 < residual < float(y.var("time").mean())
    r = model.canonical_correlations()
    assert r.shape == (10,) and np.all(np.diff(r) <= 1e-12) and 0 < r[-1] <= r[0] <= 1 + 1e-12


def test_bad_inputs_are_refused_with_one_line(fields):
    x, y = fields["vo_msl"]
    for kwargs, words in [
        ({"max_modes": 0}, "max_modes must be greater than zero"),
        ({"leave_n_out": 0}, "leave_n_out must be greater than zero"),
        ({"leave_n_out": 90}, "leave_n_out (90) must be smaller than the sample count (90)"),
        ({"max_modes": 87}, "max_modes (87) exceeds the available training rank (86"),
        ({"pca": False}, "pca=False is not supported"),
    ]:
        with pytest.raises(ValueError, match=None) as e:
            metrics.find_best_cca_truncation(x, y, **kwargs)
        assert words in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ValueError, match="same spatial grid"):
        metrics.find_best_cca_truncation(x, y.isel(time=slice(1, None)))
    holes = y.copy()
    holes[3, 5, 7] = np.nan
    with pytest.raises(ValueError, match="1 cells missing at some times but not all"):
        metrics.find_best_cca_truncation(x, holes, max_modes=2)
    with pytest.raises(ValueError, match="n_modes must be greater than zero"):
        metrics.train_cca_model(x, y, 0)
    with pytest.raises(ValueError, match="inverse_transform takes Y="):
        metrics.train_cca_model(x, y, 2).inverse_transform(X=xr.zeros_like(x))
