"""Tables of the Store Health and stock pages (django-tables2, pages of 10/25/50)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
import pandas as pd
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData
from django_tables2.utils import OrderBy

from fastdso.formatting import fmt_number, fmt_percent
from inventory import health
from inventory.models import CDStockSnapshot, StoreStockSnapshot

ALERT_LABELS = {
    health.OUT_OF_STOCK_WITH_DEMAND: _("Quiebre con demanda"),
    health.BELOW_MIN_WOC: _("Cobertura bajo el mínimo"),
    health.ABOVE_MAX_WOC: _("Cobertura sobre el máximo"),
}
BUCKET_LABELS = {
    health.STOCKOUT: _("Quiebre"),
    health.BELOW_MIN: _("Bajo mín."),
    health.OK: _("En rango"),
    health.ABOVE_MAX: _("Sobre máx."),
    health.NO_DEMAND: _("Sin demanda"),
}
ALERT_BADGES = {
    health.OUT_OF_STOCK_WITH_DEMAND: "text-bg-danger",
    health.BELOW_MIN_WOC: "text-bg-warning",
    health.ABOVE_MAX_WOC: "text-bg-info",
}

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class FrameData(TableData):
    """A DataFrame as table data: only the rows of the page are turned into dicts.

    django-tables2 slices its data for the page and sorts it through
    `order_by`; both happen on the frame (pandas), so a 200k-row frame costs
    one vectorised sort at most and 10–50 small dicts per page.
    """

    def __init__(self, frame: pd.DataFrame, decorate: Callable[[dict[str, Any]], None] | None = None) -> None:
        super().__init__(frame)
        self.frame = frame
        self.decorate = decorate

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            return self._records(self.frame.iloc[key])
        return self._records(self.frame.iloc[[key]])[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(0, len(self.frame), 1000):
            yield from self._records(self.frame.iloc[start : start + 1000])

    def _records(self, part: pd.DataFrame) -> list[dict[str, Any]]:
        records = part.astype(object).to_dict("records")
        for record in records:
            for key, value in record.items():
                if isinstance(value, float) and math.isnan(value):
                    record[key] = None
            if self.decorate is not None:
                self.decorate(record)
        return records

    def order_by(self, aliases: Any) -> None:
        columns: list[str] = []
        ascending: list[bool] = []
        for alias in aliases:
            bound = self.table.columns[OrderBy(alias).bare]
            accessors = bound.order_by if alias[0] == bound.order_by_alias[0] else bound.order_by.opposite
            for accessor in accessors:
                name = OrderBy(accessor).bare
                if name in self.frame.columns:
                    columns.append(name)
                    ascending.append(not OrderBy(accessor).is_descending)
        if columns:
            self.frame = self.frame.sort_values(columns, ascending=ascending, kind="stable", na_position="last")
            self.data = self.frame


def decorate_alert(record: dict[str, Any]) -> None:
    """Label and badge of a row's alert (and of its bucket) for the templates."""
    alert = record.get("alert")
    record["alert_label"] = ALERT_LABELS.get(alert, "")
    record["alert_badge"] = ALERT_BADGES.get(alert, "")
    record["bucket_label"] = BUCKET_LABELS.get(record.get("bucket"), "")


def woc_display(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return str(_("sin demanda"))
    return fmt_number(value, 1)


class WocColumn(tables.Column):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", NUM)
        super().__init__(empty_values=(), **kwargs)

    def render(self, value: float | None) -> str:
        return woc_display(value)


class DemandColumn(tables.Column):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", NUM)
        super().__init__(**kwargs)

    def render(self, value: float) -> str:
        return fmt_number(value, 2)


def _query_url(**params: object) -> str:
    return reverse("inventory:stock_query") + "?" + urlencode(params)


def _alerts_url(**params: object) -> str:
    return reverse("inventory:health_alerts") + "?" + urlencode(params)


class AlertTable(tables.Table):
    """Rows come from FrameData with decorate_alert; cells are built with
    format_html (no per-cell template compilation)."""

    store = tables.Column(verbose_name=_("Tienda"))
    sku = tables.Column(verbose_name=_("SKU"))
    name = tables.Column(verbose_name=_("Producto"))
    category = tables.Column(verbose_name=_("Categoría"), default="—")
    stock = tables.Column(verbose_name=_("Stock tienda"), attrs=NUM)
    weekly_demand = DemandColumn(verbose_name=_("Demanda semanal"))
    woc = WocColumn(verbose_name=_("Cobertura (sem.)"))
    alert = tables.Column(verbose_name=_("Alerta"))

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_sku(self, value: str, record: dict[str, Any]) -> str:
        return format_html('<a href="{}">{}</a>', _query_url(sku=value, store=record["store_id"]), value)

    def render_alert(self, record: dict[str, Any]) -> str:
        return format_html('<span class="badge {}">{}</span>', record["alert_badge"], record["alert_label"])


class StoreHealthTable(tables.Table):
    name = tables.Column(verbose_name=_("Tienda"))
    stock_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha stock"), default="—")
    active = tables.Column(verbose_name=_("SKUs evaluados"), attrs=NUM)
    stockout = tables.Column(verbose_name=_("Quiebres con demanda"), attrs=NUM)
    stockout_pct = tables.Column(verbose_name=_("% quiebre"), attrs=NUM)
    below_min = tables.Column(verbose_name=_("Bajo mín."), attrs=NUM)
    ok = tables.Column(verbose_name=_("En rango"), attrs=NUM)
    above_max = tables.Column(verbose_name=_("Sobre máx."), attrs=NUM)
    no_demand = tables.Column(verbose_name=_("Sin demanda"), attrs=NUM)
    distribution = tables.Column(
        verbose_name=_("Distribución de cobertura"), orderable=False, empty_values=(), accessor="store_id"
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}

    @staticmethod
    def _link(record: dict[str, Any], value: int, alert: str) -> str:
        url = _alerts_url(store=record["store_id"], alert=alert, runs=record["runs"])
        return format_html('<a href="{}">{}</a>', url, fmt_number(value))

    def render_name(self, value: str, record: dict[str, Any]) -> str:
        url = _alerts_url(store=record["store_id"], runs=record["runs"])
        return format_html('<a href="{}">{}</a>', url, value)

    def render_active(self, value: int) -> str:
        return fmt_number(value)

    def render_stockout(self, value: int, record: dict[str, Any]) -> str:
        return self._link(record, value, health.OUT_OF_STOCK_WITH_DEMAND)

    def render_stockout_pct(self, value: float) -> str:
        return fmt_percent(value, 1)

    def render_below_min(self, value: int, record: dict[str, Any]) -> str:
        return self._link(record, value, health.BELOW_MIN_WOC)

    def render_above_max(self, value: int, record: dict[str, Any]) -> str:
        return self._link(record, value, health.ABOVE_MAX_WOC)

    def render_distribution(self, record: dict[str, Any]) -> str:
        """A stacked bar of the store's WOC buckets (inline widths are allowed by the CSP)."""
        segments = format_html_join(
            "",
            '<div class="progress" role="progressbar" style="width: {}%" title="{}: {}">'
            '<div class="progress-bar" style="background-color: {}"></div></div>',
            ((seg["pct"], seg["label"], seg["count"], seg["colour"]) for seg in record["segments"]),
        )
        return format_html(
            '<div class="progress-stacked" style="height: .9rem; min-width: 10rem" role="img" aria-label="{}">{}</div>',
            _("Distribución de cobertura"),
            segments,
        )


class _SkuLinkMixin:
    def render_sku(self, value: str, record: Any) -> str:
        params: dict[str, object] = {"sku": value}
        if getattr(record, "store_id", None):
            params["store"] = record.store_id
        return format_html('<a href="{}">{}</a>', _query_url(**params), value)


class CDStockTable(_SkuLinkMixin, tables.Table):
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    name = tables.Column(accessor="product__name", verbose_name=_("Producto"))
    category = tables.Column(accessor="product__category", verbose_name=_("Categoría"), default="—")
    units = tables.Column(verbose_name=_("Unidades"), attrs=NUM)
    snapshot_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha"))

    class Meta:
        model = CDStockSnapshot
        fields = ("sku", "name", "category", "units", "snapshot_date")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = "sku"


class StoreStockTable(_SkuLinkMixin, tables.Table):
    store = tables.Column(accessor="store__name", verbose_name=_("Tienda"))
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    name = tables.Column(accessor="product__name", verbose_name=_("Producto"))
    category = tables.Column(accessor="product__category", verbose_name=_("Categoría"), default="—")
    units = tables.Column(verbose_name=_("Unidades"), attrs=NUM)
    snapshot_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha"))

    class Meta:
        model = StoreStockSnapshot
        fields = ("store", "sku", "name", "category", "units", "snapshot_date")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("store", "sku")


class StockQueryStoreTable(tables.Table):
    name = tables.Column(verbose_name=_("Tienda"))
    stock = tables.Column(verbose_name=_("Stock"), attrs=NUM)
    weekly_demand = DemandColumn(verbose_name=_("Demanda semanal"))
    woc = WocColumn(verbose_name=_("Cobertura (sem.)"))
    last_sale_week = tables.DateColumn(format="Y-m-d", verbose_name=_("Última semana con venta"), default="—")
    stock_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha stock"), default="—")
    bucket = tables.Column(verbose_name=_("Estado"), empty_values=())

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_name(self, value: str, record: dict[str, Any]) -> str:
        return format_html('<a href="{}">{}</a>', _query_url(sku=record["sku"], store=record["store_id"]), value)

    def render_bucket(self, record: dict[str, Any]) -> str:
        if record.get("alert"):
            return format_html('<span class="badge {}">{}</span>', record["alert_badge"], record["bucket_label"])
        return str(record.get("bucket_label") or "—")
