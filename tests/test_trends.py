"""Trends on the bundled sample: buckets, satisfaction index, theme volume, the planted emerging issue, drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.insights import (
    choose_bucket,
    emerging_issues,
    period_start,
    rating_drivers,
    satisfaction_over_time,
    theme_volume_over_time,
)
from tests.test_themes import best_match, sample_analysis, truth


@pytest.fixture(scope="module")
def analysis():
    return sample_analysis()


def test_choose_bucket_from_span():
    day = pd.Timestamp("2026-01-01")
    assert choose_bucket(pd.Series([day, day + pd.Timedelta(days=20)])) == "D"
    assert choose_bucket(pd.Series([day, day + pd.Timedelta(days=120)])) == "W"
    assert choose_bucket(pd.Series([day, day + pd.Timedelta(days=420)])) == "M"
    assert choose_bucket(pd.Series([day, day + pd.Timedelta(days=2000)])) == "Q"
    assert choose_bucket(pd.Series([pd.NaT])) == "M"
    starts = period_start(pd.Series(pd.to_datetime(["2026-07-15", "2026-07-31", None])), "M")
    assert starts.iloc[0] == starts.iloc[1] == pd.Timestamp("2026-07-01") and pd.isna(starts.iloc[2])


def test_satisfaction_over_time_per_product_and_category():
    reviews = pd.DataFrame({
        "date": pd.to_datetime(["2026-01-03", "2026-01-20", "2026-02-02", "2026-02-10", None]),
        "product": ["A", "A", "A", "B", "B"], "category": ["x"] * 5, "rating": [5, 1, 5, 3, 4],
        "sentiment_score": [1.0, -1.0, 0.5, 0.0, 0.2],
    })
    by_product = satisfaction_over_time(reviews, by="product", bucket="M")
    assert list(by_product.columns) == ["period", "group", "satisfaction", "reviews", "negative_share", "mean_rating"]
    a_jan = by_product[(by_product["group"] == "A") & (by_product["period"] == pd.Timestamp("2026-01-01"))].iloc[0]
    assert a_jan["satisfaction"] == 50.0 and a_jan["reviews"] == 2 and a_jan["mean_rating"] == 3.0
    overall = satisfaction_over_time(reviews.drop(columns=["sentiment_score"]), by=None, bucket="M")
    assert overall["group"].unique().tolist() == ["All"] and overall["reviews"].sum() == 4  # undated row left out
    assert overall["satisfaction"].between(0, 100).all()


@pytest.mark.slow
def test_theme_volume_and_share_over_time(analysis):
    reviews, _, _, result = analysis
    volume = theme_volume_over_time(reviews, result)
    assert {"period", "theme_id", "label", "reviews", "share"} <= set(volume.columns)
    assert volume["period"].nunique() == 14 and volume["share"].between(0, 1).all()
    per_product = theme_volume_over_time(reviews, result, by="product")
    assert per_product["product"].nunique() == 10


@pytest.mark.slow
def test_planted_emerging_issue_is_found_with_onset_and_quotes(analysis):
    reviews, _, _, result = analysis
    planted = truth()["emerging_issue"]
    theme, _ = best_match(result, reviews, planted["theme"])
    issues = emerging_issues(reviews, result)
    assert not issues.empty
    top = issues.iloc[0]
    assert top["product"] == planted["product"] and top["theme_id"] == theme
    assert top["q_value"] < 0.05 and top["lift"] >= 2 and top["mentions"] >= 5
    onset = pd.Timestamp(planted["start_month"] + "-01")
    assert abs((top["first_period"] - onset).days) <= 31
    assert len(top["quotes"]) == 3 and all(isinstance(q, str) and q for q in top["quotes"])
    # nothing planted elsewhere: no other product is flagged
    assert set(issues["product"]) == {planted["product"]}


@pytest.mark.slow
def test_rating_drivers_rank_complaints_first_with_effect_sizes(analysis):
    reviews, _, _, result = analysis
    drivers = rating_drivers(reviews, result)
    assert {"risk_difference", "relative_risk", "cohens_h", "rating_difference", "q_value"} <= set(drivers.columns)
    top = drivers.head(5)
    assert (top["kind"] == "complaint").all() and (top["cohens_h"] > 0.5).all()
    assert (top["rating_difference"] < 0).all()
    praise = drivers[drivers["kind"] == "praise"]
    assert (praise["risk_difference"] < 0).mean() > 0.7
    assert np.isfinite(drivers["cohens_h"]).all()
