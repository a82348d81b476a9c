"""The UI is Spanish by default and English after the language selector (set_language)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# url name → (Spanish heading, English heading, other English strings on the page)
PAGES = {
    "home": ("Panel de salud de tiendas", "Store health dashboard", ["Stores evaluated", "Health by store"]),
    "sales:macro_upload": ("Carga de ventas macro", "Macro sales upload", ["Guide", "Replace range"]),
    "distribution:generate": (
        "Generar distribución",
        "Generate distribution",
        ["Target cover (weeks)", "Cold start", "SMA2 (2 wk)"],
    ),
    "redistribution:plan_create": (
        "Nuevo plan de redistribución",
        "New redistribution plan",
        ["Automatic suggestion", "Assisted manual"],
    ),
    "forecast:home": ("Pronóstico de compra", "Purchase forecast", ["Weeks of cover", "Compute forecast"]),
    "replay:home": ("Replay de políticas", "Policy replay", ["Simulate policies", "Policies (1 to 4)", "DC supply"]),
    "audit_list": ("Auditoría", "Audit", ["Action", "Filter"]),
}


def _heading(html: str) -> str:
    match = re.search(r'<h1 class="h3 mb-0">(.*?)</h1>', html, re.S)
    assert match, "page has no main heading"
    return match.group(1).strip()


def _use_english(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


@pytest.mark.parametrize("url_name", PAGES)
def test_pages_are_spanish_by_default(planner_client, url_name):
    spanish, english, _others = PAGES[url_name]
    response = planner_client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert _heading(html) == spanish
    assert '<html lang="es">' in html


@pytest.mark.parametrize("url_name", PAGES)
def test_pages_are_english_after_set_language(planner_client, url_name):
    spanish, english, others = PAGES[url_name]
    _use_english(planner_client)
    response = planner_client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert _heading(html) == english
    assert '<html lang="en">' in html
    for text in others:
        assert text in html, text
    # The menu follows the language too.
    assert "Sales &amp; Purchasing" in html
    assert "Ventas y Compras" not in html


def test_english_then_back_to_spanish(planner_client):
    _use_english(planner_client)
    assert _heading(planner_client.get("/").content.decode()) == "Store health dashboard"
    planner_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert _heading(planner_client.get("/").content.decode()) == "Panel de salud de tiendas"


def test_every_catalogue_entry_is_translated():
    entries = _po_entries()
    untranslated = [msgid for msgid, translated in entries if not translated]
    assert len(entries) > 600, "English catalogue is missing entries"
    assert untranslated == []


def _po_entries() -> list[tuple[str, bool]]:
    """(msgid, has a translation) for each entry of locale/en's django.po, fuzzy counting as untranslated."""
    from django.conf import settings

    text = (settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        if "\nmsgid " not in "\n" + block or '#~ msgid "' in block:
            continue
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[1].split("\nmsg", 1)[0]))
        if not msgid:
            continue  # header
        strs = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n")
        translated = bool(strs) and all("".join(re.findall(r'"(.*)"', s)) for s in strs)
        entries.append((msgid, translated and "#, fuzzy" not in block))
    return entries
