"""Hashed n-gram features of the default model: character 1-3 grams for any script, English word 1-2 grams."""


from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse



_WHITESPACE = np.array([9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x2028, 0x2029, 0x3000], dtype=np.uint32)
_SEPARATOR = 0  # between texts in the joined code-point array; NUL inside a text is read as a space
_PRIME = np.uint64(0x9E3779B97F4A7C15)  # odd, so invertible modulo 2**64 (used for word hashes)
_PRIME_INVERSE = np.uint64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))


def _mix(h: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, so that every input bit reaches the top bits the bucket is taken from."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


_CJK_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _word_hashes(codes: np.ndarray, in_word: np.ndarray, owner: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """(where, text index, hash) of the unigrams and bigrams of the runs where ``in_word`` holds (uint64 codes).

    A run's polynomial hash comes from prefix sums: sum c_i P^(i+1), divided by P^start (P is odd, so invertible).
    """
    edges = np.diff(np.concatenate(([0], in_word.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not len(starts):
        return []
    powers = np.cumprod(np.full(len(codes), _PRIME, dtype=np.uint64))
    inverse_powers = np.cumprod(np.full(len(codes), _PRIME_INVERSE, dtype=np.uint64))
    prefix = np.concatenate(([np.uint64(0)], np.cumsum(codes * powers, dtype=np.uint64)))
    unigram = _mix((prefix[stops] - prefix[starts]) * inverse_powers[starts] + np.uint64(4))
    word_owner = owner[starts]
    same_text = word_owner[1:] == word_owner[:-1]
    bigram = _mix(unigram[:-1] * _PRIME + unigram[1:] + np.uint64(5))
    return [(np.ones(len(starts), dtype=bool), word_owner, unigram), (same_text, word_owner[:-1], bigram)]


def _jieba_codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the jieba words that contain a Chinese character, space-separated, texts NUL-separated, and
    the text index of each position (the layout :meth:`NgramHasher.pairs` uses)."""
    import jieba

    words = [
        " ".join(w for w in jieba.lcut(t) if _CJK_CHARACTER.search(w)) if _CJK_CHARACTER.search(t) else "" for t in texts
    ]
    joined = "\x00 " + " \x00 ".join(words) + " \x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    return codes, np.cumsum(codes == _SEPARATOR) - 1


class NgramHasher:
    """Hashed character and word n-grams, TF-IDF weighted: no vocabulary, so the weights hold no review text.

    Character 1-3 grams inside whitespace-separated tokens (padded by a space at each end, like scikit-learn's
    ``char_wb``) cover Chinese, where they approximate words, and spelling variants; Latin word 1-2 grams (runs of
    ``a-z0-9'`` after lower-casing) keep negations such as "not good". Character n-grams fill the first
    ``2**n_features_log2`` buckets, word n-grams the second. All texts of a call are hashed at once as one numpy
    code-point array with 64-bit integer arithmetic (wrapping multiplication, splitmix64 finaliser), so feature ids
    are the same on every platform and featurising is about ten times faster than a per-n-gram Python loop.
    """

    def __init__(
        self, n_features_log2: int = 18, idf: np.ndarray | None = None, char_max: int = 3, jieba_words: bool = False
    ) -> None:
        self.n_features_log2 = n_features_log2
        self.idf = idf
        self.char_max = char_max
        self.jieba_words = jieba_words

    @property
    def n_features(self) -> int:
        return (3 if self.jieba_words else 2) * (1 << self.n_features_log2)

    def pairs(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text index, feature id) of every n-gram occurrence, repeats included."""
        texts = [t.lower().replace("\x00", " ") if isinstance(t, str) else "" for t in texts]
        joined = "\x00 " + " \x00 ".join(texts) + " \x00"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        space = np.isin(codes, _WHITESPACE)
        keep = ~(space & np.concatenate(([False], space[:-1])))  # a whitespace run counts as one space
        codes, space = codes[keep], space[keep]
        separator = codes == _SEPARATOR
        owner = np.cumsum(separator) - 1  # text index of each position
        c = codes.astype(np.uint64)
        shift = np.uint64(64 - self.n_features_log2)
        words_offset = 1 << self.n_features_log2
        rows, features = [], []

        def add(where: np.ndarray, positions_owner: np.ndarray, hashes: np.ndarray, offset: int = 0) -> None:
            rows.append(positions_owner[where])
            features.append((hashes[where] >> shift).astype(np.int64) + offset)

        with np.errstate(over="ignore"):
            add(~space & ~separator, owner, _mix(c * _PRIME + np.uint64(1)))
            add(~separator[:-1] & ~separator[1:], owner[:-1], _mix((c[:-1] * _PRIME + c[1:]) * _PRIME + np.uint64(2)))
            inside = ~separator[:-2] & ~separator[1:-1] & ~separator[2:] & ~space[1:-1]
            add(inside, owner[:-2], _mix(((c[:-2] * _PRIME + c[1:-1]) * _PRIME + c[2:]) * _PRIME + np.uint64(3)))
            if self.char_max >= 4:
                inside = ~separator[:-3] & ~separator[1:-2] & ~separator[2:-1] & ~separator[3:] & ~space[1:-2] & ~space[2:-1]
                four = (((c[:-3] * _PRIME + c[1:-2]) * _PRIME + c[2:-1]) * _PRIME + c[3:]) * _PRIME + np.uint64(6)
                add(inside, owner[:-3], _mix(four))
            word = ((codes >= 97) & (codes <= 122)) | ((codes >= 48) & (codes <= 57)) | (codes == 39)
            for where, run_owner, hashes in _word_hashes(c, word, owner):
                add(where, run_owner, hashes, words_offset)
            if self.jieba_words:
                jieba_codes, jieba_owner = _jieba_codes(texts)
                in_word = (jieba_codes != 32) & (jieba_codes != _SEPARATOR)
                for where, run_owner, hashes in _word_hashes(jieba_codes.astype(np.uint64), in_word, jieba_owner):
                    add(where, run_owner, hashes, 2 * words_offset)
        return np.concatenate(rows), np.concatenate(features)

    def counts(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        """Sub-linear term frequencies (1 + log count), before IDF; rows in canonical (sorted) form."""
        import scipy.sparse as sp

        rows, features = self.pairs(texts)
        matrix = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, features)), shape=(len(texts), self.n_features)
        )
        matrix.sum_duplicates()
        matrix.data = 1.0 + np.log(matrix.data)
        return matrix

    def fit(self, texts: Sequence[str]) -> NgramHasher:
        counts = self.counts(texts)
        document_frequency = np.bincount(counts.indices, minlength=self.n_features)
        self.idf = (np.log((1.0 + counts.shape[0]) / (1.0 + document_frequency)) + 1.0).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        """L2-normalised TF-IDF rows."""
        if self.idf is None:
            raise RuntimeError("NgramHasher is not fitted; call fit() on training texts first.")
        matrix = self.counts(texts)
        matrix.data *= self.idf[matrix.indices]
        squared = np.add.reduceat(np.concatenate((matrix.data**2, [0.0])), matrix.indptr[:-1]) if matrix.nnz else 0
        norms = np.sqrt(np.where(np.diff(matrix.indptr) > 0, squared, 1.0)).astype(np.float32)
        matrix.data /= np.repeat(np.maximum(norms, 1e-9), np.diff(matrix.indptr))
        return matrix
