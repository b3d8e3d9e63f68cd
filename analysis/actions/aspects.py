"""Which aspect each clause of an analysis talks about: its kind of complaint or praise (``kinds``), for replies and
recommendations alike.

A clause names its kind by its own words. One without kind words continues the clause before it in the same review
with the same polarity ("发货太慢，等了十天"), else takes its theme's kind. A theme's kind is what its clauses say:
the kind most of its kind-naming clauses name, when they are at least ``THEME_KIND_SHARE`` of all its clauses;
otherwise "other" (and the reply quotes the clause instead of guessing). On real exports, themes built by
clustering often mix aspects, and a label-based guess ("arrived / return / airport" -> delivery) misnames the
clauses that carry no kind word. Context clauses ("上个月买的") have no kind.
"""

from __future__ import annotations

import pandas as pd

from analysis.actions.kinds import OTHER, clause_kind

THEME_KIND_SHARE = 0.4


def _own_kinds(mentions: pd.DataFrame) -> pd.Series:
    return pd.Series([clause_kind(str(s)) for s in mentions["sentence"]], index=mentions.index, dtype=object)


def clause_theme_kinds(mentions: pd.DataFrame, own: pd.Series) -> dict[int, str]:
    """theme_id -> the kind its clauses name (see the module docstring), "other" when they do not agree enough."""
    themed = mentions["theme_id"].astype(int)
    frame = pd.DataFrame({"theme": themed, "kind": own})
    frame = frame[frame["theme"] >= 0]
    kinds: dict[int, str] = {}
    for theme, group in frame.groupby("theme"):
        named = group["kind"].dropna()
        if not len(named):
            kinds[int(theme)] = OTHER
            continue
        counts = named.value_counts()
        kinds[int(theme)] = str(counts.index[0]) if counts.iloc[0] >= THEME_KIND_SHARE * len(group) else OTHER
    return kinds


def mention_kinds(theme_result, reviews=None) -> tuple[pd.DataFrame, dict[int, str]]:
    """The clause mentions that are not context (optionally of some review positions only) with a ``kind`` column
    (None: no aspect) and ``own_kind`` (the kind its own words name, if any), and every theme's kind."""
    mentions = theme_result.mentions
    if "context" in mentions:
        mentions = mentions[~mentions["context"].fillna(False).astype(bool)]
    own_all = _own_kinds(mentions)
    theme_kinds = clause_theme_kinds(mentions, own_all)
    if reviews is not None:
        keep = mentions["review"].isin(reviews)
        mentions, own_all = mentions[keep], own_all[keep]
    order = mentions.sort_values(["review", "sentence_no"]).index
    mentions, own_all = mentions.loc[order], own_all.loc[order]
    found: list[str | None] = []
    last: dict[tuple[int, str], str] = {}
    for review, own, theme_id, polarity in zip(mentions["review"], own_all, mentions["theme_id"],
                                               mentions["polarity"]):
        kind = own if isinstance(own, str) else last.get((int(review), polarity))
        if kind is None and int(theme_id) >= 0:
            kind = theme_kinds.get(int(theme_id), OTHER)
        if kind is not None:
            last[(int(review), polarity)] = kind
        found.append(kind)
    return mentions.assign(kind=pd.Series(found, index=mentions.index, dtype=object), own_kind=own_all), theme_kinds
