"""Distribution pages: generator, runs, a run's tabs, compare, exports. Thin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from distribution import queries
from distribution.engine import EXCEPTION_REASONS, DistributionParams
from distribution.exports import run_export_bytes
from distribution.filters import LineFilter, StoreFilter
from distribution.forms import CompareForm, DistributionGenerateForm
from distribution.jobs import KIND, summary_for_display
from distribution.models import DistributionLine, DistributionRun
from distribution.tables import (
    CompareTable,
    ExceptionTable,
    LineTable,
    NoCdStockTable,
    RunTable,
    StoreTotalsTable,
)
from fastdso import charts
from fastdso.audit import audit_record
from fastdso.exports import CSV_DIALECTS, HEADERS, ExportOptions, attachment, export_info, export_response
from fastdso.forms import submit_token
from fastdso.jobs import job_start
from fastdso.labels import label
from fastdso.lifecycle import OPEN_STATES, lifecycle_context
from fastdso.models import LifeState
from fastdso.roles import PlannerRequiredMixin, can_plan
from fastdso.tables import PagedTableMixin, configure_table
from inventory.messages import stock_gap_text
from inventory.queries import source_commitments, stock_date_gap, store_exact_q
from sales.queries import default_as_of_week, stores_behind

EXPORT_FORMATS = ("csv", "xlsx")
RULE_KEYS = (
    "rules",
    "rate_rule",
    "pack_rule",
    "max_pack_woc",
    "launch_rule",
    "launch_weeks",
    "launch_min_rate",
    "new_store_weeks",
    "promo_rule",
)
PARAM_LABELS = {
    "model": gettext_lazy("Modelo"),
    "as_of": gettext_lazy("Fecha de corte pedida"),
    "lookback_weeks": gettext_lazy("Semanas de historia"),
    "min_weeks": gettext_lazy("Semanas mínimas con venta"),
    "target_woc": gettext_lazy("Cobertura objetivo (sem)"),
    "cold_start_min_fill": gettext_lazy("Mínimo arranque en frío"),
    "cold_start_target_woc": gettext_lazy("Cobertura arranque en frío (sem)"),
    "cold_start_top_n": gettext_lazy("Top tiendas de la categoría"),
    "category_window_weeks": gettext_lazy("Ventana de categoría (sem)"),
    "cold_start_basis": gettext_lazy("Base del arranque en frío"),
    "limit_by_cd": gettext_lazy("Limitar por stock CD"),
    "cd_rule": gettext_lazy("Regla de reparto del CD"),
    "round_to_pack": gettext_lazy("Redondear a cajas"),
    # v3 (SPEC §5.1)
    "rules": gettext_lazy("Reglas"),
    "rate_rule": gettext_lazy("Tasa de tiendas sin stock"),
    "pack_rule": gettext_lazy("Redondeo a cajas"),
    "max_pack_woc": gettext_lazy("Cobertura máxima por caja (sem)"),
    "launch_rule": gettext_lazy("Lanzamientos"),
    "launch_weeks": gettext_lazy("Semanas de lanzamiento"),
    "launch_min_rate": gettext_lazy("Tasa mínima de lanzamiento (u/sem)"),
    "new_store_weeks": gettext_lazy("Semanas de tienda nueva"),
    "promo_rule": gettext_lazy("Promociones"),
}
PARAM_VALUES = {
    "per_sku": gettext_lazy("por SKU (per_sku)"),
    "category": gettext_lazy("categoría entera (category)"),
    "priority": gettext_lazy("prioridad (priority)"),
    "fair_share": gettext_lazy("proporcional (fair_share)"),
    "equal_cover": gettext_lazy("cobertura igual (equal_cover)"),
    "in_stock": gettext_lazy("semanas con stock (in_stock)"),
    "sma": gettext_lazy("promedio móvil (sma)"),
    "cover_capped": gettext_lazy("limitado por cobertura (cover_capped)"),
    "nearest": gettext_lazy("caja más cercana (nearest)"),
    "like": gettext_lazy("SKU similar (like)"),
    "lift": gettext_lazy("sin semanas promocionadas y alza (lift)"),
    "ignore": gettext_lazy("no se leen (ignore)"),
}
# What a run made before a parameter existed did (runs keep the params they had).
_V2 = DistributionParams(rules="v2").as_dict()
V1_PARAMS = {
    "cold_start_basis": "category",
    "cd_rule": "priority",
    "round_to_pack": False,
    # Runs before v3 were made with the v2 rules (DistributionParams.from_dict).
    **{key: _V2[key] for key in RULE_KEYS},
}


def param_rows(params: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(label, value) of a run's parameters, codes in the planners' words."""
    return [(PARAM_LABELS[k], param_value(params, k)) for k in PARAM_LABELS if k in params or k in V1_PARAMS]


def param_value(params: dict[str, Any], key: str) -> Any:
    value = params.get(key, V1_PARAMS.get(key))
    return PARAM_VALUES.get(value, value) if isinstance(value, str) else value


def param_differences(a: DistributionRun, b: DistributionRun) -> list[tuple[Any, Any, Any]]:
    """(label, value in A, value in B) of the parameters in which two runs differ (SPEC §5.6)."""
    pa, pb = dict(a.params or {}), dict(b.params or {})
    pa.setdefault("as_of_week", a.as_of_week)
    pb.setdefault("as_of_week", b.as_of_week)
    labels = {**PARAM_LABELS, "as_of_week": gettext_lazy("Semana de corte")}
    return [
        (labels[k], param_value(pa, k), param_value(pb, k)) for k in labels if param_value(pa, k) != param_value(pb, k)
    ]


REASON_HELP = {
    "NO_CATEGORY": gettext_lazy("Sin ventas y sin categoría: no hay arranque en frío."),
    "NO_CATEGORY_SALES": gettext_lazy("Sin ventas y su categoría no vende en ninguna tienda en la ventana."),
    "SALES_BELOW_MIN_WEEKS": gettext_lazy("Vende, pero ninguna tienda llega a las semanas mínimas con venta."),
    "NO_RECENT_SALES": gettext_lazy("Vendió en la historia, pero 0 en las últimas k semanas del modelo."),
    "STOCK_COVERS_NEED": gettext_lazy("El stock de las tiendas ya cubre la necesidad."),
    "NO_CD_STOCK": gettext_lazy("Hay necesidad pero el CD no tiene stock: asignado 0."),
    "PACK_EXCEEDS_COVER": gettext_lazy(
        "Tienda sin stock que no recibe nada: una sola caja supera la cobertura máxima por caja."
    ),
    "UNKNOWN": gettext_lazy("Causa no identificada."),
}


def _float_or_text(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value


class GenerateView(PlannerRequiredMixin, FormView):
    template_name = "distribution/generate.html"
    form_class = DistributionGenerateForm

    def get_initial(self) -> dict[str, Any]:
        """Parameters in the query string pre-fill the form (the replay's "usar
        esta política" link): any field of the form, booleans as true/false."""
        initial = super().get_initial()
        fields = self.form_class.base_fields
        for name, value in self.request.GET.items():
            field = fields.get(name)
            if field is None or isinstance(field, forms.FileField):
                continue
            if isinstance(field, forms.BooleanField):
                initial[name] = value.strip().lower() in {"1", "true", "on", "yes", "si", "sí"}
            elif isinstance(field, forms.FloatField):
                # The link writes "2.125"; as a number the form shows it in the viewer's
                # locale ("2,125" in Spanish), as it reads it back on submit.
                initial[name] = _float_or_text(value)
            else:
                initial[name] = value
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["default_as_of"] = default_as_of_week()
        context["stores_behind"] = stores_behind(context["default_as_of"])
        gap = stock_date_gap(context["default_as_of"])
        context["stock_gap"] = stock_gap_text(gap) if gap else ""
        context["defaults"] = DistributionParams()
        return context

    def form_valid(self, form: DistributionGenerateForm) -> HttpResponse:
        job = job_start(
            kind=KIND,
            user=self.request.user,
            upload=form.cleaned_data["request_file"],
            params=form.job_params(),
            submit_token=submit_token(self.request.POST),
        )
        messages.info(self.request, _("Generando la distribución: la tarea muestra el avance y enlaza al run."))
        return redirect("job_detail", job.pk)


class RunListView(PagedTableMixin, TemplateView):
    template_name = "distribution/run_list.html"
    table_class = RunTable

    def get_table_data(self) -> QuerySet[DistributionRun]:
        runs = DistributionRun.objects.select_related("user").defer("params", "summary", "warnings")
        state = self.request.GET.get("state")
        if state in LifeState.values:
            runs = runs.filter(state=state)
        return runs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["states"] = LifeState.choices
        return context


class RunMixin:
    """Loads the run named in the URL; every tab shares the header and tabs."""

    tab = "summary"
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def run(self) -> DistributionRun:
        return get_object_or_404(DistributionRun.objects.select_related("user"), run_id=self.kwargs["run_id"])

    def run_context(self) -> dict[str, Any]:
        run = self.run
        return {
            "run": run,
            "tab": self.tab,
            "can_plan": can_plan(self.request.user),
            "lifecycle": lifecycle_context(run, run.run_id),
            "held": source_commitments(run.run_id) if run.state in OPEN_STATES else None,
            "stock_gap": _stock_gap(run),
        }


def _stock_gap(run: DistributionRun) -> str:
    """The stock-age warning of the run (what the API's `stock_warning` says),
    in the viewer's language; "" when the latest stock and the run's as-of
    week are at most two weeks apart."""
    gap = stock_date_gap(run.as_of_week)
    return stock_gap_text(gap) if gap else ""


class RunSummaryView(RunMixin, TemplateView):
    template_name = "distribution/run_summary.html"
    tab = "summary"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.run_context())
        run = self.run
        summary = run.summary or {}
        params = run.params or {}
        context["params"] = param_rows(params)
        context["summary_rows"] = list(summary_for_display(run.run_id, summary).items())[1:]
        context["skipped"] = [
            (reason, count, REASON_HELP.get(reason, ""))
            for reason, count in summary.get("skipped_by_reason", {}).items()
        ]
        outcome = {
            _("Por venta (SMA)"): summary.get("sales_based_skus", 0),
            _("Arranque en frío"): summary.get("cold_start_skus", 0),
            **{label("reason", reason): count for reason, count, _help in context["skipped"]},
        }
        context["chart_config"] = charts.doughnut(list(outcome), list(outcome.values()))
        return context


class RunLinesView(RunMixin, PagedTableMixin, FilterView):
    template_name = "distribution/run_lines.html"
    table_class = LineTable
    filterset_class = LineFilter
    tab = "lines"
    default_page_size = 25

    def get_queryset(self) -> QuerySet[DistributionLine]:
        return queries.run_lines(self.run)

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"run_params": self.run.params, "run": self.run}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.run_context())
        return context


class RunStoresView(RunMixin, PagedTableMixin, FilterView):
    template_name = "distribution/run_stores.html"
    table_class = StoreTotalsTable
    filterset_class = StoreFilter
    tab = "stores"

    def get_queryset(self) -> QuerySet[DistributionLine]:
        return DistributionLine.objects.filter(run=self.run, store__isnull=False)

    def get_table_data(self) -> QuerySet[dict[str, Any]]:
        return queries.store_totals(self.object_list)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.run_context())
        return context


class RunExceptionsView(RunMixin, TemplateView):
    template_name = "distribution/run_exceptions.html"
    tab = "exceptions"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.run_context())
        exceptions = ExceptionTable(queries.run_exceptions(self.run), prefix="exc-", run_params=self.run.params)
        no_cd = NoCdStockTable(queries.run_no_cd_stock(self.run), prefix="nocd-")
        context["exceptions_table"] = configure_table(self.request, exceptions)
        context["no_cd_table"] = configure_table(self.request, no_cd)
        context["reason_help"] = [(r, REASON_HELP[r]) for r in (*EXCEPTION_REASONS, "NO_CD_STOCK")]
        return context


def _format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise Http404("formato desconocido")
    return fmt


class RunExportView(PlannerRequiredMixin, View):
    def get(self, request: HttpRequest, run_id: str, fmt: str) -> HttpResponse:
        """The run in the viewer's language (?headers=codes for code headers,
        ?csv=standard|excel-es for the CSV dialect, ?only=order for the order)."""
        fmt = _format(fmt)
        run = get_object_or_404(DistributionRun, run_id=run_id)
        headers = request.GET.get("headers", "labels")
        dialect = request.GET.get("csv") or None
        if headers not in HEADERS or (dialect and dialect not in CSV_DIALECTS):
            return HttpResponseBadRequest(_("Parámetro de exportación desconocido."))
        order_only = request.GET.get("only") == "order"
        body, rows = run_export_bytes(
            run, fmt, options=ExportOptions(headers=headers, dialect=dialect), order_only=order_only
        )
        audit_record(user=request.user, action="export", obj=run, details={"format": fmt, "rows": rows})
        return attachment(body, fmt, f"{run.run_id}_pedido" if order_only else run.run_id)


class CompareMixin:
    request: HttpRequest

    def compare(self) -> tuple[CompareForm, dict[str, Any] | None]:
        data = self.request.GET
        if not (data.get("a") and data.get("b")):
            # One run picked (the run page's "Comparar" link): preselect it, no errors yet.
            return CompareForm(initial={k: data[k] for k in ("a", "b") if data.get(k)}), None
        form = CompareForm(data)
        if not form.is_valid():
            return form, None
        run_a, run_b = form.cleaned_data["a"], form.cleaned_data["b"]
        rows = queries.run_compare(run_a, run_b)
        if form.cleaned_data.get("sku"):
            rows = rows.filter(product__sku__icontains=form.cleaned_data["sku"].strip())
        if form.cleaned_data.get("store"):
            rows = rows.filter(store_exact_q(form.cleaned_data["store"], "store__"))
        if form.cleaned_data.get("only_changes"):
            rows = rows.exclude(delta=0)
        return form, {"a": run_a, "b": run_b, "rows": rows}


class CompareView(CompareMixin, TemplateView):
    template_name = "distribution/compare.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, result = self.compare()
        context["form"] = form
        context["can_plan"] = can_plan(self.request.user)
        if result:
            context.update(result)
            context["table"] = configure_table(self.request, CompareTable(result["rows"]))
            context["totals"] = queries.compare_totals(result["rows"])
            context["param_differences"] = param_differences(result["a"], result["b"])
            context["query_string"] = self.request.GET.urlencode()
        return context


class CompareExportView(PlannerRequiredMixin, CompareMixin, View):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        fmt = _format(fmt)
        form, result = self.compare()
        if result is None:
            messages.error(request, _("Elija dos runs para exportar la comparación."))
            return redirect("distribution:compare")
        frame = queries.compare_frame(result["rows"])
        name = f"{result['a'].run_id}_vs_{result['b'].run_id}"
        audit_record(
            user=request.user,
            action="export",
            obj=result["b"],
            object_repr=f"{result['a'].run_id} vs {result['b'].run_id}",
            details={"format": fmt, "rows": len(frame), "compare_with": result["a"].run_id},
        )
        info = export_info(
            {"run_a": result["a"].run_id, "run_b": result["b"].run_id}, dict(self.request.GET.items()), {}
        )
        return export_response(frame, fmt, name, text_columns=("sku", "store"), info=info, request=request)
