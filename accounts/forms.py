from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with messages in our words and a failure counter in front of it."""

    error_messages = {
        "invalid_login": _("Identifiant ou mot de passe incorrect. Vérifiez-les et réessayez."),
        "inactive": _("Ce compte est désactivé."),
        "too_many_attempts": _("Trop de tentatives de connexion ont échoué. Patientez quelques minutes, puis "
                               "réessayez."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Identifiant")
        self.fields["password"].label = _("Mot de passe")
        self.fields["username"].error_messages["required"] = _("Saisissez votre identifiant.")
        self.fields["password"].error_messages["required"] = _("Saisissez votre mot de passe.")

    def _address(self) -> str:
        return (self.request.META.get("REMOTE_ADDR") or "") if self.request is not None else ""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if username and throttle.signin_blocked(username=username, address=self._address()):
            raise forms.ValidationError(self.error_messages["too_many_attempts"], code="too_many_attempts")
        try:
            cleaned = super().clean()
        except forms.ValidationError as exc:
            if username and getattr(exc, "code", None) == "invalid_login":
                throttle.signin_failed(username=username, address=self._address())
            raise
        if username:
            throttle.signin_succeeded(username=username)
        return cleaned
