"""The `stormtrack` command installed with the Python package: the same command line as the
Rust binary (one parser, in Rust)."""

from __future__ import annotations

import sys


def main() -> None:
    import stormtrack  # noqa: F401  (version check, allocator order)
    from stormtrack import _core

    sys.exit(_core.cli_main(["stormtrack", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
