"""Shared table pieces: every list is paginated 10/25/50 (SPEC §12)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import django_tables2 as tables
import pandas as pd
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig
from django_tables2.data import TableData
from django_tables2.utils import OrderBy
from django_tables2.views import SingleTableMixin

from fastdso.audit import audit_object_url
from fastdso.db import chunks
from fastdso.formatting import fmt_number
from fastdso.labels import help_text, key_label, label, value_text
from fastdso.labels import label as fastdso_label
from fastdso.messages import label_of, render
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


NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class NumberColumn(tables.Column):
    """A figure in the active locale (fastdso.formatting): grouped thousands,
    `digits` decimals rounded half-up, right-aligned."""

    def __init__(self, *args: Any, digits: int = 0, **kwargs: Any) -> None:
        self.digits = digits
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)

    def render(self, value: Any) -> str:
        return fmt_number(value, self.digits)


class LabelColumn(tables.Column):
    """A code shown by its label (fastdso.labels), the code and help in the tooltip."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render(self, value: Any) -> str:
        tip = help_text(self.kind, value)
        title = f"{value} · {tip}" if tip else str(value)
        return format_html('<span title="{}">{}</span>', title, label(self.kind, value))


class JobTable(tables.Table):
    id = tables.LinkColumn("job_detail", args=[tables.A("pk")], verbose_name="#")
    kind = LabelColumn(verbose_name=_("tipo"), kind="job_kind")
    status = tables.Column(verbose_name=_("estado"))
    progress = tables.TemplateColumn("{{ value|num }} %", verbose_name=_("progreso"), attrs=NUM)
    file_name = tables.Column(verbose_name=_("archivo"))
    user = tables.Column(verbose_name=_("usuario"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("creada"))

    class Meta:
        model = Job
        fields = ("id", "kind", "status", "progress", "file_name", "user", "created_at")
        order_by = "-created_at"


def _detail_value(key: str, value: Any, action: str) -> str:
    if key == "change" and action.startswith("admin_") and isinstance(value, str):
        text = LogEntry(change_message=value).get_change_message() or value
        return text if len(text) <= 120 else text[:119] + "…"
    text = value_text(value)
    return text if len(text) <= 120 else text[:119] + "…"


class AuditTable(tables.Table):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("fecha"))
    user = tables.Column(verbose_name=_("usuario"), default="—")
    action = tables.Column(verbose_name=_("acción"))
    object_repr = tables.Column(verbose_name=_("objeto"), empty_values=())
    object_type = tables.Column(verbose_name=_("tipo"))
    details = tables.Column(
        verbose_name=_("detalle"), orderable=False, empty_values=(), attrs={"td": {"class": "audit-details"}}
    )

    def render_action(self, value: str) -> str:
        return label("audit_action", value)

    def render_object_repr(self, value: str, record: AuditEvent) -> str:
        """Every event links to its object when it can be shown."""
        url = audit_object_url(record, getattr(getattr(self, "request", None), "user", None))
        if record.object_label:
            label = render(record.object_label)
        else:
            label = value or record.object_id or "—"
        if record.action == "job_failed" and value:
            kind, _space, rest = value.partition(" ")  # "<job kind> <file>", kept as recorded
            label = f"{fastdso_label('job_kind', kind)} {rest}".strip()
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    def render_object_type(self, value: str) -> str:
        """The model's name in the viewer's language, capitalised like the
        other columns ("sales.SalesLoad" → "Carga de ventas")."""
        try:
            return capfirst(str(apps.get_model(value)._meta.verbose_name))
        except (LookupError, ValueError):
            return label_of(value) if value else "—"

    def render_details(self, value: dict[str, Any], record: AuditEvent) -> str:
        if not value:
            return "—"
        return format_html_join(
            "",
            '<span class="me-3 audit-detail"><b>{}</b>: {}</span>',
            ((key_label(k), _detail_value(k, v, record.action)) for k, v in value.items()),
        )

    class Meta:
        model = AuditEvent
        fields = ("created_at", "user", "action", "object_repr", "object_type", "details")
        order_by = "-created_at"


class FrameData(TableData):
    """A DataFrame as table data: only the rows of the page are turned into dicts.

    django-tables2 slices its data for the page and sorts it through
    `order_by`; both happen on the frame (pandas), so a 200k-row frame costs
    one vectorised sort at most and 10–50 small dicts per page.
    """

    def __init__(self, frame: pd.DataFrame, decorate: Callable[[dict[str, Any]], None] | None = None) -> None:
        super().__init__(frame)
        self.frame = frame
        self.decorate = decorate

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            return self._records(self.frame.iloc[key])
        return self._records(self.frame.iloc[[key]])[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for part in chunks(self.frame, 1000):
            yield from self._records(part)

    def _records(self, part: pd.DataFrame) -> list[dict[str, Any]]:
        records = part.astype(object).to_dict("records")
        for record in records:
            for key, value in record.items():
                if isinstance(value, float) and math.isnan(value):
                    record[key] = None
            if self.decorate is not None:
                self.decorate(record)
        return records

    def order_by(self, aliases: Any) -> None:
        columns: list[str] = []
        ascending: list[bool] = []
        for alias in aliases:
            bound = self.table.columns[OrderBy(alias).bare]
            accessors = bound.order_by if alias[0] == bound.order_by_alias[0] else bound.order_by.opposite
            for accessor in accessors:
                name = OrderBy(accessor).bare
                if name in self.frame.columns:
                    columns.append(name)
                    ascending.append(not OrderBy(accessor).is_descending)
        if columns:
            self.frame = self.frame.sort_values(columns, ascending=ascending, kind="stable", na_position="last")
            self.data = self.frame
