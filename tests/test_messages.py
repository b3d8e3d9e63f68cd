"""Every message the analysis package gives people has an English and a Chinese text, and none is a bare sentence.

The UI and the CLI render ``analysis.messages.Message`` codes in their language; a code without a translation, a
translation that drops a parameter, or an error raised with an English string would put English into the Chinese
interface (or break rendering), so these tests walk the catalogue and the source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.messages import LANGUAGES, TEXTS, Message, codes_used, from_stored, message, placeholders, shifted

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {p: p.read_text(encoding="utf-8") for p in sorted((ROOT / "analysis").rglob("*.py"))}
# classes whose argument is shown to the user: they must get a Message, never a sentence
USER_FACING = {"IngestError": 0, "DecodingError": 0, "WorkspaceError": 0, "FineTuneError": 0, "RejectedRow": 1,
               "RoleChoice": 1}  # class -> position of the argument people read


def test_every_code_the_package_uses_has_both_languages() -> None:
    used = codes_used(SOURCES.values())
    assert len(used) > 60  # the walk found the package's messages
    missing = {code: [lang for lang in LANGUAGES if not TEXTS.get(code, {}).get(lang)] for code in used}
    assert not {c: m for c, m in missing.items() if m}, "add the missing translations to analysis.message_texts"


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_each_translation_has_the_same_parameters_and_renders(code: str) -> None:
    texts = TEXTS[code]
    assert set(texts) == set(LANGUAGES)
    names = placeholders(texts["en"])
    assert placeholders(texts["zh"]) == names
    params = {name: 12345 if name not in {"role"} else "rating" for name in names}
    for language in LANGUAGES:
        assert message(code, **params).render(language).strip()
    assert texts["zh"] != texts["en"], f"{code}: the Chinese text is the English one"


def test_no_code_in_the_catalogue_is_dead() -> None:
    used = codes_used(SOURCES.values())
    built = {c for c in TEXTS if c.startswith(("step.", "example."))}  # step names come from the run's steps
    assert set(TEXTS) - used - built - {"summary.none"} == set()


def test_errors_rejections_and_warnings_carry_codes_not_sentences() -> None:
    offenders = []
    for path, source in SOURCES.items():
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            is_warning = name == "append" and "warnings" in ast.unparse(node.func)
            if name in USER_FACING or is_warning:
                shown = node.args[USER_FACING.get(name, 0):][:1]
                if any(isinstance(a, ast.JoinedStr) or (isinstance(a, ast.Constant) and isinstance(a.value, str))
                       for a in shown):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not offenders, "give these a message code: " + "; ".join(offenders)


def test_row_and_line_numbers_move_with_a_piece_and_survive_storage() -> None:
    warning = message("rating.unreadable", count=1, column="星级",
                      examples=[message("example.value", row=2, value="'terrible'")])
    moved = shifted(warning, 100, 7)
    assert "row 102 ('terrible')" in str(moved) and "第 102 行" in moved.render("zh")
    broken = shifted(message("row.too_many_values", values=4, columns=3, line=5), 100, 7)
    assert "(line 12)" in str(broken)
    assert from_stored(moved.to_dict()) == moved and isinstance(from_stored(moved.to_dict()), Message)
    assert from_stored("a sentence saved by an earlier version") == "a sentence saved by an earlier version"


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError, match="message_texts"):
        message("no.such.code")
