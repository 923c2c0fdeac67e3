#!/usr/bin/env bash
# Install what stormtrack needs on a fresh Debian/Ubuntu machine: the NetCDF C library (read by
# the `netcdf` crate) and the Python packages the test suite reads our Parquet output with.
# Idempotent: installs only what is missing.
set -euo pipefail
if ! pkg-config --exists netcdf 2>/dev/null; then
  echo "setup: installing libnetcdf-dev libhdf5-dev pkg-config (apt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libnetcdf-dev libhdf5-dev pkg-config >/dev/null
fi
PY="${PYTHON:-python3}"
if ! "$PY" -c "import polars, datafusion, pyarrow, pytest, duckdb" 2>/dev/null; then
  echo "setup: installing Python test dependencies (pip)"
  "$PY" -m pip install -q -r "$(dirname "$0")/../requirements-dev.txt"
fi
