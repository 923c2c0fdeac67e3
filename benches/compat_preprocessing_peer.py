"""One side of benches/compat_preprocessing_peer.sh: PyStormTracker 0.8's preprocessing,
refinement and subpackage functions (``peer``) or the compatibility API's (``ours``, the same
code at the same import paths under ``stormtrack.compat``) on ERA5 msl DJF 2025/26 at 2.5
degrees (360 frames), timed after one warm-up call each; prints one JSON line of seconds (best
of REPEAT) and a checksum of each result."""

import importlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr


def main(side: str, data: Path, repeat: int) -> None:
    if side != "peer":
        sys.path.insert(0, "python")
    root = "pystormtracker" if side == "peer" else "stormtrack.compat"
    module = lambda name: importlib.import_module(f"{root}.{name}")  # noqa: E731
    SHTFilter, SpectralRegridder = module("preprocessing").SHTFilter, module("preprocessing").SpectralRegridder
    refinement, bspline = module("refinement.quadratic"), module("refinement.bspline")
    SimpleDetector, SimpleLinker = module("simple").SimpleDetector, module("simple").SimpleLinker
    tracks_model, HodgesLinker = module("models.tracks"), module("hodges.linker").HodgesLinker
    with xr.open_dataset(data / "era5_msl_djf2526_2.5deg.nc") as ds:
        msl = ds["msl"].rename({"valid_time": "time"}).astype(np.float64).load()
    msl = msl.drop_vars([c for c in msl.coords if c not in msl.dims])
    frame = msl.values[0]
    lat, lon = msl["latitude"].values, msl["longitude"].values
    cells = np.argwhere(frame[1:-1] == np.min([np.roll(frame, (dy, dx), (0, 1))[1:-1] for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)) + [1, 0]
    path = data / "era5_msl_djf2526_2.5deg.nc"

    def detect_and_link():
        frames = SimpleDetector(path, "msl").detect()
        builder = tracks_model._TracksBuilder(tracks_model.TracksMetadata("msl", "min", {"msl": "Pa"}))
        linker = SimpleLinker()
        for step in frames:
            linker.append(builder, step)
        return frames, builder.finish()

    frames, _ = detect_and_link()

    def refine_all(build, refine, **kwargs):
        surface = build(frame, lat, lon, periodic_x=True).surface
        return np.array([refine(surface, lat[r], lon[c], is_minimum=True, **kwargs).latitude for r, c in cells])

    cases = {
        "sht_filter_t5_42": lambda: SHTFilter(5, 42).filter(msl).values,
        "sht_regrid_gl": lambda: SHTFilter(0, 42, taper_val=1.0, out_geometry="GL", out_ntheta=64, out_nphi=128).filter(msl).values,
        "to_healpix_nside32": lambda: SpectralRegridder().to_healpix(msl, 32, lat_reverse=True).values,
        "spherical_quadratic": lambda: refinement.refine_spherical_quadratic_feature_points(frame, cells[:, 0], cells[:, 1], lat, lon, is_minimum=True).latitudes,
        "bspline_surface_refine": lambda: refine_all(bspline.build_bspline_surface, bspline.refine_bspline_feature_point, max_iterations=100),
        "spherical_bspline_refine": lambda: refine_all(bspline.build_spherical_bspline_surface, bspline.refine_spherical_bspline_feature_point),
        "simple_detect_link_season": lambda: detect_and_link()[1].lats,
        "hodges_linker_16_frames": lambda: HodgesLinker().link(frames[:16], primary_variable="msl", mode="min").lats,
    }
    out = {}
    for name, run in cases.items():
        result = run()  # warm-up (numba compiles, caches fill)
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - t)
        out[name] = best
        out[f"{name}_sum"] = float(np.nansum(result))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
