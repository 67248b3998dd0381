from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError
from issuers import selectors, services
from issuers.permissions import SYSTEM


class Command(BaseCommand):
    help = "Issue a signed OB 3.0 credential and print its JSON on stdout."

    def add_arguments(self, parser):
        parser.add_argument("--achievement", required=True, help="achievement slug")
        parser.add_argument("--recipient", required=True, help="recipient email")
        parser.add_argument("--name", default="", help="recipient name (kept by the service, not in the badge)")

    def handle(self, *args, **options):
        try:
            achievement = selectors.achievement_get(slug=options["achievement"])
            credential = services.credential_issue(achievement=achievement, recipient_email=options["recipient"],
                                                   recipient_name=options["name"], actor=SYSTEM)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(credential.document)
