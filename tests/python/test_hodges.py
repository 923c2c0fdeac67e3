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
    assert str(e.value) in p.stderr
