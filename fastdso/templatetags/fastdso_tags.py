"""Template filters of the formatting layer and the code labels (builtins:
every template has them without {% load %}).

    {{ value|num }}  {{ value|num:1 }}  {{ value|pct }}  {{ delta|signed }}
    {{ code|label:"reason" }}  {{ code|label_help:"reason" }}  {{ message|stored }}
    {{ value|shown }}   a stored value: number formatted, message rendered
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from fastdso import labels
from fastdso.formatting import fmt_number, fmt_percent
from fastdso.forms import SUBMIT_TOKEN_FIELD, new_submit_token
from fastdso.messages import render
from fastdso.tables import PAGE_SIZES

register = template.Library()


@register.filter
def page_sizes(_value: object) -> tuple[int, ...]:
    """The page sizes every table offers (10/25/50)."""
    return PAGE_SIZES


@register.filter
def num(value: Any, digits: Any = 0) -> str:
    """A number in the active locale, half-up to `digits` decimals."""
    return fmt_number(value, int(digits))


@register.filter
def signed(value: Any, digits: Any = 0) -> str:
    """Like num, with a + on positive figures (differences)."""
    return fmt_number(value, int(digits), sign=True)


@register.filter
def pct(value: Any, digits: Any = 1) -> str:
    return fmt_percent(value, int(digits))


@register.filter
def label(code: Any, kind: str) -> str:
    return labels.label(kind, code)


@register.filter
def label_help(code: Any, kind: str) -> str:
    return labels.help_text(kind, code)


@register.filter
def stored(message: Any) -> str:
    """A message stored by a job/run/plan/audit event ({"code", "params"}), in the viewer's language."""
    return render(message)


@register.filter
def shown(value: Any) -> str:
    """A stored summary value: numbers formatted, phrases translated, mappings listed."""
    return labels.value_text(value)


@register.simple_tag
def number_separator(which: str) -> str:
    """The active language's "decimal" or "thousands" separator (for <html data-*>)."""
    from fastdso.formatting import number_locale

    return number_locale()[which]


@register.filter
def stored_key(key: Any) -> str:
    """The name of a stored summary/detail entry (its code's label)."""
    return labels.key_label(key)


@register.filter
def table_cell(value: Any) -> Any:
    """A table cell: a bare number (a column without its own render) in the
    active locale — integers grouped, other numbers with two decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return fmt_number(value, 0 if isinstance(value, int) else 2)


@register.simple_tag
def submit_token_input() -> SafeString:
    """A fresh submit token for a form that starts a job: submitting the same
    page twice returns the first job instead of starting a second one."""
    return format_html('<input type="hidden" name="{}" value="{}">', SUBMIT_TOKEN_FIELD, new_submit_token())
