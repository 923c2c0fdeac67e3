#!/usr/bin/env bash
# Time the peer program (PyStormTracker 0.8.0 `stormtracker`) against our `stormtrack` CLI
# on the Simple tracker, msl, min mode, for two inputs:
#   - the DJF 2025/26 ERA5 msl file at 2.5 degrees (360 frames, 73 x 144), and
#   - a 0.25-degree version of its first 120 frames (721 x 1440), made by
#     benches/make_quarter_degree.py when it is missing.
# Each command runs once as a warm-up (numba cache, page cache), then REPEAT times under
# /usr/bin/time -f '%e %M' (wall seconds, peak RSS in KB). Prints a markdown table of medians
# and checks with cmp that our IMILAST output equals the peer's for the 2.5-degree input.
#
# Environment (all optional):
#   PEER          peer CLI                  [/tmp/peer/bin/stormtracker]; skipped if absent
#   PEER_BACKEND  peer -b value             [serial]
#   STORMTRACK    our CLI                   [target/release/stormtrack]; skipped if absent
#   PYTHON        python with numpy, scipy, netCDF4 for make_quarter_degree.py
#                 [the python beside $PEER if there is one, else python3]
#   DATA_DIR      folder of the 2.5-degree ERA5 files  [../shared/data/era5 from the repo root]
#   REPEAT        timed runs per command    [3]
#   OUTDIR        where outputs and logs go [a new temporary folder]
#
# Peer setup (throwaway venv):
#   python3.12 -m venv /tmp/peer && /tmp/peer/bin/pip install "pystormtracker[netcdf4]==0.8.0"
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PEER=${PEER:-/tmp/peer/bin/stormtracker}
PEER_BACKEND=${PEER_BACKEND:-serial}
STORMTRACK=${STORMTRACK:-target/release/stormtrack}
DATA_DIR=${DATA_DIR:-$ROOT/../shared/data/era5}
REPEAT=${REPEAT:-3}
OUTDIR=${OUTDIR:-$(mktemp -d "${TMPDIR:-/tmp}/compare_peer.XXXXXX")}
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x $(dirname "$PEER")/python ]]; then PYTHON=$(dirname "$PEER")/python; else PYTHON=python3; fi
fi

IN25=$DATA_DIR/era5_msl_djf2526_2.5deg.nc
IN025=$ROOT/benches/data/era5_msl_djf_0.25deg_120.nc
REF25=$ROOT/../shared/reference/pst-0.8.0/simple_msl_2.5.txt  # peer output, used if no peer

die() { echo "compare_peer.sh: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing: apt-get install -y time"
[[ -f $IN25 ]] || die "input not found: $IN25 (set DATA_DIR)"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive integer"
mkdir -p "$OUTDIR"

have_peer=0; have_ours=0
if [[ -x $PEER ]]; then have_peer=1; else echo "peer not found at $PEER: skipping the peer (set PEER)"; fi
if [[ -x $STORMTRACK ]]; then have_ours=1; else echo "stormtrack not found at $STORMTRACK: skipping ours (cargo build --release, or set STORMTRACK)"; fi

if [[ ! -f $IN025 ]]; then
    echo "creating $IN025 with $PYTHON"
    mkdir -p "$(dirname "$IN025")"
    "$PYTHON" "$ROOT/benches/make_quarter_degree.py" "$IN25" "$IN025" --variable msl --frames 120
fi

# median of numbers on stdin (mean of the two middle values for an even count)
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# timed LABEL CMD...: warm-up + REPEAT timed runs; sets WALL (s) and PEAK (MB), medians.
timed() {
    local label=$1; shift
    local log=$OUTDIR/$label.log tf=$OUTDIR/$label.time walls=() peaks=() i
    echo "running $label: $*" >&2
    if ! "$@" >"$log" 2>&1; then
        echo "  FAILED (warm-up), see $log:" >&2; tail -n 5 "$log" >&2; return 1
    fi
    for ((i = 1; i <= REPEAT; i++)); do
        if ! /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$log" 2>&1; then
            echo "  FAILED (run $i), see $log:" >&2; tail -n 5 "$log" >&2; return 1
        fi
        read -r w k < <(tail -n 1 "$tf")
        walls+=("$w"); peaks+=("$k")
        echo "  run $i: ${w} s, ${k} KB" >&2
    done
    WALL=$(printf '%s\n' "${walls[@]}" | median)
    PEAK=$(printf '%s\n' "${peaks[@]}" | median | awk '{printf "%.1f", $1/1024}')
    RUNS="${walls[*]}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a=="" || b=="" || b+0==0) print "-"; else printf "%.2f", a/b }'; }

ROWS=()
NOTES=()
LOAD_BEFORE=$(uptime)

for case in 2.5 0.25; do
    if [[ $case == 2.5 ]]; then IN=$IN25; else IN=$IN025; fi
    tag=${case/./p}
    PW=""; PM=""
    if ((have_peer)); then
        if timed "peer_$tag" "$PEER" track -i "$IN" --variable msl -a simple -m min \
            -b "$PEER_BACKEND" -o "$OUTDIR/peer_$tag.txt"; then
            PW=$WALL; PM=$PEAK
            ROWS+=("| $case° | peer \`stormtracker\` (-b $PEER_BACKEND) → .txt | $PW | $PM | 1.00 | 1.00 | $RUNS |")
        else
            ROWS+=("| $case° | peer \`stormtracker\` | failed | | | | |")
        fi
    fi
    if ((have_ours)); then
        # the acceptance case: read, detect, link, write the Parquet dataset and IMILAST
        if timed "ours_both_$tag" "$STORMTRACK" track -i "$IN" --variable msl -a simple -m min \
            -o "$OUTDIR/st_tracks_$tag/" -o "$OUTDIR/st_both_$tag.txt" --quiet; then
            ROWS+=("| $case° | ours \`stormtrack\` → tracks/ + .txt | $WALL | $PEAK | $(ratio "$PW" "$WALL") | $(ratio "$PM" "$PEAK") | $RUNS |")
        else
            ROWS+=("| $case° | ours \`stormtrack\` → tracks/ + .txt | failed | | | | |")
        fi
        if timed "ours_serial_$tag" "$STORMTRACK" track -i "$IN" --variable msl -a simple -m min \
            -o "$OUTDIR/st_tracks1_$tag/" -o "$OUTDIR/st_serial_$tag.txt" --quiet --threads 1; then
            ROWS+=("| $case° | ours \`stormtrack --threads 1\` → tracks/ + .txt | $WALL | $PEAK | $(ratio "$PW" "$WALL") | $(ratio "$PM" "$PEAK") | $RUNS |")
        else
            ROWS+=("| $case° | ours \`stormtrack --threads 1\` | failed | | | | |")
        fi
        if timed "ours_txt_$tag" "$STORMTRACK" track -i "$IN" --variable msl -a simple -m min \
            -o "$OUTDIR/st_$tag.txt" --quiet; then
            ROWS+=("| $case° | ours \`stormtrack\` → .txt | $WALL | $PEAK | $(ratio "$PW" "$WALL") | $(ratio "$PM" "$PEAK") | $RUNS |")
        else
            ROWS+=("| $case° | ours \`stormtrack\` → .txt | failed | | | | |")
        fi
    fi
    # Parity of the IMILAST output.
    ref=""
    if [[ -f $OUTDIR/peer_$tag.txt ]]; then ref=$OUTDIR/peer_$tag.txt
    elif [[ $case == 2.5 && -f $REF25 ]]; then ref=$REF25; fi
    if [[ -n $ref && -f $OUTDIR/st_$tag.txt ]]; then
        if cmp -s "$ref" "$OUTDIR/st_$tag.txt"; then
            NOTES+=("- $case°: our IMILAST output is byte-identical to the peer's ($(basename "$ref")).")
        else
            # points (time, lon, lat, value) found by one and not the other, ignoring track ids
            pts() { grep '^00' "$1" | awk '{print $4, $9, $10, $11}' | sort; }
            ndiff=$(diff <(pts "$ref") <(pts "$OUTDIR/st_$tag.txt") | grep -c '^<' || true)
            npts=$(grep -c '^00' "$ref" || true)
            NOTES+=("- $case°: our IMILAST output differs from the peer's ($(basename "$ref")): $ndiff of $npts points are placed differently.")
            # The peer's serial path evaluates float32 input in float32, its dask path (the
            # default) in float64 like us (see docs/algorithms.md#float64-detection): compare with the dask output too.
            if ((have_peer)) && [[ $PEER_BACKEND != dask ]]; then
                if "$PEER" track -i "$IN" --variable msl -a simple -m min -b dask -o "$OUTDIR/peer_dask_$tag.txt" >/dev/null 2>&1 \
                    && cmp -s "$OUTDIR/peer_dask_$tag.txt" "$OUTDIR/st_$tag.txt"; then
                    NOTES+=("  It is byte-identical to the peer's \`-b dask\` output (float64 evaluation); the serial differences are float32 Laplacian ties.")
                else
                    NOTES+=("  It also differs from the peer's \`-b dask\` output.")
                fi
            fi
        fi
    elif [[ $case == 2.5 ]]; then
        NOTES+=("- $case°: IMILAST parity not checked (missing output).")
    fi
done

echo
echo "### Simple tracker, msl, min mode: peer vs ours (median of $REPEAT runs after a warm-up)"
echo
echo "| input | program | wall s | peak MiB | peer/ours wall | peer/ours peak | wall s, each run |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
printf '%s\n' "${NOTES[@]}"
echo
echo "- inputs: 2.5° = $(basename "$IN25") (360 x 73 x 144); 0.25° = $(basename "$IN025") (120 x 721 x 1440)"
if ((have_peer)); then echo "- peer: $("$PEER" --version 2>&1 | head -n 1)"; fi
if ((have_ours)); then echo "- ours: $("$STORMTRACK" --version 2>&1 | head -n 1)"; fi
echo "- nproc: $(nproc); CPU: $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "- uptime before: $LOAD_BEFORE"
echo "- uptime after:  $(uptime)"
echo "- outputs and logs: $OUTDIR"
