#!/usr/bin/env bash
# Input readers against the one-file NetCDF path, on the same data in the same run (issue #12):
# the ERA5 DJF 2.5° msl file, and the same field split by xarray into one file per month (each
# with its own time origin, one chunk per month as xarray writes it) read as a series.
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
echo
echo "- nproc $(nproc); CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg); outputs in $OUTDIR"

echo
echo "Python package routes (GRIB, xarray) against its NetCDF path:"
echo
PYTHONPATH=$ROOT/python python3 benches/readers_python.py "$WHOLE" "$OUTDIR" "$REPEAT"
