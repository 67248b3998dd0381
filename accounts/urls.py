from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("comptes/connexion/", views.sign_in, name="login"),
    path("comptes/deconnexion/", views.sign_out, name="logout"),
    # Answer 404 while single sign-on is not configured.
    path("comptes/oidc/connexion/", views.oidc_authenticate, name="oidc-authenticate"),
    path("comptes/oidc/retour/", views.oidc_callback, name="oidc-callback"),
]
