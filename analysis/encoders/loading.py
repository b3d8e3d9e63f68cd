"""The encoder a setting names, wrapped in its cache."""

from __future__ import annotations

import logging

from analysis.encoders.base import Embedder
from analysis.encoders.cache import Cache, CachedEmbedder
from analysis.encoders.sbert import SentenceTransformerEmbedder, packaged_minilm_path
from analysis.encoders.use_m import UseEmbedder

logger = logging.getLogger(__name__)


DEFAULT_EMBEDDER = "use-m"
_ALIASES = {"use-m": "use-m", "usem3": "use-m", "use": "use-m"}


def load_embedder(name: str = DEFAULT_EMBEDDER, cache: Cache = None,
                  processes: int | None = None, precision: str | None = None) -> CachedEmbedder:
    """The embedder a setting names: ``use-m`` (default), ``minilm``, or a sentence-transformers id/path, with its
    cache (see ``analysis.encoders.cache.Cache``).

    ``processes`` and ``precision``: USE-m's worker processes and products (None: the ``encoder_processes`` and
    ``encoder_precision`` settings; see ``analysis.encoders.use_encoder``)."""
    key = _ALIASES.get(name.lower(), name)
    if key == "use-m":
        if precision is None:
            from analysis.config import Settings

            precision = Settings.from_env().encoder_precision
        inner: Embedder = UseEmbedder(processes=processes, precision=precision)
    elif key.lower() == "minilm":
        inner = SentenceTransformerEmbedder(str(packaged_minilm_path()))
    else:
        inner = SentenceTransformerEmbedder(name)
    logger.info("embedder %s", inner.model_id)
    return CachedEmbedder(inner, cache)


def is_use_m(embedder: Embedder) -> bool:
    """Whether vectors come from USE-m (either precision): the default sentiment model takes them as they are."""
    return embedder.model_id.startswith("use-m")
