#!/usr/bin/env bash
# The grids and refinements of issue #15 against PyStormTracker 0.8.0 in the same run, warm (one
# untimed run of each first), on the DJF 2025/26 ERA5 msl file at 2.5 degrees (360 frames):
#   healpix_t542   -a healpix --lmin 5 --lmax 42          (regrid to nside 32, spectral taper 0.1)
#   healpix_raw    -a healpix --object-threshold 100000   (no filter: the whole bandwidth, lmax 71)
#   healpix_o32    -a healpix --nside 32 --object-threshold 100000 on the octahedral reduced
#                  Gaussian GRIB tests/data/grib/msl_o32.grib2 (40 frames; the peer needs cfgrib)
#   healpix_input  the same on a HEALPix input (tests/data/healpix/era5_msl_hp32.nc: 40 frames
#                  at nside 32 written by the peer's regridder), read as it is
#   reduced_nc     the same on its first 12 frames in NetCDF as xarray writes what cfgrib opened
#                  (tests/data/reduced/msl_o32_cfgrib.nc; the peer reads a `values` dimension)
#   healpix_part   -a healpix --object-threshold 100000 on a part of the sphere: the first 4000
#                  RING cells of the HEALPix input (north of ~35N), written into OUTDIR by xarray
#                  with the input's crs and cell coordinate (ours only: the peer crashes on it
#                  with its default backend, a segmentation fault, and finds no track with
#                  -b serial, taking the cells for a whole sphere)
#   sphq_t542      -a hodges --lmin 5 --lmax 42 --feature-refinement spherical_quadratic
#   sphb_thr1e5    -a hodges --object-threshold 100000 --feature-refinement spherical_bspline
#   sphb_t542      -a hodges --lmin 5 --lmax 42 --feature-refinement spherical_bspline
#   taper_simple   --taper-points 5 (Simple)
#   stereo_simple  -p nh_stereo (Simple, 261 x 261 points at 100 km)
#   stereo_hodges  -a hodges -p nh_stereo --lmin 5 --lmax 42 --object-threshold -1
#                  --feature-refinement grid -n 60 (objects below -1 Pa: the peer's plane holds 0
#                  beyond the disc, which its default threshold 0 takes for one huge object)
# Each timed command runs REPEAT times under /usr/bin/time; medians and the ratio peer/ours.
# Then ours are compared with the peer's (stormtrack compare, nearest matching).
#
# Environment (all optional):
#   PEER        peer CLI              [/tmp/peer/bin/stormtracker]; skipped if absent
#   STORMTRACK  our CLI               [target/release/stormtrack]
#   REPEAT      timed runs            [3]
#   OUTDIR      outputs and logs      [a new temporary folder]
#   CASES       which cases to run    [all of the above]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" grids_peer
PEER=${PEER:-/tmp/peer/bin/stormtracker}
CASES=${CASES:-"healpix_t542 healpix_raw healpix_input healpix_o32 reduced_nc healpix_part sphq_t542 sphb_thr1e5 sphb_t542 taper_simple stereo_simple stereo_hodges"}
[[ -x $STORMTRACK ]] || { echo "$STORMTRACK not found: cargo build --release" >&2; exit 1; }
have_peer=0; [[ -x $PEER ]] && have_peer=1
LATLON=$DATA/era5_msl_djf2526_2.5deg.nc
HEALPIX_INPUT=$(dirname "${BASH_SOURCE[0]}")/../tests/data/healpix/era5_msl_hp32.nc
OCTAHEDRAL=$(dirname "${BASH_SOURCE[0]}")/../tests/data/grib/msl_o32.grib2
REDUCED_NC=$(dirname "${BASH_SOURCE[0]}")/../tests/data/reduced/msl_o32_cfgrib.nc
HEALPIX_PART=$OUTDIR/hp32_north_cap.nc
if [[ " $CASES " == *" healpix_part "* ]]; then
    python3 -c "import sys, xarray as xr; xr.open_dataset(sys.argv[1]).load().isel(cell=slice(0, 4000)).to_netcdf(sys.argv[2])" "$HEALPIX_INPUT" "$HEALPIX_PART"
fi

echo "| case | peer s | peer MB | stormtrack s | stormtrack MB | ratio |"
echo "|---|---|---|---|---|---|"
for case in $CASES; do
    IN=$LATLON
    peer_case=$have_peer
    case $case in
        healpix_input) ARGS=(-a healpix --object-threshold 100000); IN=$HEALPIX_INPUT ;;
        healpix_o32) ARGS=(-a healpix --nside 32 --object-threshold 100000); IN=$OCTAHEDRAL ;;
        reduced_nc) ARGS=(-a healpix --nside 32 --object-threshold 100000); IN=$REDUCED_NC ;;
        healpix_part) ARGS=(-a healpix --object-threshold 100000); IN=$HEALPIX_PART; peer_case=0 ;;
        healpix_t542) ARGS=(-a healpix --lmin 5 --lmax 42) ;;
        healpix_raw) ARGS=(-a healpix --object-threshold 100000) ;;
        sphq_t542) ARGS=(-a hodges --lmin 5 --lmax 42 --feature-refinement spherical_quadratic) ;;
        sphb_thr1e5) ARGS=(-a hodges --object-threshold 100000 --feature-refinement spherical_bspline) ;;
        sphb_t542) ARGS=(-a hodges --lmin 5 --lmax 42 --feature-refinement spherical_bspline) ;;
        taper_simple) ARGS=(--taper-points 5) ;;
        stereo_simple) ARGS=(-p nh_stereo) ;;
        stereo_hodges) ARGS=(-a hodges -p nh_stereo --lmin 5 --lmax 42 --object-threshold -1 --feature-refinement grid -n 60) ;;
        *) echo "unknown case $case" >&2; exit 1 ;;
    esac
    run "ours_$case" "$STORMTRACK" track -i "$IN" --variable msl "${ARGS[@]}" -o "$OUTDIR/ours_$case.trackjson" -q
    to=$T; mo=$M; tp=-; mp=-; ratio=-
    if [[ $peer_case == 1 ]]; then
        run "peer_$case" "$PEER" track -i "$IN" --variable msl "${ARGS[@]}" -o "$OUTDIR/peer_$case.trackjson"
        tp=$T; mp=$M; ratio=$(awk -v a="$tp" -v b="$to" 'BEGIN{printf "%.1fx", a/b}')
        "$STORMTRACK" compare "$OUTDIR/peer_$case.trackjson" "$OUTDIR/ours_$case.trackjson" | sed "s/^/    $case vs peer: /" >&2
    fi
    echo "| $case | $tp | $mp | $to | $mo | $ratio |"
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); outputs in $OUTDIR" >&2
