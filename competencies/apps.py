from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenciesConfig(AppConfig):
    name = "competencies"
    verbose_name = _("Référentiel métiers-compétences")

    def ready(self) -> None:
        from badges_service import ratelimit

        from . import case_views
        ratelimit.limited_answer_register("/ims/case/", case_views.rate_limited)  # CASE's imsx_StatusInfo
