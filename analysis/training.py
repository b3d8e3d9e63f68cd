"""Train the project's sentiment model from labelled reviews: cross-entropy, Adam, early stopping on a validation split.

``python -m analysis train-sentiment`` calls :func:`train_default_model`, which rebuilds the shipped weights from
``../shared/data`` exactly (seeded, deterministic on CPU). The sources named in :data:`HELD_OUT_SOURCES` never reach
training, and neither does any training text that also appears in one of them (compared after lower-casing and
removing spaces and punctuation), so ``benchmarks/eval_sentiment.py`` measures the shipped weights on unseen data.

Classes: star ratings 1-2 are negative, 3 neutral, 4-5 positive; 0/1 labels are negative/positive. Neutral is thus
learnt from 3-star reviews only (English sources here; Chinese neutral relies on the shared USE-m space).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

from analysis.config import SHARED_DATA_DIR
from analysis.sentiment import (
    DEFAULT_MODEL_ID,
    MODELS_DIR,
    WEIGHTS_FILE,
    NgramHasher,
    build_network,
    save_network,
    sparse_batch,
)

logger = logging.getLogger(__name__)

DATA_DIR = SHARED_DATA_DIR
HELD_OUT_SOURCES = (
    "zh_chnsenticorp_hotel",
    "zh_asap_dianping_aspects_sample",
    "en_amazon2018_fashion",
    "en_amazon2018_beauty",
    "en_amazon2018_appliances",
    "en_datafiniti_amazon_products",
)
NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2


@dataclass
class TrainingConfig:
    """Hyperparameters, chosen on a validation split of the training sources (see the model card)."""

    hidden: int = 256
    dropout: float = 0.3
    learning_rate: float = 2e-3
    ngram_learning_rate: float = 2e-2
    weight_decay: float = 1e-5
    batch_size: int = 256
    max_epochs: int = 30
    patience: int = 3
    validation_fraction: float = 0.1
    n_features_log2: int = 18
    use_ngrams: bool = True
    balance_cap: float = 0.0  # > 0 turns on per-group class balancing (lost on validation, so off)
    seed: int = 42
    threads: int = 2


@dataclass
class TrainingReport:
    """What a training run did, for the CLI and the model card."""

    rows_by_source: dict[str, int]
    dropped_overlap: int
    epochs: int
    best_epoch: int
    validation_loss: float
    validation_accuracy: float
    seconds: float
    weights_path: str = ""
    config: dict = field(default_factory=dict)


def text_key(text: str) -> str:
    """Overlap key: the same review with other spacing, case or punctuation counts as the same text."""
    return re.sub(r"[\W_]+", "", str(text).lower())


def targets_from(ratings: Sequence[float] | None = None, labels: Sequence[object] | None = None) -> np.ndarray:
    """Class ids from stars (1-2 / 3 / 4-5) where present, else from 0/1 or named labels; -1 when unknown."""
    n = len(ratings) if ratings is not None else len(labels)
    out = np.full(n, -1, dtype=np.int64)
    if labels is not None:
        named = {"0": NEGATIVE, "1": POSITIVE, "negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE,
                 "neg": NEGATIVE, "neu": NEUTRAL, "pos": POSITIVE, "0.0": NEGATIVE, "1.0": POSITIVE}  # fmt: skip
        for i, value in enumerate(labels):
            if value is not None and not (isinstance(value, float) and np.isnan(value)):
                out[i] = named.get(str(value).strip().lower(), -1)
    if ratings is not None:
        stars = np.asarray(ratings, dtype=np.float64)
        known = ~np.isnan(stars)
        out[known] = np.where(stars[known] <= 2, NEGATIVE, np.where(stars[known] < 4, NEUTRAL, POSITIVE))
    return out


def load_corpus(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Every labelled review of the shared data: columns source, category, text, lang, rating, label, target."""
    import pandas as pd

    data_dir = Path(data_dir)
    files = sorted(data_dir.glob("*.csv.gz"))
    if not files:
        raise FileNotFoundError(f"No *.csv.gz review files in {data_dir}; point --data-dir at the shared data folder.")
    frames = []
    for path in files:
        frame = pd.read_csv(path, usecols=["text", "rating", "label", "lang", "category"])
        frame.insert(0, "source", path.name.removesuffix(".csv.gz"))
        frames.append(frame)
    corpus = pd.concat(frames, ignore_index=True)
    corpus = corpus[corpus["text"].notna() & corpus["text"].astype(str).str.strip().ne("")].copy()
    corpus["text"] = corpus["text"].astype(str)
    corpus["target"] = targets_from(corpus["rating"].to_numpy(dtype=float), corpus["label"].tolist())
    return corpus[corpus["target"] >= 0].reset_index(drop=True)


def split_held_out(corpus: pd.DataFrame, held_out: Sequence[str] = HELD_OUT_SOURCES):
    """(training rows, held-out rows, number of training rows dropped because their text is in a held-out source)."""
    is_held = corpus["source"].isin(list(held_out))
    held = corpus[is_held].reset_index(drop=True)
    keys = corpus["text"].map(text_key)
    overlap = ~is_held & keys.isin(set(keys[is_held]))
    train = corpus[~is_held & ~overlap]
    train = train[~train["text"].map(text_key).duplicated()].reset_index(drop=True)
    return train, held, int(overlap.sum())


def validation_mask(sources: Sequence[str], fraction: float, seed: int) -> np.ndarray:
    """A seeded, per-source random split so every training source is represented in validation."""
    rng = np.random.default_rng(seed)
    sources = np.asarray(sources)
    mask = np.zeros(len(sources), dtype=bool)
    for source in sorted(set(sources)):
        rows = np.flatnonzero(sources == source)
        chosen = rng.permutation(rows)[: round(len(rows) * fraction)]
        mask[chosen] = True
    return mask


def balanced_weights(groups: Sequence[str], targets: np.ndarray, cap: float = 10.0) -> np.ndarray:
    """Row weights giving every class equal mass inside each group (source x category), capped.

    Dropping held-out overlaps can leave a group lopsided (the online-shopping hotel rows that remain are 96%
    negative), which would teach "hotel means negative"; star-rated sources are mostly positive. Balancing inside
    each group keeps topic and polarity apart; the cap stops a handful of rows from dominating.
    """
    groups = np.asarray(groups)
    targets = np.asarray(targets)
    weights = np.ones(len(targets), dtype=np.float32)
    for group in set(groups):
        rows = groups == group
        classes, counts = np.unique(targets[rows], return_counts=True)
        for cls, count in zip(classes, counts):
            weights[rows & (targets == cls)] = min(cap, rows.sum() / (len(classes) * count))
    return weights


def _seed_everything(seed: int, threads: int) -> None:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)


def fit_network(
    embeddings: np.ndarray,
    targets: np.ndarray,
    ngram_matrix=None,
    config: TrainingConfig | None = None,
    validation: np.ndarray | None = None,
    sample_weights: np.ndarray | None = None,
    log: Callable[[str], None] = logger.info,
):
    """Train the sentiment network; returns (network, network config, history dict).

    ``validation`` marks the rows used only for early stopping (lowest validation cross-entropy wins).
    """
    import torch
    from torch import nn

    config = config or TrainingConfig()
    _seed_everything(config.seed, config.threads)
    n = len(targets)
    validation = np.zeros(n, dtype=bool) if validation is None else validation
    if not validation.any():
        validation = validation_mask(np.zeros(n, dtype=int), config.validation_fraction, config.seed)
    weights = np.ones(n, dtype=np.float32) if sample_weights is None else sample_weights.astype(np.float32)
    net_config = {
        "embedding_dim": int(embeddings.shape[1]),
        "hidden": config.hidden,
        "dropout": config.dropout,
        "n_hashed": int(ngram_matrix.shape[1]) if ngram_matrix is not None else 0,
        "n_features_log2": config.n_features_log2,
        "seed": config.seed,
    }
    network = build_network(net_config)
    groups = [{"params": network.embedding_mlp.parameters(), "lr": config.learning_rate,
               "weight_decay": config.weight_decay}]  # fmt: skip
    if network.ngram_linear is not None:
        groups.append({"params": network.ngram_linear.parameters(), "lr": config.ngram_learning_rate, "weight_decay": 0.0})
    optimiser = torch.optim.Adam(groups)
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    dense = torch.from_numpy(np.ascontiguousarray(embeddings, dtype=np.float32))
    labels = torch.from_numpy(np.array(targets, dtype=np.int64))  # a copy: torch needs a writable array
    row_weights = torch.from_numpy(weights)
    train_rows, valid_rows = np.flatnonzero(~validation), np.flatnonzero(validation)

    def forward(rows: np.ndarray) -> torch.Tensor:
        ngrams = sparse_batch(ngram_matrix[rows]) if ngram_matrix is not None else None
        return network(dense[rows], ngrams)

    def evaluate() -> tuple[float, float]:
        network.eval()
        with torch.inference_mode():
            logits = torch.cat([forward(valid_rows[i : i + 2048]) for i in range(0, len(valid_rows), 2048)])
            y = labels[valid_rows]
            loss = float((loss_fn(logits, y) * row_weights[valid_rows]).sum() / row_weights[valid_rows].sum())
            accuracy = float((logits.argmax(1) == y).float().mean())
        return loss, accuracy

    rng = np.random.default_rng(config.seed)
    best = (float("inf"), 0.0, 0)
    best_state = None
    history = []
    for epoch in range(1, config.max_epochs + 1):
        network.train()
        order = rng.permutation(train_rows)
        for start in range(0, len(order), config.batch_size):
            rows = order[start : start + config.batch_size]
            optimiser.zero_grad()
            loss = (loss_fn(forward(rows), labels[rows]) * row_weights[rows]).sum() / row_weights[rows].sum()
            loss.backward()
            optimiser.step()
        valid_loss, valid_accuracy = evaluate()
        history.append((epoch, valid_loss, valid_accuracy))
        log(f"epoch {epoch}: validation loss {valid_loss:.4f}, accuracy {valid_accuracy:.4f}")
        if valid_loss < best[0] - 1e-4:
            best = (valid_loss, valid_accuracy, epoch)
            best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
        elif epoch - best[2] >= config.patience:
            break
    network.load_state_dict(best_state)
    network.eval()
    return network, net_config, {"history": history, "best_epoch": best[2], "validation_loss": best[0],
                                 "validation_accuracy": best[1], "epochs": len(history)}  # fmt: skip


def train_sentiment_model(
    texts: Sequence[str],
    targets: np.ndarray,
    embeddings: np.ndarray,
    out_path: Path | str,
    config: TrainingConfig | None = None,
    sources: Sequence[str] | None = None,
    model_id: str = DEFAULT_MODEL_ID,
    groups: Sequence[str] | None = None,
    log: Callable[[str], None] = logger.info,
) -> tuple[Path, dict]:
    """Fit the default architecture (USE-m MLP + hashed n-grams) on given texts and save it as one file."""
    config = config or TrainingConfig()
    texts = list(texts)
    sources = np.asarray(sources if sources is not None else ["all"] * len(texts))
    validation = validation_mask(sources, config.validation_fraction, config.seed)
    hasher = None
    ngram_matrix = None
    if config.use_ngrams:
        hasher = NgramHasher(config.n_features_log2).fit([t for t, v in zip(texts, validation) if not v])
        ngram_matrix = hasher.transform(texts)
    weights = None
    if groups is not None and config.balance_cap > 0:
        weights = balanced_weights(groups, np.asarray(targets), config.balance_cap)
    network, net_config, history = fit_network(
        embeddings, np.asarray(targets), ngram_matrix, config, validation, sample_weights=weights, log=log
    )
    net_config.update({"model_id": model_id, "training": asdict(config)})
    path = save_network(out_path, network, net_config, hasher.idf if hasher else None)
    return path, history


def train_embedding_head(
    embeddings: np.ndarray,
    targets: np.ndarray,
    out_path: Path | str,
    config: TrainingConfig | None = None,
    log: Callable[[str], None] = logger.info,
) -> tuple[Path, dict]:
    """A head for ``st:<model>+<head>`` specs: the default's MLP over any embedder's vectors, no n-grams."""
    config = config or TrainingConfig()
    network, net_config, history = fit_network(embeddings, np.asarray(targets), None, config, log=log)
    net_config.update({"model_id": f"head-{Path(out_path).stem}", "training": asdict(config)})
    return save_network(out_path, network, net_config), history


def train_default_model(
    data_dir: Path | str = DATA_DIR,
    out_dir: Path | str | None = None,
    config: TrainingConfig | None = None,
    embedding_cache: Path | str | None = None,
    log: Callable[[str], None] = logger.info,
) -> TrainingReport:
    """Rebuild the shipped default model from the shared labelled data (held-out sources excluded)."""
    from analysis.embeddings import load_embedder

    config = config or TrainingConfig()
    started = time.perf_counter()
    corpus = load_corpus(data_dir)
    train, _, dropped = split_held_out(corpus)
    log(f"{len(train)} training reviews from {train['source'].nunique()} sources; "
        f"{dropped} dropped because their text is in a held-out source")  # fmt: skip
    embedder = load_embedder("use-m", cache_path=embedding_cache)
    texts = train["text"].tolist()
    log("embedding with USE-m ...")
    embeddings = embedder.embed(texts)
    log(f"embedded in {time.perf_counter() - started:.0f} s")
    out_path = Path(out_dir or MODELS_DIR / DEFAULT_MODEL_ID) / WEIGHTS_FILE
    path, history = train_sentiment_model(
        texts, train["target"].to_numpy(), embeddings, out_path, config, train["source"].tolist(),
        groups=(train["source"] + "/" + train["category"].fillna("")).tolist(), log=log,
    )
    return TrainingReport(
        rows_by_source={k: int(v) for k, v in train["source"].value_counts().sort_index().items()},
        dropped_overlap=dropped,
        epochs=history["epochs"],
        best_epoch=history["best_epoch"],
        validation_loss=history["validation_loss"],
        validation_accuracy=history["validation_accuracy"],
        seconds=time.perf_counter() - started,
        weights_path=str(path),
        config=asdict(config),
    )
