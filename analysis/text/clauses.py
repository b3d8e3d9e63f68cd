"""Split reviews into sentences and clauses, so one review can carry several themes, each with its own polarity.

Handles Chinese (。！？；…) and English (. ! ? ;) punctuation and line breaks, and also cuts at contrastive
conjunctions ("but", "however", 但是, 不过, 可是, 就是...) and, with ``clauses``, at commas, because that is where a review usually turns from one aspect
to another ("quality is great but delivery took two weeks"). Decimal numbers ("3.5 inch") and common abbreviations
are not split; fragments too short to mean anything on their own (one English word, under four Chinese characters:
"ok.", "好！") are glued to their neighbour, while two words or four characters ("Arrived quickly", "物流很快") can
name an aspect and stand alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# End of a sentence: Chinese terminators , English terminators followed by space or end,
# runs of "!!" / "??", ellipses, semicolons and line breaks.
_SENTENCE_END = re.compile(
    r"""(?<=[。！？!?；;…])(?![。！？!?；;…”’"』」）)])\s*   # CJK/ASCII terminators (a run counts once)
      | (?<=[。！？!?；;…][”’"』」）)])\s*       # ... or followed by a closing quote
      | (?<=[^\d\s.][.])(?=\s|$)\s*        # a full stop after a non-digit, followed by space/end
      | (?<=[:：])\s*                       # colons: "Update: ...", "总结：..." introduce a new statement
      | \n+                                # line breaks
    """,
    re.VERBOSE,
)
_ABBREVIATIONS = ("mr.", "mrs.", "ms.", "dr.", "e.g.", "i.e.", "etc.", "vs.", "approx.", "no.")
# Contrastive turns: the clause that follows usually talks about another aspect or flips polarity.
_EN_TURN = re.compile(r"(?:,\s+|[,，]?\s+(?=\b(?:but|however|although|though|except|unfortunately|whereas)\b))", re.IGNORECASE)
_ZH_TURN = re.compile(r"(?:，|[,，、\s]*(?=(?:但是|但|不过|可是|然而|就是|只是|可惜|唯一的缺点|缺点是|美中不足)(?![了的])))")
_MIN_CJK_CHARS = 4
_MIN_EN_WORDS = 2


def _is_short(fragment: str) -> bool:
    cjk = len(_CJK.findall(fragment))
    words = len(re.findall(r"[A-Za-z]+", fragment))
    return cjk < _MIN_CJK_CHARS and words < _MIN_EN_WORDS


def _join(left: str, right: str) -> str:
    """Concatenate two pieces, with a space unless the seam is Chinese on either side."""
    cjk_seam = _CJK.search(left[-1:]) or re.match(r"[\u3000-\u303f\uff00-\uffef]", left[-1:]) or _CJK.match(right[:1])
    return left + right if cjk_seam else f"{left} {right}"


def _glue(pieces: list[str]) -> list[str]:
    """Attach fragments too short to stand alone ("ok.", "好！") to the previous piece (or the next, at the start);
    an abbreviation ("Dr.") always goes with what follows it."""
    out: list[str] = []
    carry = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if carry:
            piece, carry = _join(carry, piece), ""
        if piece.lower().endswith(_ABBREVIATIONS) and len(piece.split()) <= 2:
            carry = piece
        elif out and _is_short(piece):
            out[-1] = _join(out[-1], piece)
        else:
            out.append(piece)
    if carry:
        out.append(carry) if not out else out.__setitem__(-1, _join(out[-1], carry))
    if len(out) > 1 and _is_short(out[0]):
        first = out.pop(0)
        out[0] = _join(first, out[0])
    return out


def split_sentences(text: str, clauses: bool = True) -> list[str]:
    """Sentences of one review (and, with ``clauses``, the clauses after a contrastive turn), in order.

    Args:
        text: review text in Chinese, English or both.
        clauses: also cut at "but"/"但是"-style turns, where one review usually moves to another aspect.

    Returns:
        Non-empty stripped pieces; the whole text as one piece when nothing splits it; ``[]`` for blank text.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    pieces = [p for p in _SENTENCE_END.split(text) if p and p.strip()]
    if clauses:
        turned: list[str] = []
        for piece in pieces:
            for part in _EN_TURN.split(piece):
                turned.extend(_ZH_TURN.split(part))
        pieces = turned
    return _glue(pieces) or [text.strip()]


def explode_sentences(texts: Sequence[str], clauses: bool = True, max_per_review: int = 12) -> pd.DataFrame:
    """One row per sentence: ``review`` (position in ``texts``), ``sentence_no`` and ``sentence``.

    ``max_per_review`` caps very long reviews (the rest is dropped) so a few essays cannot dominate the themes.
    """
    reviews, numbers, sentences = [], [], []
    for i, text in enumerate(texts):
        for j, sentence in enumerate(split_sentences(text, clauses=clauses)[:max_per_review]):
            reviews.append(i)
            numbers.append(j)
            sentences.append(sentence)
    return pd.DataFrame({"review": reviews, "sentence_no": numbers, "sentence": sentences})
