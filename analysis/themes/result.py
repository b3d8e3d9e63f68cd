"""The themes of one analysis as tables (themes, assignments, mentions, topics), with rename and merge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.themes.clustering import UNTHEMED, unit_rows
from analysis.themes.naming import describe_themes
from analysis.themes.polarity import theme_kind

if TYPE_CHECKING:  # pragma: no cover
    from analysis.themes.assign import ThemeModel


def general_feeling_flags(assignments: pd.DataFrame, mentions: pd.DataFrame | None = None) -> np.ndarray:
    """Per review: it only vents or praises in general ("太失望了", "Love it!"), so its blank theme is not a miss.

    From the assignments' flag; analyses saved before they carried it derive it from their clauses' context marks."""
    if "general_feeling" in assignments:
        return assignments["general_feeling"].fillna(False).to_numpy(dtype=bool)
    flags = np.zeros(len(assignments), dtype=bool)
    if mentions is not None and len(mentions) and "context" in mentions:
        all_context = mentions["context"].astype(bool).groupby(mentions["review"].to_numpy(dtype=np.int64)).all()
        positions = all_context.index[all_context.to_numpy()].to_numpy(dtype=np.int64)
        flags[positions[(positions >= 0) & (positions < len(flags))]] = True
    return flags


@dataclass
class ThemeResult:
    """Themes of one analysis, with one row per review (``assignments``) and one per clause (``mentions``).

    ``themes``: theme_id, label, keywords (list), size (reviews that mention the theme), share (of all reviews),
    primary_size, mention_count, mean_sentiment, negative_share, positive_share (of its mentions), kind
    ('complaint' | 'praise' | 'mixed'), quotes, complaint_quotes, praise_quotes (lists of str), renamed (bool).
    ``centroids``: one L2-normalised embedding-space vector per row of ``themes`` (for stable ids across runs).
    ``assignments``: row, theme_id (primary, -1 unthemed), theme_label, all_theme_ids (list), theme_polarities
    (dict theme_id -> 'negative'|'neutral'|'positive'), similarity, general_feeling (bool: names nothing, only vents
    or praises in general; unthemed by design).
    ``mentions``: review (position), row, sentence_no, sentence, theme_id, similarity, sentiment_score, polarity.
    ``topics``: topic_id, label, keywords, size, share: what whole reviews are about (coarser than themes; each
    review has one, in ``assignments.topic_id``; each theme's most common topic is ``themes.topic_id``).
    """

    themes: pd.DataFrame
    centroids: np.ndarray
    assignments: pd.DataFrame
    mentions: pd.DataFrame
    texts: pd.Series = field(repr=False)
    params: dict = field(default_factory=dict)
    topics: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: ThemeModel | None = field(default=None, repr=False, compare=False)  # in memory only, never saved

    @property
    def general_feeling(self) -> np.ndarray:
        """Positions of the reviews that name nothing, only vent or praise in general ("太失望了", "Love it!"):
        every clause of theirs is context. Shown apart, never as a theme."""
        return np.flatnonzero(general_feeling_flags(self.assignments, self.mentions)).astype(np.int64)

    @property
    def unthemed_share(self) -> float:
        """Reviews with no theme that are not general feeling (those are accounted for by that group)."""
        if not len(self.assignments):
            return 0.0
        unthemed = (self.assignments["theme_id"] == UNTHEMED).to_numpy().copy()
        unthemed[self.general_feeling[self.general_feeling < len(unthemed)]] = False
        return float(unthemed.mean())

    @property
    def n_themes(self) -> int:
        return len(self.themes)

    def complaint_themes(self, min_mentions: int = 3) -> pd.DataFrame:
        """Themes ranked by negative mentions, with complaint quotes: what customers complain about."""
        t = self.themes.assign(negative_mentions=(self.themes["negative_share"] * self.themes["mention_count"]).round())
        t = t[(t["kind"] != "praise") & (t["negative_mentions"] >= min_mentions)]
        return t.sort_values(["negative_mentions", "theme_id"], ascending=[False, True]).reset_index(drop=True)

    def praise_themes(self, min_mentions: int = 3) -> pd.DataFrame:
        """Themes ranked by positive mentions, with praise quotes: what customers like."""
        t = self.themes.assign(positive_mentions=(self.themes["positive_share"] * self.themes["mention_count"]).round())
        t = t[(t["kind"] != "complaint") & (t["positive_mentions"] >= min_mentions)]
        return t.sort_values(["positive_mentions", "theme_id"], ascending=[False, True]).reset_index(drop=True)

    def rename(self, theme_id: int, label: str) -> ThemeResult:
        """A copy with one theme relabelled; the label survives later runs through stable ids."""
        if theme_id not in set(self.themes["theme_id"]):
            raise KeyError(f"No theme {theme_id}; pick one of {sorted(self.themes['theme_id'])}.")
        themes = self.themes.copy()
        mask = themes["theme_id"] == theme_id
        themes.loc[mask, "label"] = str(label)
        themes.loc[mask, "renamed"] = True
        assignments = self.assignments.copy()
        assignments.loc[assignments["theme_id"] == theme_id, "theme_label"] = str(label)
        return replace(self, themes=themes, assignments=assignments)

    def merge(self, ids: Sequence[int], label: str | None = None) -> ThemeResult:
        """A copy where the given themes become one (keeping the first id), re-described from their mentions."""
        ids = [int(i) for i in ids]
        known = set(self.themes["theme_id"])
        missing = [i for i in ids if i not in known]
        if missing or len(ids) < 2:
            raise ValueError(f"merge needs two or more existing theme ids; unknown: {missing}, known: {sorted(known)}")
        keep = ids[0]
        pos = {t: i for i, t in enumerate(self.themes["theme_id"])}
        sizes = self.themes.set_index("theme_id")["mention_count"]
        centroid = unit_rows(sum(self.centroids[pos[i]] * max(sizes[i], 1) for i in ids)[None, :])[0]
        mentions = self.mentions.copy()
        mentions.loc[mentions["theme_id"].isin(ids), "theme_id"] = keep
        assignments = self.assignments.copy()
        assignments.loc[assignments["theme_id"].isin(ids), "theme_id"] = keep
        assignments["all_theme_ids"] = [
            sorted({keep if t in ids else t for t in tids}) for tids in assignments["all_theme_ids"]
        ]
        old = self.themes.set_index("theme_id")
        renamed = {t: bool(old.at[t, "renamed"]) for t in old.index if t not in ids[1:]}
        labels = {t: old.at[t, "label"] for t in renamed}
        if label is not None:
            labels[keep], renamed[keep] = str(label), True
        else:
            renamed[keep] = bool(old.at[keep, "renamed"])
            labels.pop(keep) if not renamed[keep] else None
        order = [t for t in old.index if t not in ids[1:]]
        centroids = np.vstack([centroid if t == keep else self.centroids[pos[t]] for t in order])
        return build_result(
            mentions, assignments.drop(columns=["theme_label"]), self.texts, order, centroids, labels, renamed,
            self.params, self.topics,
        )


def build_result(mentions, assignments, texts, theme_ids, centroids, labels, renamed, params,
                  topics: pd.DataFrame | None = None) -> ThemeResult:
    info = describe_themes(mentions, texts, theme_ids, len(assignments), params.get("seed", 42))
    rows = []
    for t in theme_ids:
        d = info[t]
        auto = d["label"] or d["example"] or f"theme {t}"  # no content word: its typical clause
        rows.append({
            "theme_id": int(t),
            "label": labels.get(t, auto),
            "keywords": d["keywords"],
            "size": d["size"],
            "share": d["share"],
            "primary_size": int((assignments["theme_id"] == t).sum()),
            "mention_count": d["mention_count"],
            "mean_sentiment": d["mean_sentiment"],
            "negative_share": d["negative_share"],
            "positive_share": d["positive_share"],
            "kind": theme_kind(d["negative_share"], d["positive_share"]),
            "quotes": d["quotes"],
            "complaint_quotes": d["complaint_quotes"],
            "praise_quotes": d["praise_quotes"],
            "renamed": bool(renamed.get(t, False)),
        })
    themes = pd.DataFrame(rows, columns=[
        "theme_id", "label", "keywords", "size", "share", "primary_size", "mention_count", "mean_sentiment",
        "negative_share", "positive_share", "kind", "quotes", "complaint_quotes", "praise_quotes", "renamed"])
    label_of = dict(zip(themes["theme_id"], themes["label"]))
    assignments = assignments.copy()
    assignments["theme_label"] = [label_of.get(t, "") if t != UNTHEMED else "" for t in assignments["theme_id"]]
    if "topic_id" in assignments:
        themed = mentions[mentions["theme_id"] != UNTHEMED]
        topic_of_review = assignments["topic_id"].to_numpy()[themed["review"].to_numpy(dtype=np.int64)]
        majority = pd.DataFrame({"t": themed["theme_id"].to_numpy(), "topic": topic_of_review}).groupby("t")[
            "topic"].agg(lambda s: int(s.value_counts().sort_index().idxmax()))
        themes.insert(2, "topic_id", themes["theme_id"].map(majority).fillna(-1).astype(int))
    return ThemeResult(themes, np.asarray(centroids, dtype=np.float32), assignments, mentions, texts, params,
                       topics if topics is not None else pd.DataFrame())


def themes_table_for_saving(result: ThemeResult) -> pd.DataFrame:
    """The themes table with a ``centroid`` column (list of floats): what a later run needs as ``previous``."""
    return result.themes.assign(centroid=[c.tolist() for c in result.centroids])
