"""DataFusion: stormtrack's SQL functions in a Python ``datafusion.SessionContext``, handed
over as datafusion-ffi capsules (the same Rust functions the CLI's ``stormtrack sql`` runs)."""

from __future__ import annotations

import os
from typing import Any

from stormtrack import _core

TABLES = tuple(_core.DATASET_TABLES)


def register_all(ctx: Any) -> Any:
    """Register every stormtrack function (scalar, aggregate, window) with ``ctx``."""
    from datafusion import udaf, udf, udwf

    for kind, obj in _core.sql_functions():
        if kind == "scalar":
            ctx.register_udf(udf(obj))
        elif kind == "aggregate":
            ctx.register_udaf(udaf(obj))
        else:
            ctx.register_udwf(udwf(obj))
    return ctx


def sql_context(tracks: str | os.PathLike[str] | None = None, ctx: Any = None) -> Any:
    """A ``datafusion.SessionContext`` with every function registered and, given a dataset
    directory, its tables ``centers``, ``track_points`` and ``tracks`` (partition columns
    ``year``, ``month`` as INT)."""
    import pyarrow as pa
    from datafusion import SessionContext

    ctx = SessionContext() if ctx is None else ctx
    register_all(ctx)
    if tracks is not None:
        root = os.fspath(_core.dataset_snapshot(os.fspath(tracks)))
        for t in _core.dataset_tables(root):
            ctx.register_parquet(
                t,
                os.path.join(root, t) + os.sep,
                table_partition_cols=[(c, pa.int32()) for c in _core.PARTITION_COLUMNS],
                file_extension=".parquet",
            )
    return ctx
