"""Tables of the redistribution pages (django-tables2; 10/25/50 per page)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from redistribution.models import TransferLine, TransferPlan
from redistribution.services import REASON_LABELS


class PlanTable(tables.Table):
    plan_id = tables.LinkColumn("redistribution:plan_detail", args=[tables.A("plan_id")], verbose_name=_("plan"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("creado"))
    user = tables.Column(verbose_name=_("usuario"))
    mode = tables.Column(verbose_name=_("modo"))
    scope = tables.Column(verbose_name=_("alcance"))
    category = tables.Column(verbose_name=_("categoría"))
    destination = tables.Column(verbose_name=_("destino"), default=_("Todas las tiendas"), order_by="destination__name")
    origin = tables.Column(verbose_name=_("origen"), default="—", order_by="origin__name")
    line_count = tables.Column(verbose_name=_("movimientos"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    total_units = tables.Column(verbose_name=_("unidades"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
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
    qty = tables.Column(verbose_name=_("unidades"), attrs=NUM)
    destination_demand = tables.Column(verbose_name=_("dem. destino (u/sem)"), attrs=NUM)
    destination_stock = tables.Column(verbose_name=_("stock dest."), attrs=NUM)
    cover_before = tables.Column(verbose_name=_("cobertura (sem)"), attrs=NUM)
    origin_stock = tables.Column(verbose_name=_("stock orig."), attrs=NUM)
    origin_retain = tables.Column(verbose_name=_("piso orig."), attrs=NUM)
    reason = tables.Column(verbose_name=_("motivo"))
    explanation = tables.Column(verbose_name=_("explicación"), orderable=False, attrs={"td": {"class": "explanation"}})

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

    def render_destination_demand(self, value: float) -> str:
        return number_format(value, 2)

    def render_cover_before(self, value: float | None, record: TransferLine) -> str:
        before = "—" if value is None else number_format(value, 1)
        after = "—" if record.cover_after is None else number_format(record.cover_after, 1)
        return f"{before} → {after}"

    def render_explanation(self, value: str) -> str:
        return format_html("<details><summary>{}</summary>{}</details>", _("¿por qué?"), value)

    def render_reason(self, value: str, record: TransferLine) -> str:
        badge = "bg-danger" if record.urgent else "bg-secondary"
        return format_html('<span class="badge {}" title="{}">{}</span>', badge, REASON_LABELS.get(value, value), value)
