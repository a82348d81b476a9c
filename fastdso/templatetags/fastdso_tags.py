from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from fastdso.forms import SUBMIT_TOKEN_FIELD, new_submit_token
from fastdso.tables import PAGE_SIZES

register = template.Library()


@register.filter
def page_sizes(_value: object) -> tuple[int, ...]:
    """The page sizes every table offers (10/25/50)."""
    return PAGE_SIZES


@register.simple_tag
def submit_token_input() -> SafeString:
    """A fresh submit token for a form that starts a job: submitting the same
    page twice returns the first job instead of starting a second one."""
    return format_html('<input type="hidden" name="{}" value="{}">', SUBMIT_TOKEN_FIELD, new_submit_token())
