from django.urls import path

from . import views

app_name = "wallets"

urlpatterns = [
    path(".well-known/openid-credential-issuer", views.credential_issuer_metadata, name="issuer-metadata"),
    path(".well-known/oauth-authorization-server", views.authorization_server_metadata, name="as-metadata"),
    path("openid4vci/token", views.token, name="token"),
    path("openid4vci/nonce", views.nonce, name="nonce"),
    path("openid4vci/credential", views.credential, name="credential"),
    path("passeport/badges/<str:public_id>/portefeuille/", views.badge_wallet, name="badge-wallet"),
]
