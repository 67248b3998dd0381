"""Sorting words as a French reader expects: accents and case do not move a word to the end of a list
("Éducation" between "Économie" and "Emploi", not after "Urbanisme"), ligatures read as their letters.

A key, not a locale: ``locale.strxfrm`` depends on the locales installed on each machine, and the database's
collation on how it was created; this gives the same order everywhere (the first level of the Unicode Collation
Algorithm for Latin script, then the exact text to break ties)."""

from __future__ import annotations

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "\u2019": "'"})


def collation_key(text: str) -> tuple[str, str]:
    """Sort key: letters without accents, case-folded; ties broken by the text itself."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return base, text or ""


def sorted_by(items, attribute: str) -> list:
    """``items`` sorted on one text attribute (or key of a dict) with ``collation_key``."""
    def key(item):
        value = item.get(attribute) if isinstance(item, dict) else getattr(item, attribute)
        return collation_key(str(value or ""))
    return sorted(items, key=key)
