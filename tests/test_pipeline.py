"""The orchestration on real models: every row analysed once, incremental runs, filters that keep positions."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analysis.config import Settings
from analysis.encoders import load_embedder
from analysis.io import read_reviews
from analysis.runs import analyze, extend, subset
from analysis.store import vector_cache

ROOT = Path(__file__).resolve().parents[1]


def sample_rows(start: int, stop: int):
    lines = (ROOT / "sample_data" / "reviews.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    return read_reviews((lines[0] + "".join(lines[1 + start : 1 + stop])).encode(), f"rows-{start}-{stop}.csv")


def test_result_has_one_row_per_kept_review_with_every_column(small_result):
    reviews = small_result.reviews
    assert len(reviews) == small_result.report.rows_kept == len(small_result.embeddings)
    assert reviews["sentiment_label"].isin(["negative", "neutral", "positive"]).all()
    assert np.allclose(reviews[["p_negative", "p_neutral", "p_positive"]].sum(axis=1), 1.0, atol=1e-5)
    assert (reviews["theme_id"] >= -1).all()
    output = small_result.output_frame()
    assert list(output.columns[: len(small_result.data.columns)]) == list(small_result.data.columns)


def test_adding_next_months_export_embeds_only_new_reviews_and_keeps_theme_ids(tmp_path):
    settings = replace(Settings.from_env(), workspace_path=str(tmp_path / "ws.duckdb"), embedding_cache_dir="")
    cache = vector_cache(settings.embedding_cache_file)  # the workspace's embedding_cache table
    first = analyze(sample_rows(0, 600), settings, embedder=load_embedder("use-m", cache))

    embedder = load_embedder("use-m", cache)
    seen: list[str] = []
    inner_embed = embedder.inner.embed
    embedder.inner.embed = lambda texts: seen.extend(texts) or inner_embed(texts)
    new = sample_rows(600, 800)
    second = extend(first, new, settings, embedder=embedder)

    assert len(second.reviews) == 800
    letters = lambda text: re.sub(r"[\W_]+", "", text)
    new_texts = [letters(t) for t in new.reviews["text"]]
    assert seen and all(any(letters(piece) in text for text in new_texts) for piece in seen)  # nothing old again
    # a theme that continues keeps its id: same id, nearly the same centroid
    old = dict(zip(first.themes["theme_id"], first.theme_result.centroids))
    now = dict(zip(second.themes["theme_id"], second.theme_result.centroids))
    continued = [t for t in old if t in now and float(old[t] @ now[t]) >= 0.8]
    assert len(continued) >= 0.6 * len(old)
    assert all(float(old[t] @ now[t]) >= 0.8 for t in old if t in now)  # an id never jumps to another theme


def test_subset_keeps_positions_consistent_for_trends(small_result):
    from analysis.insights import theme_volume_over_time

    keep = (small_result.reviews["product"] == small_result.reviews["product"].iloc[0]).to_numpy()
    part = subset(small_result, keep)
    assert len(part.reviews) == keep.sum() == len(part.theme_result.assignments) == len(part.embeddings)
    assert part.theme_result.mentions["review"].max() < len(part.reviews)
    volume = theme_volume_over_time(part.reviews, part.theme_result)
    assert volume["reviews"].sum() > 0


def test_progress_reports_every_step_in_order(sample_table):
    steps: list[str] = []
    table = replace(sample_table, reviews=sample_table.reviews.head(120), data=sample_table.data.head(120))
    analyze(table, progress=lambda step, fraction, eta: steps.append(step) if fraction == 1.0 else None)
    assert steps == ["embed", "sentiment", "themes", "trends"]


@pytest.mark.parametrize("text", ["", "   "])
def test_blank_texts_never_reach_the_pipeline(text):
    import pandas as pd

    table = read_reviews(pd.DataFrame({"review": [text, text], "rating": [1, 2]}).to_csv(index=False).encode(), "b.csv")
    assert table.report.rows_kept == 0
    assert [r.row for r in table.report.rows_rejected] == [1, 2]


def test_a_review_carries_each_theme_with_its_own_polarity(small_result):
    several = small_result.reviews[small_result.reviews["theme_ids"].str.contains(";")]
    assert len(several) > 20
    labelled = several["theme_labels"].str.count(r"\((?:negative|neutral|positive)\)")
    assert (labelled == several["theme_ids"].str.count(";") + 1).mean() > 0.9
