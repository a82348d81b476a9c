"""Tables of the stock pages (django-tables2, pages of 10/25/50)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from inventory.models import CDStockSnapshot, StoreStockSnapshot

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


def stock_query_url(**params: object) -> str:
    return reverse("inventory:stock_query") + "?" + urlencode(params)


class _SkuLinkMixin:
    def render_sku(self, value: str, record: Any) -> str:
        params: dict[str, object] = {"sku": value}
        if getattr(record, "store_id", None):
            params["store"] = record.store_id
        return format_html('<a href="{}">{}</a>', stock_query_url(**params), value)


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
