from django.urls import path

from . import api, views

app_name = "wallets"

urlpatterns = [
    path(".well-known/openid-credential-issuer", views.credential_issuer_metadata, name="issuer-metadata"),
    path(".well-known/oauth-authorization-server", views.authorization_server_metadata, name="as-metadata"),
    path("openid4vci/token", views.token, name="token"),
    path("openid4vci/nonce", views.nonce, name="nonce"),
    path("openid4vci/credential", views.credential, name="credential"),
    path("passeport/badges/<str:public_id>/portefeuille/", views.badge_wallet, name="badge-wallet"),
    path("openid4vp/responses/<str:public_id>", views.presentation_response, name="presentation-response"),
    path("equipe/presentations/", views.presentation_new, name="presentation-new"),
    path("equipe/presentations/<str:public_id>/", views.presentation_detail, name="presentation"),
    path("api/v1/presentation-requests", api.PresentationRequestCreateApi.as_view(),
         name="presentation-request-create"),
    path("api/v1/presentation-requests/<str:public_id>", api.PresentationRequestDetailApi.as_view(),
         name="presentation-request"),
]
