from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from forecast.models import ForecastLine


class ForecastLineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("SKU o producto"))
    source = django_filters.ChoiceFilter(choices=ForecastLine.Source.choices, label=_("Fuente"), empty_label=_("Todas"))
    buy = django_filters.ChoiceFilter(
        method="only_buy",
        label=_("Compra"),
        choices=[("yes", _("Con compra > 0")), ("no", _("Sin compra")), ("eol", _("Fin de vida"))],
        empty_label=_("Todas"),
    )

    class Meta:
        model = ForecastLine
        fields = ["q", "source", "buy"]

    def search(self, queryset: QuerySet[ForecastLine], name: str, value: str) -> QuerySet[ForecastLine]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(sku__icontains=value) | Q(product_name__icontains=value))

    def only_buy(self, queryset: QuerySet[ForecastLine], name: str, value: str) -> QuerySet[ForecastLine]:
        if value == "yes":
            return queryset.filter(purchase_qty__gt=0)
        if value == "no":
            return queryset.filter(purchase_qty=0)
        if value == "eol":
            return queryset.filter(end_of_life=True)
        return queryset
