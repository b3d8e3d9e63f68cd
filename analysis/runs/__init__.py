"""The runs that chain the stages: ``pipeline`` (the one orchestration, in memory), ``batch`` (files larger than
memory, piece by piece, same results), ``distributed`` (on Ray Data, with ``shards`` and ``actors``; Ray is imported
only when it runs) and ``bench`` (the end-to-end benchmark against BERTopic)."""

from analysis.runs.batch import analyze_file, read_pieces, record_pieces
from analysis.runs.distributed import RayMissing, ShardError, analyze_distributed
from analysis.runs.pipeline import Progress, analyze, extend, model_signature, subset, table_of, with_themes

__all__ = [
    "Progress", "RayMissing", "ShardError", "analyze", "analyze_distributed", "analyze_file", "extend",
    "model_signature", "read_pieces", "record_pieces", "subset", "table_of", "with_themes",
]
