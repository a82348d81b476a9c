"""Tables of the Store Health and Stock Query pages (django-tables2 over the
cached frames, through `fastdso.tables.FrameData`)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from fastdso.formatting import fmt_number, fmt_percent
from health import engine
from inventory.tables import NUM, stock_query_url

ALERT_LABELS = {
    engine.OUT_OF_STOCK_WITH_DEMAND: _("Quiebre con demanda"),
    engine.BELOW_MIN_WOC: _("Cobertura bajo el mínimo"),
    engine.ABOVE_MAX_WOC: _("Cobertura sobre el máximo"),
}
BUCKET_LABELS = {
    engine.STOCKOUT: _("Quiebre"),
    engine.BELOW_MIN: _("Bajo mín."),
    engine.OK: _("En rango"),
    engine.ABOVE_MAX: _("Sobre máx."),
    engine.NO_DEMAND: _("Sin demanda"),
}
ALERT_BADGES = {
    engine.OUT_OF_STOCK_WITH_DEMAND: "text-bg-danger",
    engine.BELOW_MIN_WOC: "text-bg-warning",
    engine.ABOVE_MAX_WOC: "text-bg-info",
}


def decorate_alert(record: dict[str, Any]) -> None:
    """Label and badge of a row's alert (and of its bucket) for the templates."""
    alert = str(record.get("alert") or "")
    record["alert_label"] = ALERT_LABELS.get(alert, "")
    record["alert_badge"] = ALERT_BADGES.get(alert, "")
    record["bucket_label"] = BUCKET_LABELS.get(str(record.get("bucket") or ""), "")


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
        return format_html('<a href="{}">{}</a>', stock_query_url(sku=value, store=record["store_id"]), value)

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
        return self._link(record, value, engine.OUT_OF_STOCK_WITH_DEMAND)

    def render_stockout_pct(self, value: float) -> str:
        return fmt_percent(value, 1)

    def render_below_min(self, value: int, record: dict[str, Any]) -> str:
        return self._link(record, value, engine.BELOW_MIN_WOC)

    def render_above_max(self, value: int, record: dict[str, Any]) -> str:
        return self._link(record, value, engine.ABOVE_MAX_WOC)

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


class StockQueryStoreTable(tables.Table):
    name = tables.Column(verbose_name=_("Tienda"))
    # SPEC v3 §5.7: what the count says, what is promised out, what is coming, and what is left.
    on_hand = tables.Column(verbose_name=_("En existencia"), attrs=NUM)
    reserved = tables.Column(verbose_name=_("Reservado"), attrs=NUM)
    in_transit = tables.Column(verbose_name=_("En tránsito"), attrs=NUM)
    stock = tables.Column(verbose_name=_("Disponible"), attrs=NUM)
    weekly_demand = DemandColumn(verbose_name=_("Demanda semanal"))
    woc = WocColumn(verbose_name=_("Cobertura (sem.)"))
    last_sale_week = tables.DateColumn(format="Y-m-d", verbose_name=_("Última semana con venta"), default="—")
    stock_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha stock"), default="—")
    bucket = tables.Column(verbose_name=_("Estado"), empty_values=())

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_name(self, value: str, record: dict[str, Any]) -> str:
        return format_html('<a href="{}">{}</a>', stock_query_url(sku=record["sku"], store=record["store_id"]), value)

    def render_bucket(self, record: dict[str, Any]) -> str:
        if record.get("alert"):
            return format_html('<span class="badge {}">{}</span>', record["alert_badge"], record["bucket_label"])
        return str(record.get("bucket_label") or "—")
