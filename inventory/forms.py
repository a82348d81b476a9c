"""Inventory upload forms (their base, `UploadForm`, is fastdso.uploads'):
they only check the request (a file, its size, the options); the file itself
is read and validated by the import job."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fastdso.bounds import validate_date_in_range
from fastdso.uploads import UploadForm


def backfill_field() -> forms.BooleanField:
    """A date before the latest count needs the planner's word (audited)."""
    return forms.BooleanField(
        label=_("carga con fecha pasada (backfill)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "Marque para confirmar una fecha anterior al último conteo de stock. "
            "Sin marcar, esa carga se rechaza. Queda en la auditoría."
        ),
    )


class StockUploadForm(UploadForm):
    snapshot_date = forms.DateField(
        validators=[validate_date_in_range],
        label=_("Fecha del stock"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=_("Cargar otra vez la misma fecha reemplaza ese stock. Una fecha posterior a hoy se rechaza."),
    )
    backfill = backfill_field()

    def job_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"date": self.cleaned_data["snapshot_date"].isoformat()}
        if self.cleaned_data.get("backfill"):
            params["backfill"] = True
        return params


class MovementUploadForm(UploadForm):
    """A shipment or receipt confirmation file."""

    backfill = backfill_field()

    def job_params(self) -> dict[str, Any]:
        return {"backfill": True} if self.cleaned_data.get("backfill") else {}


class CDStockUploadForm(StockUploadForm):
    """A CD file is the whole CD unless the planner ticks "partial" (SPEC §9)."""

    partial = forms.BooleanField(
        label=_("solo actualiza los SKUs del archivo"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "Sin marcar, el archivo es todo el CD: los SKUs que no vienen en él quedan en 0. "
            "Marcado, solo cambian los SKUs del archivo y los demás mantienen su última cantidad."
        ),
    )

    def job_params(self) -> dict[str, Any]:
        params = super().job_params()
        if self.cleaned_data.get("partial"):
            params["partial"] = True
        return params
