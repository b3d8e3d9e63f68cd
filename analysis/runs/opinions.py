"""The cascade's second opinions on a batch run's parked pieces, read by e5 in a worker process that then exits.

Why a process: freeing e5 in the process that ran it left about 200 MB there (transformers' modules, oneDNN's
kernels, heap the allocator keeps), and at a million reviews that residue sat under the run's last peak (2,518 MB
against the 2.5 GB bar, 2026-12-07). A worker that exits hands all of it back, so the batch process ends as the fast
model leaves it. The worker starts like the encoder pool's (``forkserver``, a bare ``__main__``) and loads e5 once;
a cascade whose e5 is already loaded here (a caller's model), or a worker that cannot start or dies, reads in this
process instead, so no row is ever left without its answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

_worker_slow = None  # e5 inside the worker process, loaded once by the initializer


def _load_worker_slow(loader: Callable) -> None:
    global _worker_slow
    _worker_slow = loader()


def _worker_piece(piece: str, rows: list[int]) -> int:
    from analysis.sentiment.cascade import second_opinion_of

    return opinions_into_piece(lambda texts: second_opinion_of(_worker_slow, texts), Path(piece), np.asarray(rows))


def opinions_into_piece(read: Callable[[list[str]], object], piece: Path, rows: np.ndarray) -> int:
    """The parked piece's ``rows`` get ``read``'s predictions in place (the sentiment columns); returns how many."""
    data, reviews = pd.read_pickle(piece)
    second = read(reviews["text"].astype(str).iloc[rows].tolist()).to_frame()
    for column in second.columns:
        reviews.iloc[rows, reviews.columns.get_loc(column)] = second[column].to_numpy()
    written = piece.with_suffix(".writing")  # a worker killed mid-write leaves the piece as it was
    pd.to_pickle((data, reviews), written)
    written.replace(piece)
    return len(rows)


def second_opinions(model, pieces: Sequence[Path], unsure: Sequence[np.ndarray],
                    progress: Callable[[float], None]) -> None:
    """Every piece's unsure reviews read by the cascade ``model``'s transformer, in a worker when it can load it."""
    work = [(piece, rows) for piece, rows in zip(pieces, unsure, strict=True) if len(rows)]
    total = max(1, sum(len(rows) for _, rows in work))
    done = 0
    loader = getattr(model, "slow_loader", None)
    if loader is not None and work:
        try:
            for count in _in_worker(loader, work):
                done += count
                work = work[1:]
                progress(done / total)
        except Exception as exc:  # noqa: BLE001  a worker that cannot start or dies: read the rest here
            logger.warning("e5 worker failed (%s); reading the %d remaining pieces in this process", exc, len(work))
    for piece, rows in work:
        done += opinions_into_piece(model.second_opinion, piece, rows)
        progress(done / total)
    model.release_slow()


def _in_worker(loader: Callable, work: list[tuple[Path, np.ndarray]]):
    """Counts read per piece, in order, by one worker process that exits when the pieces are done."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from analysis.encoders.pool import START_METHOD, bare_main

    executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(START_METHOD),
                                   initializer=_load_worker_slow, initargs=(loader,))
    try:
        with bare_main():  # the first submit launches the worker
            futures = [executor.submit(_worker_piece, str(piece), rows.tolist()) for piece, rows in work]
        for future in futures:
            yield future.result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
