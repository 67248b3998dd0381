from django.urls import path

from . import api, badge_views, views

app_name = "verification"

urlpatterns = [
    path("credentials/<str:public_id>", views.credential_detail, name="credential"),
    path("credentials/<str:public_id>/credential.json", views.credential_download, name="credential-download"),
    path("credentials/<str:public_id>/ob2", badge_views.credential_ob2, name="credential-ob2"),
    path("credentials/<str:public_id>/ob2.jws", badge_views.credential_ob2_jws, name="credential-ob2-jws"),
    path("credentials/<str:public_id>/baked.png", badge_views.credential_baked_png, name="credential-baked-png"),
    path("credentials/<str:public_id>/baked.svg", badge_views.credential_baked_svg, name="credential-baked-svg"),
    path("credentials/<str:public_id>/ob2/baked.png", badge_views.credential_ob2_baked_png,
         name="credential-ob2-baked-png"),
    path("credentials/<str:public_id>/qr.png", badge_views.credential_qr, name="credential-qr"),
    path("credentials/<str:public_id>/certificate.pdf", badge_views.credential_certificate,
         name="credential-certificate"),
    path("achievements/<slug:slug>", views.achievement_detail, name="achievement"),
    path("achievements/<slug:slug>/image", views.achievement_image, name="achievement-image"),
    path("achievements/<slug:slug>/image.png", views.achievement_image_png, name="achievement-image-png"),
    path("achievements/<slug:slug>/ob2", badge_views.achievement_ob2, name="achievement-ob2"),
    path("issuers/<slug:slug>", views.issuer_detail, name="issuer"),
    path("issuers/<slug:slug>/image", views.issuer_image, name="issuer-image"),
    path("issuers/<slug:slug>/image.png", views.issuer_image_png, name="issuer-image-png"),
    path("issuers/<slug:slug>/did.json", views.issuer_did_document, name="issuer-did"),
    path("issuers/<slug:slug>/ob2", badge_views.issuer_ob2, name="issuer-ob2"),
    path("issuers/<slug:slug>/ob2/keys/<str:fingerprint>", badge_views.issuer_ob2_key, name="issuer-ob2-key"),
    path("issuers/<slug:slug>/ob2/revocations", badge_views.issuer_ob2_revocations, name="issuer-ob2-revocations"),
    path("issuers/<slug:slug>/status/<str:public_id>", badge_views.issuer_status_list, name="issuer-status-list"),
    path("external-badges/<str:public_id>", views.foreign_badge_detail, name="foreign-badge"),
    path("external-badges/<str:public_id>/image", views.foreign_badge_image, name="foreign-badge-image"),
    path("api/v1/verify", api.CredentialVerifyApi.as_view(), name="api-verify"),
]
