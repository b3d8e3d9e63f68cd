"""How well a sentiment model agrees with known labels or star ratings, overall and per language.

Two views, because star ratings are weak labels of text sentiment:

- **polarity** (the headline): reviews known to be negative (label 0, stars 1-2) or positive (label 1, stars 4-5); a
  prediction is positive when P(positive) >= P(negative), and AUC-ROC ranks by the score. Neutral/3-star reviews are
  left out here.
- **three-class**: every review with a known class (stars 1-2 / 3 / 4-5, or named labels) against the predicted label;
  only meaningful when the data has a neutral class.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

from analysis.sentiment.predictions import LABELS, SentimentModel, SentimentPredictions
from analysis.sentiment.training import NEGATIVE, NEUTRAL, POSITIVE, targets_from
from analysis.text import detect_language

logger = logging.getLogger(__name__)


@dataclass
class PolarityMetrics:
    """Negative-vs-positive agreement on reviews whose polarity is known."""

    n: int
    accuracy: float
    macro_f1: float
    auc_roc: float | None  # None when only one class is present
    confusion: list[list[int]]  # rows true (negative, positive), columns predicted


@dataclass
class ThreeClassMetrics:
    n: int
    accuracy: float
    macro_f1: float
    confusion: list[list[int]]  # rows true (negative, neutral, positive), columns predicted


@dataclass
class EvaluationReport:
    """Metrics overall and per detected language (zh, en, mixed, other)."""

    model_id: str
    n_reviews: int
    polarity: PolarityMetrics | None
    three_class: ThreeClassMetrics | None
    by_language: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"model {self.model_id}: {self.n_reviews} reviews with a known sentiment"]

        def describe(name: str, polarity: dict | None, three: dict | None) -> None:
            if polarity:
                auc = "n/a" if polarity["auc_roc"] is None else f"{polarity['auc_roc']:.3f}"
                lines.append(
                    f"  {name:<8} polarity n={polarity['n']:<6} accuracy {polarity['accuracy']:.3f}  "
                    f"macro-F1 {polarity['macro_f1']:.3f}  AUC-ROC {auc}"
                )
            if three:
                lines.append(
                    f"  {name:<8} 3-class  n={three['n']:<6} accuracy {three['accuracy']:.3f}  "
                    f"macro-F1 {three['macro_f1']:.3f}"
                )

        describe("all", asdict(self.polarity) if self.polarity else None,
                 asdict(self.three_class) if self.three_class else None)  # fmt: skip
        if self.polarity:
            (tn, fp), (fn, tp) = self.polarity.confusion
            lines.append(f"  polarity confusion (rows true neg/pos, columns predicted): [[{tn}, {fp}], [{fn}, {tp}]]")
        if self.three_class:
            rows = "; ".join(", ".join(str(v) for v in row) for row in self.three_class.confusion)
            lines.append(f"  3-class confusion (rows true neg/neu/pos): [{rows}]")
        for language, metrics in self.by_language.items():
            describe(language, metrics.get("polarity"), metrics.get("three_class"))
        return "\n".join(lines)


def polarity_metrics(targets: np.ndarray, predictions: SentimentPredictions) -> PolarityMetrics | None:
    """Polarity agreement on the rows whose target is negative or positive."""
    from sklearn.metrics import confusion_matrix, f1_score, roc_auc_score

    targets = np.asarray(targets)
    rows = np.flatnonzero((targets == NEGATIVE) | (targets == POSITIVE))
    if len(rows) == 0:
        return None
    truth = (targets[rows] == POSITIVE).astype(int)
    probabilities = predictions.probabilities[rows]
    predicted = (probabilities[:, 2] >= probabilities[:, 0]).astype(int)
    scores = predictions.scores[rows]
    auc = float(roc_auc_score(truth, scores)) if len(set(truth)) == 2 else None
    return PolarityMetrics(
        n=len(rows),
        accuracy=float((predicted == truth).mean()),
        macro_f1=float(f1_score(truth, predicted, average="macro", labels=[0, 1], zero_division=0)),
        auc_roc=auc,
        confusion=confusion_matrix(truth, predicted, labels=[0, 1]).tolist(),
    )


def three_class_metrics(targets: np.ndarray, predictions: SentimentPredictions) -> ThreeClassMetrics | None:
    """Three-class agreement; None unless the targets contain a neutral class."""
    from sklearn.metrics import confusion_matrix, f1_score

    targets = np.asarray(targets)
    rows = np.flatnonzero(targets >= 0)
    if len(rows) == 0 or not (targets[rows] == NEUTRAL).any():
        return None
    truth = targets[rows]
    predicted = np.array([LABELS.index(label) for label in predictions.labels])[rows]
    return ThreeClassMetrics(
        n=len(rows),
        accuracy=float((predicted == truth).mean()),
        macro_f1=float(f1_score(truth, predicted, average="macro", labels=[0, 1, 2], zero_division=0)),
        confusion=confusion_matrix(truth, predicted, labels=[0, 1, 2]).tolist(),
    )


def expected_calibration_error(targets: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> float | None:
    """ECE of the predicted class's probability (equal-width confidence bins, weighted by size), over rows with a
    known class; None without any. With polarity-only targets (no neutral), the probabilities are those of
    negative vs positive renormalised, since such a label says nothing about neutral."""
    targets = np.asarray(targets)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    rows = np.flatnonzero(targets >= 0)
    if len(rows) == 0:
        return None
    truth, p = targets[rows], probabilities[rows]
    if not (truth == NEUTRAL).any():
        polar = p[:, [0, 2]] / np.clip(p[:, [0, 2]].sum(1, keepdims=True), 1e-12, None)
        confidence, hit = polar.max(1), polar.argmax(1) * 2 == truth
    else:
        confidence, hit = p.max(1), p.argmax(1) == truth
    edges = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = edges == b
        if in_bin.any():
            error += in_bin.mean() * abs(hit[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


def _subset(predictions: SentimentPredictions, rows: np.ndarray) -> SentimentPredictions:
    return SentimentPredictions(
        labels=[predictions.labels[i] for i in rows],
        scores=predictions.scores[rows],
        probabilities=predictions.probabilities[rows],
    )


def evaluate_predictions(
    texts: Sequence[str], targets: np.ndarray, predictions: SentimentPredictions, model_id: str = ""
) -> EvaluationReport:
    """Metrics of given predictions against class targets (-1 = unknown, ignored), overall and per language."""
    targets = np.asarray(targets)
    known = np.flatnonzero(targets >= 0)
    languages = np.array([detect_language(t if isinstance(t, str) else "") for t in texts])
    by_language: dict[str, dict] = {}
    for language in ("zh", "en", "mixed", "other"):
        rows = np.flatnonzero((languages == language) & (targets >= 0))
        if len(rows) == 0:
            continue
        part = _subset(predictions, rows)
        polarity = polarity_metrics(targets[rows], part)
        three = three_class_metrics(targets[rows], part)
        by_language[language] = {
            "n": len(rows),
            "polarity": asdict(polarity) if polarity else None,
            "three_class": asdict(three) if three else None,
        }
    return EvaluationReport(
        model_id=model_id,
        n_reviews=len(known),
        polarity=polarity_metrics(targets, predictions),
        three_class=three_class_metrics(targets, predictions),
        by_language=by_language,
    )


def evaluate_model(
    model: SentimentModel, texts: Sequence[str], targets: np.ndarray, embeddings: np.ndarray | None = None
) -> EvaluationReport:
    """Score the texts with the model and compare with the targets."""
    texts = list(texts)
    predictions = model.predict(texts, embeddings=embeddings)
    return evaluate_predictions(texts, targets, predictions, model.model_id)


def disagreements(
    texts: Sequence[str], ratings: Sequence[float], predictions: SentimentPredictions, limit: int = 20
) -> pd.DataFrame:
    """Reviews whose text and stars disagree most (a 5-star complaint, a 1-star compliment), for the Model page."""
    import pandas as pd

    stars = np.asarray(ratings, dtype=np.float64)
    expected = (stars - 3.0) / 2.0
    gap = np.abs(predictions.scores - expected)
    gap[np.isnan(gap)] = -1.0
    order = np.argsort(-gap, kind="stable")[:limit]
    order = order[gap[order] > 1.0]
    return pd.DataFrame(
        {
            "row": order,
            "text": [texts[i] for i in order],
            "rating": stars[order],
            "sentiment_label": [predictions.labels[i] for i in order],
            "sentiment_score": predictions.scores[order],
        }
    )


def read_labelled_file(
    path: Path | str,
    text_column: str | None = None,
    label_column: str | None = None,
    rating_column: str | None = None,
) -> tuple[list[str], np.ndarray]:
    """Texts and class targets of a review file: a label column (0/1 or negative/neutral/positive) or stars 1-5.

    The file is read by :func:`analysis.io.ingest.read_reviews` (any format it accepts). Raises
    ``analysis.io.ingest.IngestError`` or ``ValueError`` with what the user must do next.
    """
    from analysis.io import read_reviews

    overrides = {k: v for k, v in {"text": text_column, "rating": rating_column}.items() if v}
    if str(path).endswith(".gz"):  # e.g. the shared labelled data, kept gzipped
        import gzip

        name = Path(path).name.removesuffix(".gz")
        table = read_reviews(gzip.decompress(Path(path).read_bytes()), filename=name, overrides=overrides)
    else:
        table = read_reviews(path, overrides=overrides)
    reviews = table.reviews
    texts = reviews["text"].astype(str).tolist()
    if label_column:
        if label_column not in table.data.columns:
            raise ValueError(
                f"no column {label_column!r} in {Path(path).name}; the columns are: "
                f"{', '.join(map(str, table.data.columns))}."
            )
        labels = table.data[label_column].tolist()  # ``data`` and ``reviews`` hold the same kept rows, in order
        targets = targets_from(labels=labels)
        if (targets < 0).all():
            raise ValueError(
                f"column {label_column!r} holds no labels 0/1 or negative/neutral/positive; pick the label column."
            )
        return texts, targets
    if reviews["rating"].isna().all():
        raise ValueError(
            f"{Path(path).name} has no star ratings that could be read; give --rating-column or --label-column."
        )
    return texts, targets_from(ratings=reviews["rating"].to_numpy(dtype=float))
