from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuersConfig(AppConfig):
    name = "issuers"
    verbose_name = _("Émetteurs et badges")

    def ready(self) -> None:
        from badges_service.key_encryption import secret_field_register

        from . import metrics  # noqa: F401 (registers the credential figures for /metrics)

        secret_field_register("issuers.SigningKey", "private_key_encrypted")  # Ed25519 and RSA keys
