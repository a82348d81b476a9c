"""Dashboard / Store Health, stock pages and Stock Query. Thin: read, shape, render.

Store Health comes from `inventory.queries.store_health_data`, computed once
per data version and cached; these views only filter, sort and slice the
cached frames (see the note there).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import pandas as pd
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from distribution.models import DistributionRun
from fastdso.audit import audit_record
from fastdso.exports import export_info, export_response
from fastdso.models import Job
from fastdso.roles import PlannerRequiredMixin
from fastdso.tables import PagedTableMixin, configure_table
from inventory import health, queries
from inventory.filters import AlertFilterForm, CDStockFilter, RunsForm, StoreHealthForm, StoreStockFilter
from inventory.models import Product, Store
from inventory.tables import (
    ALERT_LABELS,
    BUCKET_LABELS,
    AlertTable,
    CDStockTable,
    FrameData,
    StockQueryStoreTable,
    StoreHealthTable,
    StoreStockTable,
    decorate_alert,
)
from redistribution.models import TransferPlan
from sales import queries as sales_queries

BUCKET_COLOURS = {
    health.STOCKOUT: "#dc3545",
    health.BELOW_MIN: "#ffc107",
    health.OK: "#198754",
    health.ABOVE_MAX: "#0dcaf0",
    health.NO_DEMAND: "#adb5bd",
}
CHART_STORES = 15
EXPORT_XLSX_MAX_ROWS = 1_000_000  # Excel's sheet holds 1,048,576 rows


def url_or_none(name: str, *args: object) -> str | None:
    """The URL of a page another issue may not have built yet (None until it exists)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def object_url(obj: Any) -> str | None:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return None


def upload_links() -> dict[str, str | None]:
    return {
        "cd": url_or_none("inventory:cd_stock_upload"),
        "stores": url_or_none("inventory:store_stock_upload"),
        "products": url_or_none("inventory:product_upload"),
    }


class HealthMixin:
    """Reads ?runs= (the X of "SKUs in the last X runs") and the cached health data."""

    request: HttpRequest

    def health_params(self) -> health.HealthParams:
        form = RunsForm(self.request.GET)
        return health.HealthParams(last_runs=form.last_runs(), as_of=form.as_of_week())

    def health_data(self) -> queries.HealthData:
        return queries.store_health_data(self.health_params())


def _first_loaded_week() -> dt.date:
    """Charts start at the first week with loaded sales, not with empty weeks before it."""
    first = sales_queries.first_loaded_sale_date()
    return first - dt.timedelta(days=first.weekday()) if first else dt.date.min


def _line_chart(labels: list[str], datasets: list[dict[str, Any]], y_title: str) -> dict[str, Any]:
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "plugins": {"legend": {"display": len(datasets) > 1}},
            "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": y_title}}},
            "elements": {"point": {"radius": 2}},
        },
    }


def _store_records(record: dict[str, Any], runs: int) -> None:
    """Segments of the per-store WOC distribution bar (percent strings: CSS, not locale)."""
    record["runs"] = runs
    active = record.get("active") or 0
    record["segments"] = [
        {
            "colour": BUCKET_COLOURS[bucket],
            "label": BUCKET_LABELS[bucket],
            "count": record.get(bucket, 0),
            "pct": f"{100.0 * record.get(bucket, 0) / active:.2f}" if active else "0",
        }
        for bucket in health.BUCKETS
        if record.get(bucket)
    ]


class DashboardView(HealthMixin, TemplateView):
    """The home page: Store Health KPIs, charts, the per-store table, recent runs and plans."""

    template_name = "inventory/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        data = self.health_data()
        form = StoreHealthForm(self.request.GET)
        stores = form.apply(data.stores)
        runs = data.params.last_runs
        table = StoreHealthTable(FrameData(stores, decorate=partial(_store_records, runs=runs)))
        context.update(
            data=data,
            params=data.params,
            kpis=data.kpis,
            dates=data.dates,
            runs=runs,
            runs_form=RunsForm(initial={"runs": runs, "as_of": data.params.as_of}),
            store_form=form,
            store_table=configure_table(self.request, table, default=10),
            alerts_url=reverse("inventory:health_alerts"),
            alert_types=ALERT_LABELS,
            uploads=upload_links(),
            recent_runs=self._recent_runs(),
            recent_plans=self._recent_plans(),
            recent_jobs=Job.objects.select_related("user").only(
                "kind", "status", "file_name", "created_at", "user__username"
            )[:5],
            stores_chart=self._stores_chart(data.stores),
            buckets_chart=self._buckets_chart(data.kpis),
            sales_chart=self._sales_chart(data.network_sales),
        )
        return context

    @staticmethod
    def _recent_runs() -> list[dict[str, Any]]:
        runs = DistributionRun.objects.select_related("user").only(
            "run_id", "status", "created_at", "line_count", "scope_sku_count", "total_allocated", "user__username"
        )[:5]
        return [{"run": run, "url": object_url(run)} for run in runs]

    @staticmethod
    def _recent_plans() -> list[dict[str, Any]]:
        plans = TransferPlan.objects.select_related("user").only(
            "plan_id", "mode", "scope", "category", "created_at", "line_count", "total_units", "user__username"
        )[:5]
        return [{"plan": plan, "url": object_url(plan)} for plan in plans]

    @staticmethod
    def _stores_chart(stores: pd.DataFrame) -> dict[str, Any]:
        """Stacked bars: the stores with the most stock-outs with demand, by WOC bucket."""
        worst = stores.sort_values([health.STOCKOUT, "name"], ascending=[False, True]).head(CHART_STORES)
        return {
            "type": "bar",
            "data": {
                "labels": worst["name"].tolist(),
                "datasets": [
                    {
                        "label": BUCKET_LABELS[bucket],
                        "data": worst[bucket].astype(int).tolist(),
                        "backgroundColor": BUCKET_COLOURS[bucket],
                    }
                    for bucket in health.BUCKETS
                ],
            },
            "options": {
                "indexAxis": "y",
                "scales": {"x": {"stacked": True}, "y": {"stacked": True, "ticks": {"autoSkip": False}}},
                "plugins": {"legend": {"position": "bottom"}},
            },
        }

    @staticmethod
    def _buckets_chart(kpis: dict[str, int]) -> dict[str, Any]:
        keys = {
            health.STOCKOUT: "stockouts",
            health.BELOW_MIN: "below_min",
            health.OK: "ok",
            health.ABOVE_MAX: "above_max",
            health.NO_DEMAND: "no_demand",
        }
        values = [kpis[keys[b]] - (kpis["no_demand"] if b == health.ABOVE_MAX else 0) for b in health.BUCKETS]
        return {
            "type": "doughnut",
            "data": {
                "labels": [BUCKET_LABELS[b] for b in health.BUCKETS],
                "datasets": [{"data": values, "backgroundColor": [BUCKET_COLOURS[b] for b in health.BUCKETS]}],
            },
            "options": {"plugins": {"legend": {"position": "right"}}},
        }

    @staticmethod
    def _sales_chart(network: pd.DataFrame) -> dict[str, Any]:
        labels = [w.isoformat() for w in network["week_start"]]
        dataset = {
            "label": _("Unidades vendidas (red)"),
            "data": network["units"].astype(int).tolist(),
            "borderColor": "#1f4e79",
            "backgroundColor": "rgba(31,78,121,.15)",
            "fill": True,
            "tension": 0.2,
        }
        return _line_chart(labels, [dataset], _("unidades / semana"))


class AlertListView(HealthMixin, TemplateView):
    """Every Store Health alert, filterable by store, category, alert type and SKU."""

    template_name = "inventory/health_alerts.html"

    def filtered(self) -> tuple[queries.HealthData, AlertFilterForm, pd.DataFrame]:
        data = self.health_data()
        categories = sorted(str(c) for c in data.alerts["category"].cat.categories)
        form = AlertFilterForm(self.request.GET, stores=data.stores.sort_values("name"), categories=categories)
        return data, form, form.apply(data.alerts)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        data, form, alerts = self.filtered()
        table = AlertTable(FrameData(alerts, decorate=decorate_alert))
        context.update(
            data=data,
            params=data.params,
            kpis=data.kpis,
            dates=data.dates,
            runs=data.params.last_runs,
            form=form,
            table=configure_table(self.request, table),
            alert_count=len(alerts),
            query=self.request.GET.urlencode(),
        )
        return context


class AlertExportView(PlannerRequiredMixin, AlertListView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _data, _form, alerts = self.filtered()
        frame = pd.DataFrame(
            {
                "store": alerts["store"].astype(object).to_numpy(),
                "sku": alerts["sku"].astype(str).to_numpy(),
                "product_name": alerts["name"].astype(object).to_numpy(),
                "category": alerts["category"].astype(object).to_numpy(),
                "stock": alerts["stock"].to_numpy(),
                "weekly_demand": alerts["weekly_demand"].astype(float).round(3).to_numpy(),
                "woc": alerts["woc"].astype(float).round(2).to_numpy(),
                "alert": alerts["alert"].astype(str).to_numpy(),
            }
        )
        return _export(request, frame, "alertas-salud-tiendas", "Store Health: alertas")


def _filters_text(request: HttpRequest) -> str:
    shown = request.GET.copy()
    shown.pop("format", None)
    return shown.urlencode()[:200] or "—"


def _export(request: HttpRequest, frame: pd.DataFrame, filename: str, what: str) -> HttpResponse:
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    if fmt == "xlsx" and len(frame) > EXPORT_XLSX_MAX_ROWS:
        fmt = "csv"  # beyond what one Excel sheet holds; the CSV has every row
    audit_record(
        user=request.user,
        action="export",
        object_repr=f"{what} ({fmt.upper()})",
        object_url=request.get_full_path().replace("/export/", "/", 1),
        details={"rows": len(frame), "format": fmt, "filters": _filters_text(request)},
    )
    info = export_info({"export": what, "rows": len(frame)}, dict(request.GET.items()), {})
    return export_response(frame, fmt, filename, text_columns=("sku", "store"), info=info)


class _StockListView(PagedTableMixin, FilterView):
    template_name = "inventory/stock_list.html"
    default_page_size = 25
    page_title = ""
    export_url_name = ""
    upload_key = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload = upload_links()[self.upload_key]
        context.update(
            page_title=self.page_title,
            export_url=reverse(self.export_url_name),
            upload_url=upload,
            query=self.request.GET.urlencode(),
        )
        return context


class CDStockView(_StockListView):
    """The current CD snapshot (its latest date), paged in the database."""

    table_class = CDStockTable
    filterset_class = CDStockFilter
    export_url_name = "inventory:cd_stock_export"
    upload_key = "cd"

    @property
    def page_title(self) -> str:
        return _("Stock CD")

    def get_queryset(self) -> QuerySet:
        return queries.cd_stock_rows()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["snapshot_note"] = {"cd_date": queries.cd_stock_date()}
        return context


class StoreStockView(_StockListView):
    """Each store's current snapshot (its own latest date), paged in the database."""

    table_class = StoreStockTable
    filterset_class = StoreStockFilter
    export_url_name = "inventory:store_stock_export"
    upload_key = "stores"

    @property
    def page_title(self) -> str:
        return _("Stock tiendas")

    def get_queryset(self) -> QuerySet:
        return queries.store_stock_rows()

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        """With nothing to narrow the rows (no store, search or category), show the
        first store: all stores at once is a sort of every current row (100k+)."""
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = (kwargs["data"] or QueryDict()).copy()
        self.default_store = None
        if not any(data.get(name) for name in ("store", "q", "category")):
            first = Store.objects.exclude(stock_date=None).order_by("name").first()
            if first is not None:
                data["store"] = str(first.pk)
                self.default_store = first
        kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["snapshot_note"] = {"store_dates": queries.store_stock_dates()}
        context["default_store"] = self.default_store
        context["query"] = self.filterset.data.urlencode()
        return context


class _StockExportView(PlannerRequiredMixin, View):
    filterset_class: type = CDStockFilter
    columns: dict[str, str] = {}  # noqa: RUF012 - read only
    order: tuple[str, ...] = ()
    filename = ""
    what = ""

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = self.filterset_class(request.GET, queryset=self.rows())
        rows = filterset.qs.order_by(*self.order).values_list(*self.columns.values())
        frame = pd.DataFrame(list(rows), columns=list(self.columns))
        return _export(request, frame, self.filename, self.what)


class CDStockExportView(_StockExportView):
    filterset_class = CDStockFilter
    columns = {
        "sku": "product__sku",
        "product_name": "product__name",
        "category": "product__category",
        "units": "units",
        "snapshot_date": "snapshot_date",
    }
    order = ("product__sku",)
    filename = "stock-cd"
    what = gettext_lazy("Stock CD")

    def rows(self) -> QuerySet:
        return queries.cd_stock_rows()


class StoreStockExportView(_StockExportView):
    filterset_class = StoreStockFilter
    columns = {
        "store": "store__name",
        "sku": "product__sku",
        "product_name": "product__name",
        "category": "product__category",
        "units": "units",
        "snapshot_date": "snapshot_date",
    }
    order = ("store__name", "product__sku")
    filename = "stock-tiendas"
    what = gettext_lazy("Stock tiendas")

    def rows(self) -> QuerySet:
        return queries.store_stock_rows()


STORE_LINE_COLOURS = ["#dc3545", "#198754", "#fd7e14", "#6f42c1", "#0dcaf0"]
MAX_CHART_STORES = len(STORE_LINE_COLOURS)


class StockQueryView(TemplateView):
    """One SKU: CD stock and, per store, stock, weekly demand, WOC and last sale week."""

    template_name = "inventory/stock_query.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        text = (self.request.GET.get("sku") or "").strip()
        candidates = queries.product_search(text) if text else []
        context.update(text=text, candidates=candidates, result=None, uploads=upload_links())
        product: Product | None = candidates[0] if len(candidates) == 1 else None
        if product is None:
            return context
        as_of = RunsForm(self.request.GET).as_of_week()
        result = queries.stock_query(product, health.HealthParams(as_of=as_of))
        selected = self._selected_stores(result.stores)
        table = StockQueryStoreTable(FrameData(result.stores, decorate=decorate_alert))
        names = result.stores.set_index("store_id")["name"]
        context.update(
            product=product,
            result=result,
            params=health.HealthParams(),
            table=configure_table(self.request, table),
            selected=[{"id": sid, "name": names[sid]} for sid in selected],
            store_choices=[
                {"id": int(sid), "name": name, "selected": int(sid) in selected} for sid, name in names.items()
            ],
            totals={
                "store_stock": int(result.stores["stock"].sum()),
                "weekly_demand": float(result.stores["weekly_demand"].sum()),
                "stores_with_stock": int((result.stores["stock"] > 0).sum()),
                "stockouts": int((result.stores["alert"] == health.OUT_OF_STOCK_WITH_DEMAND).sum()),
            },
            sales_chart=self._chart(result, selected, names),
            as_of=as_of,
            demand_note=self._demand_note(result),
        )
        return context

    @staticmethod
    def _demand_note(result: queries.StockQueryResult) -> dict[str, Any] | None:
        """A SKU whose sales ended before the demand window has no demand now, and
        the page says so (0 is the honest current figure: its stock is not moving).
        The planner also gets its last selling week, one click away as the as-of."""
        last = result.stores["last_sale_week"].dropna()
        window = result.demand_window
        if last.empty or window is None or float(result.stores["weekly_demand"].sum()) > 0:
            return None
        last_week = pd.Timestamp(max(pd.to_datetime(last))).date()
        if last_week >= window[0]:
            return None
        return {"last_sale_week": last_week}

    def _selected_stores(self, stores: pd.DataFrame) -> list[int]:
        known = set(stores["store_id"].tolist())
        chosen: list[int] = []
        for raw in self.request.GET.getlist("store"):
            try:
                store_id = int(raw)
            except ValueError:
                continue
            if store_id in known and store_id not in chosen:
                chosen.append(store_id)
        return chosen[:MAX_CHART_STORES]

    @staticmethod
    def _chart(result: queries.StockQueryResult, selected: list[int], names: pd.Series) -> dict[str, Any]:
        datasets = [
            {
                "label": _("Red (todas las tiendas)"),
                "data": result.network_units,
                "borderColor": "#1f4e79",
                "backgroundColor": "rgba(31,78,121,.12)",
                "fill": True,
                "tension": 0.2,
            }
        ]
        for colour, store_id in zip(STORE_LINE_COLOURS, selected, strict=False):
            datasets.append(
                {
                    "label": str(names[store_id]),
                    "data": result.store_units.get(store_id, [0] * len(result.weeks)),
                    "borderColor": colour,
                    "backgroundColor": colour,
                    "tension": 0.2,
                }
            )
        first = _first_loaded_week()
        keep = [i for i, week in enumerate(result.weeks) if week >= first]
        for dataset in datasets:
            dataset["data"] = [dataset["data"][i] for i in keep]
        return _line_chart([result.weeks[i].isoformat() for i in keep], datasets, _("unidades / semana"))
