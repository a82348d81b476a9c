"""Shared table pieces: every list is paginated 10/25/50 (SPEC §12)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig
from django_tables2.views import SingleTableMixin

from fastdso.models import AuditEvent, Job

PAGE_SIZES = (10, 25, 50)


def page_size(request: Any, default: int = 25) -> int:
    """The ?per_page= the user chose, limited to 10/25/50."""
    try:
        value = int(request.GET.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return value if value in PAGE_SIZES else default


def configure_table(request: Any, table: tables.Table, default: int = 25) -> tables.Table:
    """Sort and paginate a table from the request, pages of 10/25/50 only.

    django-tables2 would accept any ?per_page=; we read it ourselves.
    """
    table.per_page_field = "_tables2_per_page"
    return RequestConfig(request, paginate={"per_page": page_size(request, default)}).configure(table)


class PagedTableMixin(SingleTableMixin):
    """SingleTableMixin with the 10/25/50 page-size choice."""

    default_page_size = 25

    def get_table(self, **kwargs: Any) -> tables.Table:
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        return configure_table(self.request, table, self.default_page_size)


class JobTable(tables.Table):
    id = tables.LinkColumn("job_detail", args=[tables.A("pk")], verbose_name="#")
    kind = tables.Column(verbose_name=_("tipo"))
    status = tables.Column(verbose_name=_("estado"))
    progress = tables.TemplateColumn("{{ value }} %", verbose_name=_("progreso"))
    file_name = tables.Column(verbose_name=_("archivo"))
    user = tables.Column(verbose_name=_("usuario"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("creada"))

    class Meta:
        model = Job
        fields = ("id", "kind", "status", "progress", "file_name", "user", "created_at")
        order_by = "-created_at"


class AuditTable(tables.Table):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("fecha"))
    user = tables.Column(verbose_name=_("usuario"))
    action = tables.Column(verbose_name=_("acción"))
    object_repr = tables.TemplateColumn(
        '{% if record.object_url %}<a href="{{ record.object_url }}">{{ value }}</a>{% else %}{{ value }}{% endif %}',
        verbose_name=_("objeto"),
    )
    object_type = tables.Column(verbose_name=_("tipo"))
    details = tables.TemplateColumn(
        "{% for k, v in value.items %}<span class='me-2'><b>{{ k }}</b>: {{ v }}</span>{% endfor %}",
        verbose_name=_("detalle"),
        orderable=False,
    )

    class Meta:
        model = AuditEvent
        fields = ("created_at", "user", "action", "object_repr", "object_type", "details")
        order_by = "-created_at"
