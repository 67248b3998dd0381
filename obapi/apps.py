from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObapiConfig(AppConfig):
    name = "obapi"
    verbose_name = _("1EdTech Open Badges API")
