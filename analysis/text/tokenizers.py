"""Content words of Chinese and English text for naming themes: jieba words with shopping terms, English words and bigrams."""

from __future__ import annotations

import functools
import re
from itertools import pairwise

from analysis.text.stopwords import is_stopword

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")


def tokenize(text: str) -> list[str]:
    """Content words of a Chinese/English text: jieba words (2+ characters), English words and bigrams."""
    return list(_tokens(str(text)))


# Shopping words jieba's dictionary lacks, so that it splits them apart: 快递给力 -> 快/递给/力, 卖家很给力 -> 给/力,
# 踩雷 -> 踩/雷, 手机卡顿 -> 手机卡/顿, 包邮到家 -> 包/邮到/家, 裤子开线 -> 开/线; theme names showed "递给".
SHOPPING_WORDS = ("给力", "踩雷", "卡顿", "包邮", "开线", "起球")


@functools.cache
def _segmenter():
    """A jieba tokenizer of its own with the shopping words, leaving the global one (sentiment features) as it is."""
    import jieba

    segmenter = jieba.Tokenizer()
    for word in SHOPPING_WORDS:
        segmenter.add_word(word, freq=20_000)
    return segmenter


def segment(run: str) -> list[str]:
    """Every jieba word of a run of Chinese characters, function words included (for phrases: 电池/不/耐用)."""
    return _segmenter().lcut(run)


# jieba's dictionary tags (part of speech) whose words never name an aspect: adverbs (好好, 一直), pronouns, prepositions,
# conjunctions, particles, numerals, measure words, time and direction words (下次), interjections, onomatopoeia and
# person names (老公, 宝宝). Nouns, verbs, adjectives and words jieba does not know stay.
FUNCTION_TAGS = frozenset({"d", "r", "rr", "rz", "p", "c", "u", "uj", "ul", "uz", "ug", "ud", "m", "mq", "q", "t", "tg",
                           "f", "e", "y", "o", "nr", "nrfg", "nrt", "zg", "ag", "dg"})


@functools.cache
def _word_tags() -> dict[str, str]:
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def content_word(word: str) -> bool:
    """A Chinese word that can name something (by its dictionary part of speech), or any word jieba does not know:
    what a theme's keywords may be. (Context detection keeps every word: measured on the demo data, dropping these
    from it turned more clauses into context and split five more small themes off.)"""
    return _word_tags().get(word) not in FUNCTION_TAGS


@functools.lru_cache(maxsize=200_000)
def _tokens(text: str) -> tuple[str, ...]:
    """Memoised: the same clause is tokenised for context detection and again for naming, and repeats across reviews."""
    text = text.lower().replace("\u2019", "'")
    tokens: list[str] = []
    for run in CJK_RUN.findall(text):
        tokens.extend(w for w in _segmenter().lcut(run) if len(w) >= 2 and not is_stopword(w))
    words = LATIN_WORD.findall(text)
    kept = [w for w in words if not is_stopword(w) and len(w) >= 3]
    tokens.extend(kept)
    for a, b in pairwise(words):
        if not is_stopword(a) and not is_stopword(b) and len(a) >= 3 and len(b) >= 3:
            tokens.append(f"{a} {b}")
    return tuple(tokens)
