"""The main menu: every entry of every app reverses, and a mistyped url name fails loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from fastdso import menu
from fastdso.menu import GROUPS, MenuItem, build_menu, item_url


def _entries(group: dict[str, object]) -> list[dict[str, str]]:
    entries = group["entries"]
    assert isinstance(entries, list)
    return entries


def test_every_menu_entry_of_every_app_reverses_and_is_shown_to_a_planner():
    items = menu._all_items()
    assert len(items) >= 10  # every app's menu.py was found
    groups = {key for key, _label in GROUPS}
    assert all(item.group in groups for item in items)
    urls = {item.url_name: item_url(item) for item in items}
    assert urls["home"] == "/"
    shown = {entry["url_name"] for group in build_menu(can_plan=True) for entry in _entries(group)}
    assert shown == set(urls)
    viewer = {entry["url_name"] for group in build_menu(can_plan=False) for entry in _entries(group)}
    assert viewer == {item.url_name for item in items if not item.planner_only}


def test_a_mistyped_url_name_fails_loudly(monkeypatch):
    bad = MenuItem("stock", "Stock", "inventory:no_such_page")
    items = menu._all_items()
    monkeypatch.setattr(menu, "_all_items", lambda: (*items, bad))
    with pytest.raises(ImproperlyConfigured, match="inventory:no_such_page"):
        build_menu(can_plan=True)
