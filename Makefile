# stormtrack: the two commands of the README.
#   make demo   install the system libraries that are missing, build the command line alone
#               (release, default features: no Polars, DataFusion or Python) and run the demo
#               on synthetic storms: minutes on a cold two-core machine
#   make test   install what is missing, build, run every test (Rust, SQL, Python)
# and the Python package, a command of its own:
#   make install  build and install the package (`pip install .`, feature `full`)
# `make test` builds once, in one profile (`ci`: our code optimised, dependencies not, see
# Cargo.toml) with one feature set (`full`): the Python tests load the extension module and
# the binary that `cargo test` built. `make demo`, `make bench` and `pip install .` build release.

CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
PYTHON ?= python3
# mold links the large test binaries several times faster; setup installs it where it can
export RUSTFLAGS ?= $(if $(shell command -v mold 2>/dev/null),-C link-arg=-fuse-ld=mold,)
CARGO_FLAGS := --profile ci --locked --workspace --features stormtrack/full
BIN := $(CARGO_TARGET_DIR)/ci/stormtrack
EXT := python/stormtrack/_core.abi3.so

.PHONY: setup setup-system install build demo test test-rust test-python ext docs bench

setup:
	@bash scripts/setup.sh

setup-system:
	@bash scripts/setup.sh --system-only

# The Python package (maturin, release, feature `full`) with the `stormtrack` command.
install: setup
	$(PYTHON) -m pip install --no-build-isolation -q .

demo: setup-system
	cargo build --release --locked --bin stormtrack
	$(CARGO_TARGET_DIR)/release/stormtrack demo

build: setup
	cargo build --release --locked --workspace --features stormtrack/full --lib --bins --examples

test: setup test-rust ext test-python

test-rust:
	cargo test $(CARGO_FLAGS)

# the extension module cargo built (same build as the Rust tests), placed in the package
ext:
	cargo build $(CARGO_FLAGS) --lib --bins --examples
	cp -f $(CARGO_TARGET_DIR)/ci/libstormtrack.so $(EXT)

# The GRIB tests load ecCodes' bundled libraries; in the same process as the other tests a later
# netCDF4 open crashed (segmentation fault) in 2 of 3 full runs, never with them apart
# (docs/input.md#grib): they run in a process of their own, as do the tests marked `eccodes`
# (the compatibility API's GRIB cases through cfgrib).
# the explorer is tested in headless Chromium: required here (scripts/setup.sh installs it)
PYTEST := PYTHONPATH=$(CURDIR)/python STORMTRACK_BIN=$(BIN) STORMTRACK_REQUIRE_CHROMIUM=1 $(PYTHON) -m pytest -q -p no:cacheprovider
test-python:
	$(PYTEST) --doctest-modules -m "not eccodes" --ignore=python/stormtrack/__main__.py --ignore=tests/python/test_grib_and_xarray.py tests/python python/stormtrack
	$(PYTEST) tests/python/test_grib_and_xarray.py
	$(PYTEST) -m eccodes tests/python

# regenerate docs/sql.md from the functions' documentation
docs:
	STORMTRACK_BLESS=1 cargo test $(CARGO_FLAGS) --test frontends docs_sql_md

bench: build
	cp -f $(CARGO_TARGET_DIR)/release/libstormtrack.so $(EXT)
	bash benches/compare_peer.sh
	STORMTRACK=$(CARGO_TARGET_DIR)/release/stormtrack bash benches/hodges_peer.sh
	STORMTRACK=$(CARGO_TARGET_DIR)/release/stormtrack bash benches/metrics_peer.sh
	PYTHONPATH=$(CURDIR)/python STORMTRACK_BIN=$(CARGO_TARGET_DIR)/release/stormtrack $(PYTHON) benches/frontends.py
