import json

from django.core.management.base import BaseCommand

from issuers import identifiers, selectors


class Command(BaseCommand):
    help = "List achievements (--json: a JSON array of {slug, issuer, name, id})."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, *args, **options):
        rows = [{"slug": a.slug, "issuer": a.issuer.slug, "name": a.name, "id": identifiers.achievement_url(a)}
                for a in selectors.achievement_list()]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['slug']:32} {row['issuer']:10} {row['name']}")
