"""Import-time check that the installed Polars and DataFusion are the ones stormtrack was
built against: expression plugins and DataFusion FFI capsules only work with matching
versions, and a mismatch otherwise shows up as an obscure crash or deserialisation error."""

from __future__ import annotations

import importlib.metadata
import os

# Python packages whose Rust crates this build links (polars 0.55.2 <-> polars 2.1,
# datafusion-ffi 55.2 <-> datafusion 55).
POLARS_SERIES = (2, 1)
DATAFUSION_MAJOR = 55
EXPECTED = "polars 2.1.x and datafusion 55.x"


def _parse(version: str) -> tuple[int, ...]:
    parts = []
    for p in version.split(".")[:2]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def installed(package: str) -> str | None:
    """The installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check(polars_version: str | None, datafusion_version: str | None) -> None:
    """Raise ImportError naming the expected versions when the installed ones differ."""
    if os.environ.get("STORMTRACK_SKIP_VERSION_CHECK") == "1":
        return
    problems = []
    if polars_version is None:
        problems.append("polars is not installed")
    elif _parse(polars_version)[:2] != POLARS_SERIES:
        problems.append(f"polars {polars_version} is installed")
    if datafusion_version is not None and _parse(datafusion_version)[0] != DATAFUSION_MAJOR:
        problems.append(f"datafusion {datafusion_version} is installed")
    if problems:
        raise ImportError(
            f"stormtrack was built for {EXPECTED}, but {' and '.join(problems)}; "
            "install the matching versions: pip install 'polars==2.1.0' 'datafusion==55.0.0' "
            "(set STORMTRACK_SKIP_VERSION_CHECK=1 to try anyway)"
        )
