"""The Hodges tracker and the spectral filter from Python: the same tracks as the CLI, the
same errors, Hodges options by keyword."""

import polars as pl
import pytest

import stormtrack as st
from conftest import cli


def test_track_hodges_equals_the_cli(djf_msl, tmp_path):
    df = st.track(djf_msl, "msl", algorithm="hodges", lmin=5, lmax=42, output=tmp_path / "py.trackjson")
    assert {"object_id", "refinement_status", "raw_value"} <= set(df.columns)
    p = cli("track", "-i", str(djf_msl), "--variable", "msl", "-a", "hodges", "--lmin", "5", "--lmax", "42",
            "-o", str(tmp_path / "cli.trackjson"), "-q")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "py.trackjson").read_bytes() == (tmp_path / "cli.trackjson").read_bytes()
    points = st.read_tracks(tmp_path / "cli.trackjson")
    assert df.select("track_id", "time").equals(points.select("track_id", "time"))
    # TrackJSON keeps 9 decimals
    assert (df["lat"] - points["lat"]).abs().max() < 1e-8
    assert (df["lon"] - points["lon"]).abs().max() < 1e-8


def test_hodges_options_by_keyword(djf_msl):
    short = st.track(djf_msl, "msl", algorithm="hodges", lmin=5, lmax=42, n_frames=20, min_track_points=8)
    assert short.group_by("track_id").len()["len"].min() >= 8
    with pytest.raises(TypeError, match="wmax"):
        st.track(djf_msl, "msl", algorithm="hodges", wmax=3)


def test_errors_are_the_clis(djf_msl, tmp_path):
    with pytest.raises(st.StormtrackError) as e:
        st.track(djf_msl, "msl", algorithm="hodges", lmin=5)
    p = cli("track", "-i", str(djf_msl), "--variable", "msl", "-a", "hodges", "--lmin", "5", "-o", str(tmp_path / "x.txt"))
    assert p.returncode == 2
    # one error, each front end naming the options its own way (keywords, flags)
    assert str(e.value) == "invalid option lmin: must be given together with lmax (e.g. lmin 5, lmax 42)"
    assert p.stderr.strip() == "stormtrack: error: invalid option --lmin: must be given together with --lmax (e.g. lmin 5, lmax 42)"


@pytest.fixture(scope="module")
def hodges_dir(djf_msl, tmp_path_factory):
    d = tmp_path_factory.mktemp("hodges")
    p = cli("track", "-i", str(djf_msl), "--variable", "msl", "-a", "hodges", "--lmin", "5", "--lmax", "42",
            "-o", str(d / "tracks"), "-q")
    assert p.returncode == 0, p.stderr
    return d / "tracks"


def test_mge_plugin_sql_window_and_cli_agree(hodges_dir):
    centers = st.scan_tracks(hodges_dir, "centers").sort("time", maintain_order=True).collect()
    # the linker sees DUFF duplicates (status 3) as DUFF, as the CLI's does
    centers = centers.with_columns(
        v=pl.when(pl.col("refinement_status") == 3).then(-1e12).otherwise(pl.col("value"))
    ).with_row_index("i")
    plugin = centers.with_columns(track_id=st.link("time", "lat", "lon", method="mge", value="v"))

    ctx = st.sql_context()
    ctx.from_polars(centers.select("i", "time", "lat", "lon", "v"), name="c")
    sql = pl.DataFrame(ctx.sql(
        "SELECT i, link_tracks_mge(time, lat, lon, v) OVER () AS track_id FROM c"
    ).to_arrow_table())
    both = plugin.select("i", "track_id").join(sql, on="i", suffix="_sql")
    assert both.height == centers.height
    assert both.filter(pl.col("track_id").ne_missing(pl.col("track_id_sql"))).height == 0

    # the same partition of points into tracks as the CLI (features taken in (lat, lon) order
    # instead of the detector's: ties may break differently, tracks stay the same)
    key = ["time", "lat", "lon"]
    linked = plugin.filter(pl.col("refinement_status") != 3).select(*key, "track_id").unique(key)
    cli_points = st.scan_tracks(hodges_dir).select(*key, pl.col("track_id").alias("cli")).collect()
    j = cli_points.join(linked, on=key, how="left")
    per_track = j.group_by("cli").agg(same=(pl.col("track_id").n_unique() == 1) & pl.col("track_id").is_not_null().all())
    assert per_track["same"].mean() >= 0.98


def test_rsplice_everywhere_keeps_what_the_peer_keeps(tmp_path):
    from conftest import SHARED

    ref = SHARED / "reference/pst-0.8.0/hodges_msl_2.5_T5-42.trackjson"
    if not ref.exists():
        pytest.skip(f"{ref} not available")
    points = st.read_tracks(ref)
    kept = points.group_by("track_id").agg(st.rsplice_keep("time", "lat", "lon")).filter("rsplice_keep")
    assert kept.height == 450
    ctx = st.sql_context()
    ctx.from_polars(points.select("track_id", "time", "lat", "lon"), name="p")
    n = ctx.sql("SELECT count(*) AS n FROM (SELECT track_id FROM p GROUP BY track_id HAVING rsplice_keep(time, lat, lon))").to_pydict()["n"][0]
    assert n == 450
    p = cli("filter", str(ref), "-o", str(tmp_path / "f.trackjson"))
    assert p.returncode == 0, p.stderr
    assert st.read_tracks(tmp_path / "f.trackjson")["track_id"].n_unique() == 450


def test_detect_hodges_equals_the_cli(djf_msl, tmp_path):
    df = st.detect(djf_msl, "msl", algorithm="hodges", lmin=5, lmax=42, n_frames=3)
    p = cli("detect", "-a", "hodges", "-i", str(djf_msl), "--variable", "msl", "--lmin", "5", "--lmax", "42",
            "-n", "3", "-o", str(tmp_path / "c.parquet"), "-q")
    assert p.returncode == 0, p.stderr
    assert df.equals(pl.read_parquet(tmp_path / "c.parquet"))
    assert {"object_id", "refinement_status"} <= set(df.columns)
    # the Simple detector takes the filter too (taper 0.1 by default, as the peer's Simple)
    assert st.detect(djf_msl, "msl", lmin=5, lmax=42, n_frames=2).height > 0
