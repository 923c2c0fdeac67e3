"""Dataset writes are atomic (issue #13, item 4): a process killed with SIGKILL at random
moments leaves the dataset as it was before or after, never a mix; readers see one snapshot
while a writer switches generations; a second writer is refused by the lock."""

import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import polars as pl
import pytest

import stormtrack as st
from conftest import cli, run, stormtrack_bin

KILL_RUNS = 50
# two states that differ in every table: the default link distance and a shorter one
STATE_OPTIONS = {"a": [], "b": ["--max-link-km", "400"]}


def track_args(src: Path, out: Path, state: str) -> list[str]:
    return ["track", "-i", str(src), "--variable", "msl", "-o", str(out), "--quiet", *STATE_OPTIONS[state]]


def contents(ds: Path) -> tuple:
    """Every table and the descriptor's counts of a dataset, read as one snapshot."""
    snap = Path(st._core.dataset_snapshot(str(ds)))
    desc = json.loads((snap / "_stormtrack.json").read_text())
    frames = (st.scan_tracks(snap, t).collect() for t in ("centers", "track_points", "tracks"))
    tables = tuple(f.sort(f.columns) for f in frames)
    return desc["n_tracks"], desc["n_points"], tables


def same(x: tuple, y: tuple) -> bool:
    return x[0] == y[0] and x[1] == y[1] and all(a.equals(b) for a, b in zip(x[2], y[2]))


@pytest.fixture(scope="module")
def states(djf_msl, tmp_path_factory):
    d = tmp_path_factory.mktemp("states")
    out = {}
    for s in STATE_OPTIONS:
        run(*track_args(djf_msl, d / s, s))
        out[s] = contents(d / s)
    assert out["a"][0] != out["b"][0]
    return out


def which(ds: Path, states: dict) -> str:
    now = contents(ds)
    found = [s for s, c in states.items() if same(now, c)]
    assert found, f"dataset at {ds} is neither state: n_tracks={now[0]} n_points={now[1]}"
    return found[0]


def test_sigkill_during_writes_leaves_the_state_before_or_after(djf_msl, states, tmp_path):
    ds = tmp_path / "ds"
    run(*track_args(djf_msl, ds, "a"))
    # how long a run takes here, to spread the kills over all of it (reading, linking, writing)
    t0 = time.monotonic()
    run(*track_args(djf_msl, tmp_path / "timing", "a"))
    span = (time.monotonic() - t0) * 1.2
    rng = random.Random(13)
    current, killed_mid_run, outcomes = "a", 0, {"before": 0, "after": 0}
    for k in range(KILL_RUNS):
        target = "b" if current == "a" else "a"
        p = subprocess.Popen([stormtrack_bin(), *track_args(djf_msl, ds, target)], stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, span))
        if p.poll() is None:
            killed_mid_run += 1
        p.send_signal(signal.SIGKILL)
        p.wait()
        now = which(ds, states)
        outcomes["after" if now == target else "before"] += 1
        current = now
        gens = os.listdir(ds / ".generations")
        assert len(gens) <= 3, gens  # the current, the previous, at most one unfinished
    # the kills really landed inside runs, and both outcomes happened
    assert killed_mid_run >= KILL_RUNS // 2, killed_mid_run
    assert outcomes["before"] > 0 and outcomes["after"] > 0, outcomes
    # a killed writer never blocks the next one (the lock dies with its process)
    run(*track_args(djf_msl, ds, "a"))
    assert which(ds, states) == "a"


def test_readers_see_one_snapshot_while_a_writer_switches(djf_msl, states, tmp_path):
    ds = tmp_path / "ds"
    run(*track_args(djf_msl, ds, "a"))
    stop, seen, errors = threading.Event(), [], []

    def reader():
        while not stop.is_set():
            try:
                seen.append(which(ds, states))
            except Exception as e:  # noqa: BLE001 - every failure is reported below
                errors.append(repr(e))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for k in range(6):
        run(*track_args(djf_msl, ds, "b" if k % 2 == 0 else "a"))
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert set(seen) == {"a", "b"}, set(seen)


def test_a_second_writer_is_refused_by_the_lock(djf_msl, states, tmp_path):
    ds = tmp_path / "ds"
    run(*track_args(djf_msl, ds, "a"))
    with open(ds / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        p = cli(*track_args(djf_msl, ds, "b"))
    assert p.returncode == 2, p.stderr
    line = p.stderr.strip()
    assert "\n" not in line and "another process is writing" in line, line
    assert which(ds, states) == "a"
    assert len(os.listdir(ds / ".generations")) == 1


def test_a_dataset_written_before_generations_is_replaced(djf_msl, states, tmp_path):
    """A dataset of the earlier layout (plain directories) is taken over by the next write."""
    ds = tmp_path / "ds"
    run(*track_args(djf_msl, tmp_path / "new", "a"))
    shutil.copytree(Path(st._core.dataset_snapshot(str(tmp_path / "new"))), ds)
    assert not (ds / ".current").exists() and which(ds, states) == "a"
    run(*track_args(djf_msl, ds, "b"))
    assert (ds / ".current").is_symlink() and which(ds, states) == "b"


def test_a_copy_with_cp_reads_the_same(djf_msl, states, tmp_path):
    """The links are relative: `cp -r` of a dataset keeps it readable."""
    ds = tmp_path / "ds"
    run(*track_args(djf_msl, ds, "b"))
    subprocess.run(["cp", "-r", str(ds), str(tmp_path / "copy")], check=True)
    shutil.rmtree(ds)
    assert which(tmp_path / "copy", states) == "b"
