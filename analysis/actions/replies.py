"""The reply queue as operations staff work through it: each review with its priority, a draft and its status, merged
with what was saved in the workspace, and the table they export.

Drafts come from the templates (``templates``), from the LLM endpoint when one is set and allowed (``llm``), or
from the user: an edited draft is kept as written and never replaced. A status is open, sent or skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from analysis.actions.llm import LLM, llm_reply
from analysis.actions.queue import WEIGHTS, reply_queue
from analysis.actions.recommend import best_for, recommendations
from analysis.actions.templates import template_reply

STATUSES = ("open", "sent", "skipped")
EXPORT_COLUMNS = ["review_id", "text", "product", "rating", "date", "priority", *WEIGHTS, "themes", "problems",
                  "recommended", "draft_reply", "status", "drafted_by"]


def draft_table(result, theme_names: dict[int, str] | None = None,
                recommended: pd.DataFrame | None = None) -> pd.DataFrame:
    """The queue (``reply_queue``) with its template drafts: ``template_reply``, ``draft_reply`` (the same),
    ``recommended`` (the product a draft offers, if any), ``status`` open, ``edited`` False, ``drafted_by``."""
    queue = reply_queue(result, theme_names)
    if recommended is None:
        recommended = recommendations(result, product_aspects_only=True)
    offers = [best_for(recommended, row["product"], list(row["kinds"])) for _, row in queue.iterrows()]
    queue["recommended"] = [offer["other"] if offer else "" for offer in offers]
    queue["template_reply"] = [template_reply(row, offer) for (_, row), offer in zip(queue.iterrows(), offers)]
    queue["draft_reply"] = queue["template_reply"]
    queue["status"] = "open"
    queue["edited"] = False
    queue["drafted_by"] = "template"
    return queue


def with_saved(table: pd.DataFrame, stored: pd.DataFrame | None) -> pd.DataFrame:
    """The drafts with what the workspace kept (``Workspace.replies``): statuses, and edited drafts as written."""
    table = table.copy()
    if stored is None or not len(stored):
        return table
    saved = stored.drop_duplicates("review_key", keep="last").set_index("review_key")
    known = table["review_key"].isin(saved.index)
    keys = table.loc[known, "review_key"]
    table.loc[known, "status"] = saved.loc[keys, "status"].fillna("open").to_numpy()
    edited = saved.loc[keys, "edited"].fillna(False).astype(bool).to_numpy()
    table.loc[known, "edited"] = edited
    for position, was_edited, text in zip(table.index[known], edited, saved.loc[keys, "draft"].to_numpy()):
        if was_edited and isinstance(text, str):
            table.at[position, "draft_reply"] = text
            table.at[position, "drafted_by"] = "edited"
    return table


def with_llm(table: pd.DataFrame, llm: LLM | None, keys: Iterable[str] | None = None,
             progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Drafts from the endpoint for the reviews in ``keys`` (all when None) that the user has not edited; a review
    whose call fails keeps its template draft (``llm.notices`` says why)."""
    if llm is None or not llm.configured:
        return table
    table = table.copy()
    wanted = set(keys) if keys is not None else None
    rows = [i for i in table.index if not table.at[i, "edited"]
            and (wanted is None or table.at[i, "review_key"] in wanted)]
    for done, i in enumerate(rows, 1):
        answer = llm_reply(llm, table.loc[i].to_dict(), table.at[i, "template_reply"])
        if answer is not None:
            table.at[i, "draft_reply"] = answer
            table.at[i, "drafted_by"] = "llm"
        if progress is not None:
            progress(done, len(rows))
        if answer is None and not llm.may_send:
            break
    return table


def reply_table(result, stored: pd.DataFrame | None = None, llm: LLM | None = None,
                theme_names: dict[int, str] | None = None, recommended: pd.DataFrame | None = None,
                llm_keys: Iterable[str] | None = None,
                progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """The whole reply queue: drafts (``draft_table``), merged with the saved state (``with_saved``), and drafted by
    the LLM where one is set (``with_llm``); ``drafted_by`` is template, llm or edited."""
    table = with_saved(draft_table(result, theme_names, recommended), stored)
    return with_llm(table, llm, llm_keys, progress)


def export_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The columns a reply export holds, one row per review; lists become '; '-joined text on export."""
    out = table.assign(problems=table["kinds"])
    for column in EXPORT_COLUMNS:
        if column not in out:
            out[column] = None
    return out[EXPORT_COLUMNS].reset_index(drop=True)


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    counts = table["status"].value_counts() if len(table) else pd.Series(dtype=int)
    return {status: int(counts.get(status, 0)) for status in STATUSES}
