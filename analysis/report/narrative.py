"""The report's opening paragraph: sentences from bilingual templates filled with the facts, or, when a writer is
given (a language model behind ``analysis.actions``), its text, with the template as the fallback.

The writer receives a prompt built from the facts alone (numbers, theme and product names, no review text) and
returns text or None; None, an empty answer or a failure leaves the template text, and ``notice`` says which.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from analysis.messages import Message, message
from analysis.report.facts import ReportFacts

Writer = Callable[[str], "str | None"]
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese"}


@dataclass(frozen=True)
class Narrative:
    """The paragraph, who wrote it, and what the reader should know about that (None when a writer wrote it)."""

    text: str
    source: Literal["template", "writer"]
    notice: Message | None


def _signed(value: float, unit: str = "", digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:+.{digits}f}{unit}"


def _number(value: float, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def template_sentences(facts: ReportFacts, language: str = "en") -> list[Message]:
    """The paragraph as messages, one per fact that holds, in the order a manager reads them (the period named in
    ``language``)."""
    k = facts.kpis
    sentences: list[Message] = []
    if facts.period is None:
        sentences.append(message("report.says_all", reviews=facts.reviews,
                                 satisfaction=_number(k.at["satisfaction", "current"]),
                                 negative=_number(k.at["negative", "current"])))
    else:
        previous = k.at["reviews", "previous"]
        volume = (k.at["reviews", "current"] - previous) / previous * 100 if previous else float("nan")
        sentences.append(message(
            "report.says_period", period=facts.period.label(language), reviews=facts.reviews,
            volume=_signed(volume, "%", 0), satisfaction=_number(k.at["satisfaction", "current"]),
            satisfaction_change=_signed(k.at["satisfaction", "change"]),
            negative=_number(k.at["negative", "current"]), negative_change=_signed(k.at["negative", "change"])))
    if len(facts.complaints):
        top = facts.complaints.iloc[0]
        sentences.append(message("report.says_complaint", theme=str(top["label"]), reviews=int(top["reviews"]),
                                 share=_number(top["share"]), change=_signed(top["change"])))
    if len(facts.emerging):
        issue = facts.emerging.iloc[0]
        sentences.append(message("report.says_emerging", theme=str(issue["label"]), product=str(issue["product"]),
                                 share=_number(issue["share"]), baseline=_number(issue["baseline_share"])))
    if len(facts.at_risk):
        sentences.append(message("report.says_at_risk", products=list(facts.at_risk["product"].astype(str)[:3])))
    if len(facts.praise):
        sentences.append(message("report.says_praise", theme=str(facts.praise.iloc[0]["label"])))
    if len(facts.price) and facts.price.iloc[0]["price_reviews"]:
        everyone = facts.price.iloc[0]
        sentences.append(message("report.says_price", share=_number(everyone["share"], 0),
                                 positive=_number(everyone["positive_share"], 0),
                                 negative=_number(everyone["negative_share"], 0)))
    return sentences


def template_text(facts: ReportFacts, language: str = "en") -> str:
    separator = "" if language == "zh" else " "
    return separator.join(s.render(language) for s in template_sentences(facts, language))


def narrative_prompt(facts: ReportFacts, language: str = "en") -> str:
    """What a writer is asked: the facts as lines (no review text), the template draft, the language and length."""
    lines = [s.render("en") for s in template_sentences(facts)]
    complaints = "; ".join(f"{r.label} ({int(r.reviews)} reviews, {_signed(r.change)} points)"
                           for r in facts.complaints.itertuples())
    praise = "; ".join(f"{r.label} ({int(r.reviews)} reviews)" for r in facts.praise.itertuples())
    return (
        f"Write one paragraph of at most 120 words in {LANGUAGE_NAMES.get(language, 'English')} for a store manager "
        "who reads this period's review report. Use only the facts below; keep the numbers as given; no headings, "
        "no lists, no greeting.\n\nFacts:\n- " + "\n- ".join(lines)
        + (f"\n- Top complaint themes: {complaints}" if complaints else "")
        + (f"\n- Praise themes: {praise}" if praise else "")
        + "\n\nDraft to improve:\n" + template_text(facts, language)
    )


def write_narrative(facts: ReportFacts, language: str = "en", writer: Writer | None = None) -> Narrative:
    """The opening paragraph in ``language``: the writer's text when it answers, else the template's (with a
    notice that says why)."""
    if writer is None:
        return Narrative(template_text(facts, language), "template", message("report.narrative_template"))
    try:
        answer = writer(narrative_prompt(facts, language))
    except Exception as exc:  # noqa: BLE001  a failing writer must not cost the manager the report
        return Narrative(template_text(facts, language), "template",
                         message("report.narrative_failed", error=type(exc).__name__))
    if not answer or not str(answer).strip():
        return Narrative(template_text(facts, language), "template", message("report.narrative_no_answer"))
    return Narrative(str(answer).strip(), "writer", None)
