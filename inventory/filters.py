"""Filters of the stock pages (querysets, django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inventory.models import CDStockSnapshot, Store, StoreStockSnapshot
from inventory.queries import product_categories

SEARCH_ATTRS = {"class": "form-control form-control-sm", "placeholder": _("SKU, nombre…")}
SELECT_ATTRS = {"class": "form-select form-select-sm"}


def _category_choices() -> list[tuple[str, str]]:
    return [(c, c) for c in product_categories()]


class _StockFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Buscar"), widget=forms.TextInput(attrs=SEARCH_ATTRS))
    category = django_filters.ChoiceFilter(
        field_name="product__category",
        label=_("Categoría"),
        choices=[],
        empty_label=_("Todas"),
        widget=forms.Select(attrs=SELECT_ATTRS),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["category"].extra["choices"] = _category_choices()

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """SKU exactly or as a prefix (leading zeros kept), or name contains the text."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(product__sku=value) | Q(product__sku__startswith=value) | Q(product__name__icontains=value)
        )


class CDStockFilter(_StockFilter):
    class Meta:
        model = CDStockSnapshot
        fields = ["q", "category"]


class StoreStockFilter(_StockFilter):
    store = django_filters.ModelChoiceFilter(
        queryset=Store.objects.order_by("name"),
        label=_("Tienda"),
        empty_label=_("Todas las tiendas"),
        widget=forms.Select(attrs=SELECT_ATTRS),
    )

    class Meta:
        model = StoreStockSnapshot
        fields = ["store", "q", "category"]
