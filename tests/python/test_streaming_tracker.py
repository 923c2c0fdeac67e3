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


def test_streaming_hodges_equals_the_batch_run(djf_msl):
    """The Hodges tracker (T5-42 on the DJF vo850 season) one frame at a time: every column of
    the batch run's track points, the same ids (so F1 = 1 and zero separation), most tracks
    handed back before the end."""
    xr = pytest.importorskip("xarray")
    path = djf_msl.parent / "era5_vo850_djf2526_2.5deg.nc"
    if not path.exists():
        pytest.skip("the DJF vo850 file is not beside the checkout")
    da = xr.open_dataset(path)["vo"]
    time_dim = "valid_time" if "valid_time" in da.dims else "time"
    da = da.squeeze(drop=True).transpose(time_dim, "latitude", "longitude")
    tracker = st.Tracker(da["latitude"].values, da["longitude"].values, "vo", units=da.attrs.get("units"), algorithm="hodges", lmin=5, lmax=42)
    values, parts, early = da.values, [], 0
    for k, t in enumerate(da[time_dim].values):
        done = tracker.push(values[k], t)
        early += done["track_id"].n_unique()
        parts.append(done)
    parts.append(tracker.finish())
    streamed = pl.concat([p for p in parts if p.height]).sort("track_id", "step")
    batch = st.track(str(path), "vo", algorithm="hodges", lmin=5, lmax=42).sort("track_id", "step")
    assert streamed.columns == batch.columns
    assert streamed.equals(batch)
    assert early > batch["track_id"].n_unique() // 2


def test_streaming_options_are_checked():
    lat, lon = np.arange(-30.0, 31.0, 2.5), np.arange(0.0, 360.0, 2.5)
    with pytest.raises(st.StormtrackError, match="algorithm='hodges'"):
        st.Tracker(lat, lon, "vo", lmin=5, lmax=42)
    with pytest.raises(st.StormtrackError, match="threshold"):
        st.Tracker(lat, lon, "vo", algorithm="hodges", threshold=1e-5)
    with pytest.raises(TypeError, match="Hodges options"):
        st.Tracker(lat, lon, "vo", algorithm="hodges", dmin=3)
    with pytest.raises(st.StormtrackError, match="algorithm"):
        st.Tracker(lat, lon, "vo", algorithm="track")


def test_closed_contours_of_another_variable_stream_as_the_file_tracks(season, tmp_path):
    """TempestExtremes' criteria in the streaming tracker: a closed contour of `pres` (msl in
    hPa, pushed beside each msl frame), one of msl itself and the merge distance give the
    tracks of ``st.track`` on a file holding both variables, ids included."""
    da, time_dim = season
    da = da.isel({time_dim: slice(0, 40)}).load()
    pres = (da / 100.0).astype("float64")
    pres.attrs = {"units": "hPa"}
    path = tmp_path / "msl_pres.nc"
    da.to_dataset(name="msl").assign(pres=pres).to_netcdf(path)
    criteria = dict(closed_contours=["pres,2,5.5,0", ("msl", 150, 4.0, 0)], merge_dist=6.0)
    batch = st.track(path, "msl", **criteria)
    tracker = st.Tracker(da["latitude"].values, da["longitude"].values, "msl", units=da.attrs.get("units"), other_units={"pres": "hPa"}, **criteria)
    assert tracker.other_variables == ["pres"]
    parts = [tracker.push(da.values[k], t, others={"pres": pres.values[k]}) for k, t in enumerate(da[time_dim].values)]
    parts.append(tracker.finish())
    streamed = pl.concat([p for p in parts if p.height])
    key = ["track_id", "step"]
    assert streamed.select(COLUMNS).sort(key).equals(batch.select(COLUMNS).sort(key))
    # the criteria matter: without them there are more tracks
    assert batch["track_id"].n_unique() < st.track(path, "msl")["track_id"].n_unique()

    fresh = st.Tracker(da["latitude"].values, da["longitude"].values, "msl", units="Pa", **criteria)
    with pytest.raises(st.StormtrackError, match=r"the closed contours test pres; give a frame of each by name \(missing \['pres'\]"):
        fresh.push(da.values[0], da[time_dim].values[0])
    with pytest.raises(st.StormtrackError, match="not tested \\['z'\\]"):
        fresh.push(da.values[0], da[time_dim].values[0], others={"pres": pres.values[0], "z": pres.values[0]})
    with pytest.raises(st.StormtrackError, match="'z' is not a variable the closed contours test"):
        st.Tracker(da["latitude"].values, da["longitude"].values, "msl", other_units={"z": "m"}, **criteria)
    with pytest.raises(st.StormtrackError, match="closed_contour"):
        st.Tracker(da["latitude"].values, da["longitude"].values, "msl", algorithm="hodges", **criteria)
