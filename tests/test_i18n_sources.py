"""A translatable string must be where `makemessages` (xgettext) can find it. xgettext does not read
the expressions inside an f-string, so `f"{_('late')}"` shows English on a 中文 page while every
catalogue check passes: the word never reached the catalogue. A string used that way must also be
written where xgettext sees it (better: translated before the f-string), so that it is in the
catalogue with its 中文."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "teams", "goals", "plans", "tracking", "incentives", "recognition", "retros", "people")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "pgettext_lazy", "ngettext_lazy"}
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _gettext_in_fstrings(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, message) of every gettext call with a literal message inside an f-string."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT
                    and inner.args
                ):
                    literal = inner.args[1 if inner.func.id.startswith("pgettext") else 0]
                    if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                        found.append((inner.lineno, literal.value))
    return found


def _msgids() -> set[str]:
    """The catalogue's msgids (multi-line ones joined), unescaped."""
    ids, current, reading = set(), [], False
    for line in CATALOGUE.read_text().splitlines():
        if line.startswith("msgid "):
            current, reading = [line[6:]], True
        elif reading and line.startswith('"'):
            current.append(line)
        else:
            if reading:
                ids.add("".join(ast.literal_eval(part) for part in current))
            reading = False
    return ids


def test_every_string_translated_inside_an_f_string_is_in_the_catalogue():
    known, missing = _msgids(), []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line, message in _gettext_in_fstrings(ast.parse(path.read_text(), filename=str(path))):
                if message not in known:
                    missing.append(f"{path.relative_to(ROOT)}:{line} {message!r}")
    assert not missing, (
        "translated inside an f-string, where makemessages cannot see it, and so never in the catalogue "
        "(translate it before the f-string): " + "; ".join(missing)
    )


def test_the_check_finds_a_call_and_reads_the_catalogue():
    tree = ast.parse("x = f'<b>{escape(_(\"late\"))}</b>'")
    assert _gettext_in_fstrings(tree) == [(1, "late")]
    assert "late" in _msgids() and re.search(r"^msgid \"late\"$", CATALOGUE.read_text(), re.M)
