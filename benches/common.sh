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
