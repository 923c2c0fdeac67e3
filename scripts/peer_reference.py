"""What the peer reference generators (scripts/peer_*.py) share: compact JSON under
tests/data, and the command line (`--no-era5` skips the references made from ERA5 files)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data"


def dump(obj: object, name: str) -> None:
    """Write `obj` as compact JSON (no NaN) to tests/data/`name`."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    (OUT / name).write_text(text + "\n")
    print(name, len(text), "bytes")


def main(synthetic: tuple[str, Callable[[], object]], era5: tuple[str, Callable[[], object]]) -> None:
    """Write the synthetic reference, and the ERA5 one unless `--no-era5` is given."""
    OUT.mkdir(parents=True, exist_ok=True)
    dump(synthetic[1](), synthetic[0])
    if "--no-era5" not in sys.argv:
        dump(era5[1](), era5[0])
