"""The redistribution form: both modes, scope, destination, assisted options, parameters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fastdso.bounds import validate_date_in_range
from fastdso.formatting import localize_decimal_inputs
from fastdso.forms import UploadFileField
from fastdso.labels import label
from inventory.models import Store
from inventory.queries import product_categories
from redistribution import engine
from redistribution.engine import RedistParams
from redistribution.services import MODE_AUTO, MODE_MANUAL, PlanRequest, request_problems

DEFAULTS = RedistParams()
ONE, ALL = "one", "all"


def _number(widget_attrs: dict[str, Any] | None = None) -> forms.NumberInput:
    return forms.NumberInput(attrs={"class": "form-control form-control-sm", **(widget_attrs or {})})


class PlanForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Modo"),
        choices=[(MODE_AUTO, _("Sugerencia automática")), (MODE_MANUAL, _("Manual asistido"))],
        initial=MODE_AUTO,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    scope = forms.ChoiceField(
        label=_("Alcance"),
        choices=[(engine.SCOPE_SKUS, _("Lista de SKUs")), (engine.SCOPE_CATEGORY, _("Categoría"))],
        initial=engine.SCOPE_SKUS,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    category = forms.ChoiceField(label=_("Categoría"), required=False)
    top_n = forms.IntegerField(
        label=_("Top N SKUs por demanda"), initial=DEFAULTS.top_n, min_value=1, max_value=5000, widget=_number()
    )
    sku_file = UploadFileField(
        label=_("Archivo de SKUs (CSV o XLSX)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx,.txt"}),
    )
    destination_kind = forms.ChoiceField(
        label=_("Destino"),
        choices=[(ONE, _("Una tienda")), (ALL, _("Todas las tiendas"))],
        initial=ONE,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    destination = forms.ModelChoiceField(
        label=_("Tienda de destino"),
        queryset=Store.objects.order_by("name"),
        required=False,
        empty_label=_("— elija una tienda —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    origin = forms.ModelChoiceField(
        label=_("Tienda de origen"),
        queryset=Store.objects.order_by("name"),
        required=False,
        empty_label=_("— ninguna: elegir donantes —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    auto_pick_donors = forms.BooleanField(
        label=_("Elegir donantes automáticamente"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "Con origen elegido: el origen da primero y otras tiendas completan. Sin origen: las reglas eligen."
        ),
    )
    system_decides = forms.BooleanField(
        label=_("El sistema decide las cantidades"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("Desactivado: la qty del archivo es un máximo y el sistema la recorta a la necesidad del destino."),
    )
    override_qty = forms.BooleanField(
        label=_("Usar qty del archivo como override obligatorio"),
        required=False,
        initial=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "La qty del archivo es la necesidad del destino; el piso de retención del donante se respeta igual."
        ),
    )
    eligible_stores = forms.ModelMultipleChoiceField(
        label=_("Tiendas elegibles"),
        queryset=Store.objects.order_by("name"),
        required=False,
        help_text=_("Vacío: todas las tiendas."),
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 6}),
    )
    as_of = forms.DateField(
        validators=[validate_date_in_range],
        label=_("Semana de referencia"),
        required=False,
        help_text=_("Vacío: la última semana completa cargada."),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    history_weeks = forms.IntegerField(
        label="history_weeks",
        help_text=_("semanas de ventas"),
        initial=DEFAULTS.history_weeks,
        min_value=1,
        max_value=104,
        widget=_number(),
    )
    min_woc = forms.FloatField(
        label="min_woc",
        help_text=_("urgente por debajo"),
        initial=DEFAULTS.min_woc,
        min_value=0,
        widget=_number({"step": "0.1"}),
    )
    target_woc = forms.FloatField(
        label="target_woc",
        help_text=_("cobertura objetivo"),
        initial=DEFAULTS.target_woc,
        min_value=0,
        widget=_number({"step": "0.1"}),
    )
    max_woc = forms.FloatField(
        label="max_woc",
        help_text=_("sin necesidad desde"),
        initial=DEFAULTS.max_woc,
        min_value=0,
        widget=_number({"step": "0.1"}),
    )
    max_retain_woc = forms.FloatField(
        label="max_retain_woc",
        help_text=_("lo que retiene el donante"),
        initial=DEFAULTS.max_retain_woc,
        min_value=0,
        widget=_number({"step": "0.1"}),
    )
    min_store_stock = forms.IntegerField(
        label="min_store_stock",
        help_text=_("piso en unidades"),
        initial=DEFAULTS.min_store_stock,
        min_value=0,
        widget=_number(),
    )
    min_fill = forms.IntegerField(
        label="min_fill", help_text=_("traslado mínimo"), initial=DEFAULTS.min_fill, min_value=1, widget=_number()
    )
    sku_weight = forms.FloatField(
        label="sku_weight",
        help_text=_("peso del SKU vs. categoría"),
        initial=DEFAULTS.sku_weight,
        min_value=0,
        max_value=1,
        widget=_number({"step": "0.05"}),
    )
    max_rows = forms.IntegerField(
        label=_("Máx. filas"),
        help_text=_("movimientos por plan"),
        initial=DEFAULTS.max_rows,
        min_value=1,
        max_value=100_000,
        widget=_number(),
    )
    max_units_per_sku_per_dest = forms.IntegerField(
        label=_("Máx. u por SKU y destino"),
        help_text=_("tope por SKU en cada tienda"),
        initial=DEFAULTS.max_units_per_sku_per_dest,
        min_value=1,
        widget=_number(),
    )
    rules = forms.ChoiceField(
        label=_("Reglas"),
        choices=[
            (engine.RULES_V3, _("v3: traslados que valen el viaje")),
            (engine.RULES_V2, _("v2: reglas anteriores")),
        ],
        initial=DEFAULTS.rules,
        required=False,
        help_text=_("v2 repite exactamente los planes de la versión anterior."),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    min_move_units = forms.IntegerField(
        label="min_move_units",
        help_text=_("v3: unidades mínimas por traslado"),
        initial=DEFAULTS.min_move_units,
        required=False,
        min_value=1,
        max_value=1000,
        widget=_number(),
    )
    min_gain = forms.FloatField(
        label="min_gain",
        help_text=_("v3: demanda destino ÷ donante"),
        initial=DEFAULTS.min_gain,
        required=False,
        min_value=0,
        max_value=100,
        widget=_number({"step": "0.05"}),
    )
    max_units = forms.IntegerField(
        label=_("Máx. unidades"),
        help_text=_("tope de todo el plan"),
        required=False,
        min_value=1,
        widget=_number({"placeholder": _("sin tope")}),
    )

    PARAM_FIELDS = (
        "history_weeks",
        "min_woc",
        "target_woc",
        "max_woc",
        "max_retain_woc",
        "min_store_stock",
        "min_fill",
        "sku_weight",
        "rules",
        "min_move_units",
        "min_gain",
    )
    CAP_FIELDS = ("max_rows", "max_units_per_sku_per_dest", "max_units")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = product_categories()
        self.fields["category"].choices = [("", _("— elija una categoría —"))] + [(c, c) for c in categories]
        self.fields["category"].widget.attrs["class"] = "form-select"
        # Parameters are named in the planner's words; the SPEC code stays in the tooltip.
        for name in (*self.PARAM_FIELDS, *self.CAP_FIELDS):
            field = self.fields[name]
            if field.label == name:
                field.label = label("param", name)
            field.widget.attrs.setdefault("title", name)
        localize_decimal_inputs(self)

    def params_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PARAM_FIELDS]

    def cap_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CAP_FIELDS]

    def clean(self) -> dict[str, Any]:
        """Parse the choices into a PlanRequest; the service validates it (`request_problems`)."""
        data = super().clean()
        if data.get("mode") == MODE_AUTO:
            # Automatic: donors are picked by the rules and the system decides quantities.
            data.update(origin=None, auto_pick_donors=True, system_decides=True, override_qty=False)
        if data.get("destination_kind") == ONE and not data.get("destination"):
            self.add_error("destination", _("Elija la tienda de destino."))
        if data.get("destination_kind") == ALL:
            data["destination"] = None
        request = self._request(data)
        for field, message in request_problems(request, has_file=bool(data.get("sku_file"))):
            if field not in self.errors:  # a field that failed to parse already says why
                self.add_error(field if field in self.fields else None, str(message))
        return data

    def params(self, data: dict[str, Any] | None = None) -> RedistParams:
        data = self.cleaned_data if data is None else data
        return RedistParams(
            history_weeks=data["history_weeks"],
            min_woc=data["min_woc"],
            target_woc=data["target_woc"],
            max_woc=data["max_woc"],
            max_retain_woc=data["max_retain_woc"],
            min_store_stock=data["min_store_stock"],
            min_fill=data["min_fill"],
            sku_weight=data["sku_weight"],
            top_n=data.get("top_n") or DEFAULTS.top_n,
            max_rows=data.get("max_rows") or DEFAULTS.max_rows,
            max_units_per_sku_per_dest=data.get("max_units_per_sku_per_dest") or DEFAULTS.max_units_per_sku_per_dest,
            max_units=data.get("max_units"),
            # SPEC v3 §7; left empty: the defaults.
            rules=data.get("rules") or DEFAULTS.rules,
            min_move_units=data.get("min_move_units") or DEFAULTS.min_move_units,
            min_gain=DEFAULTS.min_gain if data.get("min_gain") is None else data["min_gain"],
        )

    def plan_request(self) -> PlanRequest:
        return self._request(self.cleaned_data)

    def _request(self, data: dict[str, Any]) -> PlanRequest:
        eligible = data.get("eligible_stores")
        complete = all(data.get(name) is not None for name in self.PARAM_FIELDS if self.fields[name].required)
        return PlanRequest(
            mode=data.get("mode") or "",
            scope=data.get("scope") or "",
            category=data.get("category") or "",
            destination_id=data["destination"].pk if data.get("destination") else None,
            origin_id=data["origin"].pk if data.get("origin") else None,
            auto_pick_donors=bool(data.get("auto_pick_donors")),
            system_decides=bool(data.get("system_decides")),
            override_qty=bool(data.get("override_qty")),
            eligible_store_ids=tuple(sorted(s.pk for s in eligible)) if eligible else None,
            as_of=data.get("as_of"),
            params=self.params(data) if complete else DEFAULTS,
        )
