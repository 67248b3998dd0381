"""The translation catalogs in ``locale/`` are complete, and the committed ``.mo`` files match them.

The ``.mo`` files are committed so that a fresh machine needs no gettext tools; these tests catch a
``.po`` edited without recompiling (``msgfmt --check -o django.mo django.po`` in each ``LC_MESSAGES``).
The ``.po`` files are read with a small parser written here, so the check uses only the standard library.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The key ``gettext`` uses: context and id joined by EOT (GNU gettext's convention)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(token: str, path: Path, line: int) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise AssertionError(f"{path}:{line}: expected a quoted string, got {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), token[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a ``.po`` file (obsolete ``#~`` entries are ignored, as msgfmt does)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None and (current.msgid or current.msgstr):
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        if not text:
            finish()
            continue
        if text.startswith("#~"):
            continue
        if text.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            if current is None:
                current = Entry(line=number)
            if text.startswith("#,"):
                current.flags.update(flag.strip() for flag in text[2:].split(","))
            continue
        keyword, _, rest = text.partition(" ")
        if keyword.startswith('"'):
            if current is None or target is None:
                raise AssertionError(f"{path}:{number}: continuation line outside an entry")
            name, index = target
            value = _unquote(text, path, number)
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, getattr(current, name) + value)
            continue
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            finish()
        if current is None:
            current = Entry(line=number)
        value = _unquote(rest.strip(), path, number)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, value)
            target = (keyword, None)
        elif keyword == "msgstr":
            current.msgstr[0] = value
            target = ("msgstr", 0)
        elif (match := re.fullmatch(r"msgstr\[(\d+)\]", keyword)):
            current.msgstr[int(match.group(1))] = value
            target = ("msgstr", int(match.group(1)))
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages(language: str) -> list[Entry]:
    """The translatable entries (not the header)."""
    return [e for e in parse_po(po_path(language)) if e.msgid != ""]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_configured_language_has_a_catalog_and_its_compiled_file(language):
    assert po_path(language).is_file()
    assert po_path(language).with_suffix(".mo").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    entries = messages(language)

    assert entries, "the catalog is empty"
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_fuzzy(language):
    fuzzy = [e.msgid or "(header)" for e in parse_po(po_path(language)) if "fuzzy" in e.flags]

    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_entries_have_both_forms(language):
    incomplete = [e.msgid for e in messages(language) if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]

    assert incomplete == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(language):
    broken = []
    for entry in messages(language):
        expected = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in entry.msgstr.values():
            if set(PLACEHOLDER.findall(text)) != expected:
                broken.append((entry.msgid, text))

    assert broken == []


def test_french_and_english_catalogs_cover_the_same_messages():
    assert {e.key for e in messages("fr")} == {e.key for e in messages("en")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_contains_exactly_the_translations_of_the_po_file(language):
    expected: dict = {}
    for entry in parse_po(po_path(language)):
        if entry.key == "":
            # GNU msgfmt drops POT-Creation-Date from the header, so .mo files only change with the text.
            expected[""] = re.sub(r"^POT-Creation-Date:.*\n", "", entry.msgstr[0], flags=re.M)
        elif entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(entry.key, index)] = text

    with po_path(language).with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    # GNUTranslations keeps the decoded catalog in ``_catalog`` (header under the empty msgid).
    source = po_path(language)
    assert compiled._catalog == expected, f"stale: msgfmt --check -o {source.with_suffix('.mo')} {source}"
