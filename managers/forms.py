# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these messages.
"""The team view's skills search: a competency and a minimum level of that competency's scale."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from competencies.models import Competency, ProficiencyLevel


class SkillSearchForm(forms.Form):
    competence = forms.ChoiceField(label=_("Compétence"), error_messages={
        "required": _("Choisissez une compétence."),
        "invalid_choice": _("Choisissez une compétence dans la liste.")})
    niveau = forms.ChoiceField(label=_("Niveau minimum"), error_messages={
        "required": _("Choisissez un niveau minimum."),
        "invalid_choice": _("Choisissez un niveau dans la liste.")})

    def __init__(self, *args, competency_groups, level_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competence"].choices = [
            (title, [(str(c.id), c.label) for c in items]) for title, items in competency_groups]
        self.fields["niveau"].choices = [
            (title, [(str(lv.id), lv.label) for lv in items]) for title, items in level_groups]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        competency = Competency.objects.select_related("framework").get(pk=data["competence"])
        level = ProficiencyLevel.objects.get(pk=data["niveau"])
        if level.framework_id != competency.framework_id:
            self.add_error("niveau", _("Ce niveau n’appartient pas à l’échelle du référentiel de cette "
                                       "compétence : choisissez un niveau de « %(framework)s ».")
                           % {"framework": competency.framework.title})
            return data
        data["competency"], data["level"] = competency, level
        return data
