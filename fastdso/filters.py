from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from fastdso.labels import label
from fastdso.models import AuditEvent


class AuditFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.order_by("username"), label=_("Usuario"))
    action = django_filters.ChoiceFilter(label=_("Acción"), choices=[])
    date_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("Desde"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("Hasta"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label=_("Objeto"))

    class Meta:
        model = AuditEvent
        fields = ["user", "action", "date_from", "date_to", "q"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        self.filters["action"].extra["choices"] = [(a, label("audit_action", a)) for a in actions]
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
