"""st.plot and st.explore from Python, and the explorer page in headless Chromium: load it,
type a filter, check what it counts against the tracks themselves, click a track for its
points, take a screenshot and check what it shows."""

from __future__ import annotations

import io
import os
from pathlib import Path

import polars as pl
import pytest
from conftest import SHARED, run

import stormtrack as st

PIL = pytest.importorskip("PIL.Image")
HODGES = SHARED / "reference/pst-0.8.0/hodges_msl_2.5_T5-42.trackjson"
pytestmark = pytest.mark.skipif(not HODGES.exists(), reason="needs ../shared/reference")


def image(png: bytes):
    return PIL.open(io.BytesIO(png)).convert("RGB")


def coloured(img, box=None) -> int:
    """Pixels of a saturated colour (tracks, fields), not the background, graticule or coasts."""
    region = img.crop(box) if box else img
    return sum(1 for r, g, b in region.getdata() if max(r, g, b) - min(r, g, b) > 60)


def test_plot_returns_the_png_and_writes_it_atomically(tmp_path: Path):
    out = tmp_path / "tracks.png"
    png = st.plot(HODGES, out, view="north", color_by="time", width=800)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.read_bytes() == png
    img = image(png)
    assert img.size[0] == 800
    assert coloured(img) > 5_000
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file left"


def test_a_dataframe_and_its_file_draw_the_same_picture():
    from_file = st.plot(HODGES, region=(-80, 40, 20, 75), title="North Atlantic")
    df = st.read_tracks(HODGES).select("track_id", "time", "lat", "lon", pl.col("value").alias("msl"))
    from_frame = st.plot(df, region=(-80, 40, 20, 75), title="North Atlantic", unit="Pa")
    assert from_frame == from_file
    # a DataFrame in any row order gives the same tracks
    assert st.plot(df.reverse(), region=(-80, 40, 20, 75), title="North Atlantic", unit="Pa") == from_file


def test_gridded_statistics_are_drawn_by_name(tmp_path: Path):
    stats = tmp_path / "stats.nc"
    run("stats", str(HODGES), "-o", str(stats))
    img = image(st.plot(stats, variable="track_density", view="south", width=700))
    assert coloured(img) > 100_000
    with pytest.raises(st.StormtrackError, match="variable.*track_density"):
        st.plot(stats)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"color_by": "speed"}, "color_by"),
        ({"view": "mercator"}, "view"),
        ({"region": (0, 10, 50, 40)}, "south below north"),
        ({"width": 10}, "width"),
        ({"vmin": 2.0, "vmax": 1.0}, "vmin"),
    ],
)
def test_bad_options_are_one_clear_error(tmp_path: Path, kwargs: dict, needle: str):
    out = tmp_path / "x.png"
    with pytest.raises(st.StormtrackError, match=needle):
        st.plot(HODGES, out, **kwargs)
    assert not out.exists()


def test_explore_returns_one_self_contained_page(tmp_path: Path):
    out = tmp_path / "e.html"
    html = st.explore(HODGES, out)
    assert out.read_text() == html
    assert html.startswith("<!doctype html>")
    for remote in ("http://", "https://", "<link", "src="):
        assert remote not in html, f"the page refers to {remote}"
    with pytest.raises(st.StormtrackError, match="html"):
        st.explore(HODGES, tmp_path / "e.txt")


# ---------------------------------------------------------------- the explorer in a browser


@pytest.fixture(scope="module")
def browser():
    from chromium import Browser, find_chromium

    binary = find_chromium()
    if binary is None:
        why = "no headless Chromium: scripts/setup.sh installs chromium-headless-shell"
        # `make test` (and so CI) requires it; a bare pytest run may skip
        if os.environ.get("STORMTRACK_REQUIRE_CHROMIUM"):
            pytest.fail(why)
        pytest.skip(why)
    b = Browser(binary)
    yield b
    b.close()


def expected_tracks(min_hours: float, region: tuple[float, float, float, float]) -> pl.DataFrame:
    """The tracks the explorer must keep, computed here from the data: lifetime at least
    `min_hours` and a point in the box (west, east, south, north)."""
    west, east, south, north = region
    pts = st.read_tracks(HODGES)
    inside = (pl.col("lat") >= south) & (pl.col("lat") <= north) & (pl.col("lon") >= west) & (pl.col("lon") <= east)
    per_track = pts.group_by("track_id").agg(
        hours=(pl.col("time").max() - pl.col("time").min()).dt.total_seconds() / 3600.0,
        inside=inside.any(),
        n=pl.len(),
    )
    return per_track.filter((pl.col("hours") >= min_hours) & pl.col("inside"))


def test_the_explorer_filters_selects_and_shows_tracks(browser, tmp_path: Path):
    page = tmp_path / "explorer.html"
    run("explore", str(HODGES), "-o", str(page))
    browser.goto(page.as_uri())
    total = len(st.read_tracks(HODGES, table="tracks"))
    assert browser.evaluate("document.getElementById('count').textContent") == f"{total} of {total} tracks"

    # a user types a lifetime and a box over the North Atlantic
    region = (-80.0, 20.0, 30.0, 70.0)
    browser.type_into("#life", "72")
    for name, value in zip(("west", "east", "south", "north"), region):
        browser.type_into(f"#{name}", str(value))
    want = expected_tracks(72.0, region)
    assert browser.evaluate("document.getElementById('count').textContent") == f"{len(want)} of {total} tracks"
    shown = sorted(browser.evaluate("window.stormtrack.visible()"))
    assert shown == sorted(want["track_id"].to_list())
    assert browser.evaluate("location.hash") == "#life=72&region=-80%2C20%2C30%2C70"

    # a click on the middle of a kept track selects the track under the pointer
    pts = st.read_tracks(HODGES)
    target = want.sort("n", descending=True)["track_id"][0]
    track = pts.filter(pl.col("track_id") == target)
    mid = track.row(len(track) // 2, named=True)
    x, y = browser.evaluate(
        f"(() => {{ const r = document.getElementById('map').getBoundingClientRect();"
        f" const p = window.stormtrack.project({mid['lon']}, {mid['lat']}); return [r.left + p[0], r.top + p[1]]; }})()"
    )
    browser.click(x, y)
    title = browser.evaluate("document.getElementById('selected-title').textContent")
    chosen = int(title.split()[1].rstrip(":"))
    assert chosen in shown
    rows = browser.evaluate("document.querySelectorAll('#points tbody tr').length")
    assert rows == len(pts.filter(pl.col("track_id") == chosen)), title
    assert browser.evaluate("location.hash").endswith(f"&track={chosen}")

    # the screenshot: tracks drawn inside the box, none outside the kept set's reach
    png = browser.screenshot()
    keep = os.environ.get("STORMTRACK_SCREENSHOTS")
    (Path(keep) if keep else tmp_path).mkdir(parents=True, exist_ok=True)
    shot = (Path(keep) if keep else tmp_path) / "explorer.png"
    shot.write_bytes(png)
    img = image(png)
    left, top, width, height = browser.evaluate(
        "(() => { const r = document.getElementById('map').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()"
    )

    def px(lon: float, lat: float) -> tuple[int, int]:
        return int(left + (lon + 180) / 360 * width), int(top + (90 - lat) / 180 * height)

    (bx0, by0), (bx1, by1) = px(region[0], region[3]), px(region[1], region[2])
    assert coloured(img, (bx0, by0, bx1, by1)) > 500, "tracks in the box"
    # the South Pacific holds no kept track: only the background there
    (sx0, sy0), (sx1, sy1) = px(-150, -30), px(-100, -60)
    assert coloured(img, (sx0, sy0, sx1, sy1)) == 0
    # the selected track is outlined in black where the click was
    near = img.crop((int(x) - 6, int(y) - 6, int(x) + 6, int(y) + 6))
    assert any(max(p) < 60 for p in near.getdata()), "no black outline at the click"

    # reset brings every track back
    browser.evaluate("document.getElementById('reset').click()")
    assert browser.evaluate("document.getElementById('count').textContent") == f"{total} of {total} tracks"


def test_a_shared_link_opens_the_same_view(browser, tmp_path: Path):
    page = tmp_path / "explorer.html"
    st.explore(HODGES, page)
    browser.goto(page.as_uri() + "#from=2026-02-01&peak=-3000")
    pts = st.read_tracks(HODGES, table="track_points")
    per_track = pts.group_by("track_id").agg(end=pl.col("time").max(), peak=pl.col("value").min())
    want = per_track.filter((pl.col("end").dt.strftime("%Y-%m-%d") >= "2026-02-01") & (pl.col("peak") <= -3000))
    total = per_track.height
    assert browser.evaluate("document.getElementById('count').textContent") == f"{len(want)} of {total} tracks"
    assert browser.evaluate("document.getElementById('from').value") == "2026-02-01"
