"""The JSON form of a framework bundle: the same tables as the CSV bundle, as one document."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from .bundle import TABLES, BundleInvalid, FrameworkBundle, FrameworkInfo, ImportProblem

FORMAT = "villeapp-framework-bundle/1"


def write_json(bundle: FrameworkBundle) -> str:
    def strip(row) -> dict:
        return {k: v for k, v in asdict(row).items() if k != "line"}

    document = {"format": FORMAT, "framework": strip(bundle.info)}
    for name in TABLES:
        document[name] = [strip(r) for r in getattr(bundle, name)]
    return json.dumps(document, ensure_ascii=False, indent=2)


def read_json(raw: bytes) -> FrameworkBundle:
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleInvalid([ImportProblem("framework.json", 1, "", f"not JSON: {exc}")]) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleInvalid([ImportProblem("framework.json", 1, "format", f"expected {FORMAT!r}")])
    problems: list[ImportProblem] = []

    def build(cls, values, table: str, index: int):
        names = {f.name for f in fields(cls)} - {"line"}
        if not isinstance(values, dict) or set(values) - names:
            extra = sorted(set(values) - names) if isinstance(values, dict) else "not an object"
            problems.append(ImportProblem(table, index, "", f"unexpected fields: {extra}"))
            return None
        try:
            return cls(line=index, **values)
        except TypeError as exc:
            problems.append(ImportProblem(table, index, "", str(exc)))
            return None

    info = build(FrameworkInfo, document.get("framework"), "framework", 1)
    tables = {}
    for name, cls in TABLES.items():
        items = document.get(name, [])
        tables[name] = [build(cls, v, name, i + 1) for i, v in enumerate(items if isinstance(items, list) else [])]
    if problems or info is None:
        raise BundleInvalid(problems or [ImportProblem("framework", 1, "", "missing")])
    return FrameworkBundle(info=info, **tables)
