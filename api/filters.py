"""Query filters of the API lists (django-filter; the schema shows each one).
A run's lines use the web's own filter (distribution.filters.LineFilter)."""

from __future__ import annotations

import django_filters

from distribution.models import DistributionRun
from redistribution.models import TransferLine, TransferPlan


class CreatedFilterSet(django_filters.FilterSet):
    date = django_filters.DateFilter(field_name="created_at", lookup_expr="date", help_text="Created on this day.")
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="Created on or after this day."
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", help_text="Created on or before this day."
    )


class RunFilter(CreatedFilterSet):
    status = django_filters.ChoiceFilter(choices=DistributionRun.Status.choices)
    model = django_filters.CharFilter(field_name="model_name", help_text="SMA1, SMA2 or SMA3.")

    class Meta:
        model = DistributionRun
        fields = ["status", "model", "date", "created_after", "created_before"]


class PlanFilter(CreatedFilterSet):
    mode = django_filters.ChoiceFilter(choices=TransferPlan.Mode.choices)
    scope = django_filters.ChoiceFilter(choices=TransferPlan.Scope.choices)

    class Meta:
        model = TransferPlan
        fields = ["mode", "scope", "date", "created_after", "created_before"]


class PlanLineFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="icontains")
    origin = django_filters.CharFilter(field_name="origin_store__name", lookup_expr="icontains")
    destination = django_filters.CharFilter(field_name="destination_store__name", lookup_expr="icontains")
    urgent = django_filters.BooleanFilter()
    reason = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = TransferLine
        fields = ["sku", "origin", "destination", "urgent", "reason"]
