"""Tables of the stock pages (django-tables2, pages of 10/25/50)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
import pandas as pd
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from inventory import queries
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


class _PositionMixin:
    """SPEC v3 §5.7: beside the count (on hand), what is reserved, in transit
    and available — read for the page's rows at once (inventory.queries.stock_position)."""

    paginated_rows: Any

    def before_render(self, request: Any) -> None:
        records = [row.record for row in self.paginated_rows]
        product_ids = sorted({r.product_id for r in records})
        store_ids = sorted({r.store_id for r in records if getattr(r, "store_id", None)})
        frame = queries.stock_position(product_ids, store_ids, cd=not store_ids)
        found = {
            (int(r.product_id), None if pd.isna(r.store_id) else int(r.store_id)): (int(r.reserved), int(r.in_transit))
            for r in frame.itertuples(index=False)
        }
        for record in records:
            reserved, in_transit = found.get((record.product_id, getattr(record, "store_id", None)), (0, 0))
            record.reserved, record.in_transit = reserved, in_transit
            record.available = record.units - reserved + in_transit


def _position_column(name: Any) -> tables.Column:
    return tables.Column(verbose_name=name, orderable=False, empty_values=(), attrs=NUM, default=0)


class _StockTable(_PositionMixin, _SkuLinkMixin, tables.Table):
    """A stock row: what is on hand and what of it is promised or on its way."""

    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    name = tables.Column(accessor="product__name", verbose_name=_("Producto"))
    category = tables.Column(accessor="product__category", verbose_name=_("Categoría"), default="—")
    units = tables.Column(verbose_name=_("En existencia"), attrs=NUM)
    reserved = _position_column(_("Reservado"))
    in_transit = _position_column(_("En tránsito"))
    available = _position_column(_("Disponible"))
    snapshot_date = tables.DateColumn(format="Y-m-d", verbose_name=_("Fecha"))

    class Meta:
        fields: tuple[str, ...] = (
            "sku", "name", "category", "units", "reserved", "in_transit", "available", "snapshot_date",
        )  # fmt: skip
        attrs = {"class": "table table-sm table-hover align-middle"}


class CDStockTable(_StockTable):
    class Meta(_StockTable.Meta):
        model = CDStockSnapshot
        order_by = "sku"


class StoreStockTable(_StockTable):
    store = tables.Column(accessor="store__name", verbose_name=_("Tienda"))

    class Meta(_StockTable.Meta):
        model = StoreStockSnapshot
        fields = ("store", *_StockTable.Meta.fields)
        sequence = ("store", "...")
        order_by = ("store", "sku")
