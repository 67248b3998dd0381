from django.apps import AppConfig


class WalletsConfig(AppConfig):
    name = "wallets"
    verbose_name = "Portefeuilles (OpenID4VCI, OpenID4VP)"
