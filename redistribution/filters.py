"""Filters of a plan's transfers: SKU, origin, destination, urgency."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Store
from redistribution.models import TransferLine


class TransferLineFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="icontains", label="SKU")
    origin_store = django_filters.ModelChoiceFilter(
        queryset=Store.objects.none(), label=_("Origen"), empty_label=_("todos")
    )
    destination_store = django_filters.ModelChoiceFilter(
        queryset=Store.objects.none(), label=_("Destino"), empty_label=_("todos")
    )
    urgent = django_filters.BooleanFilter(
        label=_("Urgente"),
        widget=forms.Select(choices=[("", "—"), ("true", _("sí")), ("false", _("no"))]),
    )

    class Meta:
        model = TransferLine
        fields = ["sku", "origin_store", "destination_store", "urgent"]

    def __init__(self, *args: Any, origin_ids: list[int], destination_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["origin_store"].queryset = Store.objects.filter(id__in=origin_ids).order_by("name")
        self.filters["destination_store"].queryset = Store.objects.filter(id__in=destination_ids).order_by("name")
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
