"""Purchase forecast pages: the form with past runs, a run's results, its exports. Thin views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from fastdso import charts
from fastdso.exports import export_response
from fastdso.forms import submit_token
from fastdso.jobs import job_start
from fastdso.messages import render as render_message
from fastdso.models import Job
from fastdso.roles import PlannerRequiredMixin, can_plan
from fastdso.tables import configure_table
from forecast import jobs as forecast_jobs
from forecast import queries
from forecast.filters import ForecastLineFilter
from forecast.forms import INPUT_CATEGORY, INPUT_FILE, ForecastForm
from forecast.models import ForecastRun
from forecast.services import forecast_export_frame, forecast_export_info, forecast_export_record
from forecast.tables import ForecastLineTable, ForecastRunTable

# Lists up to this size are computed during the request (about a second);
# files, categories and bigger lists go to the background worker, whose job
# page shows the progress and links to the result.
INLINE_LIMIT = 50


class ForecastHomeView(View):
    """The form (planners) and the past forecasts (everyone)."""

    template_name = "forecast/forecast_home.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ForecastForm() if can_plan(request.user) else None)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can_plan(request.user):
            raise PermissionDenied
        form = ForecastForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        params = form.job_params()
        choice = form.cleaned_data["input"]
        upload = form.cleaned_data.get("file") if choice == INPUT_FILE else None
        if choice == INPUT_CATEGORY:
            size = queries.category_size(params["category"])
        else:
            size = len(params.get("skus", ())) if upload is None else INLINE_LIMIT + 1
        job = job_start(
            kind=forecast_jobs.KIND,
            user=request.user,
            params=params,
            upload=upload,
            sync=True if size <= INLINE_LIMIT else None,
            submit_token=submit_token(request.POST),
        )
        if job.status == Job.Status.DONE and job.result_url:
            for warning in job.warnings[:5]:
                messages.warning(request, render_message(warning))
            return redirect(job.result_url)
        return redirect("job_detail", pk=job.pk)

    def _render(self, request: HttpRequest, form: ForecastForm | None, status: int = 200) -> HttpResponse:
        table = configure_table(request, ForecastRunTable(queries.runs()), default=10)
        return render(request, self.template_name, {"form": form, "runs_table": table}, status=status)


class ForecastRunDetailView(DetailView):
    model = ForecastRun
    template_name = "forecast/run_detail.html"
    context_object_name = "run"

    def get_queryset(self) -> QuerySet[ForecastRun]:
        return queries.run_detail()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run: ForecastRun = self.object
        line_filter = ForecastLineFilter(self.request.GET, queryset=queries.run_lines(run))
        for field in line_filter.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        line_filter.form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
        filtered = line_filter.qs
        totals = queries.line_totals(filtered)
        table = ForecastLineTable(filtered, run=run, totals=totals)
        context.update(
            table=configure_table(self.request, table, default=25),
            filter=line_filter,
            totals=totals,
            backtest=backtest_context(run),
            evaluation=evaluation_context(run),
            can_export=can_plan(self.request.user),
            filtered=any(self.request.GET.get(k) for k in ("q", "source", "buy")),
        )
        return context


def _backtest_charts(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Actual vs each SMA (total units per week), and each method's WAPE and bias."""
    labels = [w[8:10] + "/" + w[5:7] for w in data["target_weeks"]]
    actual = data["weekly"].get("actual", [])
    datasets = [charts.line_dataset(_("Real"), actual, charts.DARK, borderWidth=3, tension=0.2)]
    for i, method in enumerate(data["methods"]):
        datasets.append(
            charts.line_dataset(
                method["method"],
                data["weekly"].get(method["method"], []),
                charts.SERIES[i % len(charts.SERIES)],
                borderWidth=1.5,
                borderDash=[] if method["method"] == data.get("best") else [5, 4],
                pointRadius=2,
                spanGaps=False,
            )
        )
    y_title = {"display": True, "text": _("unidades / semana")}
    chart = charts.chart(
        "line",
        labels,
        datasets,
        plugins=charts.legend("bottom"),
        scales={"y": {"beginAtZero": False, "title": y_title}},
    )
    methods = data["methods"]
    wape = [None if m["wape"] is None else round(m["wape"] * 100, 1) for m in methods]
    bias = [None if m["bias"] is None else round(m["bias"] * 100, 1) for m in methods]
    best = [charts.SUCCESS if m["method"] == data.get("best") else charts.BRAND for m in methods]
    bars = [charts.dataset(_("WAPE %"), wape, best), charts.dataset(_("Sesgo %"), bias, charts.MUTED)]
    return chart, charts.chart("bar", [m["method"] for m in methods], bars, plugins=charts.legend("bottom"))


def backtest_context(run: ForecastRun) -> dict[str, Any] | None:
    """The backtest table and its chart (actual vs each SMA, total units per week)."""
    data = run.backtest or {}
    if not data.get("methods"):
        return None
    chart, wape_chart = _backtest_charts(data)
    methods = [
        {
            **m,
            "wape_pct": None if m["wape"] is None else m["wape"] * 100,
            "bias_pct": None if m["bias"] is None else m["bias"] * 100,
        }
        for m in data["methods"]
    ]
    return {
        "methods": methods,
        "best": data.get("best"),
        "horizon": len(data["target_weeks"]),
        "first_week": data["target_weeks"][0] if data["target_weeks"] else None,
        "chart": chart,
        "wape_chart": wape_chart,
    }


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def evaluation_context(run: ForecastRun) -> dict[str, Any] | None:
    """The method evaluation (SPEC v3 §6): pooled figures per method, and per
    category each method's SKU-level WAPE with the winner."""
    data = run.evaluation or {}
    rows = data.get("rows") or []
    if not rows:
        return None
    methods = list(dict.fromkeys(r["method"] for r in rows))
    by_key = {(r["level"], r["key"], r["method"]): r for r in rows}
    summary = []
    for method in methods:
        sku = by_key.get(("sku", "ALL", method), {})
        category = by_key.get(("category", "ALL", method), {})
        summary.append(
            {
                "method": method,
                "sku_wape": _pct(sku.get("wape")),
                "sku_bias": _pct(sku.get("bias")),
                "sku_mase": sku.get("mase"),
                "n": sku.get("n", 0),
                "category_wape": _pct(category.get("wape")),
                "category_bias": _pct(category.get("bias")),
                "seconds": (data.get("seconds") or {}).get(method),
            }
        )
    winners = data.get("winners") or {}
    categories = sorted({r["key"] for r in rows if r["level"] == "category_sku"})
    per_category = [
        {
            "category": category,
            "winner": winners.get(category),
            "cells": [
                {"method": m, "wape": _pct(by_key.get(("category_sku", category, m), {}).get("wape"))} for m in methods
            ],
        }
        for category in categories
    ]
    wins: dict[str, int] = {}
    for method in winners.values():
        wins[method] = wins.get(method, 0) + 1
    return {
        "methods": methods,
        "summary": summary,
        "categories": per_category,
        "wins": wins,
        "horizon": data.get("horizon"),
        "origins": len(data.get("origin_weeks") or []),
        "first_week": (data.get("origin_weeks") or [None])[0],
        "last_week": (data.get("origin_weeks") or [None])[-1],
    }


class ForecastRunExportView(PlannerRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if fmt not in {"csv", "xlsx"}:
            raise Http404
        run = get_object_or_404(ForecastRun, pk=pk)
        frame = forecast_export_frame(run)
        forecast_export_record(run=run, user=request.user, fmt=fmt, rows=len(frame))
        return export_response(
            frame,
            fmt,
            f"pronostico-compra-{run.pk}",
            text_columns=("sku", "product_name", "category"),
            info=forecast_export_info(run),
            request=request,
        )
