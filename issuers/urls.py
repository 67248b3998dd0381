from django.urls import path

from . import api

app_name = "issuers"

urlpatterns = [
    path("achievements", api.AchievementListApi.as_view(), name="achievement-list"),
    path("achievements/<slug:slug>", api.AchievementUpdateApi.as_view(), name="achievement-update"),
    path("achievements/<slug:slug>/image", api.AchievementImageApi.as_view(), name="achievement-image"),
    path("issuers/<slug:issuer_slug>/achievements", api.AchievementCreateApi.as_view(), name="achievement-create"),
    path("issuers/<slug:issuer_slug>/keys/rotate", api.KeyRotateApi.as_view(), name="key-rotate"),
    path("credentials", api.CredentialIssueApi.as_view(), name="credential-issue"),
    path("credentials/<str:public_id>/revoke", api.CredentialRevokeApi.as_view(), name="credential-revoke"),
    path("credentials/<str:public_id>/suspend", api.CredentialSuspendApi.as_view(), name="credential-suspend"),
    path("credentials/<str:public_id>/reinstate", api.CredentialReinstateApi.as_view(), name="credential-reinstate"),
]
