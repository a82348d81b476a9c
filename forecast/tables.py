"""Tables of forecast runs and of a run's lines (paginated 10/25/50, sortable)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from fastdso import charts
from fastdso.formatting import fmt_number
from forecast.models import ForecastLine, ForecastRun

SOURCE_BADGES = {
    ForecastLine.Source.MACRO: "text-bg-success",
    ForecastLine.Source.CATEGORY_PROXY: "text-bg-warning",
    ForecastLine.Source.NO_HISTORY: "text-bg-secondary",
}
NOTES = {
    "NO_CATEGORY": _("SKU sin categoría"),
    "NO_CATEGORY_SALES": _("la categoría no vendió en la ventana"),
    "NET_SALES_NOT_POSITIVE": _("ventas netas ≤ 0 en la ventana: promedio 0"),
}


class IntColumn(tables.Column):
    def render(self, value: Any) -> str:
        return _fmt_int(value)


class ForecastRunTable(tables.Table):
    id = tables.LinkColumn("forecast:run_detail", args=[tables.A("pk")], verbose_name="#")
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("fecha"))
    user = tables.Column(verbose_name=_("usuario"))
    scope = tables.Column(verbose_name=_("entrada"), accessor="scope_label", order_by=("scope", "category"))
    stores = tables.Column(verbose_name=_("tiendas"), accessor="store_names", orderable=False)
    weeks = tables.Column(verbose_name=_("semanas"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    coverage_weeks = tables.Column(verbose_name=_("cobertura"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    as_of_week = tables.DateColumn(format="Y-m-d", verbose_name=_("corte"))
    sku_count = IntColumn(verbose_name=_("SKUs"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    purchase_units = IntColumn(
        verbose_name=_("compra (u.)"), attrs={"td": {"class": "num fw-semibold"}, "th": {"class": "num"}}
    )

    class Meta:
        model = ForecastRun
        fields = ("id", "created_at", "user", "scope", "stores", "weeks", "coverage_weeks", "as_of_week")
        sequence = ("id", "created_at", "user", "scope", "stores", "weeks", "coverage_weeks", "as_of_week")
        order_by = "-created_at"

    def render_stores(self, value: list[str]) -> str:
        if not value:
            return str(_("Todas"))
        return ", ".join(value[:3]) + (f" +{len(value) - 3}" if len(value) > 3 else "")


def _num(fmt: str = "") -> dict[str, Any]:
    return {"td": {"class": f"num {fmt}".strip()}, "th": {"class": "num"}, "tf": {"class": "num"}}


def _total(name: str, *, decimals: bool = False) -> Any:
    """A footer showing the total of `name` over all filtered lines (not just the page)."""

    def footer(table: ForecastLineTable) -> str:
        value = table.totals.get(name)
        return _fmt_float(value) if decimals else _fmt_int(value)

    return footer


class ForecastLineTable(tables.Table):
    """One row per SKU: the inputs of each number are visible next to it."""

    position = tables.Column(verbose_name="#", attrs=_num("text-muted"))
    sku = tables.Column(verbose_name=_("SKU"), footer=_("Total"))
    product_name = tables.Column(verbose_name=_("producto"))
    category = tables.Column(verbose_name=_("categoría"))
    source = tables.Column(verbose_name=_("fuente"))
    window_units = IntColumn(footer=_total("window_units"), verbose_name=_("u. en ventana"), attrs=_num())
    avg_weekly = tables.Column(
        footer=_total("avg_weekly", decimals=True), verbose_name=_("prom. semanal"), attrs=_num()
    )
    coverage_units = IntColumn(footer=_total("coverage_units"), verbose_name=_("cobertura (u.)"), attrs=_num())
    # The stock position as Stock Query says it (CD + selected stores): purchase = coverage − available.
    on_hand = IntColumn(footer=_total("on_hand"), verbose_name=_("existencias"), attrs=_num())
    reserved = IntColumn(footer=_total("reserved"), verbose_name=_("reservado"), attrs=_num())
    in_transit = IntColumn(footer=_total("in_transit"), verbose_name=_("en tránsito"), attrs=_num())
    available = IntColumn(footer=_total("available"), verbose_name=_("disponible"), attrs=_num())
    purchase_qty = IntColumn(footer=_total("purchase_qty"), verbose_name=_("compra"), attrs=_num("fw-semibold"))
    history = tables.Column(verbose_name=_("historia semanal"), orderable=False, empty_values=())

    class Meta:
        model = ForecastLine
        fields = (
            "position",
            "sku",
            "product_name",
            "category",
            "source",
            "window_units",
            "avg_weekly",
            "coverage_units",
            "on_hand",
            "reserved",
            "in_transit",
            "available",
            "purchase_qty",
            "history",
        )
        order_by = "position"
        attrs = {"class": "table table-sm table-hover align-middle forecast-lines"}

    def __init__(
        self,
        *args: Any,
        run: ForecastRun,
        totals: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.run = run
        self.week_labels = [w.strftime("%d/%m") for w in run.window_weeks]
        self.totals = totals or {}
        self.columns["coverage_units"].column.verbose_name = _("cobertura %(w)s sem. (u.)") % {"w": run.coverage_weeks}

    def render_sku(self, value: str) -> SafeString:
        return format_html('<span class="font-monospace">{}</span>', value)

    def render_source(self, value: str, record: ForecastLine) -> SafeString:
        badge = format_html(
            '<span class="badge {}">{}</span>', SOURCE_BADGES.get(record.source, ""), record.get_source_display()
        )
        detail = ""
        if record.source == ForecastLine.Source.CATEGORY_PROXY:
            detail = _("promedio de «%(cat)s» por SKU con venta (%(n)s SKUs)") % {
                "cat": record.category,
                "n": record.proxy_skus,
            }
        elif record.note in NOTES:
            detail = NOTES[record.note]
        if record.end_of_life:
            eol = _(
                "fin de vida: sin venta en las últimas %(w)s semanas con stock en tiendas (sin la marca: %(q)s u.)"
            ) % {
                "w": self.run.eol_weeks,
                "q": _fmt_int(record.unflagged_qty),
            }
            badge = format_html('{} <span class="badge text-bg-danger">{}</span>', badge, _("Fin de vida"))
            detail = f"{detail} · {eol}" if detail else eol
        if record.product_id is None:
            detail = f"{detail} · {_('no está en el catálogo')}" if detail else _("no está en el catálogo")
        if detail:
            return format_html('{}<div class="explanation">{}</div>', badge, detail)
        return badge

    def render_avg_weekly(self, value: float | None, record: ForecastLine) -> str | SafeString:
        if record.level is None or record.alpha is None:
            return _fmt_float(value)
        detail = _("nivel %(level)s · α %(alpha)s · índice %(s)s") % {
            "level": _fmt_float(record.level),
            "alpha": fmt_number(record.alpha, 1),
            "s": _fmt_float(record.season_factor),
        }
        return format_html('{}<div class="explanation">{}</div>', _fmt_float(value), detail)

    def render_history(self, record: ForecastLine) -> SafeString:
        """A sparkline drawn by app.js: only the rows of the current page are rendered."""
        element_id = f"fc-spark-{record.pk}"
        return format_html(
            '<div class="chart-spark"><canvas data-chart="{}" aria-label="{}"></canvas></div>{}',
            element_id,
            _("Ventas semanales de %(sku)s") % {"sku": record.sku},
            json_script(sparkline_config(record, self.week_labels), element_id),
        )

    def value_history(self, record: ForecastLine) -> str:
        return " ".join(str(v) for v in record.history)

    def value_avg_weekly(self, value: float | None) -> str:
        return _fmt_float(value)


def sparkline_config(record: ForecastLine, labels: list[str]) -> dict[str, Any]:
    """A tiny Chart.js bar chart of the weekly units, with the average as a dashed line."""
    datasets = [charts.dataset(str(_("unidades")), record.history, charts.BRAND, type="bar", borderRadius=1)]
    if record.avg_weekly is not None:
        proxy = record.source == ForecastLine.Source.CATEGORY_PROXY
        average = charts.dataset(
            str(_("proxy categoría") if proxy else _("promedio")),
            [round(record.avg_weekly, 2)] * len(labels),
            type="line",
            borderColor=charts.ORANGE if proxy else charts.GREY,
            borderDash=[4, 3],
            borderWidth=1.5,
            pointRadius=0,
        )
        datasets.append(average)
    return charts.chart(
        "bar",
        labels,
        datasets,
        plugins=charts.legend(display=False),
        scales={"x": {"display": False}, "y": {"display": False, "beginAtZero": True}},
    )


def _fmt_int(value: Any) -> str:
    if value is None:
        return "—"
    return fmt_number(int(value))


def _fmt_float(value: Any) -> str:
    if value is None:
        return "—"
    return fmt_number(value, 2)
