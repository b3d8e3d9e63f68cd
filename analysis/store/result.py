"""What one analysis is: the review table with its results, the themes and alerts, as a run produces it and the
workspace saves it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.ingest import IngestReport

SENTIMENT_COLUMNS = ("sentiment_label", "sentiment_score", "p_negative", "p_neutral", "p_positive")
THEME_COLUMNS = ("theme_id", "theme_label", "theme_ids", "theme_labels", "general_feeling")
RESULT_COLUMNS = ("language", *SENTIMENT_COLUMNS, *THEME_COLUMNS)


@dataclass
class AnalysisResult:
    """Everything a page or an export needs, computed once."""

    reviews: pd.DataFrame  # canonical columns + language, sentiment and theme columns, one row per kept row
    data: pd.DataFrame  # the user's original columns, aligned with ``reviews``
    report: IngestReport
    themes: pd.DataFrame = field(default_factory=pd.DataFrame)
    alerts: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    embeddings: np.ndarray | None = None
    theme_result: object | None = None  # analysis.themes.ThemeResult, for rename/merge and stable ids

    def output_frame(self) -> pd.DataFrame:
        """Original columns plus result columns; an original column whose name clashes becomes '<name> (input)'."""
        original = self.data.reset_index(drop=True).copy()
        results = self.reviews.reset_index(drop=True)[[c for c in RESULT_COLUMNS if c in self.reviews]]
        original.columns = [f"{c} (input)" if c in results.columns else c for c in original.columns]
        return pd.concat([original, results], axis=1)
