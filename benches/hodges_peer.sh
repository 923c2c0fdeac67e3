#!/usr/bin/env bash
# Time the Hodges (TRACK) tracker of PyStormTracker 0.8.0 (`stormtracker`, serial backend)
# against `stormtrack track -a hodges` in the same run, warm (one untimed run of each first):
#   1. msl, T5-42, the DJF 2025/26 ERA5 file at 2.5 degrees (360 frames),
#   2. vo850, T5-42, the same season (ours only by default: the peer does not finish it;
#      PEER_VO=1 tries the peer with a time limit of PEER_VO_LIMIT seconds),
#   3. msl, T5-42, the 120-frame 0.25-degree file (benches/make_quarter_degree.py).
# Each timed command runs REPEAT times under /usr/bin/time (wall seconds, peak RSS); the
# table gives medians and the ratio peer/ours. Ours also prints where the time went (-v).
# Then our msl tracks are compared with the peer's (stormtrack compare, TRACK criterion).
#
# Environment (all optional):
#   PEER        peer CLI              [/tmp/peer/bin/stormtracker]; skipped if absent
#   STORMTRACK  our CLI               [target/release/stormtrack]
#   REPEAT      timed runs            [3]
#   OUTDIR      outputs and logs      [a new temporary folder]
#   CASES       which cases to run    ["msl25 vo25 msl025"]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" hodges_peer
PEER=${PEER:-/tmp/peer/bin/stormtracker}
CASES=${CASES:-"msl25 vo25 msl025"}
PEER_VO=${PEER_VO:-0}
PEER_VO_LIMIT=${PEER_VO_LIMIT:-900}
[[ -x $STORMTRACK ]] || { echo "$STORMTRACK not found: cargo build --release" >&2; exit 1; }
have_peer=0; [[ -x $PEER ]] && have_peer=1
IN025=$ROOT/benches/data/era5_msl_djf_0.25deg_120.nc
if [[ $CASES == *msl025* && ! -f $IN025 ]]; then
    py=python3; [[ -x $(dirname "$PEER")/python ]] && py=$(dirname "$PEER")/python
    "$py" benches/make_quarter_degree.py "$DATA/era5_msl_djf2526_2.5deg.nc" "$IN025" --variable msl --frames 120
fi


echo "| case | peer s | peer MB | stormtrack s | stormtrack MB | ratio |"
echo "|---|---|---|---|---|---|"
for case in $CASES; do
    case $case in
        msl25) IN=$DATA/era5_msl_djf2526_2.5deg.nc; VAR=msl ;;
        vo25) IN=$DATA/era5_vo850_djf2526_2.5deg.nc; VAR=vo ;;
        msl025) IN=$IN025; VAR=msl ;;
        *) echo "unknown case $case" >&2; exit 1 ;;
    esac
    run "ours_$case" "$STORMTRACK" track -i "$IN" --variable "$VAR" -a hodges --lmin 5 --lmax 42 -o "$OUTDIR/ours_$case.trackjson" -q -v
    to=$T; mo=$M
    tp=-; mp=-; ratio=-
    if [[ $have_peer == 1 && ( $case != vo25 || $PEER_VO == 1 ) ]]; then
        lim=(); [[ $case == vo25 ]] && lim=(timeout "$PEER_VO_LIMIT")
        if run "peer_$case" "${lim[@]}" "$PEER" track -i "$IN" --variable "$VAR" -a hodges --lmin 5 --lmax 42 -b serial -o "$OUTDIR/peer_$case.trackjson"; then
            tp=$T; mp=$M; ratio=$(awk -v a="$tp" -v b="$to" 'BEGIN{printf "%.1fx", a/b}')
        else
            tp="did not finish"
        fi
    fi
    echo "| $case | $tp | $mp | $to | $mo | $ratio |"
    grep -h 'time:' "$OUTDIR/ours_$case.log" | sed "s/^/    $case: /" >&2 || true
    if [[ -f $OUTDIR/peer_$case.trackjson ]]; then
        "$STORMTRACK" compare "$OUTDIR/peer_$case.trackjson" "$OUTDIR/ours_$case.trackjson" --matching global_assignment | sed "s/^/    $case vs peer: /" >&2
    fi
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); outputs in $OUTDIR" >&2
