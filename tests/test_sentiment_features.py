"""The default model's hashed n-gram features and how its two experts are trained and combined, on real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.sentiment import NgramHasher, TrainingConfig
from analysis.sentiment.training import (
    NEGATIVE,
    POSITIVE,
    balanced_weights,
    combine_experts,
    domain_folds,
    fit_network,
    fit_ngram_logistic,
    split_held_out,
    text_key,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")


def _features(hasher: NgramHasher, text: str) -> set[int]:
    return set(hasher.counts([text]).indices.tolist())


def test_hasher_is_batch_independent_and_sorted():
    texts = ["质量很好，物流也快", "Not good at all!", "", "   ", "混合 mixed 评论 review"]
    hasher = NgramHasher(12).fit(texts)
    together = hasher.transform(texts)
    assert together.has_canonical_format
    for i, text in enumerate(texts):
        alone = hasher.transform([text])
        np.testing.assert_array_equal(alone.indices, together[i].indices)
        np.testing.assert_allclose(alone.data, together[i].data, rtol=1e-6)
    norms = np.sqrt(np.asarray(together.multiply(together).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, [1, 1, 0, 0, 1], atol=1e-5)  # blank texts have no features


def test_hasher_counts_the_ngrams_it_promises():
    hasher = NgramHasher(18)
    # "ab": char 1-grams a, b; 2-grams " a", "ab", "b "; 3-grams " ab", "ab "; word "ab" -> 8 distinct features
    assert len(_features(hasher, "ab")) == 8
    assert hasher.counts(["ab"]).indices.max() >= 1 << 18  # the word part lives in the second half
    # Chinese characters are not Latin words: only character n-grams, all in the first half
    assert max(_features(hasher, "很好")) < 1 << 18
    # case and whitespace runs do not matter; punctuation does split words
    assert _features(hasher, "NOT  Good") == _features(hasher, "not good")
    assert _features(hasher, "not good") != _features(hasher, "not, good")
    # the word bigram "not good" is a feature of its own
    assert _features(hasher, "not good") - _features(hasher, "good not")


def test_hasher_options_add_features_and_leave_the_v2_ones():
    base, four, words = NgramHasher(18), NgramHasher(18, char_max=4), NgramHasher(18, jieba_words=True)
    # "abcd": four adds the 4-grams " abc", "abcd", "bcd " and nothing else
    assert _features(base, "abcd") < _features(four, "abcd")
    assert len(_features(four, "abcd") - _features(base, "abcd")) == 3
    assert _features(four, "a") == _features(base, "a")  # no 4-gram fits in " a "
    # jieba words of Chinese text go to a third block; English text gets none
    chinese = _features(words, "这个产品质量很好")
    assert _features(base, "这个产品质量很好") < chinese and max(chinese) >= 2 << 18
    assert words.n_features == 3 << 18
    assert _features(words, "not good at all") == _features(base, "not good at all")


def test_language_bias_moves_only_that_languages_decision():
    from analysis.sentiment import apply_language_bias

    logits = np.zeros((3, 3), dtype=np.float32)
    texts = ["great product", "质量很好", "🙂"]
    moved = apply_language_bias(logits.copy(), texts, {"en": 1.0})
    np.testing.assert_allclose(moved, [[-0.5, 0, 0.5], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(apply_language_bias(logits.copy(), texts, {}), logits)


def test_hasher_repeats_raise_the_count_sublinearly():
    hasher = NgramHasher(12)
    once, thrice = hasher.counts(["bad"]), hasher.counts(["bad bad bad"])
    column = next(c for c in once.indices if c >= 1 << 12)  # the word "bad", the only word feature of "bad"
    assert once[0, column] == 1.0
    assert thrice[0, column] == pytest.approx(1.0 + np.log(3.0))


def test_hasher_feature_ids_are_stable():
    """Shipped weights are indexed by these ids: a change in the hashing must come with retrained weights."""
    assert NgramHasher(18).counts(["ok"]).indices.tolist() == [30914, 84435, 99664, 101228, 167846, 181824, 224957,
                                                               360429]  # fmt: skip


def test_balanced_weights_equalise_classes_inside_each_group_with_a_cap():
    groups = np.array(["hotel"] * 100 + ["books"] * 40)
    targets = np.array([NEGATIVE] * 96 + [POSITIVE] * 4 + [NEGATIVE] * 20 + [POSITIVE] * 20)
    weights = balanced_weights(groups, targets, cap=10.0)
    hotel_neg, hotel_pos = weights[:96].sum(), weights[96:100].sum()
    assert weights[96] == 10.0  # 100 / (2 * 4) = 12.5, capped
    assert hotel_neg == pytest.approx(50.0) and hotel_pos == pytest.approx(40.0)  # 96 x 100/192 against 4 x 10
    np.testing.assert_allclose(weights[100:], 1.0)


def test_ngram_logistic_regression_learns_and_is_deterministic():
    texts = ["great quality love it", "love it great", "awful broke refund", "broke awful waste", "很好 满意", "很差 失望"]
    targets = np.array([POSITIVE, POSITIVE, NEGATIVE, NEGATIVE, POSITIVE, NEGATIVE])
    hasher = NgramHasher(12).fit(texts)
    matrix = hasher.transform(texts)
    first = fit_ngram_logistic(matrix, targets, l2=1e-4, threads=1)
    second = fit_ngram_logistic(matrix, targets, l2=1e-4, threads=1)
    np.testing.assert_array_equal(first[0], second[0])
    logits = hasher.transform(["love it", "it broke", "满意", "失望"]) @ first[0] + first[1]
    assert (logits[:, 2] > logits[:, 0]).tolist() == [True, False, True, False]
    stronger = fit_ngram_logistic(matrix, targets, l2=1e-2, threads=1)
    assert np.abs(stronger[0]).sum() < np.abs(first[0]).sum()  # L2 shrinks the weights


def test_combined_network_adds_the_experts_logits():
    import torch

    from analysis.sentiment import sparse_batch

    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(60, 8)).astype(np.float32)
    targets = rng.integers(0, 3, 60)
    mlp, net_config, _ = fit_network(embeddings, targets, TrainingConfig(hidden=4, max_epochs=2, threads=1),
                                     log=lambda _: None)  # fmt: skip
    texts = ["good", "bad", "fine thanks"]
    hasher = NgramHasher(6).fit(texts)
    coefficients = rng.normal(size=(hasher.n_features, 3)).astype(np.float32)
    intercept = np.array([0.1, -0.2, 0.3], dtype=np.float32)
    net_config.update({"n_hashed": hasher.n_features, "n_features_log2": 6})
    combined = combine_experts(mlp, net_config, coefficients, intercept, ngram_weight=0.3, polarity_bias=0.8)
    matrix = hasher.transform(texts)
    with torch.inference_mode():
        got = combined(torch.from_numpy(embeddings[:3]), sparse_batch(matrix)).numpy()
        mlp_logits = mlp(torch.from_numpy(embeddings[:3])).numpy()
    expected = 0.7 * mlp_logits + 0.3 * (matrix @ coefficients + intercept) + np.array([-0.4, 0.0, 0.4])
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.fixture(scope="module")
def training_rows():
    if not DATA.is_dir():
        pytest.skip("../shared/data is not present")
    from analysis.sentiment import load_corpus

    train, _, _ = split_held_out(load_corpus(DATA))
    return train


@needs_data
def test_domain_folds_keep_each_domain_out_of_its_own_training(training_rows):
    folds = domain_folds(training_rows)
    assert set(folds) == {"zh_hotel", "zh_books", "zh_computers", "en_alexa", "en_yelp", "zh_books_skewed",
                          "zh_computers_skewed"}  # fmt: skip
    keys = training_rows["text"].map(text_key).to_numpy()
    for fit_rows, rows in folds.values():
        assert len(rows) > 1000 and not set(fit_rows) & set(rows)
        assert not set(keys[fit_rows]) & set(keys[rows])
    yelp_fit = training_rows.iloc[folds["en_yelp"][0]]
    assert not ((yelp_fit["source"] == "en_uci_labelled_sentences") & (yelp_fit["category"] == "yelp")).any()
    alexa_fit = training_rows.iloc[folds["en_alexa"][0]]
    assert (alexa_fit["source"] == "en_yelp_10k").any()


@needs_data
def test_skewed_folds_train_on_a_mostly_negative_half_of_the_domain(training_rows):
    folds = domain_folds(training_rows)
    again = domain_folds(training_rows)
    for name, category in (("zh_books_skewed", "书籍"), ("zh_computers_skewed", "计算机")):
        fit_rows, rows = folds[name]
        np.testing.assert_array_equal(rows, again[name][1])  # seeded
        fit = training_rows.iloc[fit_rows]
        domain = fit[fit["category"] == category]
        assert len(domain) > 500
        assert (domain["target"] == POSITIVE).mean() == pytest.approx(0.04, abs=0.005)
        validated = training_rows.iloc[rows]
        assert 0.4 < (validated["target"] == POSITIVE).mean() < 0.6  # validated on the domain's natural mix
