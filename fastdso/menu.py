"""The main menu, grouped the way the business names things (SPEC §12).

Each app declares its own entries in `<app>/menu.py` as `ITEMS`, a list of
MenuItem; an entry is added with its page (no placeholders): a url name that
does not reverse raises ImproperlyConfigured (tests/fastdso/test_menu.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Group keys in display order, with their labels.
GROUPS: list[tuple[str, Promise]] = [
    ("dashboard", _("Panel")),
    ("sales", _("Ventas y Compras")),
    ("distribution", _("Distribución")),
    ("stock", _("Stock")),
    ("redistribution", _("Redistribución")),
    ("audit", _("Auditoría")),
]


@dataclass(frozen=True)
class MenuItem:
    group: str
    label: Promise | str
    url_name: str
    order: int = 100
    planner_only: bool = False


@cache
def _all_items() -> tuple[MenuItem, ...]:
    items: list[MenuItem] = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.menu")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, "ITEMS", []))
    return tuple(sorted(items, key=lambda item: item.order))


def item_url(item: MenuItem) -> str:
    """The entry's URL; a mistyped url name fails loudly instead of hiding the entry."""
    try:
        return reverse(item.url_name)
    except NoReverseMatch as error:
        raise ImproperlyConfigured(f"Menu entry «{item.label}» names an unknown url «{item.url_name}».") from error


def build_menu(can_plan: bool) -> list[dict[str, object]]:
    menu = []
    for key, label in GROUPS:
        entries = []
        for item in _all_items():
            if item.group != key or (item.planner_only and not can_plan):
                continue
            url = item_url(item)
            entries.append({"label": item.label, "url": url, "url_name": item.url_name})
        if entries:
            menu.append({"key": key, "label": label, "entries": entries})
    return menu


def menu_context(request: HttpRequest) -> dict[str, object]:
    from fastdso.roles import can_plan

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    planner = can_plan(user)
    return {"main_menu": build_menu(planner), "user_can_plan": planner}


ITEMS = [
    MenuItem("audit", _("Auditoría"), "audit_list", order=10),
    MenuItem("audit", _("Tareas en segundo plano"), "job_list", order=20),
]
