"""Tables of runs, lines, stores, exceptions and comparisons (paginated 10/25/50)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from distribution import explain
from distribution.engine import COLD_START_MODEL
from distribution.models import DistributionLine, DistributionRun
from distribution.queries import GOODS, line_goods_attach
from fastdso.formatting import fmt_number, fmt_trimmed
from fastdso.tables import LabelColumn, NumberColumn

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class RunTable(tables.Table):
    run_id = tables.LinkColumn("distribution:run_detail", args=[tables.A("run_id")], verbose_name=_("Run"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Creado"))
    user = tables.Column(verbose_name=_("Usuario"))
    model_name = LabelColumn(verbose_name=_("Modelo"), kind="model")
    as_of_week = tables.DateColumn(format="Y-m-d", verbose_name=_("Semana de corte"))
    request_file_name = tables.Column(verbose_name=_("Solicitud"))
    scope_sku_count = NumberColumn(verbose_name=_("SKUs"))
    line_count = NumberColumn(verbose_name=_("Líneas"))
    total_suggested = NumberColumn(verbose_name=_("Sugerido"))
    total_allocated = NumberColumn(verbose_name=_("Asignado"))
    status = tables.Column(verbose_name=_("Generación"))
    state = tables.Column(verbose_name=_("Estado"))

    class Meta:
        model = DistributionRun
        fields = (
            "run_id",
            "created_at",
            "user",
            "model_name",
            "as_of_week",
            "request_file_name",
            "scope_sku_count",
            "line_count",
            "total_suggested",
            "total_allocated",
            "state",
            "status",
        )
        order_by = "-created_at"


def fmt_rate(value: float | None) -> str:
    """Rates with the decimals the explanations use (5,5 · 1,333), in the active locale."""
    return fmt_trimmed(value, 3)


class ExplainedTable(tables.Table):
    """A table of a run's lines whose explanations are rendered from their
    numbers (distribution.explain), the page's lines at once, before rendering."""

    def __init__(self, *args: Any, run_params: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        self.run_params = run_params or {}
        super().__init__(*args, **kwargs)

    def before_render(self, request: Any) -> None:
        explain.explain_records((row.record for row in self.paginated_rows), self.run_params)

    def render_explanation(self, value: str, record: DistributionLine) -> str:
        return getattr(record, "explanation_text", value)


def explanation_column(verbose_name: Any, css: str) -> tables.Column:
    # empty_values=(): a new line's stored text is empty; its explanation is rendered.
    return tables.Column(verbose_name=verbose_name, orderable=False, empty_values=(), attrs={"td": {"class": css}})


def held_sources(record: DistributionLine) -> str:
    """Who held what (SPEC §5.7): "CD: DR-…: 12 · en tránsito: DR-…" in the active
    language; lines of runs made before show what they stored."""
    if record.explanation:
        return format_html('<div class="small text-muted">{}</div>', record.reserved_by)
    parts = [(_("CD"), record.reserved_by), (_("en tránsito"), record.in_transit_by)]
    return format_html_join("", '<div class="small text-muted">{}: {}</div>', ((name, by) for name, by in parts if by))


class LineTable(ExplainedTable):
    sku = tables.TemplateColumn(
        '<span class="sku">{{ record.product.sku }}</span>'
        '<div class="small text-muted">{{ record.product.name }}</div>',
        accessor="product__sku",
        verbose_name=_("SKU"),
        order_by=("product__sku", "priority"),
    )
    store = tables.TemplateColumn(
        "{{ record.store.name }}"
        '{% if record.store.code %}<div class="small text-muted store-code">{{ record.store.code }}</div>{% endif %}',
        accessor="store__name",
        verbose_name=_("Tienda"),
    )
    category = tables.Column(verbose_name=_("Categoría"))
    rate = NumberColumn(verbose_name=_("Venta/sem"))
    store_stock = NumberColumn(verbose_name=_("Stock tienda"))
    suggested_qty = NumberColumn(verbose_name=_("Sugerido"))
    allocated_qty = NumberColumn(verbose_name=_("Asignado"))
    model_name = LabelColumn(verbose_name=_("Modelo"), kind="model")
    reason = LabelColumn(verbose_name=_("Motivo"), kind="reason")
    explanation = explanation_column(_("Cálculo"), "explanation explanation-wide")
    # SPEC §5.7: what other runs and plans held or moved when this line was planned.
    reserved_by = tables.Column(verbose_name=_("Reservado / en tránsito"), orderable=False, empty_values=())
    # SPEC v3 §5.7: what happened to this line's goods since (reserved, shipped, in transit, received).
    goods = tables.Column(verbose_name=_("Envío"), orderable=False, empty_values=())

    class Meta:
        model = DistributionLine
        fields = (
            "sku",
            "store",
            "category",
            "rate",
            "store_stock",
            "suggested_qty",
            "allocated_qty",
            "model_name",
            "reason",
            "reserved_by",
            "goods",
            "explanation",
        )

    def __init__(self, *args: Any, run: DistributionRun | None = None, **kwargs: Any) -> None:
        self.run = run
        super().__init__(*args, **kwargs)

    def before_render(self, request: Any) -> None:
        super().before_render(request)
        if self.run is not None:
            line_goods_attach((row.record for row in self.paginated_rows), self.run)

    def render_goods(self, record: DistributionLine) -> str:
        values = [getattr(record, f"goods_{name}", 0) for name in GOODS]
        if not any(values):
            return "—"
        names = [_("reservado"), _("despachado"), _("en tránsito"), _("recibido")]
        return format_html_join(
            "",
            '<div class="text-nowrap small">{}: {}</div>',
            ((name, fmt_number(value)) for name, value in zip(names, values, strict=True) if value),
        )

    def render_reserved_by(self, record: DistributionLine) -> str:
        if not (record.cd_reserved or record.in_transit):
            return "—"
        cd = format_html('<div class="text-nowrap">CD −{}</div>', fmt_number(record.cd_reserved))
        transit = format_html(
            '<div class="text-nowrap">{} {}</div>', fmt_number(record.in_transit, sign=True), _("en tránsito")
        )
        return format_html(
            "{}{}{}",
            cd if record.cd_reserved else "",
            transit if record.in_transit else "",
            held_sources(record),
        )

    def render_rate(self, value: float, record: DistributionLine) -> str:
        # A cold-start line's rate is the cat_rate it was planned at (SPEC §5.3).
        # Runs made before v2 stored 0 there: they show their category's rate.
        if record.model_name == COLD_START_MODEL and not value and record.category_rate:
            return fmt_rate(record.category_rate)
        return fmt_rate(value)


class StoreTotalsTable(tables.Table):
    store__name = tables.Column(verbose_name=_("Tienda"))
    store__code = tables.Column(verbose_name=_("Código de tienda"), default="—")
    skus = NumberColumn(verbose_name=_("SKUs"))
    stock = NumberColumn(verbose_name=_("Stock tienda (SKUs del run)"))
    suggested = NumberColumn(verbose_name=_("Sugerido"))
    allocated = NumberColumn(verbose_name=_("Asignado"))
    cold_start_allocated = NumberColumn(verbose_name=_("Asignado arranque en frío"))

    class Meta:
        order_by = "-allocated"


class ExceptionTable(ExplainedTable):
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    product_name = tables.Column(accessor="product__name", verbose_name=_("Producto"))
    category = tables.Column(verbose_name=_("Categoría"), default="—")
    # A SKU without a line has no store; a pair left empty by a pack names its store (SPEC v3 §5.4a).
    store = tables.Column(accessor="store__name", verbose_name=_("Tienda"), default="—")
    reason = LabelColumn(verbose_name=_("Motivo"), kind="reason")
    explanation = explanation_column(_("Por qué no recibe"), "explanation")

    class Meta:
        model = DistributionLine
        fields = ("sku", "product_name", "category", "store", "reason", "explanation")


class NoCdStockTable(tables.Table):
    product__sku = tables.Column(verbose_name=_("SKU"))
    product__name = tables.Column(verbose_name=_("Producto"))
    category = tables.Column(verbose_name=_("Categoría"), default="—")
    stores = NumberColumn(verbose_name=_("Tiendas con necesidad"))
    suggested = NumberColumn(verbose_name=_("Sugerido sin asignar"))


class CompareTable(tables.Table):
    product__sku = tables.Column(verbose_name=_("SKU"))
    product__name = tables.Column(verbose_name=_("Producto"))
    store__name = tables.Column(verbose_name=_("Tienda"))
    allocated_a = NumberColumn(verbose_name=_("Asignado A"))
    allocated_b = NumberColumn(verbose_name=_("Asignado B"))
    delta = tables.TemplateColumn(
        "{% if value > 0 %}+{% endif %}{{ value }}", verbose_name=_("Diferencia (B − A)"), attrs=NUM
    )
