import json

from django.core.management.base import BaseCommand, CommandError

from badges_service.errors import ApplicationError
from issuers import selectors as issuer_selectors
from issuers.permissions import SYSTEM
from wallets import services


class Command(BaseCommand):
    help = ("Make a single-use OpenID4VCI credential offer of a credential and print one JSON object: offer_uri "
            "(openid-credential-offer://) and tx_code (null for --same-device), exactly what the passport shows.")

    def add_arguments(self, parser):
        parser.add_argument("--credential", required=True, help="the credential's UUID or public URL")
        parser.add_argument("--same-device", action="store_true",
                            help="no transaction code (the offer is opened on the device that shows it)")

    def handle(self, *args, **options):
        try:
            credential = issuer_selectors.credential_find_by_url(url_or_id=options["credential"])
            offer = services.offer_create(credential=credential, actor=SYSTEM,
                                           cross_device=not options["same_device"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"offer_uri": offer.offer_uri, "tx_code": offer.tx_code,
                                      "expires_at": offer.offer.expires_at.isoformat()}))
