"""Price perception: which reviews talk about price or value, and whether those words are said well or badly.

A review mentions price when one of its clauses holds a word of ``PRICE_WORDS`` (English and Chinese); the clause's
own polarity (the theme stage's per-clause probe) says whether price is praised ("great value", "很划算") or
criticised ("overpriced", "太贵了"), so "cheap and good" and "feels cheap" land on their own sides. Without
clauses (an analysis without themes), the review's text and its sentiment stand in.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

PRICE_WORDS_EN = ("price", "prices", "priced", "pricey", "pricing", "overpriced", "value", "expensive", "cheap",
                  "cheaper", "cheapest", "cheaply", "worth", "money", "cost", "costs", "costly", "affordable",
                  "bargain")
PRICE_WORDS_ZH = ("价格", "价钱", "价位", "性价比", "贵", "便宜", "划算", "实惠", "超值", "物超所值", "不值", "值得",
                  "降价", "优惠")
PRICE_WORDS = PRICE_WORDS_EN + PRICE_WORDS_ZH
_PATTERN = re.compile(r"\b(?:" + "|".join(PRICE_WORDS_EN) + r")\b|" + "|".join(PRICE_WORDS_ZH), re.IGNORECASE)

PRICE_COLUMNS = ["product", "reviews", "price_reviews", "share", "positive", "negative", "positive_share",
                 "negative_share"]


def price_words_shown(language: str = "en") -> str:
    """Examples of the price words for the report's rule, listed the way the reader's language lists words."""
    if language == "zh":
        return "、".join(PRICE_WORDS_ZH[:8] + PRICE_WORDS_EN[:4])
    return ", ".join(PRICE_WORDS_EN[:8] + PRICE_WORDS_ZH[:6])


def mentions_price(texts: pd.Series) -> np.ndarray:
    """For each text: does it name price or value?"""
    return pd.Series(texts, dtype=object).fillna("").astype(str).str.contains(_PATTERN).to_numpy(dtype=bool)


def price_stance(reviews: pd.DataFrame, theme_result=None) -> pd.DataFrame:
    """One row per review that mentions price: ``review`` (position), ``positive`` and ``negative`` (a price clause
    of that polarity; a review can be both)."""
    mentions = getattr(theme_result, "mentions", None)
    if mentions is not None and {"sentence", "polarity", "review"} <= set(mentions.columns) and len(mentions):
        clauses = mentions[mentions_price(mentions["sentence"])]
        if not len(clauses):
            return pd.DataFrame({"review": pd.Series(dtype=np.int64), "positive": pd.Series(dtype=bool),
                                 "negative": pd.Series(dtype=bool)})
        return clauses.assign(positive=clauses["polarity"] == "positive",
                              negative=clauses["polarity"] == "negative").groupby("review", as_index=False).agg(
            positive=("positive", "any"), negative=("negative", "any"))
    hits = np.flatnonzero(mentions_price(reviews["text"]))
    labels = reviews["sentiment_label"].astype(str).to_numpy()[hits] if "sentiment_label" in reviews else \
        np.full(len(hits), "neutral")
    return pd.DataFrame({"review": hits, "positive": labels == "positive", "negative": labels == "negative"})


def price_perception(reviews: pd.DataFrame, stance: pd.DataFrame, keep: np.ndarray | pd.Series) -> pd.DataFrame:
    """Per product (and "all" first) among the reviews in ``keep`` (a mask over ``reviews``): reviews, those that
    mention price, their share (%), and how many of those speak of price positively and negatively (% of them).

    Returns:
        ``PRICE_COLUMNS``; products without a price mention are left out, "all" is always there.
    """
    keep = np.asarray(keep, dtype=bool)
    products = reviews["product"].fillna("—").astype(str).to_numpy() if "product" in reviews else \
        np.full(len(reviews), "—")
    frame = pd.DataFrame({"product": products, "price": False, "positive": False, "negative": False})
    at = stance["review"].to_numpy(dtype=np.int64)
    frame.loc[at, "price"] = True
    frame.loc[at, "positive"] = stance["positive"].to_numpy(dtype=bool)
    frame.loc[at, "negative"] = stance["negative"].to_numpy(dtype=bool)
    frame = frame[keep]
    if frame.empty:
        return pd.DataFrame(columns=PRICE_COLUMNS)
    rows = [("", frame)] + [(name, part) for name, part in frame.groupby("product", sort=True)]
    out = []
    for name, part in rows:
        n_price = int(part["price"].sum())
        if name and not n_price:
            continue
        positive, negative = int(part["positive"].sum()), int(part["negative"].sum())
        out.append((name, len(part), n_price, 100 * n_price / len(part), positive, negative,
                    100 * positive / n_price if n_price else np.nan, 100 * negative / n_price if n_price else np.nan))
    table = pd.DataFrame(out, columns=PRICE_COLUMNS)
    return pd.concat([table.iloc[:1], table.iloc[1:].sort_values(["price_reviews", "product"],
                                                                 ascending=[False, True])], ignore_index=True)
