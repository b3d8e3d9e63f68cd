"""The Explorer's "why this sentiment" view: each clause of a picked review with how far it pushed the score.

The clauses are table cells (plain text, coloured by their push), never HTML or Markdown: review text is untrusted.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.insights import explain_review
from ui.common import models
from ui.i18n import t


def _colour(push: float) -> str:
    strength = min(1.0, abs(push)) * 0.55
    rgb = "46, 160, 67" if push > 0 else "218, 54, 51"
    return f"background-color: rgba({rgb}, {strength:.2f})"


def explain_clauses(text: str) -> None:
    """Show the picked review's score and its clauses' pushes (clause occlusion with the active sentiment model)."""
    _, sentiment_model = models()
    explanation = explain_review(sentiment_model, text)
    score, pushes, label = explanation.score, explanation.clauses, t(f"sentiment.{explanation.label}")
    st.markdown("**" + t("explain.title") + "**")
    if not pushes:
        st.caption(t("explain.one_clause", score=score, label=label))
        return
    st.caption(t("explain.score", score=score, label=label))
    table = pd.DataFrame({t("explain.clause"): [p.text for p in pushes], t("explain.push"): [p.push for p in pushes]})
    styled = table.style.format({t("explain.push"): "{:+.2f}"}).map(_colour, subset=[t("explain.push")])
    st.dataframe(styled, hide_index=True, width="stretch", key="ri_explain_table")
