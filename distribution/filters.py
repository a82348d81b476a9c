from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from distribution.engine import COLD_START_LIKE_MODEL, COLD_START_MODEL, MODELS, NEW_STORE_MODEL
from distribution.models import DistributionLine


class LineFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="icontains", label=_("SKU"))
    store = django_filters.CharFilter(field_name="store__name", lookup_expr="icontains", label=_("Tienda"))
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
        fields = ["sku", "store", "model", "reason"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select" if hasattr(field, "choices") else "form-control"


class StoreFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__name", lookup_expr="icontains", label=_("Tienda"))

    class Meta:
        model = DistributionLine
        fields = ["store"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["store"].widget.attrs["class"] = "form-control"
