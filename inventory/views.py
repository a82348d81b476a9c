"""Stock pages (CD, stores) and their exports. Thin: read, shape, render.
Store Health and Stock Query are in the health app."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views import View
from django_filters.views import FilterView

from fastdso.exports import list_export_response
from fastdso.roles import PlannerRequiredMixin
from fastdso.tables import PagedTableMixin
from inventory import queries
from inventory.filters import CDStockFilter, StoreStockFilter
from inventory.models import Store
from inventory.tables import (
    CDStockTable,
    StoreStockTable,
)


def upload_links() -> dict[str, str]:
    return {
        "cd": reverse("inventory:cd_stock_upload"),
        "stores": reverse("inventory:store_stock_upload"),
        "products": reverse("inventory:product_upload"),
    }


class _StockListView(PagedTableMixin, FilterView):
    template_name = "inventory/stock_list.html"
    default_page_size = 25
    page_title: Promise | str = ""  # lazy: rendered in the viewer's language
    export_url_name = ""
    upload_key = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload = upload_links()[self.upload_key]
        context.update(
            page_title=self.page_title,
            export_url=reverse(self.export_url_name),
            upload_url=upload,
            query=self.request.GET.urlencode(),
        )
        return context


class CDStockView(_StockListView):
    """The current CD snapshot (its latest date), paged in the database."""

    table_class = CDStockTable
    filterset_class = CDStockFilter
    export_url_name = "inventory:cd_stock_export"
    upload_key = "cd"

    page_title = gettext_lazy("Stock CD")

    def get_queryset(self) -> QuerySet:
        return queries.cd_stock_rows()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["snapshot_note"] = {"cd_date": queries.cd_stock_date()}
        return context


class StoreStockView(_StockListView):
    """Each store's current snapshot (its own latest date), paged in the database."""

    table_class = StoreStockTable
    filterset_class = StoreStockFilter
    export_url_name = "inventory:store_stock_export"
    upload_key = "stores"

    page_title = gettext_lazy("Stock tiendas")

    def get_queryset(self) -> QuerySet:
        return queries.store_stock_rows()

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        """With nothing to narrow the rows (no store, search or category), show the
        first store: all stores at once is a sort of every current row (100k+)."""
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = (kwargs["data"] or QueryDict()).copy()
        self.default_store = None
        if not any(data.get(name) for name in ("store", "q", "category")):
            first = Store.objects.exclude(stock_date=None).order_by("name").first()
            if first is not None:
                data["store"] = str(first.pk)
                self.default_store = first
        kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["snapshot_note"] = {"store_dates": queries.store_stock_dates()}
        context["default_store"] = self.default_store
        context["query"] = self.filterset.data.urlencode()
        return context


class _StockExportView(PlannerRequiredMixin, View):
    filterset_class: type = CDStockFilter
    columns: dict[str, str] = {}  # noqa: RUF012 - read only
    order: tuple[str, ...] = ()
    filename = ""
    what = ""

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = self.filterset_class(request.GET, queryset=self.rows())
        rows = filterset.qs.order_by(*self.order).values_list(*self.columns.values())
        frame = pd.DataFrame(list(rows), columns=list(self.columns))
        return list_export_response(request, frame, self.filename, self.what)


class CDStockExportView(_StockExportView):
    filterset_class = CDStockFilter
    columns = {
        "sku": "product__sku",
        "product_name": "product__name",
        "category": "product__category",
        "units": "units",
        "snapshot_date": "snapshot_date",
    }
    order = ("product__sku",)
    filename = "stock-cd"
    what = gettext_lazy("Stock CD")

    def rows(self) -> QuerySet:
        return queries.cd_stock_rows()


class StoreStockExportView(_StockExportView):
    filterset_class = StoreStockFilter
    columns = {
        "store": "store__name",
        "sku": "product__sku",
        "product_name": "product__name",
        "category": "product__category",
        "units": "units",
        "snapshot_date": "snapshot_date",
    }
    order = ("store__name", "product__sku")
    filename = "stock-tiendas"
    what = gettext_lazy("Stock tiendas")

    def rows(self) -> QuerySet:
        return queries.store_stock_rows()
