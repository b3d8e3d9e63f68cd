"""Theme labels a manager reads at a glance: the short phrase the theme's customers use most, in each of its
languages ("battery dies fast / 电池不耐用"), instead of three keywords in a row ("battery / 掉电 / 电池").

Why phrases: keywords name what a theme is about but not what is wrong or right with it ("size / 尺码 / 偏小"); the
words customers repeat ("runs small", "尺码偏小") say both. A phrase is a run of 2-6 words (English) or 2-5 jieba words
of 2-8 characters (Chinese) that starts and ends on a content word and holds one of the theme's keywords. It is
ranked by how many of the theme's clauses contain it, three words a little above two (they say more); a tie goes to
the shorter, then the alphabetically first, so the label is deterministic. A phrase mostly cut out of a longer one
(a content word right before or after it: "clear sound and deep" of "... deep bass") does not count; the longer one
competes instead. A complaint theme is named from its negative clauses and a praise theme from its positive ones, so
a complaint is never labelled with praise. A language takes part when it holds at least a fifth of the clauses; with
no phrase that at least three clauses (and 3% of them) share, its two best keywords stand in ("battery, charger",
"电池、掉电").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from analysis.text.stopwords import is_stopword
from analysis.text.tokenizers import CJK_CHAR, CJK_RUN, LATIN_WORD, segment

MIN_SHARE = 0.03
MIN_CLAUSES = 3
LANGUAGE_SHARE = 0.2


def _runs(words: list[str], longest: int, joiner: str, chinese: bool) -> dict[str, bool]:
    """Each phrase of one clause's words, and whether it is cut out of a longer one here: a content word right
    before or after it ("loses | charge overnight", "clear sound and deep | bass")."""
    out: dict[str, bool] = {}
    for n in range(2, longest + 1):
        for i in range(len(words) - n + 1):
            part = words[i : i + n]
            if is_stopword(part[0]) or is_stopword(part[-1]):
                continue
            phrase = joiner.join(part)
            # Chinese: 2-8 characters, opening on a word of its own (not a verb's tail such as 完 of 用完)
            if chinese and (not 2 <= len(phrase) <= 8 or len(part[0]) < 2):
                continue
            cut = (i > 0 and not is_stopword(words[i - 1])) or (i + n < len(words) and not is_stopword(words[i + n]))
            out[phrase] = out.get(phrase, True) and cut
    return out


def _phrases(clause: str, chinese: bool) -> dict[str, bool]:
    if not chinese:
        return _runs(LATIN_WORD.findall(clause.lower().replace("\u2019", "'")), 6, " ", False)
    out: dict[str, bool] = {}
    for run in CJK_RUN.findall(clause):
        for phrase, cut in _runs(segment(run), 5, "", True).items():
            out[phrase] = out.get(phrase, True) and cut
    return out


def _best_phrase(clauses: Sequence[str], keywords: Sequence[str], chinese: bool) -> str:
    counts: Counter = Counter()
    cuts: Counter = Counter()
    for clause in clauses:
        for phrase, cut in _phrases(clause, chinese).items():
            counts[phrase] += 1
            cuts[phrase] += cut
    floor = max(MIN_CLAUSES, MIN_SHARE * len(clauses))
    words = {w for k in keywords for w in k.split()}

    def names_the_theme(phrase: str) -> bool:
        return any(k in phrase for k in keywords) if chinese else bool(words & set(phrase.split()))

    def length(phrase: str) -> float:
        return len(phrase) / 2 if chinese else len(phrase.split())

    best, best_score = "", 0.0
    for phrase in sorted(counts, key=lambda p: (length(p), p)):  # shorter first: a tie keeps the shorter phrase
        count = counts[phrase]
        if count < floor or 2 * cuts[phrase] > count or not names_the_theme(phrase):
            continue
        score = count * (1 + 0.1 * (min(length(phrase), 3) - 2))  # 3 words say more than 2; beyond, no bonus
        if score > best_score:
            best, best_score = phrase, score
    return best


def theme_label(clauses: Sequence[str], keywords: Sequence[str]) -> str:
    """The theme's label from its clauses (a seeded sample is enough) and its keywords; "" when it has neither."""
    chinese = [c for c in clauses if CJK_CHAR.search(c)]
    english = [c for c in clauses if not CJK_CHAR.search(c)]
    zh_keywords = [k for k in keywords if CJK_CHAR.search(k)]
    en_keywords = [k for k in keywords if not CJK_CHAR.search(k)]
    parts = []
    for group, words, is_chinese in sorted([(english, en_keywords, False), (chinese, zh_keywords, True)],
                                           key=lambda g: -len(g[0])):
        if not group or len(group) < LANGUAGE_SHARE * len(clauses):
            continue
        phrase = _best_phrase(group, words, is_chinese) if words else ""
        if not phrase and words:  # no shared phrase: the two best keywords, joined as each language lists words
            phrase = ("、" if is_chinese else ", ").join(words[:2])
        if phrase:
            parts.append(phrase)
    return " / ".join(parts) if parts else " / ".join(keywords[:3])
