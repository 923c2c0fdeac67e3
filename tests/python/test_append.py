"""Incremental datasets (issue #13, item 3): tracking December, then January, then February
with ``--append`` gives the dataset of the season tracked in one run, rewriting only the
partitions it touches; bad appends are one-line errors that leave the dataset as it was."""

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest

import stormtrack as st
from conftest import cli, run, stormtrack_bin

MONTHS = {"dec": ("2025-12-01", "2025-12-31"), "jan": ("2026-01-01", "2026-01-31"), "feb": ("2026-02-01", "2026-02-28")}


@pytest.fixture(scope="module")
def months(djf_msl, tmp_path_factory) -> dict[str, Path]:
    """The season split into monthly files by xarray (another producer's encoding)."""
    xr = pytest.importorskip("xarray")
    d = tmp_path_factory.mktemp("months")
    ds = xr.open_dataset(djf_msl)
    time_dim = "valid_time" if "valid_time" in ds.dims else "time"
    out = {}
    for name, (a, b) in MONTHS.items():
        out[name] = d / f"era5_msl_{name}.nc"
        ds.sel({time_dim: slice(a, b)}).to_netcdf(out[name])
    return out


@pytest.fixture(scope="module")
def season(djf_msl, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("season") / "tracks"
    run("track", "-i", str(djf_msl), "--variable", "msl", "-o", str(d), "--quiet")
    return d


def tables(ds: Path) -> list[pl.DataFrame]:
    out = []
    for t in ("centers", "track_points", "tracks"):
        f = st.scan_tracks(ds, t).collect()
        out.append(f.sort(f.columns))
    return out


def assert_same_dataset(a: Path, b: Path) -> None:
    for x, y in zip(tables(a), tables(b)):
        assert x.shape == y.shape and x.equals(y)


def append(src: Path, ds: Path, *extra: str) -> subprocess.CompletedProcess:
    return cli("track", "-i", str(src), "--variable", "msl", "--append", str(ds), "--quiet", *extra)


def test_monthly_appends_equal_the_season_in_one_run(months, season, tmp_path):
    ds = tmp_path / "tracks"
    run("track", "-i", str(months["dec"]), "--variable", "msl", "-o", str(ds), "--quiet")
    for m in ("jan", "feb"):
        p = append(months[m], ds)
        assert p.returncode == 0, p.stderr
    assert_same_dataset(ds, season)
    # the descriptor counts the whole season and remembers every input
    desc = st._core.dataset_snapshot(str(ds))
    import json

    d = json.loads((Path(desc) / "_stormtrack.json").read_text())
    s = json.loads((Path(st._core.dataset_snapshot(str(season))) / "_stormtrack.json").read_text())
    assert (d["n_tracks"], d["n_points"]) == (s["n_tracks"], s["n_points"])
    assert d["link_state"] == s["link_state"]
    assert [Path(p).name for p in d["provenance"]["input"]] == [f"era5_msl_{m}.nc" for m in MONTHS]


def test_filtered_simple_appends_equal_the_season_in_one_run(months, djf_msl, tmp_path):
    """The band-pass filter works frame by frame: appending T5-42 filtered months gives the
    filtered season; a different band is refused."""
    band = ("--lmin", "5", "--lmax", "42")
    season = tmp_path / "season"
    run("track", "-i", str(djf_msl), "--variable", "msl", *band, "-o", str(season), "--quiet")
    ds = tmp_path / "tracks"
    run("track", "-i", str(months["dec"]), "--variable", "msl", *band, "-o", str(ds), "--quiet")
    one_line_refusal(append(months["jan"], ds, "--lmin", "5", "--lmax", "40"), "lmax", "same options")
    one_line_refusal(append(months["jan"], ds), "lmin", "same options")
    for m in ("jan", "feb"):
        p = append(months[m], ds, *band)
        assert p.returncode == 0, p.stderr
    assert_same_dataset(ds, season)


def test_append_from_python_and_only_touched_partitions_are_new(months, season, tmp_path):
    ds = tmp_path / "tracks"
    st.track(months["dec"], "msl", output=ds)
    st.track(months["jan"], "msl", append=ds)
    before = Path(st._core.dataset_snapshot(str(ds)))
    st.track(months["feb"], "msl", append=ds)
    after = Path(st._core.dataset_snapshot(str(ds)))
    assert before != after
    assert_same_dataset(ds, season)
    part = lambda g, table, y, m: g / table / f"year={y}" / f"month={m}" / "part-0.parquet"  # noqa: E731
    # December and January points and centres are untouched by February: the same files
    for table in ("centers", "track_points"):
        for y, m in ((2025, 12), (2026, 1)):
            assert os.stat(part(before, table, y, m)).st_ino == os.stat(part(after, table, y, m)).st_ino
    # February is new, and the summaries of tracks that started in January and went on changed
    assert not part(before, "track_points", 2026, 2).exists()
    assert os.stat(part(before, "tracks", 2026, 1)).st_ino != os.stat(part(after, "tracks", 2026, 1)).st_ino


def one_line_refusal(p: subprocess.CompletedProcess, *words: str) -> None:
    assert p.returncode == 2, p.stderr
    line = p.stderr.strip()
    assert "\n" not in line and "panicked" not in line, line
    for w in words:
        assert w in line, line


@pytest.mark.parametrize(
    "case, words",
    [
        ("overlap", ("overlaps or precedes",)),
        ("earlier", ("overlaps or precedes",)),
        ("options", ("max_link_km", "same options")),
        ("hodges", ("algorithm", "same options")),
        ("missing", ("_stormtrack.json",)),
        ("with_output", ("--output",)),
    ],
)
def test_bad_appends_are_refused_and_change_nothing(months, tmp_path, case, words):
    ds = tmp_path / "tracks"
    run("track", "-i", str(months["jan"]), "--variable", "msl", "-o", str(ds), "--quiet")
    snap = st._core.dataset_snapshot(str(ds))
    p = {
        "overlap": lambda: append(months["jan"], ds),
        "earlier": lambda: append(months["dec"], ds),
        "options": lambda: append(months["feb"], ds, "--max-link-km", "400"),
        "hodges": lambda: append(months["feb"], ds, "-a", "hodges"),
        "missing": lambda: append(months["feb"], tmp_path / "nothing"),
        "with_output": lambda: append(months["feb"], ds, "-o", str(tmp_path / "x.txt")),
    }[case]()
    one_line_refusal(p, *words)
    assert st._core.dataset_snapshot(str(ds)) == snap
    assert not (tmp_path / "x.txt").exists()


def test_a_damaged_linker_state_is_refused_before_detection(months, tmp_path):
    """A descriptor whose linker state does not parse is refused by the tracker's check
    before the new frames are detected (Simple: the tails; Hodges: its frames file)."""
    import json

    ds = tmp_path / "tracks"
    run("track", "-i", str(months["jan"]), "--variable", "msl", "-o", str(ds), "--quiet")
    descriptor = (ds / "_stormtrack.json").resolve()
    d = json.loads(descriptor.read_text())
    d["link_state"]["tails"] = "damaged"
    descriptor.write_text(json.dumps(d))
    snap = st._core.dataset_snapshot(str(ds))
    one_line_refusal(append(months["feb"], ds), "link_state.tails")
    assert st._core.dataset_snapshot(str(ds)) == snap


def test_sigkill_during_appends_leaves_the_state_before_or_after(months, tmp_path):
    """Kills at random moments of the February append: January's dataset or the full one."""
    base = tmp_path / "base"
    run("track", "-i", str(months["dec"]), "--variable", "msl", "-o", str(base), "--quiet")
    assert append(months["jan"], base).returncode == 0
    states = {"before": tables(base)}
    full = tmp_path / "full"
    subprocess.run(["cp", "-r", str(base), str(full)], check=True)
    t0 = time.monotonic()
    assert append(months["feb"], full).returncode == 0
    span = (time.monotonic() - t0) * 1.2
    states["after"] = tables(full)
    rng, seen = random.Random(3), {"before": 0, "after": 0}
    for k in range(20):
        ds = tmp_path / f"kill{k}"
        subprocess.run(["cp", "-r", str(base), str(ds)], check=True)
        p = subprocess.Popen([stormtrack_bin(), "track", "-i", str(months["feb"]), "--variable", "msl", "--append", str(ds), "--quiet"])
        time.sleep(rng.uniform(0.0, span))
        p.send_signal(signal.SIGKILL)
        p.wait()
        now = tables(ds)
        match = [s for s, t in states.items() if all(a.equals(b) for a, b in zip(now, t))]
        assert match, f"run {k}: neither before nor after"
        seen[match[0]] += 1
        # whatever was killed, the append can be run again and completes
        if match[0] == "before":
            assert append(months["feb"], ds).returncode == 0
            assert all(a.equals(b) for a, b in zip(tables(ds), states["after"]))
    assert seen["before"] > 0, seen


HODGES = ("-a", "hodges", "--lmin", "5", "--lmax", "42")


def with_pressure_in_hpa(ds):
    """`ds` with its msl beside as `pres` in hPa (another variable a closed contour tests)."""
    pres = (ds["msl"] / 100.0).astype("float64")
    pres.attrs = {"units": "hPa", "long_name": "pressure at mean sea level"}
    return ds.assign(pres=pres)


def test_appends_with_closed_contours_of_another_variable_equal_one_run(djf_msl, tmp_path):
    """The closed contour of another variable (`pres`, hPa, read beside msl) and the merge
    distance continue as the tracked variable's criteria do: December then January appended
    give the dataset of both months in one run; other criteria are refused by name."""
    xr = pytest.importorskip("xarray")
    files = {}
    with xr.open_dataset(djf_msl) as ds:
        time_dim = "valid_time" if "valid_time" in ds.dims else "time"
        for name in ("dec", "jan"):
            files[name] = tmp_path / f"msl_pres_{name}.nc"
            with_pressure_in_hpa(ds.sel({time_dim: slice(*MONTHS[name])}).load()).to_netcdf(files[name])
        both = tmp_path / "msl_pres_dec_jan.nc"
        with_pressure_in_hpa(ds.sel({time_dim: slice(MONTHS["dec"][0], MONTHS["jan"][1])}).load()).to_netcdf(both)
    criteria = ("--closed-contour", "pres,2,5.5,0", "--merge-dist", "6")
    whole, ds = tmp_path / "whole", tmp_path / "tracks"
    run("track", "-i", str(both), "--variable", "msl", *criteria, "-o", str(whole), "--quiet")
    run("track", "-i", str(files["dec"]), "--variable", "msl", *criteria, "-o", str(ds), "--quiet")
    snap = st._core.dataset_snapshot(str(ds))
    one_line_refusal(append(files["jan"], ds, "--closed-contour", "pres,3,5.5,0", "--merge-dist", "6"), "closed_contours", "same options")
    one_line_refusal(append(files["jan"], ds, "--closed-contour", "pres,2,5.5,0"), "merge_dist", "same options")
    assert st._core.dataset_snapshot(str(ds)) == snap
    assert append(files["jan"], ds, *criteria).returncode == 0
    assert_same_dataset(ds, whole)
    plain = tmp_path / "plain"
    run("track", "-i", str(both), "--variable", "msl", "-o", str(plain), "--quiet")
    assert tables(whole)[0].height < tables(plain)[0].height


@pytest.fixture(scope="module")
def vo_months(djf_msl, tmp_path_factory) -> dict[str, Path]:
    """The DJF vo850 season split into monthly files by xarray."""
    xr = pytest.importorskip("xarray")
    path = djf_msl.parent / "era5_vo850_djf2526_2.5deg.nc"
    if not path.exists():
        pytest.skip("the DJF vo850 file is not beside the checkout")
    d = tmp_path_factory.mktemp("vo_months")
    ds = xr.open_dataset(path)
    time_dim = "valid_time" if "valid_time" in ds.dims else "time"
    out = {"season": path}
    for name, (a, b) in MONTHS.items():
        out[name] = d / f"era5_vo850_{name}.nc"
        ds.sel({time_dim: slice(a, b)}).to_netcdf(out[name])
    return out


def test_hodges_monthly_appends_equal_the_season_in_one_run(vo_months, tmp_path):
    """The window rule (docs/datasets.md#appending-hodges-datasets): the same dataset, every
    table and the linker state, as the T5-42 Hodges season tracked in one run."""
    import json

    season = tmp_path / "season"
    run("track", "-i", str(vo_months["season"]), "--variable", "vo", *HODGES, "-o", str(season), "--quiet")
    ds = tmp_path / "tracks"
    run("track", "-i", str(vo_months["dec"]), "--variable", "vo", *HODGES, "-o", str(ds), "--quiet")
    for m in ("jan", "feb"):
        p = cli("track", "-i", str(vo_months[m]), "--variable", "vo", *HODGES, "--append", str(ds), "--quiet")
        assert p.returncode == 0, p.stderr
    assert_same_dataset(ds, season)
    g, s = Path(st._core.dataset_snapshot(str(ds))), Path(st._core.dataset_snapshot(str(season)))
    d, e = (json.loads((x / "_stormtrack.json").read_text()) for x in (g, s))
    assert (d["n_tracks"], d["n_points"]) == (e["n_tracks"], e["n_points"]) and d["n_tracks"] > 10_000
    assert d["link_state"] == e["link_state"]
    assert (g / "_link_frames.arrow").read_bytes() == (s / "_link_frames.arrow").read_bytes()


def test_bad_hodges_appends_are_refused_and_change_nothing(vo_months, tmp_path):
    ds = tmp_path / "tracks"
    run("track", "-i", str(vo_months["dec"]), "--variable", "vo", *HODGES, "-o", str(ds), "--quiet")
    snap = st._core.dataset_snapshot(str(ds))
    jan = ("track", "-i", str(vo_months["jan"]), "--variable", "vo", "--append", str(ds), "--quiet")
    one_line_refusal(cli(*jan, *HODGES, "--dmax", "10"), "dmax", "same options")
    one_line_refusal(cli(*jan), "algorithm", "same options")
    one_line_refusal(cli(*jan, "--lmin", "5", "--lmax", "42"), "algorithm", "same options")
    one_line_refusal(cli(*jan, "-a", "hodges", "--lmin", "5", "--lmax", "40"), "lmax", "same options")
    one_line_refusal(cli("track", "-i", str(vo_months["dec"]), "--variable", "vo", "--append", str(ds), "--quiet", *HODGES), "overlaps or precedes")
    assert st._core.dataset_snapshot(str(ds)) == snap
