"""Tables of the Store Health and stock pages (django-tables2, pages of 10/25/50)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import django_tables2 as tables
import pandas as pd
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData
from django_tables2.utils import OrderBy

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
    return number_format(value, decimal_pos=1, force_grouping=True)


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
        return number_format(value, decimal_pos=2, force_grouping=True)


class AlertTable(tables.Table):
    store = tables.Column(verbose_name=_("Tienda"))
    sku = tables.TemplateColumn(
        "<a href=\"{% url 'inventory:stock_query' %}?sku={{ value|urlencode }}\">{{ value }}</a>", verbose_name=_("SKU")
    )
    name = tables.Column(verbose_name=_("Producto"))
    category = tables.Column(verbose_name=_("Categoría"), default="—")
    stock = tables.Column(verbose_name=_("Stock tienda"), attrs=NUM)
    weekly_demand = DemandColumn(verbose_name=_("Demanda semanal"))
    woc = WocColumn(verbose_name=_("Cobertura (sem.)"))
    alert = tables.TemplateColumn(
        '<span class="badge {{ record.alert_badge }}">{{ record.alert_label }}</span>', verbose_name=_("Alerta")
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        orderable = True


def _alerts_link(alert: str = "") -> str:
    """Template of a count that links to the store's alerts (of one type), keeping ?runs=."""
    kind = f"&amp;alert={alert}" if alert else ""
    return (
        "{% load humanize %}<a href=\"{% url 'inventory:health_alerts' %}?store={{ record.store_id }}"
        + kind
        + '&amp;runs={{ record.runs }}">{{ value|intcomma }}</a>'
    )


class StoreHealthTable(tables.Table):
    name = tables.TemplateColumn(
        "<a href=\"{% url 'inventory:health_alerts' %}?store={{ record.store_id }}&amp;runs={{ record.runs }}\">"
        "{{ value }}</a>",
        verbose_name=_("Tienda"),
    )
    stock_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha stock"), default="—")
    active = tables.Column(verbose_name=_("SKUs evaluados"), attrs=NUM)
    stockout = tables.TemplateColumn(
        _alerts_link(health.OUT_OF_STOCK_WITH_DEMAND), verbose_name=_("Quiebres con demanda"), attrs=NUM
    )
    stockout_pct = tables.TemplateColumn("{{ value|floatformat:1 }} %", verbose_name=_("% quiebre"), attrs=NUM)
    below_min = tables.TemplateColumn(_alerts_link(health.BELOW_MIN_WOC), verbose_name=_("Bajo mín."), attrs=NUM)
    ok = tables.Column(verbose_name=_("En rango"), attrs=NUM)
    above_max = tables.TemplateColumn(_alerts_link(health.ABOVE_MAX_WOC), verbose_name=_("Sobre máx."), attrs=NUM)
    no_demand = tables.Column(verbose_name=_("Sin demanda"), attrs=NUM)
    distribution = tables.TemplateColumn(
        template_name="inventory/_woc_bar.html", verbose_name=_("Distribución de cobertura"), orderable=False
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}


class CDStockTable(tables.Table):
    sku = tables.TemplateColumn(
        "<a href=\"{% url 'inventory:stock_query' %}?sku={{ value|urlencode }}\">{{ value }}</a>",
        accessor="product__sku",
        verbose_name=_("SKU"),
    )
    name = tables.Column(accessor="product__name", verbose_name=_("Producto"))
    category = tables.Column(accessor="product__category", verbose_name=_("Categoría"), default="—")
    units = tables.Column(verbose_name=_("Unidades"), attrs=NUM)
    snapshot_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha"))

    class Meta:
        model = CDStockSnapshot
        fields = ("sku", "name", "category", "units", "snapshot_date")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = "sku"


class StoreStockTable(tables.Table):
    store = tables.Column(accessor="store__name", verbose_name=_("Tienda"))
    sku = tables.TemplateColumn(
        "<a href=\"{% url 'inventory:stock_query' %}?sku={{ value|urlencode }}&amp;store={{ record.store_id }}\">"
        "{{ value }}</a>",
        accessor="product__sku",
        verbose_name=_("SKU"),
    )
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
    name = tables.TemplateColumn(
        '<a href="?sku={{ record.sku|urlencode }}&amp;store={{ record.store_id }}">{{ value }}</a>',
        verbose_name=_("Tienda"),
    )
    stock = tables.Column(verbose_name=_("Stock"), attrs=NUM)
    weekly_demand = DemandColumn(verbose_name=_("Demanda semanal"))
    woc = WocColumn(verbose_name=_("Cobertura (sem.)"))
    last_sale_week = tables.DateColumn(format="Y-m-d", verbose_name=_("Última semana con venta"), default="—")
    stock_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha stock"), default="—")
    bucket = tables.TemplateColumn(
        '{% if record.alert %}<span class="badge {{ record.alert_badge }}">{{ record.bucket_label }}</span>'
        "{% elif record.bucket_label %}{{ record.bucket_label }}{% else %}—{% endif %}",
        verbose_name=_("Estado"),
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
