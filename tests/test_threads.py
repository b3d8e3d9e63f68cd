"""A process that serves several sessions fixes its native thread counts once and never changes them again, because
OpenBLAS can hang when one thread changes its count while another is inside a BLAS call (analysis/threads.py).

Pinning is process-wide and cannot be undone, so each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent('''
    import json, sys, threading
    import numpy as np
    import threadpoolctl
    from threadpoolctl import threadpool_info

    from analysis.encoders.use_encoder import UseEncoder
    from analysis.themes.topics import TopicClusterer
    from analysis.threads import blas_threads, pin_for_sessions, torch_threads

    pin = sys.argv[1] == "pin"
    if pin:
        pin_for_sessions()
    preloaded = all(name in sys.modules for name in ("torch", "sklearn.cluster", "scipy.linalg"))
    changes = []
    original = threadpoolctl.OpenBLASController.set_num_threads

    def spy(self, num_threads):  # the real call, recorded
        changes.append(num_threads)
        return original(self, num_threads)

    threadpoolctl.OpenBLASController.set_num_threads = spy
    texts = [f"review number {i}: the strap broke after {i % 7} days" for i in range(120)]
    results, errors = {}, []

    def work(name, precision):
        try:
            encoder = UseEncoder(threads=2, precision=precision)
            vectors = encoder.encode(texts)
            with blas_threads(2), torch_threads(1):
                labels = TopicClusterer(seed=0)._cluster(vectors[:, :8].astype(np.float64), 3)
            results[name] = (vectors, labels)
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    count = int(sys.argv[2])
    threads = [threading.Thread(target=work, args=(f"t{i}", ("float32", "bfloat16")[i % 2])) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if any(thread.is_alive() for thread in threads):  # stuck: where, for the assertion's message
        import faulthandler

        faulthandler.dump_traceback(all_threads=True)
    import torch
    print(json.dumps({
        "alive": sum(thread.is_alive() for thread in threads), "errors": errors, "changes": changes,
        "preloaded": preloaded,
        "blas": sorted({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}),
        "torch": torch.get_num_threads(),
        "same": count < 3 or ("t0" in results and "t2" in results
                              and bool(np.allclose(results["t0"][0], results["t2"][0], atol=1e-6)
                                       and (results["t0"][1] == results["t2"][1]).all())),
    }))
''')


def _run(mode: str, threads: int) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(threads)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "stderr": done.stderr[-6000:]}


def test_a_pinned_process_never_changes_blas_threads_while_sessions_encode_at_once():
    pinned = _run("pin", 4)
    assert pinned["alive"] == 0 and not pinned["errors"], pinned["stderr"]  # a stuck thread's stack, if any
    # torch and the native libraries were imported before any session thread ran: threads importing torch at once
    # could be handed a half-initialised module (seen on CI)
    assert pinned["preloaded"]
    # Four threads encoding and clustering at once never asked BLAS for more than one thread. (scikit-learn's KMeans
    # sets one thread around its own loops; with every count already one, OpenBLAS's thread server never runs.)
    assert set(pinned["changes"]) <= {1}
    assert pinned["blas"] == [1]
    assert pinned["same"]


def test_an_unpinned_process_still_limits_per_call():
    free = _run("free", 1)  # one thread: the CLI runs one analysis at a time
    assert free["alive"] == 0 and not free["errors"]
    assert not free["preloaded"]  # a CLI process imports what it uses, when it uses it
    assert free["changes"]  # it keeps its per-call limits (measured faster there)
