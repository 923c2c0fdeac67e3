# Sourced by the benchmark scripts, with the script's name as $1: the repository root as the
# working directory, our CLI, the number of timed runs, an output folder and the ERA5 data.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STORMTRACK=${STORMTRACK:-target/release/stormtrack}
REPEAT=${REPEAT:-3}
OUTDIR=${OUTDIR:-$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")}
DATA=$ROOT/../shared/data/era5
mkdir -p "$OUTDIR"
[[ -x /usr/bin/time ]] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# run NAME CMD...: warm-up, then REPEAT timed runs; sets T (median s) and M (median peak MB)
run() {
    local name=$1; shift
    "$@" > "$OUTDIR/$name.warm.log" 2>&1 || { echo "$name failed, see $OUTDIR/$name.warm.log" >&2; return 1; }
    : > "$OUTDIR/$name.times"
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -f '%e %M' -o "$OUTDIR/$name.time1" "$@" > "$OUTDIR/$name.log" 2>&1
        cat "$OUTDIR/$name.time1" >> "$OUTDIR/$name.times"
    done
    T=$(awk '{print $1}' "$OUTDIR/$name.times" | median)
    M=$(awk '{print $2/1024}' "$OUTDIR/$name.times" | median)
}
