"""What the analysis package tells people (warnings, rejection reasons, errors, step names, report lines): codes with
parameters and their English and Chinese texts, so the dashboard and the CLI each show them in their own language.

``analysis`` never builds a user-facing sentence itself: it returns a ``Message`` (a code and its parameters). The UI
renders it in the interface language (``ui/i18n.say``), the CLI in English or, with ``REVIEW_INSIGHTS_CLI_LANGUAGE=zh``,
Chinese. Row and line numbers stay numbers, so a file read in pieces can move them to their place in the whole file
(``shifted``). Reports saved by earlier versions hold plain English strings; ``render`` shows those as they are.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from analysis.message_texts import TEXTS

LANGUAGES = ("en", "zh")
ROW_PARAMS = frozenset({"row", "rows", "first"})  # row numbers: moved by the rows before a piece
LINE_PARAMS = frozenset({"line", "lines"})  # line numbers of the file: moved by the lines before a piece

ROLE_NAMES: dict[str, dict[str, str]] = {
    "text": {"en": "text", "zh": "评论内容"}, "rating": {"en": "rating", "zh": "评分"},
    "date": {"en": "date", "zh": "日期"}, "product": {"en": "product", "zh": "商品"},
    "review_id": {"en": "review id", "zh": "评论编号"}, "title": {"en": "title", "zh": "标题"},
    "category": {"en": "category", "zh": "类目"}, "language": {"en": "language", "zh": "语言"},
}


@dataclass(frozen=True)
class Message:
    """A code from ``TEXTS`` and its parameters (numbers, names, tuples of them, or nested messages)."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.params)

    def render(self, language: str = "en") -> str:
        texts = TEXTS[self.code]
        template = texts.get(language) or texts["en"]
        values = {key: _shown(key, value, language) for key, value in self.params}
        return template.format(**values)

    def __str__(self) -> str:
        return self.render("en")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the code, the parameters, and the English text for readers that want a sentence."""
        return {"code": self.code, "params": _json(self.values), "text": self.render("en")}


def message(code: str, **params: Any) -> Message:
    """A message by code; lists become tuples so messages compare and hash by value."""
    if code not in TEXTS:
        raise KeyError(f"no text for message code {code!r}; add it to a table in analysis.message_texts")
    return Message(code, tuple((k, _frozen(v)) for k, v in params.items()))


def render(value: Message | str, language: str = "en") -> str:
    """A message in ``language``; a plain string (a report saved by an earlier version) as it is."""
    return value.render(language) if isinstance(value, Message) else str(value)


def from_stored(value: Any) -> Message | str:
    """A message read back from JSON (``Message.to_dict``); a plain string stays a string."""
    if isinstance(value, Mapping) and value.get("code") in TEXTS:
        return message(value["code"], **_thawed(value.get("params", {})))
    return value if isinstance(value, str) else str(value)


def shifted(value: Message | str, rows_before: int, lines_before: int) -> Message | str:
    """A piece's message with its row and line numbers moved to their place in the whole file."""
    if not isinstance(value, Message):
        return value

    def move(key: str, v: Any) -> Any:
        if isinstance(v, Message):
            return shifted(v, rows_before, lines_before)
        if isinstance(v, tuple):
            return tuple(move(key, x) for x in v)
        by = rows_before if key in ROW_PARAMS else lines_before if key in LINE_PARAMS else 0
        return v + by if by and isinstance(v, int) else v

    return Message(value.code, tuple((k, move(k, v)) for k, v in value.params))


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


class MessageError(Exception):
    """An error whose text is a ``Message``: ``str()`` gives English, ``.message`` renders in any language."""

    def __init__(self, msg: Message) -> None:
        super().__init__(msg.render("en"))
        self.message = msg


def _shown(key: str, value: Any, language: str) -> Any:
    if isinstance(value, Message):
        return value.render(language)
    if key == "role":
        return ROLE_NAMES.get(value, {}).get(language, value)
    if isinstance(value, tuple):
        if not value:
            return TEXTS["summary.none"][language]
        separator = "、" if language == "zh" else ", "
        return separator.join(str(_shown("", v, language)) for v in value)
    return value


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


def _thawed(params: Mapping[str, Any]) -> dict[str, Any]:
    def one(v: Any) -> Any:
        if isinstance(v, Mapping) and v.get("code") in TEXTS:
            return from_stored(v)
        if isinstance(v, list):
            return [one(x) for x in v]
        return v

    return {k: one(v) for k, v in params.items()}


def codes_used(texts: Iterable[str]) -> set[str]:
    """Message codes named in source texts (``message("code", ...)``, the CLI's ``say("code", ...)``): what the
    translation test walks."""
    pattern = re.compile(r"""\b(?:message|say)\(\s*["']([a-z_]+\.[^"']+)["']""")
    return {code for text in texts for code in pattern.findall(text)}
