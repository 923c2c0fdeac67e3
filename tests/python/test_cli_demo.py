"""The README's main job, run as a user would."""
import subprocess

from conftest import stormtrack_bin


def test_demo_prints_a_passing_score(tmp_path):
    p = subprocess.run([stormtrack_bin(), "demo", "-o", str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "score      PASS" in p.stdout
    for name in ("synthetic_msl.nc", "truth.trackjson", "tracks.txt", "tracks/_stormtrack.json"):
        assert (tmp_path / name).exists(), name


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    p = subprocess.run(
        [stormtrack_bin(), "track", "-i", str(tmp_path / "missing.nc"), "--variable", "msl", "-o", str(tmp_path / "o.txt")],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "does not exist" in p.stderr
    assert list(tmp_path.iterdir()) == []
