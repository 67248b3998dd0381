"""The query parameters of CASE getAllCFDocuments (``GET /ims/case/v1p0/CFDocuments``), as the 1EdTech CASE
REST/JSON binding defines them (the conventions it shares with OneRoster's binding):

* ``limit`` (default 100) and ``offset`` (default 0): the page; the answer's ``X-Total-Count`` header gives the
  number of documents that match, and its ``Link`` header the ``first``, ``prev``, ``next`` and ``last`` pages;
* ``sort`` (a CFDocument member) and ``orderBy`` (``asc``, the default, or ``desc``); an unknown member or order
  is ``invalid_sort_field``;
* ``filter``: ``<member><predicate>'<value>'``, the predicate one of ``=``, ``!=``, ``>``, ``>=``, ``<``,
  ``<=`` or ``~`` (contains, ignoring case), several clauses joined by one kind of logical operator, `` AND `` or
  `` OR `` (mixing them is refused); a member that is a list (``subject``) matches when one element does;
* ``fields``: the members to answer, comma-separated.

A member CASE's CFDocument does not have, in ``filter`` or ``fields``, or a filter that cannot be read, is
``invalid_selection_field``. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
# CASE CFDocument (CFDocumentSet's items): every member a consumer may filter, sort or select.
MEMBERS = frozenset({
    "identifier", "uri", "frameworkType", "caseVersion", "creator", "title", "lastChangeDateTime",
    "officialSourceURL", "publisher", "description", "subject", "subjectURI", "language", "version",
    "adoptionStatus", "statusStartDate", "statusEndDate", "licenseURI", "notes", "CFPackageURI", "extensions"})
PREDICATES = ("!=", ">=", "<=", "=", ">", "<", "~")  # longest first, so that ">=" is not read as ">"
_CLAUSE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(!=|>=|<=|=|>|<|~)\s*'((?:[^']|'')*)'\s*")
_JOIN = re.compile(r"\s+(AND|OR)\s+(?=[A-Za-z][A-Za-z0-9_]*\s*(?:!=|>=|<=|=|>|<|~))")


class SelectionError(ValueError):
    """A query parameter CASE defines, with a value it does not allow; ``code_minor`` is CASE's code."""

    def __init__(self, message: str, *, code_minor: str = "invalid_selection_field"):
        super().__init__(message)
        self.code_minor = code_minor


@dataclass(frozen=True)
class Clause:
    member: str
    predicate: str
    value: str

    def matches(self, document: dict) -> bool:
        found = document.get(self.member)
        values = found if isinstance(found, list) else [found]
        return any(_compare(v, self.predicate, self.value) for v in values if v is not None) \
            or (self.predicate == "!=" and not [v for v in values if v is not None])


def _compare(found, predicate: str, wanted: str) -> bool:
    text = found if isinstance(found, str) else str(found)
    if predicate == "~":
        return wanted.casefold() in text.casefold()
    return {"=": text == wanted, "!=": text != wanted, ">": text > wanted, ">=": text >= wanted,
            "<": text < wanted, "<=": text <= wanted}[predicate]


@dataclass(frozen=True)
class Query:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sort: str | None = None
    descending: bool = False
    clauses: tuple[Clause, ...] = ()
    any_clause: bool = False  # OR: any clause; AND (or a single clause): every clause
    fields: tuple[str, ...] = ()


def _whole(params: Mapping[str, str], name: str, default: int, lowest: int, highest: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < lowest or (highest is not None and int(raw) > highest):
        limit = f" to {highest}" if highest is not None else " or more"
        raise SelectionError(f"{name} is a whole number, {lowest}{limit}.")
    return int(raw)


def parse_filter(text: str) -> tuple[tuple[Clause, ...], bool]:
    """(clauses, joined by OR) of a CASE filter; ``SelectionError`` when it cannot be read."""
    parts = _JOIN.split(text.strip())
    clauses_text, operators = parts[0::2], set(parts[1::2])
    if len(operators) > 1:
        raise SelectionError("A filter joins its clauses with AND or with OR, not both.")
    clauses = []
    for clause_text in clauses_text:
        match = _CLAUSE.fullmatch(clause_text)
        if match is None:
            raise SelectionError(f"Cannot read the filter clause {clause_text.strip()[:100]!r}: "
                                 "<member><predicate>'<value>', predicate one of " + " ".join(PREDICATES) + ".")
        member, predicate, value = match.groups()
        if member not in MEMBERS:
            raise SelectionError(f"{member!r} is not a member of CFDocument (filter).")
        clauses.append(Clause(member, predicate, value.replace("''", "'")))
    return tuple(clauses), operators == {"OR"}


def parse(params: Mapping[str, str]) -> Query:
    """The query of ``params`` (a request's query string); ``SelectionError`` for a value CASE does not allow."""
    limit = _whole(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _whole(params, "offset", 0, 0)
    sort = params.get("sort") or None
    if sort is not None and sort not in MEMBERS:
        raise SelectionError(f"{sort[:100]!r} is not a member of CFDocument (sort).", code_minor="invalid_sort_field")
    order = (params.get("orderBy") or "asc").lower()
    if order not in ("asc", "desc"):
        raise SelectionError("orderBy is asc or desc.", code_minor="invalid_sort_field")
    clauses, any_clause = parse_filter(params["filter"]) if params.get("filter") else ((), False)
    fields = tuple(f.strip() for f in (params.get("fields") or "").split(",") if f.strip())
    unknown = [f for f in fields if f not in MEMBERS]
    if unknown:
        raise SelectionError(f"{unknown[0][:100]!r} is not a member of CFDocument (fields).")
    return Query(limit, offset, sort, order == "desc", clauses, any_clause, fields)


def apply(documents: list[dict], query: Query) -> tuple[list[dict], int]:
    """(the page of ``documents`` the query asks for, how many match in all)."""
    if query.clauses:
        test = any if query.any_clause else all
        documents = [d for d in documents if test(c.matches(d) for c in query.clauses)]
    if query.sort:
        present = [d for d in documents if d.get(query.sort) not in (None, "", [])]
        absent = [d for d in documents if d.get(query.sort) in (None, "", [])]
        present.sort(key=lambda d: str(d[query.sort]), reverse=query.descending)
        documents = present + absent  # documents without the member come last, whatever the order
    page = documents[query.offset:query.offset + query.limit]
    if query.fields:
        page = [{f: d[f] for f in query.fields if f in d} for d in page]
    return page, len(documents)


def page_links(base_url: str, params: Mapping[str, str], query: Query, total: int) -> str:
    """The ``Link`` header (RFC 8288) of the page: first, prev, next and last, with the same query."""
    def link(offset: int, rel: str) -> str:
        kept = {k: v for k, v in params.items() if k not in ("limit", "offset")}
        return f'<{base_url}?{urlencode({**kept, "limit": query.limit, "offset": offset})}>; rel="{rel}"'
    last = max(0, (total - 1) // query.limit * query.limit)
    links = [link(0, "first")]
    if query.offset > 0:
        links.append(link(max(0, query.offset - query.limit), "prev"))
    if query.offset + query.limit < total:
        links.append(link(query.offset + query.limit, "next"))
    links.append(link(last, "last"))
    return ", ".join(links)
