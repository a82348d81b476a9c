"""The replay form: scope, weeks, CD supply, as-of, one to four policies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from distribution import engine as generator
from fastdso.bounds import validate_date_in_range
from fastdso.formatting import localize_decimal_inputs
from fastdso.jobs import JobInputError
from fastdso.messages import render
from inventory.queries import product_categories
from replay.engine import (
    CD_MODES,
    MAX_NAME,
    MAX_POLICIES,
    MAX_SUPPLIER_LEAD_WEEKS,
    RULES,
    PolicyError,
    policy_fields,
    policy_parse,
)
from replay.models import ReplayRun
from replay.services import MAX_CD_SUPPLY, MAX_TOP, MAX_WEEKS, ReplayRequest, replay_request_validate
from sales.queries import resolve_as_of_week

# The rows a new replay starts with: (name, model, target cover).
ROW_EXAMPLES = [("base", "SMA2", None), ("alto", "SMA3", 3.0)]
MAX_TARGET_WOC = 52.0
RULE_LABELS = {"v3": _("v3: mismo stock inicial, el CD compra"), "v2": _("v2: el replay anterior")}
CD_MODE_LABELS = {
    "purchase": _("compra con pronóstico y plazo del proveedor"),
    "history": _("recibe lo vendido la semana anterior × abastecimiento"),
}


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

    rules = forms.ChoiceField(label=_("Reglas del replay"), required=False, choices=[], initial="v3")
    cd_mode = forms.ChoiceField(label=_("El CD"), required=False, choices=[], initial="purchase")
    supplier_lead_weeks = forms.IntegerField(
        label=_("Plazo del proveedor (semanas)"),
        required=False,
        initial=2,
        min_value=0,
        max_value=MAX_SUPPLIER_LEAD_WEEKS,
        help_text=_("Lo que el CD compra llega estas semanas después."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(c, c) for c in product_categories()]
        self.fields["rules"].choices = [(r, RULE_LABELS[r]) for r in RULES]
        self.fields["cd_mode"].choices = [(m, CD_MODE_LABELS[m]) for m in CD_MODES]
        for i in range(1, MAX_POLICIES + 1):
            self._policy_row(i)
            self.fields[f"policy_{i}"] = forms.CharField(
                label=_("Política %(n)s (texto)") % {"n": i},
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"placeholder": "nombre:model=SMA3,target_woc=3"}),
            )
        for name, field in self.fields.items():
            if name == "scope":
                continue
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
        localize_decimal_inputs(self)  # cd_supply: "1,0" in Spanish, "1.0" in English

    def _policy_row(self, i: int) -> None:
        """One policy as fields: name, model, target cover (the locale's decimal
        comma), CD rule and any other generator keys as key=value."""
        name, model, woc = ROW_EXAMPLES[i - 1] if i <= len(ROW_EXAMPLES) else ("", "", None)
        default = _("por defecto")
        self.fields[f"p{i}_name"] = forms.CharField(
            label=_("Nombre"), required=False, max_length=MAX_NAME, initial=name
        )
        self.fields[f"p{i}_model"] = forms.ChoiceField(
            label=_("Modelo"),
            required=False,
            initial=model,
            choices=[("", default)] + [(m, m) for m in generator.MODELS],
        )
        self.fields[f"p{i}_target_woc"] = forms.FloatField(
            label=_("Cobertura objetivo (semanas)"), required=False, initial=woc, min_value=0, max_value=MAX_TARGET_WOC
        )
        self.fields[f"p{i}_cd_rule"] = forms.ChoiceField(
            label=_("Regla del CD"), required=False, choices=[("", default)] + [(r, r) for r in generator.CD_RULES]
        )
        self.fields[f"p{i}_other"] = forms.CharField(
            label=_("Otros parámetros"),
            required=False,
            max_length=400,
            widget=forms.TextInput(attrs={"placeholder": "min_weeks=2,cold_start_top_n=20"}),
        )

    ROW_FIELDS = ("name", "model", "target_woc", "cd_rule", "other")

    @property
    def policy_rows(self) -> list[list[Any]]:
        return [[self[f"p{i}_{f}"] for f in self.ROW_FIELDS] for i in range(1, MAX_POLICIES + 1)]

    @property
    def policy_fields(self) -> list[Any]:
        return [self[f"policy_{i}"] for i in range(1, MAX_POLICIES + 1)]

    def _row_text(self, i: int) -> str:
        """Row i as the command's policy text ("" for an empty row)."""
        data = self.cleaned_data
        name = " ".join(str(data.get(f"p{i}_name") or "").split())
        pairs = [
            f"{key}={data[f'p{i}_{key}']:g}" if key == "target_woc" else f"{key}={data[f'p{i}_{key}']}"
            for key in ("model", "target_woc", "cd_rule")
            if data.get(f"p{i}_{key}") not in (None, "")
        ]
        other = str(data.get(f"p{i}_other") or "").strip().strip(",")
        if other:
            pairs.append(other)
        if not name:
            if pairs:
                self.add_error(f"p{i}_name", _("Ponga un nombre a la política."))
            return ""
        return f"{name}:{','.join(pairs)}" if pairs else name

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
            row = self._row_text(i)
            text = row or str(data.get(f"policy_{i}") or "").strip()
            if text:
                try:
                    policy_parse(text)
                except PolicyError as exc:
                    self.add_error(f"p{i}_other" if row else f"policy_{i}", render(exc.message))
        if self.errors:
            return data
        try:  # the service's own checks (policies: unknown keys, bad values)
            replay_request_validate(self.request())
        except JobInputError as exc:
            raise forms.ValidationError(str(exc.message)) from None
        return data

    def policies(self) -> list[str]:
        """Each row that has a name, else its text (the API and the command's syntax)."""
        texts = []
        for i in range(1, MAX_POLICIES + 1):
            text = self._row_text(i) or str(self.cleaned_data.get(f"policy_{i}") or "").strip()
            if text:
                texts.append(text)
        return texts

    def _v3(self) -> dict[str, Any]:
        data = self.cleaned_data
        lead = data.get("supplier_lead_weeks")
        return {
            "rules": data.get("rules") or "v3",
            "cd_mode": data.get("cd_mode") or "purchase",
            "supplier_lead_weeks": 2 if lead is None else int(lead),
        }

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
            **self._v3(),
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
            **self._v3(),
        }
