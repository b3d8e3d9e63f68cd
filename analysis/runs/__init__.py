"""The runs that chain the stages: ``pipeline`` (the one orchestration, in memory), ``batch`` (files larger than
memory, piece by piece, same results), ``distributed`` (on Ray Data, with ``shards`` and ``actors``; Ray is imported
only when it runs), ``sample`` (the bundled sample's analysis, shipped ready) and ``bench`` (the end-to-end
benchmark against BERTopic)."""

from analysis.runs.batch import analyze_file, read_pieces, record_pieces
from analysis.runs.distributed import RayMissing, ShardError, analyze_distributed
from analysis.runs.pipeline import Progress, analyze, extend, model_signature, subset, table_of, with_themes
from analysis.runs.sample import analyze_sample, same_models, shipped_sample_analysis, write_sample_analysis

__all__ = [
    "Progress", "RayMissing", "ShardError", "analyze", "analyze_distributed", "analyze_file", "analyze_sample",
    "extend", "model_signature", "read_pieces", "record_pieces", "same_models", "shipped_sample_analysis", "subset",
    "table_of", "with_themes", "write_sample_analysis",
]
