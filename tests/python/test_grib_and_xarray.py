"""GRIB (the core's own reader, and ecCodes through the Python package for what it does not
decode) and xarray objects for both trackers (docs/input.md#grib, docs/input.md#xarray).

The GRIB files are written here by ecCodes, ECMWF's own library, from the first 40 frames of
the ERA5 DJF file (24-bit packing, which holds these values exactly): GRIB 1 and GRIB 2 with
simple packing (read natively) and GRIB 2 with CCSDS packing (read through ecCodes). Every
route must give the output of the NetCDF file itself, byte for byte.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, cli, run

import stormtrack as st

N = 40
HODGES = dict(algorithm="hodges", lmin=5, lmax=42)


def write_grib(path: Path, source: Path, *, edition: int = 1, packing: str | None = None) -> Path:
    """The first N frames of `source` as GRIB written by ecCodes (24 bits per value)."""
    eccodes = pytest.importorskip("eccodes")
    with xr.open_dataset(source) as ds:
        da = ds["msl"].isel(valid_time=slice(0, N)).load()
    lat, lon = da.latitude.values, da.longitude.values
    with open(path, "wb") as f:
        for k, t in enumerate(da.valid_time.values.astype("datetime64[h]").astype(object)):
            h = eccodes.codes_grib_new_from_samples(f"regular_ll_sfc_grib{edition}")
            for key, value in [
                ("Ni", len(lon)), ("Nj", len(lat)),
                ("latitudeOfFirstGridPointInDegrees", float(lat[0])), ("latitudeOfLastGridPointInDegrees", float(lat[-1])),
                ("longitudeOfFirstGridPointInDegrees", float(lon[0])), ("longitudeOfLastGridPointInDegrees", float(lon[-1])),
                ("iDirectionIncrementInDegrees", 2.5), ("jDirectionIncrementInDegrees", 2.5), ("jScansPositively", 0),
                ("dataDate", int(t.strftime("%Y%m%d"))), ("dataTime", t.hour * 100), ("paramId", 151), ("bitsPerValue", 24),
            ]:
                eccodes.codes_set(h, key, value)
            eccodes.codes_set_values(h, da.values[k].astype(np.float64).ravel())
            if packing:
                eccodes.codes_set(h, "packingType", packing)
            eccodes.codes_write(h, f)
            eccodes.codes_release(h)
    return path


@pytest.fixture(scope="module")
def grib(djf_msl: Path, tmp_path_factory) -> Path:
    pytest.importorskip("cfgrib")
    return write_grib(tmp_path_factory.mktemp("grib") / "era5_msl.grib", djf_msl)


@pytest.fixture(scope="module")
def grib2(djf_msl: Path, tmp_path_factory) -> Path:
    return write_grib(tmp_path_factory.mktemp("grib2") / "era5_msl.grib2", djf_msl, edition=2)


@pytest.fixture(scope="module")
def ccsds(djf_msl: Path, tmp_path_factory) -> Path:
    """GRIB 2 with CCSDS packing: beyond the core's reader, read through ecCodes."""
    pytest.importorskip("cfgrib")
    return write_grib(tmp_path_factory.mktemp("ccsds") / "era5_msl_ccsds.grib2", djf_msl, edition=2, packing="grid_ccsds")


@pytest.fixture(scope="module")
def reference(djf_msl: Path, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("netcdf")
    run("track", "-i", str(djf_msl), "--variable", "msl", "-n", str(N), "-o", str(d / "simple.txt"), "--quiet")
    run("track", "-i", str(djf_msl), "--variable", "msl", "-n", str(N), "--algorithm", "hodges", "--lmin", "5", "--lmax", "42",
        "-o", str(d / "hodges.trackjson"), "--quiet")
    return d


def python_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The `stormtrack` command that pip installs (python -m stormtrack)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), *(env or {}).get("PYTHONPATH", "").split(os.pathsep)]).rstrip(os.pathsep)}
    return subprocess.run([sys.executable, "-m", "stormtrack", *args], capture_output=True, text=True, env=env)


def test_st_track_reads_grib(grib: Path, reference: Path, tmp_path: Path):
    st.track(grib, "msl", output=tmp_path / "simple.txt")
    assert (tmp_path / "simple.txt").read_bytes() == (reference / "simple.txt").read_bytes()
    st.track(str(grib), "msl", output=tmp_path / "hodges.trackjson", **HODGES)
    assert (tmp_path / "hodges.trackjson").read_bytes() == (reference / "hodges.trackjson").read_bytes()


def test_the_pip_command_reads_grib(grib: Path, reference: Path, tmp_path: Path):
    p = python_cli("track", "-i", str(grib), "--variable", "msl", "--engine", "cfgrib", "-o", str(tmp_path / "simple.txt"), "--quiet")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "simple.txt").read_bytes() == (reference / "simple.txt").read_bytes()


def test_grib2_and_the_rust_binary_read_grib_natively(grib: Path, grib2: Path, reference: Path, tmp_path: Path):
    from stormtrack._netcdf_copy import needs_eccodes

    assert not needs_eccodes(str(grib), "msl") and not needs_eccodes(str(grib2), "msl")
    for i, path in enumerate([grib, grib2]):
        p = cli("track", "-i", str(path), "--variable", "msl", "--engine", "cfgrib", "-o", str(tmp_path / f"simple{i}.txt"), "--quiet")
        assert p.returncode == 0, p.stderr
        assert (tmp_path / f"simple{i}.txt").read_bytes() == (reference / "simple.txt").read_bytes()
    p = cli("track", "-i", str(grib2), "--variable", "msl", "--algorithm", "hodges", "--lmin", "5", "--lmax", "42",
            "-o", str(tmp_path / "hodges.trackjson"), "--quiet")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "hodges.trackjson").read_bytes() == (reference / "hodges.trackjson").read_bytes()


def test_what_only_eccodes_decodes_goes_through_it(ccsds: Path, reference: Path, tmp_path: Path):
    from stormtrack._netcdf_copy import needs_eccodes

    assert needs_eccodes(str(ccsds), "msl")
    st.track(ccsds, "msl", output=tmp_path / "simple.txt")
    assert (tmp_path / "simple.txt").read_bytes() == (reference / "simple.txt").read_bytes()
    p = python_cli("track", "-i", str(ccsds), "--variable", "msl", "-o", str(tmp_path / "cli.txt"), "--quiet")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "cli.txt").read_bytes() == (reference / "simple.txt").read_bytes()


def test_without_the_grib_extra_one_line_says_what_to_install(ccsds: Path, tmp_path: Path):
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "cfgrib.py").write_text("raise ImportError('cfgrib is not installed')\n")
    p = python_cli("track", "-i", str(ccsds), "--variable", "msl", "-o", str(tmp_path / "o.txt"), env={"PYTHONPATH": str(blocker)})
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "pip install 'stormtrack[grib]'" in p.stderr, p.stderr
    assert not (tmp_path / "o.txt").exists()


def test_the_rust_binary_names_what_it_does_not_decode_and_the_way_to_read_it(ccsds: Path, tmp_path: Path):
    p = cli("track", "-i", str(ccsds), "--variable", "msl", "-o", str(tmp_path / "o.txt"))
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0
    assert "CCSDS packing" in p.stderr and "stormtrack[grib]" in p.stderr, p.stderr
    assert not (tmp_path / "o.txt").exists()


def test_a_bad_grib_file_is_one_line(tmp_path: Path):
    pytest.importorskip("cfgrib")
    bad = tmp_path / "bad.grib"
    bad.write_bytes(b"GRIB" + b"\0" * 100)
    with pytest.raises(st.StormtrackError, match="bad.grib"):
        st.track(bad, "msl")


@pytest.fixture(scope="module")
def dataset(djf_msl: Path):
    with xr.open_dataset(djf_msl) as ds:
        yield ds.isel(valid_time=slice(0, N)).load()


def test_hodges_on_an_xarray_dataset_equals_the_file(dataset, reference: Path, tmp_path: Path):
    st.track(dataset, "msl", output=tmp_path / "hodges.trackjson", **HODGES)
    assert (tmp_path / "hodges.trackjson").read_bytes() == (reference / "hodges.trackjson").read_bytes()


def test_any_dimension_order_and_dask_give_the_same(dataset, reference: Path, tmp_path: Path):
    pytest.importorskip("dask")
    da = dataset["msl"].transpose("longitude", "valid_time", "latitude").chunk({"valid_time": 7})
    st.track(da, output=tmp_path / "simple.txt")
    assert (tmp_path / "simple.txt").read_bytes() == (reference / "simple.txt").read_bytes()
    st.track(da, output=tmp_path / "hodges.trackjson", **HODGES)
    assert (tmp_path / "hodges.trackjson").read_bytes() == (reference / "hodges.trackjson").read_bytes()


def test_hodges_detection_of_a_dataarray_equals_the_file(dataset, djf_msl: Path):
    a = st.detect(dataset["msl"], algorithm="hodges", lmin=5, lmax=42)
    b = st.detect(djf_msl, "msl", algorithm="hodges", lmin=5, lmax=42, n_frames=N)
    assert a.height > 100 and a.equals(b)


def test_the_direct_ecCodes_path_gives_what_cfgrib_gives(grib: Path):
    from stormtrack._netcdf_copy import open_grib

    direct, via_cfgrib = open_grib(str(grib), "msl"), open_grib(str(grib), "msl", fast=False)
    assert direct.dtype == via_cfgrib.dtype and np.array_equal(direct.values, via_cfgrib.values)
    for c in ("time", "latitude", "longitude"):
        assert np.array_equal(direct[c].values, via_cfgrib[c].values), c
    assert direct.attrs["units"] == via_cfgrib.attrs["units"] == "Pa"
    assert direct.attrs["standard_name"] == via_cfgrib.attrs["standard_name"]


def test_descriptors_name_the_grib_file_and_the_xarray_object(grib: Path, dataset, tmp_path: Path):
    """Not the temporary NetCDF copy: the same input gives the same descriptor every run."""
    import json

    st.track(grib, "msl", output=tmp_path / "g")
    assert json.loads((tmp_path / "g" / "_stormtrack.json").read_text())["provenance"]["input"] == str(grib)
    st.track(dataset, "msl", output=tmp_path / "x1")
    st.track(dataset, "msl", output=tmp_path / "x2")
    a, b = ((tmp_path / d / "_stormtrack.json").read_text() for d in ("x1", "x2"))
    assert a == b and json.loads(a)["provenance"]["input"].startswith("xarray:msl")


def test_spectral_and_vorticity_read_grib_and_zarr_as_the_file(grib2: Path, djf_msl: Path, tmp_path: Path):
    """`spectral` takes every input `track` takes: a GRIB file and a Zarr store give the values of
    the NetCDF file (24-bit packing holds ERA5's values exactly)."""
    with xr.open_dataset(djf_msl) as ds:
        ds.isel(valid_time=slice(0, N)).to_zarr(tmp_path / "msl.zarr", zarr_format=3)
    outputs = {}
    for name, path in [("nc", djf_msl), ("grib", grib2), ("zarr", tmp_path / "msl.zarr")]:
        out = tmp_path / f"{name}.nc"
        p = cli("spectral", "-i", str(path), "--variable", "msl", "--lmin", "5", "--lmax", "42", "-n", "6", "--double", "-o", str(out), "--quiet")
        assert p.returncode == 0, p.stderr
        with xr.open_dataset(out) as ds:
            outputs[name] = ds["msl"].values
    assert outputs["nc"].shape == (6, 73, 144) and np.isfinite(outputs["nc"]).all()
    np.testing.assert_array_equal(outputs["grib"], outputs["nc"])
    np.testing.assert_array_equal(outputs["zarr"], outputs["nc"])


def test_a_reduced_gaussian_grib_file_tracks_from_python_as_its_cfgrib_array(tmp_path):
    """The octahedral O32 sample (ecCodes-written, tests/data/grib/make_gaussian.py): the file
    tracks from Python through the core's own reader (no ecCodes) as on the command line; the
    same field opened by cfgrib, a (time, values) array with latitude and longitude along
    ``values``, gives the same tracks and centres (read from a NetCDF copy), and so does a Zarr
    store of it; points that are not a reduced Gaussian grid are refused in one line."""
    sample = ROOT / "tests/data/grib/msl_o32.grib2"
    keywords = dict(algorithm="healpix", nside=32, object_threshold=100000.0)
    tracks = st.track(str(sample), "msl", **keywords)
    assert tracks["track_id"].n_unique() == 42
    pytest.importorskip("cfgrib")
    with xr.open_dataset(sample, engine="cfgrib", backend_kwargs={"indexpath": ""}) as ds:
        assert ds["msl"].dims == ("time", "values")
        assert st.track(ds, "msl", **keywords).equals(tracks)
        # the same points written by xarray as a Zarr store, read by the core
        store = tmp_path / "o32.zarr"
        ds[["msl"]].to_zarr(store, consolidated=True)
        assert st.track(str(store), "msl", **keywords).equals(tracks)
        assert st.detect(ds["msl"].isel(time=slice(0, 6))).equals(st.detect(str(sample), "msl", n_frames=6))
        mesh = ds["msl"].isel(time=slice(0, 2), values=slice(0, 300))
        with pytest.raises(st.StormtrackError, match="cannot be read as a reduced Gaussian grid.*global Gaussian grid"):
            st.track(mesh, "msl")