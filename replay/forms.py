"""The replay form: scope, weeks, CD supply, as-of, one to four policies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fastdso.bounds import validate_date_in_range
from fastdso.formatting import localize_decimal_inputs
from fastdso.jobs import JobInputError
from inventory.queries import product_categories
from replay.engine import MAX_POLICIES, PolicyError, policy_fields, policy_parse
from replay.models import ReplayRun
from replay.services import MAX_CD_SUPPLY, MAX_TOP, MAX_WEEKS, ReplayRequest, replay_request_validate
from sales.queries import resolve_as_of_week

POLICY_EXAMPLES = ["base:model=SMA2", "alto:model=SMA3,target_woc=3", "", ""]


class ReplayForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Alcance"), choices=ReplayRun.Scope.choices, initial=ReplayRun.Scope.TOP, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("Archivo de SKUs"),
        required=False,
        help_text=_("CSV o XLSX con la columna «sku» (opcional «category» para SKUs sin categoría)."),
    )
    category = forms.ChoiceField(label=_("Categoría"), required=False, choices=[])
    top_n = forms.IntegerField(
        label=_("Top N SKUs"),
        required=False,
        initial=50,
        min_value=1,
        max_value=MAX_TOP,
        help_text=_("Los N SKUs con más unidades vendidas en las semanas del replay."),
    )
    weeks = forms.IntegerField(label=_("Semanas"), initial=8, min_value=1, max_value=MAX_WEEKS)
    cd_supply = forms.FloatField(
        label=_("Abastecimiento del CD"),
        initial=1.0,
        min_value=0,
        max_value=MAX_CD_SUPPLY,
        help_text=_("Cada semana el CD recibe este factor × lo vendido por la red la semana anterior (< 1: CD corto)."),
    )
    as_of = forms.DateField(
        validators=[validate_date_in_range],
        label=_("Semana de corte (as-of)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Última semana simulada. Vacío = última semana completa cargada."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(c, c) for c in product_categories()]
        for i in range(1, MAX_POLICIES + 1):
            self.fields[f"policy_{i}"] = forms.CharField(
                label=_("Política %(n)s") % {"n": i},
                required=False,
                max_length=500,
                initial=POLICY_EXAMPLES[i - 1],
                widget=forms.TextInput(attrs={"placeholder": "nombre:model=SMA3,target_woc=3"}),
            )
        for name, field in self.fields.items():
            if name == "scope":
                continue
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
        localize_decimal_inputs(self)  # cd_supply: "1,0" in Spanish, "1.0" in English

    @property
    def policy_fields(self) -> list[Any]:
        return [self[f"policy_{i}"] for i in range(1, MAX_POLICIES + 1)]

    @staticmethod
    def policy_keys() -> list[str]:
        return list(policy_fields())

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        limit = settings.FASTDSO_MAX_UPLOAD_MB * 1024 * 1024
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(
                _("El archivo supera el máximo de %(mb)s MB.") % {"mb": settings.FASTDSO_MAX_UPLOAD_MB}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        scope = data.get("scope")
        if scope == ReplayRun.Scope.SKUS and not data.get("file"):
            self.add_error("file", _("Elija un archivo con la columna «sku»."))
        if scope == ReplayRun.Scope.CATEGORY and not data.get("category"):
            self.add_error("category", _("Elija una categoría del catálogo."))
        if scope == ReplayRun.Scope.TOP and not data.get("top_n"):
            self.add_error("top_n", _("Indique cuántos SKUs."))
        if not data.get("as_of") and resolve_as_of_week(None) is None:
            self.add_error("as_of", _("No hay ventas macro cargadas: cargue ventas o indique una semana de corte."))
        for i in range(1, MAX_POLICIES + 1):  # each policy's own error on its field (its key named in it)
            text = str(data.get(f"policy_{i}") or "").strip()
            if text:
                try:
                    policy_parse(text)
                except PolicyError as exc:
                    self.add_error(f"policy_{i}", str(exc))
        if self.errors:
            return data
        try:  # the service's own checks (policies: unknown keys, bad values)
            replay_request_validate(self.request())
        except JobInputError as exc:
            raise forms.ValidationError(exc.message) from None
        return data

    def policies(self) -> list[str]:
        return [t for t in (str(self.cleaned_data.get(f"policy_{i}") or "").strip() for i in range(1, 5)) if t]

    def request(self) -> ReplayRequest:
        data = self.cleaned_data
        return ReplayRequest(
            scope=data["scope"],
            category=data.get("category") or "",
            top_n=data.get("top_n") or 0,
            weeks=data["weeks"],
            cd_supply=float(data["cd_supply"]),
            as_of=data.get("as_of"),
            policies=tuple(self.policies()),
        )

    def job_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        scope = data["scope"]
        return {
            "scope": scope,
            "category": (data.get("category") or "") if scope == ReplayRun.Scope.CATEGORY else "",
            "top_n": data.get("top_n") if scope == ReplayRun.Scope.TOP else None,
            "weeks": data["weeks"],
            "cd_supply": float(data["cd_supply"]),
            "as_of": data["as_of"].isoformat() if data.get("as_of") else None,
            "policies": self.policies(),
        }
