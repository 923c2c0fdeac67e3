#!/usr/bin/env bash
# Input readers against the one-file NetCDF path, on the same data in the same run (issue #12):
# the ERA5 DJF 2.5° msl file, the same field split by xarray into one file per month (each
# with its own time origin, one chunk per month as xarray writes it) read as a series, the
# same field as Zarr v2 and v3 stores, and a 0.25° 120-frame file against its Zarr store
# (peak memory: the issue's bound is 300 MB).
# Both trackers; the outputs must be byte-identical. Warm-up, then REPEAT timed runs, medians.
#
#   STORMTRACK  our CLI                [target/release/stormtrack]
#   REPEAT      timed runs             [5]
#   OUTDIR      outputs and logs       [a new temporary folder]
set -euo pipefail
REPEAT=${REPEAT:-5}
source "$(dirname "$0")/common.sh" readers
[[ -x $STORMTRACK ]] || { echo "$STORMTRACK not found: cargo build --release" >&2; exit 1; }
WHOLE=$DATA/era5_msl_djf2526_2.5deg.nc
python3 - "$WHOLE" "$OUTDIR" <<'PY'
import sys, xarray as xr
src, out = sys.argv[1], sys.argv[2]
with xr.open_dataset(src) as ds:
    for month in ("2025-12", "2026-01", "2026-02"):
        ds.sel(valid_time=month).to_netcdf(f"{out}/era5_msl_{month}.nc",
            encoding={"valid_time": {"units": f"hours since {month}-01", "dtype": "int32"}})
PY
SERIES=("$OUTDIR"/era5_msl_20*.nc)
HODGES=(--algorithm hodges --lmin 5 --lmax 42)

echo "| tracker | input | wall s | peak MB | reader/one file | output |"
echo "|---|---|---|---|---|---|"
for tracker in simple hodges; do
    opts=(); [[ $tracker == hodges ]] && opts=("${HODGES[@]}")
    run "${tracker}_whole" "$STORMTRACK" track -i "$WHOLE" --variable msl "${opts[@]}" -o "$OUTDIR/${tracker}_whole.trackjson" -q
    base=$T
    echo "| $tracker | one file | $T | $M | 1.00 | |"
    run "${tracker}_series" "$STORMTRACK" track -i "${SERIES[@]}" --variable msl "${opts[@]}" -o "$OUTDIR/${tracker}_series.trackjson" -q
    same=$(cmp -s "$OUTDIR/${tracker}_whole.trackjson" "$OUTDIR/${tracker}_series.trackjson" && echo identical || echo DIFFERENT)
    echo "| $tracker | 3 monthly files | $T | $M | $(awk -v a="$T" -v b="$base" 'BEGIN{printf "%.2f", a/b}') | $same |"
done

# Zarr: the same field written by xarray as stores (v2 with xarray's default blosc-lz4 and
# chunks of 90 steps; v3 zstd with one step per chunk, as the cloud ERA5 stores are chunked)
python3 - "$WHOLE" "$OUTDIR" <<'PY'
import sys, warnings, xarray as xr
warnings.simplefilter("ignore")
src, out = sys.argv[1], sys.argv[2]
with xr.open_dataset(src) as ds:
    ds.to_zarr(f"{out}/djf_v2.zarr", zarr_format=2, consolidated=True, mode="w")
    ds.to_zarr(f"{out}/djf_v3.zarr", zarr_format=3, consolidated=True, mode="w", encoding={"msl": {"chunks": (1, 73, 144)}})
PY
for tracker in simple hodges; do
    opts=(); [[ $tracker == hodges ]] && opts=("${HODGES[@]}")
    base=$(awk '{print $1}' "$OUTDIR/${tracker}_whole.times" | median)
    for z in djf_v2 djf_v3; do
        run "${tracker}_$z" "$STORMTRACK" track -i "$OUTDIR/$z.zarr" --variable msl "${opts[@]}" -o "$OUTDIR/${tracker}_$z.trackjson" -q
        same=$(cmp -s "$OUTDIR/${tracker}_whole.trackjson" "$OUTDIR/${tracker}_$z.trackjson" && echo identical || echo DIFFERENT)
        echo "| $tracker | Zarr ${z#djf_} store | $T | $M | $(awk -v a="$T" -v b="$base" 'BEGIN{printf "%.2f", a/b}') | $same |"
    done
done

# 0.25°, 120 frames (benches/make_quarter_degree.py): the NetCDF file and a Zarr v3 store of it
QUARTER=$ROOT/benches/data/era5_msl_djf_0.25deg_120.nc
if [[ -f $QUARTER ]]; then
    python3 - "$QUARTER" "$OUTDIR" <<'PY'
import sys, warnings, xarray as xr
warnings.simplefilter("ignore")
src, out = sys.argv[1], sys.argv[2]
with xr.open_dataset(src, chunks={"valid_time": 1}) as ds:
    ds.to_zarr(f"{out}/quarter.zarr", zarr_format=3, consolidated=True, mode="w", encoding={"msl": {"chunks": (1, 721, 1440)}})
PY
    for tracker in simple hodges; do
        opts=(); [[ $tracker == hodges ]] && opts=("${HODGES[@]}")
        run "${tracker}_q_nc" "$STORMTRACK" track -i "$QUARTER" --variable msl "${opts[@]}" -o "$OUTDIR/${tracker}_q_nc.trackjson" -q
        base=$T
        echo "| $tracker | 0.25° 120 frames, NetCDF | $T | $M | 1.00 | |"
        run "${tracker}_q_zarr" "$STORMTRACK" track -i "$OUTDIR/quarter.zarr" --variable msl "${opts[@]}" -o "$OUTDIR/${tracker}_q_zarr.trackjson" -q
        same=$(cmp -s "$OUTDIR/${tracker}_q_nc.trackjson" "$OUTDIR/${tracker}_q_zarr.trackjson" && echo identical || echo DIFFERENT)
        echo "| $tracker | 0.25° 120 frames, Zarr v3 | $T | $M | $(awk -v a="$T" -v b="$base" 'BEGIN{printf "%.2f", a/b}') | $same |"
    done
fi
echo
echo "- nproc $(nproc); CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg); outputs in $OUTDIR"

echo
echo "Python package routes (GRIB, xarray) against its NetCDF path:"
echo
PYTHONPATH=$ROOT/python python3 benches/readers_python.py "$WHOLE" "$OUTDIR" "$REPEAT"
