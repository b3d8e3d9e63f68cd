"""The one orchestration: ingested table -> embeddings -> sentiment -> themes -> trends, with progress and timings.

The UI, the CLI and the benchmarks all call ``analyze``; nothing else chains the steps. Embeddings are computed once
(through the text-hash cache) and serve both the sentiment model and the theme clustering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.config import Settings
from analysis.encoders import Embedder, is_use_m
from analysis.io import IngestReport, ReviewTable
from analysis.store import THEME_COLUMNS, AnalysisResult, embedder_for

logger = logging.getLogger(__name__)

Progress = Callable[[str, float, "float | None"], None]
"""progress(step, fraction of that step done in [0, 1], estimated seconds left in the step or None)."""


class _StepClock:
    """Turns per-step fractions into progress reports with an ETA from the step's own elapsed time."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.started: dict[str, float] = {}
        self.timings: dict[str, float] = {}

    def tick(self, step: str, fraction: float) -> None:
        """Report progress inside a step; completion is reported once, by ``done``."""
        now = time.perf_counter()
        start = self.started.setdefault(step, now)
        if self.progress is None or fraction >= 1.0:
            return
        elapsed = now - start
        eta = elapsed * (1 - fraction) / fraction if 0 < fraction < 1 and elapsed > 0.5 else None
        self.progress(step, float(max(fraction, 0.0)), eta)

    def done(self, step: str) -> None:
        self.timings[step] = round(time.perf_counter() - self.started.setdefault(step, time.perf_counter()), 3)
        if self.progress is not None:
            self.progress(step, 1.0, None)


def embed_texts(embedder: Embedder, texts: list[str], tick: Callable[[float], None], chunk: int = 2048) -> np.ndarray:
    """Embed in chunks so a long run reports progress; the embedder's cache skips texts seen before.

    Chunks of 2,048 texts: the encoder's worker pool splits a call into chunks of 256, so a call of 512 kept each of
    two workers busy with one chunk and then idle while the call returned."""
    if hasattr(embedder, "preload"):
        embedder.preload(texts)
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(embedder.embed(texts[start : start + chunk]))
        tick(min(1.0, (start + chunk) / max(len(texts), 1)))
    return np.vstack(parts) if parts else np.zeros((0, 512), dtype=np.float32)


def analyze(
    table: ReviewTable,
    settings: Settings | None = None,
    progress: Progress | None = None,
    *,
    embedder: Embedder | None = None,
    sentiment_model=None,
    previous_themes=None,
    n_themes: int | None = None,
) -> AnalysisResult:
    """Run every analysis step on an ingested table; models may be passed in so a long-lived process loads them once."""
    from analysis.sentiment import load_sentiment_model

    settings = settings or Settings.from_env()
    clock = _StepClock(progress)
    reviews = table.reviews.copy()
    texts = reviews["text"].astype(str).tolist()

    clock.tick("embed", 0.0)
    embedder = embedder or embedder_for(settings)
    embeddings = embed_texts(embedder, texts, lambda f: clock.tick("embed", f))
    clock.done("embed")

    clock.tick("sentiment", 0.0)
    model = sentiment_model or load_sentiment_model(settings.sentiment_model)
    # One encoder pass serves both: the model takes our vectors when it was trained on the same encoder.
    same_encoder = getattr(model, "uses_embedder", None) == "use-m" and is_use_m(embedder)
    shared = embeddings if same_encoder else None
    predictions = score_sentiment(model, texts, shared)
    reviews = pd.concat([reviews, predictions.set_index(reviews.index)], axis=1)
    clock.done("sentiment")

    clock.tick("themes", 0.0)
    theme_result = themes_for(reviews, embeddings, embedder, settings, n_themes=n_themes, previous=previous_themes,
                              tick=lambda f: clock.tick("themes", f),
                              clause_sentiment=clause_sentiment(model, embedder))
    reviews = pd.concat([reviews, theme_columns(theme_result, reviews.index)], axis=1)
    clock.done("themes")

    clock.tick("trends", 0.0)
    alerts = _alerts(reviews, theme_result)
    clock.done("trends")

    return AnalysisResult(
        reviews=reviews,
        data=table.data,
        report=table.report,
        themes=theme_result.themes,
        alerts=alerts,
        timings=clock.timings,
        models=model_signature(embedder, model),
        embeddings=embeddings,
        theme_result=theme_result,
    )


def clause_sentiment(model, embedder: Embedder):
    """What the sentiment model says of each clause's own text (its label and P(positive) - P(negative)), for theme
    mentions.

    A mention's polarity comes from its clause, not from its review's stars: "fast delivery, but the strap broke"
    is praise of delivery and a complaint about the strap. The clause vectors are the model's input when it reads
    the same encoder (one encoder pass serves both, as for reviews); calls are shaped as ``score_sentiment``'s, so a
    clause scores the same whichever clauses share its call. None (the probe reads the clauses) for a model that
    does not take the embedder's vectors. A model may name another to read its clauses (``clause_model``: the
    cascade and e5 name the fast model)."""
    model = getattr(model, "clause_model", model)
    same_encoder = getattr(model, "uses_embedder", None) == "use-m" and is_use_m(embedder)
    if not same_encoder:
        # A model with its own encoder that names no clause model (a Hugging Face model) would run that encoder
        # again on every clause (about four per review); such a run keeps the probe for clauses.
        return None

    def score(texts: list[str], vectors: np.ndarray) -> pd.DataFrame:
        return score_sentiment(model, texts, vectors)

    return score


def score_sentiment(model, texts: list[str], embeddings: np.ndarray | None, call_rows: int = 512,
                    min_rows: int = 32) -> pd.DataFrame:
    """Sentiment columns of ``texts``, in calls of ``call_rows`` with a short last call padded to ``min_rows``.

    CPU matrix kernels round differently for a handful of rows than for many (measured: identical logits for 16 rows
    or more, last-digit differences below that), so a review's scores would depend on how many reviews shared its
    call. With every call this shape, a file analysed in pieces scores each review exactly as the whole file does."""
    frames = []
    for start in range(0, len(texts), call_rows):
        chunk = texts[start : start + call_rows]
        vectors = embeddings[start : start + call_rows] if embeddings is not None else None
        pad = max(0, min_rows - len(chunk))  # repeat the call's own rows: no other text involved
        if pad:
            cycle = np.resize(np.arange(len(chunk)), len(chunk) + pad)
            chunk = [chunk[i] for i in cycle]
            vectors = vectors[cycle] if vectors is not None else None
        frames.append(model.predict(chunk, embeddings=vectors).to_frame().iloc[: len(chunk) - pad])
    if not frames:
        return model.predict([], embeddings=embeddings).to_frame()
    return pd.concat(frames, ignore_index=True)


def themes_for(reviews: pd.DataFrame, embeddings: np.ndarray, embedder: Embedder, settings: Settings,
               n_themes: int | None = None, previous=None, tick: Callable[[float], None] = lambda f: None,
               clause_sentiment=None):
    """Themes of every review: fitted on all of them up to ``settings.theme_fit_reviews``, beyond that fitted on a
    seeded sample (``fit_sample``) with every other review assigned to them in chunks of the same size.

    Fitting cost and memory then stop growing with the input, and a file analysed in pieces (``analysis.runs.batch``)
    gets exactly these themes, because the sample and each assignment are properties of the review alone."""
    from analysis.themes import assign_reviews, combine_parts, find_themes, fit_sample

    limit = max(int(settings.theme_fit_reviews), 1)
    texts = reviews["text"].fillna("").astype(str).reset_index(drop=True)
    rows = reviews["row"].to_numpy() if "row" in reviews else np.arange(len(texts))
    sample = fit_sample(rows, texts.tolist(), limit, settings.seed)
    fit = find_themes(reviews.iloc[sample], embedder, n_themes=n_themes, seed=settings.seed, previous=previous,
                      embeddings=embeddings[sample], clause_sentiment=clause_sentiment)
    if len(sample) == len(reviews):
        return fit
    rest = np.setdiff1d(np.arange(len(reviews)), sample)
    parts = []
    for start in range(0, len(rest), limit):
        tick(start / len(rest))
        chunk = rest[start : start + limit]
        if fit.model is None:  # nothing could be themed: every other review is unthemed too
            mentions, assignments = unthemed_part(reviews.iloc[chunk])
        else:
            mentions, assignments = assign_reviews(fit.model, reviews.iloc[chunk], embeddings[chunk], embedder,
                                                   clause_sentiment)
        parts.append((chunk, mentions, assignments))
    return combine_parts(fit, sample, parts, texts)


def unthemed_part(reviews: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentions and assignments of reviews when the fit found no theme at all."""
    from analysis.themes import empty_result

    empty = empty_result(reviews["row"].to_numpy(), reviews["text"].astype(str).reset_index(drop=True), {})
    return empty.mentions, empty.assignments.drop(columns=["theme_label"])


def table_of(result: AnalysisResult) -> ReviewTable:
    """The ingested table behind a result, to analyse it again (e.g. with an adapted sentiment model)."""
    from analysis.io import CANONICAL_COLUMNS

    return ReviewTable(data=result.data, reviews=result.reviews[list(CANONICAL_COLUMNS)].copy(), report=result.report)


def combine(previous: AnalysisResult, table: ReviewTable) -> ReviewTable:
    """An earlier analysis's reviews followed by a new export's, as one table (columns are the union of both)."""
    from analysis.io import CANONICAL_COLUMNS

    old = table_of(previous)
    offset = int(old.reviews["row"].max()) if len(old.reviews) else 0
    new_reviews = table.reviews.assign(row=table.reviews["row"] + offset)
    report = IngestReport(
        source=f"{old.report.source} + {table.report.source}",
        file_format=table.report.file_format, encoding=table.report.encoding, delimiter=table.report.delimiter,
        columns=table.report.columns, role_reasons=table.report.role_reasons,
        rows_read=old.report.rows_read + table.report.rows_read,
        rows_kept=old.report.rows_kept + table.report.rows_kept,
        rows_rejected=old.report.rows_rejected + [replace(r, row=r.row + offset) for r in table.report.rows_rejected],
        warnings=old.report.warnings + table.report.warnings,
        duplicates=old.report.duplicates + table.report.duplicates,
        languages={k: old.report.languages.get(k, 0) + table.report.languages.get(k, 0)
                   for k in {*old.report.languages, *table.report.languages}},
    )
    return ReviewTable(
        data=pd.concat([old.data, table.data], ignore_index=True),
        reviews=pd.concat([old.reviews, new_reviews[list(CANONICAL_COLUMNS)]], ignore_index=True),
        report=report,
    )


def extend(previous: AnalysisResult, table: ReviewTable, settings: Settings | None = None,
           progress: Progress | None = None, *, embedder: Embedder | None = None,
           sentiment_model=None) -> AnalysisResult:
    """Add a new export (e.g. next month's) to a saved analysis: only new reviews are embedded, theme ids are kept."""
    settings = settings or Settings.from_env()
    embedder = embedder or embedder_for(settings)
    if previous.embeddings is not None and previous.models.get("embedding") == embedder.model_id \
            and hasattr(embedder, "prime"):
        embedder.prime(previous.reviews["text"].astype(str).tolist(), previous.embeddings)
    return analyze(combine(previous, table), settings, progress, embedder=embedder, sentiment_model=sentiment_model,
                   previous_themes=previous.theme_result)


def model_signature(embedder: Embedder, sentiment_model) -> dict[str, str]:
    """Which models produced a result; a saved result is reused only while this is unchanged."""
    import hashlib
    from pathlib import Path

    from analysis import __version__

    signature = {"review_insights": __version__, "embedding": embedder.model_id,
                 "sentiment": getattr(sentiment_model, "model_id", type(sentiment_model).__name__)}
    weights = getattr(sentiment_model, "weights_path", None)
    if weights and Path(weights).is_file():
        signature["sentiment_weights"] = hashlib.blake2b(Path(weights).read_bytes(), digest_size=8).hexdigest()
    return signature


def theme_columns(theme_result, index: pd.Index) -> pd.DataFrame:
    """Primary theme plus every theme a review mentions, each with the review's polarity on it (aspect-level).

    ``theme_labels`` reads like "battery / 电池 (negative); value / 性价比 (positive)".
    """
    from analysis.themes import general_feeling_flags

    assignments = theme_result.assignments
    labels = dict(zip(theme_result.themes["theme_id"], theme_result.themes["label"]))
    all_ids = [list(ids) for ids in assignments["all_theme_ids"]]
    polarities = (assignments["theme_polarities"] if "theme_polarities" in assignments
                  else pd.Series([{}] * len(assignments)))

    def described(ids: list, polarity: object) -> str:
        polarity = polarity if isinstance(polarity, dict) else {}
        return "; ".join(f"{labels.get(i, '')} ({polarity[i]})" if i in polarity else str(labels.get(i, ""))
                         for i in ids)

    out = pd.DataFrame(
        {
            "theme_id": assignments["theme_id"].astype(int).to_numpy(),
            "theme_label": assignments["theme_label"].fillna("").to_numpy(),
            "theme_ids": [";".join(str(i) for i in ids) for ids in all_ids],
            "theme_labels": [described(ids, pol) for ids, pol in zip(all_ids, polarities, strict=True)],
            "general_feeling": general_feeling_flags(assignments, getattr(theme_result, "mentions", None)),
        },
        index=index,
    )
    return out


def with_themes(result: AnalysisResult, theme_result) -> AnalysisResult:
    """The same analysis after a theme rename or merge: themes table and every review's theme columns follow."""
    reviews = result.reviews.drop(columns=[c for c in THEME_COLUMNS if c in result.reviews])
    reviews = pd.concat([reviews, theme_columns(theme_result, reviews.index)], axis=1)
    return replace(result, reviews=reviews, themes=theme_result.themes, theme_result=theme_result)


def subset(result: AnalysisResult, keep: np.ndarray | pd.Series) -> AnalysisResult:
    """The analysis restricted to some reviews (a boolean mask over ``result.reviews``), positions kept consistent.

    Trend functions address reviews by position, so the theme assignments and clause mentions are cut and
    renumbered together with the reviews; theme descriptions stay those of the whole analysis.
    """
    mask = np.asarray(keep, dtype=bool)
    positions = np.flatnonzero(mask)
    reviews = result.reviews.iloc[positions].reset_index(drop=True)
    data = result.data.iloc[positions].reset_index(drop=True)
    embeddings = result.embeddings[positions] if result.embeddings is not None else None
    theme_result = result.theme_result
    if theme_result is not None:
        new_position = np.full(len(mask), -1)
        new_position[positions] = np.arange(len(positions))
        mentions = theme_result.mentions
        mentions = mentions[mask[mentions["review"].to_numpy()]].copy()
        mentions["review"] = new_position[mentions["review"].to_numpy()]
        theme_result = replace(
            theme_result,
            assignments=theme_result.assignments.iloc[positions].reset_index(drop=True),
            mentions=mentions.reset_index(drop=True),
            texts=theme_result.texts.iloc[positions].reset_index(drop=True),
        )
    return replace(result, reviews=reviews, data=data, embeddings=embeddings, theme_result=theme_result)


def _alerts(reviews: pd.DataFrame, theme_result, text_of=None, sentences_of=None) -> pd.DataFrame:
    """Emerging issues need dates; without a date column there is nothing to compare against."""
    from analysis.insights import emerging_issues

    if reviews["date"].isna().all():
        return pd.DataFrame()
    return emerging_issues(reviews, theme_result, text_of=text_of, sentences_of=sentences_of)
