"""The Python API on real data: st.detect (file, xarray, dask, NumPy), st.track, st.read_tracks,
st.scan_tracks, errors, progress, GIL release and the import-time version check."""

import threading
import time

import numpy as np
import polars as pl
import pytest
from conftest import SHARED, cli, run

import stormtrack as st
from stormtrack import _versions


@pytest.fixture(scope="module")
def centers(djf_msl):
    return st.detect(djf_msl, "msl")


def test_detect_file_equals_the_cli(centers, djf_msl, tmp_path):
    run("detect", "-i", str(djf_msl), "--variable", "msl", "-o", str(tmp_path / "c.parquet"), "--quiet")
    expected = pl.read_parquet(tmp_path / "c.parquet")
    assert centers.height == 28125
    assert centers.schema["time"] == pl.Datetime("ms", "UTC")
    assert centers.columns == ["time", "frame", "lat", "lon", "value", "row", "col"]
    assert centers.equals(expected)


def test_detect_dataarray_any_dim_order_and_dask(centers, djf_msl):
    xr = pytest.importorskip("xarray")
    with xr.open_dataset(djf_msl) as ds:
        da = ds["msl"].load()
    key = ["time", "lat", "lon"]
    tdim = next(d for d in da.dims if "time" in d)
    for arr in (da, da.transpose("longitude", tdim, "latitude")):
        got = st.detect(arr)
        assert got.select(key).equals(centers.select(key))
        assert np.allclose(got["value"].to_numpy(), centers["value"].to_numpy(), rtol=0, atol=1e-6)
    pytest.importorskip("dask")
    chunked = st.detect(da.chunk({tdim: 50}))
    assert chunked.select(key + ["frame"]).equals(centers.select(key + ["frame"]))


def test_detect_numpy_with_coordinates(centers, djf_msl):
    xr = pytest.importorskip("xarray")
    with xr.open_dataset(djf_msl) as ds:
        da = ds["msl"].isel({d: slice(0, 12) for d in ds["msl"].dims if "time" in d}).load()
    tdim = next(d for d in da.dims if "time" in d)
    got = st.detect(da.values, "msl", times=da[tdim].values, lat=da["latitude"].values, lon=da["longitude"].values, units=da.attrs.get("units"))
    first = centers.filter(pl.col("frame") < 12)
    assert got.select("time", "lat", "lon").equals(first.select("time", "lat", "lon"))


def test_track_writes_what_the_cli_writes(djf_msl, djf_dir, tmp_path):
    points = st.track(djf_msl, "msl", output=[tmp_path / "tracks", tmp_path / "tracks.txt"])
    assert points.height == 28125 and points["track_id"].n_unique() == 10340
    assert (tmp_path / "tracks.txt").read_bytes() == (djf_dir / "tracks.txt").read_bytes()
    ours = st.scan_tracks(tmp_path / "tracks").sort("track_id", "step").collect()
    cli_ = st.scan_tracks(djf_dir / "tracks").sort("track_id", "step").collect()
    assert ours.equals(cli_)
    assert ours.drop("year", "month").equals(points)


def test_read_tracks_reads_the_peer_reference():
    ref = SHARED / "reference/pst-0.8.0/simple_msl_2.5.txt"
    if not ref.exists():
        pytest.skip("reference not available")
    pts = st.read_tracks(ref)
    assert pts["track_id"].n_unique() == 10340 and pts.height == 28125
    summary = st.read_tracks(ref, table="tracks")
    assert summary.height == 10340


def test_scan_tracks_is_lazy_with_typed_partitions(djf_dir):
    lf = st.scan_tracks(djf_dir / "tracks")
    assert isinstance(lf, pl.LazyFrame)
    schema = lf.collect_schema()
    assert schema["year"] == pl.Int32 and schema["month"] == pl.Int32
    per_track = lf.group_by("track_id").agg(st.path_length_km("lat", "lon", "time"), pl.col("value").min()).collect()
    summary = st.scan_tracks(djf_dir / "tracks", "tracks").select("track_id", "path_length_km").collect()
    joined = per_track.join(summary, on="track_id", suffix="_stored")
    assert joined.height == 10340
    assert (joined["path_length_km"] - joined["path_length_km_stored"]).abs().max() < 1e-9


def test_errors_carry_the_cli_message(tmp_path):
    missing = tmp_path / "missing.nc"
    with pytest.raises(st.StormtrackError) as e:
        st.detect(missing, "msl")
    p = cli("detect", "-i", str(missing), "--variable", "msl", "-o", str(tmp_path / "o.parquet"))
    assert p.returncode == 2
    assert p.stderr.strip() == f"stormtrack: error: {e.value}"
    with pytest.raises(st.StormtrackError, match="invalid option threshold: -1 must be"):
        st.detect(missing, "msl", threshold=-1.0)
    with pytest.raises(st.StormtrackError, match="nside"):
        st.track(missing, "msl", algorithm="healpix", nside=3)
    with pytest.raises(TypeError):
        st.detect(42)


def test_wrong_variable_and_unknown_calendar(djf_msl):
    with pytest.raises(st.StormtrackError, match="variable 'vo' not found"):
        st.detect(djf_msl, "vo")
    xr = pytest.importorskip("xarray")
    cftime = pytest.importorskip("cftime")
    da = xr.DataArray(
        np.zeros((2, 3, 4)),
        dims=("time", "lat", "lon"),
        coords={"time": [cftime.DatetimeNoLeap(2000, 1, 1), cftime.DatetimeNoLeap(2000, 1, 2)], "lat": [0.0, 1.0, 2.0], "lon": [0.0, 1.0, 2.0, 3.0]},
        name="msl",
    )
    # model calendars are read (docs/calendars.md); a name that is no CF calendar is refused
    assert st.detect(da).schema["time"] == pl.Int64
    with pytest.raises(st.StormtrackError, match="calendar '365.25_day' is not a CF calendar"):
        st._core.detect_array(np.zeros((2, 3, 4)), [0, 86_400_000], [0.0, 1.0, 2.0], [0.0, 1.0, 2.0, 3.0], variable="msl", calendar="365.25_day")


def test_progress_callback_sees_every_frame(djf_msl):
    seen = []
    st.detect(djf_msl, "msl", n_frames=40, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 40) and (40, 40) in seen


def test_long_calls_release_the_gil(djf_msl):
    done = threading.Event()

    def work():
        st.track(djf_msl, "msl", threads=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert ticks > 20


def test_version_check_names_the_expected_versions():
    _versions.check("2.1.0", "55.0.0")
    _versions.check("2.1.3", None)
    for bad in (("1.39.3", "55.0.0"), ("2.1.0", "54.1.0"), (None, None)):
        with pytest.raises(ImportError, match=r"polars 2\.1\.x and datafusion 55\.x"):
            _versions.check(*bad)
    assert st.__version__ == st._core.__version__


@pytest.mark.parametrize("algorithm", ["simple", "hodges"])
def test_detect_streams_every_frame_as_the_whole_run(djf_msl, algorithm):
    """stream=True hands over one DataFrame per frame, in time order, equal to the whole run."""
    opts = dict(algorithm=algorithm, n_frames=60, threads=2)
    if algorithm == "hodges":
        opts.update(lmin=5, lmax=42)
    whole = st.detect(djf_msl, "msl", **opts)
    stream = st.detect(djf_msl, "msl", stream=True, **opts)
    first = next(stream)
    assert first["frame"].unique().to_list() == [0]
    frames = [first, *stream]
    assert len(frames) == 60
    assert [f["frame"].unique().to_list() for f in frames if f.height] == [[k] for k in range(60) if whole.filter(pl.col("frame") == k).height]
    assert pl.concat(frames).equals(whole)


def test_a_bad_stream_fails_before_the_first_frame(djf_msl):
    with pytest.raises(st.StormtrackError, match="threshold"):
        st.detect(djf_msl, "msl", threshold=-1, stream=True)


def test_a_dask_dataarray_streams_frame_by_frame(djf_msl):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("dask")
    da = xr.open_dataset(djf_msl)["msl"].isel(valid_time=slice(0, 24)).chunk({"valid_time": 8})
    frames = list(st.detect(da, stream=True))
    assert [f["frame"][0] for f in frames] == sorted({f["frame"][0] for f in frames})
    assert all(f["frame"].n_unique() == 1 for f in frames)
    assert pl.concat(frames).equals(st.detect(da))


def test_healpix_tracks_files_and_xarray_as_the_command_line(tmp_path):
    """`algorithm="healpix"` from Python equals `track -a healpix` for a file and for an xarray
    DataArray; its features carry the pixel in `row` (docs/algorithms.md#healpix-tracker)."""
    import xarray as xr

    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    out = tmp_path / "cli.trackjson"
    run("track", "-i", str(src), "--variable", "msl", "-n", "40", "-a", "healpix", "--lmin", "5", "--lmax", "42", "-o", str(out), "-q")
    py = tmp_path / "py.trackjson"
    points = st.track(src, "msl", output=py, n_frames=40, algorithm="healpix", lmin=5, lmax=42)
    assert py.read_bytes() == out.read_bytes()
    assert points.height > 0 and points["lon"].min() >= -180
    with xr.open_dataset(src) as ds:
        da = ds["msl"].isel(valid_time=slice(0, 40)).load()
    from_xarray = st.track(da, algorithm="healpix", lmin=5, lmax=42)
    assert from_xarray.select("track_id", "time", "lat", "lon", "value", "row").equals(points.select("track_id", "time", "lat", "lon", "value", "row"))
    centres = st.detect(src, "msl", n_frames=2, algorithm="healpix", lmin=5, lmax=42, nside=16)
    assert centres["row"].max() < 12 * 16 * 16 and set(centres["col"].to_list()) == {0}
    with pytest.raises(st.StormtrackError, match="nside"):
        st.track(src, "msl", n_frames=2, algorithm="healpix", nside=12)
    with pytest.raises(st.StormtrackError, match="nside"):
        st.track(src, "msl", n_frames=2, algorithm="hodges", nside=32)


def test_polar_planes_from_python_equal_the_command_line(tmp_path):
    """`projection="sh_stereo"` from Python equals `track -p sh_stereo -r 300` for a file and an
    xarray DataArray; centres come out in latitude and longitude, on the southern side."""
    import xarray as xr

    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    out = tmp_path / "cli.trackjson"
    run("track", "-i", str(src), "--variable", "msl", "-n", "20", "-p", "sh_stereo", "-r", "300", "--extent=-9000,9000,-9000,9000", "-o", str(out), "-q")
    py = tmp_path / "py.trackjson"
    points = st.track(src, "msl", output=py, n_frames=20, projection="sh_stereo", stereo_grid_spacing_km=300, extent=(-9000, 9000, -9000, 9000))
    assert py.read_bytes() == out.read_bytes()
    assert points.height > 0 and points["lat"].max() <= 0
    with xr.open_dataset(src) as ds:
        da = ds["msl"].isel(valid_time=slice(0, 20)).load()
    from_xarray = st.detect(da, projection="sh_stereo", stereo_grid_spacing_km=300, extent=(-9000, 9000, -9000, 9000))
    from_file = st.detect(src, "msl", n_frames=20, projection="sh_stereo", stereo_grid_spacing_km=300, extent=(-9000, 9000, -9000, 9000))
    assert from_xarray.select("frame", "lat", "lon", "value").equals(from_file.select("frame", "lat", "lon", "value"))
    with pytest.raises(st.StormtrackError, match="extent"):
        st.track(src, "msl", n_frames=2, projection="nh_stereo", extent=(5, 1, 0, 1))
    with pytest.raises(st.StormtrackError, match="projection"):
        st.track(src, "msl", n_frames=2, projection="lambert")


def test_closed_contours_and_the_rejection_table(tmp_path):
    """TempestExtremes' criteria from Python equal the command line's; the rejection table holds
    every kept centre (rejected_by null) and says which test turned each other candidate down."""
    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    out, table = tmp_path / "c.parquet", tmp_path / "r.parquet"
    run("detect", "-i", str(src), "--variable", "msl", "-n", "6", "--closed-contour", "msl,200,5.5,0", "--merge-dist", "6",
        "-o", str(out), "--rejections", str(table), "-q")
    centres = st.detect(src, "msl", n_frames=6, closed_contours=[("msl", 200, 5.5, 0)], merge_dist=6)
    assert centres.equals(pl.read_parquet(out))
    plain = st.detect(src, "msl", n_frames=6)
    assert 0 < centres.height < plain.height
    why = st.rejections(src, "msl", n_frames=6, closed_contours="msl,200,5.5,0", merge_dist=6)
    assert why.equals(pl.read_parquet(table))
    kept = why.filter(pl.col("rejected_by").is_null())
    assert kept.select("frame", "lat", "lon", "value").equals(centres.select("frame", "lat", "lon", "value"))
    tests = set(why["rejected_by"].drop_nulls().to_list())
    assert {"closed_contour_1", "merge_distance"} <= tests
    closed = why.filter(pl.col("rejected_by") == "closed_contour_1")
    assert (closed["limit"] == 200).all()
    # every centre of the plain detector is a candidate here: kept, or turned down by a criterion
    assert why.filter(pl.col("rejected_by").is_null() | pl.col("rejected_by").is_in(["merge_distance", "closed_contour_1"])).height == plain.height
    with pytest.raises(st.StormtrackError, match="closed_contour.*'z500' is not in"):
        st.detect(src, "msl", n_frames=1, closed_contours=["z500,1,5,0"])
    with pytest.raises(st.StormtrackError, match="nside"):
        st.rejections(src, "msl", n_frames=1, algorithm="healpix", nside=3)


def test_the_hodges_rejection_table(tmp_path):
    """The Hodges tracker's table: its features (those turned DUFF as `duplicate`) are exactly
    `detect`'s, and the extrema of objects below min_object_grid_points are turned down as
    `object_size` with the object's points against the limit."""
    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    keywords = dict(algorithm="hodges", lmin=5, lmax=42, n_frames=6, min_object_grid_points=4)
    centres = st.detect(src, "msl", **keywords)
    why = st.rejections(src, "msl", **keywords)
    features = why.filter(pl.col("rejected_by").is_null() | (pl.col("rejected_by") == "duplicate"))
    key = ["frame", "lat", "lon"]
    assert features.select(key).sort(key).equals(centres.select(key).sort(key))
    assert why.filter(pl.col("rejected_by") == "duplicate").height == centres.filter(pl.col("refinement_status") == 3).height
    small = why.filter(pl.col("rejected_by") == "object_size")
    assert small.height > 0 and (small["tested_value"] < 4).all() and (small["limit"] == 4).all()
    assert small.join(centres, on=key, how="inner").height == 0
    # with every object kept, nothing is turned down for its size
    everything = st.rejections(src, "msl", **{**keywords, "min_object_grid_points": 1})
    assert everything.filter(pl.col("rejected_by") == "object_size").height == 0
    assert everything.height >= why.height - small.height
    out = tmp_path / "why.parquet"
    run("detect", "-i", str(src), "--variable", "msl", "-a", "hodges", "--lmin", "5", "--lmax", "42", "-n", "6",
        "--min-object-grid-points", "4", "-o", str(tmp_path / "c.parquet"), "--rejections", str(out), "-q")
    assert pl.read_parquet(out).equals(why)


def msl_and_pres(tmp_path, frames: int):
    """The first `frames` frames of ERA5 msl with the same pressure beside it as `pres` in hPa
    (written by xarray through netCDF4): the Dataset and its file."""
    xr = pytest.importorskip("xarray")
    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    both = tmp_path / "msl_and_pres.nc"
    with xr.open_dataset(src) as ds:
        ds = ds.isel(valid_time=slice(0, frames)).load()
    pres = (ds["msl"] / 100.0).astype("float64")
    pres.attrs = {"units": "hPa", "long_name": "pressure at mean sea level"}
    ds = ds.assign(pres=pres)
    ds.to_netcdf(both, engine="netcdf4")
    return ds, both


def test_closed_contours_of_another_variable(tmp_path):
    """A closed contour of another variable of the input (TempestExtremes' `var` of
    `--closedcontourcmd`): the same pressure stored beside msl as `pres` in hPa (written by
    xarray through netCDF4) closes around the same centres with delta 2 hPa as msl with 200 Pa."""
    _, both = msl_and_pres(tmp_path, 8)
    own = st.detect(both, "msl", closed_contours=["msl,200,5.5,0"])
    other = st.detect(both, "msl", closed_contours=["pres,2,5.5,0"])
    assert 0 < other.height < st.detect(both, "msl").height
    assert other.equals(own)
    why = st.rejections(both, "msl", closed_contours=["pres,2,5.5,0"])
    assert (why.filter(pl.col("rejected_by") == "closed_contour_1")["limit"] == 200).all()
    a, b = tmp_path / "own.txt", tmp_path / "other.txt"
    run("track", "-i", str(both), "--variable", "msl", "--closed-contour", "msl,200,5.5,0", "-o", str(a), "-q")
    run("track", "-i", str(both), "--variable", "msl", "--closed-contour", "pres,2,5.5,0;msl,100,4,0", "-o", str(b), "-q")
    assert a.read_bytes() != b"" and len(b.read_text()) <= len(a.read_text())
    with pytest.raises(st.StormtrackError, match="closed_contour"):
        st.detect(both, "msl", closed_contours=["pres,2,5.5,0"], projection="nh_stereo")


def test_the_streaming_tracker_tapers_as_a_file_run(tmp_path):
    """`st.Tracker(..., taper_points=5)` fed the frames of a file gives `st.track`'s tracks with
    `taper_points=5`, for both methods."""
    import xarray as xr

    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    with xr.open_dataset(src) as ds:
        da = ds["msl"].isel(valid_time=slice(0, 12)).load()
    cols = ["track_id", "step", "time", "lat", "lon", "value"]
    for algorithm, extra in [("simple", {}), ("hodges", {"lmin": 5, "lmax": 42})]:
        whole = st.track(src, "msl", n_frames=12, taper_points=5, algorithm=algorithm, **extra)
        tracker = st.Tracker(da["latitude"].values, da["longitude"].values, "msl", units="Pa", taper_points=5, algorithm=algorithm, **extra)
        parts = [tracker.push(da.values[k], da["valid_time"].values[k]) for k in range(12)] + [tracker.finish()]
        streamed = pl.concat([p for p in parts if p.height]).sort("track_id", "step")
        assert streamed.select(cols).equals(whole.sort("track_id", "step").select(cols)), algorithm
    with pytest.raises(ValueError, match="taper_points"):
        st.Tracker([0.0, 1.0], [0.0, 1.0], "msl", taper_points=-2)


def test_the_streaming_healpix_tracker_equals_a_file_run():
    """`st.Tracker(..., algorithm="healpix")` fed the frames of a file regrids each to HEALPix
    and gives `st.track`'s tracks on the same frames, ids included."""
    import xarray as xr

    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    n = 70  # more than one segment of 62 frames
    with xr.open_dataset(src) as ds:
        da = ds["msl"].isel(valid_time=slice(0, n)).load()
    keywords = dict(algorithm="healpix", lmin=5, lmax=42, nside=32)
    whole = st.track(src, "msl", n_frames=n, **keywords)
    tracker = st.Tracker(da["latitude"].values, da["longitude"].values, "msl", units="Pa", **keywords)
    parts = [tracker.push(da.values[k], da["valid_time"].values[k]) for k in range(n)] + [tracker.finish()]
    streamed = pl.concat([p for p in parts if p.height]).sort("track_id", "step")
    cols = ["track_id", "step", "time", "lat", "lon", "value"]
    assert whole.height > 200
    assert streamed.select(cols).equals(whole.sort("track_id", "step").select(cols))


def test_taper_points_taper_files_arrays_and_xarray_alike(tmp_path):
    """The boundary taper from Python equals the command line's, for a file, a NumPy array and
    an xarray DataArray (docs/algorithms.md#boundary-taper)."""
    import xarray as xr

    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip("needs ../shared")
    out = tmp_path / "cli.trackjson"
    run("track", "-i", str(src), "--variable", "msl", "-n", "20", "--taper-points", "5", "-o", str(out), "-q")
    py = tmp_path / "py.trackjson"
    st.track(src, "msl", output=py, n_frames=20, taper_points=5)
    assert py.read_bytes() == out.read_bytes()
    from_file = st.detect(src, "msl", n_frames=20, taper_points=5)
    with xr.open_dataset(src) as ds:
        da = ds["msl"].isel(valid_time=slice(0, 20)).load()
    from_xarray = st.detect(da, taper_points=5)
    cols = ["frame", "lat", "lon", "value"]
    assert from_xarray.select(cols).equals(from_file.select(cols))
    untapered = st.detect(da)
    assert from_xarray.height != untapered.height or not from_xarray.select(cols).equals(untapered.select(cols))
    with pytest.raises(ValueError, match="taper_points"):
        st.detect(da, taper_points=-1)


def test_closed_contours_of_another_variable_of_an_xarray_dataset(tmp_path):
    """An xarray Dataset brings the other variables its closed contours test (copied beside the
    tracked one): detection and tracking equal those of the same file; a DataArray has none
    to give (refused by name); with a Dask client they are refused (test_distributed.py)."""
    ds, both = msl_and_pres(tmp_path, 12)
    criteria = {"closed_contours": ["pres,2,5.5,0"], "merge_dist": 6}
    from_file = st.detect(both, "msl", **criteria)
    from_dataset = st.detect(ds, "msl", **criteria)
    assert 0 < from_dataset.height < st.detect(ds, "msl").height
    assert from_dataset.equals(from_file)
    assert st.track(ds, "msl", **criteria).equals(st.track(both, "msl", **criteria))
    with pytest.raises(st.StormtrackError, match="pres"):
        st.detect(ds["msl"], "msl", **criteria)
