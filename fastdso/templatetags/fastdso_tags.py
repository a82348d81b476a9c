from __future__ import annotations

from django import template

from fastdso.tables import PAGE_SIZES

register = template.Library()


@register.filter
def page_sizes(_value: object) -> tuple[int, ...]:
    """The page sizes every table offers (10/25/50)."""
    return PAGE_SIZES
