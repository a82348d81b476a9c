"""Redistribution pages: the form, the plans list, a plan (three tabs) and its export.

Views only parse input and call a service. A plan is shown from the database
at its own URL: nothing of it travels in the session, cookies or messages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from fastdso import charts
from fastdso.audit import audit_record
from fastdso.exports import export_response
from fastdso.forms import submit_token
from fastdso.jobs import job_start
from fastdso.lifecycle import OPEN_STATES, lifecycle_context
from fastdso.models import LifeState
from fastdso.roles import PlannerRequiredMixin
from fastdso.tables import PagedTableMixin, configure_table, page_size
from inventory.queries import source_commitments, store_names
from redistribution import queries
from redistribution.explain import REASON_LABELS
from redistribution.filters import TransferLineFilter
from redistribution.forms import PlanForm
from redistribution.jobs import KIND
from redistribution.models import TransferPlan
from redistribution.services import SHORT_LABELS, plan_export_info, plan_lines_frame
from redistribution.tables import PlanTable, TransferLineTable
from sales.queries import default_as_of_week, has_macro_sales, stores_behind

TABS = ("summary", "transfers", "destinations")
LINES_PER_SECTION = 50
CHART_STORES = 15


class PlanCreateView(PlannerRequiredMixin, FormView):
    template_name = "redistribution/plan_form.html"
    form_class = PlanForm

    def get_initial(self) -> dict[str, Any]:
        """Initial values may come in the query string (a plan's "repeat" link)."""
        initial = super().get_initial()
        for name in PlanForm.base_fields:
            if name == "sku_file" or name not in self.request.GET:
                continue
            values = self.request.GET.getlist(name)
            if name == "eligible_stores":
                initial[name] = values
            elif isinstance(PlanForm.base_fields[name], forms.BooleanField):
                initial[name] = values[-1].lower() not in ("", "0", "false", "off", "no")
            else:
                initial[name] = values[-1]
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        as_of_week = default_as_of_week()
        context.update(
            has_macro_sales=has_macro_sales(), as_of_week=as_of_week, stores_behind=stores_behind(as_of_week)
        )
        return context

    def form_valid(self, form: PlanForm) -> HttpResponse:
        request = form.plan_request()
        job = job_start(
            kind=KIND,
            user=self.request.user,
            params={"request": request.to_json()},
            upload=form.cleaned_data.get("sku_file") if request.scope == "skus" else None,
            submit_token=submit_token(self.request.POST),
        )
        # The job page shows progress and links the plan; when the job ran
        # inline and succeeded, go straight to the plan.
        if job.status == job.Status.DONE and job.result_url:
            return HttpResponseRedirect(job.result_url)
        return HttpResponseRedirect(reverse("job_detail", args=[job.pk]))


class PlanListView(PagedTableMixin, TemplateView):
    template_name = "redistribution/plan_list.html"
    table_class = PlanTable

    def get_table_data(self) -> QuerySet[TransferPlan]:
        return queries.plans(
            mode=self.request.GET.get("mode"), scope=self.request.GET.get("scope"), state=self.request.GET.get("state")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(modes=TransferPlan.Mode.choices, scopes=TransferPlan.Scope.choices, states=LifeState.choices)
        return context


class PlanDetailView(TemplateView):
    """One plan, one tab per URL (summary, transfers, destinations): only that tab is rendered."""

    template_name = "redistribution/plan_detail.html"
    tab = "summary"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan = get_object_or_404(queries.plan_detail(), plan_id=kwargs["plan_id"])
        tab = self.tab if self.tab in TABS else "summary"
        context.update(
            plan=plan,
            tab=tab,
            summary=plan.summary,
            params=plan.params,
            param_rows=[(key, value) for key, value in plan.params.items() if key != "eligible_store_ids"],
            small_moves_pct=round(100 * float(plan.summary.get("small_moves_share") or 0)),
            repeat_url=repeat_url(plan),
            lifecycle=lifecycle_context(plan, plan.plan_id),
            held=source_commitments(plan.plan_id) if plan.state in OPEN_STATES else None,
        )
        getattr(self, f"_tab_{tab}")(plan, context)
        return context

    def _tab_summary(self, plan: TransferPlan, context: dict[str, Any]) -> None:
        summary = plan.summary
        top_destinations = queries.top_destinations(plan, CHART_STORES)
        context.update(
            top_origins=queries.top_origins(plan, 10),
            short_reasons=[
                (code, SHORT_LABELS.get(code, code), count) for code, count in summary.get("short_reasons", {}).items()
            ],
            reason_labels=REASON_LABELS,
        )
        if top_destinations:
            units = charts.dataset(_("Unidades recibidas"), [row["units"] for row in top_destinations], charts.BRAND)
            labels = [row["destination_store__name"] for row in top_destinations]
            context["chart_config"] = charts.horizontal_bars(labels, [units])

    def _tab_transfers(self, plan: TransferPlan, context: dict[str, Any]) -> None:
        origin_ids, destination_ids = queries.line_store_ids(plan)
        line_filter = TransferLineFilter(
            self.request.GET, queryset=queries.plan_lines(plan), origin_ids=origin_ids, destination_ids=destination_ids
        )
        table = TransferLineTable(line_filter.qs, plan_params=plan.params)
        context.update(filter=line_filter, table=configure_table(self.request, table))

    def _tab_destinations(self, plan: TransferPlan, context: dict[str, Any]) -> None:
        received = queries.received_by_destination(plan)
        short = {int(k): v for k, v in plan.summary.get("short_by_store", {}).items()}
        store_ids = set(received) | set(short)
        names = store_names(store_ids)
        sections = [
            {
                "store_id": sid,
                "name": names.get(sid, str(sid)),
                "units": received.get(sid, {}).get("units", 0),
                "moves": received.get(sid, {}).get("moves", 0),
                "skus": received.get(sid, {}).get("skus", 0),
                "short_skus": short.get(sid, [0, 0])[0],
                "short_units": short.get(sid, [0, 0])[1],
            }
            for sid in store_ids
        ]
        sections.sort(key=lambda s: (-s["units"], s["name"]))
        paginator = Paginator(sections, page_size(self.request, 10))
        page = paginator.get_page(self.request.GET.get("page"))
        on_page = {s["store_id"] for s in page.object_list}
        lines_by_store = queries.first_lines_by_destination(plan, on_page, LINES_PER_SECTION)
        for section in page.object_list:
            section["lines"] = lines_by_store.get(section["store_id"], [])
        context.update(page=page, paginator=paginator, lines_per_section=LINES_PER_SECTION)


def repeat_url(plan: TransferPlan) -> str:
    """The form, filled with this plan's choices (a SKU file must be chosen again)."""
    params = dict(plan.params)
    params.setdefault("rules", "v2")  # a plan made before v3 followed the v2 rules
    query: list[tuple[str, object]] = [
        ("mode", plan.mode),
        ("scope", plan.scope),
        ("category", plan.category),
        ("destination_kind", "one" if plan.destination_id else "all"),
        ("destination", plan.destination_id or ""),
        ("origin", plan.origin_id or ""),
    ]
    for name in PlanForm.PARAM_FIELDS + PlanForm.CAP_FIELDS + ("top_n", "as_of"):
        value = params.get(name)
        if value is not None:
            query.append((name, value))
    for name in ("auto_pick_donors", "system_decides", "override_qty"):
        query.append((name, "1" if params.get(name) else "0"))
    query += [("eligible_stores", sid) for sid in params.get("eligible_store_ids") or []]
    return reverse("redistribution:plan_create") + "?" + urlencode(query)


class PlanExportView(PlannerRequiredMixin, View):
    def get(self, request: HttpRequest, plan_id: str, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404
        plan = get_object_or_404(TransferPlan, plan_id=plan_id)
        frame = plan_lines_frame(plan)
        audit_record(user=request.user, action="export", obj=plan, details={"format": fmt, "rows": len(frame)})
        return export_response(
            frame, fmt, plan.plan_id, text_columns=("sku", "plan_id"), info=plan_export_info(plan), request=request
        )
