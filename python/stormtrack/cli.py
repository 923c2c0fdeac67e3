"""The `stormtrack` command installed with the Python package: the same command line as the
Rust binary (one parser, in Rust). GRIB inputs the core's own reader does not decode
(docs/input.md#grib) are read here with xarray's cfgrib engine (the `grib` extra) and handed to
the command as temporary NetCDF files."""

from __future__ import annotations

import sys


def _input_positions(argv: list[str]) -> list[int]:
    """Indices in `argv` of the values of `-i`/`--input` (each flag takes one or more)."""
    out = []
    i = 0
    while i < len(argv):
        if argv[i] in ("-i", "--input"):
            i += 1
            while i < len(argv) and not argv[i].startswith("-"):
                out.append(i)
                i += 1
        else:
            i += 1
    return out


def _option(argv: list[str], name: str) -> str | None:
    for k, a in enumerate(argv):
        if a == name and k + 1 < len(argv):
            return argv[k + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def _without_engine(argv: list[str]) -> list[str]:
    """`--engine cfgrib` is handled here; the core reads the NetCDF copies."""
    out, skip = [], False
    for k, a in enumerate(argv):
        if skip:
            skip = False
        elif a == "--engine" and k + 1 < len(argv) and argv[k + 1] == "cfgrib":
            skip = True
        elif a != "--engine=cfgrib":
            out.append(a)
    return out


def main() -> None:
    import stormtrack  # noqa: F401  (version check, allocator order)
    from stormtrack import _core
    from stormtrack._netcdf_copy import is_grib, needs_eccodes, readable_paths

    argv = sys.argv[1:]
    try:
        variable = _option(argv, "--variable")
        positions = [k for k in _input_positions(argv) if is_grib(argv[k]) and needs_eccodes(argv[k], variable)]
    except _core.StormtrackError as e:
        print(f"stormtrack: error: {e}", file=sys.stderr)
        sys.exit(2)
    address = _option(argv, "--dask-scheduler")
    if address is not None:
        sys.exit(_on_dask(argv, address, bool(positions)))
    if not positions:
        sys.exit(_core.cli_main(["stormtrack", *argv]))
    try:
        with readable_paths([argv[k] for k in positions], variable) as files:
            for k, f in zip(positions, files):
                argv[k] = f
            code = _core.cli_main(["stormtrack", *_without_engine(argv)])
    except _core.StormtrackError as e:
        print(f"stormtrack: error: {e}", file=sys.stderr)
        code = 2
    sys.exit(code)


def _on_dask(argv: list[str], address: str, grib: bool) -> int:
    """`--dask-scheduler ADDRESS`: the workers of that scheduler detect, this process links
    and writes (docs/distributed.md)."""
    import os

    from stormtrack import _core
    from stormtrack._distributed import cli_runner, connect

    try:
        if grib:
            raise _core.StormtrackError("these GRIB inputs need ecCodes, which Dask workers do not run here; convert them to NetCDF first, or use st.track() with an xarray Dataset")
        client = connect(address)
    except _core.StormtrackError as e:
        print(f"stormtrack: error: {e}", file=sys.stderr)
        return 2
    # the workers' working directory may differ: they get absolute input paths
    worker_argv = list(argv)
    for k in _input_positions(argv):
        worker_argv[k] = os.path.abspath(argv[k])
    try:
        return _core.cli_main(["stormtrack", *argv], cli_runner(client, ["stormtrack", *worker_argv]))
    finally:
        client.close()


if __name__ == "__main__":
    main()
