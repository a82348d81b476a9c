"""Replay pages: the form with past replays, a replay side by side, its export. Thin views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from distribution.engine import DistributionParams
from distribution.views import PARAM_LABELS, param_value
from fastdso.exports import export_response
from fastdso.jobs import job_start
from fastdso.labels import label as code_label
from fastdso.roles import PlannerRequiredMixin, can_plan
from fastdso.tables import configure_table
from replay import jobs as replay_jobs
from replay.engine import policy_fields
from replay.forms import ReplayForm
from replay.models import ReplayRun
from replay.services import replay_export_frame, replay_export_record
from replay.tables import ReplayRunTable
from sales.queries import default_as_of_week

COLORS = ["#0d6efd", "#d63384", "#198754", "#fd7e14"]


class ReplayHomeView(View):
    """The form (planners) and the past replays (everyone)."""

    template_name = "replay/replay_home.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ReplayForm() if can_plan(request.user) else None)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can_plan(request.user):
            raise PermissionDenied
        form = ReplayForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data.get("file") if form.cleaned_data["scope"] == ReplayRun.Scope.SKUS else None
        params = form.job_params()
        if upload is not None:
            params["input_name"] = upload.name
        job = job_start(kind=replay_jobs.KIND, user=request.user, params=params, upload=upload)
        if job.is_finished and job.result_url:
            return redirect(job.result_url)
        messages.info(request, _("Simulando las políticas: la tarea muestra el avance semana a semana."))
        return redirect("job_detail", pk=job.pk)

    def _render(self, request: HttpRequest, form: ReplayForm | None, status: int = 200) -> HttpResponse:
        table = configure_table(request, ReplayRunTable(ReplayRun.objects.select_related("user")), default=10)
        context = {
            "form": form,
            "runs_table": table,
            "default_as_of": default_as_of_week(),
            "policy_defaults": {key: getattr(DistributionParams(), key) for key in policy_fields()},
        }
        return render(request, self.template_name, context, status=status)


def use_policy_url(params: dict[str, Any]) -> str:
    """The generator form pre-filled with a policy's parameters."""
    values = {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in params.items()}
    return reverse("distribution:generate") + "?" + urlencode(values)


def _chart(run: ReplayRun, metric: str, label: str, scale: float = 1.0) -> dict[str, Any]:
    weeks = [r["week_start"] for r in run.results[0]["weekly"]] if run.results else []
    datasets = []
    for i, result in enumerate(run.results):
        values = [row.get(metric) for row in result["weekly"]]
        datasets.append(
            {
                "label": result["name"],
                "data": [None if v is None else round(v * scale, 2) for v in values],
                "borderColor": COLORS[i % len(COLORS)],
                "backgroundColor": COLORS[i % len(COLORS)],
                "tension": 0.2,
                "pointRadius": 3,
            }
        )
    return {
        "type": "line",
        "data": {"labels": [w[8:10] + "/" + w[5:7] for w in weeks], "datasets": datasets},
        "options": {
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": label}}},
        },
    }


def _dominator(run: ReplayRun, result: dict[str, Any]) -> str:
    """The first policy that fills as well or better with no more stock (one strictly)."""
    fill, stock = result["totals"].get("fill_rate") or 0.0, result["totals"].get("avg_closing_stock") or 0.0
    for other in run.results:
        f2, s2 = other["totals"].get("fill_rate") or 0.0, other["totals"].get("avg_closing_stock") or 0.0
        if other is not result and f2 >= fill and s2 <= stock and (f2 > fill or s2 < stock):
            return str(other["name"])
    return ""


def scatter_chart(run: ReplayRun) -> dict[str, Any]:
    """Fill rate against average stock, one point per policy (SPEC v3 §13)."""
    datasets = [
        {
            "label": result["name"],
            "data": [
                {
                    "x": round(result["totals"].get("avg_closing_stock") or 0.0, 1),
                    "y": round((result["totals"].get("fill_rate") or 0.0) * 100, 2),
                }
            ],
            "backgroundColor": COLORS[i % len(COLORS)],
            "pointStyle": "crossRot" if result.get("dominated") else "circle",
            "pointRadius": 8,
        }
        for i, result in enumerate(run.results)
    ]
    return {
        "type": "scatter",
        "data": {"datasets": datasets},
        "options": {
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {
                # grace: room past the largest value, so a point (a cross) at the edge is not cut in half.
                "x": {
                    "title": {"display": True, "text": _("stock de cierre promedio (u.)")},
                    "beginAtZero": True,
                    "grace": "8%",
                },
                "y": {"title": {"display": True, "text": _("nivel de servicio %")}, "grace": "5%"},
            },
        },
    }


def comparison_rows(run: ReplayRun) -> list[dict[str, Any]]:
    """One row per policy: its totals, marks and the link to the generator."""
    params = {p["name"]: p for p in run.policies}
    starts = {r.get("start_stock", 0) for r in run.results}
    rows = []
    for result in run.results:
        policy = params.get(result["name"], {})
        totals = result["totals"]
        rows.append(
            {
                "name": result["name"],
                "text": policy.get("text", result["name"]),
                "totals": totals,
                "fill_pct": None if totals.get("fill_rate") is None else totals["fill_rate"] * 100,
                "start_stock": result.get("start_stock", 0),
                "best_fill": result["name"] == run.best_fill_policy,
                "lowest_stock": result["name"] == run.lowest_stock_policy,
                "use_url": use_policy_url(policy.get("params", {})),
                "dominated": bool(result.get("dominated")),
                "dominated_by": _dominator(run, result) if result.get("dominated") else "",
                # v2 gave every policy its own start: say so when it differs.
                "own_start": len(starts) > 1,
            }
        )
    return rows


def parameter_rows(run: ReplayRun) -> list[dict[str, Any]]:
    """Every parameter of the policies side by side, by its label and in the
    planners' words (not `lookback_weeks`, not `True`); `differs` marks the
    ones that change, listed first."""
    keys = list(dict.fromkeys(k for p in run.policies for k in p.get("params", {})))
    rows = []
    for key in keys:
        raw = [p.get("params", {}).get(key) for p in run.policies]
        values = [_shown(param_value(p.get("params", {}), key)) for p in run.policies]
        label = PARAM_LABELS.get(key) or code_label("param", key)
        rows.append({"key": key, "label": label, "values": values, "differs": len({str(v) for v in raw}) > 1})
    return sorted(rows, key=lambda row: not row["differs"])


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return _("sí") if value else _("no")
    return value


def weekly_rows(run: ReplayRun) -> list[dict[str, Any]]:
    """Week by week: each policy's fill rate, lost units and closing stock."""
    if not run.results:
        return []
    rows = []
    for index, week in enumerate(run.results[0]["weekly"]):
        cells = [r["weekly"][index] for r in run.results]
        rows.append({"week_start": week["week_start"], "demand": week["demand_units"], "cells": cells})
    return rows


class ReplayDetailView(DetailView):
    model = ReplayRun
    template_name = "replay/replay_detail.html"
    context_object_name = "run"
    slug_field = "replay_id"
    slug_url_kwarg = "replay_id"

    def get_queryset(self) -> QuerySet[ReplayRun]:
        return ReplayRun.objects.select_related("user", "job")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run: ReplayRun = self.object
        context.update(
            rows=comparison_rows(run),
            parameters=parameter_rows(run),
            weekly=weekly_rows(run),
            fill_chart=_chart(run, "fill_rate", _("nivel de servicio %"), scale=100),
            stock_chart=_chart(run, "closing_stock", _("stock de cierre (u.)")),
            scatter_chart=scatter_chart(run),
            can_plan=can_plan(self.request.user),
        )
        return context


class ReplayExportView(PlannerRequiredMixin, View):
    def get(self, request: HttpRequest, replay_id: str, fmt: str) -> HttpResponse:
        if fmt not in {"csv", "xlsx"}:
            raise Http404
        run = get_object_or_404(ReplayRun, replay_id=replay_id)
        frame = replay_export_frame(run)
        replay_export_record(run=run, user=request.user, fmt=fmt, rows=len(frame))
        return export_response(frame, fmt, run.replay_id, text_columns=("policy",), request=request)
