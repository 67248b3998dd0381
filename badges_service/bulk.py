"""Writing many rows at once, cheaply.

``rows_update``: one UPDATE for many rows, each with its own values: ``UPDATE t SET f = v.f FROM <the rows' values>
v WHERE t.pk = v.pk``. Django's ``bulk_update`` writes a ``CASE WHEN pk = ... THEN ...`` per field and row, which
costs more to build than the statement costs to run. PostgreSQL and SQLite (3.33+) alike.

``rows_insert``: one INSERT of many rows, ``ON CONFLICT DO NOTHING`` if asked, that returns the columns asked of
the rows it inserted; on PostgreSQL a prepared statement whose values the server binds (see the function).

``LargeTextField``: a text column holding documents of kilobytes (signed JSON). On PostgreSQL, Django 5.2's
``bulk_create`` sends each column as one array parameter (``UNNEST``), and psycopg escapes the quotes of
every element of a text array with a regular-expression substitution: about 1 ms of CPU per 2.5 KB signed
credential under Python 3.11, more than signing it. A field with ``get_placeholder`` makes Django keep the
plain ``VALUES (...), (...)`` form for that model, where each document is one parameter quoted by libpq.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from django.db import connections, models, router


class LargeTextField(models.TextField):
    """A ``TextField`` that keeps its model's bulk INSERTs in the ``VALUES`` form (see the module's docstring).
    The same column as a ``TextField``: migrations see a ``TextField``."""

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


def rows_update(model: type[models.Model], objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of each object to its row, in one statement. Returns the number of rows changed.

    On PostgreSQL: ``UPDATE t SET f = v.f FROM unnest(%b::type[], ...) AS v(...)``, one binary array per column,
    prepared and bound by the server (see ``rows_insert``); elsewhere a ``VALUES`` list."""
    if not objects:
        return 0
    meta = model._meta
    wrapper = connections[router.db_for_write(model)]
    pk = meta.pk
    columns = [pk, *(meta.get_field(name) for name in fields)]
    quote = wrapper.ops.quote_name
    postgres = wrapper.vendor == "postgresql"
    values = [[f.get_db_prep_save(getattr(obj, f.attname), wrapper) for f in columns] for obj in objects]
    if postgres:
        names = [quote(f"v_{f.column}") for f in columns]
        source = f"unnest({', '.join(f'%b::{f.cast_db_type(wrapper)}[]' for f in columns)}) AS v({', '.join(names)})"
        params = [list(column) for column in zip(*values, strict=True)]
    else:  # SQLite names the VALUES columns column1, column2...
        names = [f"column{n}" for n in range(1, len(columns) + 1)]
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        source = f"(VALUES {', '.join([row] * len(objects))}) AS v"
        params = [value for row_values in values for value in row_values]
    assignments = ", ".join(f"{quote(f.column)} = v.{name}" for f, name in zip(columns[1:], names[1:], strict=True))
    table = quote(meta.db_table)
    sql = f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.{quote(pk.column)} = v.{names[0]}"  # noqa: S608
    with _cursor(wrapper) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


class _PreparedCursor(psycopg.Cursor):
    """psycopg's server-binding cursor, each statement prepared (the connection's ``prepare_threshold`` is None
    under Django: nothing is prepared unless asked)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


def _cursor(wrapper):
    """Django's cursor on PostgreSQL but server-binding and preparing: what ``cursor()`` does (the health check of a
    connection kept from an earlier request, query logging and execute wrappers, errors mapped to Django's), with
    psycopg's ``Cursor`` instead of Django's client-side binding one. Django's own cursor elsewhere."""
    if wrapper.vendor != "postgresql":
        return wrapper.cursor()
    wrapper.close_if_health_check_failed()
    wrapper.ensure_connection()
    wrapper.validate_thread_sharing()
    with wrapper.wrap_database_errors:
        raw = _PreparedCursor(wrapper.connection)
    return wrapper.make_debug_cursor(raw) if wrapper.queries_logged else wrapper.make_cursor(raw)


def rows_insert(model: type[models.Model], objects: Sequence[models.Model], *,
                skip_conflicts: bool | Sequence[str] = False, returning: Sequence[str] = ("pk",)) -> list[tuple]:
    """Insert the objects' rows in one statement and return the ``returning`` fields of the rows inserted, in no
    particular order (the caller matches them by a field it set). ``skip_conflicts``: rows that would break a
    unique constraint (``True``), or the one on these fields, are skipped (``ON CONFLICT DO NOTHING``, after
    waiting for a concurrent transaction that inserts the same key). The objects are not changed.

    Fields are prepared as ``save`` prepares them (``pre_save``: ``auto_now_add``...). In autocommit mode the rows
    are committed when it returns.

    On PostgreSQL the statement is prepared (planned once per connection) and its values bound by the server:
    one row as ``VALUES (%s, ...)``; more rows as ``SELECT * FROM unnest(%b::type[], ...)``, one binary array per
    column, so that the statement has as many parameters whatever the number of rows (psycopg parses the
    placeholders of a statement of more than 50 parameters at every execution) and no value is quoted (psycopg's
    quoting of text arrays costs more than signing a credential)."""
    if not objects:
        return []
    meta = model._meta
    wrapper = connections[router.db_for_write(model)]
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field and not getattr(f, "generated", False)]
    out = [meta.pk if name == "pk" else meta.get_field(name) for name in returning]
    quote = wrapper.ops.quote_name
    postgres = wrapper.vendor == "postgresql"
    sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    if postgres and len(objects) > 1:
        sql += f"SELECT * FROM unnest({', '.join(f'%b::{f.cast_db_type(wrapper)}[]' for f in fields)})"  # noqa: S608
        params = [[f.get_db_prep_save(f.pre_save(obj, True), wrapper) for obj in objects] for f in fields]
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql += f"VALUES {', '.join([row] * len(objects))}"
        params = [f.get_db_prep_save(f.pre_save(obj, True), wrapper) for obj in objects for f in fields]
    if skip_conflicts:
        target = "" if skip_conflicts is True else \
            f"({', '.join(quote(meta.get_field(name).column) for name in skip_conflicts)}) "
        sql += f" ON CONFLICT {target}DO NOTHING"
    if out:
        sql += f" RETURNING {', '.join(quote(f.column) for f in out)}"
    with _cursor(wrapper) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall() if out else []
    # As the ORM reads a column: the backend's converters (SQLite's uuid text...), then the field's.
    columns = [f.get_col(meta.db_table) for f in out]
    converters = [wrapper.ops.get_db_converters(c) + c.get_db_converters(wrapper) for c in columns]
    return [tuple(_converted(value, c, fs, wrapper) for value, c, fs in zip(r, columns, converters, strict=True))
            for r in rows]


def objects_create(model: type[models.Model], objects: Sequence[models.Model], *, match: str | None = None,
                   skip_conflicts: bool | Sequence[str] = False) -> None:
    """``bulk_create`` through ``rows_insert``: the objects' rows in one statement. With ``match``, a unique field
    the caller set on each object (``public_id``, a one-to-one key), the objects get their primary keys and are
    marked saved, as ``bulk_create`` does; an object skipped for a conflict keeps none."""
    rows = rows_insert(model, objects, skip_conflicts=skip_conflicts, returning=(match, "pk") if match else ())
    if match is None:
        return
    field = model._meta.get_field(match)
    keys = dict(rows)
    db = router.db_for_write(model)
    for obj in objects:
        pk = keys.get(getattr(obj, field.attname))
        if pk is not None:
            obj.pk = pk
            obj._state.adding, obj._state.db = False, db


def _converted(value, column, converters, wrapper):
    for converter in converters:
        value = converter(value, column, wrapper)
    return value
