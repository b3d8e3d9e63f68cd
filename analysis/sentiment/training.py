"""Train the project's sentiment model from labelled reviews: two experts, trained apart, added at the logit level.

``python -m analysis train-sentiment`` calls :func:`train_default_model`, which rebuilds the shipped weights from
``../shared/data`` exactly (seeded, deterministic on CPU). The sources named in :data:`HELD_OUT_SOURCES` never reach
training, and neither does any training text that also appears in one of them (compared after lower-casing and
removing spaces and punctuation), so ``benchmarks/eval_sentiment.py`` measures the shipped weights on unseen data.
The recipe and its hyperparameters are chosen by leave-one-domain-out validation inside the training sources
(:func:`domain_folds`, ``benchmarks/validate_sentiment.py``), never on the held-out sources.

The experts: an MLP over the USE-m sentence embedding (cross-entropy, Adam, early stopping on a per-source validation
split) and a multinomial logistic regression over hashed n-grams (cross-entropy + L2, L-BFGS to convergence). Rows
are weighted so that each class weighs the same inside each (source, category) group, so that a domain's words
(hotel, Yelp) do not learn the polarity that group happens to be skewed to.

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
    import scipy.sparse

from analysis.config import SHARED_DATA_DIR
from analysis.messages import message
from analysis.sentiment.network import build_network, save_network
from analysis.sentiment.ngrams import NgramHasher
from analysis.sentiment.shipped import DEFAULT_MODEL_ID, MODELS_DIR, WEIGHTS_FILE
from analysis.threads import set_torch_threads

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
    """Hyperparameters of the default recipe, chosen by leave-one-domain-out validation (see the model card).

    The model is two experts trained apart and then added at the logit level: an MLP over the USE-m embedding (Adam,
    early stopping) and a logistic regression over hashed n-grams (L-BFGS to convergence), weighted
    ``1 - ngram_weight`` and ``ngram_weight``. ``balance_cap > 0`` weights the rows so that each class has equal mass
    inside each (source, category) group, capped at that factor. ``polarity_bias`` is added to the positive logit
    and subtracted from the negative one (halved each), moving the negative/positive decision. ``language_bias`` does
    the same per detected language at prediction time, and only for a model trained with class balancing (it undoes
    the balanced prior for shops whose reviews are mostly positive; chosen on positive-skewed English folds).
    ``char_max`` is the longest character n-gram; ``jieba_words`` adds jieba word 1-2 grams of Chinese text.
    """

    hidden: int = 256
    dropout: float = 0.3
    learning_rate: float = 2e-3
    weight_decay: float = 1e-5
    batch_size: int = 256
    max_epochs: int = 30
    patience: int = 3
    validation_fraction: float = 0.1
    n_features_log2: int = 18
    char_max: int = 3
    jieba_words: bool = False
    use_ngrams: bool = True
    ngram_l2: float = 1e-5
    ngram_weight: float = 0.5
    balance_cap: float = 10.0
    polarity_bias: float = 0.0
    language_bias: dict[str, float] = field(default_factory=lambda: {"en": 0.5})
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


def domain_folds(train: pd.DataFrame, seed: int = 42) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Validation folds inside the training rows: {name: (rows to train on, rows to validate on)}.

    Recipes and hyperparameters are chosen on these folds, never on the held-out sources. Two kinds:

    - leave one domain out: the hotel, book or computer category of the online-shopping source, the Alexa source,
      the Yelp source (whose fold also drops the Yelp sentences of the UCI source, the same domain);
    - skewed domain: half of the book (or computer) rows are validated; of the other half, training keeps every
      negative but only 4% as many positives, which is what overlap removal did to the hotel rows (96% negative)
      before testing on hotel reviews that are mostly positive. A recipe that learns "this domain is negative"
      fails here; leaving a domain out cannot show that.

    Every fold drops from its training rows each text that also appears among its validated rows.
    """
    source = train["source"].to_numpy()
    category = train["category"].fillna("").to_numpy()
    targets = train["target"].to_numpy()
    shopping = source == "zh_online_shopping_books_computers_hotel"
    nothing = np.zeros(len(train), dtype=bool)
    keys = train["text"].map(text_key).to_numpy()
    rng = np.random.default_rng(seed)
    folds = {}

    def add(name: str, validated: np.ndarray, excluded: np.ndarray) -> None:
        if validated.any():
            dropped = validated | excluded | np.isin(keys, keys[validated])
            folds[name] = (np.flatnonzero(~dropped), np.flatnonzero(validated))

    add("zh_hotel", shopping & (category == "酒店"), nothing)
    add("zh_books", shopping & (category == "书籍"), nothing)
    add("zh_computers", shopping & (category == "计算机"), nothing)
    add("en_alexa", source == "en_amazon_alexa", nothing)
    add("en_yelp", source == "en_yelp_10k", (source == "en_uci_labelled_sentences") & (category == "yelp"))
    for name, label in (("zh_books_skewed", "书籍"), ("zh_computers_skewed", "计算机")):
        rows = rng.permutation(np.flatnonzero(shopping & (category == label)))
        validated = np.zeros(len(train), dtype=bool)
        validated[rows[: len(rows) // 2]] = True
        kept = rows[len(rows) // 2 :]
        negatives, positives = kept[targets[kept] == NEGATIVE], kept[targets[kept] == POSITIVE]
        excluded = np.zeros(len(train), dtype=bool)
        excluded[positives[round(len(negatives) * 4 / 96) :]] = True
        excluded[kept[targets[kept] == NEUTRAL]] = True
        add(name, validated, excluded)
    return folds


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
    set_torch_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)


def fit_network(
    embeddings: np.ndarray,
    targets: np.ndarray,
    config: TrainingConfig | None = None,
    validation: np.ndarray | None = None,
    sample_weights: np.ndarray | None = None,
    log: Callable[[str], None] = logger.info,
):
    """Train the MLP over sentence embeddings; returns (network, network config, history dict).

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
        "n_hashed": 0,
        "seed": config.seed,
    }
    network = build_network(net_config)
    optimiser = torch.optim.Adam(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    dense = torch.from_numpy(np.ascontiguousarray(embeddings, dtype=np.float32))
    labels = torch.from_numpy(np.array(targets, dtype=np.int64))  # a copy: torch needs a writable array
    row_weights = torch.from_numpy(weights)
    train_rows, valid_rows = np.flatnonzero(~validation), np.flatnonzero(validation)

    def forward(rows: np.ndarray) -> torch.Tensor:
        return network(dense[rows])

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
        log(message("train.epoch", epoch=epoch, loss=valid_loss, accuracy=valid_accuracy))
        if valid_loss < best[0] - 1e-4:
            best = (valid_loss, valid_accuracy, epoch)
            best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
        elif epoch - best[2] >= config.patience:
            break
    network.load_state_dict(best_state)
    network.eval()
    return network, net_config, {"history": history, "best_epoch": best[2], "validation_loss": best[0],
                                 "validation_accuracy": best[1], "epochs": len(history)}  # fmt: skip


def fit_ngram_logistic(
    matrix: scipy.sparse.csr_matrix,
    targets: np.ndarray,
    sample_weights: np.ndarray | None = None,
    l2: float = 1e-5,
    max_iterations: int = 300,
    n_classes: int = 3,
    threads: int = 2,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Multinomial logistic regression on hashed n-gram rows, trained to convergence: (weights, bias, info).

    Full-batch L-BFGS (torch) on weighted cross-entropy + ``l2 * ||W||^2``: the objective is convex, so the result
    depends on the data and ``l2`` only, not on a learning rate, batch order or an early-stopping epoch. The sparse
    products run in scipy (about ten times faster than torch's sparse kernels on CPU); torch does the rest.
    """
    import torch
    import torch.nn.functional as F

    set_torch_threads(threads)
    matrix = matrix.tocsr().astype(np.float32)
    transposed = matrix.T.tocsr()

    class SparseProduct(torch.autograd.Function):
        @staticmethod
        def forward(ctx, weights):
            return torch.from_numpy(np.asarray(matrix @ weights.detach().numpy()))

        @staticmethod
        def backward(ctx, grad):
            return torch.from_numpy(np.asarray(transposed @ grad.numpy()))

    labels = torch.from_numpy(np.array(targets, dtype=np.int64))
    row_weights = torch.from_numpy(
        np.ones(len(labels), dtype=np.float32) if sample_weights is None else np.array(sample_weights, dtype=np.float32)
    )
    total = row_weights.sum()
    weights = torch.zeros(matrix.shape[1], n_classes, requires_grad=True)
    bias = torch.zeros(n_classes, requires_grad=True)
    optimiser = torch.optim.LBFGS([weights, bias], lr=1, max_iter=max_iterations, history_size=10,
                                  line_search_fn="strong_wolfe", tolerance_grad=1e-5, tolerance_change=1e-7)  # fmt: skip
    calls = [0]

    def objective() -> torch.Tensor:
        logits = SparseProduct.apply(weights) + bias
        loss = (F.cross_entropy(logits, labels, reduction="none") * row_weights).sum() / total
        return loss + l2 * (weights * weights).sum()

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        calls[0] += 1
        loss = objective()
        loss.backward()
        return loss

    optimiser.step(closure)
    final = float(objective().detach())
    return weights.detach().numpy(), bias.detach().numpy(), {"loss": final, "evaluations": calls[0]}


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
    """Fit the default architecture (USE-m MLP + hashed n-gram logistic regression) and save it as one file.

    ``sources`` stratify the MLP's early-stopping split; ``groups`` (e.g. source/category) are what class balancing
    equalises within (no balancing without them).
    """
    config = config or TrainingConfig()
    texts = list(texts)
    targets = np.asarray(targets)
    sources = np.asarray(sources if sources is not None else ["all"] * len(texts))
    weights = balanced_weights(groups, targets, config.balance_cap) if groups is not None and config.balance_cap > 0 else None
    validation = validation_mask(sources, config.validation_fraction, config.seed)
    mlp, net_config, history = fit_network(embeddings, targets, config, validation, sample_weights=weights, log=log)
    ngram_weight = config.ngram_weight if config.use_ngrams else 0.0
    hasher = None
    if config.use_ngrams:
        hasher = NgramHasher(config.n_features_log2, char_max=config.char_max, jieba_words=config.jieba_words).fit(texts)
        coefficients, intercept, info = fit_ngram_logistic(
            hasher.transform(texts), targets, weights, config.ngram_l2, threads=config.threads
        )
        history["ngram_loss"], history["ngram_evaluations"] = info["loss"], info["evaluations"]
        log(f"n-gram logistic regression: loss {info['loss']:.4f} after {info['evaluations']} evaluations")
        net_config.update({"n_hashed": hasher.n_features, "n_features_log2": config.n_features_log2,
                           "char_max": config.char_max, "jieba_words": config.jieba_words})  # fmt: skip
    network = combine_experts(mlp, net_config, coefficients if hasher else None, intercept if hasher else None,
                              ngram_weight, config.polarity_bias)  # fmt: skip
    if weights is not None and config.language_bias:  # the bias undoes the balanced prior, so only with balancing
        net_config["language_bias"] = dict(config.language_bias)
    net_config.update({"model_id": model_id, "training": asdict(config)})
    path = save_network(out_path, network, net_config, hasher.idf if hasher else None)
    return path, history


def combine_experts(
    mlp,
    net_config: dict,
    coefficients: np.ndarray | None,
    intercept: np.ndarray | None,
    ngram_weight: float,
    polarity_bias: float,
):
    """One network whose logits are (1 - w) * MLP + w * n-gram regression + the polarity bias, so predicting is
    still a single forward pass and the file layout stays that of :func:`analysis.sentiment.build_network`."""
    import torch

    network = build_network(net_config)
    network.embedding_mlp.load_state_dict(mlp.embedding_mlp.state_dict())
    output = [m for m in network.embedding_mlp if isinstance(m, torch.nn.Linear)][-1]
    mlp_weight = 1.0 - ngram_weight if coefficients is not None else 1.0
    with torch.no_grad():
        output.weight.mul_(mlp_weight)
        output.bias.mul_(mlp_weight)
        output.bias.add_(torch.tensor([-polarity_bias / 2, 0.0, polarity_bias / 2]))
        if coefficients is not None:
            output.bias.add_(ngram_weight * torch.from_numpy(np.asarray(intercept, dtype=np.float32)))
            network.ngram_linear.weight.copy_(ngram_weight * torch.from_numpy(np.asarray(coefficients, dtype=np.float32)))
    network.eval()
    return network


def train_embedding_head(
    embeddings: np.ndarray,
    targets: np.ndarray,
    out_path: Path | str,
    config: TrainingConfig | None = None,
    log: Callable[[str], None] = logger.info,
) -> tuple[Path, dict]:
    """A head for ``st:<model>+<head>`` specs: the default's MLP over any embedder's vectors, no n-grams."""
    config = config or TrainingConfig()
    network, net_config, history = fit_network(embeddings, np.asarray(targets), config, log=log)
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
    from analysis.encoders import load_embedder

    config = config or TrainingConfig()
    started = time.perf_counter()
    corpus = load_corpus(data_dir)
    train, _, dropped = split_held_out(corpus)
    log(f"{len(train)} training reviews from {train['source'].nunique()} sources; "
        f"{dropped} dropped because their text is in a held-out source")  # fmt: skip
    embedder = load_embedder("use-m", cache=embedding_cache, precision="float32")  # the same on every CPU
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
