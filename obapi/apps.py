from django.apps import AppConfig


class ObapiConfig(AppConfig):
    name = "obapi"
    verbose_name = "1EdTech Open Badges API"
