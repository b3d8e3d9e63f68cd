"""The facts of a period report, from one ``AnalysisResult``: headline numbers against the previous period, the top
complaint themes with their change and a quote, emerging issues, products at risk, praise worth quoting in
marketing, and price perception per product. Pure functions over the analysis; nothing here draws or writes.

Products at risk (``at_risk``): a product with at least ``MIN_PRODUCT_REVIEWS`` (10) reviews in the period is at
risk when it has an emerging issue in the period, or its satisfaction index fell by ``SATISFACTION_DROP`` (5) points
or more against the previous period (which needs 10 reviews too), or its share of negative reviews is
``NEGATIVE_GAP`` (10) percentage points or more above that of all products in the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.insights import emerging_issues, review_scores, satisfaction_index, satisfaction_over_time
from analysis.insights.trends import mentions_with_reviews
from analysis.messages import Message, message
from analysis.report.period import Period, choose_period
from analysis.report.price import PRICE_COLUMNS, price_perception, price_stance
from analysis.runs import subset
from analysis.store import AnalysisResult

MIN_PRODUCT_REVIEWS = 10
SATISFACTION_DROP = 5.0
NEGATIVE_GAP = 10.0
TOP_COMPLAINTS = 5
TOP_PRAISE = 4
QUOTE_CHARS = 200
TREND_MONTHS = 12

KPI_NAMES = ("reviews", "satisfaction", "negative", "stars")
COMPLAINT_COLUMNS = ["theme_id", "label", "keywords", "reviews", "share", "previous_reviews", "previous_share",
                     "change", "quote"]
PRAISE_COLUMNS = ["theme_id", "label", "keywords", "reviews", "share", "quotes"]
RISK_COLUMNS = ["product", "reviews", "satisfaction", "previous_satisfaction", "negative", "reasons"]
ISSUE_COLUMNS = ["product", "label", "keywords", "share", "baseline_share", "lift", "first_period", "quotes"]


@dataclass
class ReportFacts:
    """What a period report says, language-free: numbers, theme names and quotes as data, notices as messages.

    ``kpis``: index ``KPI_NAMES``, columns current, previous, change (negative in %, its change in points).
    ``complaints`` / ``praise`` / ``at_risk`` / ``emerging`` / ``price``: the sections' tables (``*_COLUMNS``; the
    price table's first row, product "", is all products). ``trend``: monthly satisfaction up to the period's end.
    ``period`` is None when no review has a date: the report then covers all reviews, without a comparison.
    """

    name: str
    period: Period | None
    reviews: int
    kpis: pd.DataFrame
    complaints: pd.DataFrame
    emerging: pd.DataFrame
    at_risk: pd.DataFrame
    praise: pd.DataFrame
    price: pd.DataFrame
    trend: pd.DataFrame
    notices: list[Message] = field(default_factory=list)


def _quote(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= QUOTE_CHARS else flat[:QUOTE_CHARS - 1] + "…"


def headline_numbers(reviews: pd.DataFrame, now: np.ndarray, before: np.ndarray | None) -> pd.DataFrame:
    """Volume, satisfaction index (0-100), % negative and average stars in the period and the one before."""
    scores = review_scores(reviews).to_numpy()
    negative = (reviews["sentiment_label"].astype(str) == "negative").to_numpy() if "sentiment_label" in reviews \
        else scores < -0.2
    stars = pd.to_numeric(reviews.get("rating", pd.Series(np.nan, index=reviews.index)), errors="coerce").to_numpy()

    def numbers(mask: np.ndarray | None) -> list[float]:
        if mask is None or not mask.any():
            return [float(mask.sum()) if mask is not None else np.nan, np.nan, np.nan, np.nan]
        rated = stars[mask][~np.isnan(stars[mask])]
        return [float(mask.sum()), satisfaction_index(scores[mask]), float(negative[mask].mean() * 100),
                float(rated.mean()) if len(rated) else np.nan]

    table = pd.DataFrame({"current": numbers(now), "previous": numbers(before)}, index=list(KPI_NAMES))
    table["change"] = table["current"] - table["previous"]
    return table


def _theme_rows(reviews: pd.DataFrame, theme_result, now: np.ndarray, before: np.ndarray | None, polarity: str
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per theme: reviews of the period (and the one before) that mention it with ``polarity``; and the period's
    (review, theme) pairs of that polarity, for the quotes."""
    pairs = mentions_with_reviews(reviews, theme_result, columns=("text", "rating"))
    pairs = pairs[pairs[polarity]]
    at = pairs["review"].to_numpy(dtype=np.int64)
    current = pairs[now[at]]
    counts = current.groupby("theme_id").size().rename("reviews")
    previous = pairs[before[at]].groupby("theme_id").size().rename("previous_reviews") if before is not None else \
        pd.Series(dtype=float, name="previous_reviews")
    table = pd.concat([counts, previous], axis=1).fillna(0).reset_index(names="theme_id")
    table["share"] = 100 * table["reviews"] / max(int(now.sum()), 1)
    n_before = int(before.sum()) if before is not None else 0
    table["previous_share"] = 100 * table["previous_reviews"] / n_before if n_before else np.nan
    table["change"] = table["share"] - table["previous_share"]
    return table, current


def complaint_themes(reviews: pd.DataFrame, theme_result, now: np.ndarray, before: np.ndarray | None,
                     top: int = TOP_COMPLAINTS) -> pd.DataFrame:
    """The complaint themes most reviews of the period mention negatively, with the change in their share (points)
    against the previous period and the period's most typical negative review as the quote."""
    if theme_result is None or not now.any():
        return pd.DataFrame(columns=COMPLAINT_COLUMNS)
    table, current = _theme_rows(reviews, theme_result, now, before, "negative")
    themes = theme_result.themes.set_index("theme_id")
    table = table[table["theme_id"].map(themes["kind"]) != "praise"]
    table = table.sort_values(["reviews", "theme_id"], ascending=[False, True]).head(top)
    best = current.sort_values("similarity", ascending=False).drop_duplicates("theme_id").set_index("theme_id")
    table["quote"] = table["theme_id"].map(best["text"]).map(_quote)
    table["label"] = table["theme_id"].map(themes["label"])
    table["keywords"] = table["theme_id"].map(themes["keywords"]).map(lambda k: list(k)[:4])
    return table[COMPLAINT_COLUMNS].reset_index(drop=True)


def praise_for_marketing(reviews: pd.DataFrame, theme_result, now: np.ndarray, top: int = TOP_PRAISE,
                         quotes: int = 2) -> pd.DataFrame:
    """The praise themes of the period with quotes a campaign could use: reviews that praise the theme, are positive
    overall and, when rated, gave 4-5 stars; short and typical first."""
    if theme_result is None or not now.any():
        return pd.DataFrame(columns=PRAISE_COLUMNS)
    table, current = _theme_rows(reviews, theme_result, now, None, "positive")
    themes = theme_result.themes.set_index("theme_id")
    table = table[table["theme_id"].map(themes["kind"]) != "complaint"]
    table = table.sort_values(["reviews", "theme_id"], ascending=[False, True]).head(top).copy()
    positive = (reviews["sentiment_label"].astype(str) == "positive").to_numpy() if "sentiment_label" in reviews \
        else np.ones(len(reviews), dtype=bool)
    stars = pd.to_numeric(current["rating"], errors="coerce") if "rating" in current else \
        pd.Series(np.nan, index=current.index)
    usable = current[positive[current["review"].to_numpy(dtype=np.int64)] & ~(stars < 4).to_numpy()]
    usable = usable.assign(length=usable["text"].astype(str).str.len())
    usable = usable[usable["length"] <= QUOTE_CHARS].sort_values(["similarity", "length"], ascending=[False, True])
    picked = usable.drop_duplicates(["theme_id", "text"]).groupby("theme_id")["text"].apply(
        lambda t: [_quote(x) for x in t.head(quotes)])
    table["quotes"] = table["theme_id"].map(picked).map(lambda q: q if isinstance(q, list) else [])
    table["label"] = table["theme_id"].map(themes["label"])
    table["keywords"] = table["theme_id"].map(themes["keywords"]).map(lambda k: list(k)[:4])
    return table[PRAISE_COLUMNS].reset_index(drop=True)


def period_issues(result: AnalysisResult, period: Period) -> pd.DataFrame:
    """Emerging issues of the period: ``emerging_issues`` with the period as the latest bucket and each earlier
    calendar month as one bucket of the baseline (reviews after the period are left out)."""
    if result.theme_result is None:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    dates = pd.to_datetime(result.reviews["date"], errors="coerce").dt.normalize()
    upto = subset(result, (dates <= period.end).to_numpy())
    days = pd.to_datetime(upto.reviews["date"], errors="coerce").dt.normalize()
    bucketed = days.where(days < period.start, period.start).where(days >= period.start,
                                                                   days.dt.to_period("M").dt.start_time)
    reviews = upto.reviews.assign(date=bucketed)
    found = emerging_issues(reviews, upto.theme_result, bucket="D", period=period.start)
    if found.empty or "product" not in found:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    found = found.assign(share=found["share"] * 100, baseline_share=found["baseline_share"] * 100,
                         keywords=found["keywords"].map(lambda k: list(k)[:4]))
    return found[ISSUE_COLUMNS].reset_index(drop=True)


def products_at_risk(reviews: pd.DataFrame, now: np.ndarray, before: np.ndarray | None,
                     emerging: pd.DataFrame) -> pd.DataFrame:
    """Products at risk in the period by the rule in this module's docstring, each with its reasons (codes)."""
    if "product" not in reviews or not now.any():
        return pd.DataFrame(columns=RISK_COLUMNS)
    products = reviews["product"].fillna("—").astype(str)
    overall = headline_numbers(reviews, now, before).at["negative", "current"]
    flagged = set(emerging["product"].astype(str)) if len(emerging) else set()
    rows = []
    for product in sorted(products[now].unique()):
        mine = (products == product).to_numpy()
        numbers = headline_numbers(reviews, now & mine, before & mine if before is not None else None)
        n, satisfaction, negative = numbers.at["reviews", "current"], numbers.at["satisfaction", "current"], \
            numbers.at["negative", "current"]
        previous_n, previous = numbers.at["reviews", "previous"], numbers.at["satisfaction", "previous"]
        if n < MIN_PRODUCT_REVIEWS:
            continue
        reasons = []
        if product in flagged:
            reasons.append("emerging")
        if previous_n >= MIN_PRODUCT_REVIEWS and satisfaction <= previous - SATISFACTION_DROP:
            reasons.append("falling")
        if negative >= overall + NEGATIVE_GAP:
            reasons.append("negative")
        if reasons:
            rows.append((product, int(n), satisfaction, previous if previous_n >= MIN_PRODUCT_REVIEWS else np.nan,
                         negative, reasons))
    table = pd.DataFrame(rows, columns=RISK_COLUMNS)
    return table.sort_values(["satisfaction", "product"]).reset_index(drop=True)


def monthly_trend(reviews: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    """Monthly satisfaction and volume over the last ``TREND_MONTHS`` months up to the period's end."""
    dates = pd.to_datetime(reviews["date"], errors="coerce")
    if period is None or dates.isna().all():
        return pd.DataFrame(columns=["period", "satisfaction", "reviews", "negative_share"])
    first = period.end.to_period("M").start_time - pd.DateOffset(months=TREND_MONTHS - 1)
    shown = reviews[(dates.dt.normalize() <= period.end) & (dates >= first)]
    trend = satisfaction_over_time(shown, by=None, bucket="M")
    return trend[["period", "satisfaction", "reviews", "negative_share"]].reset_index(drop=True)


def report_facts(result: AnalysisResult, name: str = "", start=None, end=None) -> ReportFacts:
    """Everything a period report says about ``result``: the period chosen by ``choose_period`` (the last full
    month by default; ``ReportError`` for a bad one), or all reviews with a notice when the data has no dates."""
    reviews = result.reviews
    period = choose_period(reviews["date"], start, end)
    notices: list[Message] = []
    if period is None:
        now, before = np.ones(len(reviews), dtype=bool), None
        notices.append(message("report.no_dates", reviews=len(reviews)))
    else:
        now = period.contains(reviews["date"]).to_numpy()
        before = period.previous_contains(reviews["date"]).to_numpy()
        if not before.any():
            notices.append(message("report.no_previous", start=f"{period.previous_start:%Y-%m-%d}",
                                   end=f"{period.previous_end:%Y-%m-%d}"))
    theme_result = result.theme_result
    if theme_result is None:
        notices.append(message("report.no_themes"))
    emerging = period_issues(result, period) if period is not None else pd.DataFrame(columns=ISSUE_COLUMNS)
    stance = price_stance(reviews, theme_result)
    price = price_perception(reviews, stance, now) if now.any() else pd.DataFrame(columns=PRICE_COLUMNS)
    return ReportFacts(
        name=name, period=period, reviews=int(now.sum()), kpis=headline_numbers(reviews, now, before),
        complaints=complaint_themes(reviews, theme_result, now, before), emerging=emerging,
        at_risk=products_at_risk(reviews, now, before, emerging), praise=praise_for_marketing(reviews, theme_result, now),
        price=price, trend=monthly_trend(reviews, period), notices=notices,
    )
