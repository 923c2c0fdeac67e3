import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def stormtrack_bin() -> str:
    b = os.environ.get("STORMTRACK_BIN")
    if b and Path(b).exists():
        return b
    for cand in (ROOT / "target/release/stormtrack", ROOT / "target/debug/stormtrack"):
        if cand.exists():
            return str(cand)
    found = shutil.which("stormtrack")
    if found:
        return found
    pytest.exit("stormtrack binary not found: build it (cargo build --release) or set STORMTRACK_BIN", returncode=2)


def run(*args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([stormtrack_bin(), *args], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    run("demo", "-o", str(d), "--quiet")
    return d


@pytest.fixture(scope="session")
def djf_dir(tmp_path_factory) -> Path:
    src = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip(f"{src} not available")
    d = tmp_path_factory.mktemp("djf")
    run("track", "-i", str(src), "--variable", "msl", "-o", str(d / "tracks"), "-o", str(d / "tracks.txt"), "--quiet")
    return d


DJF_MSL = SHARED / "data/era5/era5_msl_djf2526_2.5deg.nc"


@pytest.fixture(scope="session")
def djf_msl() -> Path:
    if not DJF_MSL.exists():
        pytest.skip(f"{DJF_MSL} not available")
    return DJF_MSL


def cli(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI and return the finished process, whatever its exit code."""
    return subprocess.run([stormtrack_bin(), *args], capture_output=True, text=True)


def refused(tmp_path: Path, *inputs: Path | str, words: tuple[str, ...], env: dict | None = None) -> None:
    """`track` of `inputs` exits 2 with one line holding every one of `words`, writing nothing."""
    out = tmp_path / "out.txt"
    p = subprocess.run([stormtrack_bin(), "track", "-i", *map(str, inputs), "--variable", "msl", "-o", str(out)],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 2, p.stderr
    line = p.stderr.strip()
    assert "\n" not in line and "panicked" not in line, line
    for w in words:
        assert w in line, line
    assert not out.exists()


def reference_maker(name: str):
    """A ``make_*.py`` script of tests/data/reference as a module (its helpers run without the
    peer; the peer is imported only inside their ``main``), registered under its name so that
    dataclasses and pickles in it resolve."""
    import importlib.util
    import sys

    path = ROOT / "tests" / "data" / "reference" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
