from django.apps import AppConfig


class IssuersConfig(AppConfig):
    name = "issuers"
    verbose_name = "Émetteurs et badges"

    def ready(self) -> None:
        from . import metrics  # noqa: F401 (registers the credential figures for /metrics)
