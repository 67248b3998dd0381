"""``manage.py status_lists_sign``: sign the status lists that are unsigned or older than their bits (lists made
by a version of this service that signed them on request). Writes sign their lists themselves since."""

from django.core.management.base import BaseCommand

from issuers import status_lists


class Command(BaseCommand):
    help = "Sign the status lists left unsigned or stale."

    def handle(self, *args, **options):
        stale = status_lists.status_lists_stale()
        for status_list in stale:
            status_lists.status_list_sign(status_list=status_list)
        self.stdout.write(f"{len(stale)} status list(s) signed.")
