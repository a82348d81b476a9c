"""Tables of the redistribution pages (django-tables2; 10/25/50 per page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fastdso.formatting import fmt_number
from fastdso.labels import help_text, label
from fastdso.tables import NumberColumn
from redistribution import explain
from redistribution.models import TransferLine, TransferPlan


class PlanTable(tables.Table):
    plan_id = tables.LinkColumn("redistribution:plan_detail", args=[tables.A("plan_id")], verbose_name=_("plan"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("creado"))
    user = tables.Column(verbose_name=_("usuario"))
    mode = tables.Column(verbose_name=_("modo"))
    scope = tables.Column(verbose_name=_("alcance"))
    category = tables.Column(verbose_name=_("categoría"))
    destination = tables.Column(verbose_name=_("destino"), default=_("Todas las tiendas"), order_by="destination__name")
    origin = tables.Column(verbose_name=_("origen"), default="—", order_by="origin__name")
    line_count = NumberColumn(verbose_name=_("movimientos"))
    total_units = NumberColumn(verbose_name=_("unidades"))
    state = tables.Column(verbose_name=_("estado"))

    class Meta:
        model = TransferPlan
        fields = (
            "plan_id",
            "created_at",
            "user",
            "mode",
            "scope",
            "category",
            "destination",
            "origin",
            "line_count",
            "total_units",
            "state",
        )
        order_by = "-created_at"
        empty_text = _("Todavía no hay planes de redistribución.")


NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class TransferLineTable(tables.Table):
    sku = tables.Column(accessor="product__sku", verbose_name="SKU", order_by="product__sku")
    product = tables.Column(
        accessor="product__name", verbose_name=_("producto"), order_by="product__name", attrs={"td": {"class": "small"}}
    )
    origin_store = tables.Column(verbose_name=_("origen"), order_by="origin_store__name")
    destination_store = tables.Column(verbose_name=_("destino"), order_by="destination_store__name")
    qty = NumberColumn(verbose_name=_("unidades"))
    destination_demand = NumberColumn(verbose_name=_("dem. destino (u/sem)"), digits=2)
    destination_stock = NumberColumn(verbose_name=_("stock dest."))
    cover_before = tables.Column(verbose_name=_("cobertura (sem)"), attrs=NUM)
    origin_stock = NumberColumn(verbose_name=_("stock orig."))
    origin_retain = NumberColumn(verbose_name=_("piso orig."))
    reason = tables.Column(verbose_name=_("motivo"))
    # empty_values=(): a new line's stored text is empty; its explanation is rendered.
    explanation = tables.Column(
        verbose_name=_("explicación"), orderable=False, empty_values=(), attrs={"td": {"class": "explanation"}}
    )

    class Meta:
        model = TransferLine
        fields = (
            "sku",
            "product",
            "origin_store",
            "destination_store",
            "qty",
            "destination_demand",
            "destination_stock",
            "cover_before",
            "origin_stock",
            "origin_retain",
            "reason",
            "explanation",
        )
        order_by = ("sku",)
        empty_text = _("Ningún traslado coincide con el filtro.")

    def render_cover_before(self, value: float | None, record: TransferLine) -> str:
        before = fmt_number(value, 1)
        after = fmt_number(record.cover_after, 1)
        return f"{before} → {after}"

    def __init__(self, *args: Any, plan_params: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        self.plan_params = plan_params or {}
        super().__init__(*args, **kwargs)

    def before_render(self, request: Any) -> None:
        """The page's explanations at once (redistribution.explain)."""
        explain.explain_records((row.record for row in self.paginated_rows), self.plan_params)

    def render_explanation(self, value: str, record: TransferLine) -> str:
        text = getattr(record, "explanation_text", value)
        return format_html("<details><summary>{}</summary>{}</details>", _("¿por qué?"), text)

    def render_reason(self, value: str, record: TransferLine) -> str:
        badge = "bg-danger" if record.urgent else "bg-secondary"
        title = f"{value} · {help_text('reason', value)}"
        return format_html('<span class="badge {}" title="{}">{}</span>', badge, title, label("reason", value))
