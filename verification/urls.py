from django.urls import path

from . import api, views

app_name = "verification"

urlpatterns = [
    path("credentials/<str:public_id>", views.credential_detail, name="credential"),
    path("credentials/<str:public_id>/credential.json", views.credential_download, name="credential-download"),
    path("achievements/<slug:slug>", views.achievement_detail, name="achievement"),
    path("achievements/<slug:slug>/image", views.achievement_image, name="achievement-image"),
    path("issuers/<slug:slug>", views.issuer_detail, name="issuer"),
    path("issuers/<slug:slug>/image", views.issuer_image, name="issuer-image"),
    path("issuers/<slug:slug>/did.json", views.issuer_did_document, name="issuer-did"),
    path("api/v1/verify", api.CredentialVerifyApi.as_view(), name="api-verify"),
]
