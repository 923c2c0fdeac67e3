"""The README's Python and SQL examples, run as written (with the ERA5 DJF file for
`era5_msl.nc`)."""

import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT, stormtrack_bin


def blocks(lang: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_python_example_runs(djf_msl, tmp_path):
    (code,) = blocks("python")
    code = code.replace('"era5_msl.nc"', repr(str(djf_msl)))
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "python")})
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "tracks/track_points").is_dir()
    assert "tracks" in p.stdout  # the SQL result table


def test_sql_example_runs(djf_msl, tmp_path):
    sh = [b for b in blocks("sh") if "lifetime_per_hemisphere" in b][0]
    shutil.copytree(ROOT / "sql", tmp_path / "sql", ignore=shutil.ignore_patterns("data", "runner", "test", "Cargo.toml"))
    for line in sh.strip().splitlines():
        args = line.split()[1:]
        args = [str(djf_msl) if a.endswith("era5_msl_djf2526_2.5deg.nc") else a for a in args]
        p = subprocess.run([stormtrack_bin(), *args], cwd=tmp_path, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    assert "north" in p.stdout and "south" in p.stdout
