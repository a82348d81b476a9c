"""Upload forms: they only check the request (a file, its size, the options);
the file itself is read and validated by the import job."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fastdso.files import upload_size_error


class UploadForm(forms.Form):
    """A CSV/XLSX file, refused before parsing when it is over the size limit."""

    file = forms.FileField(
        label=_("Archivo (CSV o XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        error = upload_size_error(upload.size)
        if error:
            raise forms.ValidationError(error)
        return upload

    def job_params(self) -> dict[str, Any]:
        """What the job needs besides the file."""
        return {}


class StockUploadForm(UploadForm):
    snapshot_date = forms.DateField(
        label=_("Fecha del stock"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=_("Cargar otra vez la misma fecha reemplaza ese stock."),
    )

    def job_params(self) -> dict[str, Any]:
        return {"date": self.cleaned_data["snapshot_date"].isoformat()}
