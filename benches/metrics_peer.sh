#!/usr/bin/env bash
# Time PyStormTracker 0.8.0's compute_track_metrics (the five Lagrangian metrics, 500 km
# constant kernel; benches/metrics_peer.py) against `stormtrack metrics` in the same run,
# on our Hodges vo850 tracks of DJF 2025/26 (T5-42, made with $STORMTRACK if missing):
#   25 / 25m    2.5-degree grid, whole period / --monthly
#   025 / 025m  0.25-degree grid, whole period / --monthly (the peer runs once, no warm-up,
#               under `timeout $PEER_LIMIT`; past it, it is reported as not finished)
# Each command runs once untimed, then REPEAT times under /usr/bin/time (wall s, peak RSS);
# the table gives medians. "peer compute" is compute_track_metrics alone (perf_counter,
# after an in-process warm-up call so Numba compilation is excluded); "peer process" is the
# whole python process (imports, loading the tracks, writing NetCDF). The ratios divide
# each by our whole-process wall time. Then each of our outputs is compared with the peer's
# (all five variables, tolerance 1e-9 relative).
#
# Environment (all optional):
#   PEER_PY     the peer's python     [/tmp/peer/bin/python]
#   STORMTRACK  our CLI               [target/release/stormtrack]
#   REPEAT      timed runs            [3]
#   OUTDIR      outputs and logs      [a new temporary folder]
#   PEER_LIMIT  seconds per 0.25-degree peer run [600]
#   CASES       which cases to run    ["25 25m 025 025m"]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" metrics_peer
PEER_PY=${PEER_PY:-/tmp/peer/bin/python}
PEER_LIMIT=${PEER_LIMIT:-600}
CASES=${CASES:-"25 25m 025 025m"}
[[ -x $STORMTRACK ]] || { echo "$STORMTRACK not found: cargo build --release" >&2; exit 1; }
[[ -x $PEER_PY ]] || { echo "$PEER_PY not found (PyStormTracker 0.8.0)" >&2; exit 1; }
PEER=("$PEER_PY" benches/metrics_peer.py)
echo "before: $(nproc) cores, $(uptime)" >&2

TRACKS=$OUTDIR/vo850_djf_hodges.trackjson
[[ -f $TRACKS ]] || "$STORMTRACK" track -i "$DATA/era5_vo850_djf2526_2.5deg.nc" --variable vo \
    -a hodges --lmin 5 --lmax 42 -o "$TRACKS" >&2

# The binary may still be building: wait up to 15 min for the metrics subcommand.
for _ in $(seq 30); do
    "$STORMTRACK" --help 2>/dev/null | grep -q metrics && break
    echo "waiting for '$STORMTRACK metrics'..." >&2; sleep 30
done
"$STORMTRACK" --help | grep -q metrics || { echo "$STORMTRACK has no metrics subcommand" >&2; exit 1; }


# run NAME WARM N CMD...: WARM (0/1) untimed runs, then N timed runs; sets T and M (medians)
run() {
    local name=$1 warm=$2 n=$3; shift 3
    if [[ $warm == 1 ]]; then
        "$@" > "$OUTDIR/$name.warm.log" 2>&1 || { echo "$name failed, see $OUTDIR/$name.warm.log" >&2; return 1; }
    fi
    : > "$OUTDIR/$name.times"; : > "$OUTDIR/$name.log"
    for _ in $(seq "$n"); do
        /usr/bin/time -f '%e %M' -o "$OUTDIR/$name.time1" "$@" >> "$OUTDIR/$name.log" 2>&1 \
            || { echo "$name failed or timed out, see $OUTDIR/$name.log" >&2; return 1; }
        cat "$OUTDIR/$name.time1" >> "$OUTDIR/$name.times"
    done
    T=$(awk '{print $1}' "$OUTDIR/$name.times" | median)
    M=$(awk '{printf "%.0f\n", $2/1024}' "$OUTDIR/$name.times" | median)
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1fx", a/b}'; }

echo "| case | peer compute s | peer process s | peer MB | stormtrack s | stormtrack MB | ratio compute/ours | ratio process/ours |"
echo "|---|---|---|---|---|---|---|---|"
for case in $CASES; do
    case $case in
        25) D=2.5; MON=() ;; 25m) D=2.5; MON=(--monthly) ;;
        025) D=0.25; MON=() ;; 025m) D=0.25; MON=(--monthly) ;;
        *) echo "unknown case $case" >&2; exit 1 ;;
    esac
    run "ours_$case" 1 "$REPEAT" "$STORMTRACK" metrics "$TRACKS" --grid "$D" --radius-km 500 \
        --kernel constant "${MON[@]}" -o "$OUTDIR/ours_$case.nc"
    to=$T; mo=$M
    warm=1; n=$REPEAT; [[ $D == 0.25 ]] && { warm=0; n=1; }
    tc="did not finish (>${PEER_LIMIT} s)"; tp=-; mp=-; rc=-; rp=-
    if run "peer_$case" "$warm" "$n" timeout "$PEER_LIMIT" "${PEER[@]}" run "$TRACKS" --grid "$D" \
        "${MON[@]}" -o "$OUTDIR/peer_$case.nc"; then
        tc=$(sed -n 's/.*peer_compute_s=\([0-9.]*\).*/\1/p' "$OUTDIR/peer_$case.log" | median)
        tp=$T; mp=$M; rc=$(ratio "$tc" "$to"); rp=$(ratio "$tp" "$to")
    else
        rm -f "$OUTDIR/peer_$case.nc"
    fi
    echo "| $D° ${MON[*]:-whole} | $tc | $tp | $mp | $to | $mo | $rc | $rp |"
    if [[ -f $OUTDIR/peer_$case.nc ]]; then
        "${PEER[@]}" compare "$OUTDIR/peer_$case.nc" "$OUTDIR/ours_$case.nc" 2>&1 | sed "s/^/    $case: /" >&2 \
            || echo "    $case: OUTPUTS DIFFER (see above)" >&2
    fi
done
grep -ho "tracks=.*" "$OUTDIR"/peer_*.log | sort -u | sed "s/^/tracks: /" >&2 || true
echo "after: $(uptime); outputs in $OUTDIR" >&2
