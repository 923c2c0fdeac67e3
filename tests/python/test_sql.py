"""DataFusion from Python: the FFI functions in a datafusion SessionContext agree with the
Polars plugins and with `stormtrack sql` (Rust DataFusion); the sql/examples run on DJF."""

from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT, cli, run

import stormtrack as st

EXAMPLES = sorted((ROOT / "sql/examples").glob("*.sql"))


@pytest.fixture(scope="module")
def ctx(djf_dir):
    return st.sql_context(djf_dir / "tracks")


def q(ctx, sql: str) -> pl.DataFrame:
    return pl.DataFrame(ctx.sql(sql).to_arrow_table())


def test_every_function_is_registered_and_documented():
    kinds = {name.name: kind for kind, name in st._core.sql_functions()}
    assert kinds == {
        "great_circle_km": "scalar", "bearing_deg": "scalar", "normalize_lon": "scalar",
        "path_length_km": "aggregate", "duration_h": "aggregate", "max_speed_kmh": "aggregate",
        "rsplice_keep": "aggregate", "track_metrics": "aggregate", "link_tracks": "window", "link_tracks_mge": "window",
    }
    assert (ROOT / "docs/sql.md").read_text() == st._core.sql_docs()


def test_scalar_functions_equal_the_plugins(ctx, djf_dir):
    sql = q(ctx, """SELECT track_id, step, great_circle_km(lat, lon, 10.0, 20.0) AS d, bearing_deg(lat, lon, 10.0, 20.0) AS b,
                   normalize_lon(lon + 360) AS n FROM track_points ORDER BY track_id, step""")
    pts = st.scan_tracks(djf_dir / "tracks").sort("track_id", "step").collect()
    pol = pts.select(d=st.great_circle_km("lat", "lon", pl.lit(10.0), pl.lit(20.0)), b=st.bearing_deg("lat", "lon", pl.lit(10.0), pl.lit(20.0)),
                     n=st.normalize_lon(pl.col("lon") + 360))
    assert sql.select("d", "b", "n").equals(pol)


def test_aggregates_and_window_equal_the_plugins(ctx, djf_dir):
    agg = q(ctx, """SELECT track_id, path_length_km(lat, lon, time) AS km, duration_h(time) AS h, max_speed_kmh(time, lat, lon) AS v
                  FROM track_points GROUP BY track_id ORDER BY track_id""")
    pts = st.scan_tracks(djf_dir / "tracks").collect()
    pol = pts.group_by("track_id").agg(
        km=st.path_length_km("lat", "lon", "time"), h=st.duration_h("time"), v=st.max_speed_kmh("time", "lat", "lon")
    ).sort("track_id")
    assert agg.equals(pol)
    win = q(ctx, """SELECT time, lat, lon, link_tracks(time, lat, CASE WHEN lon < 0 THEN lon + 360 ELSE lon END) OVER (ORDER BY time) AS id
                  FROM centers ORDER BY time, lat, lon""")
    joined = win.join(pts.select("time", "lat", "lon", "track_id"), on=["time", "lat", "lon"])
    assert joined.height == 28125 and (joined["id"] == joined["track_id"]).all()


def test_sql_errors_reach_python(ctx):
    with pytest.raises(Exception, match="must not be NULL"):
        ctx.sql("SELECT link_tracks(k, lat, lon) OVER () FROM (VALUES (0, 1.0, NULL), (6, 1.0, 2.0)) AS t(k, lat, lon)").collect()


def test_sql_context_refuses_a_non_dataset(tmp_path):
    with pytest.raises(st.StormtrackError, match="not a tracks dataset"):
        st.sql_context(tmp_path)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_examples_run_in_rust_and_python_alike(example, ctx, djf_dir, tmp_path):
    out = tmp_path / "out.parquet"
    run("sql", "--tracks", str(djf_dir / "tracks"), "-f", str(example), "--output", str(out))
    rust = pl.read_parquet(out)
    python = q(ctx, example.read_text())
    assert rust.height > 0
    assert rust.equals(python)


def test_deepest_cyclone_is_deep(djf_dir):
    p = run("sql", "--tracks", str(djf_dir / "tracks"), "-f", str(ROOT / "sql/examples/deepest_cyclones.sql"))
    assert "min_hpa" in p.stdout


def test_cli_sql_errors_are_one_line(tmp_path, djf_dir):
    for args in (["SELECT nope FROM track_points", "--tracks", str(djf_dir / "tracks")],
                 ["SELECT 1", "--tracks", str(tmp_path)],
                 ["SELECT 1", "--output", str(tmp_path / "x.xlsx")]):
        p = cli("sql", *args)
        assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr
    assert list(tmp_path.iterdir()) == []
