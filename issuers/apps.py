from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuersConfig(AppConfig):
    name = "issuers"
    verbose_name = _("Émetteurs et badges")

    def ready(self) -> None:
        from . import metrics  # noqa: F401 (registers the credential figures for /metrics)
