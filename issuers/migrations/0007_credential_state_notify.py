"""Triggers that tell listening processes when what a credential's public page depends on changes
(``issuers.selectors.CREDENTIAL_STATE_CHANNEL``; ``badges_service.change_feed``). PostgreSQL only: elsewhere
(SQLite in development) nothing listens and pages read the database every time.

The payload is the credential's ``public_id`` when its own row changes, ``*`` (forget every credential) when a
row that many credentials share changes: an issuer's or achievement's slug, a signing key's status or key, a
status list's version, an entry moved, or any of these tables emptied. Each condition lists the columns that
``issuers.selectors.credential_page_state`` reads (``tests/verification/test_change_feed.py`` checks them).
"""

from django.db import migrations

CHANNEL = "badges_credential_state"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION badges_credential_state_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'credential' AND TG_LEVEL = 'ROW' THEN
        PERFORM pg_notify('{CHANNEL}', OLD.public_id::text);
    ELSE
        PERFORM pg_notify('{CHANNEL}', '*');
    END IF;
    RETURN NULL;
END
$$;
"""

# (table, argument, condition on an UPDATE: None for any update)
TRIGGERS = [
    ("issuers_credential", "credential", None),
    ("issuers_issuer", "shared", "OLD.slug IS DISTINCT FROM NEW.slug"),
    ("issuers_achievement", "shared", "OLD.slug IS DISTINCT FROM NEW.slug"),
    ("issuers_signingkey", "shared", "(OLD.public_key_multibase, OLD.status, OLD.revoked_after) IS DISTINCT FROM "
                                     "(NEW.public_key_multibase, NEW.status, NEW.revoked_after)"),
    ("issuers_statuslist", "shared", "(OLD.version, OLD.document_version) IS DISTINCT FROM "
                                     "(NEW.version, NEW.document_version)"),
    # An entry gets its credential in the credential's own transaction (nothing cached yet): only a later move.
    ("issuers_statuslistentry", "shared", "OLD.credential_id IS NOT NULL AND "
                                          "(OLD.credential_id, OLD.status_list_id) IS DISTINCT FROM "
                                          "(NEW.credential_id, NEW.status_list_id)"),
]


def _statements() -> list[str]:
    out = [FUNCTION]
    for table, argument, condition in TRIGGERS:
        when = f" WHEN ({condition})" if condition else ""
        out += [
            f"CREATE TRIGGER {table}_state_update AFTER UPDATE ON {table} FOR EACH ROW{when} "
            f"EXECUTE FUNCTION badges_credential_state_notify('{argument}')",
            f"CREATE TRIGGER {table}_state_delete AFTER DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION badges_credential_state_notify('{argument}')",
            f"CREATE TRIGGER {table}_state_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION badges_credential_state_notify('all')",
        ]
    return out


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _statements():
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, _argument, _condition in TRIGGERS:
            for suffix in ("update", "delete", "truncate"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_state_{suffix} ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS badges_credential_state_notify()")


class Migration(migrations.Migration):

    dependencies = [("issuers", "0006_french_labels")]

    operations = [migrations.RunPython(create, drop)]
