"""Recommendations from reviews: for each product's top complaints, the products of the same category whose
reviewers praise that same aspect, with the evidence.

An aspect is a kind of complaint (``kinds``: size, battery, skin, ...), or a theme itself when its kind is "other".
A review mentions an aspect positively when more of its clauses on it read positive than negative (negatively the
other way round). For product P, its top complaints are the aspects with the most reviews that mention them
negatively (``TOP_COMPLAINTS``, at least ``MIN_COMPLAINTS`` reviews each). Another product Q of P's category (all
products when the file has no category) is recommended for an aspect only when:

- Q has at least ``MIN_REVIEWS`` (20) reviews and at least ``MIN_MENTIONS`` (5) of them mention the aspect: never a
  product with too few reviews;
- at least ``MIN_POSITIVE_SHARE`` (60%) of Q's reviews that mention it are positive, more than P's share; and
- fewer of Q's reviews that mention it are negative than P's.

Evidence: the share of Q's reviews that mention the aspect, its positive and negative shares, the mean clause
polarity, and two quotes (the reviews of Q with the most positive clause on it). Delivery, packaging, service and
returns are the shop's doing, not a product's, so they are never recommended on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.actions.aspects import mention_kinds
from analysis.actions.kinds import OTHER, PRODUCT_ASPECTS

MIN_REVIEWS = 20
MIN_MENTIONS = 5
MIN_POSITIVE_SHARE = 0.6
MIN_COMPLAINTS = 3
TOP_COMPLAINTS = 3
PER_COMPLAINT = 2  # products recommended per complaint
QUOTE_CHARS = 160

RECOMMENDATION_COLUMNS = [
    "product", "category", "aspect", "kind", "theme_id", "label", "complaints", "complaint_share", "other",
    "other_reviews", "mentions", "share", "positive", "positive_share", "negative_share", "mean_polarity",
    "product_positive_share", "quote_1", "quote_2",
]
NO_CATEGORY = ""


def review_aspects(result) -> pd.DataFrame:
    """One row per review x aspect it mentions: product, category, aspect, kind, theme_id, polarity (the review's,
    by its clauses), best (the highest clause score on it) and the number of its clauses on it."""
    theme_result = result.theme_result
    if theme_result is None or not len(theme_result.mentions):
        return pd.DataFrame(columns=["review", "product", "category", "aspect", "kind", "theme_id", "polarity",
                                     "best", "clauses"])
    mentions, _ = mention_kinds(theme_result)
    mentions = mentions[mentions["kind"].notna()]
    theme_ids = mentions["theme_id"].astype(int)
    aspect = mentions["kind"].where(mentions["kind"] != OTHER, "theme:" + theme_ids.astype(str))
    aspect = aspect.where(~((mentions["kind"] == OTHER) & (theme_ids < 0)))
    frame = pd.DataFrame({"review": mentions["review"].astype(int), "aspect": aspect, "kind": mentions["kind"],
                          "theme_id": theme_ids.where(mentions["kind"] == OTHER, -1),
                          "sign": mentions["polarity"].map({"positive": 1, "negative": -1}).fillna(0),
                          "score": mentions["sentiment_score"].astype(float)}).dropna(subset=["aspect"])
    grouped = frame.groupby(["review", "aspect"], sort=False)
    out = grouped.agg(kind=("kind", "first"), theme_id=("theme_id", "first"), sign=("sign", "sum"),
                      best=("score", "max"), mean=("score", "mean"), clauses=("score", "size")).reset_index()
    out["polarity"] = np.select([out["sign"] > 0, out["sign"] < 0], ["positive", "negative"], "neutral")
    reviews = result.reviews.reset_index(drop=True)
    out["product"] = reviews["product"].iloc[out["review"]].to_numpy() if "product" in reviews else None
    categories = reviews["category"] if "category" in reviews else pd.Series(NO_CATEGORY, index=reviews.index)
    out["category"] = categories.fillna(NO_CATEGORY).astype(str).iloc[out["review"]].to_numpy()
    return out.dropna(subset=["product"])


def _quotes(result, rows: pd.DataFrame) -> list[str]:
    texts = result.reviews.reset_index(drop=True)["text"].astype(str)
    chosen: list[str] = []
    for review in rows.sort_values(["best", "review"], ascending=[False, True])["review"]:
        text = " ".join(texts.iloc[int(review)].split())
        text = text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
        if text not in chosen:
            chosen.append(text)
        if len(chosen) == 2:
            break
    return chosen + [""] * (2 - len(chosen))


def recommendations(result, product_aspects_only: bool = False) -> pd.DataFrame:
    """Recommended products per product x top complaint, best first (see the module docstring for the rules).

    ``product_aspects_only``: leave out theme aspects ("other" kind), as reply drafts do.
    """
    aspects = review_aspects(result)
    if not len(aspects):
        return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
    aspects = aspects[aspects["kind"].isin(PRODUCT_ASPECTS | ({OTHER} if not product_aspects_only else set()))]
    reviews = result.reviews.reset_index(drop=True)
    per_product = reviews.groupby("product").size()
    labels = {}
    if result.themes is not None and len(result.themes):
        labels = dict(zip(result.themes["theme_id"].astype(int), result.themes["label"].astype(str)))
    stats = aspects.groupby(["product", "aspect"]).agg(
        kind=("kind", "first"), theme_id=("theme_id", "first"), category=("category", "first"),
        mentions=("review", "size"), positive=("polarity", lambda p: int((p == "positive").sum())),
        negative=("polarity", lambda p: int((p == "negative").sum())), mean_polarity=("mean", "mean")).reset_index()
    stats["reviews"] = stats["product"].map(per_product)
    stats["positive_share"] = stats["positive"] / stats["mentions"]
    stats["negative_share"] = stats["negative"] / stats["mentions"]
    rows = []
    for product, own in stats.groupby("product"):
        top = own[own["negative"] >= MIN_COMPLAINTS].sort_values(["negative", "aspect"], ascending=[False, True])
        for complaint in top.head(TOP_COMPLAINTS).itertuples():
            rivals = stats[(stats["aspect"] == complaint.aspect) & (stats["product"] != product)
                           & (stats["category"] == complaint.category) & (stats["reviews"] >= MIN_REVIEWS)
                           & (stats["mentions"] >= MIN_MENTIONS) & (stats["positive_share"] >= MIN_POSITIVE_SHARE)
                           & (stats["positive_share"] > complaint.positive_share)
                           & (stats["negative_share"] < complaint.negative_share)]
            rivals = rivals.sort_values(["positive_share", "mentions", "product"], ascending=[False, False, True])
            for rival in rivals.head(PER_COMPLAINT).itertuples():
                praised = aspects[(aspects["product"] == rival.product) & (aspects["aspect"] == rival.aspect)
                                  & (aspects["polarity"] == "positive")]
                quotes = _quotes(result, praised)
                rows.append({
                    "product": product, "category": complaint.category, "aspect": complaint.aspect,
                    "kind": complaint.kind, "theme_id": int(complaint.theme_id),
                    "label": labels.get(int(complaint.theme_id), "") if complaint.kind == OTHER else "",
                    "complaints": int(complaint.negative), "complaint_share": complaint.negative / complaint.reviews,
                    "other": rival.product, "other_reviews": int(rival.reviews), "mentions": int(rival.mentions),
                    "share": rival.mentions / rival.reviews, "positive": int(rival.positive),
                    "positive_share": float(rival.positive_share), "negative_share": float(rival.negative_share),
                    "mean_polarity": float(rival.mean_polarity),
                    "product_positive_share": float(complaint.positive_share),
                    "quote_1": quotes[0], "quote_2": quotes[1],
                })
    return pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS)


def best_for(recommended: pd.DataFrame, product: object, kinds: list[str]) -> dict | None:
    """The recommendation a reply about ``product`` offers: for its first complaint kind that has one."""
    if recommended is None or not len(recommended) or product is None:
        return None
    own = recommended[recommended["product"] == product]
    for kind in kinds:
        match = own[own["kind"] == kind]
        if len(match):
            return match.iloc[0].to_dict()
    return None
