"""Evaluation metrics, the labelled-file reader and the evaluate-sentiment command, on real files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.sentiment import disagreements, evaluate_predictions, predictions_from_probabilities, read_labelled_file

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")


def test_metrics_on_known_predictions():
    texts = ["好", "差", "good", "bad", "ok", "一般"]
    targets = np.array([2, 0, 2, 0, 1, 1])
    probabilities = np.array([[0.1, 0.1, 0.8], [0.7, 0.2, 0.1], [0.2, 0.1, 0.7], [0.6, 0.1, 0.3],
                              [0.2, 0.6, 0.2], [0.5, 0.3, 0.2]])  # fmt: skip
    report = evaluate_predictions(texts, targets, predictions_from_probabilities(probabilities), "m")
    assert report.polarity.n == 4 and report.polarity.accuracy == 1.0 and report.polarity.auc_roc == 1.0
    assert report.polarity.confusion == [[2, 0], [0, 2]]
    assert report.three_class.n == 6 and report.three_class.accuracy == pytest.approx(5 / 6)
    assert report.three_class.confusion[1] == [1, 1, 0]
    assert set(report.by_language) == {"zh", "en"}
    assert report.by_language["zh"]["polarity"]["n"] == 2
    assert "AUC-ROC" in report.summary()
    json.dumps(report.to_dict())


def test_disagreements_find_complaints_with_five_stars():
    preds = predictions_from_probabilities(np.array([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9], [0.1, 0.1, 0.8]]))
    gaps = disagreements(["broke at once", "love it", "fine"], [5, 5, 1], preds)
    assert gaps["row"].tolist()[0] == 0 and set(gaps["row"]) == {0, 2}


@pytest.fixture(scope="module")
def rated_file(tmp_path_factory) -> Path:
    if not DATA.is_dir():
        pytest.skip("../shared/data is not present")
    frame = pd.read_csv(DATA / "en_amazon2018_fashion.csv.gz").head(60)
    zh = pd.read_csv(DATA / "zh_asap_dianping_aspects_sample.csv.gz").head(40)
    path = tmp_path_factory.mktemp("eval") / "reviews.csv"
    pd.concat([frame, zh])[["review_id", "rating", "label", "text"]].to_csv(path, index=False)
    return path


@needs_data
def test_read_labelled_file_by_rating_and_by_label(rated_file):
    texts, targets = read_labelled_file(rated_file, rating_column="rating")
    assert len(texts) == 100 and set(targets) <= {0, 1, 2}
    labelled = DATA / "en_uci_labelled_sentences.csv.gz"
    texts, targets = read_labelled_file(labelled, label_column="label", text_column="text")
    assert len(texts) > 2900 and set(targets) == {0, 2}


@needs_data
def test_evaluate_sentiment_command(rated_file):
    result = CliRunner().invoke(app, ["evaluate-sentiment", str(rated_file), "--rating-column", "rating", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["model_id"] == "review-insights-sentiment-v3"
    assert report["polarity"]["auc_roc"] > 0.8
    assert {"zh", "en"} <= set(report["by_language"])


@needs_data
def test_evaluate_sentiment_unknown_label_column_exits_2(rated_file):
    result = CliRunner().invoke(app, ["evaluate-sentiment", str(rated_file), "--label-column", "stars"])
    assert result.exit_code == 2
    assert "stars" in result.output
