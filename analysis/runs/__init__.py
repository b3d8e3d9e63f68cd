"""The runs that chain the stages: ``pipeline`` (the one orchestration, in memory), ``batch`` (files larger than
memory, piece by piece, same results) and ``bench`` (the end-to-end benchmark against BERTopic)."""

from analysis.runs.batch import analyze_file, read_pieces, record_pieces
from analysis.runs.pipeline import Progress, analyze, extend, model_signature, subset, table_of, with_themes

__all__ = [
    "Progress", "analyze", "analyze_file", "extend", "model_signature", "read_pieces", "record_pieces", "subset",
    "table_of", "with_themes",
]
