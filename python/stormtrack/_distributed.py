"""Detection on Dask workers, linking once here (docs/distributed.md).

The core asks a *runner* ``runner(start, end)`` for frames ``start..end`` of the input and
links what comes back. The runners here split those frames into blocks, submit one task per
block to a ``distributed.Client`` and yield each block's bytes (compact Arrow IPC centres,
never fields) as the task finishes. Detection is per frame and the core puts the blocks back
in frame order, so the tracks equal the single-process run's, byte for byte.

- Files: each task opens the files itself (they must be readable at the same paths on every
  worker, as on a cluster's shared file system) and detects its frames.
- xarray: each task is one time chunk of the (dask-backed) array, computed on the worker by
  Dask, written there to a temporary NetCDF file and detected as that file; the client writes
  only a header (coordinates and attributes, no data) to open the run with.
"""
from __future__ import annotations

import math
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from stormtrack import _core

DASK_EXTRA = "Dask runs need the dask extra: pip install 'stormtrack[dask]' (dask and distributed)"

#: Largest number of frames in one task: enough to amortise the task's overhead, few enough
#: to spread a season over many workers.
MAX_BLOCK_FRAMES = 64


def resolve_client(client: Any) -> Any:
    """``client``, else the active ``distributed.Client`` if ``distributed`` is in use, else
    ``None`` (one process); ``client=False`` keeps the run in this process."""
    if client is False:
        return None
    if client is not None:
        if not hasattr(client, "submit") or not hasattr(client, "scheduler_info"):
            raise TypeError(f"client= takes a distributed.Client, not {type(client).__name__}")
        return client
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client

    try:
        return default_client()
    except ValueError:  # no client is active
        return None


def connect(address: str) -> Any:
    """A client of the scheduler at ``address`` (``--dask-scheduler``)."""
    try:
        from distributed import Client
    except ImportError:
        raise _core.StormtrackError(DASK_EXTRA) from None
    import dask

    try:
        # Dask's own setting (distributed.comm.timeouts.connect) bounds the wait
        return Client(address, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except OSError as e:
        raise _core.StormtrackError(f"cannot reach the Dask scheduler at {address} ({e}); check --dask-scheduler and that the scheduler runs") from None


def block_frames(n: int, client: Any) -> int:
    """Frames per task: about four tasks per worker, at most :data:`MAX_BLOCK_FRAMES`."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return max(1, min(MAX_BLOCK_FRAMES, math.ceil(n / (4 * workers))))


def _gathered(futures: dict[Any, tuple[int, int]]) -> Iterator[bytes]:
    """Each task's bytes as it finishes; the first failure is one line naming its frames, and
    the other tasks are cancelled (the core writes nothing)."""
    from distributed import as_completed

    try:
        for future in as_completed(list(futures)):
            a, b = futures[future]
            try:
                yield future.result()
            except _core.StormtrackError as e:
                raise _core.StormtrackError(f"frames {a}..{b} on a Dask worker: {e}") from None
            except Exception as e:  # KilledWorker, a lost connection, a worker out of memory
                raise _core.StormtrackError(
                    f"the Dask task detecting frames {a}..{b} failed ({type(e).__name__}: {e}); nothing was written"
                ) from None
    finally:
        for future in futures:
            future.cancel()


def _ranges(start: int, end: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, end)) for a in range(start, end, size)]


def _detect_files(paths: list[str], variable: str, options: dict[str, Any], start: int, end: int) -> bytes:
    """A worker's task on files: frames ``start..end`` as one block."""
    from stormtrack import _core as core

    return core.detect_block(paths, variable, options, start, end)


def _detect_cli(argv: list[str], start: int, end: int) -> bytes:
    """A worker's task for ``--dask-scheduler``: frames of the command line's input."""
    from stormtrack import _core as core

    return core.cli_detect_block(argv, start, end)


def _detect_dataarray(block: Any, variable: str, options: dict[str, Any], start: int, end: int, offset: int) -> bytes:
    """A worker's task on one time chunk (computed by Dask before the call), holding frames
    ``offset..`` of the run: frames ``start..end`` as one block."""
    from stormtrack import _core as core
    from stormtrack._netcdf_copy import netcdf_copy

    with netcdf_copy(block, variable) as path:
        return core.detect_block([path], variable, options, start, end, frame_offset=offset)


def _submit_ranges(client: Any, make: Callable[[int, int], Any], ranges: list[tuple[int, int]]) -> dict[Any, tuple[int, int]]:
    token = uuid.uuid4().hex[:8]
    return {make(a, b, f"stormtrack-detect-{token}-{a}-{b}"): (a, b) for a, b in ranges}


def _blocks_runner(client: Any, task: Callable[..., bytes], *args: Any) -> Callable[[int, int], Iterator[bytes]]:
    """A runner submitting ``task(*args, start, end)`` for blocks of :func:`block_frames` frames."""

    def run(start: int, end: int) -> Iterator[bytes]:
        ranges = _ranges(start, end, block_frames(end - start, client))
        futures = _submit_ranges(client, lambda a, b, key: client.submit(task, *args, a, b, key=key, pure=False), ranges)
        return _gathered(futures)

    return run


def file_runner(client: Any, paths: list[str], variable: str, options: dict[str, Any]) -> Callable[[int, int], Iterator[bytes]]:
    """The runner of a file series."""
    return _blocks_runner(client, _detect_files, paths, variable, options)


def cli_runner(client: Any, argv: list[str]) -> Callable[[int, int], Iterator[bytes]]:
    """The runner of ``stormtrack track|detect ... --dask-scheduler``."""
    return _blocks_runner(client, _detect_cli, argv)


def dataarray_runner(client: Any, da: Any, variable: str, options: dict[str, Any]) -> Callable[[int, int], Iterator[bytes]]:
    """The runner of a dask-backed (time, latitude, longitude) DataArray: one task per time
    chunk, computed where Dask places it."""
    import dask
    import numpy as np

    bounds = [int(x) for x in np.cumsum((0, *da.chunks[0]))]
    time = da.dims[0]
    options = {k: v for k, v in options.items() if k not in ("start", "end", "n_frames")}  # the core passes the selected frames

    def run(start: int, end: int) -> Iterator[bytes]:
        tasks, ranges = [], []
        for a, b in zip(bounds[:-1], bounds[1:]):
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                block = da.isel({time: slice(a, b)})
                tasks.append(dask.delayed(_detect_dataarray, pure=False)(block, variable, options, lo, hi, a))
                ranges.append((lo, hi))
        futures = client.compute(tasks)
        return _gathered(dict(zip(futures, ranges)))

    return run
