#!/usr/bin/env bash
# CORMAX and the CCA cross-validation of PyStormTracker 0.8 against ours in the same run
# (benches/cross_validation_peer.py): prints both JSON lines, the ratios and the largest
# score differences (the peer's CCA takes randomized principal components, so its scores
# differ from ours by its run-to-run spread; tests/python/test_cca.py compares with its exact
# ones).
#
# Environment: PEER_PY (the peer's python with xeofs) [/tmp/peer312/bin/python],
# MAX_MODES [5], DATA [../shared/data/era5]; ours runs with PYTHONPATH=python.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PEER_PY=${PEER_PY:-/tmp/peer312/bin/python}
MAX_MODES=${MAX_MODES:-5}
DATA=${DATA:-../shared/data/era5}
echo "before: $(nproc) cores, $(uptime)" >&2
peer=$("$PEER_PY" -W ignore benches/cross_validation_peer.py peer "$DATA" "$MAX_MODES")
ours=$(PYTHONPATH=python python3 -W ignore benches/cross_validation_peer.py ours "$DATA" "$MAX_MODES")
echo "after: $(uptime)" >&2
echo "$peer"; echo "$ours"
python3 - "$peer" "$ours" <<'PY'
import json, sys
p, o = json.loads(sys.argv[1]), json.loads(sys.argv[2])
d = lambda k: max(abs(a - b) for a, b in zip(p[k], o[k]))
print(f"CORMAX {p['cormax_s']:.2f} s / {o['cormax_s']:.2f} s = {p['cormax_s'] / o['cormax_s']:.1f}x; "
      f"CCA {p['cca_s']:.1f} s / {o['cca_s']:.2f} s = {p['cca_s'] / o['cca_s']:.0f}x; "
      f"largest |acc| difference {d('acc'):.1e}, |fve| {d('fve'):.1e} (the peer's randomized SVD)")
PY
