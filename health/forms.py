"""Forms of the Store Health pages: plain forms applied to the cached health frames."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django import forms
from django.utils.translation import gettext_lazy as _

from fastdso.bounds import validate_date_in_range
from health import engine
from health.tables import ALERT_LABELS
from inventory.filters import SELECT_ATTRS


class RunsForm(forms.Form):
    runs = forms.IntegerField(
        label=_("Runs recientes en el alcance"),
        min_value=0,
        max_value=50,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "style": "width:6rem"}),
    )

    as_of = forms.DateField(
        validators=[validate_date_in_range],
        label=_("Semana de corte"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
        help_text=_("Por defecto, la última semana completa de ventas cargadas."),
    )

    def as_of_week(self) -> dt.date | None:
        """The week the page evaluates (None: the last complete loaded week)."""
        if self.is_valid():
            return self.cleaned_data.get("as_of")
        return None

    def last_runs(self) -> int:
        if self.is_valid() and self.cleaned_data.get("runs") is not None:
            return int(self.cleaned_data["runs"])
        return engine.HealthParams().last_runs


class StoreHealthForm(forms.Form):
    q = forms.CharField(
        label=_("Tienda"),
        required=False,
        widget=forms.TextInput(attrs={**SELECT_ATTRS, "class": "form-control form-control-sm"}),
    )
    with_stockouts = forms.BooleanField(label=_("Solo con quiebres"), required=False)
    runs = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        if not self.is_valid():
            return frame
        text = self.cleaned_data["q"].strip()
        if text:
            frame = frame[frame["name"].str.contains(text, case=False, regex=False)]
        if self.cleaned_data["with_stockouts"]:
            frame = frame[frame[engine.STOCKOUT] > 0]
        return frame


class AlertFilterForm(forms.Form):
    store = forms.TypedChoiceField(label=_("Tienda"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Categoría"), required=False)
    alert = forms.ChoiceField(
        label=_("Alerta"),
        required=False,
        choices=[("", _("Todas")), *ALERT_LABELS.items()],
    )
    q = forms.CharField(label=_("SKU o nombre"), required=False)
    runs = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, stores: pd.DataFrame, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("Todas")), *zip(stores["store_id"], stores["name"], strict=True)]
        self.fields["category"].choices = [("", _("Todas")), *((c, c) for c in categories)]
        for name in ("store", "category", "alert"):
            self.fields[name].widget.attrs.update(SELECT_ATTRS)
        self.fields["q"].widget.attrs.update({"class": "form-control form-control-sm"})

    def apply(self, alerts: pd.DataFrame) -> pd.DataFrame:
        """The alert rows matching the filters (vectorised masks on the cached frame)."""
        if not self.is_valid():
            return alerts
        data = self.cleaned_data
        mask = pd.Series(True, index=alerts.index)
        if data.get("store") is not None:
            mask &= alerts["store_id"] == data["store"]
        if data.get("category"):
            mask &= alerts["category"] == data["category"]
        if data.get("alert"):
            mask &= alerts["alert"] == data["alert"]
        text = (data.get("q") or "").strip()
        if text:
            # Match on the categories (one per SKU/name), then select rows by membership.
            skus = alerts["sku"].cat.categories.astype(str)
            names = alerts["name"].cat.categories.astype(str)
            mask &= alerts["sku"].isin(skus[skus.str.startswith(text)]) | alerts["name"].isin(
                names[names.str.contains(text, case=False, regex=False)]
            )
        return alerts if mask.all() else alerts[mask]
