"""One UPDATE for many rows, each with its own values: ``UPDATE t SET f = v.f FROM (VALUES ...) v WHERE t.pk = v.pk``.

Django's ``bulk_update`` writes a ``CASE WHEN pk = ... THEN ...`` per field and row, which costs more to
build than the statement costs to run; this builds one VALUES list. PostgreSQL and SQLite (3.33+) alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


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
