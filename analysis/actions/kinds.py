"""Kinds of complaint (size, quality, battery, delivery, ...) read from theme keywords and clause text in Chinese and
English, so a reply can acknowledge what went wrong in words a person would use and name the right next step.

Themes are found by clustering and named by keywords ("size / 尺码 / 偏小"); those names are data, not sentences.
A kind is the aspect behind them: a clause is classified by the kind words it contains ("电池不耐用" -> battery,
"The package arrived damaged" -> packaging: two packaging words against one delivery word), a theme by its label
and keywords (earlier keywords weigh more). A clause without kind words takes its theme's kind. Product aspects
(size, quality, battery, skin, price) are what another product can do better, so only those get recommendations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

OTHER = "other"
# In the order replies put them first: safety before defects before logistics.
KINDS = ("skin", "quality", "battery", "packaging", "size", "delivery", "service", "returns", "price", OTHER)
PRODUCT_ASPECTS = frozenset({"skin", "quality", "battery", "size", "price"})

# English words match whole words; a trailing * matches a word stem ("irritat*": irritated, irritation). Chinese
# words match anywhere in the text.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "skin": ("skin", "broke me out", "broke out", "itchy", "itch*", "rash*", "red", "redness", "irritat*", "allerg*",
             "breakout*", "burn*",
             "sting*", "过敏", "发痒", "瘙痒", "泛红", "红肿", "刺激", "刺痛", "脸都红", "长痘", "闷痘", "爆痘", "皮肤", "肤感"),
    "quality": ("broke", "broken", "break*", "fail*", "defect*", "faulty", "quality", "snapped", "cracked", "strap*",
                "stopped working", "fell apart", "falling apart", "coming off", "came off", "came apart", "hold up",
                "ripped", "torn", "hole", "holes", "worn out", "flimsy", "cheap", "cheaply made", "poorly made",
                "sturdy", "well made", "squeak*",
                "坏", "质量", "故障", "失灵", "断了", "做工", "粗糙", "开胶", "表带", "裂", "掉漆", "结实"),
    "battery": ("battery", "batteries", "charg*", "drain*", "power bank", "电池", "充电", "掉电", "没电", "续航",
                "待机", "电量"),
    "packaging": ("package", "packaging", "packed", "box", "crushed", "damaged", "dented", "scratch*", "包装",
                  "压扁", "压坏", "划痕", "破损", "磕碰", "外箱", "箱子", "破了", "破洞"),
    "size": ("size", "sizes", "sizing", "small", "smaller", "tight", "too big", "too large", "too long", "too short",
             "too wide", "narrow", "fit", "fits", "fitting", "medium", "runs large", "尺码", "码数", "偏小", "偏大",
             "大一码", "小一码", "小了", "大了", "很紧", "太紧", "合身",
             "版型"),
    "delivery": ("delivery", "deliver*", "shipping", "shipped", "ship", "late", "later than", "tracking", "courier",
                 "took forever", "still waiting", "never arrived", "never came", "物流", "快递", "发货", "到货", "才到",
                 "太慢", "配送", "隔天", "第二天就到", "送货"),
    "service": ("service", "support", "seller", "respond*", "answer*", "repl*", "messages", "rude", "客服", "售后",
                "服务", "没人理", "回复", "态度", "复制粘贴"),
    "returns": ("return", "returns", "returning", "returned", "refund*", "exchange*", "退货", "退款", "退换", "换货"),
    "price": ("price", "prices", "priced", "expensive", "overpriced", "value", "money", "cheaper", "cost*", "价格",
              "太贵", "性价比", "划算", "价位", "物超所值", "不值"),
}


@lru_cache(maxsize=1)
def _patterns() -> dict[str, tuple[re.Pattern[str], tuple[str, ...]]]:
    """Per kind: one regex for its English words, and its Chinese words for substring search."""
    compiled = {}
    for kind, words in KIND_WORDS.items():
        latin = [w for w in words if w.isascii()]
        cjk = tuple(w for w in words if not w.isascii())
        alternatives = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in latin]
        compiled[kind] = (re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE), cjk)
    return compiled


def kind_hits(text: str) -> dict[str, tuple[int, int]]:
    """Per kind named in ``text``: how many of its words occur, and where the first one starts."""
    found = {}
    lowered = text.lower()
    for kind, (latin, cjk) in _patterns().items():
        starts = [m.start() for m in latin.finditer(text)]
        for word in cjk:
            at = lowered.find(word)
            while at >= 0:
                starts.append(at)
                at = lowered.find(word, at + len(word))
        if starts:
            found[kind] = (len(starts), min(starts))
    return found


def kind_scores(text: str) -> dict[str, int]:
    """How many kind words of each kind ``text`` contains (kinds with none left out)."""
    return {kind: hits for kind, (hits, _) in kind_hits(text).items()}


def _best(scores: dict[str, float]) -> str | None:
    if not scores:
        return None
    return max(scores, key=lambda kind: (scores[kind], -KINDS.index(kind)))


def clause_kind(text: str) -> str | None:
    """The kind a clause is about, or None when it names none (then its theme's kind applies): the kind with the
    most words in it; on a tie the one named first ("Packaging was torn open": packaging, not quality)."""
    hits = kind_hits(text)
    if not hits:
        return None
    # a return is what follows another problem ("I returned these because I ordered the wrong size"): on a tie the
    # problem wins
    return max(hits, key=lambda kind: (hits[kind][0], kind != "returns", -hits[kind][1], -KINDS.index(kind)))


def theme_kind(label: str, keywords: Sequence[str] | None = None) -> str:
    """The kind of a theme from its label and keywords; the first keyword weighs most."""
    words = [w for w in re.split(r"\s*/\s*", label or "") if w]
    words += list(keywords or [])
    scores: dict[str, float] = {}
    for position, word in enumerate(words):
        weight = 1.0 / (1 + 0.25 * position)
        for kind, hits in kind_scores(str(word)).items():
            scores[kind] = scores.get(kind, 0.0) + weight * hits
    return _best(scores) or OTHER


def theme_kinds(themes) -> dict[int, str]:
    """theme_id -> kind for a themes table (``label``, ``keywords``)."""
    if themes is None or not len(themes):
        return {}
    return {int(row.theme_id): theme_kind(str(row.label), _listed(getattr(row, "keywords", None)))
            for row in themes.itertuples()}


def ordered(kinds: Iterable[str]) -> list[str]:
    """Distinct kinds, most urgent first (the order of ``KINDS``)."""
    return sorted(set(kinds), key=KINDS.index)


def _listed(value) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]
