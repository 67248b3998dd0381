import json

from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError
from issuers import selectors as issuer_selectors
from pipeline import selectors, services


class Command(BaseCommand):
    help = ("Register an LMS source and print {id, name, secret, lrs_endpoint, lrs_username, lrs_password} as one "
            "JSON object (the secret and the LRS password are shown once).")

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--issuer", help="slug of the issuer whose staff may read the source's events")
        parser.add_argument("--signed-only", action="store_true", help="refuse Moodle's plain token field")

    def handle(self, *args, **options):
        try:
            issuer = issuer_selectors.issuer_get(slug=options["issuer"]) if options["issuer"] else None
            new = services.lms_source_create(name=options["name"], issuer=issuer,
                                             token_allowed=not options["signed_only"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"id": new.source.pk, "name": new.source.name, "secret": new.secret,
                                      "lrs_endpoint": selectors.lrs_endpoint(), "lrs_username": new.source.lrs_username,
                                      "lrs_password": new.lrs_password}))
