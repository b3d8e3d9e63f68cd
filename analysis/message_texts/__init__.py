"""Every message text of the analysis package by code: one module per area, merged here for ``analysis.messages``.

A code may be defined once: two areas that pick the same code fail at import, not by one text silently winning.
"""

from __future__ import annotations

from analysis.message_texts.actions import ACTIONS
from analysis.message_texts.core import CORE
from analysis.message_texts.report import REPORT
from analysis.message_texts.sentiment import SENTIMENT


def _merged(*tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for table in tables:
        clash = merged.keys() & table.keys()
        if clash:
            raise ValueError(f"message codes defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


TEXTS: dict[str, dict[str, str]] = _merged(CORE, REPORT, SENTIMENT, ACTIONS)

__all__ = ["TEXTS"]
