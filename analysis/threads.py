"""Native thread counts (BLAS, torch) in a process that runs analyses in several threads at once.

Why: BLAS and torch thread counts are process-wide, and OpenBLAS's pthreads server can hang for good when one thread
changes its count while another thread is inside a BLAS call (threadpoolctl issue #205, OpenBLAS #660). The dashboard
runs one script thread per session, and every encoder call used to set the count around itself, so four sessions
analysing at once hung that way on CI. A process that serves several sessions therefore calls :func:`pin_for_sessions`
once, before any analysis: every BLAS library gets one thread and torch keeps its count, and from then on
:func:`blas_threads` and :func:`torch_threads` change nothing. A CLI or batch process runs one analysis at a time and
keeps the per-call counts, which measured faster there. OpenMP's count is per calling thread, so limiting it stays
safe everywhere. (scikit-learn still sets BLAS to one thread around its KMeans loops; at one already, OpenBLAS runs
every call in its caller's thread and its thread server, where the hang happens, never starts.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_pinned = False
_pin_lock = threading.Lock()


def pin_for_sessions(blas: int = 1) -> None:
    """Fix BLAS at ``blas`` threads for the rest of the process and stop per-call changes (idempotent)."""
    global _pinned
    with _pin_lock:
        if _pinned:
            return
        _preload(SESSION_MODULES)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=blas, user_api="blas")  # not a context: the limit stays
        _pinned = True


SESSION_MODULES = ("numpy", "scipy.linalg", "scipy.sparse", "scipy.optimize", "scipy.stats", "sklearn.cluster", "torch")
"""Imported once, in the thread that pins, before sessions run. Why: the limit must reach every BLAS library the
analysis uses (scipy's serves scikit-learn), and sessions that import torch lazily in parallel threads can get a
half-initialised module ("partially initialized module 'torch' has no attribute 'Tensor'", seen on CI when four
sessions started encoding at once), because Python's import-deadlock guard hands one of them the module mid-import."""


def _preload(names: tuple[str, ...]) -> None:
    """Import each installed module of ``names``; one that is not installed is skipped (torch is optional here)."""
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            continue


def pinned() -> bool:
    """True once :func:`pin_for_sessions` ran: callers must not change native thread counts."""
    return _pinned


@contextmanager
def blas_threads(limit: int) -> Iterator[None]:
    """At most ``limit`` BLAS threads inside the block; nothing changes in a pinned process."""
    if _pinned:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=limit, user_api="blas"):
        yield


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """torch's intra-op threads set to ``count`` inside the block (None: unchanged); nothing changes when pinned."""
    if _pinned or not count:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def set_torch_threads(count: int) -> None:
    """torch's intra-op threads from now on (training), unless the process is pinned."""
    if not _pinned:
        import torch

        torch.set_num_threads(count)
