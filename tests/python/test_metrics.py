"""Issue 5 from Python: the Lagrangian metrics through the Polars plugin equal the CLI's CF
NetCDF (and so the peer's values, which tests/metrics.rs checks) and the SQL aggregate;
`st.ata` in `group_by().agg()`; statistics, sampling and Eulerian metrics equal the CLI."""

from pathlib import Path

import polars as pl
import pytest
import stormtrack as st

from conftest import SHARED, cli, run

HODGES_MSL = SHARED / "reference/pst-0.8.0/hodges_msl_2.5_T5-42.trackjson"
DJF_MSL = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
METRICS = ["cyclone_amplitude", "cyclone_frequency", "track_frequency", "aca", "ata"]


@pytest.fixture(scope="module")
def tracks() -> pl.DataFrame:
    if not HODGES_MSL.exists():
        pytest.skip(f"{HODGES_MSL} not available")
    return st.read_tracks(HODGES_MSL)


def test_track_metrics_equals_the_cli_netcdf(tracks, tmp_path):
    xr = pytest.importorskip("xarray")
    nc = tmp_path / "m.nc"
    run("metrics", str(HODGES_MSL), "--grid", "2.5", "--kernel", "quadratic", "--monthly", "-o", str(nc))
    ours = st.track_metrics(tracks, grid=2.5, kernel="quadratic", by="month", mode="min", xarray=True)
    with xr.open_dataset(nc) as cli_ds:
        assert list(cli_ds["ata"].dims) == ["time", "lat", "lon"]
        assert float(cli_ds.lat[0]) == 90.0 and float(cli_ds.lon[0]) == 0.0
        for name in METRICS:
            assert (ours[name].values == cli_ds[name].values).all(), name
        assert (ours.time.values == cli_ds.time.values).all()


def test_track_metrics_tidy_and_sql_agree(tracks):
    df = st.track_metrics(tracks, grid=2.5, mode="min", nonzero=True)
    assert df.columns == ["cell_lat", "cell_lon", *METRICS]
    full = st.track_metrics(tracks, grid=2.5, mode="min")
    assert full.height == 73 * 144
    assert df.equals(full.filter(pl.any_horizontal(pl.col(METRICS) != 0)))
    ctx = st.sql_context()
    ctx.from_polars(tracks.select("track_id", "time", "lat", "lon", "value"), name="p")
    sql = pl.DataFrame(ctx.sql(
        """SELECT m.cell_lat, m.cell_lon, m.cyclone_amplitude, m.cyclone_frequency, m.track_frequency, m.aca, m.ata
           FROM (SELECT unnest(track_metrics(track_id, time, lat, lon, value, '{"mode": "min", "nonzero": true}')) AS m FROM p)"""
    ).to_arrow_table())
    sql.columns = df.columns
    assert sql.equals(df)


def test_ata_aggregation_per_group(tracks):
    monthly = tracks.with_columns(month=pl.col("time").dt.month())
    out = monthly.group_by("month").agg(st.ata("time", "lat", "lon", "value", grid=2.5, mode="min")).sort("month")
    cells = out.explode("ata").unnest("ata")
    for month in (12, 1, 2):
        alone = st.track_metrics(monthly.filter(pl.col("month") == month), mode="min", nonzero=True)
        got = cells.filter(pl.col("month") == month).drop("month")
        want = alone.select("cell_lat", "cell_lon", "ata").filter(pl.col("ata") != 0)
        assert got.filter(pl.col("ata") != 0).equals(want), month


def test_errors_name_the_problem(tracks):
    with pytest.raises(pl.exceptions.ComputeError, match="kernel.*'boxcar' is unknown"):
        st.track_metrics(tracks, kernel="boxcar")
    with pytest.raises(st.StormtrackError, match="value column 'nope'"):
        st.track_metrics(tracks, value="nope")
    with pytest.raises(ValueError, match="by must be"):
        st.track_metrics(tracks, by="week")


def test_track_stats_equals_the_cli(tracks, tmp_path):
    xr = pytest.importorskip("xarray")
    nc = tmp_path / "s.nc"
    run("stats", str(HODGES_MSL), "--kernel", "fisher", "--width-deg", "3", "--density", "track,lysis", "--mean", "speed", "-o", str(nc))
    ours = st.track_stats(tracks, kernel="fisher", width_deg=3.0, density="track,lysis", mean="speed")
    assert ours.columns == ["cell_lat", "cell_lon", "track_density", "lysis_density", "mean_speed"]
    with xr.open_dataset(nc) as ds:
        for name in ("track_density", "lysis_density", "mean_speed"):
            assert ours[name].to_numpy().tolist() == pytest.approx(ds[name].values.ravel().tolist(), rel=0, abs=0, nan_ok=True), name


def test_sample_and_eulerian_equal_the_cli(tracks, tmp_path):
    if not DJF_MSL.exists():
        pytest.skip(f"{DJF_MSL} not available")
    out = tmp_path / "sampled.trackjson"
    run("sample", str(HODGES_MSL), "-i", str(DJF_MSL), "--variable", "msl", "--method", "max", "--radius-km", "300", "--name", "msl_max", "-o", str(out))
    via_cli = st.read_tracks(out)
    ours = st.sample(tracks, DJF_MSL, "msl", method="max", radius_km=300, name="msl_max")
    assert ours["msl_max"].null_count() == 0
    assert ours["msl_max"].to_list() == pl.DataFrame(via_cli)["msl_max"].to_list()

    nc = tmp_path / "var.parquet"
    run("eulerian", "-i", str(DJF_MSL), "--variable", "msl", "-o", str(nc))
    assert st.eulerian(DJF_MSL, "variance", variable="msl").equals(pl.read_parquet(nc))
    bad = cli("eulerian", "-i", str(DJF_MSL), "--metric", "eke", "-o", str(tmp_path / "x.nc"))
    assert bad.returncode == 2 and "--u" in bad.stderr
