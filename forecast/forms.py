"""The purchase forecast form: what to forecast, where, and over which weeks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fastdso.bounds import validate_date_in_range
from fastdso.forms import UploadFileField
from forecast.models import ForecastRun
from forecast.services import skus_parse
from inventory.models import Store
from inventory.queries import category_resolve, product_categories
from sales.queries import resolve_as_of_week

INPUT_FILE = "file"
INPUT_TEXT = "text"
INPUT_CATEGORY = "category"


class ForecastForm(forms.Form):
    input = forms.ChoiceField(
        label=_("Entrada"),
        choices=[
            (INPUT_FILE, _("Archivo de SKUs")),
            (INPUT_TEXT, _("SKUs pegados")),
            (INPUT_CATEGORY, _("Categoría")),
        ],
        initial=INPUT_FILE,
        widget=forms.RadioSelect,
    )
    file = UploadFileField(
        label=_("Archivo CSV o XLSX"),
        required=False,
        help_text=_("Columna obligatoria «sku»; opcionales «product_name» y «category»."),
    )
    skus_text = forms.CharField(
        label=_("SKUs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "00012345\n00012346, 00012347"}),
        help_text=_("Uno por línea o separados por comas."),
    )
    category = forms.ChoiceField(label=_("Categoría"), required=False, choices=[])
    stores = forms.ModelMultipleChoiceField(
        label=_("Tiendas"),
        queryset=Store.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Vacío = todas las tiendas. Ctrl/Cmd + clic para elegir varias."),
    )
    method = forms.ChoiceField(
        label=_("Método"),
        choices=ForecastRun.Method.choices,
        initial=ForecastRun.Method.SEASONAL,
        required=False,
        help_text=_(
            "Estacional: índice estacional de la categoría × nivel suavizado, con fin de vida. "
            "Promedio móvil: la regla V2."
        ),
    )
    weeks = forms.IntegerField(
        label=_("Semanas de historia"),
        required=False,
        min_value=1,
        max_value=104,
        help_text=_("Vacío = 26 (estacional) o 12 (promedio móvil)."),
    )
    coverage_weeks = forms.IntegerField(
        label=_("Semanas de cobertura"),
        initial=4,
        min_value=1,
        max_value=52,
        help_text=_("Tiempo de reposición + período de revisión."),
    )
    as_of = forms.DateField(
        validators=[validate_date_in_range],
        label=_("Semana de corte (as-of)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Vacío = última semana completa cargada."),
    )
    backtest_weeks = forms.IntegerField(
        label=_("Semanas de backtest"),
        initial=8,
        min_value=0,
        max_value=52,
        help_text=_("Semanas evaluadas al comparar ventanas SMA 1/2/3/4/8/12 (0 = sin backtest)."),
    )

    eol_weeks = forms.IntegerField(
        label=_("Semanas sin venta para fin de vida"),
        initial=8,
        required=False,
        min_value=0,
        max_value=52,
        help_text=_(
            "Un SKU que vendió y lleva estas semanas sin vender con stock en tiendas no se compra (0 = sin marca)."
        ),
    )
    eol_override = forms.CharField(
        label=_("Comprar igual (SKUs en fin de vida)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("SKUs marcados como fin de vida que se compran de todos modos."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(c, c) for c in product_categories()]
        for name, field in self.fields.items():
            if name == "input":
                continue
            css = "form-select" if isinstance(field.widget, forms.Select | forms.SelectMultiple) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("input")
        if choice == INPUT_FILE and not data.get("file"):
            self.add_error("file", _("Elija un archivo con la columna «sku»."))
        elif choice == INPUT_TEXT:
            skus = skus_parse(data.get("skus_text", ""))
            if not skus:
                self.add_error("skus_text", _("Pegue al menos un SKU."))
            data["skus"] = skus
        elif choice == INPUT_CATEGORY:
            category = category_resolve(data.get("category", ""))
            if not category:
                self.add_error("category", _("Elija una categoría del catálogo."))
            data["category"] = category or ""
        if not data.get("as_of") and resolve_as_of_week(None) is None:
            self.add_error("as_of", _("No hay ventas macro cargadas: cargue ventas o indique una semana de corte."))
        return data

    def job_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        choice = data["input"]
        stores = list(data.get("stores") or [])
        params: dict[str, Any] = {
            "scope": ForecastRun.Scope.CATEGORY if choice == INPUT_CATEGORY else ForecastRun.Scope.SKUS,
            "category": data.get("category", "") if choice == INPUT_CATEGORY else "",
            "store_ids": [s.pk for s in stores],
            "method": data.get("method") or ForecastRun.Method.SEASONAL,
            "weeks": data.get("weeks") or None,
            "eol_weeks": 8 if data.get("eol_weeks") is None else data["eol_weeks"],
            "eol_override": skus_parse(data.get("eol_override", "")),
            "coverage_weeks": data["coverage_weeks"],
            "as_of": data["as_of"].isoformat() if data.get("as_of") else None,
            "backtest_weeks": data["backtest_weeks"],
        }
        if choice == INPUT_TEXT:
            params["skus"] = data["skus"]
            params["input_name"] = str(_("SKUs pegados ({n})")).format(n=len(data["skus"]))
        return params
