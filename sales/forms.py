"""Sales upload forms (the file is validated by the import job)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fastdso.uploads import UploadForm
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


class PromotionUploadForm(UploadForm):
    """Promotions calendar (SPEC v3 §4.6): rows are added unless "replace range" is ticked."""

    replace_range = forms.BooleanField(
        label=_("Reemplazar el rango de fechas del archivo"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "Marcado, primero se borran todas las promociones que se cruzan con las fechas del archivo "
            "(de su primer inicio a su último fin). Sin marcar, las filas se agregan."
        ),
    )

    def job_params(self) -> dict[str, Any]:
        return {"replace_range": True} if self.cleaned_data.get("replace_range") else {}
