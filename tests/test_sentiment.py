"""The sentiment interface on the real shipped model, and the transformers backend on a tiny locally built model."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.sentiment import (
    DEFAULT_MODEL_ID,
    FRAME_COLUMNS,
    LABELS,
    SentimentModel,
    SentimentPredictions,
    load_sentiment_model,
    map_labels,
)

REVIEWS = [
    "质量很好，穿着很舒服，物流也快，非常满意！",
    "太差了，用了两天就坏了，客服也不理人，退货！",
    "This blender is fantastic, powerful and easy to clean. Love it!",
    "Terrible quality. It broke after one week and support never answered.",
    "包装不错 but the battery life is terrible, 很失望",
    "",
    "   ",
]


@pytest.fixture(scope="session")
def default_model() -> SentimentModel:
    return load_sentiment_model("default")


@pytest.fixture(scope="session")
def default_predictions(default_model) -> SentimentPredictions:
    return default_model.predict(REVIEWS)


def test_default_model_identity(default_model):
    assert isinstance(default_model, SentimentModel)
    assert default_model.model_id == DEFAULT_MODEL_ID
    assert default_model.uses_embedder == "use-m"
    assert default_model.language_bias_ == {"en": 0.5}  # chosen on positive-skewed English validation folds


def test_predictions_shape_and_ranges(default_predictions):
    preds = default_predictions
    assert len(preds.labels) == len(REVIEWS) == len(preds.scores) == len(preds.probabilities)
    assert set(preds.labels) <= set(LABELS)
    assert preds.probabilities.shape == (len(REVIEWS), 3)
    np.testing.assert_allclose(preds.probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert np.all((preds.scores >= -1) & (preds.scores <= 1))


def test_clear_reviews_get_the_right_polarity_in_both_languages(default_predictions):
    labels = default_predictions.labels
    assert labels[0] == "positive" and labels[2] == "positive"
    assert labels[1] == "negative" and labels[3] == "negative"
    assert default_predictions.scores[4] < 0  # mixed-language complaint


def test_blank_reviews_are_neutral(default_predictions):
    for i in (5, 6):
        assert default_predictions.labels[i] == "neutral"
        assert default_predictions.scores[i] == 0.0
        np.testing.assert_allclose(default_predictions.probabilities[i], [0, 1, 0])


def test_to_frame_columns(default_predictions):
    frame = default_predictions.to_frame()
    assert tuple(frame.columns) == FRAME_COLUMNS
    assert len(frame) == len(REVIEWS)


def test_precomputed_embeddings_give_the_same_result(default_model, default_predictions):
    from analysis.encoders import load_embedder

    embeddings = load_embedder("use-m").embed(REVIEWS)
    again = default_model.predict(REVIEWS, embeddings=embeddings)
    np.testing.assert_allclose(again.probabilities, default_predictions.probabilities, atol=1e-5)
    assert again.labels == default_predictions.labels


def test_deterministic_and_batch_independent(default_model, default_predictions):
    one_by_one = [default_model.predict([text]).probabilities[0] for text in REVIEWS[:4]]
    np.testing.assert_allclose(np.vstack(one_by_one), default_predictions.probabilities[:4], atol=1e-5)


def test_long_review_is_read_beyond_its_start(default_model):
    praise = "The fabric is soft and the fit is perfect. " * 3
    complaint = " ".join(["It fell apart, the seams ripped, the colour ran, it is awful and I want a refund."] * 40)
    long_review = praise + complaint
    preds = default_model.predict([praise, long_review])
    assert preds.labels[0] == "positive"
    assert preds.scores[1] < 0


def test_wrong_number_of_embeddings_is_refused(default_model):
    with pytest.raises(ValueError, match="one row per text"):
        default_model.predict(["a", "b"], embeddings=np.zeros((1, 512), dtype=np.float32))


def test_empty_input(default_model):
    preds = default_model.predict([])
    assert preds.labels == [] and preds.probabilities.shape == (0, 3)


def test_label_mapping():
    fold, stars = map_labels({0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"})
    assert stars.tolist() == [1, 2, 3, 4, 5]
    assert fold.argmax(axis=1).tolist() == [0, 0, 1, 2, 2]
    fold, stars = map_labels({0: "NEGATIVE", 1: "POSITIVE"})
    assert stars is None and fold.argmax(axis=1).tolist() == [0, 2]
    fold, _ = map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    assert fold.argmax(axis=1).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="Cannot map"):
        map_labels({0: "sports", 1: "politics"})


def _tiny_classifier(path, id2label: dict[int, str]):
    """A 2-layer BERT with a word-level vocabulary, built and saved locally (no download)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = ["good", "great", "love", "bad", "awful", "broke", "the", "it", "is", "was", "a", "and", "very", "not", "很", "好", "差"]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (path / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"), model_max_length=16)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, num_labels=len(id2label), id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )  # fmt: skip
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_transformers_backend_with_star_labels(tmp_path):
    path = _tiny_classifier(tmp_path, {i: f"{i + 1} star{'s' if i else ''}" for i in range(5)})
    model = load_sentiment_model(f"hf:{path}")
    assert model.model_id.startswith("hf:") and model.uses_embedder is None
    long_text = "it was very good and great " * 30  # far beyond the 16-token window: split and averaged
    preds = model.predict(["good", "awful it broke", long_text, ""])
    assert preds.probabilities.shape == (4, 3)
    np.testing.assert_allclose(preds.probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert np.all(np.abs(preds.scores) <= 1)
    assert preds.labels[3] == "neutral" and preds.scores[3] == 0
    again = load_sentiment_model(str(path)).predict(["good", "awful it broke", long_text, ""])
    np.testing.assert_allclose(again.probabilities, preds.probabilities, atol=1e-6)


def test_transformers_backend_with_named_labels(tmp_path):
    path = _tiny_classifier(tmp_path, {0: "negative", 1: "neutral", 2: "positive"})
    preds = load_sentiment_model(f"hf:{path}").predict(["很 好", "bad"])
    np.testing.assert_allclose(preds.scores, preds.probabilities[:, 2] - preds.probabilities[:, 0])


def test_unknown_transformers_model_says_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="local folder"):
        load_sentiment_model(f"hf:{tmp_path / 'missing-model'}")
