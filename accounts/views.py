"""Sign-in (local password, or single sign-on through OpenID Connect) and sign-out. Thin views: the
flow is mozilla-django-oidc's, configured and checked in ``accounts.oidc``."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .forms import SignInForm
from .oidc import ProviderUnavailable, endpoint, library_setting, oidc_enabled

logger = logging.getLogger(__name__)


def sso_label() -> str:
    name = settings.BADGES_OIDC_PROVIDER_NAME
    if name:
        return _("Se connecter avec %(provider)s") % {"provider": name}
    return _("Se connecter avec le compte de mon organisation")


class SignInView(LoginView):
    template_name = "accounts/connexion.html"
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if oidc_enabled():
            next_url = self.get_redirect_url()
            query = "?" + urlencode({"next": next_url}) if next_url else ""
            context["sso"] = {"url": reverse("accounts:oidc-authenticate") + query, "label": sso_label()}
        return context


class SignOutView(LogoutView):
    """POST only (Django's LogoutView). After a single sign-on, the provider's session ends too when it
    publishes an ``end_session_endpoint`` (OpenID Connect RP-Initiated Logout 1.0 §2)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if id_token and oidc_enabled() and settings.BADGES_OIDC_LOGOUT_AT_PROVIDER:
            try:
                end_session = endpoint("end_session_endpoint")
            except ProviderUnavailable as exc:
                logger.warning("Signing out at the provider skipped: %s", exc)
                end_session = ""
            if end_session:
                params = {
                    "id_token_hint": id_token,
                    "state": secrets.token_urlsafe(32),
                    "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
                    "client_id": settings.BADGES_OIDC_CLIENT_ID,
                }
                return HttpResponseRedirect(f"{end_session}?{urlencode(params)}")
        return response


def _sso_failed(request):
    messages.error(request, _("La connexion par l’authentification unique n’a pas abouti. Réessayez, ou "  # noqa: RUF001
                              "connectez-vous avec votre identifiant et votre mot de passe."))
    return HttpResponseRedirect(reverse("accounts:login"))


class OIDCAuthenticateView(OIDCAuthenticationRequestView):
    """Redirects to the provider with state, nonce and PKCE challenge kept in the session."""

    get_settings = staticmethod(library_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)  # endpoints read per request

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        except ProviderUnavailable as exc:
            logger.warning("Single sign-on unavailable: %s", exc)
            return _sso_failed(request)
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: checks state, redeems the code, checks the ID token, signs in."""

    get_settings = staticmethod(library_setting)

    @property
    def failure_url(self):
        return reverse("accounts:login")

    def login_failure(self):
        return _sso_failed(self.request)

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        try:
            return super().get(request)
        except (SuspiciousOperation, ProviderUnavailable, requests.RequestException, jwt.PyJWTError, KeyError,
                ValueError) as exc:
            # Unknown or replayed state, refused code or PKCE verifier, bad signature, wrong issuer or audience
            logger.warning("Single sign-on refused: %s", exc)
            if request.user.is_authenticated:
                auth.logout(request)
            return self.login_failure()


sign_in = SignInView.as_view()
sign_out = SignOutView.as_view()
oidc_authenticate = never_cache(OIDCAuthenticateView.as_view())
oidc_callback = never_cache(OIDCCallbackView.as_view())
