"""From insight to action: the reply queue with drafts, recommendations from reviews, and the optional LLM endpoint.

Modules, in the order of the flow: ``kinds`` (what a complaint is about, from theme keywords and clause words in
both languages), ``aspects`` (the kind of every clause), ``queue`` (which reviews need an answer and their stated
priority), ``recommend`` (products of the same category praised for what another is criticised for), ``templates``
(bilingual reply drafts), ``llm`` (the OpenAI-compatible endpoint: privacy switch, answer cache, fallback),
``replies`` (the queue with drafts and saved statuses, and its export).
"""

from analysis.actions.kinds import KINDS, PRODUCT_ASPECTS, clause_kind, theme_kind, theme_kinds
from analysis.actions.llm import LLM, is_local, llm_reply, prompt_key, theme_names
from analysis.actions.queue import HALF_LIFE_DAYS, WEIGHTS, reply_queue, review_keys
from analysis.actions.recommend import MIN_MENTIONS, MIN_REVIEWS, best_for, recommendations
from analysis.actions.replies import (
    EXPORT_COLUMNS,
    STATUSES,
    draft_table,
    export_frame,
    reply_table,
    status_counts,
    with_llm,
    with_saved,
)
from analysis.actions.templates import template_reply

__all__ = [
    "EXPORT_COLUMNS", "HALF_LIFE_DAYS", "KINDS", "LLM", "MIN_MENTIONS", "MIN_REVIEWS", "PRODUCT_ASPECTS", "STATUSES",
    "WEIGHTS", "best_for", "clause_kind", "draft_table", "export_frame", "is_local", "llm_reply", "prompt_key",
    "recommendations",
    "reply_queue", "reply_table", "review_keys", "status_counts", "template_reply", "theme_kind", "theme_kinds",
    "theme_names", "with_llm", "with_saved",
]
