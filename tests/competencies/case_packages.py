"""The CASE packages of tests/fixtures/case (written by this project in the shapes OpenSALT, the CASE Network and
CASE 1.1 publishers produce), and what a round trip must keep of them."""

from __future__ import annotations

import json
from pathlib import Path

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "case"
VALID = sorted(p.name for p in CASE.glob("*.json") if p.name != "not_case.json")


def package(name: str) -> dict:
    return json.loads((CASE / name).read_text(encoding="utf-8"))


def tree(package: dict) -> dict[str, dict]:
    """identifier -> the statement, humanCodingScheme and parents (isChildOf) of each item: what every export
    of an imported package must give back unchanged."""
    document = package["CFDocument"]["identifier"]
    parents: dict[str, set] = {}
    for a in package.get("CFAssociations", []):
        if a["associationType"] == "isChildOf":
            destination = a["destinationNodeURI"]["identifier"]
            parents.setdefault(a["originNodeURI"]["identifier"], set()).add(
                "document" if destination == document else destination)
    return {i["identifier"]: {"statement": i["fullStatement"], "code": i.get("humanCodingScheme") or None,
                              "parents": parents.get(i["identifier"], set())} for i in package["CFItems"]}


def associations(package: dict) -> set[tuple[str, str, str, str]]:
    return {(a["identifier"], a["associationType"], a["originNodeURI"]["uri"] if a["originNodeURI"]["identifier"]
             not in _items(package) else a["originNodeURI"]["identifier"],
             a["destinationNodeURI"]["uri"] if a["destinationNodeURI"]["identifier"] not in _items(package)
             and a["destinationNodeURI"]["identifier"] != package["CFDocument"]["identifier"]
             else a["destinationNodeURI"]["identifier"]) for a in package.get("CFAssociations", [])}


def _items(package: dict) -> set[str]:
    return {i["identifier"] for i in package["CFItems"]}
