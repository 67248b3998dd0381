"""Writing many rows at once, cheaply.

``rows_update``: one UPDATE for many rows, each with its own values:
``UPDATE t SET f = v.f FROM (VALUES ...) v WHERE t.pk = v.pk``. Django's ``bulk_update`` writes a
``CASE WHEN pk = ... THEN ...`` per field and row, which costs more to build than the statement costs to run;
this builds one VALUES list. PostgreSQL and SQLite (3.33+) alike.

``LargeTextField``: a text column holding documents of kilobytes (signed JSON). On PostgreSQL, Django 5.2's
``bulk_create`` sends each column as one array parameter (``UNNEST``), and psycopg escapes the quotes of
every element of a text array with a regular-expression substitution: about 1 ms of CPU per 2.5 KB signed
credential under Python 3.11, more than signing it. A field with ``get_placeholder`` makes Django keep the
plain ``VALUES (...), (...)`` form for that model, where each document is one parameter quoted by libpq.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


class LargeTextField(models.TextField):
    """A ``TextField`` that keeps its model's bulk INSERTs in the ``VALUES`` form (see the module's docstring).
    The same column as a ``TextField``: migrations see a ``TextField``."""

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


def rows_update(model: type[models.Model], objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of each object to its row, in one statement. Returns the number of rows changed."""
    if not objects:
        return 0
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    # Placeholders only: every value is a parameter. PostgreSQL gets casts (parameters have no type in a
    # VALUES list); SQLite needs none and names the VALUES columns column1, column2...
    cells = [f"CAST(%s AS {f.cast_db_type(connection)})" if postgres else "%s" for f in [pk, *columns]]
    row_sql = "(" + ", ".join(cells) + ")"
    params = []
    for obj in objects:
        params.append(pk.get_db_prep_save(obj.pk, connection))
        for field in columns:
            params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
    names = [quote(f"v_{f.column}") if postgres else f"column{n}" for n, f in enumerate([pk, *columns], start=1)]
    alias = f"v({', '.join(names)})" if postgres else "v"
    assignments = ", ".join(f"{quote(f.column)} = v.{name}" for f, name in zip(columns, names[1:], strict=True))
    table = quote(meta.db_table)
    sql = (f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(objects))}) "  # noqa: S608
           f"AS {alias} WHERE {table}.{quote(pk.column)} = v.{names[0]}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
