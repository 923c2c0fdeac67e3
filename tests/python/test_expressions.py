"""Polars expression plugins: linking (.over, lazy, unsorted, nulls), the geometry functions
and the per-track aggregations, on real data and on property-based inputs (hypothesis,
including multi-chunk Series and nulls)."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from polars.testing import assert_frame_equal, assert_series_equal
from polars.testing.parametric import column, dataframes

import stormtrack as st


@pytest.fixture(scope="module")
def centers(djf_msl):
    return st.detect(djf_msl, "msl")


@pytest.fixture(scope="module")
def cli_points(djf_dir):
    return st.scan_tracks(djf_dir / "tracks").select("time", "lat", "lon", "track_id").collect()


def _ids_like_cli(df: pl.DataFrame, cli_points: pl.DataFrame, col: str = "track_id") -> None:
    joined = df.join(cli_points, on=["time", "lat", "lon"], how="left", suffix="_cli")
    assert joined.height == cli_points.height
    assert joined.filter(pl.col(col) != pl.col("track_id_cli")).height == 0


def test_link_equals_the_cli_on_djf(centers, cli_points):
    linked = centers.with_columns(track_id=st.link("time", "lat", "lon", max_km=500, lon_convention="0..360"))
    _ids_like_cli(linked, cli_points)
    # passing the longitudes in the grid's convention is the same thing
    other = centers.with_columns(track_id=st.link("time", "lat", pl.col("lon") % 360))
    assert_series_equal(other["track_id"], linked["track_id"])


def test_link_is_independent_of_row_order_and_lazy(centers, cli_points):
    shuffled = centers.sample(fraction=1.0, shuffle=True, seed=7)
    lazy = shuffled.lazy().with_columns(track_id=st.link("time", "lat", "lon", lon_convention="0..360")).collect()
    _ids_like_cli(lazy, cli_points)


def test_link_over_members(centers):
    one = centers.head(3000).with_columns(track_id=st.link("time", "lat", "lon"))
    two = pl.concat([centers.head(3000).with_columns(member=pl.lit(m)) for m in ("a", "b")])
    linked = two.with_columns(track_id=st.link("time", "lat", "lon").over("member"))
    for m in ("a", "b"):
        assert_series_equal(linked.filter(pl.col("member") == m)["track_id"], one["track_id"])
    # and in a group context: a list of ids per member
    grouped = two.group_by("member").agg(st.link("time", "lat", "lon")).sort("member")
    assert grouped["time"].list.len().to_list() == [3000, 3000]


def test_link_rejects_nulls_clearly():
    df = pl.DataFrame({"time": [0, 1], "lat": [1.0, None], "lon": [0.0, 0.0]})
    with pytest.raises(pl.exceptions.ComputeError, match=r"column 'lat' has 1 null values \(first at row 1\)"):
        df.select(st.link("time", "lat", "lon"))
    with pytest.raises(ValueError, match="max_km"):
        st.link("time", "lat", "lon", max_km=0)


def test_aggregations_in_group_by_and_over(cli_points, djf_dir):
    per = cli_points.group_by("track_id").agg(
        st.path_length_km("lat", "lon", "time"), st.duration_h("time"), st.max_speed_kmh("time", "lat", "lon")
    )
    stored = st.scan_tracks(djf_dir / "tracks", "tracks").select("track_id", "path_length_km", "duration_hours").collect()
    j = per.join(stored, on="track_id", suffix="_s")
    assert j.height == 10340
    assert (j["path_length_km"] - j["path_length_km_s"]).abs().max() < 1e-9
    assert (j["duration_h"] == j["duration_hours"]).all()
    over = cli_points.with_columns(km=st.path_length_km("lat", "lon", "time").over("track_id"))
    back = over.group_by("track_id").agg(pl.col("km").first()).join(per, on="track_id")
    assert (back["km"] == back["path_length_km"]).all()
    # the namespace is the same functions
    ns = cli_points.group_by("track_id").agg(pl.col("lat").storm.path_length_km("lon", "time"), pl.col("time").storm.duration_h())
    assert_frame_equal(ns.sort("track_id"), per.select("track_id", "path_length_km", "duration_h").sort("track_id"))


def test_aggregation_edge_cases():
    df = pl.DataFrame({"g": [1, 1, 2, 3], "time": [0, 6, 0, 0], "lat": [0.0, None, 5.0, None], "lon": [0.0, 1.0, 5.0, 5.0]})
    out = df.group_by("g").agg(st.path_length_km("lat", "lon", "time")).sort("g")
    assert out["path_length_km"].to_list() == [0.0, 0.0, None]
    dup = pl.DataFrame({"time": pl.Series([0, 0], dtype=pl.Datetime("ms")), "lat": [0.0, 1.0], "lon": [0.0, 0.0]})
    with pytest.raises(pl.exceptions.ComputeError, match="same time"):
        dup.select(st.max_speed_kmh("time", "lat", "lon"))
    with pytest.raises(pl.exceptions.ComputeError, match="Datetime or Date"):
        pl.DataFrame({"t": [0, 1]}).select(st.duration_h("t"))


def haversine_km(lat1, lon1, lat2, lon2):
    """The great-circle distance in the atan2 form (Vincenty's on the sphere), accurate at
    every range: the reference of the public distance, which must be exact at zero."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2) - np.radians(lon1)
    y = np.hypot(np.cos(p2) * np.sin(dl), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl))
    x = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return np.arctan2(y, x) * 6371.22


lats = hs.floats(-90, 90, allow_nan=False)
lons = hs.floats(-720, 720, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(dataframes([column("lat1", strategy=lats, dtype=pl.Float64), column("lon1", strategy=lons, dtype=pl.Float64),
                   column("lat2", strategy=lats, dtype=pl.Float64), column("lon2", strategy=lons, dtype=pl.Float64)],
                  allow_null=True, max_size=40))
def test_geometry_properties(df):
    out = df.select(
        d=st.great_circle_km("lat1", "lon1", "lat2", "lon2"),
        r=st.great_circle_km("lat2", "lon2", "lat1", "lon1"),
        b=st.bearing_deg("lat1", "lon1", "lat2", "lon2"),
        n=st.normalize_lon("lon1"),
    )
    nulls = df.select(pl.any_horizontal(pl.all().is_null())).to_series()
    assert (out["d"].is_null() == nulls).all()
    ok = out.filter(~nulls)
    src = df.filter(~nulls)
    if ok.height:
        expect = haversine_km(*(src[c].to_numpy() for c in ("lat1", "lon1", "lat2", "lon2")))
        assert np.allclose(ok["d"].to_numpy(), expect, atol=1e-6)
        assert np.allclose(ok["d"].to_numpy(), ok["r"].to_numpy(), atol=1e-6)
        assert ((ok["b"] >= 0) & (ok["b"] < 360)).all()
        n = ok["n"].to_numpy()
        assert ((n >= -180) & (n < 180)).all()
        assert np.allclose((n - src["lon1"].to_numpy()) / 360, np.round((n - src["lon1"].to_numpy()) / 360), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.tuples(hs.integers(0, 6), hs.floats(-60, 60), hs.floats(0, 40)), min_size=1, max_size=60), hs.integers(1, 4))
def test_link_is_invariant_under_chunking_and_order(rows, n_chunks):
    df = pl.DataFrame(rows, schema=["time", "lat", "lon"], orient="row")
    ids = df.with_columns(id=st.link("time", "lat", "lon"))["id"]
    # the core kernel on plain arrays gives the same
    core = st._core.link_arrays(df["time"].cast(pl.Int64).to_numpy(), df["lat"].to_numpy(), df["lon"].to_numpy())
    assert ids.to_list() == core.tolist()
    # a multi-chunk frame
    parts = [df.slice(i * len(rows) // n_chunks, len(rows) // n_chunks + 1) for i in range(n_chunks)]
    chunked = pl.concat([p for p in parts if p.height], rechunk=False).unique(maintain_order=True)
    if chunked.height == df.unique(maintain_order=True).height and df.is_duplicated().sum() == 0:
        got = chunked.with_columns(id=st.link("time", "lat", "lon"))
        assert got["id"].to_list() == df.with_columns(id=st.link("time", "lat", "lon"))["id"].to_list()
    # every id is used, ids start at 1, and a track has one point per time
    assert set(ids.to_list()) == set(range(1, ids.max() + 1))
    assert df.with_columns(id=ids).group_by("id", "time").len()["len"].max() == 1


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.tuples(hs.floats(-80, 80), hs.floats(-180, 180)), min_size=2, max_size=30))
def test_path_length_is_the_sum_of_steps(points):
    df = pl.DataFrame(points, schema=["lat", "lon"], orient="row").with_row_index("k")
    total = df.select(st.path_length_km("lat", "lon", "k")).item()
    steps = df.select(st.great_circle_km("lat", "lon", pl.col("lat").shift(-1), pl.col("lon").shift(-1)).sum()).item()
    assert math.isclose(total, steps, rel_tol=1e-12, abs_tol=1e-9)
    # shuffled rows with the time column give the same length
    assert math.isclose(df.sample(fraction=1, shuffle=True, seed=1).select(st.path_length_km("lat", "lon", "k")).item(), total, rel_tol=1e-12, abs_tol=1e-9)
