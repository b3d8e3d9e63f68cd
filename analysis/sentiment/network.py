"""The default model's network: USE-m MLP plus n-gram linear layer, its weights file, and the language bias."""


from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse
    import torch



def sparse_batch(matrix: scipy.sparse.csr_matrix, dtype: torch.dtype | None = None) -> tuple[torch.Tensor, ...]:
    """CSR rows as the (indices, offsets, weights) triple ``torch.nn.EmbeddingBag`` takes; weights float32 unless
    ``dtype`` says otherwise."""
    import torch

    return (
        torch.from_numpy(matrix.indices.astype(np.int64)),
        torch.from_numpy(matrix.indptr[:-1].astype(np.int64)),
        torch.from_numpy(matrix.data.astype(np.float32)).to(dtype or torch.float32),
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


def softmax_scores(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    within a language. Languages come from :func:`analysis.text.language.detect_language`; others get no bias.
    """
    if not language_bias or not len(logits):
        return logits
    from analysis.text import detect_language

    bias = np.array([language_bias.get(detect_language(t), 0.0) for t in texts], dtype=logits.dtype)
    logits[:, 2] += bias / 2
    logits[:, 0] -= bias / 2
    return logits
