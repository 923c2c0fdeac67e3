"""Zarr stores read natively (docs/input.md#zarr-stores).

Stores are written in the test by xarray and zarr-python (Zarr v2 and v3, consolidated or not,
blosc/zstd/zlib/gzip, sharded, packed int16), from the ERA5 DJF file; each must give the output
of the NetCDF file byte for byte. Remote stores are served by servers the tests start on the
loopback interface (Python's http.server, moto for S3) and stop. Bad stores (a missing chunk, a
codec we do not decode, an unreachable URL, denied access) exit 2 with one line, nothing written.
"""
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import xarray as xr
from conftest import cli, refused, run, stormtrack_bin

zarr = pytest.importorskip("zarr", reason="zarr-python is needed to write the test stores (pip install zarr)")
import numcodecs  # noqa: E402  (comes with zarr)

HODGES = ("--algorithm", "hodges", "--lmin", "5", "--lmax", "42")


@pytest.fixture(scope="module")
def stores(djf_msl: Path, tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("zarr")
    out = {}
    with xr.open_dataset(djf_msl) as ds:
        ds = ds.load()
        # xarray's defaults: v2 blosc-lz4, v3 zstd, chunks of 90 steps and part of the grid
        ds.to_zarr(out.setdefault("v2", d / "v2.zarr"), zarr_format=2, consolidated=True)
        ds.to_zarr(out.setdefault("v3", d / "v3.zarr"), zarr_format=3, consolidated=True)
        # v2 zlib, one step per chunk, no consolidated metadata
        ds.to_zarr(out.setdefault("v2_zlib", d / "v2_zlib.zarr"), zarr_format=2, consolidated=False,
                   encoding={"msl": {"compressors": [numcodecs.Zlib(level=4)], "chunks": (1, 73, 144)}})
        # v3 gzip in shards of 30 steps of chunks of one step
        ds.to_zarr(out.setdefault("v3_sharded", d / "v3_sharded.zarr"), zarr_format=3, consolidated=True,
                   encoding={"msl": {"compressors": [zarr.codecs.GzipCodec()], "chunks": (1, 73, 144), "shards": (30, 73, 144)}})
    return out


@pytest.fixture(scope="module")
def expected(djf_msl: Path, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("expected")
    run("track", "-i", str(djf_msl), "--variable", "msl", "-o", str(d / "simple.txt"), "--quiet")
    run("track", "-i", str(djf_msl), "--variable", "msl", *HODGES, "-o", str(d / "hodges.trackjson"), "--quiet")
    return d


@pytest.mark.parametrize("name", ["v2", "v3", "v2_zlib", "v3_sharded"])
def test_a_store_tracks_as_its_netcdf_file(stores: dict[str, Path], expected: Path, tmp_path: Path, name: str):
    run("track", "-i", str(stores[name]), "--variable", "msl", "-o", str(tmp_path / "simple.txt"), "--quiet")
    assert (tmp_path / "simple.txt").read_bytes() == (expected / "simple.txt").read_bytes()


@pytest.mark.parametrize("name", ["v2", "v3"])
def test_hodges_reads_stores(stores: dict[str, Path], expected: Path, tmp_path: Path, name: str):
    run("track", "-i", str(stores[name]), "--variable", "msl", *HODGES, "-o", str(tmp_path / "h.trackjson"), "--quiet")
    assert (tmp_path / "h.trackjson").read_bytes() == (expected / "hodges.trackjson").read_bytes()


def test_packed_int16_stores_unpack_as_netcdf(djf_msl: Path, tmp_path: Path):
    """ERA5 as the CDS packs it: int16 with scale_factor, add_offset and _FillValue."""
    enc = {"msl": {"dtype": "int16", "scale_factor": 0.5, "add_offset": 100000.0, "_FillValue": -32767}}
    with xr.open_dataset(djf_msl) as ds:
        ds = ds.load()
        ds["msl"][0, 0, :5] = float("nan")  # some missing values
        ds.to_netcdf(tmp_path / "packed.nc", encoding=enc)
        ds.to_zarr(tmp_path / "packed2.zarr", zarr_format=2, encoding=enc)
        ds.to_zarr(tmp_path / "packed3.zarr", zarr_format=3, encoding=enc)
    run("track", "-i", str(tmp_path / "packed.nc"), "--variable", "msl", "-o", str(tmp_path / "nc.txt"), "--quiet")
    for z in ("packed2.zarr", "packed3.zarr"):
        run("track", "-i", str(tmp_path / z), "--variable", "msl", "-o", str(tmp_path / f"{z}.txt"), "--quiet")
        assert (tmp_path / f"{z}.txt").read_bytes() == (tmp_path / "nc.txt").read_bytes(), z


def test_python_reads_a_store_and_a_series_of_stores(djf_msl: Path, stores: dict[str, Path], expected: Path, tmp_path: Path):
    import stormtrack as st

    st.track(str(stores["v3"]), "msl", output=tmp_path / "py.txt")
    assert (tmp_path / "py.txt").read_bytes() == (expected / "simple.txt").read_bytes()
    with xr.open_dataset(djf_msl) as ds:
        ds.sel(valid_time="2025-12").to_zarr(tmp_path / "dec.zarr", zarr_format=3)
        ds.sel(valid_time=slice("2026-01", "2026-02")).to_zarr(tmp_path / "janfeb.zarr", zarr_format=2)
    st.track([str(tmp_path / "janfeb.zarr"), str(tmp_path / "dec.zarr")], "msl", output=tmp_path / "series.txt")
    assert (tmp_path / "series.txt").read_bytes() == (expected / "simple.txt").read_bytes()


def test_sampling_a_store_along_tracks_equals_sampling_the_file(djf_msl: Path, stores: dict[str, Path], expected: Path, tmp_path: Path):
    tracks = str(expected / "hodges.trackjson")
    run("sample", tracks, "-i", str(djf_msl), "--variable", "msl", "-o", str(tmp_path / "nc.trackjson"))
    run("sample", tracks, "-i", str(stores["v3"]), "--variable", "msl", "-o", str(tmp_path / "zarr.trackjson"))
    assert (tmp_path / "zarr.trackjson").read_bytes() == (tmp_path / "nc.trackjson").read_bytes()


def test_a_missing_chunk_is_an_error_not_a_fill_value(stores: dict[str, Path], tmp_path: Path):
    broken = tmp_path / "broken.zarr"
    shutil.copytree(stores["v2_zlib"], broken)
    (broken / "msl" / "200.0.0").unlink()
    refused(tmp_path, str(broken), words=("chunk 'msl/200.0.0'", "missing", "frame 200"))


def test_a_codec_we_do_not_decode_is_named(djf_msl: Path, tmp_path: Path):
    with xr.open_dataset(djf_msl) as ds:
        ds.to_zarr(tmp_path / "bz2.zarr", zarr_format=2, encoding={"msl": {"compressors": [numcodecs.BZ2()]}})
    refused(tmp_path, str(tmp_path / "bz2.zarr"), words=("'msl' cannot be decoded", "bz2"))


def test_not_a_store_and_unknown_variables_are_named(stores: dict[str, Path], tmp_path: Path):
    (tmp_path / "empty.zarr").mkdir()
    refused(tmp_path, str(tmp_path / "empty.zarr"), words=("is not a Zarr store",))
    p = cli("track", "-i", str(stores["v2_zlib"]), "--variable", "tp", "-o", str(tmp_path / "o.txt"))
    assert p.returncode == 2 and "variable 'tp' not found" in p.stderr and "msl" in p.stderr, p.stderr


# ---- HTTP ----------------------------------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_root(stores: dict[str, Path]):
    root = stores["v2"].parent
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: QuietHandler(*a, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", ["v2", "v3_sharded"])
def test_a_store_over_http_tracks_as_the_file(http_root: str, expected: Path, tmp_path: Path, name: str):
    run("track", "-i", f"{http_root}/{name}.zarr", "--variable", "msl", "-o", str(tmp_path / "http.txt"), "--quiet")
    assert (tmp_path / "http.txt").read_bytes() == (expected / "simple.txt").read_bytes()


def test_python_reads_a_store_over_http(http_root: str, expected: Path, tmp_path: Path):
    import stormtrack as st

    st.track(f"{http_root}/v3.zarr", "msl", output=tmp_path / "py.txt")
    assert (tmp_path / "py.txt").read_bytes() == (expected / "simple.txt").read_bytes()
    with pytest.raises(st.StormtrackError, match="cannot reach"):
        st.detect("http://127.0.0.1:9/era5.zarr", "msl")


def test_an_unreachable_url_fails_in_one_line(tmp_path: Path):
    # the port stays bound but never listens: connections are refused, and no server another
    # test starts meanwhile can take it
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        t0 = time.monotonic()
        refused(tmp_path, f"http://127.0.0.1:{port}/era5.zarr", words=("cannot reach", f"127.0.0.1:{port}"))
        assert time.monotonic() - t0 < 60


def test_a_missing_store_over_http_is_named(http_root: str, tmp_path: Path):
    refused(tmp_path, f"{http_root}/nothere.zarr", words=("is not a Zarr store",))


# ---- S3 (moto) -----------------------------------------------------------------------------

def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_moto(extra_env: dict | None = None) -> tuple[subprocess.Popen, str]:
    pytest.importorskip("moto.server", reason="moto[server] is needed for the S3 tests (pip install 'moto[server]')")
    port = free_port()
    env = dict(os.environ, **(extra_env or {}))
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.skip("moto server did not start")


def upload(endpoint: str, store: Path, bucket: str, prefix: str) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                      region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    for f in store.rglob("*"):
        if f.is_file():  # public-read: a public bucket, as ERA5 and CMIP6 are on the clouds
            s3.upload_file(str(f), bucket, f"{prefix}/{f.relative_to(store).as_posix()}", ExtraArgs={"ACL": "public-read"})


def s3_env(endpoint: str, **creds: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=endpoint, **creds)
    return env


@pytest.fixture(scope="module")
def s3(stores: dict[str, Path]):
    proc, endpoint = start_moto()
    try:
        upload(endpoint, stores["v3"], "era5", "djf/v3.zarr")
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("creds", [{"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}, {}],
                         ids=["credentials", "anonymous"])
def test_a_store_on_s3_tracks_as_the_file(s3: str, expected: Path, tmp_path: Path, creds: dict):
    out = tmp_path / "s3.txt"
    p = subprocess.run([stormtrack_bin(), "track", "-i", "s3://era5/djf/v3.zarr", "--variable", "msl", "-o", str(out), "--quiet"],
                       capture_output=True, text=True, env=s3_env(s3, **creds))
    assert p.returncode == 0, p.stderr
    assert out.read_bytes() == (expected / "simple.txt").read_bytes()


def test_denied_s3_access_fails_in_one_line(tmp_path: Path):
    proc, endpoint = start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "0"})  # moto checks credentials from the start
    try:
        env = s3_env(endpoint, AWS_ACCESS_KEY_ID="unknown", AWS_SECRET_ACCESS_KEY="wrong")
        refused(tmp_path, "s3://era5/djf/v3.zarr", words=("access to s3://era5/djf/v3.zarr was denied", "AWS_ACCESS_KEY_ID"), env=env)
    finally:
        proc.terminate()
        proc.wait(10)
