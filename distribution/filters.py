from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from distribution.engine import COLD_START_LIKE_MODEL, COLD_START_MODEL, MODELS, NEW_STORE_MODEL
from distribution.models import DistributionLine
from inventory.queries import store_exact_q, store_search_q


class ExactStoreFilter(django_filters.CharFilter):
    """A store by its exact name (trimmed, any case) or its exact code: "Centro"
    is not "Tienda Centro 001". Partial matches are the search box's."""

    def filter(self, qs: Any, value: Any) -> Any:
        if value in ([], (), {}, "", None):
            return qs
        return qs.filter(store_exact_q(str(value), self.field_name))


class LineFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Buscar"),
        help_text=_("Parte del SKU, del producto o del nombre o código de la tienda."),
    )
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="icontains", label=_("SKU"))
    store = ExactStoreFilter(
        field_name="store__", label=_("Tienda"), help_text=_("Nombre exacto o código de la tienda.")
    )
    model = django_filters.ChoiceFilter(
        field_name="model_name",
        label=_("Modelo"),
        choices=[(m, m) for m in MODELS]
        + [
            (COLD_START_MODEL, _("Arranque en frío")),
            (COLD_START_LIKE_MODEL, _("Lanzamiento como SKU similar")),
            (NEW_STORE_MODEL, _("Tienda nueva")),
        ],
        empty_label=_("Todos"),
    )
    reason = django_filters.CharFilter(field_name="reason", lookup_expr="icontains", label=_("Motivo"))

    class Meta:
        model = DistributionLine
        fields = ["search", "sku", "store", "model", "reason"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        return queryset.filter(
            Q(product__sku__icontains=text) | Q(product__name__icontains=text) | store_search_q(text, "store__")
        )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select" if hasattr(field, "choices") else "form-control"


class StoreFilter(django_filters.FilterSet):
    store = ExactStoreFilter(
        field_name="store__", label=_("Tienda"), help_text=_("Nombre exacto o código de la tienda.")
    )
    search = django_filters.CharFilter(
        method="filter_search", label=_("Buscar tienda"), help_text=_("Parte del nombre o del código.")
    )

    class Meta:
        model = DistributionLine
        fields = ["store", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(store_search_q(value, "store__"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-control"
