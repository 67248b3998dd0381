# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these labels.
"""Forms of the learner space."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_FILE_BYTES = 4 * 1024 * 1024


class ForeignBadgeForm(forms.Form):
    """A badge earned elsewhere: a file (baked PNG or SVG, JSON, JWS) or a URL, one of the two; and, to check
    that it was issued to the learner, the email it was issued to (optional)."""

    file = forms.FileField(required=False, label=_("Fichier du badge (image PNG ou SVG, ou JSON)"))
    url = forms.URLField(required=False, max_length=2048, assume_scheme="https",
                         label=_("ou adresse du badge (URL de l’assertion)"))
    email = forms.EmailField(required=False, max_length=254, label=_("Adresse à laquelle il vous a été délivré "
                                                                     "(facultatif)"))

    def clean(self):
        data = super().clean()
        upload, url = data.get("file"), data.get("url")
        if bool(upload) == bool(url) and not self.errors:
            raise forms.ValidationError(_("Donnez un fichier ou une adresse, l’un des deux."), code="one_of")
        if upload and upload.size > MAX_FILE_BYTES:
            self.add_error("file", _("Le fichier dépasse 4 Mo."))
        return data
