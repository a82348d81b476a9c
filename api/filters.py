"""Query filters of the API lists (django-filter; the schema shows each one).
A run's lines use the web's own filter (distribution.filters.LineFilter).

Every list checks its query string (StrictFilterBackend, the default filter
backend): a parameter the list does not know is a 400 that names it, like an
invalid value of a known one. An integrator polling `?state=approved` on a
version that did not know `state` would otherwise get every run."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions

from distribution.models import DistributionLine, DistributionRun
from fastdso.models import LifeState
from inventory.queries import store_exact_q, store_search_q
from redistribution.models import TransferLine, TransferPlan

# Parameters every list takes besides its filters (api.pagination).
PAGING_PARAMS = ("page", "page_size")


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, and a 400 for any query parameter the view does not take."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        allowed = set(PAGING_PARAMS) | set(getattr(view, "extra_query_params", ()))
        filterset_class = self.get_filterset_class(view, queryset) if isinstance(queryset, QuerySet) else None
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            known = ", ".join(sorted(allowed))
            raise exceptions.ValidationError(
                {name: [_("Filtro desconocido. Filtros admitidos: %(known)s.") % {"known": known}] for name in unknown}
            )
        if filterset_class is None:
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_schema_operation_parameters(self, view: Any) -> list:
        if getattr(view, "filterset_class", None) is None:
            return []  # paging only (documented by the paginator)
        return super().get_schema_operation_parameters(view)


def _state_choices() -> list[tuple[str, str]]:
    return list(LifeState.choices)


class CreatedFilterSet(django_filters.FilterSet):
    date = django_filters.DateFilter(field_name="created_at", lookup_expr="date", help_text="Created on this day.")
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="Created on or after this day."
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", help_text="Created on or before this day."
    )
    state = django_filters.ChoiceFilter(
        choices=_state_choices, help_text="Lifecycle state: draft, approved, exported, closed, cancelled…"
    )


class RunFilter(CreatedFilterSet):
    status = django_filters.ChoiceFilter(
        choices=DistributionRun.Status.choices, help_text="The generation job's status (not the lifecycle state)."
    )
    model = django_filters.CharFilter(field_name="model_name", help_text="SMA1, SMA2 or SMA3.")
    sku = django_filters.CharFilter(method="filter_sku", help_text="Runs with a line of exactly this SKU.")
    store = django_filters.CharFilter(
        method="filter_store", help_text="Runs with a line for this store (its exact code or exact name)."
    )

    class Meta:
        model = DistributionRun
        fields = ["state", "status", "model", "date", "created_after", "created_before", "sku", "store"]

    def filter_sku(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        lines = DistributionLine.objects.filter(run=OuterRef("pk"), product__sku=value.strip())
        return queryset.filter(Exists(lines))

    def filter_store(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        lines = DistributionLine.objects.filter(Q(run=OuterRef("pk")) & store_exact_q(value, "store__"))
        return queryset.filter(Exists(lines))


class PlanFilter(CreatedFilterSet):
    mode = django_filters.ChoiceFilter(choices=TransferPlan.Mode.choices)
    scope = django_filters.ChoiceFilter(choices=TransferPlan.Scope.choices)
    sku = django_filters.CharFilter(method="filter_sku", help_text="Plans with a transfer of exactly this SKU.")
    store = django_filters.CharFilter(
        method="filter_store",
        help_text="Plans with a transfer from or to this store (its exact code or exact name).",
    )

    class Meta:
        model = TransferPlan
        fields = ["state", "mode", "scope", "date", "created_after", "created_before", "sku", "store"]

    def filter_sku(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        lines = TransferLine.objects.filter(plan=OuterRef("pk"), product__sku=value.strip())
        return queryset.filter(Exists(lines))

    def filter_store(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        stores = store_exact_q(value, "origin_store__") | store_exact_q(value, "destination_store__")
        lines = TransferLine.objects.filter(Q(plan=OuterRef("pk")) & stores)
        return queryset.filter(Exists(lines))


class PlanLineFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="icontains")
    origin = django_filters.CharFilter(method="filter_origin", help_text="Origin store: exact code or exact name.")
    destination = django_filters.CharFilter(
        method="filter_destination", help_text="Destination store: exact code or exact name."
    )
    urgent = django_filters.BooleanFilter()
    reason = django_filters.CharFilter(lookup_expr="icontains")
    search = django_filters.CharFilter(
        method="filter_search", help_text="Partial match on SKU, product name or either store's name or code."
    )

    class Meta:
        model = TransferLine
        fields = ["sku", "origin", "destination", "urgent", "reason", "search"]

    def filter_origin(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(store_exact_q(value, "origin_store__"))

    def filter_destination(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(store_exact_q(value, "destination_store__"))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        return queryset.filter(
            Q(product__sku__icontains=text)
            | Q(product__name__icontains=text)
            | store_search_q(text, "origin_store__")
            | store_search_q(text, "destination_store__")
        )
