"""HEALPix inputs (docs/input.md#healpix-inputs): the ERA5 msl fixture on HEALPix nside 32,
written by PyStormTracker's regridder through xarray and h5netcdf
(tests/data/healpix/make_era5_hp32.py), read here by xarray (netCDF4) and written again by
xarray and zarr-python as Zarr v2 and v3 stores; each store, and the xarray Dataset itself,
tracks as the NetCDF file does."""
from pathlib import Path

import polars as pl
import pytest
from conftest import cli, run

xr = pytest.importorskip("xarray")
zarr = pytest.importorskip("zarr", reason="zarr-python is needed to write the test stores (pip install zarr)")
st = pytest.importorskip("stormtrack")

FIXTURE = Path(__file__).resolve().parents[1] / "data/healpix/era5_msl_hp32.nc"
HEALPIX = ("--algorithm", "healpix", "--object-threshold", "100000")


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hp") / "nc.txt"
    run("track", "-i", str(FIXTURE), "--variable", "msl", *HEALPIX, "-o", str(out), "--quiet")
    return out


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_zarr_store_of_healpix_cells_tracks_as_its_netcdf_file(tmp_path: Path, expected: Path, zarr_format: int):
    store = tmp_path / f"hp_v{zarr_format}.zarr"
    with xr.open_dataset(FIXTURE) as ds:
        # chunks of 8 steps and a quarter of the cells, as km-scale stores cut them
        ds.load().to_zarr(store, zarr_format=zarr_format, consolidated=True, encoding={"msl": {"chunks": (8, 3072)}})
    out = tmp_path / "zarr.txt"
    run("track", "-i", str(store), "--variable", "msl", *HEALPIX, "-o", str(out), "--quiet")
    assert out.read_bytes() == expected.read_bytes()
    assert len(out.read_text().splitlines()) > 40


def test_an_xarray_dataset_on_healpix_tracks_as_its_file():
    keywords = dict(algorithm="healpix", object_threshold=100000.0)
    from_file = st.track(str(FIXTURE), "msl", **keywords)
    with xr.open_dataset(FIXTURE) as ds:
        from_dataset = st.track(ds, "msl", **keywords)
        # the DataArray alone: the 'cell' dimension says HEALPix, RING as PyStormTracker assumes
        from_array = st.track(ds["msl"].drop_vars("cell"), **keywords)
        centres = st.detect(ds, "msl", **keywords)
    assert from_file.height > 300
    assert from_dataset.equals(from_file)
    assert from_array.equals(from_file)
    assert centres.height == 374 and centres["row"].max() < 12 * 32 * 32


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_part_of_the_sphere_tracks_as_the_sphere_with_the_rest_missing(tmp_path: Path, zarr_format: int):
    """A polar cap (the first 4000 RING cells, north of about 35°N) stored as xdggs describes
    it (a ``cell_ids`` coordinate with ``grid_name``, ``level`` and ``indexing_scheme``; cells
    in reverse order), as a Zarr store written by xarray and as the Dataset itself, tracks as
    the whole sphere with every other cell missing; centres' rows are cell indices."""
    keywords = dict(algorithm="healpix", object_threshold=100000.0)
    cap = 4000
    with xr.open_dataset(FIXTURE) as ds:
        ds = ds.load()
    whole = ds["msl"].where(ds["cell"] < cap)
    expected = st.track(whole.to_dataset(), "msl", **keywords)
    assert expected["track_id"].n_unique() > 5
    part = ds[["msl"]].drop_vars("cell").isel(cell=slice(cap - 1, None, -1)).rename(cell="cells")
    part = part.assign_coords(cell_ids=("cells", list(range(cap - 1, -1, -1)), {"grid_name": "healpix", "level": 5, "indexing_scheme": "ring"}))
    assert part.sizes["cells"] == cap
    store = tmp_path / f"cap_v{zarr_format}.zarr"
    part.to_zarr(store, zarr_format=zarr_format, consolidated=True)
    assert st.track(str(store), "msl", **keywords).equals(expected)
    assert st.track(part, "msl", **keywords).equals(expected)
    rows = st.detect(part, "msl", **keywords)["row"]
    assert rows.len() > 0 and rows.max() < cap


def test_healpix_inputs_refuse_what_does_not_apply(tmp_path: Path):
    with xr.open_dataset(FIXTURE) as ds:
        with pytest.raises(st.StormtrackError, match="HEALPix grid.*algorithm='healpix'"):
            st.detect(ds, "msl")
        with pytest.raises(st.StormtrackError, match="HEALPix"):
            st.track(ds, "msl", algorithm="hodges")
        with pytest.raises(st.StormtrackError, match="nside"):
            st.track(ds, "msl", algorithm="healpix", nside=64)
    out = tmp_path / "t.txt"
    p = cli("track", "-i", str(FIXTURE), "--variable", "msl", "-o", str(out))
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "--algorithm healpix" in p.stderr
    assert not out.exists()


def test_the_healpix_rejection_table():
    """On HEALPix the table holds every object's extremum: the features `detect` gives (kept)
    and those of objects below min_object_grid_points (`object_size`, their pixels against
    the limit); together, the features of a run that keeps every object."""
    keywords = dict(algorithm="healpix", object_threshold=100000.0)
    every = st.detect(str(FIXTURE), "msl", **keywords)
    kept = st.detect(str(FIXTURE), "msl", min_object_grid_points=5, **keywords)
    why = st.rejections(str(FIXTURE), "msl", min_object_grid_points=5, **keywords)
    key = ["frame", "row", "lat", "lon", "value"]
    assert why.filter(pl.col("rejected_by").is_null()).select(key).sort(key).equals(kept.select(key).sort(key))
    small = why.filter(pl.col("rejected_by") == "object_size")
    assert small.height == every.height - kept.height > 0
    assert (small["tested_value"] < 5).all() and (small["limit"] == 5).all()
    assert why.select(["frame", "row"]).sort(["frame", "row"]).equals(every.select(["frame", "row"]).sort(["frame", "row"]))
