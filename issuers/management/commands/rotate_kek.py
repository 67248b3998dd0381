"""``manage.py rotate_kek``: after putting a new key-encryption key first in ``BADGES_KEY_ENCRYPTION_KEYS``,
re-encrypt every secret at rest under it (``badges_service.key_encryption.secrets_reencrypt``); then the old key
may be removed. ``--check`` counts what is left under older keys and writes nothing."""

from django.core.management.base import BaseCommand, CommandError

from badges_service.key_encryption import secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every secret at rest under the newest key-encryption key (crash-safe, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Count only; write nothing.")

    def handle(self, *args, **options):
        result = secrets_reencrypt(check_only=options["check"])
        if result.unreadable:
            raise CommandError("No configured key-encryption key reads: " + ", ".join(result.unreadable)
                               + ". Nothing was re-encrypted.")
        if options["check"]:
            self.stdout.write(f"{result.current} secret(s) under the newest key, {result.pending} under an older "
                              "one (run rotate_kek before removing it).")
            return
        self.stdout.write(f"{result.rotated} secret(s) re-encrypted, {result.current} already under the newest "
                          f"key, {result.raced} rewritten meanwhile by their service. The older keys may now be "
                          "removed from BADGES_KEY_ENCRYPTION_KEYS.")
