"""One suite, five front ends, one answer: the DJF 2025-26 msl tracks produced through the CLI,
the Rust dataframe API (examples/link_polars.rs), the Python API, the Polars expression plugin
and the SQL window function (Python DataFusion via FFI, and Rust DataFusion via `stormtrack sql`)
give every centre the same track id at the same coordinates."""

import io
import subprocess
from pathlib import Path

import polars as pl
import pytest
from conftest import run, stormtrack_bin

import stormtrack as st

KEY = ["time", "lat", "lon"]


def _example_bin() -> Path:
    p = Path(stormtrack_bin()).parent / "examples" / "link_polars"
    if not p.exists():
        pytest.fail(f"{p} not built: cargo test --release --features full builds the examples")
    return p


@pytest.fixture(scope="module")
def answers(djf_msl, djf_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("frontends")
    out = {}
    # 1. the CLI (the dataset djf_dir was written by `stormtrack track`)
    out["cli"] = st.scan_tracks(djf_dir / "tracks").select(*KEY, "track_id").collect()
    # 2. the Rust dataframe API
    p = subprocess.run([str(_example_bin()), str(djf_msl), "msl"], capture_output=True, text=True, check=True)
    rust = pl.read_csv(io.StringIO(p.stdout))
    out["rust_polars"] = rust.select(pl.col("time_ms").cast(pl.Datetime("ms")).dt.replace_time_zone("UTC").alias("time"), "lat", "lon", "track_id")
    # 3. the Python API
    out["python"] = st.track(djf_msl, "msl").select(*KEY, "track_id")
    # 4. the Polars plugin on the Python detection
    centers = st.detect(djf_msl, "msl")
    out["plugin"] = centers.with_columns(track_id=st.link("time", "lat", "lon", lon_convention="0..360")).select(*KEY, "track_id")
    # 5. SQL window function, Python DataFusion through the FFI capsules
    ctx = st.sql_context(djf_dir / "tracks")
    relink = "SELECT time, lat, lon, link_tracks(time, lat, CASE WHEN lon < 0 THEN lon + 360 ELSE lon END) OVER (ORDER BY time) AS track_id FROM centers"
    out["sql_python"] = pl.DataFrame(ctx.sql(relink).to_arrow_table())
    # 6. the same query in Rust DataFusion
    run("sql", "--tracks", str(djf_dir / "tracks"), relink, "--output", str(tmp / "relink.parquet"))
    out["sql_rust"] = pl.read_parquet(tmp / "relink.parquet")
    return out


@pytest.mark.parametrize("front_end", ["rust_polars", "python", "plugin", "sql_python", "sql_rust"])
def test_same_membership_and_coordinates_as_the_cli(answers, front_end):
    cli = answers["cli"].sort(KEY)
    got = answers[front_end].sort(KEY)
    assert got.height == cli.height == 28125
    assert got.select(KEY).equals(cli.select(KEY)), "coordinates differ"
    assert (got["track_id"] == cli["track_id"]).all(), "track membership differs"
    assert cli["track_id"].n_unique() == 10340
