"""Every CF calendar end to end (docs/calendars.md).

The inputs are made here by xarray + cftime + netCDF4 from the real ERA5 DJF file: the same
field with its time axis replaced by a six-hourly series from 2001-12-01 in a model calendar
(360 frames fill December to February of a 360-day year exactly, February 29 and 30 included),
encoded as CMIP does (float days since 1850-01-01 with `time_bnds`). Tracking must give the
tracks of the original file, point for point, with every date spelled in the model calendar;
Polars, DataFusion and cftime must read those dates back exactly.
"""
import datetime
import json
from pathlib import Path

import cftime
import datafusion
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xarray as xr
import stormtrack as st
from conftest import cli, run

CALENDARS = ("noleap", "360_day", "all_leap", "julian", "standard")
START = (2001, 12, 1)
STEP = datetime.timedelta(hours=6)


def model_times(calendar: str, n: int) -> list:
    start = cftime.datetime(*START, calendar=calendar)
    return [start + k * STEP for k in range(n)]


def with_calendar(src: Path, calendar: str, out: Path, *, cmip_layout: bool = False) -> list:
    """`src` with its time axis in `calendar`; `cmip_layout` also renames msl to psl, makes
    latitudes ascending and longitudes -180..180, as CMIP files are."""
    ds = xr.open_dataset(src)
    da = ds["msl"]
    tdim = next(d for d in da.dims if d not in ("latitude", "longitude"))
    times = model_times(calendar, da.sizes[tdim])
    da = da.rename({tdim: "time"}).assign_coords(time=times)
    if cmip_layout:
        da = da.rename({"latitude": "lat", "longitude": "lon"}).rename("psl").sortby("lat")
        da = da.assign_coords(lon=((da.lon + 180) % 360) - 180).sortby("lon")
        da.attrs = {"standard_name": "air_pressure_at_mean_sea_level", "units": "Pa"}
    days = cftime.date2num(times, "days since 1850-01-01", calendar)
    out_ds = xr.Dataset({da.name: da})
    out_ds["time_bnds"] = (("time", "bnds"), np.stack([days - 0.125, days + 0.125], axis=1))
    out_ds["time"].attrs["bounds"] = "time_bnds"
    out_ds.to_netcdf(out, encoding={"time": {"units": "days since 1850-01-01", "calendar": calendar, "dtype": "float64"}})
    ds.close()
    return times


def imilast_by_frame(path: Path, calendar: str, first_year: int) -> list[tuple]:
    """IMILAST rows with each date replaced by its six-hourly frame index from December 1 of
    `first_year`, so files of different calendars compare point for point."""
    origin = cftime.datetime(first_year, 12, 1, calendar=calendar)
    rows = []
    for line in path.read_text().splitlines()[1:]:
        p = line.split()
        if p[0] == "00":
            d = p[3]
            # the date fields must agree with the DateI10 token
            assert (p[4], p[5], p[6], p[7]) == (d[:4], d[4:6], d[6:8], d[8:])
            t = cftime.datetime(int(d[:4]), int(d[4:6]), int(d[6:8]), int(d[8:]), calendar=calendar)
            rows.append((p[1], p[2], round((t - origin) / STEP), *p[8:]))
        else:
            rows.append(tuple(p))
    return rows


@pytest.fixture(scope="module")
def original(djf_msl: Path, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("gregorian")
    run("track", "-i", str(djf_msl), "--variable", "msl", "-o", str(d / "tracks.txt"), "--quiet")
    return d


@pytest.fixture(scope="module", params=CALENDARS)
def tracked(request, djf_msl: Path, tmp_path_factory):
    calendar = request.param
    d = tmp_path_factory.mktemp(calendar)
    times = with_calendar(djf_msl, calendar, d / "msl.nc")
    outputs = [d / "tracks.txt", d / "tracks.trackjson", d / "tracks.tdump", d / "tracks"]
    run("track", "-i", str(d / "msl.nc"), "--variable", "msl", *[a for o in outputs for a in ("-o", str(o))], "--quiet")
    return calendar, times, d


def test_tracks_equal_the_originals_with_dates_in_the_calendar(tracked, original: Path):
    calendar, _, d = tracked
    want = imilast_by_frame(original / "tracks.txt", "proleptic_gregorian", 2025)
    got = imilast_by_frame(d / "tracks.txt", calendar, START[0])
    assert len(got) == len(want) > 30000
    assert got == want


def test_dates_a_gregorian_year_lacks_survive_every_text_format(tracked):
    calendar, times, d = tracked
    text = (d / "tracks.txt").read_text()
    tdump = (d / "tracks.tdump").read_text()
    if calendar == "360_day":
        for spelled in ("2002022900", "2002023018"):
            assert f" {spelled} 2002 02 {spelled[6:8]} {spelled[8:]} " in text
            assert spelled in tdump
    if calendar == "noleap":
        # the last frame is 2002-02-28T18 and March never comes
        assert " 2002022818 " in text and " 200203" not in text
    doc = json.loads((d / "tracks.trackjson").read_text())
    assert doc["metadata"]["time"]["calendar"] == ("proleptic_gregorian" if calendar == "standard" else calendar)
    decoded = cftime.num2date(doc["data"]["times"], doc["metadata"]["time"]["units"], doc["metadata"]["time"]["calendar"])
    allowed = {t.strftime("%Y%m%d%H") for t in times}
    assert {t.strftime("%Y%m%d%H") for t in decoded} <= allowed


def test_dataset_dates_read_back_exactly(tracked):
    calendar, times, d = tracked
    ds = d / "tracks"
    pts = pl.scan_parquet(ds / "track_points", hive_partitioning=True).collect()
    expected_iso = [t.strftime("%Y-%m-%dT%H:%M:%S") for t in times]
    if calendar == "standard":
        # Gregorian data keep the timestamp schema
        assert pts.schema["time"] == pl.Datetime("ms", "UTC") and "time_iso" not in pts.columns
        got = pts["time"].dt.strftime("%Y-%m-%dT%H:%M:%S").to_list()
        assert got == [expected_iso[f] for f in pts["frame"]]
        return
    assert pts.schema["time"] == pl.Int64 and pts.schema["time_iso"] == pl.String
    # the text column and the integer agree with cftime for every point
    assert pts["time_iso"].to_list() == [expected_iso[f] for f in pts["frame"]]
    decoded = cftime.num2date(pts["time"].to_numpy(), "milliseconds since 1970-01-01 00:00:00", calendar)
    assert [t.strftime("%Y-%m-%dT%H:%M:%S") for t in decoded] == pts["time_iso"].to_list()
    # partitions follow the model calendar
    assert (pts["year"].cast(pl.Int32) == pts["time_iso"].str.slice(0, 4).cast(pl.Int32)).all()
    assert (pts["month"].cast(pl.Int32) == pts["time_iso"].str.slice(5, 2).cast(pl.Int32)).all()
    meta = pq.read_schema(next((ds / "track_points").rglob("*.parquet"))).metadata
    assert meta[b"stormtrack:calendar"] == calendar.encode()
    assert json.loads((ds / "_stormtrack.json").read_text())["calendar"] == calendar
    # DataFusion filters on the text column without a calendar library and sees Polars' rows
    ctx = datafusion.SessionContext()
    ctx.register_parquet("track_points", f"{ds / 'track_points'}/", table_partition_cols=[("year", pa.int32()), ("month", pa.int32())])
    last_day = "2002-02-30" if calendar == "360_day" else "2002-02-28"
    n_df = ctx.sql(f"SELECT count(*) AS n FROM track_points WHERE time_iso >= '{last_day}'").to_pydict()["n"][0]
    assert n_df == pts.filter(pl.col("time_iso") >= last_day).height > 0
    # and so does DuckDB, on the hive partitions and the text column
    import duckdb

    n_duck = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{ds / 'track_points'}/**/*.parquet', hive_partitioning = true) "
        f"WHERE month = 2 AND time_iso >= '{last_day}'"
    ).fetchall()[0][0]
    assert n_duck == n_df
    tracks = pl.scan_parquet(ds / "tracks", hive_partitioning=True).collect()
    assert tracks.schema["start_time"] == pl.Int64
    assert set(tracks["start_time_iso"].to_list()) <= set(expected_iso)
    assert set(tracks["end_time_iso"].to_list()) <= set(expected_iso)


def test_converting_the_dataset_keeps_the_calendar(tracked, tmp_path: Path):
    calendar, _, d = tracked
    run("convert", str(d / "tracks"), "-o", str(tmp_path / "again.txt"))
    assert (tmp_path / "again.txt").read_text() == (d / "tracks.txt").read_text()


def test_monthly_metrics_follow_the_model_months(tracked, tmp_path: Path):
    calendar, _, d = tracked
    out = tmp_path / "metrics.nc"
    run("metrics", str(d / "tracks.trackjson"), "--grid", "5", "--monthly", "-o", str(out))
    with xr.open_dataset(out, decode_times=xr.coders.CFDatetimeCoder(use_cftime=True)) as m:
        months = [t.strftime("%Y-%m-%d") for t in m["time"].values]
        assert months == ["2001-12-01", "2002-01-01", "2002-02-01"]
        assert m["time"].values[0].calendar in (calendar, "proleptic_gregorian" if calendar == "standard" else calendar)


def test_a_cmip_layout_gives_the_same_centres(djf_msl: Path, original: Path, tmp_path: Path):
    """psl, ascending latitudes, longitudes -180..180, noleap, days since 1850 with bounds."""
    with_calendar(djf_msl, "noleap", tmp_path / "psl.nc", cmip_layout=True)
    run("detect", "-i", str(tmp_path / "psl.nc"), "--variable", "psl", "-m", "min", "-o", str(tmp_path / "c.parquet"), "--quiet")
    run("detect", "-i", str(djf_msl), "--variable", "msl", "-o", str(tmp_path / "o.parquet"), "--quiet")
    key = ["frame", "lat", "lon", "value"]
    a = pl.read_parquet(tmp_path / "c.parquet").select(key).sort(key)
    b = pl.read_parquet(tmp_path / "o.parquet").select(key).sort(key)
    assert a.height > 20000 and a.equals(b)


def test_an_unknown_calendar_is_one_line_and_writes_nothing(djf_msl: Path, tmp_path: Path):
    ds = xr.open_dataset(djf_msl, decode_times=False)
    tname = next(d for d in ds["msl"].dims if d not in ("latitude", "longitude"))
    ds[tname].attrs["calendar"] = "365.25_day"
    ds.to_netcdf(tmp_path / "bad.nc")
    p = cli("track", "-i", str(tmp_path / "bad.nc"), "--variable", "msl", "-o", str(tmp_path / "out.txt"))
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "365.25_day" in p.stderr and "360_day" in p.stderr
    assert not (tmp_path / "out.txt").exists()


def test_start_and_end_take_dates_of_the_model_calendar(tracked, tmp_path: Path):
    calendar, _, d = tracked
    if calendar != "360_day":
        pytest.skip("February 30 is a date of the 360-day calendar only")
    out = tmp_path / "feb30.txt"
    run("track", "-i", str(d / "msl.nc"), "--variable", "msl", "--start", "2002-02-29", "--end", "2002-02-30T18", "-o", str(out), "--quiet")
    dates = {line.split()[3] for line in out.read_text().splitlines() if line.startswith("00 ")}
    assert dates and all(t[:8] in ("20020229", "20020230") for t in dates)


def test_gregorian_input_refuses_february_30(djf_msl: Path, tmp_path: Path):
    p = cli("track", "-i", str(djf_msl), "--variable", "msl", "--start", "2026-02-30", "-o", str(tmp_path / "x.txt"))
    assert p.returncode == 2 and "proleptic_gregorian" in p.stderr and p.stderr.strip().count("\n") == 0
    assert not (tmp_path / "x.txt").exists()


def test_python_detect_keeps_cftime_dates(djf_msl: Path):
    import stormtrack as st

    da = xr.open_dataset(djf_msl)["msl"].isel(valid_time=slice(0, 8))
    times = model_times("360_day", 8)
    da = da.rename({"valid_time": "time"}).assign_coords(time=times)
    df = st.detect(da)
    assert df.schema["time"] == pl.Int64
    assert df["time_iso"].to_list() == [times[f].strftime("%Y-%m-%dT%H:%M:%S") for f in df["frame"]]


def test_hodges_tracks_equal_the_originals_in_a_360_day_year(djf_msl: Path, tmp_path: Path):
    """The Hodges tracker links by time step: in the 360-day year it must find the same tracks."""
    times = with_calendar(djf_msl, "360_day", tmp_path / "msl.nc")
    hodges = ("--algorithm", "hodges", "--lmin", "5", "--lmax", "42", "--quiet")
    run("track", "-i", str(djf_msl), "--variable", "msl", "-o", str(tmp_path / "orig.trackjson"), *hodges)
    run("track", "-i", str(tmp_path / "msl.nc"), "--variable", "msl", "-o", str(tmp_path / "model.trackjson"), *hodges)
    orig = json.loads((tmp_path / "orig.trackjson").read_text())
    model = json.loads((tmp_path / "model.trackjson").read_text())
    step_ms = 6 * 3_600_000

    def frames(doc: dict) -> list[int]:
        t0 = min(doc["data"]["times"])
        return [(t - t0) // step_ms for t in doc["data"]["times"]]

    assert model["index"] == orig["index"] and len(orig["index"]["ids"]) > 1000
    assert frames(model) == frames(orig)
    for key in ("lats", "lons", "variables"):
        assert model["data"][key] == orig["data"][key]
    # every point time is one of the model calendar's frame times
    decoded = cftime.num2date(model["data"]["times"], model["metadata"]["time"]["units"], "360_day")
    assert {t.strftime("%Y%m%d%H") for t in decoded} <= {t.strftime("%Y%m%d%H") for t in times}


def test_a_360_day_imilast_file_is_refused_on_reading_with_the_way_out(tracked, tmp_path: Path):
    calendar, _, d = tracked
    if calendar != "360_day":
        pytest.skip("only the 360-day year has dates the Gregorian calendar lacks in DJF")
    p = cli("convert", str(d / "tracks.txt"), "-o", str(tmp_path / "x.trackjson"))
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0
    assert "2002022900" in p.stderr or "2002023000" in p.stderr
    assert "calendar" in p.stderr and not (tmp_path / "x.trackjson").exists()
    # TrackJSON carries the calendar: it converts back to the same IMILAST text
    run("convert", str(d / "tracks.trackjson"), "-o", str(tmp_path / "again.txt"))
    assert (tmp_path / "again.txt").read_text() == (d / "tracks.txt").read_text()



@pytest.mark.parametrize("suffix", ["txt", "tdump"])
def test_text_files_of_a_model_calendar_read_back_exactly_with_calendar(tracked, tmp_path: Path, suffix: str):
    """February 30 stays February 30: IMILAST and TRACK files read with their calendar give the
    tracks the TrackJSON output holds (dates, positions, values)."""
    calendar, _, d = tracked
    if calendar in ("standard",):
        pytest.skip("the default calendar")
    extra = ("--variable", "msl") if suffix == "tdump" else ()
    run("convert", str(d / f"tracks.{suffix}"), "-o", str(tmp_path / "back.trackjson"), "--calendar", calendar, *extra)
    back = json.loads((tmp_path / "back.trackjson").read_text())
    want = json.loads((d / "tracks.trackjson").read_text())
    assert back["metadata"]["time"]["calendar"] == want["metadata"]["time"]["calendar"] == calendar
    assert back["data"]["times"] == want["data"]["times"]
    assert back["index"]["offsets"] == want["index"]["offsets"]
    for key in ("lats", "lons"):
        assert back["data"][key] == pytest.approx(want["data"][key], abs=0.006)
    frame = st.read_tracks(d / f"tracks.{suffix}", calendar=calendar, variable="msl")
    assert frame.height == len(want["data"]["times"])
    # TrackJSON records its calendar: another one is a contradiction, one line
    p = cli("convert", str(d / "tracks.trackjson"), "-o", str(tmp_path / "x.txt"), "--calendar", "julian" if calendar != "julian" else "noleap")
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0 and "--calendar" in p.stderr



def test_polars_functions_take_model_calendar_times_with_their_unit(tracked):
    """The Int64 milliseconds of a model-calendar dataset, with ``time_unit="ms"``: the same
    durations and speeds as the TrackJSON times give."""
    calendar, _, d = tracked
    points = st.scan_tracks(d / "tracks", "track_points").collect()
    if calendar != "standard":
        assert points["time"].dtype == pl.Int64
        with pytest.raises(Exception, match="Datetime"):
            points.group_by("track_id").agg(st.duration_h("time"))
    per_track = points.group_by("track_id").agg(
        st.duration_h("time", time_unit="ms" if calendar != "standard" else None).alias("h"),
        pl.col("time").max().sub(pl.col("time").min()).alias("span"),
        st.max_speed_kmh("time", "lat", "lon", time_unit="ms" if calendar != "standard" else None).alias("v"),
    )
    span_h = per_track["span"].cast(pl.Int64) / 3.6e6 if calendar != "standard" else per_track["span"].dt.total_milliseconds() / 3.6e6
    assert (per_track["h"] - span_h).abs().max() < 1e-9
    assert per_track["v"].drop_nulls().min() >= 0
    with pytest.raises(ValueError, match="time_unit"):
        st.duration_h("time", time_unit="days")


def test_track_file_commands_take_the_calendar_of_text_files(tracked, tmp_path: Path):
    """compare, filter and metrics read a 360-day IMILAST file with --calendar; without it the
    file is refused in one line."""
    calendar, _, d = tracked
    if calendar != "360_day":
        pytest.skip("February 30 is a date of the 360-day calendar only")
    txt = str(d / "tracks.txt")
    p = cli("compare", txt, str(d / "tracks.trackjson"), "--json")
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0 and "calendar" in p.stderr
    p = run("compare", txt, str(d / "tracks.trackjson"), "--json", "--calendar", calendar)
    report = json.loads(p.stdout)
    assert report["match_count"] == report["reference_count"] == report["candidate_count"] > 1000
    assert report["topology_identical_count"] == report["match_count"]
    run("filter", txt, "-o", str(tmp_path / "kept.txt"), "--calendar", calendar)
    assert " 2002023018 " in (tmp_path / "kept.txt").read_text() or " 2002023000 " in (tmp_path / "kept.txt").read_text()
    run("metrics", txt, "-o", str(tmp_path / "m.parquet"), "--calendar", calendar)
    assert (tmp_path / "m.parquet").exists()
