"""Themes on the bundled sample: planted complaint and praise themes found, determinism, multi-theme reviews,
rename/merge, stable ids. Real USE-m embeddings, computed once per session."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.text import tokenize
from analysis.themes import (
    UNTHEMED,
    ThemeResult,
    TopicClusterer,
    class_tfidf_keywords,
    find_themes,
    match_theme_ids,
    themes_table_for_saving,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def sample_reviews() -> pd.DataFrame:
    """The sample in the pipeline's canonical columns, read with pandas."""
    from analysis.text import detect_languages

    raw = pd.read_csv(SAMPLE / "reviews.csv", encoding="utf-8")
    return pd.DataFrame({
        "row": np.arange(len(raw)), "review_id": raw["review_id"], "text": raw["review"].astype(str),
        "rating": raw["rating"].astype(float), "date": pd.to_datetime(raw["date"]), "product": raw["product"],
        "category": raw["category"], "language": detect_languages(raw["review"].astype(str)),
    })


@lru_cache(maxsize=1)
def sample_analysis():
    """(reviews, embedder, embeddings, ThemeResult) on the whole sample; shared with test_trends."""
    from analysis.encoders import load_embedder

    reviews = sample_reviews()
    embedder = load_embedder("use-m")
    embeddings = embedder.embed(reviews["text"].tolist())
    return reviews, embedder, embeddings, find_themes(reviews, embedder, embeddings=embeddings, seed=42)


def truth() -> dict:
    return json.loads((SAMPLE / "sample_truth.json").read_text(encoding="utf-8"))


def best_match(result: ThemeResult, reviews: pd.DataFrame, planted_id: str) -> tuple[int, float]:
    """The found theme whose reviews (any clause) best match a planted theme's reviews, and the F1 of that match."""
    planted = {rid for rid, ids in truth()["review_themes"].items() if planted_id in ids}
    found: dict[int, set] = {}
    for rid, ids in zip(reviews["review_id"], result.assignments["all_theme_ids"]):
        for t in ids:
            found.setdefault(t, set()).add(rid)
    scores = {t: 2 * len(planted & s) / (len(planted) + len(s)) for t, s in found.items()}
    best = max(scores, key=scores.get)
    return best, scores[best]


@pytest.fixture(scope="module")
def analysis():
    return sample_analysis()


def _stem(word: str) -> str:
    """English inflections as one word ("shipped", "shipping"), as a reader would take them."""
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if word.isascii() and len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _keyword_hit(result: ThemeResult, theme_id: int, words: list[str]) -> bool:
    keywords = [_stem(k) for k in result.themes.set_index("theme_id").at[theme_id, "keywords"]]
    return any(_stem(w) in k or k in _stem(w) for w in words for k in keywords)


@pytest.mark.slow
def test_planted_complaint_themes_are_found(analysis):
    reviews, _, _, result = analysis
    f1s = []
    for planted in truth()["complaint_themes"]:
        theme, f1 = best_match(result, reviews, planted["id"])
        row = result.themes.set_index("theme_id").loc[theme]
        assert f1 >= 0.4, (planted["id"], f1, row["keywords"])
        assert row["kind"] == "complaint", (planted["id"], row["kind"], row["negative_share"])
        assert _keyword_hit(result, theme, planted["keywords"]), (planted["id"], row["keywords"])
        assert theme in set(result.complaint_themes()["theme_id"])
        f1s.append(f1)
    assert np.mean(f1s) >= 0.6


@pytest.mark.slow
def test_planted_praise_themes_are_found(analysis):
    """Five of the six, each a praise theme named by its words. One may merge into a neighbour: skin results into
    comfortable clothing ("smooth", "soft") did at 1 of 4 seeds (42-45) with either encoder precision, measured."""
    reviews, _, _, result = analysis
    f1s, missed = [], []
    for planted in truth()["praise_themes"]:
        theme, f1 = best_match(result, reviews, planted["id"])
        row = result.themes.set_index("theme_id").loc[theme]
        if not (f1 >= 0.35 and row["kind"] == "praise" and _keyword_hit(result, theme, planted["keywords"])):
            missed.append((planted["id"], round(f1, 2), row["kind"], row["keywords"]))
        f1s.append(f1)
    assert len(missed) <= 1, missed
    assert np.mean(f1s) >= 0.5


@pytest.mark.slow
def test_theme_table_contract(analysis):
    reviews, _, _, result = analysis
    themes = result.themes
    for col in ["theme_id", "label", "keywords", "size", "share", "mean_sentiment", "negative_share",
                "positive_share", "quotes", "kind"]:
        assert col in themes
    assert themes["theme_id"].is_unique and len(result.centroids) == len(themes)
    assert np.allclose(np.linalg.norm(result.centroids, axis=1), 1.0, atol=1e-4)
    assert set(themes["kind"]) <= {"complaint", "praise", "mixed"}
    assert themes["keywords"].map(len).between(1, 5).mean() > 0.9
    for words in themes["keywords"]:  # no near-duplicate keywords inside a theme
        assert not any(a != b and (a in b) for a in words for b in words)
    big = themes[themes["size"] >= 20]
    assert (big["quotes"].map(len) == 3).all()
    assert len(result.assignments) == len(reviews)
    assert result.unthemed_share <= 0.10
    assert {"theme_id", "theme_label", "all_theme_ids"} <= set(result.assignments)


@pytest.mark.slow
def test_reviews_that_say_several_things_carry_several_themes(analysis):
    reviews, _, _, result = analysis
    planted = truth()["review_themes"]
    multi = [i for i, rid in enumerate(reviews["review_id"]) if len(planted.get(rid, [])) >= 2]
    n_found = result.assignments["all_theme_ids"].iloc[multi].map(len)
    assert (n_found >= 2).mean() >= 0.7
    # each carried theme has its own polarity: a 3-star "battery dies, but easy to use" review has both
    pols = result.assignments["theme_polarities"].iloc[multi]
    assert pols.map(lambda d: {"negative", "positive"} <= set(d.values())).mean() >= 0.3


@pytest.mark.slow
def test_same_input_same_seed_identical_output_and_stable_ids(analysis):
    reviews, embedder, embeddings, _ = analysis
    part, vectors = reviews.head(600), embeddings[:600]
    first = find_themes(part, embedder, embeddings=vectors, seed=7)
    second = find_themes(part, embedder, embeddings=vectors, seed=7)
    cols = ["theme_id", "label", "size", "mention_count", "negative_share"]
    assert first.themes[cols].equals(second.themes[cols])
    assert first.themes["keywords"].tolist() == second.themes["keywords"].tolist()
    assert first.assignments["all_theme_ids"].tolist() == second.assignments["all_theme_ids"].tolist()
    assert np.array_equal(first.centroids, second.centroids)

    fixed = find_themes(part, embedder, embeddings=vectors, seed=7, n_themes=5)
    assert 3 <= fixed.n_themes <= 5

    # a later run keeps ids (and user labels) of the themes it continues, from a result or a saved table
    renamed = first.rename(int(first.themes["theme_id"].iloc[0]), "Late delivery")
    later = find_themes(part, embedder, embeddings=vectors, seed=7, previous=renamed)
    assert sorted(later.themes["theme_id"]) == sorted(first.themes["theme_id"])
    assert "Late delivery" in set(later.themes["label"])

    # the next export (other reviews, overlapping topics) continues most themes under their old ids
    saved = themes_table_for_saving(renamed)
    nxt = find_themes(reviews.iloc[300:900], embedder, embeddings=embeddings[300:900], seed=7, previous=saved)
    kept = set(nxt.themes["theme_id"]) & set(saved["theme_id"])
    assert len(kept) >= 0.5 * min(len(saved), nxt.n_themes)
    assert nxt.themes["theme_id"].is_unique and nxt.themes["theme_id"].max() >= len(kept) - 1


def test_match_theme_ids_is_one_to_one_and_thresholded():
    rng = np.random.default_rng(0)
    old = rng.normal(size=(4, 16))
    new = np.vstack([old[2], old[0] + 0.05 * rng.normal(size=16), rng.normal(size=16)])
    assert match_theme_ids(new, old, [10, 11, 12, 13]) == [12, 10, None]


@pytest.mark.slow
def test_rename_and_merge(analysis):
    _, _, _, result = analysis
    ids = result.themes["theme_id"].tolist()
    renamed = result.rename(ids[0], "物流太慢 Slow delivery")
    assert renamed.themes.set_index("theme_id").at[ids[0], "label"] == "物流太慢 Slow delivery"
    assert (renamed.assignments.loc[renamed.assignments["theme_id"] == ids[0], "theme_label"]
            == "物流太慢 Slow delivery").all()
    assert result.themes.set_index("theme_id").at[ids[0], "label"] != "物流太慢 Slow delivery"  # a copy

    merged = result.merge([ids[1], ids[2]], label="merged")
    assert merged.n_themes == result.n_themes - 1 and ids[2] not in set(merged.themes["theme_id"])
    row = merged.themes.set_index("theme_id").loc[ids[1]]
    assert row["label"] == "merged"
    sizes = result.themes.set_index("theme_id")["primary_size"]
    assert row["primary_size"] == sizes[ids[1]] + sizes[ids[2]]
    assert not any(ids[2] in t for t in merged.assignments["all_theme_ids"])
    with pytest.raises(ValueError):
        result.merge([ids[0]])
    with pytest.raises(KeyError):
        result.rename(10_000, "x")


def test_keywords_by_class_tfidf_chinese_and_english():
    assert "物流" in tokenize("物流太慢了，等了两周") and "delivery" in tokenize("The delivery was late")
    assert "the" not in tokenize("the the the") and "我们" not in tokenize("我们觉得")
    assert tokenize("快递给力，隔天到") == ["快递", "给力", "隔天"]  # jieba alone: 快 / 递给 / 力
    assert "卡顿" in tokenize("手机卡顿") and "踩雷" in tokenize("这次踩雷了")
    docs = ["物流太慢了", "快递物流很慢", "delivery was slow", "slow delivery again",
            "电池不耐用", "电池掉电快", "battery drains fast", "the battery died"]
    words = class_tfidf_keywords(docs, [0, 0, 0, 0, 1, 1, 1, 1])
    assert {"物流", "delivery"} <= set(words[0]) and {"电池", "battery"} <= set(words[1])


def test_too_few_reviews_leave_everything_unthemed_and_errors_say_what_to_do():
    from analysis.insights import emerging_issues, rating_drivers, theme_volume_over_time

    with pytest.raises(ValueError, match="embeddings"):
        find_themes(pd.DataFrame({"text": ["a", "b"]}), None)
    tiny = pd.DataFrame({"text": ["好", "bad", "ok"], "rating": [5.0, 1.0, 3.0],
                         "date": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]), "product": "A"})
    result = find_themes(tiny, None, embeddings=np.eye(3, 8, dtype=np.float32))
    assert result.themes.empty and result.unthemed_share == 1.0 and UNTHEMED == -1
    assert result.assignments["theme_id"].tolist() == [-1, -1, -1]
    assert emerging_issues(tiny, result).empty and rating_drivers(tiny, result).empty
    assert theme_volume_over_time(tiny, result).empty


# Stock openers and closers the demo data wraps around its reviews (sample_data/generate.py): no opinion on an aspect.
STOCK_PHRASES = ["Bought this last month.", "Second purchase.", "Gift for my wife.", "Honest review:",
                 "Update after two weeks:", "I had high hopes.", "Ordered during the sale.", "上个月买的", "第二次回购了",
                 "给老妈买的", "说下真实感受：", "用了两周来评价：", "双十一囤的", "朋友推荐买的", "Will buy again.",
                 "It is okay overall.", "Would not buy again.", "总体还行吧。", "不会再买了。", "很喜欢。", "Love it."]


@pytest.mark.slow
def test_themes_are_actionable_no_stock_phrase_themes_and_a_sane_count(analysis):
    _, _, _, result = analysis
    assert 10 <= result.n_themes <= 25, result.themes["label"].tolist()
    stock_words = {w for phrase in STOCK_PHRASES for w in tokenize(phrase)} | {"theme"}
    for label, words in zip(result.themes["label"], result.themes["keywords"]):
        label_words = [w.strip() for w in label.split("/")]
        assert words, f"nameless theme {label!r}"
        assert not set(label_words) <= stock_words, f"theme named only by opener/closer words: {label!r}"
    # stock clauses are context: kept in mentions, unthemed there, and their reviews still themed by other clauses
    stock = result.mentions[result.mentions["sentence"].isin(STOCK_PHRASES)]
    assert len(stock) > 100 and stock["context"].mean() >= 0.9
    assert (stock.loc[stock["context"], "theme_id"] == UNTHEMED).all()
    assert result.unthemed_share <= 0.10


@pytest.mark.slow
def test_a_complaint_in_chinese_and_in_english_is_one_theme(analysis):
    reviews, _, _, result = analysis
    slow_zh = [i for i, t in enumerate(reviews["text"]) if "物流太慢" in t or "快递太慢" in t]
    slow_en = [i for i, t in enumerate(reviews["text"]) if "Shipping was painfully slow" in t]
    assert slow_zh and slow_en

    def top_theme(rows: list[int], key: str) -> int:
        m = result.mentions[result.mentions["review"].isin(rows) & result.mentions["sentence"].str.contains(key)]
        return int(m["theme_id"].value_counts().idxmax())

    assert top_theme(slow_zh, "太慢") == top_theme(slow_en, "painfully slow")


def _planted_groups(sizes: tuple[int, ...] = (1500, 600, 150), dim: int = 32, noise: float = 0.9,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around one random direction per group (unequal sizes, as review topics are)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    truth = np.repeat(np.arange(len(sizes)), sizes)
    vectors = centres[truth] + noise * rng.normal(size=(len(truth), dim))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), truth


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_topics_find_the_planted_groups_whatever_the_seed(seed):
    from sklearn.metrics import adjusted_rand_score

    vectors, truth = _planted_groups()
    topics = TopicClusterer(seed=seed).fit(vectors)
    assert topics.n_topics_ == 3
    assert topics.stability_[3] >= topics.min_stability
    assert adjusted_rand_score(truth, topics.labels_) > 0.95


def test_topics_are_deterministic_and_predict_gives_the_fitted_labels():
    vectors, _ = _planted_groups(seed=1)
    a = TopicClusterer(seed=7).fit(vectors)
    b = TopicClusterer(seed=7).fit(vectors)
    assert np.array_equal(a.labels_, b.labels_)
    assert a.k_scores_ == b.k_scores_ and a.stability_ == b.stability_
    assert np.array_equal(a.predict(vectors), a.labels_)


def test_topics_honour_a_fixed_count_cope_with_tiny_inputs_and_refuse_predict_before_fit():
    vectors, _ = _planted_groups(seed=2)
    assert TopicClusterer(n_topics=5, seed=0).fit(vectors).n_topics_ == 5
    tiny = TopicClusterer(seed=0).fit(vectors[:12])
    assert tiny.n_topics_ == 1 and (tiny.labels_ == 0).all()
    with pytest.raises(RuntimeError, match="fit"):
        TopicClusterer().predict(vectors)


def test_topics_of_new_reviews_follow_a_capped_reference_of_the_fitted_ones():
    from sklearn.metrics import adjusted_rand_score

    vectors, truth = _planted_groups(seed=3)
    order = np.random.default_rng(0).permutation(len(vectors))
    fitted, new = order[:1500], order[1500:]
    topics = TopicClusterer(sample_size=300, n_samples=2, seed=5).fit(vectors[fitted])
    assert len(topics.reference_vectors_) == 600  # n_samples * sample_size, not every fitted review
    assert adjusted_rand_score(truth[fitted], topics.labels_) > 0.95
    assert adjusted_rand_score(truth[new], topics.predict(vectors[new])) > 0.95
