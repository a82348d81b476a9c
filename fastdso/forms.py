"""Form pieces the apps share: the size-checked file field, the submit token
that makes a double submit return the first job, and the lifecycle buttons."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms

from fastdso.files import upload_size_error
from fastdso.lifecycle import ACTIONS, EXPORT_FORMATS

SUBMIT_TOKEN_FIELD = "submit_token"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class UploadFileField(forms.FileField):
    """A CSV/XLSX file, refused in the form (before the job stores it) when it
    is over FASTDSO_MAX_UPLOAD_MB."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        error = upload_size_error(upload.size) if upload else None
        if error:
            raise forms.ValidationError(error, code="file_too_big")
        return upload


def new_submit_token() -> str:
    return uuid.uuid4().hex


def submit_token(data: Any) -> str | None:
    """The form's submit token from POST data, if it is a well-formed one."""
    token = data.get(SUBMIT_TOKEN_FIELD, "") if data is not None else ""
    return token if isinstance(token, str) and _TOKEN.match(token) else None


class TransitionForm(forms.Form):
    """A lifecycle button: the action, and the export file's format (SPEC §5.7)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    export_format = forms.ChoiceField(choices=[(f, f.upper()) for f in EXPORT_FORMATS], required=False)
