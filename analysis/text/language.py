"""Which language a review is written in, by script: enough to tell Chinese, English and mixed reviews apart.

Reviews here are Chinese, English or both; counting CJK ideographs against Latin letters is fast, deterministic and
needs no model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")

LANGUAGES = ("zh", "en", "mixed", "other")


def detect_language(text: str) -> str:
    """``zh``, ``en``, ``mixed`` (both scripts carry weight) or ``other`` (no letters, e.g. emoji or digits)."""
    if not text:
        return "other"
    cjk = len(_CJK.findall(text))
    # An English word of ~5 letters carries about as much as 1.5 Chinese characters.
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if cjk == 0 and latin_words == 0:
        return "en" if _LATIN.search(text) else "other"
    cjk_weight, en_weight = cjk / 1.5, float(latin_words)
    total = cjk_weight + en_weight
    if cjk_weight / total >= 0.8:
        return "zh"
    if en_weight / total >= 0.8:
        return "en"
    return "mixed"


def detect_languages(texts: Iterable[str]) -> list[str]:
    return [detect_language(t) for t in texts]
