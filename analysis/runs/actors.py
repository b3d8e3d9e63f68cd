"""The work of a distributed run's Ray actors and tasks, one Parquet piece at a time, and the counts they hand back.

``SampleEncoder`` embeds and scores the reviews of the seeded theme-fit sample (and their clauses); ``Analyser``
embeds, scores and assigns themes to every other review, writes the piece's rows as one Parquet file and returns
``PieceCounts``: what themes, emerging issues, drivers and trends are computed from (``analysis.themes.theme_counts``,
``analysis.insights.issue_counts``, ``driver_counts``), which add up over pieces. Both load the models once per actor,
in their constructor. ``alert_details`` reads written pieces back for the few alerts' quotes and words. Nothing here
imports Ray: the classes are plain, Ray Data runs them.
"""

from __future__ import annotations

import os
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.config import Settings
from analysis.runs.shards import DATA, _write_atomic

RESULT_SOURCE = ["source_file", "source_row"]
CANONICAL_KEPT = ["text", "date", "product", "category", "rating"]  # stored as canonical_<name> for the aggregates
MENTION_FIELDS = ["sentence_no", "sentence", "theme_id", "similarity", "sentiment_score", "polarity", "context"]


def _load_models(settings: Settings, threads: int):
    """The encoder (in-process, this actor's threads, an in-memory cache only) and the sentiment model."""
    from analysis.encoders import is_use_m, load_embedder
    from analysis.sentiment import load_sentiment_model

    embedder = load_embedder(settings.embedding_model, cache=None, processes=1)
    if hasattr(embedder, "inner") and hasattr(embedder.inner, "threads"):
        embedder.inner.threads = max(1, threads)
    if hasattr(embedder, "memory_limit"):
        embedder.memory_limit = min(embedder.memory_limit, 50_000)
    model = load_sentiment_model(settings.sentiment_model)
    same_encoder = getattr(model, "uses_embedder", None) == "use-m" and is_use_m(embedder)
    return embedder, model, same_encoder


def _scored(embedder, model, same_encoder: bool, reviews: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Reviews with their sentiment columns, and their vectors, as the in-process runs compute them."""
    from analysis.runs.pipeline import score_sentiment

    texts = reviews["text"].astype(str).tolist()
    embeddings = embedder.embed(texts) if texts else np.zeros((0, 512), dtype=np.float32)
    predictions = score_sentiment(model, texts, embeddings if same_encoder else None)
    return pd.concat([reviews, predictions.set_index(reviews.index)], axis=1), embeddings


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """A parked piece's canonical review columns (without the key and the user's columns)."""
    return frame[[c for c in frame.columns if c != "_key" and not c.startswith(DATA)]]


class SampleEncoder:
    """Embeds and scores the theme-fit sample's reviews of a piece, and embeds their clauses."""

    def __init__(self, settings: Settings, sample: list, threads: int = 1) -> None:
        import ray

        self.embedder, self.model, self.same_encoder = _load_models(settings, threads)
        self.sample = set(map(tuple, ray.get(sample[0])))  # (shard, row), from the object store

    def __call__(self, batch: dict) -> dict:
        from analysis.themes import clauses_to_embed

        out = []
        for path, shard in zip(batch["path"], batch["shard"], strict=True):
            frame = pd.read_parquet(path)
            chosen = np.array([(int(shard), int(r)) in self.sample for r in frame["row"]], dtype=bool)
            reviews, embeddings = _scored(self.embedder, self.model, self.same_encoder,
                                          _canonical(frame[chosen]).reset_index(drop=True))
            clauses = sorted(set(clauses_to_embed(reviews["text"].astype(str).tolist())))
            vectors = self.embedder.embed(clauses) if clauses else np.zeros((0, embeddings.shape[1]), np.float32)
            out.append(pickle.dumps((int(shard), reviews, embeddings, clauses, vectors)))
        return {"payload": out}


class LookupEmbedder:
    """The vectors the sample's actors computed, served by text, so the theme fit on the driver needs no encoder."""

    def __init__(self, model_id: str, texts: list[str], vectors: np.ndarray) -> None:
        self.model_id = model_id
        self.index = {t: i for i, t in enumerate(texts)}
        self.vectors = vectors

    def embed(self, texts) -> np.ndarray:
        missing = [t for t in texts if t not in self.index]
        if missing:
            raise KeyError(f"{len(missing)} clause(s) were not embedded with the sample, e.g. {missing[0][:80]!r}")
        return self.vectors[[self.index[t] for t in texts]] if len(texts) else self.vectors[:0]


@dataclass
class PieceCounts:
    """One piece's part of the run-wide tables; ``add`` sums two of them."""

    rows: int = 0
    themes: dict = field(default_factory=dict)  # theme_counts arrays
    issues: dict = field(default_factory=dict)  # IssueCounts series: totals, negative, mentions
    drivers: dict = field(default_factory=dict)  # driver_counts
    trends: pd.DataFrame | None = None  # per (period, product): reviews, score sum, negatives, rating sum and count

    def add(self, other: PieceCounts) -> PieceCounts:
        def series(a: pd.Series | None, b: pd.Series | None) -> pd.Series | None:
            return b if a is None else a if b is None else a.add(b, fill_value=0).astype(np.int64)

        themes = {k: self.themes[k] + other.themes[k] for k in self.themes} if self.themes else other.themes
        issues = {k: series(self.issues.get(k), other.issues.get(k)) for k in other.issues} if self.issues \
            else other.issues
        drivers = other.drivers
        if self.drivers:
            merged = dict(self.drivers["themes"])
            for theme, values in other.drivers["themes"].items():
                merged[theme] = merged.get(theme, 0) + values
            drivers = {"all": self.drivers["all"] + other.drivers["all"], "themes": merged}
        trends = other.trends if self.trends is None else self.trends.add(other.trends, fill_value=0)
        return PieceCounts(self.rows + other.rows, themes, issues, drivers, trends)


class Analyser:
    """Embeds, scores and assigns themes to a piece's reviews; writes its rows; returns its ``PieceCounts``."""

    def __init__(self, settings: Settings, shared: list, out: str, threads: int = 1) -> None:
        import ray

        self.embedder, self.model, self.same_encoder = _load_models(settings, threads)
        self.shared = ray.get(shared[0])  # the fitted ThemeModel, labels and the sample's results
        self.out = Path(out)
        self.reconstructed = ray.get_runtime_context().was_current_actor_reconstructed

    def __call__(self, batch: dict) -> dict:
        results = [self.piece(path, int(shard), source) for path, shard, source in
                   zip(batch["path"], batch["shard"], batch["file"], strict=True)]
        return {"payload": [pickle.dumps(r) for r in results]}

    def piece(self, path: str, shard: int, source: str) -> dict:
        from analysis.runs.pipeline import clause_sentiment, theme_columns, unthemed_part
        from analysis.store import AnalysisResult
        from analysis.themes import assign_reviews

        shared = self.shared
        frame = pd.read_parquet(path)
        reviews = _canonical(frame).reset_index(drop=True)
        sample = shared["sample"]  # the fit's results, indexed by (shard, row)
        keys = pd.MultiIndex.from_arrays([np.full(len(reviews), shard), reviews["row"].to_numpy()])
        fitted = np.flatnonzero(keys.isin(sample.index))
        others = np.setdiff1d(np.arange(len(reviews)), fitted)
        scored, embeddings = _scored(self.embedder, self.model, self.same_encoder, reviews.iloc[others])
        predicted = [c for c in scored.columns if c not in reviews.columns]
        parts = [sample.loc[keys[fitted]].drop(columns=["mentions"]).set_axis(fitted)]
        mentions = [self._fitted_mentions(sample.loc[keys[fitted], "mentions"], fitted)]
        if len(others):
            if shared["model"] is None:  # nothing could be themed: every other review is unthemed too
                found, assigned = unthemed_part(scored)
            else:
                found, assigned = assign_reviews(shared["model"], scored, embeddings, self.embedder,
                                                 clause_sentiment(self.model, self.embedder))
            parts.append(pd.concat([scored[predicted].reset_index(drop=True),
                                    assigned.drop(columns=["row", "theme_label"], errors="ignore")], axis=1)
                         .set_axis(others))
            mentions.append(found.assign(review=others[found["review"].to_numpy(dtype=np.int64)]))
        rows = pd.concat(parts).sort_index()
        mentions = pd.concat(mentions, ignore_index=True).sort_values(["review", "sentence_no"], kind="stable")
        rows["theme_label"] = [shared["labels"].get(t, "") for t in rows["theme_id"]]
        reviews = pd.concat([reviews, rows[shared["predicted"]]], axis=1)
        themed = SimpleNamespace(assignments=rows.reset_index(drop=True), mentions=mentions.reset_index(drop=True),
                                 themes=shared["themes"])
        reviews = pd.concat([reviews, theme_columns(themed, reviews.index)], axis=1)

        data = frame[[c for c in frame.columns if c.startswith(DATA)]]
        data.columns = [c[len(DATA):] for c in data.columns]
        output = AnalysisResult(reviews=reviews, data=data, report=None).output_frame()
        output.columns = [f"{c} (input)" if c in RESULT_SOURCE else c for c in output.columns]
        output.insert(0, "source_row", reviews["row"].to_numpy())
        output.insert(0, "source_file", source)
        for column in CANONICAL_KEPT:
            output["canonical_" + column] = reviews[column].to_numpy()
        output["mentions"] = _mention_lists(mentions, len(reviews))
        _write_atomic(output, self.out / "reviews" / Path(path).name)
        counts = piece_counts(reviews, themed, shared)
        return {"piece": Path(path).name, "counts": counts, "pid": os.getpid(), "reconstructed": self.reconstructed}

    @staticmethod
    def _fitted_mentions(lists: pd.Series, positions: np.ndarray) -> pd.DataFrame:
        frames = [pd.DataFrame(items).assign(review=p) for p, items in zip(positions, lists, strict=True) if items]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["review", *MENTION_FIELDS])


def _mention_lists(mentions: pd.DataFrame, n: int) -> list[list[dict]]:
    """Each review's clause mentions as a list of records (a Parquet list of structs)."""
    out: list[list[dict]] = [[] for _ in range(n)]
    fields = mentions[MENTION_FIELDS]
    for review, record in zip(mentions["review"].to_numpy(dtype=np.int64), fields.to_dict("records"), strict=True):
        record["sentence_no"], record["theme_id"] = int(record["sentence_no"]), int(record["theme_id"])
        record["similarity"], record["sentiment_score"] = float(record["similarity"]), float(record["sentiment_score"])
        record["context"], record["polarity"] = bool(record["context"]), str(record["polarity"])
        out[review].append(record)
    return out


def piece_counts(reviews: pd.DataFrame, themed: SimpleNamespace, shared: dict) -> PieceCounts:
    """The piece's part of themes, emerging issues, drivers and trends (see ``PieceCounts``)."""
    from analysis.insights import driver_counts, issue_counts, period_start, review_scores
    from analysis.themes import theme_counts

    counts = PieceCounts(rows=len(reviews), themes=theme_counts(themed.mentions, themed.assignments,
                                                                shared["width"], shared["n_topics"]),
                         drivers=driver_counts(reviews, themed))
    if shared["bucket"] is not None:
        issues = issue_counts(reviews, themed, shared["bucket"], "product")
        counts.issues = {"totals": issues.totals, "negative": issues.negative, "mentions": issues.mentions}
        periods = period_start(reviews["date"], shared["bucket"])
        rating = pd.to_numeric(reviews["rating"], errors="coerce")
        frame = pd.DataFrame({"period": periods, "product": reviews["product"].fillna("—").astype(str),
                              "reviews": 1, "score_sum": review_scores(reviews).astype(float),
                              "negative": (reviews["sentiment_label"].astype(str) == "negative").astype(int),
                              "rating_sum": rating.fillna(0.0), "rated": rating.notna().astype(int)})
        counts.trends = frame.dropna(subset=["period"]).groupby(["period", "product"]).sum()
    return counts


def alert_details(batch: dict, alerts: list[dict], latest, bucket: str, negative_only: bool) -> dict:
    """For each alert (theme_id, product): this piece's quote candidates (similarity, shard, row, text) and the token
    counts of the theme's clauses, flagged (the alert's reviews in the latest period) or not."""
    from analysis.insights import period_start
    from analysis.insights.trends import mentions_with_reviews
    from analysis.themes import class_token_counts

    out = []
    for path in batch["path"]:
        frame = pd.read_parquet(path, columns=["source_row", "canonical_text", "canonical_date", "canonical_product",
                                               "mentions"])
        lists = frame["mentions"].tolist()
        mentions = pd.DataFrame([dict(m, review=i) for i, items in enumerate(lists) for m in items],
                                columns=["review", *MENTION_FIELDS])
        pairs = mentions_with_reviews(frame, SimpleNamespace(assignments=frame, mentions=mentions), columns=())
        pairs = pairs[pairs["negative"]] if negative_only else pairs
        periods = period_start(frame["canonical_date"], bucket).to_numpy()
        products = frame["canonical_product"].fillna("—").astype(str).to_numpy()
        review = pairs["review"].to_numpy(dtype=np.int64)
        found = []
        for alert in alerts:
            now = pairs[(pairs["theme_id"].to_numpy() == alert["theme_id"]) & (products[review] == alert["product"])
                        & (periods[review] == latest)].sort_values("similarity", ascending=False, kind="stable")
            top = [(float(s), int(frame["source_row"].iat[r]), str(frame["canonical_text"].iat[r]))
                   for s, r in zip(now["similarity"].head(3), now["review"].head(3), strict=True)]
            flagged = set(now["review"].tolist())
            own = mentions[mentions["theme_id"].to_numpy() == alert["theme_id"]]
            classes = own["review"].isin(flagged).astype(int).tolist()
            docs = Counter(classes)
            found.append({"quotes": top, "tokens": class_token_counts(own["sentence"].astype(str).tolist(), classes),
                          "docs": docs})
        out.append(pickle.dumps(found))
    return {"payload": out}
