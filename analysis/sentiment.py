"""Review sentiment: a label (negative / neutral / positive), a score in [-1, 1] and three class probabilities per review.

One interface, three kinds of backend, chosen by a spec string (``Settings.sentiment_model``):

- ``"default"``: the project's own model, trained by ``python -m analysis train-sentiment`` on the labelled reviews of
  ``../shared/data`` and shipped as small weights under ``analysis/models/``. It adds the logits of two parts: a small
  MLP over the multilingual USE-m sentence embedding (Chinese, English and mixed text in one vector space) and a linear
  layer over hashed n-grams (character 1-3 grams for any script, English word 1-2 grams). Both parts read the whole
  review: USE-m averages over every token and the n-grams count every n-gram, so a long review is never judged by
  its first 128 tokens. Pass the USE-m embeddings the pipeline already computed for themes to skip a second encoder
  pass.
- ``"hf:<model id or local path>"`` (or a plain path / id that is not a ``.safetensors`` head): any Hugging Face
  text-classification model through transformers. Its labels are mapped to the three classes by name
  (``negative``/``neutral``/``positive`` and abbreviations, ``LABEL_0..2``, or star ratings ``"1 star".."5 stars"``,
  whose expected star count gives the score). Reviews longer than the model's window are split into overlapping
  windows whose probabilities are averaged, weighted by window length.
- ``"st:<sentence-transformers id or path>+<head.safetensors>"``: any sentence-transformers model plus a head trained
  on its embeddings with :func:`analysis.training.train_embedding_head`.

Every backend gives an empty or blank review the label ``neutral``, score 0 and probabilities (0, 1, 0), and is
deterministic: same texts, same numbers.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import scipy.sparse
    import torch

logger = logging.getLogger(__name__)

LABELS = ("negative", "neutral", "positive")
DEFAULT_MODEL_ID = "review-insights-sentiment-v3"
MODELS_DIR = Path(__file__).parent / "models"
WEIGHTS_FILE = "model.safetensors"
FRAME_COLUMNS = ("sentiment_label", "sentiment_score", "p_negative", "p_neutral", "p_positive")


@dataclass
class SentimentPredictions:
    """Per-review sentiment, aligned with the input texts."""

    labels: list[str]
    scores: np.ndarray
    probabilities: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                "sentiment_label": self.labels,
                "sentiment_score": self.scores,
                "p_negative": self.probabilities[:, 0],
                "p_neutral": self.probabilities[:, 1],
                "p_positive": self.probabilities[:, 2],
            }
        )


@runtime_checkable
class SentimentModel(Protocol):
    """Anything that scores reviews; the pipeline, the CLI and the dashboard only use this surface."""

    model_id: str
    uses_embedder: str | None

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions: ...


def predictions_from_probabilities(probabilities: np.ndarray, scores: np.ndarray | None = None) -> SentimentPredictions:
    """Labels by the most probable class; the score defaults to P(positive) - P(negative)."""
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(-1, 3)
    if scores is None:
        scores = probabilities[:, 2] - probabilities[:, 0]
    scores = np.clip(np.asarray(scores, dtype=np.float64), -1.0, 1.0)
    labels = [LABELS[i] for i in probabilities.argmax(axis=1)] if len(probabilities) else []
    return SentimentPredictions(labels=labels, scores=scores, probabilities=probabilities)


def _blank_mask(texts: Sequence[str]) -> np.ndarray:
    return np.array([not (isinstance(t, str) and t.strip()) for t in texts], dtype=bool)


def _with_blanks_neutral(texts: Sequence[str], score_some) -> SentimentPredictions:
    """Score the non-blank texts with ``score_some(indices) -> (probabilities, scores)``; blanks are neutral."""
    n = len(texts)
    probabilities = np.zeros((n, 3))
    probabilities[:, 1] = 1.0
    scores = np.zeros(n)
    keep = np.flatnonzero(~_blank_mask(texts))
    if len(keep):
        p, s = score_some(keep)
        probabilities[keep] = p
        scores[keep] = s
    return predictions_from_probabilities(probabilities, scores)


# ---------------------------------------------------------------------------------------------------------------
# Hashed n-gram features of the default model
# ---------------------------------------------------------------------------------------------------------------

_WHITESPACE = np.array([9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x2028, 0x2029, 0x3000], dtype=np.uint32)
_SEPARATOR = 0  # between texts in the joined code-point array; NUL inside a text is read as a space
_PRIME = np.uint64(0x9E3779B97F4A7C15)  # odd, so invertible modulo 2**64 (used for word hashes)
_PRIME_INVERSE = np.uint64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))


def _mix(h: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, so that every input bit reaches the top bits the bucket is taken from."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


_CJK_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _word_hashes(codes: np.ndarray, in_word: np.ndarray, owner: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """(where, text index, hash) of the unigrams and bigrams of the runs where ``in_word`` holds (uint64 codes).

    A run's polynomial hash comes from prefix sums: sum c_i P^(i+1), divided by P^start (P is odd, so invertible).
    """
    edges = np.diff(np.concatenate(([0], in_word.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not len(starts):
        return []
    powers = np.cumprod(np.full(len(codes), _PRIME, dtype=np.uint64))
    inverse_powers = np.cumprod(np.full(len(codes), _PRIME_INVERSE, dtype=np.uint64))
    prefix = np.concatenate(([np.uint64(0)], np.cumsum(codes * powers, dtype=np.uint64)))
    unigram = _mix((prefix[stops] - prefix[starts]) * inverse_powers[starts] + np.uint64(4))
    word_owner = owner[starts]
    same_text = word_owner[1:] == word_owner[:-1]
    bigram = _mix(unigram[:-1] * _PRIME + unigram[1:] + np.uint64(5))
    return [(np.ones(len(starts), dtype=bool), word_owner, unigram), (same_text, word_owner[:-1], bigram)]


def _jieba_codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the jieba words that contain a Chinese character, space-separated, texts NUL-separated, and
    the text index of each position (the layout :meth:`NgramHasher.pairs` uses)."""
    import jieba

    words = [
        " ".join(w for w in jieba.lcut(t) if _CJK_CHARACTER.search(w)) if _CJK_CHARACTER.search(t) else "" for t in texts
    ]
    joined = "\x00 " + " \x00 ".join(words) + " \x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    return codes, np.cumsum(codes == _SEPARATOR) - 1


class NgramHasher:
    """Hashed character and word n-grams, TF-IDF weighted: no vocabulary, so the weights hold no review text.

    Character 1-3 grams inside whitespace-separated tokens (padded by a space at each end, like scikit-learn's
    ``char_wb``) cover Chinese, where they approximate words, and spelling variants; Latin word 1-2 grams (runs of
    ``a-z0-9'`` after lower-casing) keep negations such as "not good". Character n-grams fill the first
    ``2**n_features_log2`` buckets, word n-grams the second. All texts of a call are hashed at once as one numpy
    code-point array with 64-bit integer arithmetic (wrapping multiplication, splitmix64 finaliser), so feature ids
    are the same on every platform and featurising is about ten times faster than a per-n-gram Python loop.
    """

    def __init__(
        self, n_features_log2: int = 18, idf: np.ndarray | None = None, char_max: int = 3, jieba_words: bool = False
    ) -> None:
        self.n_features_log2 = n_features_log2
        self.idf = idf
        self.char_max = char_max
        self.jieba_words = jieba_words

    @property
    def n_features(self) -> int:
        return (3 if self.jieba_words else 2) * (1 << self.n_features_log2)

    def pairs(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text index, feature id) of every n-gram occurrence, repeats included."""
        texts = [t.lower().replace("\x00", " ") if isinstance(t, str) else "" for t in texts]
        joined = "\x00 " + " \x00 ".join(texts) + " \x00"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        space = np.isin(codes, _WHITESPACE)
        keep = ~(space & np.concatenate(([False], space[:-1])))  # a whitespace run counts as one space
        codes, space = codes[keep], space[keep]
        separator = codes == _SEPARATOR
        owner = np.cumsum(separator) - 1  # text index of each position
        c = codes.astype(np.uint64)
        shift = np.uint64(64 - self.n_features_log2)
        words_offset = 1 << self.n_features_log2
        rows, features = [], []

        def add(where: np.ndarray, positions_owner: np.ndarray, hashes: np.ndarray, offset: int = 0) -> None:
            rows.append(positions_owner[where])
            features.append((hashes[where] >> shift).astype(np.int64) + offset)

        with np.errstate(over="ignore"):
            add(~space & ~separator, owner, _mix(c * _PRIME + np.uint64(1)))
            add(~separator[:-1] & ~separator[1:], owner[:-1], _mix((c[:-1] * _PRIME + c[1:]) * _PRIME + np.uint64(2)))
            inside = ~separator[:-2] & ~separator[1:-1] & ~separator[2:] & ~space[1:-1]
            add(inside, owner[:-2], _mix(((c[:-2] * _PRIME + c[1:-1]) * _PRIME + c[2:]) * _PRIME + np.uint64(3)))
            if self.char_max >= 4:
                inside = ~separator[:-3] & ~separator[1:-2] & ~separator[2:-1] & ~separator[3:] & ~space[1:-2] & ~space[2:-1]
                four = (((c[:-3] * _PRIME + c[1:-2]) * _PRIME + c[2:-1]) * _PRIME + c[3:]) * _PRIME + np.uint64(6)
                add(inside, owner[:-3], _mix(four))
            word = ((codes >= 97) & (codes <= 122)) | ((codes >= 48) & (codes <= 57)) | (codes == 39)
            for where, run_owner, hashes in _word_hashes(c, word, owner):
                add(where, run_owner, hashes, words_offset)
            if self.jieba_words:
                jieba_codes, jieba_owner = _jieba_codes(texts)
                in_word = (jieba_codes != 32) & (jieba_codes != _SEPARATOR)
                for where, run_owner, hashes in _word_hashes(jieba_codes.astype(np.uint64), in_word, jieba_owner):
                    add(where, run_owner, hashes, 2 * words_offset)
        return np.concatenate(rows), np.concatenate(features)

    def counts(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        """Sub-linear term frequencies (1 + log count), before IDF; rows in canonical (sorted) form."""
        import scipy.sparse as sp

        rows, features = self.pairs(texts)
        matrix = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, features)), shape=(len(texts), self.n_features)
        )
        matrix.sum_duplicates()
        matrix.data = 1.0 + np.log(matrix.data)
        return matrix

    def fit(self, texts: Sequence[str]) -> NgramHasher:
        counts = self.counts(texts)
        document_frequency = np.bincount(counts.indices, minlength=self.n_features)
        self.idf = (np.log((1.0 + counts.shape[0]) / (1.0 + document_frequency)) + 1.0).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        """L2-normalised TF-IDF rows."""
        if self.idf is None:
            raise RuntimeError("NgramHasher is not fitted; call fit() on training texts first.")
        matrix = self.counts(texts)
        matrix.data *= self.idf[matrix.indices]
        squared = np.add.reduceat(np.concatenate((matrix.data**2, [0.0])), matrix.indptr[:-1]) if matrix.nnz else 0
        norms = np.sqrt(np.where(np.diff(matrix.indptr) > 0, squared, 1.0)).astype(np.float32)
        matrix.data /= np.repeat(np.maximum(norms, 1e-9), np.diff(matrix.indptr))
        return matrix


def sparse_batch(matrix: scipy.sparse.csr_matrix) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """CSR rows as the (indices, offsets, weights) triple ``torch.nn.EmbeddingBag`` takes."""
    import torch

    return (
        torch.from_numpy(matrix.indices.astype(np.int64)),
        torch.from_numpy(matrix.indptr[:-1].astype(np.int64)),
        torch.from_numpy(matrix.data.astype(np.float32)),
    )


def build_network(config: dict) -> torch.nn.Module:
    """The default model's torch module: MLP over a sentence embedding plus a linear layer over hashed n-grams."""
    import torch
    from torch import nn

    class SentimentNetwork(nn.Module):
        def __init__(self, embedding_dim: int, hidden: int, dropout: float, n_hashed: int) -> None:
            super().__init__()
            self.n_hashed = n_hashed
            if hidden:
                self.embedding_mlp = nn.Sequential(
                    nn.Dropout(dropout), nn.Linear(embedding_dim, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 3)
                )
            else:  # a linear head: multinomial logistic regression on the embedding
                self.embedding_mlp = nn.Sequential(nn.Dropout(dropout), nn.Linear(embedding_dim, 3))
            self.ngram_linear = nn.EmbeddingBag(n_hashed, 3, mode="sum") if n_hashed else None

        def forward(self, embeddings: torch.Tensor, ngrams: tuple | None = None) -> torch.Tensor:
            logits = self.embedding_mlp(embeddings)
            if self.ngram_linear is not None and ngrams is not None:
                indices, offsets, weights = ngrams
                logits = logits + self.ngram_linear(indices, offsets, per_sample_weights=weights)
            return logits

    torch.manual_seed(int(config.get("seed", 0)))
    return SentimentNetwork(
        int(config["embedding_dim"]), int(config["hidden"]), float(config["dropout"]), int(config.get("n_hashed", 0))
    )


def save_network(path: Path | str, network: torch.nn.Module, config: dict, idf: np.ndarray | None = None) -> Path:
    """One safetensors file: float16 weights (and the n-gram IDF) with the config as metadata."""
    import torch
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to(torch.float16).contiguous() for k, v in network.state_dict().items()}
    if idf is not None:
        tensors["idf"] = torch.from_numpy(np.asarray(idf, dtype=np.float32)).to(torch.float16)
    save_file(tensors, str(path), metadata={"config": json.dumps(config, sort_keys=True)})
    return path


def load_network(path: Path | str) -> tuple[torch.nn.Module, dict, np.ndarray | None]:
    """The network, its config and the IDF vector (None for an embedding-only head)."""
    import torch
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No sentiment weights at {path}; run `python -m analysis train-sentiment` to create them."
        )
    with safe_open(str(path), framework="pt") as handle:
        config = json.loads(handle.metadata()["config"])
        tensors = {key: handle.get_tensor(key).to(torch.float32) for key in handle.keys()}  # noqa: SIM118 (not a dict)
    idf = tensors.pop("idf").numpy() if "idf" in tensors else None
    network = build_network(config)
    network.load_state_dict(tensors)
    network.eval()
    return network, config, idf


def _softmax_scores(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    logits = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return probabilities, probabilities[:, 2] - probabilities[:, 0]


def apply_language_bias(logits: np.ndarray, texts: Sequence[str], language_bias: dict[str, float]) -> np.ndarray:
    """Move each text's negative/positive decision by its language's bias (added to logit(pos) - logit(neg), half
    to each), in place.

    The default model is trained with classes balanced inside each source, which is right for ranking but makes it
    call too many reviews of a mostly positive English shop export negative; a per-language bias, chosen on
    positive-skewed validation folds of the training sources, restores the decision without touching the ranking
    within a language. Languages come from :func:`analysis.language.detect_language`; others get no bias.
    """
    if not language_bias or not len(logits):
        return logits
    from analysis.language import detect_language

    bias = np.array([language_bias.get(detect_language(t), 0.0) for t in texts], dtype=logits.dtype)
    logits[:, 2] += bias / 2
    logits[:, 0] -= bias / 2
    return logits


class DefaultSentimentModel:
    """The project's trained model: USE-m embedding MLP + hashed n-gram linear layer, one forward pass, no GPU."""

    uses_embedder: str | None = "use-m"

    def __init__(self, weights_path: Path | str | None = None, batch_size: int = 512, embedder=None) -> None:
        self.weights_path = Path(weights_path) if weights_path else MODELS_DIR / DEFAULT_MODEL_ID / WEIGHTS_FILE
        self.batch_size = batch_size
        self.embedder = embedder
        self.network_, self.config_, idf = load_network(self.weights_path)
        self.model_id = str(self.config_.get("model_id", DEFAULT_MODEL_ID))
        self.hasher_ = None
        if idf is not None:
            self.hasher_ = NgramHasher(
                int(self.config_["n_features_log2"]),
                idf,
                char_max=int(self.config_.get("char_max", 3)),
                jieba_words=bool(self.config_.get("jieba_words", False)),
            )
        self.language_bias_ = {str(k): float(v) for k, v in self.config_.get("language_bias", {}).items()}

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self.embedder is None:
            from analysis.embeddings import load_embedder

            self.embedder = load_embedder("use-m")
        return self.embedder.embed(texts)

    def logits(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Raw class logits for non-blank texts with their USE-m embeddings (used by training and evaluation)."""
        import torch

        out = np.zeros((len(texts), 3), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                stop = start + self.batch_size
                ngrams = sparse_batch(self.hasher_.transform(texts[start:stop])) if self.hasher_ else None
                dense = torch.from_numpy(np.ascontiguousarray(embeddings[start:stop], dtype=np.float32))
                out[start:stop] = self.network_(dense, ngrams).numpy()
        return apply_language_bias(out, texts, self.language_bias_)

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        """Sentiment of each text; ``embeddings`` are the texts' USE-m vectors (n, 512) if already computed."""
        texts = list(texts)
        if embeddings is not None and len(embeddings) != len(texts):
            raise ValueError(f"Got {len(embeddings)} embeddings for {len(texts)} texts; pass one row per text.")

        def score(indices: np.ndarray):
            chosen = [texts[i] for i in indices]
            vectors = embeddings[indices] if embeddings is not None else self._embed(chosen)
            return _softmax_scores(self.logits(chosen, vectors).astype(np.float64))

        return _with_blanks_neutral(texts, score)


# ---------------------------------------------------------------------------------------------------------------
# Other backends
# ---------------------------------------------------------------------------------------------------------------

_STAR = re.compile(r"^\s*([1-5])\s*stars?\s*$", re.IGNORECASE)
_NAMED = {
    "negative": 0, "neg": 0, "label_neg": 0, "bad": 0,
    "neutral": 1, "neu": 1, "mixed": 1,
    "positive": 2, "pos": 2, "good": 2,
}  # fmt: skip


def map_labels(id2label: dict[int, str]) -> tuple[np.ndarray, np.ndarray | None]:
    """How a classifier's outputs fold into (negative, neutral, positive).

    Returns a (n_labels, 3) matrix summing label probabilities into the three classes, and for star-rating models
    the star value of each label (else None), from which the score is the expected rating rescaled to [-1, 1].
    """
    names = {int(i): str(name).strip() for i, name in id2label.items()}
    n = len(names)
    fold = np.zeros((n, 3))
    stars = [_STAR.match(names[i]) for i in range(n)]
    if all(stars):
        values = np.array([int(m.group(1)) for m in stars], dtype=np.float64)
        for i, value in enumerate(values):
            fold[i, 0 if value <= 2 else 1 if value == 3 else 2] = 1.0
        return fold, values
    for i in range(n):
        key = names[i].lower()
        if key in _NAMED:
            fold[i, _NAMED[key]] = 1.0
        elif re.fullmatch(r"label_\d+", key) and n in (2, 3):
            fold[i, (0, 2)[i] if n == 2 else i] = 1.0
        else:
            raise ValueError(
                f"Cannot map the model's label {names[i]!r} to negative/neutral/positive; use a model whose labels "
                "are negative/neutral/positive, LABEL_0..LABEL_2 or '1 star'..'5 stars'."
            )
    return fold, None


class TransformersSentimentModel:
    """Any Hugging Face sequence-classification model (hub id with a local copy, or a local path)."""

    uses_embedder: str | None = None

    def __init__(self, name_or_path: str, batch_size: int = 32, max_length: int | None = None, stride: int = 32) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.name_or_path = name_or_path
        self.batch_size = batch_size
        self.stride = stride
        try:
            self.tokenizer_ = AutoTokenizer.from_pretrained(name_or_path)
            self.model_ = AutoModelForSequenceClassification.from_pretrained(name_or_path)
        except OSError as exc:
            raise ValueError(
                f"Cannot load the text-classification model {name_or_path!r} ({exc}). Models cannot be downloaded "
                "here: give a local folder saved with save_pretrained, or use the default model."
            ) from exc
        self.model_.eval()
        limit = getattr(self.tokenizer_, "model_max_length", 512) or 512
        self.max_length = int(min(max_length or 512, limit if limit < 100_000 else 512))
        self.fold_, self.stars_ = map_labels(self.model_.config.id2label)
        self.model_id = f"hf:{Path(name_or_path).name if Path(name_or_path).exists() else name_or_path}"

    def _label_probabilities(self, texts: list[str]) -> np.ndarray:
        """Per-text label probabilities, averaging overlapping windows weighted by their token counts."""
        import torch

        out = np.zeros((len(texts), len(self.fold_)))
        weight = np.zeros(len(texts))
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            encoded = self.tokenizer_(
                batch,
                truncation=True,
                max_length=self.max_length,
                stride=min(self.stride, self.max_length // 4),
                return_overflowing_tokens=True,
                padding=True,
                return_tensors="pt",
            )
            owners = encoded.pop("overflow_to_sample_mapping").numpy() + start
            lengths = encoded["attention_mask"].sum(dim=1).numpy().astype(np.float64)
            with torch.inference_mode():
                for w in range(0, len(owners), self.batch_size):
                    part = {k: v[w : w + self.batch_size] for k, v in encoded.items()}
                    probs = torch.softmax(self.model_(**part).logits.float(), dim=-1).numpy()
                    np.add.at(out, owners[w : w + self.batch_size], probs * lengths[w : w + self.batch_size, None])
                    np.add.at(weight, owners[w : w + self.batch_size], lengths[w : w + self.batch_size])
        return out / np.maximum(weight, 1e-9)[:, None]

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        texts = list(texts)

        def score(indices: np.ndarray):
            label_probs = self._label_probabilities([texts[i] for i in indices])
            probabilities = label_probs @ self.fold_
            if self.stars_ is not None:
                scores = (label_probs @ self.stars_ - 3.0) / 2.0
            else:
                scores = probabilities[:, 2] - probabilities[:, 0]
            return probabilities, scores

        return _with_blanks_neutral(texts, score)


class EmbeddingHeadSentimentModel:
    """A sentence-transformers model (or USE-m, spelled ``use-m``) plus a head trained on its embeddings."""

    def __init__(self, embedder_name: str, head_path: Path | str) -> None:
        from analysis.embeddings import load_embedder

        self.embedder_name = embedder_name
        self.network_, self.config_, _ = load_network(head_path)
        self.embedder = load_embedder(embedder_name)
        self.uses_embedder = "use-m" if self.embedder.model_id.startswith("use-m") else None
        self.model_id = f"st:{self.embedder.model_id.removeprefix('st:')}+{Path(head_path).stem}"

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        import torch

        texts = list(texts)
        if self.uses_embedder is None:
            embeddings = None

        def score(indices: np.ndarray):
            vectors = embeddings[indices] if embeddings is not None else self.embedder.embed([texts[i] for i in indices])
            with torch.inference_mode():
                logits = self.network_(torch.from_numpy(np.asarray(vectors, dtype=np.float32))).numpy()
            return _softmax_scores(logits.astype(np.float64))

        return _with_blanks_neutral(texts, score)


def load_sentiment_model(spec: str = "default") -> SentimentModel:
    """The sentiment model a setting names.

    ``"default"`` (the project's trained model), a path to its ``model.safetensors`` (a retrained copy),
    ``"hf:<id or path>"`` or a plain transformers id/path, ``"st:<sentence-transformers id or path>+<head file>"``.
    """
    spec = (spec or "default").strip()
    if spec.lower() in ("default", DEFAULT_MODEL_ID):
        return DefaultSentimentModel()
    if spec.startswith("st:"):
        name, sep, head = spec[3:].rpartition("+")
        if not sep or not name or not head:
            raise ValueError(f"{spec!r}: write st:<sentence-transformers id or path>+<head .safetensors file>.")
        return EmbeddingHeadSentimentModel(name, head)
    if spec.startswith("hf:"):
        return TransformersSentimentModel(spec[3:])
    path = Path(spec)
    if path.suffix == ".safetensors" or (path.is_dir() and (path / WEIGHTS_FILE).is_file() and not (path / "config.json").is_file()):
        return DefaultSentimentModel(path if path.suffix == ".safetensors" else path / WEIGHTS_FILE)
    return TransformersSentimentModel(spec)
