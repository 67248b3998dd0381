from django.urls import path
from oauth2_provider.views import RevokeTokenView, TokenView

from . import views

app_name = "obapi"

urlpatterns = [
    # 1EdTech Open Badges API 3.0 (OB 3.0 §6)
    path("ims/ob/v3p0/discovery", views.discovery_view, name="discovery"),
    path("ims/ob/v3p0/credentials", views.credentials_view, name="credentials"),
    path("ims/ob/v3p0/profile", views.profile_view, name="profile"),
    # Its OAuth 2.0 authorization server (OB 3.0 §7): RFC 7591, RFC 6749 + RFC 7636, RFC 7009
    path("oauth/register", views.register_view, name="register"),
    path("oauth/authorize", views.ConsentView.as_view(), name="authorize"),
    path("oauth/token", TokenView.as_view(), name="token"),
    path("oauth/revoke", RevokeTokenView.as_view(), name="revoke"),
]
