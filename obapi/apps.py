from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObapiConfig(AppConfig):
    name = "obapi"
    verbose_name = _("API Open Badges (1EdTech)")
