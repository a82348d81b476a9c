"""Small forms of the shell."""

from __future__ import annotations

from django import forms

from fastdso.lifecycle import ACTIONS, EXPORT_FORMATS


class TransitionForm(forms.Form):
    """A lifecycle button: the action, and the export file's format (SPEC §5.7)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    export_format = forms.ChoiceField(choices=[(f, f.upper()) for f in EXPORT_FORMATS], required=False)
