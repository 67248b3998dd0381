"""The dashboard's tables as rows of plain values: one shape for the page, the CSV exports and the JSON API.

CSV cells are escaped against formula injection (OWASP "CSV injection") exactly as the référentiel's exports
do (``competencies.interchange.csv_bundle.escape_cell``): a text cell starting with ``= + - @``, a tab, a
carriage return or an apostrophe gets a leading apostrophe. Numbers are written as they are.
"""

from __future__ import annotations

import csv
import io

from competencies.interchange.csv_bundle import escape_cell

from .selectors import Indicators

COLUMNS = {
    "weeks": ["week_start", "issued"],
    "issuers": ["issuer", "name", "issued", "revoked", "held", "verifications", "shares"],
    "achievements": ["achievement", "name", "issuer", "issued", "revoked", "held"],
    "competencies": ["framework", "competency", "label", "held"],
    "usages": ["kind", "channel", "count"],
}


def table_rows(indicators: Indicators, name: str) -> list[list[str | int]]:
    if name == "weeks":
        return [[monday.isoformat(), n] for monday, n in indicators.weeks]
    if name == "issuers":
        return [[r.slug, r.name, r.issued, r.revoked, r.held, r.verifications, r.shares] for r in indicators.issuers]
    if name == "achievements":
        return [[r.slug, r.name, r.issuer, r.issued, r.revoked, r.held] for r in indicators.achievements]
    if name == "competencies":
        return [[r.framework, r.code, r.label, r.held] for r in indicators.competencies]
    if name == "usages":
        return [[r.kind, r.channel, r.count] for r in indicators.usages]
    raise KeyError(name)


def table_dicts(indicators: Indicators, name: str) -> list[dict[str, str | int]]:
    return [dict(zip(COLUMNS[name], row, strict=True)) for row in table_rows(indicators, name)]


def table_csv(indicators: Indicators, name: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS[name])
    for row in table_rows(indicators, name):
        writer.writerow([escape_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()
