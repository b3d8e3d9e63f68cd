"""What an analysis is and where it is kept: the ``AnalysisResult``, the DuckDB workspace of saved analyses, and the
embedding cache a run uses (in the workspace or a SQLite file)."""

from analysis.store.result import RESULT_COLUMNS, SENTIMENT_COLUMNS, THEME_COLUMNS, AnalysisResult
from analysis.store.vectors import embedder_for, vector_cache
from analysis.store.workspace import SCHEMA_VERSION, Workspace, WorkspaceError

__all__ = [
    "RESULT_COLUMNS", "SCHEMA_VERSION", "SENTIMENT_COLUMNS", "THEME_COLUMNS", "AnalysisResult", "Workspace",
    "WorkspaceError", "embedder_for", "vector_cache",
]
