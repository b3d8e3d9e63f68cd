"""The USE-m worker pool: same vectors as in-process, in order, reused, started only for large calls, and never losing
rows when a worker dies. Real model and real worker processes throughout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.config import Settings
from analysis.encoders import UseEmbedder, load_embedder

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 50  # low, so a few hundred texts go through the pool


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """300 mixed Chinese/English sample reviews plus the awkward ones: empty, emoji, very long, one character."""
    reviews = pd.read_csv(ROOT / "sample_data" / "reviews.csv")["review"].astype(str).tolist()[:296]
    return reviews + ["", "👍👍 好评！Great!!", "电池不耐用。" * 100, "a"]


@pytest.fixture(scope="module")
def here(texts) -> np.ndarray:
    return UseEmbedder(processes=1).embed(texts)


@pytest.fixture(scope="module")
def pooled():
    embedder = UseEmbedder(processes=2, pool_threshold=THRESHOLD)
    yield embedder
    embedder.close()


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    """True once ``pid`` no longer exists (exited and reaped, so not a zombie either)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_the_pool_gives_the_in_process_vectors_in_order(pooled, texts, here):
    vectors = pooled.embed(texts)
    assert pooled.pool is not None and len(pooled.pool.worker_pids()) == 2
    assert vectors.shape == (len(texts), 512) and vectors.dtype == np.float32
    assert np.abs(vectors - here).max() < 1e-6  # BLAS rounding at most
    backwards = pooled.embed(texts[::-1])
    assert np.abs(backwards - here[::-1]).max() < 1e-6


def test_the_pool_is_reused_across_calls(pooled, texts):
    pooled.embed(texts[:THRESHOLD])
    pool, pids = pooled.pool, pooled.pool.worker_pids()
    pooled.embed(texts[THRESHOLD : 3 * THRESHOLD])
    assert pooled.pool is pool and pooled.pool.worker_pids() == pids


def test_empty_and_small_calls_never_start_a_pool(texts, here):
    embedder = UseEmbedder(processes=2, pool_threshold=THRESHOLD)
    assert embedder.embed([]).shape == (0, 512)
    small = embedder.embed(texts[: THRESHOLD - 1])
    assert embedder.pool is None
    np.testing.assert_allclose(small, here[: THRESHOLD - 1], atol=1e-6)


def test_a_dead_worker_costs_no_rows_and_a_fresh_pool_takes_over(texts, here):
    embedder = UseEmbedder(processes=2, pool_threshold=THRESHOLD)
    embedder.embed(texts[:THRESHOLD])
    victim = embedder.pool.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_gone(victim)
    vectors = embedder.embed(texts)  # the broken pool fails, this call is encoded in-process
    assert embedder.pool_failures == 1 and embedder.pool is None
    assert np.abs(vectors - here).max() < 1e-6
    again = embedder.embed(texts[:THRESHOLD])  # the next large call starts a fresh pool
    assert embedder.pool is not None and victim not in embedder.pool.worker_pids()
    assert np.abs(again - here[:THRESHOLD]).max() < 1e-6
    embedder.close()


def test_a_pool_that_cannot_start_leaves_the_embedder_in_process(texts, here, monkeypatch):
    import analysis.encoders.pool

    def refuse(*args, **kwargs):
        raise OSError("no processes allowed here")

    monkeypatch.setattr(analysis.encoders.pool, "EncoderPool", refuse)
    embedder = UseEmbedder(processes=2, pool_threshold=THRESHOLD)
    assert np.abs(embedder.embed(texts[:60]) - here[:60]).max() < 1e-6
    assert embedder.pool is None and not embedder._wants_pool(len(texts))  # stops trying


def test_close_ends_the_workers(texts):
    embedder = UseEmbedder(processes=2, pool_threshold=THRESHOLD)
    embedder.embed(texts[:THRESHOLD])
    pids = embedder.pool.worker_pids()
    embedder.close()
    assert embedder.pool is None and all(wait_gone(pid) for pid in pids)


def test_a_cached_embedder_releases_its_encoder_and_loads_it_again_when_needed(texts, here):
    """The batch CLI releases the encoder (workers and in-process model) once every vector is cached; the embedder
    must keep working after."""
    from analysis.encoders import CachedEmbedder

    inner = UseEmbedder(processes=2, pool_threshold=10)  # the sample repeats texts: the cache passes on fewer
    cached = CachedEmbedder(inner)
    cached.embed(texts[:THRESHOLD])
    cached.embed(["刚到货，还没用。Just arrived."])  # below the pool's threshold: the in-process model encodes it
    pids = inner.pool.worker_pids()
    assert inner._model is not None
    cached.release_encoder()
    assert inner.pool is None and inner._model is None and all(wait_gone(pid) for pid in pids)
    again = cached.embed(texts[THRESHOLD:])  # mostly not cached yet: a fresh pool encodes them
    assert inner.pool is not None and set(inner.pool.worker_pids()).isdisjoint(pids)
    assert np.abs(again - here[THRESHOLD:]).max() < 1e-6
    inner.close()


def test_a_large_miss_is_encoded_and_stored_in_chunks_with_the_same_vectors(texts, here, tmp_path):
    """A cold run's clauses are one large miss: stored a chunk at a time (the memory peak), vectors unchanged."""
    from analysis.encoders import CachedEmbedder

    cached = CachedEmbedder(UseEmbedder(processes=1), tmp_path / "cache.sqlite")
    cached.ENCODE_CHUNK = 64
    store, stored = cached._disk(), []
    put = store.put
    store.put = lambda items: (stored.append(len(items)), put(items))[1]
    vectors = cached.embed(texts)

    assert len(stored) >= 4 and max(stored) <= 64 and sum(stored) == len(set(texts))
    assert np.abs(vectors - here).max() < 1e-6
    again = CachedEmbedder(UseEmbedder(processes=1), tmp_path / "cache.sqlite").embed(texts)  # every one from disk
    assert np.array_equal(again, vectors)

    failing = CachedEmbedder(UseEmbedder(processes=1), tmp_path / "other.sqlite")  # the writer thread's error
    failing._disk().put = lambda items: (_ for _ in ()).throw(OSError("disk full"))  # reaches the caller
    with pytest.raises(OSError, match="disk full"):
        failing.embed(texts[:10])


def test_a_script_without_a_main_guard_exits_promptly_and_is_not_rerun_by_workers(tmp_path):
    script = tmp_path / "unguarded.py"  # a script as __main__, the way Streamlit runs app.py
    script.write_text(
        "print('script ran')\n"
        "from analysis.encoders import UseEmbedder\n"
        "e = UseEmbedder(processes=2, pool_threshold=2)\n"
        "e.embed(['好评', 'great', '一般般'])\n"
        "print(e.pool_failures, e.pool.worker_pids())\n",  # no close(): the finalizer must stop the workers at exit
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=60,
                          env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("script ran") == 1
    failures, pids = done.stdout.strip().splitlines()[-1].split(" ", 1)
    pids = [int(p) for p in pids.strip("[]").split(",")]
    assert failures == "0" and len(pids) == 2 and all(wait_gone(pid) for pid in pids)


def test_the_setting_chooses_the_worker_count(monkeypatch):
    assert Settings().encoder_processes == min(2, os.cpu_count() or 1)
    assert Settings.from_env({"REVIEW_INSIGHTS_ENCODER_PROCESSES": "0"}).encoder_processes == 0
    monkeypatch.setenv("REVIEW_INSIGHTS_ENCODER_PROCESSES", "3")
    assert UseEmbedder().processes == 3
    assert load_embedder("use-m").inner.processes == 3
    assert load_embedder("use-m", processes=1).inner.processes == 1
    monkeypatch.setenv("REVIEW_INSIGHTS_ENCODER_PROCESSES", "1")
    assert not UseEmbedder(pool_threshold=1)._wants_pool(1000)  # 0 or 1: in-process
