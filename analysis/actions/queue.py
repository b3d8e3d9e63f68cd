"""The reply queue: which reviews need an answer, in which order, and what each one complains about.

A review needs an answer when its text reads negative (``sentiment_label``) or it gives 1-2 stars. The order is a
stated priority in [0, 100], the weighted sum of four parts, each in [0, 1]:

    priority = 100 * (0.40 * severity + 0.25 * low_rating + 0.20 * recency + 0.15 * emerging)

- severity: the sentiment model's probability that the text is negative (``p_negative``);
- low_rating: (5 - stars) / 4, so 1 star is 1 and 5 stars 0; a review without stars takes its severity;
- recency: 0.5 ** (age / 30 days), the age counted back from the newest review of the analysis (not today, so the
  same analysis always gives the same order); an undated review counts 0.5;
- emerging: 1 when the review complains about a theme flagged as an emerging issue of its product (the Trends
  page's test, ``analysis.insights.emerging``) and is dated in or after the issue's first period, else 0.

The parts are kept as columns, so the page and the export show why a review is where it is.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from analysis.actions.aspects import mention_kinds
from analysis.actions.kinds import OTHER, clause_kind, ordered

WEIGHTS = {"severity": 0.40, "low_rating": 0.25, "recency": 0.20, "emerging": 0.15}
HALF_LIFE_DAYS = 30.0
UNDATED_RECENCY = 0.5
LOW_STARS = 2  # 1-2 stars need an answer whatever the text says

QUEUE_COLUMNS = ["review_key", "review", "review_id", "text", "product", "category", "date", "rating",
                 "reply_language", "priority", "severity", "low_rating", "recency", "emerging", "theme_ids", "themes",
                 "kinds", "clauses"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def review_keys(reviews: pd.DataFrame) -> pd.Series:
    """A key per review that survives re-saving and extending an analysis (row numbers do not): a hash of its id,
    product, date and text; identical reviews are told apart by their order."""
    def column(name: str) -> pd.Series:
        if name not in reviews:
            return pd.Series("", index=reviews.index)
        return reviews[name].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))

    joined = column("review_id") + "\x1f" + column("product") + "\x1f" + column("date") + "\x1f" + column("text")
    keys = joined.map(lambda s: hashlib.blake2b(s.encode("utf-8"), digest_size=8).hexdigest())
    repeat = keys.groupby(keys).cumcount()
    return keys.where(repeat == 0, keys + "-" + repeat.astype(str))


def reply_language(text: str, language: str | None) -> str:
    """The language to answer in: the review's own; a mixed review by what most of it is written in."""
    if language in ("zh", "en"):
        return language
    cjk = len(_CJK.findall(text or ""))
    return "zh" if cjk and cjk >= 2 * len(_LATIN_WORD.findall(text or "")) else "en"


def needs_answer(reviews: pd.DataFrame) -> pd.Series:
    """Negative text or 1-2 stars."""
    negative = reviews["sentiment_label"].eq("negative") if "sentiment_label" in reviews else False
    low = reviews["rating"].le(LOW_STARS) if "rating" in reviews else False
    return pd.Series(negative | low, index=reviews.index).fillna(False).astype(bool)


def priority_parts(reviews: pd.DataFrame, emerging: pd.Series, newest: pd.Timestamp | None = None) -> pd.DataFrame:
    """The four parts of the priority and their weighted sum, per review (see the module docstring); ``newest``: the
    date recency counts back from (default: the newest of ``reviews``)."""
    severity = reviews["p_negative"].astype(float).clip(0, 1) if "p_negative" in reviews else pd.Series(
        reviews["sentiment_label"].eq("negative").astype(float), index=reviews.index)
    stars = pd.to_numeric(reviews["rating"], errors="coerce") if "rating" in reviews else pd.Series(np.nan,
                                                                                                   index=reviews.index)
    low_rating = ((5 - stars.clip(1, 5)) / 4).fillna(severity)
    dates = pd.to_datetime(reviews["date"], errors="coerce") if "date" in reviews else pd.Series(pd.NaT,
                                                                                               index=reviews.index)
    newest = dates.max() if newest is None else newest
    age_days = (newest - dates).dt.total_seconds() / 86400 if pd.notna(newest) else pd.Series(np.nan,
                                                                                             index=reviews.index)
    recency = (0.5 ** (age_days / HALF_LIFE_DAYS)).fillna(UNDATED_RECENCY)
    parts = pd.DataFrame({"severity": severity, "low_rating": low_rating, "recency": recency,
                          "emerging": emerging.astype(float)}, index=reviews.index)
    parts["priority"] = 100 * sum(parts[name] * weight for name, weight in WEIGHTS.items())
    return parts


def complaints(result, positions: np.ndarray) -> pd.DataFrame:
    """For the reviews at ``positions``: the themes they mention negatively, the kinds of their complaints (most
    urgent first) and their negative clauses, in the review's order."""
    out = pd.DataFrame({"theme_ids": [[] for _ in positions], "kinds": [[] for _ in positions],
                        "clauses": [[] for _ in positions]}, index=positions)
    theme_result = result.theme_result
    if theme_result is None:
        texts = result.reviews["text"].iloc[positions]
        out["kinds"] = [[clause_kind(str(t)) or OTHER] for t in texts]
        return out
    mentions, kinds_of = mention_kinds(theme_result, positions)
    chosen = result.reviews.iloc[positions]
    texts = dict(zip(positions, chosen["text"].astype(str)))
    polarities = theme_result.assignments["theme_polarities"].iloc[positions]
    negative_themes = {p: [int(t) for t, pol in (v or {}).items() if pol == "negative"]
                       for p, v in zip(positions, polarities)}
    found: dict[int, dict[str, list]] = {int(p): {"themes": list(negative_themes.get(p, [])), "kinds": [],
                                                  "clauses": [], "told": []} for p in positions}
    for row in mentions[mentions["polarity"].ne("positive")].itertuples():
        entry = found[int(row.review)]
        theme_id = int(row.theme_id)
        if row.polarity != "negative":
            # a neutral clause of a review that needs an answer counts when it names its kind itself ("but too small
            # for a medium": clause polarity misses many complaints of real exports); its theme is no evidence
            if isinstance(row.own_kind, str):
                entry["kinds"].append(row.own_kind)
            continue
        if theme_id >= 0 and theme_id not in entry["themes"]:
            entry["themes"].append(theme_id)
        if isinstance(row.kind, str):
            entry["kinds"].append(row.kind)
            entry["told"].append(theme_id)  # a theme whose clause named its own kind adds no other
        entry["clauses"].append(str(row.sentence))
    for position, entry in found.items():
        untold = [kinds_of.get(t, OTHER) for t in entry["themes"] if t not in entry["told"]]
        kinds = ordered(entry["kinds"] + untold)
        if not kinds:  # no clause read negative: what the whole text names
            kinds = [kind for kind in [clause_kind(texts.get(position, ""))] if kind]
        if len(kinds) > 1 and OTHER in kinds:
            kinds.remove(OTHER)
        out.at[position, "theme_ids"] = entry["themes"]
        out.at[position, "kinds"] = kinds or [OTHER]
        out.at[position, "clauses"] = entry["clauses"]
    return out


def emerging_flags(reviews: pd.DataFrame, alerts: pd.DataFrame, theme_ids: pd.Series) -> pd.Series:
    """Whether each review complains about an emerging issue of its product, on or after the issue began."""
    flags = pd.Series(False, index=theme_ids.index)
    if alerts is None or not len(alerts) or "product" not in alerts:
        return flags
    dates = pd.to_datetime(reviews["date"], errors="coerce")
    for alert in alerts.itertuples():
        start = pd.to_datetime(getattr(alert, "first_period", None) or getattr(alert, "period", None),
                               errors="coerce")
        for position, ids in theme_ids.items():
            if int(alert.theme_id) in ids and reviews["product"].iloc[position] == alert.product:
                date = dates.iloc[position]
                flags[position] = flags[position] or pd.isna(start) or pd.isna(date) or date >= start
    return flags


def reply_queue(result, theme_names: dict[int, str] | None = None) -> pd.DataFrame:
    """Reviews that need an answer, highest priority first, with the parts of their priority and their complaints.

    ``theme_names`` (theme_id -> a name to show, e.g. a human name from the LLM) overrides the theme labels.
    """
    reviews = result.reviews.reset_index(drop=True)
    positions = np.flatnonzero(needs_answer(reviews).to_numpy())
    if not len(positions):
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    found = complaints(result, positions)
    labels = {}
    if result.themes is not None and len(result.themes):
        labels = dict(zip(result.themes["theme_id"].astype(int), result.themes["label"].astype(str)))
    labels.update(theme_names or {})
    chosen = reviews.iloc[positions]
    emerging = emerging_flags(reviews, result.alerts, found["theme_ids"])
    newest = pd.to_datetime(reviews["date"], errors="coerce").max() if "date" in reviews else None
    parts = priority_parts(chosen, emerging, newest)
    queue = pd.DataFrame({
        "review_key": review_keys(reviews).iloc[positions].to_numpy(),
        "review": positions,
        "review_id": chosen["review_id"].to_numpy() if "review_id" in chosen else None,
        "text": chosen["text"].astype(str).to_numpy(),
        "product": chosen["product"].to_numpy() if "product" in chosen else None,
        "category": chosen["category"].to_numpy() if "category" in chosen else None,
        "date": chosen["date"].to_numpy() if "date" in chosen else pd.NaT,
        "rating": chosen["rating"].to_numpy() if "rating" in chosen else np.nan,
        "reply_language": [reply_language(t, lang) for t, lang in
                           zip(chosen["text"].astype(str), chosen.get("language", pd.Series("", index=chosen.index)))],
        **{name: parts[name].round(4).to_numpy() for name in ("priority", *WEIGHTS)},
        "theme_ids": found["theme_ids"].to_numpy(),
        "themes": [[labels.get(t, str(t)) for t in ids] for ids in found["theme_ids"]],
        "kinds": found["kinds"].to_numpy(),
        "clauses": found["clauses"].to_numpy(),
    })
    queue["priority"] = queue["priority"].round(1)
    return queue.sort_values(["priority", "review"], ascending=[False, True], kind="stable").reset_index(drop=True)
