"""Many files as one time series (docs/input.md#many-files-as-one-series).

The ERA5 DJF file is split by xarray into one file per month, as ERA5 is delivered (each file
with its own time origin, as xarray encodes it). Tracking the files must give the output of the
whole file byte for byte, for both trackers, however the files are named; files that do not
continue each other are refused in one line naming the two files, with nothing written.
"""
import filecmp
from pathlib import Path

import pytest
import xarray as xr
from conftest import refused, run

MONTHS = (("2025-12", "dec"), ("2026-01", "jan"), ("2026-02", "feb"))


@pytest.fixture(scope="module")
def monthly(djf_msl: Path, tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("monthly")
    out = []
    with xr.open_dataset(djf_msl) as ds:
        for month, name in MONTHS:
            part = ds.sel(valid_time=month)
            path = d / f"era5_msl_{name}.nc"
            # each file its own origin: hours since its first time
            part.to_netcdf(path, encoding={"valid_time": {"units": f"hours since {month}-01", "dtype": "int32"}})
            out.append(path)
    return out


@pytest.fixture(scope="module")
def whole(djf_msl: Path, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("whole")
    run("track", "-i", str(djf_msl), "--variable", "msl", "-o", str(d / "simple.txt"), "-o", str(d / "simple"), "--quiet")
    run("track", "-i", str(djf_msl), "--variable", "msl", "--algorithm", "hodges", "--lmin", "5", "--lmax", "42",
        "-o", str(d / "hodges.trackjson"), "--quiet")
    return d


def same_dataset(a: Path, b: Path) -> bool:
    """The Parquet files of two datasets are byte-identical (the descriptors name their inputs)."""
    files = sorted(p.relative_to(a) for p in a.rglob("*.parquet"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.parquet")) and files
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)


@pytest.mark.parametrize("how", ["glob", "repeated", "one_flag_out_of_order"])
def test_simple_tracks_cross_file_boundaries_as_in_one_file(monthly: list[Path], whole: Path, tmp_path: Path, how: str):
    if how == "glob":
        inputs = ["-i", str(monthly[0].parent / "era5_msl_*.nc")]
    elif how == "repeated":
        inputs = [a for p in monthly for a in ("-i", str(p))]
    else:
        inputs = ["-i", *[str(p) for p in reversed(monthly)]]  # a shell glob in any order
    run("track", *inputs, "--variable", "msl", "-o", str(tmp_path / "simple.txt"), "-o", str(tmp_path / "simple"), "--quiet")
    assert (tmp_path / "simple.txt").read_bytes() == (whole / "simple.txt").read_bytes()
    assert same_dataset(tmp_path / "simple", whole / "simple")


def test_hodges_tracks_cross_file_boundaries_as_in_one_file(monthly: list[Path], whole: Path, tmp_path: Path):
    run("track", "-i", *map(str, monthly), "--variable", "msl", "--algorithm", "hodges", "--lmin", "5", "--lmax", "42",
        "-o", str(tmp_path / "hodges.trackjson"), "--quiet")
    assert (tmp_path / "hodges.trackjson").read_bytes() == (whole / "hodges.trackjson").read_bytes()


def test_python_takes_a_list_of_files(monthly: list[Path], whole: Path, tmp_path: Path):
    import stormtrack as st

    st.track([str(p) for p in monthly], "msl", output=tmp_path / "py.txt")
    assert (tmp_path / "py.txt").read_bytes() == (whole / "simple.txt").read_bytes()
    centers = st.detect(monthly, "msl", start="2025-12-31T18", end="2026-01-01T06")
    assert sorted(centers["frame"].unique().to_list()) == [123, 124, 125]


def test_a_gap_between_files_is_refused(monthly: list[Path], tmp_path: Path):
    dec, _, feb = monthly
    refused(tmp_path, dec, feb, words=(dec.name, feb.name, "gap", "6 h"))


def test_overlapping_files_are_refused(monthly: list[Path], djf_msl: Path, tmp_path: Path):
    refused(tmp_path, djf_msl, monthly[1], words=(djf_msl.name, monthly[1].name, "overlap"))


def test_files_on_different_grids_are_refused(monthly: list[Path], tmp_path: Path):
    coarse = tmp_path / "jan_coarse.nc"
    with xr.open_dataset(monthly[1]) as ds:
        ds.isel(latitude=slice(None, None, 2), longitude=slice(None, None, 2)).to_netcdf(coarse)
    refused(tmp_path, monthly[0], coarse, words=(monthly[0].name, coarse.name, "different grids"))


def test_a_glob_matching_nothing_is_refused(tmp_path: Path):
    refused(tmp_path, tmp_path / "era5_*.nc", words=("no file matches", "era5_*.nc"))


def test_a_file_given_twice_is_refused(monthly: list[Path], tmp_path: Path):
    refused(tmp_path, monthly[0], monthly[0], words=(monthly[0].name, "twice"))


def test_eulerian_metrics_of_monthly_files_equal_the_whole_file(monthly: list[Path], djf_msl: Path, tmp_path: Path):
    run("eulerian", "-i", str(djf_msl), "--variable", "msl", "-o", str(tmp_path / "whole.nc"))
    run("eulerian", "-i", *map(str, monthly), "--variable", "msl", "-o", str(tmp_path / "series.nc"))
    with xr.open_dataset(tmp_path / "whole.nc") as a, xr.open_dataset(tmp_path / "series.nc") as b:
        assert a["var_msl"].shape[0] == 3
        xr.testing.assert_identical(a["var_msl"], b["var_msl"])
    import stormtrack as st

    assert st.eulerian(monthly, variable="msl").equals(st.eulerian(djf_msl, variable="msl"))
