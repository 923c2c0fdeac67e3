# stormtrack: the two commands of the README.
#   make demo   install what is missing, build, run the demo on the bundled synthetic input
#   make test   install what is missing, build, run every test (Rust and Python)
# One profile (release) and one feature set (default) for everything, so nothing builds twice.

CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
BIN := $(CARGO_TARGET_DIR)/release/stormtrack
PYTHON ?= python3

.PHONY: setup build demo test test-rust test-python bench

setup:
	@bash scripts/setup.sh

build: setup
	cargo build --release --locked

demo: build
	$(BIN) demo

test: setup
	cargo test --release --locked
	$(MAKE) --no-print-directory test-python

test-python:
	STORMTRACK_BIN=$(BIN) $(PYTHON) -m pytest -q tests/python

bench: build
	bash benches/compare_peer.sh
