"""The Parquet dataset is readable as is by Polars and DataFusion, and both see the same data."""
from pathlib import Path

import datafusion
import pyarrow as pa
import polars as pl
import pytest
from conftest import SHARED

TABLES = ("centers", "track_points", "tracks")


def polars_table(ds: Path, table: str) -> pl.DataFrame:
    return pl.scan_parquet(ds / table, hive_partitioning=True).collect()


def datafusion_table(ds: Path, table: str) -> pl.DataFrame:
    ctx = datafusion_context(ds)
    return pl.from_arrow(ctx.sql(f"SELECT * FROM {table}").to_arrow_table())


def datafusion_context(ds: Path) -> datafusion.SessionContext:
    """The three tables, with the hive partition columns declared as integers."""
    ctx = datafusion.SessionContext()
    for t in TABLES:
        ctx.register_parquet(t, f"{ds / t}/", table_partition_cols=[("year", pa.int32()), ("month", pa.int32())])
    return ctx


def canonical(df: pl.DataFrame) -> pl.DataFrame:
    df = df.with_columns(pl.col("year").cast(pl.Int32), pl.col("month").cast(pl.Int32))
    return df.sort(df.columns)


@pytest.mark.parametrize("table", TABLES)
def test_polars_and_datafusion_read_the_same_rows(demo_dir: Path, table: str):
    ds = demo_dir / "tracks"
    a = canonical(polars_table(ds, table))
    b = canonical(datafusion_table(ds, table).select(a.columns))
    assert a.height > 0
    assert a.equals(b)


def test_schema_and_partitions(demo_dir: Path):
    pts = polars_table(demo_dir / "tracks", "track_points")
    assert pts.schema["time"] == pl.Datetime("ms", "UTC")
    for col, dt in {"track_id": pl.Int64, "lat": pl.Float64, "lon": pl.Float64, "value": pl.Float64}.items():
        assert pts.schema[col] == dt
    assert pts["lon"].min() >= -180 and pts["lon"].max() < 180
    # partition keys equal the points' own year and month
    assert (pts["year"] == pts["time"].dt.year()).all()
    assert (pts["month"] == pts["time"].dt.month()).all()
    tracks = polars_table(demo_dir / "tracks", "tracks")
    assert tracks["n_points"].sum() == pts.height
    assert tracks["track_id"].n_unique() == tracks.height


def test_djf_dataset_agrees_with_the_peer_imilast(djf_dir: Path):
    pts = polars_table(djf_dir / "tracks", "track_points")
    assert pts.height == 28125
    assert pts["track_id"].n_unique() == 10340
    ref = (SHARED / "reference/pst-0.8.0/simple_msl_2.5.txt").read_text().splitlines()
    rows = [line.split() for line in ref if line.startswith("00 ")]
    peer = pl.DataFrame(
        {
            "track_id": [int(r[1]) for r in rows],
            "lon": [float(r[8]) for r in rows],
            "lat": [float(r[9]) for r in rows],
            "hpa": [float(r[10]) for r in rows],
        }
    )
    ours = pts.sort("track_id", "step").select(
        "track_id", pl.col("lon").round(2), pl.col("lat").round(2), (pl.col("value") / 100).round(6).alias("hpa")
    )
    assert ours.equals(peer)
    # DataFusion answers an aggregate over the same dataset
    ctx = datafusion_context(djf_dir / "tracks")
    n = ctx.sql("SELECT count(*) AS n, sum(n_points) AS p FROM tracks").to_pydict()
    assert n == {"n": [10340], "p": [28125]}
    pruned = ctx.sql("SELECT count(*) AS n FROM tracks WHERE year = 2026 AND month = 2").to_pydict()["n"][0]
    assert 0 < pruned < 10340
    # plain SQL without declared partitions infers them as strings: still readable
    ctx2 = datafusion.SessionContext()
    ctx2.sql(f"CREATE EXTERNAL TABLE tp STORED AS PARQUET LOCATION '{djf_dir / 'tracks' / 'track_points'}/'").collect()
    got = ctx2.sql("SELECT count(DISTINCT track_id) AS n FROM tp WHERE month = '12'").to_pydict()["n"][0]
    assert got == pts.filter(pl.col("month") == 12)["track_id"].n_unique()


@pytest.mark.parametrize("table", TABLES)
def test_duckdb_reads_the_same_rows(demo_dir: Path, table: str):
    import duckdb

    ds = demo_dir / "tracks"
    a = canonical(polars_table(ds, table))
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{ds / table}/*/*/*.parquet', hive_partitioning = true)")
    # DuckDB hands timestamps over in microseconds, zone "Etc/UTC": same instants
    b = rel.pl().with_columns(pl.col(pl.Datetime).dt.cast_time_unit("ms").dt.convert_time_zone("UTC"))
    b = canonical(b.select(a.columns))
    assert a.height > 0
    assert a.equals(b)
