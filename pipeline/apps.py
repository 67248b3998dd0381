from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("Événements de formation (LMS)")

    def ready(self) -> None:
        from badges_service.key_encryption import secret_field_register

        from . import config_cache, metrics  # noqa: F401 (metrics: registers the event figures)

        secret_field_register("pipeline.LmsSource", "secret_encrypted")  # the sources' HMAC secrets
        from .models import AwardRule, LmsSource, Pathway, PathwayItem

        # A change of what intake caches empties the cache of this process (others: see config_cache).
        for model in (LmsSource, AwardRule, Pathway, PathwayItem):
            for signal in (post_save, post_delete):
                signal.connect(config_cache.clear, sender=model, dispatch_uid=f"pipeline-config-{model.__name__}")
