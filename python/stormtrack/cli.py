"""The `stormtrack` command installed with the Python package: the same command line as the
Rust binary (one parser, in Rust). GRIB inputs (`-i x.grib`, the `grib` extra) are read here
with xarray's cfgrib engine and handed to the command as temporary NetCDF files."""

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
    from stormtrack._netcdf_copy import is_grib, readable_paths

    argv = sys.argv[1:]
    positions = [k for k in _input_positions(argv) if is_grib(argv[k])]
    if not positions:
        sys.exit(_core.cli_main(["stormtrack", *argv]))
    try:
        with readable_paths([argv[k] for k in positions], _option(argv, "--variable")) as files:
            for k, f in zip(positions, files):
                argv[k] = f
            code = _core.cli_main(["stormtrack", *_without_engine(argv)])
    except _core.StormtrackError as e:
        print(f"stormtrack: error: {e}", file=sys.stderr)
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
