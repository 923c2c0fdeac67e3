"""Dask-distributed runs (docs/distributed.md) against a real `distributed.LocalCluster` with
two worker processes, started and stopped here on the loopback interface: the same outputs,
byte for byte, as one process, for both trackers, files and dask-backed xarray input, the
Python API and the pip-installed command; a worker's failure is one line and writes nothing;
a worker that dies has its task retried."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import stormtrack as st

distributed = pytest.importorskip("distributed")
xr = pytest.importorskip("xarray")

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "era5"
MSL = DATA / "era5_msl_djf2526_2.5deg.nc"
VO = DATA / "era5_vo850_djf2526_2.5deg.nc"
REPO = Path(__file__).resolve().parents[2]
GRIB_SAMPLES = REPO / "tests" / "data" / "grib"

pytestmark = pytest.mark.skipif(not MSL.exists() or not VO.exists(), reason="the shared ERA5 DJF files are not beside the checkout")


@pytest.fixture(scope="module")
def client():
    try:
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    except Exception as e:  # no sockets or processes in this sandbox
        pytest.skip(f"a Dask LocalCluster cannot start here: {e}")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def tree(path: Path) -> dict[str, bytes]:
    """Every file of an output (a dataset directory or one file) with its bytes; links as
    their targets."""
    if path.is_file():
        return {path.name: path.read_bytes()}
    out = {}
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            p = Path(root, name)
            rel = str(p.relative_to(path))
            if p.is_symlink():
                out[rel] = b"-> " + os.readlink(p).encode()
            elif p.is_file() and name != ".lock":
                out[rel] = p.read_bytes()
    return out


def outputs(dirpath: Path) -> list[Path]:
    dirpath.mkdir(exist_ok=True)
    return [dirpath / "ds", dirpath / "t.txt", dirpath / "t.tdump", dirpath / "t.trackjson"]


def assert_same_outputs(a: Path, b: Path) -> None:
    for x, y in zip(outputs(a), outputs(b)):
        tx, ty = tree(x), tree(y)
        assert tx.keys() == ty.keys(), x
        for k in tx:
            assert tx[k] == ty[k], f"{x}/{k} differs"


def month_files(tmp_path: Path) -> list[str]:
    """The DJF season as three monthly files, written by xarray."""
    ds = xr.open_dataset(MSL)
    paths = []
    for month, (a, b) in {"dec": ("2025-12", "2025-12"), "jan": ("2026-01", "2026-01"), "feb": ("2026-02", "2026-02")}.items():
        p = tmp_path / f"msl_{month}.nc"
        ds.sel(valid_time=slice(a, b)).to_netcdf(p)
        paths.append(str(p))
    return paths


def test_simple_file_series_is_byte_identical(client, tmp_path):
    files = month_files(tmp_path)
    done = []
    st.track(files, "msl", output=outputs(tmp_path / "one"), client=False)
    dist = st.track(files, "msl", output=outputs(tmp_path / "dask"), client=client, progress=lambda d, t: done.append((d, t)))
    assert_same_outputs(tmp_path / "one", tmp_path / "dask")
    assert len(dist) > 10_000
    # progress counts the frames of the blocks as the workers finish them
    assert done[-1] == (360, 360) and all(x[0] <= y[0] for x, y in zip(done, done[1:]))


def test_active_client_is_used_and_client_false_stays_local(client, tmp_path):
    # the module's client is the active one: no client= needed
    st.track(str(MSL), "msl", output=tmp_path / "a", n_frames=40)
    st.track(str(MSL), "msl", output=tmp_path / "b", n_frames=40, client=False)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_hodges_file_is_byte_identical(client, tmp_path):
    opts = dict(algorithm="hodges", lmin=5, lmax=42, n_frames=120)
    st.track(str(VO), "vo", output=outputs(tmp_path / "one"), client=False, **opts)
    st.track(str(VO), "vo", output=outputs(tmp_path / "dask"), client=client, **opts)
    assert_same_outputs(tmp_path / "one", tmp_path / "dask")


def test_spherical_bspline_is_byte_identical(client, tmp_path):
    # the spline on the sphere and its search, frame by frame on the workers
    opts = dict(algorithm="hodges", object_threshold=100000, refinement="spherical_bspline", n_frames=60)
    tracks = st.track(str(MSL), "msl", output=outputs(tmp_path / "one"), client=False, **opts)
    st.track(str(MSL), "msl", output=outputs(tmp_path / "dask"), client=client, **opts)
    assert_same_outputs(tmp_path / "one", tmp_path / "dask")
    assert tracks["track_id"].n_unique() == 224  # the peer's count (tests/grids.rs)


@pytest.mark.parametrize("algorithm", ["simple", "hodges"])
def test_dask_backed_xarray_is_byte_identical(client, tmp_path, algorithm):
    variable, path = ("msl", MSL) if algorithm == "simple" else ("vo", VO)
    opts = dict(algorithm=algorithm) if algorithm == "simple" else dict(algorithm="hodges", lmin=5, lmax=42)
    ds = xr.open_dataset(path, chunks={"valid_time": 30}).isel(valid_time=slice(0, 120))
    st.track(ds, variable, output=outputs(tmp_path / "one"), client=False, **opts)
    st.track(ds, variable, output=outputs(tmp_path / "dask"), client=client, **opts)
    assert_same_outputs(tmp_path / "one", tmp_path / "dask")
    # the descriptor names the xarray object, not a temporary copy
    assert "xarray:" in (tmp_path / "dask" / "ds" / "_stormtrack.json").read_text()


def test_numpy_backed_xarray_is_chunked_for_the_workers(client, tmp_path):
    da = xr.open_dataset(MSL)["msl"].isel(valid_time=slice(0, 60)).load()
    a = st.track(da, output=tmp_path / "a", client=client)
    b = st.track(da, output=tmp_path / "b", client=False)
    assert a.equals(b) and tree(tmp_path / "a") == tree(tmp_path / "b")


@pytest.mark.parametrize("algorithm", ["simple", "hodges"])
def test_detect_gathers_the_same_centres(client, algorithm):
    variable, path = ("msl", MSL) if algorithm == "simple" else ("vo", VO)
    a = st.detect(str(path), variable, algorithm=algorithm, n_frames=80, client=client)
    b = st.detect(str(path), variable, algorithm=algorithm, n_frames=80, client=False)
    assert a.equals(b) and len(a) > 1000
    ds = xr.open_dataset(path, chunks={"valid_time": 20}).isel(valid_time=slice(0, 80))
    c = st.detect(ds, variable, client=client)
    d = st.detect(ds, variable, client=False)
    assert c.equals(d)


def test_pip_command_with_dask_scheduler_matches_the_binary(client, tmp_path):
    address = client.scheduler.address
    binary = os.environ.get("STORMTRACK_BIN")
    base = ["track", "-i", str(MSL), "--variable", "msl", "-n", "80", "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "python"))
    r = subprocess.run([sys.executable, "-m", "stormtrack", *base, "-o", str(tmp_path / "dask"), "--dask-scheduler", address], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    one = [binary] if binary else [sys.executable, "-m", "stormtrack"]
    r = subprocess.run([*one, *base, "-o", str(tmp_path / "one")], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert tree(tmp_path / "dask") == tree(tmp_path / "one")


def test_binary_refuses_dask_scheduler_in_one_line(tmp_path):
    binary = os.environ.get("STORMTRACK_BIN")
    if not binary:
        pytest.skip("STORMTRACK_BIN is not set")
    r = subprocess.run([binary, "track", "-i", str(MSL), "--variable", "msl", "-o", str(tmp_path / "x"), "--dask-scheduler", "tcp://127.0.0.1:1"], capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--dask-scheduler" in r.stderr and "pip install" in r.stderr
    assert not (tmp_path / "x").exists()


def test_unreachable_scheduler_is_one_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO / "python"), DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="3s")
    r = subprocess.run(
        [sys.executable, "-m", "stormtrack", "track", "-i", str(MSL), "--variable", "msl", "-o", str(tmp_path / "x"), "--dask-scheduler", "tcp://127.0.0.1:9"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Dask scheduler" in r.stderr and not (tmp_path / "x").exists()


def test_a_failing_worker_task_is_one_line_and_writes_nothing(client, tmp_path, monkeypatch):
    from stormtrack import _distributed

    path = tmp_path / "msl.nc"
    path.write_bytes(MSL.read_bytes())
    plan = _distributed.block_frames

    def remove_then_plan(n, c):
        # the client has read the header; the workers will not find the file
        path.unlink()
        return plan(n, c)

    monkeypatch.setattr(_distributed, "block_frames", remove_then_plan)
    with pytest.raises(st.StormtrackError) as e:
        st.track(str(path), "msl", output=tmp_path / "out", client=client)
    message = str(e.value)
    assert "on a Dask worker" in message and "msl.nc" in message and "\n" not in message
    assert not (tmp_path / "out").exists()


def test_a_worker_that_dies_has_its_task_retried(client, tmp_path, monkeypatch):
    from stormtrack import _distributed

    plan = _distributed.block_frames

    def kill_one_worker_then_plan(n, c):
        pids = c.run(os.getpid)
        os.kill(pids[sorted(pids)[0]], signal.SIGKILL)
        return plan(n, c)

    st.track(str(MSL), "msl", output=tmp_path / "one", client=False)
    monkeypatch.setattr(_distributed, "block_frames", kill_one_worker_then_plan)
    st.track(str(MSL), "msl", output=tmp_path / "dask", client=client)
    assert tree(tmp_path / "one") == tree(tmp_path / "dask")
    client.wait_for_workers(2, timeout=60)


def test_bad_client_and_stream_are_refused(client):
    with pytest.raises(TypeError, match="distributed.Client"):
        st.track(str(MSL), "msl", client="tcp://127.0.0.1:8786")
    with pytest.raises(st.StormtrackError, match="stream=True"):
        st.detect(str(MSL), "msl", stream=True, client=client)
    with pytest.raises(st.StormtrackError, match="needs ecCodes"):
        st.track([str(GRIB_SAMPLES / "msl_grib2_ccsds.grib2")], "msl", client=client)
    # the workers compute the tracked variable only: another one's closed contours stay here
    xr = pytest.importorskip("xarray")
    with xr.open_dataset(MSL) as ds:
        two = ds.isel({next(iter(ds["msl"].dims)): slice(0, 2)}).load()
    two = two.assign(pres=two["msl"] / 100.0)
    for run in (st.track, st.detect):
        with pytest.raises(st.StormtrackError, match="client=False"):
            run(two, "msl", closed_contours=["pres,2,5.5,0"], client=client)


def test_grib_the_core_reads_is_read_on_the_workers(client, tmp_path):
    sample = str(GRIB_SAMPLES / "msl_grib1.grib")
    local = st.detect(sample, "msl", window=3, threshold=0, client=False)
    assert local.height == 5 and st.detect(sample, "msl", window=3, threshold=0, client=client).equals(local)
