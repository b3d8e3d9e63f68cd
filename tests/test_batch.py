"""Files read in pieces (analysis.runs.batch): cut between records, and the same output files as the in-memory path."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.io import read_reviews
from analysis.runs import read_pieces, record_pieces

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "reviews.csv"


def test_pieces_end_between_records_even_inside_quoted_line_breaks(tmp_path):
    rows = [["id", "评价内容", "评分"]]
    for i in range(400):
        text = f"第{i}条：物流很快，\n但是包装\"有点\"破损" if i % 3 == 0 else f"review {i}, fine"
        rows.append([str(i), text, str(i % 5 + 1)])
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path / "gbk.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))

    pieces = list(record_pieces(path, piece_bytes=700))
    header = path.read_bytes().split(b"\n", 1)[0] + b"\n"
    assert len(pieces) > 5 and all(p.startswith(header) for p in pieces)
    assert b"".join(p[len(header):] for p in pieces) == path.read_bytes()[len(header):]  # nothing lost or doubled
    whole = read_reviews(path)
    tables = list(read_pieces(path, piece_bytes=700))
    assert [r for t in tables for r in t.reviews["row"]] == whole.reviews["row"].tolist()
    assert [x for t in tables for x in t.reviews["text"]] == whole.reviews["text"].tolist()


def test_duplicates_of_earlier_pieces_are_rejected_like_the_whole_file_does(tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "dups.csv"
    path.write_text("".join(lines[:301] + [lines[5], lines[250]]), encoding="utf-8")
    whole = read_reviews(path)
    tables = list(read_pieces(path, piece_bytes=9000))
    assert len(tables) > 3
    rejected = sorted((r.row, str(r.reason)) for t in tables for r in t.report.rows_rejected)
    assert rejected == sorted((r.row, str(r.reason)) for r in whole.report.rows_rejected)
    assert rejected == [(301, "exact duplicate of row 5"), (302, "exact duplicate of row 250")]
    assert sum(t.report.rows_kept for t in tables) == whole.report.rows_kept == 300


def _analyze(source: Path, out: Path, env: dict[str, str], *extra: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "analysis", "analyze", str(source), "--out", str(out), *extra],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


# themes fitted on a sample / on every review; and the cascade, whose e5 reads a review in a batch of one fixed
# shape (before, with batches sized by their neighbours, a review's score moved in the last digits between the two)
@pytest.mark.parametrize(("fit_reviews", "sentiment"), [("700", "default"), ("20000", "default"), ("700", "cascade:0.8")])
def test_a_file_read_in_pieces_gives_the_in_memory_output_files(tmp_path, fit_reviews, sentiment):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    source = tmp_path / "export.csv"
    bad = ["C9999,AuraBuds Pro 无线耳机,Electronics 数码,2026-01-01,5,\n",  # no text
           lines[10],  # a duplicate of row 10
           "C9998,AuraBuds Pro 无线耳机,Electronics 数码,2026-01-02,4,=SUM(A1) great,extra\n"]  # 7 values
    source.write_text("".join(lines + bad), encoding="utf-8")
    env = {**os.environ, "REVIEW_INSIGHTS_THEME_FIT_REVIEWS": fit_reviews, "REVIEW_INSIGHTS_SENTIMENT_MODEL": sentiment}

    whole = _analyze(source, tmp_path / "whole", env)
    pieces = _analyze(source, tmp_path / "pieces", env, "--chunk-mb", "0.04")

    assert pieces["pieces"] >= 5
    for name in ("reviews.csv", "themes.csv", "alerts.csv"):
        assert (tmp_path / "pieces" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    for key in ("rows_read", "rows_kept", "rows_rejected", "columns", "languages"):
        assert pieces["ingest"][key] == whole["ingest"][key], key
    assert whole["ingest"]["rows_read"] == 2003 and len(whole["ingest"]["rows_rejected"]) == 3
    if sentiment.startswith("cascade"):  # e5 read the unsure reviews after the first pass, apart from the encoder
        assert "sentiment: transformer" in pieces["timings_s"]
    if fit_reviews == "20000":  # every review in one fit: the planted emerging issue is there in both
        assert "SmartFit Watch S3" in (tmp_path / "pieces" / "alerts.csv").read_text(encoding="utf-8-sig")


def test_pieces_refuse_to_save_a_whole_analysis(tmp_path):
    done = subprocess.run([sys.executable, "-m", "analysis", "analyze", str(SAMPLE), "--out", str(tmp_path / "o"),
                           "--chunk-mb", "1", "--save", "big"], check=False, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "--save and --add-to keep a whole analysis" in done.stderr and "Traceback" not in done.stderr


def test_the_first_pass_caches_every_clause_so_theming_runs_without_the_encoder(tmp_path):
    """The memory bound of a cold run: the encoder is freed before the theme fit, so nothing after may encode."""
    from dataclasses import replace

    import pandas as pd

    from analysis.config import Settings
    from analysis.encoders import load_embedder
    from analysis.runs import analyze_file
    from analysis.themes import clauses_to_embed

    source = tmp_path / "export.csv"
    source.write_text("".join(SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:401]), encoding="utf-8")
    embedder = load_embedder("use-m", cache=tmp_path / "cache.sqlite", processes=1)
    settings = replace(Settings.from_env(), theme_fit_reviews=150)  # fitted on a sample, the rest assigned
    report = analyze_file(source, tmp_path / "out", settings, piece_bytes=20_000, embedder=embedder)

    texts = pd.read_csv(source)["review"].astype(str).tolist()
    assert report["pieces"] >= 3 and report["themes"] >= 2
    assert embedder.uncached(texts + clauses_to_embed(texts)) == []
    assert embedder.inner._model is None  # released after the first pass and never loaded again


def test_a_review_of_general_feeling_stays_one_when_its_piece_is_slimmed_and_combined():
    import numpy as np
    import pandas as pd

    from analysis.encoders import load_embedder
    from analysis.runs.batch import _slim
    from analysis.themes import assign_reviews, combine_parts, find_themes

    texts = pd.read_csv(SAMPLE)["review"].astype(str).head(600)
    venting = pd.Series(["太失望了！", "Love it!", "好评！", "Great product."] * 5)
    texts = pd.concat([texts, venting], ignore_index=True)
    reviews = pd.DataFrame({"row": np.arange(len(texts)), "text": texts})
    embedder = load_embedder("use-m")
    vectors = embedder.embed(texts.tolist())
    fit = find_themes(reviews.iloc[:500], embedder, embeddings=vectors[:500], seed=42)
    mentions, assignments = assign_reviews(fit.model, reviews.iloc[500:], vectors[500:], embedder)
    whole = combine_parts(fit, np.arange(500), [(np.arange(500, len(texts)), mentions, assignments)], texts)
    slim = combine_parts(fit, np.arange(500), [(np.arange(500, len(texts)), _slim(mentions), assignments)], texts)
    assert set(range(600, len(texts))) <= set(whole.general_feeling.tolist())  # the venting reviews
    assert slim.general_feeling.tolist() == whole.general_feeling.tolist()
    assert slim.unthemed_share == whole.unthemed_share
