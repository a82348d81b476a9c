"""Store Health pages (the dashboard, the alert list and its export) and Stock
Query. Thin: read, shape, render.

Store Health comes from `health.queries.store_health_data`, computed once per
data version and cached; these views only filter, sort and slice the cached
frames (see the cache rule there).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fastdso import charts
from fastdso.exports import list_export_response
from fastdso.roles import PlannerRequiredMixin
from fastdso.tables import FrameData, configure_table
from health import engine, queries
from health.forms import AlertFilterForm, RunsForm, StoreHealthForm
from health.tables import (
    ALERT_LABELS,
    BUCKET_LABELS,
    AlertTable,
    StockQueryStoreTable,
    StoreHealthTable,
    decorate_alert,
)
from inventory import queries as inventory_queries
from inventory.models import Product
from inventory.views import upload_links
from sales import queries as sales_queries

BUCKET_COLOURS = {
    engine.STOCKOUT: charts.DANGER,
    engine.BELOW_MIN: charts.WARNING,
    engine.OK: charts.SUCCESS,
    engine.ABOVE_MAX: charts.INFO,
    engine.NO_DEMAND: charts.MUTED,
}
CHART_STORES = 15


class HealthMixin:
    """Reads ?runs= (the X of "SKUs in the last X runs") and the cached health data."""

    request: HttpRequest

    def health_params(self) -> engine.HealthParams:
        form = RunsForm(self.request.GET)
        return engine.HealthParams(last_runs=form.last_runs(), as_of=form.as_of_week())

    def health_data(self) -> queries.HealthData:
        return queries.store_health_data(self.health_params())


def _first_loaded_week() -> dt.date:
    """Charts start at the first week with loaded sales, not with empty weeks before it."""
    first = sales_queries.first_loaded_sale_date()
    return first - dt.timedelta(days=first.weekday()) if first else dt.date.min


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
        for bucket in engine.BUCKETS
        if record.get(bucket)
    ]


class DashboardView(HealthMixin, TemplateView):
    """The home page: Store Health KPIs, charts, the per-store table, recent runs and plans."""

    template_name = "health/dashboard.html"

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
            recent_runs=[{"run": run, "url": run.get_absolute_url()} for run in queries.recent_runs()],
            recent_plans=[{"plan": plan, "url": plan.get_absolute_url()} for plan in queries.recent_plans()],
            recent_jobs=queries.recent_jobs(),
            stores_chart=self._stores_chart(data.stores),
            buckets_chart=self._buckets_chart(data.kpis),
            sales_chart=self._sales_chart(data.network_sales),
        )
        return context

    @staticmethod
    def _stores_chart(stores: pd.DataFrame) -> dict[str, Any]:
        """Stacked bars: the stores with the most stock-outs with demand, by WOC bucket."""
        worst = stores.sort_values([engine.STOCKOUT, "name"], ascending=[False, True]).head(CHART_STORES)
        datasets = [
            charts.dataset(BUCKET_LABELS[bucket], worst[bucket].astype(int).tolist(), BUCKET_COLOURS[bucket])
            for bucket in engine.BUCKETS
        ]
        return charts.horizontal_bars(worst["name"].tolist(), datasets, stacked=True)

    @staticmethod
    def _buckets_chart(kpis: dict[str, int]) -> dict[str, Any]:
        keys = {
            engine.STOCKOUT: "stockouts",
            engine.BELOW_MIN: "below_min",
            engine.OK: "ok",
            engine.ABOVE_MAX: "above_max",
            engine.NO_DEMAND: "no_demand",
        }
        values = [kpis[keys[b]] - (kpis["no_demand"] if b == engine.ABOVE_MAX else 0) for b in engine.BUCKETS]
        labels = [BUCKET_LABELS[b] for b in engine.BUCKETS]
        return charts.doughnut(labels, values, [BUCKET_COLOURS[b] for b in engine.BUCKETS])

    @staticmethod
    def _sales_chart(network: pd.DataFrame) -> dict[str, Any]:
        labels = [w.isoformat() for w in network["week_start"]]
        units = network["units"].astype(int).tolist()
        line = charts.line_dataset(
            _("Unidades vendidas (red)"), units, charts.BRAND, fill=charts.BRAND_FILL, tension=0.2
        )
        return charts.weekly_line_chart(labels, [line], _("unidades / semana"))


class AlertListView(HealthMixin, TemplateView):
    """Every Store Health alert, filterable by store, category, alert type and SKU."""

    template_name = "health/health_alerts.html"

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
        return list_export_response(request, frame, "alertas-salud-tiendas", "Store Health: alertas")


STORE_LINE_COLOURS = [charts.DANGER, charts.SUCCESS, charts.ORANGE, charts.PURPLE, charts.INFO]
MAX_CHART_STORES = len(STORE_LINE_COLOURS)


class StockQueryView(TemplateView):
    """One SKU: CD stock and, per store, stock, weekly demand, WOC and last sale week."""

    template_name = "health/stock_query.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        text = (self.request.GET.get("sku") or "").strip()
        candidates = inventory_queries.product_search(text) if text else []
        context.update(text=text, candidates=candidates, result=None, uploads=upload_links())
        product: Product | None = candidates[0] if len(candidates) == 1 else None
        if product is None:
            return context
        as_of = RunsForm(self.request.GET).as_of_week()
        result = queries.stock_query(product, engine.HealthParams(as_of=as_of))
        selected = self._selected_stores(result.stores)
        table = StockQueryStoreTable(FrameData(result.stores, decorate=decorate_alert))
        names = result.stores.set_index("store_id")["name"]
        context.update(
            product=product,
            result=result,
            params=engine.HealthParams(),
            table=configure_table(self.request, table),
            selected=[{"id": sid, "name": names[sid]} for sid in selected],
            store_choices=[
                {"id": int(sid), "name": name, "selected": int(sid) in selected} for sid, name in names.items()
            ],
            totals={
                "store_stock": int(result.stores["stock"].sum()),
                "weekly_demand": float(result.stores["weekly_demand"].sum()),
                "stores_with_stock": int((result.stores["stock"] > 0).sum()),
                "stockouts": int((result.stores["alert"] == engine.OUT_OF_STOCK_WITH_DEMAND).sum()),
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
        network = _("Red (todas las tiendas)")
        datasets = [
            charts.line_dataset(network, result.network_units, charts.BRAND, fill=charts.BRAND_FILL, tension=0.2)
        ]
        for colour, store_id in zip(STORE_LINE_COLOURS, selected, strict=False):
            units = result.store_units.get(store_id, [0] * len(result.weeks))
            datasets.append(charts.line_dataset(str(names[store_id]), units, colour, tension=0.2))
        first = _first_loaded_week()
        keep = [i for i, week in enumerate(result.weeks) if week >= first]
        for dataset in datasets:
            dataset["data"] = [dataset["data"][i] for i in keep]
        return charts.weekly_line_chart([result.weeks[i].isoformat() for i in keep], datasets, _("unidades / semana"))
