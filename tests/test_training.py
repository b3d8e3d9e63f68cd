"""Training on real labelled reviews: the held-out protocol, class targets, and a tiny seeded training run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.sentiment import (
    HELD_OUT_SOURCES,
    TrainingConfig,
    targets_from,
    train_embedding_head,
    train_sentiment_model,
)
from analysis.sentiment.training import NEGATIVE, NEUTRAL, POSITIVE, split_held_out, text_key, validation_mask

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")


def test_targets_from_stars_and_labels():
    assert targets_from(ratings=[1, 2, 3, 4, 5, float("nan")]).tolist() == [0, 0, 1, 2, 2, -1]
    labels = [0, 1, "negative", "Neutral", "positive", None, "maybe"]
    assert targets_from(labels=labels).tolist() == [NEGATIVE, POSITIVE, NEGATIVE, NEUTRAL, POSITIVE, -1, -1]


def test_text_key_ignores_spacing_case_and_punctuation():
    assert text_key("Great  product!!") == text_key("great product")
    assert text_key("质量很好，不错。") == text_key("质量很好 不错")


def test_validation_mask_is_seeded_and_per_source():
    sources = np.array(["a"] * 100 + ["b"] * 50)
    first, second = validation_mask(sources, 0.1, 42), validation_mask(sources, 0.1, 42)
    assert (first == second).all()
    assert first[:100].sum() == 10 and first[100:].sum() == 5


@pytest.fixture(scope="module")
def corpus():
    if not DATA.is_dir():
        pytest.skip("../shared/data is not present")
    from analysis.sentiment import load_corpus

    return load_corpus(DATA)


@needs_data
def test_held_out_sources_and_their_texts_never_reach_training(corpus):
    train, held, dropped = split_held_out(corpus)
    assert set(held["source"]) == set(HELD_OUT_SOURCES)
    assert not set(train["source"]) & set(HELD_OUT_SOURCES)
    assert dropped > 5000  # the hotel corpus is mostly contained in the online-shopping hotel category
    assert not set(train["text"].map(text_key)) & set(held["text"].map(text_key))


@pytest.fixture(scope="module")
def small_sample(corpus):
    from analysis.encoders import load_embedder

    train, _, _ = split_held_out(corpus)
    sample = train.groupby("source").sample(60, random_state=0)
    sample = sample[sample["text"].str.len() < 300].reset_index(drop=True)
    embeddings = load_embedder("use-m").embed(sample["text"].tolist())
    return sample, embeddings


@needs_data
def test_tiny_training_run_is_deterministic_and_loadable(small_sample, tmp_path):
    from analysis.sentiment import load_sentiment_model

    sample, embeddings = small_sample
    config = TrainingConfig(max_epochs=4, n_features_log2=12, hidden=32, validation_fraction=0.2)
    paths = []
    for run in ("a", "b"):
        path, history = train_sentiment_model(
            sample["text"], sample["target"].to_numpy(), embeddings, tmp_path / run / "model.safetensors", config,
            sample["source"].tolist(),
        )  # fmt: skip
        assert 1 <= history["best_epoch"] <= 4
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    model = load_sentiment_model(str(paths[0]))
    preds = model.predict(sample["text"].tolist()[:20], embeddings=embeddings[:20])
    assert preds.probabilities.shape == (20, 3)


@needs_data
def test_embedding_head_serves_an_st_spec(small_sample, tmp_path):
    from analysis.sentiment import load_sentiment_model

    sample, embeddings = small_sample
    head, _ = train_embedding_head(embeddings, sample["target"].to_numpy(), tmp_path / "head.safetensors",
                                   TrainingConfig(max_epochs=3, hidden=16))  # fmt: skip
    model = load_sentiment_model(f"st:use-m+{head}")
    assert model.uses_embedder == "use-m"
    preds = model.predict(["很好", "", "awful"], embeddings=None)
    assert preds.labels[1] == "neutral" and preds.probabilities.shape == (3, 3)


@needs_data
def test_language_bias_comes_only_with_class_balancing_and_v2_files_still_load(small_sample, tmp_path):
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    from analysis.sentiment import load_sentiment_model
    from analysis.text import detect_language

    sample, embeddings = small_sample
    config = TrainingConfig(max_epochs=2, n_features_log2=10, hidden=16, language_bias={"en": 1.0})
    args = (sample["text"], sample["target"].to_numpy(), embeddings)
    plain, _ = train_sentiment_model(*args, tmp_path / "plain.safetensors", config)
    groups = (sample["source"] + "/" + sample["category"].fillna("")).tolist()
    balanced, _ = train_sentiment_model(*args, tmp_path / "balanced.safetensors", config, groups=groups)
    texts = sample["text"].tolist()
    english = np.array([detect_language(t) == "en" for t in texts])
    assert load_sentiment_model(str(plain)).language_bias_ == {}
    model = load_sentiment_model(str(balanced))
    assert model.language_bias_ == {"en": 1.0}
    # the same file without the v3 keys (a v2-format file) loads and differs only by the English bias
    with safe_open(str(balanced), framework="pt") as handle:
        config_v2 = json.loads(handle.metadata()["config"])
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118 (not a dict)
    for key in ("language_bias", "char_max", "jieba_words"):
        config_v2.pop(key)
    save_file(tensors, str(tmp_path / "v2.safetensors"), metadata={"config": json.dumps(config_v2)})
    old = load_sentiment_model(str(tmp_path / "v2.safetensors")).logits(texts, embeddings)
    new = model.logits(texts, embeddings)
    margin = (new[:, 2] - new[:, 0]) - (old[:, 2] - old[:, 0])
    np.testing.assert_allclose(margin[english], 1.0, atol=1e-4)
    np.testing.assert_allclose(margin[~english], 0.0, atol=1e-4)
