#!/usr/bin/env bash
# The compatibility API's preprocessing, refinement and subpackages against PyStormTracker
# 0.8's in the same run (benches/compat_preprocessing_peer.py): the spectral filter of the DJF
# season (360 frames), its regridding onto a Gaussian grid and onto HEALPix nside 32, the
# spherical quadratic and both B-spline refinements of a frame's minima, SimpleDetector +
# SimpleLinker over the season and HodgesLinker on the first 16 frames (the
# peer's MGE on the whole season did not finish in 20 minutes here). Prints both JSON lines
# and the ratios.
#
# Environment: PEER_PY [/tmp/peer312/bin/python], REPEAT [3], DATA [../shared/data/era5].
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PEER_PY=${PEER_PY:-/tmp/peer312/bin/python}
REPEAT=${REPEAT:-3}
DATA=${DATA:-../shared/data/era5}
echo "before: $(nproc) cores, $(uptime)" >&2
peer=$("$PEER_PY" -W ignore benches/compat_preprocessing_peer.py peer "$DATA" "$REPEAT")
ours=$(PYTHONPATH=python python3 -W ignore benches/compat_preprocessing_peer.py ours "$DATA" "$REPEAT")
echo "after: $(uptime)" >&2
echo "$peer"; echo "$ours"
python3 - "$peer" "$ours" <<'PY'
import json, sys
p, o = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for k in (k for k in p if not k.endswith("_sum")):
    print(f"{k}: peer {p[k]:.3f} s, ours {o[k]:.3f} s, {p[k] / o[k]:.1f}x (sums {p[k + '_sum']:.6e} / {o[k + '_sum']:.6e})")
PY
