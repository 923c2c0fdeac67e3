"""The streaming tracker (issue #13, item 2): frames pushed one at a time give the tracks of
the batch run, with the same ids, handed back as they finish."""

import numpy as np
import polars as pl
import pytest

import stormtrack as st

COLUMNS = ["track_id", "step", "time", "frame", "lat", "lon", "value", "row", "col"]


@pytest.fixture(scope="module")
def season(djf_msl):
    xr = pytest.importorskip("xarray")
    ds = xr.open_dataset(djf_msl)
    da = ds["msl"]
    time_dim = "valid_time" if "valid_time" in da.dims else "time"
    return da.transpose(time_dim, "latitude", "longitude"), time_dim


def stream(da, time_dim, convert=lambda a: a, n=None):
    tracker = st.Tracker(da["latitude"].values, da["longitude"].values, "msl", units=da.attrs.get("units"))
    parts, finished_early = [], 0
    times = da[time_dim].values[:n]
    values = da.values
    for k, t in enumerate(times):
        done = tracker.push(convert(values[k]), t)
        if done.height and k < len(times) - 1:
            finished_early += 1
        parts.append(done)
    parts.append(tracker.finish())
    return pl.concat([p for p in parts if p.height]), finished_early


def test_streaming_equals_the_batch_run(djf_msl, season):
    da, time_dim = season
    streamed, finished_early = stream(da, time_dim)
    batch = st.track(djf_msl, "msl")
    key = ["track_id", "step"]
    a = streamed.select(COLUMNS).sort(key)
    b = batch.select(COLUMNS).sort(key)
    assert a.height == b.height == 28125
    assert a.equals(b)
    # tracks come back as they end, not all at the end
    assert finished_early > 300


@pytest.mark.parametrize("kind", ["buffer", "arrow", "dlpack", "float32"])
def test_any_array_kind_gives_the_same_tracks(season, kind):
    da, time_dim = season
    convert = {
        "buffer": lambda a: memoryview(np.ascontiguousarray(a)),
        "arrow": lambda a: __import__("pyarrow").array(np.ascontiguousarray(a).ravel()),
        "dlpack": lambda a: np.ascontiguousarray(a),  # numpy arrays expose __dlpack__ too
        "float32": lambda a: a.astype(np.float32),  # the data are float32: the same values
    }[kind]
    ref, _ = stream(da, time_dim, n=12)
    got, _ = stream(da, time_dim, convert=convert, n=12)
    assert got.select(COLUMNS).equals(ref.select(COLUMNS))


def test_bad_frames_are_one_line_errors(season):
    da, time_dim = season
    tracker = st.Tracker(da["latitude"].values, da["longitude"].values, "msl", units="Pa")
    t0 = da[time_dim].values[0]
    with pytest.raises(st.StormtrackError, match="shape"):
        tracker.push(np.zeros((3, 4)), t0)
    tracker.push(da.values[0], t0)
    with pytest.raises(st.StormtrackError, match="not after the previous one"):
        tracker.push(da.values[1], t0)
    with pytest.raises(st.StormtrackError, match="frame time"):
        tracker.push(da.values[1], "tomorrow")
    tracker.finish()
    with pytest.raises(ValueError, match="finished"):
        tracker.push(da.values[1], da[time_dim].values[1])
    with pytest.raises(st.StormtrackError, match="max_km|max_link_km"):
        st.Tracker([0.0, 1.0], [0.0, 1.0], "msl", max_km=-1.0)
