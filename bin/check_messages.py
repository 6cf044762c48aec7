"""Check the zh-hans catalogue: every translatable string of the project is in it, translated,
not fuzzy, and compiled into the .mo that Django loads. Exit 1 with the list of problems.

Used by `make lint` and by tests/test_i18n.py. Regenerating needs GNU gettext (xgettext); where
it is missing that step is skipped and said so."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _unquote(chunks: list[str]) -> str:
    text = "".join(chunks)
    return text.replace("\\n", "\n").replace('\\"', '"').replace("\\t", "\t").replace("\\\\", "\\")


def parse_po(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    """{(msgctxt, msgid): {"msgstr": [...], "fuzzy": bool, "plural": str|None}} (header excluded)."""
    entries: dict[tuple[str, str], dict[str, object]] = {}
    current: dict[str, object] = {}
    field = None
    fields: dict[str, list[str]] = {}

    def flush() -> None:
        nonlocal fields, current
        if "msgid" in fields:
            msgid = _unquote(fields["msgid"])
            if msgid:
                strs = [_unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")]
                entries[(_unquote(fields.get("msgctxt", [])), msgid)] = {
                    "msgstr": strs,
                    "fuzzy": bool(current.get("fuzzy")),
                    "plural": _unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None,
                }
        fields, current = {}, {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            field = None
            continue
        if line.startswith("#,") and "fuzzy" in line:
            if "msgid" in fields:
                flush()
            current["fuzzy"] = True
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
        if match:
            if match.group(1) in ("msgid", "msgctxt") and "msgstr" in "".join(fields):
                saved = current
                flush()
                current = saved
            field = match.group(1)
            fields[field] = [match.group(2)]
        elif line.startswith('"') and field:
            fields[field].append(line[1:-1])
    flush()
    return entries


def regenerate_msgids() -> set[tuple[str, str]] | None:
    if shutil.which("xgettext") is None:
        print(
            "note: xgettext (GNU gettext) not installed; skipped the check for strings missing from the catalogue"
        )
        return None
    # makemessages writes into every locale/ folder above the files it scans, so it runs on a
    # copy of the source tree: the real catalogue is only ever read here.
    ignore = shutil.ignore_patterns(".venv", "var", ".git", "staticfiles", "test-results", "bench-results",
                                    "__pycache__", "*.sqlite3", ".*_cache")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(ROOT, copy, ignore=ignore)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "STRETCH_VAR_DIR": str(Path(tmp) / "var"),
        }
        env.pop("STRETCH_LOCALE_PATH", None)
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location",
             "-i", "tests/*", "-i", "bench/*", "-v", "0"],
            cwd=copy, env=env, check=True,
        )  # fmt: skip
        return set(parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def problems() -> list[str]:
    found: list[str] = []
    entries = parse_po(PO)
    for (_ctx, msgid), entry in entries.items():
        strs = list(entry["msgstr"])  # type: ignore[call-overload]
        if entry["fuzzy"]:
            found.append(f"fuzzy: {msgid!r}")
        elif not strs or any(not s for s in strs):
            found.append(f"untranslated: {msgid!r}")
    expected = regenerate_msgids()
    if expected is not None:
        for _ctx, msgid in sorted(expected - set(entries)):
            found.append(f"missing from django.po (run `make messages` and translate): {msgid!r}")
    if not MO.exists():
        found.append("django.mo is missing: run `make messages`")
        return found
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for (ctx, msgid), entry in entries.items():
        strs = list(entry["msgstr"])  # type: ignore[call-overload]
        if entry["fuzzy"] or not strs or not strs[0]:
            continue
        if entry["plural"]:
            got = (
                catalogue.npgettext(ctx, msgid, str(entry["plural"]), 1)
                if ctx
                else catalogue.ngettext(msgid, str(entry["plural"]), 1)
            )
        else:
            got = catalogue.pgettext(ctx, msgid) if ctx else catalogue.gettext(msgid)
        if got != strs[0]:
            found.append(f"django.mo is out of date for {msgid!r}: run `make messages`")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} catalogue problem(s)")
        return 1
    print(f"zh-hans catalogue complete: {len(parse_po(PO))} strings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
