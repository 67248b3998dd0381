from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError
from issuers import identifiers, selectors, services
from issuers.permissions import SYSTEM


class Command(BaseCommand):
    help = ("Revoke a credential, by its public URL or its UUID, with a public reason. For operators: the command "
            "acts as the system; issuer staff revoke through the API or the admin, where their rights apply.")

    def add_arguments(self, parser):
        parser.add_argument("credential", metavar="URL_OR_ID", help="the credential's public URL or UUID")
        parser.add_argument("--reason", required=True, help="public reason, shown on the verification page")

    def handle(self, *args, **options):
        reason = options["reason"].strip()
        if not reason:
            raise CommandError("--reason must not be empty.")
        try:
            credential = selectors.credential_find_by_url(url_or_id=options["credential"])
            credential = services.credential_revoke(credential=credential, reason=reason, actor=SYSTEM)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Revoked {identifiers.credential_url(credential.public_id)} on "
                          f"{credential.revoked_at.isoformat()}: {credential.revocation_reason}")
