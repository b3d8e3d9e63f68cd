"""Where a run's vectors are cached: in the workspace file, next to the analyses that use them, or a SQLite file."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from analysis.config import Settings
from analysis.encoders.cache import Cache, CachedEmbedder
from analysis.encoders.loading import load_embedder
from analysis.store.workspace import Workspace


def vector_cache(path: Path | str) -> Cache:
    """The embedding cache a path names, opened when first needed: a ``.duckdb`` file is a workspace (its
    ``embedding_cache`` table), any other path a standalone SQLite file."""
    return partial(Workspace, Path(path)) if Path(path).suffix == ".duckdb" else Path(path)


def embedder_for(settings: Settings) -> CachedEmbedder:
    """The embedder a run's settings name, with its cache and its encoder processes and precision."""
    return load_embedder(settings.embedding_model, vector_cache(settings.embedding_cache_file),
                         settings.encoder_processes, settings.encoder_precision)
