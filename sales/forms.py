"""Sales upload forms (the file is validated by the import job)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.forms import UploadForm
from sales.models import SalesLoad


class MacroUploadForm(UploadForm):
    mode = forms.ChoiceField(
        label=_("Modo"),
        choices=[
            (SalesLoad.Mode.REPLACE_RANGE, _("Reemplazar rango")),
            (SalesLoad.Mode.APPEND_RANGE, _("Sumar al rango")),
        ],
        initial=SalesLoad.Mode.REPLACE_RANGE,
        widget=forms.RadioSelect,
    )

    def job_params(self) -> dict[str, Any]:
        return {"mode": self.cleaned_data["mode"]}
