"""Worker processes that each hold one multilingual USE model with one thread, for large embedding calls.

Why processes: the encoder's matrices are small, so one process with 2 threads leaves a core idle much of the time.
Two processes with one thread each encoded 3,000 reviews 1.31x faster on 2 cores with the wheel's float32 pass and
1.27x faster at bfloat16 with the C++ tokenizer (``benchmarks/bench_embed.py``). Results equal the in-process
path's (float32: within 1e-6, BLAS rounding; bfloat16: exactly, measured).

Start method: ``forkserver``. The parent may hold threads (Streamlit's server, DuckDB), and forking a threaded
process can copy a held lock into the child, so plain ``fork`` is out. ``forkserver`` and ``spawn`` both start workers
from a clean single-threaded interpreter; they measured the same start-up here (the ~1 s model load dominates), and
``forkserver`` is used because every later pool in the same process forks from the already running server instead of
booting a fresh interpreter (and shuts workers down faster: 0.02 s against 0.2 s). The forkserver itself stays until
the parent exits. This module imports nothing beyond numpy (the encoder brings torch at bfloat16), so workers never
import Streamlit through it.

A ``spawn``/``forkserver`` child normally re-runs the parent's ``__main__`` script; Streamlit makes the app script
``__main__``, so each worker would run the whole app (measured: 750 MB per worker instead of ~240 MB). The workers are
launched with a bare stand-in ``__main__`` instead (``_bare_main``): they need nothing from it.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import types
import weakref
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

logger = logging.getLogger(__name__)

START_METHOD = "forkserver"
_worker_model = None  # the model inside a worker process, loaded once by the initializer


def _load_worker_model(precision: str) -> None:
    """Initializer: load the model with 1 thread, and encode once so the weights are read before real work."""
    global _worker_model
    from analysis.encoders.use_encoder import UseEncoder

    _worker_model = UseEncoder(threads=1, precision=precision)
    _worker_model.encode(["warm up"])


def _encode_chunk(texts: list[str]) -> np.ndarray:
    """Raw (un-normalised) float32 vectors of one chunk, in order."""
    return np.asarray(_worker_model.encode(texts), dtype=np.float32)


def _ping(_: int) -> int:
    return os.getpid()


def _shutdown(executor: ProcessPoolExecutor) -> None:
    """Stop the workers and wait for them, so no process outlives the pool (no zombies, no hang at exit)."""
    executor.shutdown(wait=True, cancel_futures=True)


_main_lock = threading.Lock()


@contextmanager
def _bare_main():
    """While workers launch, ``__main__`` is an empty module, so they do not re-run the parent's script."""
    with _main_lock:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def split(texts: Sequence[str], parts: int, most: int) -> list[list[str]]:
    """Consecutive chunks of at most ``most`` texts and at least ``parts`` chunks, so every worker gets work."""
    size = max(1, min(most, math.ceil(len(texts) / max(parts, 1))))
    return [list(texts[i : i + size]) for i in range(0, len(texts), size)]


class EncoderPool:
    """A pool of ``processes`` workers, started on construction; raises if it cannot start or a worker dies."""

    def __init__(self, processes: int, chunk_size: int = 256, precision: str = "float32",
                 start_method: str = START_METHOD) -> None:
        import multiprocessing

        self.processes = processes
        self.chunk_size = chunk_size
        self._executor = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context(start_method),
            initializer=_load_worker_model,
            initargs=(precision,),
        )
        self._finalizer = weakref.finalize(self, _shutdown, self._executor)
        try:  # launch every worker now (the first task does), so a pool that cannot start fails here
            with _bare_main():  # one task per worker: each submit launches a worker while none is idle
                futures = [self._executor.submit(_ping, i) for i in range(processes)]
            for future in futures:
                future.result()
        except BaseException:
            self.close()
            raise

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Raw vectors of ``texts`` in order; chunks go to the workers as they free up."""
        chunks = split(texts, self.processes, self.chunk_size)
        with _bare_main():  # submitting may launch a worker that was not needed before
            results = self._executor.map(_encode_chunk, chunks)
        return np.vstack(list(results))

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for tests and memory reports)."""
        return list(getattr(self._executor, "_processes", None) or {})

    @property
    def alive(self) -> bool:
        return self._finalizer.alive

    def close(self) -> None:
        """Shut the workers down now (also runs when the pool is garbage collected or the interpreter exits)."""
        self._finalizer()

