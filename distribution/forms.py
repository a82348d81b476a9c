"""The generator form (SPEC §5.1) and the compare picker."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from distribution.engine import (
    BASIS_CATEGORY,
    BASIS_PER_SKU,
    CD_EQUAL_COVER,
    CD_FAIR_SHARE,
    CD_PRIORITY,
    LAUNCH_CATEGORY,
    LAUNCH_LIKE,
    MODELS,
    PACK_COVER_CAPPED,
    PACK_NEAREST,
    PROMO_IGNORE,
    PROMO_LIFT,
    RATE_IN_STOCK,
    RATE_SMA,
    RULES_V2,
    RULES_V3,
    DistributionParams,
    ParamsError,
)
from distribution.models import DistributionRun
from fastdso.bounds import validate_date_in_range
from fastdso.formatting import localize_decimal_inputs
from fastdso.forms import UploadFileField
from fastdso.messages import render
from sales.queries import IncompleteWeek, resolve_as_of_week

DEFAULTS = DistributionParams()
BY_RULES = ("", _("Según las reglas elegidas"))
# The parameters whose default follows `rules` (SPEC v3 §5.1): empty = that default.
RULE_FIELDS = ("cd_rule", "rate_rule", "pack_rule", "promo_rule", "launch_rule", "launch_weeks", "new_store_weeks")


class DistributionGenerateForm(forms.Form):
    request_file = UploadFileField(
        label=_("Archivo de solicitud"),
        help_text=_(
            "CSV o XLSX con la columna sku (opcionales: product_name, category). Solo estos SKUs se planifican."
        ),
    )
    model = forms.ChoiceField(
        label=_("Modelo"),
        choices=[(name, format_lazy(_("{name} ({k} sem)"), name=name, k=k)) for name, k in MODELS.items()],
        initial=DEFAULTS.model,
        widget=forms.RadioSelect,
        help_text=_("Promedio móvil de las últimas 1, 2 o 3 semanas: tasa = suma de esas semanas / k."),
    )
    as_of = forms.DateField(
        validators=[validate_date_in_range],
        label=_("Semana de corte"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Vacío: la última semana completa de los datos (la que alcanza al menos el 80 % de las tiendas). "
            "Una fecha elige la semana que la contiene, si está completa."
        ),
    )
    lookback_weeks = forms.IntegerField(
        label=_("Semanas de historia"),
        initial=DEFAULTS.lookback_weeks,
        min_value=1,
        max_value=104,
        help_text=_("Un SKU tiene venta si vendió (unidades > 0) en alguna tienda en estas semanas."),
    )
    min_weeks = forms.IntegerField(
        label=_("Semanas mínimas con venta"),
        initial=DEFAULTS.min_weeks,
        min_value=1,
        max_value=104,
        help_text=_("Una tienda recibe si el SKU vendió ahí al menos estas semanas de la historia."),
    )
    target_woc = forms.FloatField(
        label=_("Cobertura objetivo (semanas)"),
        initial=DEFAULTS.target_woc,
        min_value=0.1,
        max_value=52,
        help_text=_("sugerido = ⌈cobertura × tasa⌉ − stock tienda (mínimo 0)."),
    )
    cold_start_min_fill = forms.IntegerField(
        label=_("Mínimo por tienda (arranque en frío)"),
        initial=DEFAULTS.cold_start_min_fill,
        min_value=0,
        max_value=1000,
        help_text=_("Unidades mínimas para cada tienda elegida de un SKU nuevo."),
    )
    cold_start_target_woc = forms.FloatField(
        label=_("Cobertura arranque en frío (semanas)"),
        initial=DEFAULTS.cold_start_target_woc,
        min_value=0,
        max_value=52,
        help_text=_("necesidad = ⌈cobertura × venta semanal de la categoría en la tienda⌉."),
    )
    cold_start_top_n = forms.IntegerField(
        label=_("Top tiendas de la categoría"),
        initial=DEFAULTS.cold_start_top_n,
        min_value=1,
        max_value=1000,
        help_text=_("Un SKU nuevo va a las N tiendas que más venden su categoría (empates por nombre)."),
    )
    category_window_weeks = forms.IntegerField(
        label=_("Ventana de categoría (semanas)"),
        initial=DEFAULTS.category_window_weeks,
        min_value=1,
        max_value=104,
        help_text=_("Venta semanal de la categoría = unidades de la ventana / semanas."),
    )
    cold_start_basis = forms.ChoiceField(
        label=_("Base del arranque en frío"),
        choices=[
            (BASIS_PER_SKU, _("Por SKU: lo que vende un SKU de la categoría en la tienda")),
            (BASIS_CATEGORY, _("Categoría: lo que vende toda la categoría en la tienda")),
        ],
        initial=DEFAULTS.cold_start_basis,
        required=False,  # absent: the default
        widget=forms.RadioSelect,
        help_text=_(
            "Por SKU (recomendado): venta semanal de la categoría ÷ SKUs de la categoría con venta en la tienda. "
            "Categoría: la fórmula literal de la solicitud original."
        ),
    )
    limit_by_cd = forms.BooleanField(
        label=_("Limitar por stock CD"),
        initial=DEFAULTS.limit_by_cd,
        required=False,
        help_text=_("Reparte el stock CD entre las tiendas con la regla elegida. Sin marcar: asignado = sugerido."),
    )
    cd_rule = forms.ChoiceField(
        label=_("Regla de reparto del CD"),
        choices=[
            BY_RULES,
            (CD_EQUAL_COVER, _("Cobertura igual: primero los estantes vacíos, luego igual cobertura")),
            (CD_PRIORITY, _("Prioridad: primero las tiendas que más venden")),
            (CD_FAIR_SHARE, _("Proporcional: cada tienda según su sugerido")),
        ],
        initial="",
        required=False,  # absent: the default of the rules
        widget=forms.RadioSelect,
        help_text=_(
            "Con CD corto: cobertura igual (v3) da una caja a cada tienda sin stock y luego caja por caja a la de "
            "menor cobertura; prioridad (v2) llena tienda por tienda; proporcional da a cada una "
            "⌊CD × sugerido / total⌋ y el resto a los mayores restos (nunca más que su sugerido)."
        ),
    )
    round_to_pack = forms.BooleanField(
        label=_("Redondear a cajas"),
        initial=DEFAULTS.round_to_pack,
        required=False,
        help_text=_(
            "Sugerido redondeado a cajas completas (media caja o más sube, mínimo una caja) "
            "y el CD entrega solo cajas completas. Sin efecto para productos de 1 unidad por caja."
        ),
    )

    # --- v3 (SPEC §5.1) ---
    rules = forms.ChoiceField(
        label=_("Reglas"),
        choices=[
            (RULES_V3, _("v3: tiendas sin stock, lanzamientos, cajas por cobertura, promociones")),
            (RULES_V2, _("v2: las reglas anteriores, todas a la vez")),
        ],
        initial=DEFAULTS.rules,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Cada regla de abajo vacía toma el valor de estas reglas; una elegida manda."),
    )
    rate_rule = forms.ChoiceField(
        label=_("Tasa de tiendas sin stock"),
        choices=[
            BY_RULES,
            (RATE_IN_STOCK, _("Semanas con stock: una tienda sin stock se planifica con lo que vendía")),
            (RATE_SMA, _("Promedio móvil simple (v2)")),
        ],
        initial="",
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Con semanas con stock también rige la exhibición mínima del producto."),
    )
    pack_rule = forms.ChoiceField(
        label=_("Redondeo a cajas"),
        choices=[
            BY_RULES,
            (PACK_COVER_CAPPED, _("Limitado por cobertura: sube a la caja siguiente solo sin pasar el tope")),
            (PACK_NEAREST, _("Caja más cercana, mínimo una (v2)")),
        ],
        initial="",
        required=False,
        widget=forms.RadioSelect,
    )
    max_pack_woc = forms.FloatField(
        label=_("Cobertura máxima por caja (semanas)"),
        initial=DEFAULTS.max_pack_woc,
        required=False,  # absent: the default
        min_value=0.1,
        max_value=520,
        help_text=_("Una tienda no recibe una caja que la deje con más de estas semanas de venta."),
    )
    launch_rule = forms.ChoiceField(
        label=_("Lanzamientos"),
        choices=[
            BY_RULES,
            (LAUNCH_LIKE, _("SKU similar (columna like_sku de la solicitud), si no, categoría")),
            (LAUNCH_CATEGORY, _("Solo categoría (v2)")),
        ],
        initial="",
        required=False,
        widget=forms.RadioSelect,
    )
    launch_weeks = forms.IntegerField(
        label=_("Semanas de lanzamiento"),
        required=False,
        min_value=0,
        max_value=104,
        help_text=_(
            "Vacío: 4 (v3), 0 (v2). Un SKU que empezó a vender hace menos semanas conserva sus tiendas de arranque."
        ),
    )
    launch_min_rate = forms.FloatField(
        label=_("Tasa mínima de lanzamiento (u/sem)"),
        initial=DEFAULTS.launch_min_rate,
        required=False,  # absent: the default
        min_value=0,
        max_value=100000,
        help_text=_("Un SKU nuevo va a cada tienda donde su SKU similar vende al menos esto (× factor)."),
    )
    new_store_weeks = forms.IntegerField(
        label=_("Semanas de tienda nueva"),
        required=False,
        min_value=0,
        max_value=104,
        help_text=_("Vacío: 8 (v3), 0 (v2). Una tienda con menos semanas de venta se planifica como su similar."),
    )
    promo_rule = forms.ChoiceField(
        label=_("Promociones"),
        choices=[
            BY_RULES,
            (PROMO_LIFT, _("Sin semanas promocionadas en la tasa; alza por las promociones por delante")),
            (PROMO_IGNORE, _("No se leen (v2)")),
        ],
        initial="",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-control"
            if name in ("target_woc", "cold_start_target_woc", "max_pack_woc", "launch_min_rate"):
                field.widget.attrs["step"] = "0.1"
        localize_decimal_inputs(self)

    def clean_as_of(self) -> Any:
        # The same check as the service: a date in an incomplete week is refused (SPEC §4.3).
        as_of = self.cleaned_data.get("as_of")
        if as_of is not None:
            try:
                resolve_as_of_week(as_of)
            except IncompleteWeek as exc:
                raise forms.ValidationError(str(exc)) from exc
        return as_of

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.params = self.build_params(data)
        except ParamsError as exc:
            raise forms.ValidationError(render(exc.message)) from exc
        return data

    def job_params(self) -> dict[str, Any]:
        """What the run's job needs besides the request file (web page and API alike)."""
        as_of = self.cleaned_data.get("as_of")
        return {
            "params": self.params.as_dict(),
            "as_of": as_of.isoformat() if as_of else None,
            "file_name": self.cleaned_data["request_file"].name,
        }

    @staticmethod
    def build_params(data: dict[str, Any]) -> DistributionParams:
        return DistributionParams(
            model=data["model"],
            lookback_weeks=data["lookback_weeks"],
            min_weeks=data["min_weeks"],
            target_woc=float(data["target_woc"]),
            cold_start_min_fill=data["cold_start_min_fill"],
            cold_start_target_woc=float(data["cold_start_target_woc"]),
            cold_start_top_n=data["cold_start_top_n"],
            category_window_weeks=data["category_window_weeks"],
            cold_start_basis=data.get("cold_start_basis") or DEFAULTS.cold_start_basis,
            limit_by_cd=bool(data.get("limit_by_cd")),
            round_to_pack=bool(data.get("round_to_pack")),
            rules=data.get("rules") or DEFAULTS.rules,
            launch_min_rate=float(data["launch_min_rate"]) if data.get("launch_min_rate") is not None else 0.1,
            max_pack_woc=float(data["max_pack_woc"]) if data.get("max_pack_woc") is not None else 8.0,
            # Empty: the default of the rules chosen.
            **cast(
                dict[str, Any],
                {name: data.get(name) if data.get(name) not in ("", None) else None for name in RULE_FIELDS},
            ),
        )


class RunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DistributionRun) -> str:
        return f"{obj.run_id} · {obj.model_name} · {obj.request_file_name} · {obj.total_allocated} u"


class CompareForm(forms.Form):
    a = RunChoiceField(queryset=DistributionRun.objects.none(), to_field_name="run_id", label=_("Run A"))
    b = RunChoiceField(queryset=DistributionRun.objects.none(), to_field_name="run_id", label=_("Run B"))
    sku = forms.CharField(label=_("SKU"), required=False)
    store = forms.CharField(label=_("Tienda"), required=False)
    only_changes = forms.BooleanField(label=_("Solo diferencias"), required=False)

    RECENT = 200

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        done = DistributionRun.objects.filter(status=DistributionRun.Status.DONE)
        # The most recent runs, plus any run picked by link even if older.
        source = self.data if self.is_bound else self.initial
        wanted = [source.get(k) for k in ("a", "b") if source.get(k)]
        choices_qs = done.filter(Q(pk__in=done.values("pk")[: self.RECENT]) | Q(run_id__in=wanted)).only(
            "id", "run_id", "model_name", "request_file_name", "total_allocated", "created_at", "params", "as_of_week"
        )
        for name in ("a", "b"):
            self.fields[name].queryset = choices_qs
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["sku"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["store"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["only_changes"].widget.attrs["class"] = "form-check-input"
