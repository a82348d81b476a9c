"""Stored text is translated when shown (issue 20).

A small world is built through the real services (a distribution run with a
warning, a redistribution plan, a forecast, a failed upload with row errors,
exports and the audit rows they leave). Then:

- every phrase the jobs, runs, plans and audit events stored is one that
  `fastdso.labels` knows (a new untranslated phrase fails here, by name);
- every page, rendered in English, shows none of those Spanish phrases and
  none of the raw codes a planner should not read.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from distribution.models import DistributionRun
from fastdso.messages import LEGACY, catalogue, is_message, render
from fastdso.models import AuditEvent, Job
from forecast.models import ForecastRun
from redistribution.models import TransferPlan
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(week, planner_client, tmp_path: Path) -> dict:
    centro, norte, sur = f.store("Tienda Centro"), f.store("Tienda Norte"), f.store("Tienda Sur")
    p1 = f.product("00000001", "Consola Uno", "Consolas")
    p2 = f.product("00000002", "Consola Dos", "Consolas")
    f.product("00000009", "Sin nada")  # no sales, no category: a run warning
    rows = []
    for w in range(8):
        rows += [(p1, norte, week(w), 2), (p2, norte, week(w), 1), (p1, centro, week(w), 1)]
    f.weekly(rows)
    f.cd_stock([(p1, 30), (p2, 1)])
    f.store_stock([(centro, p1, 40), (centro, p2, 40), (norte, p1, 0), (sur, p2, 1)])

    request = tmp_path / "request.csv"
    request.write_text("sku\n00000001\n00000002\n00000009\n", encoding="utf-8")
    call_command("generate_distribution", str(request), stdout=_Null())
    call_command("redistribute", "--mode", "auto", "--category", "Consolas", "--destination", "all", stdout=_Null())
    call_command("forecast_purchase", "--category", "Consolas", "--weeks", "8", stdout=_Null())

    bad = tmp_path / "ventas.csv"
    bad.write_text("sku,store,date,quantity\n00000001,Tienda Norte,2026-13-01,x\n", encoding="utf-8")
    with bad.open("rb") as handle:
        planner_client.post(reverse("sales:macro_upload"), {"file": handle, "mode": "replace_range"})
    run = DistributionRun.objects.get()
    plan = TransferPlan.objects.get()
    planner_client.get(reverse("distribution:run_export", args=[run.run_id, "xlsx"]))
    planner_client.get(reverse("redistribution:plan_export", args=[plan.plan_id, "csv"]))
    assert Job.objects.filter(status=Job.Status.FAILED).exists()
    assert run.warnings and AuditEvent.objects.filter(action="job_failed").exists()
    return {"run": run, "plan": plan, "forecast": ForecastRun.objects.get(), "sku": p1.sku}


class _Null:
    def write(self, *_args: object) -> None:
        pass

    def flush(self) -> None:
        pass


def stored_messages() -> list[dict]:
    """Every message the world stored to be shown later (warnings, stages,
    row errors, failures, summary values, audit details and names)."""
    found: list[dict] = []

    def add(value: Any) -> None:
        if is_message(value):
            found.append(value)
            for param in value.get("params", {}).values():
                for item in param if isinstance(param, list) else [param]:
                    add(item)

    for job in Job.objects.all():
        add({"code": job.stage, "params": {}})
        for code, value in job.summary_items:
            add({"code": code, "params": {}})
            add(value)
        for item in [*job.warnings, job.message, *(e.get("message") for e in job.errors)]:
            add(item)
    for run in DistributionRun.objects.all():
        for item in run.warnings:
            add(item)
    for plan in TransferPlan.objects.all():
        for item in plan.warnings:
            add(item)
    for event in AuditEvent.objects.all():
        add(event.object_label)
        for value in event.details.values():
            add(value)
    return [m for m in found if m["code"]]


def test_every_stored_message_is_in_a_catalogue(world):
    """A stored code names its words: an app's catalogue, or a parameter label of fastdso.labels."""
    from fastdso.labels import codes as vocabulary

    codes = {m["code"] for m in stored_messages()}
    unknown = sorted(c for c in codes if c not in catalogue() and c not in vocabulary("param"))
    assert unknown == []
    assert LEGACY not in codes, [m for m in stored_messages() if m["code"] == LEGACY]


def test_stored_messages_render_with_their_values():
    with translation.override("en"):
        assert render({"code": "rows_read", "params": {}}) == "Rows read" or "rows_read" not in catalogue()
        text = render({"code": "files.rows_refused", "params": {"n": 1234}})
        assert text.startswith("The file has 1,234 errors")
        warning = render({"code": "distribution.no_category", "params": {"sku": "00000009", "reason": "NO_CATEGORY"}})
        assert "00000009" in warning and "sin ventas" not in warning and "NO_CATEGORY" not in warning
        assert render({"code": LEGACY, "params": {"text": "una frase antigua"}}) == "una frase antigua"
    with translation.override("es"):
        assert render({"code": "files.rows_refused", "params": {"n": 1234}}).startswith(
            "El archivo tiene 1.234 errores"
        )


def english_pages(world: dict) -> list[str]:
    run, plan, forecast = world["run"], world["plan"], world["forecast"]
    pages = [
        reverse("home"),
        reverse("job_list"),
        reverse("audit_list"),
        reverse("inventory:health_alerts"),
        reverse("inventory:stock_query") + f"?sku={world['sku']}",
        reverse("distribution:run_list"),
        reverse("distribution:run_detail", args=[run.run_id]),
        reverse("distribution:run_lines", args=[run.run_id]),
        reverse("distribution:run_stores", args=[run.run_id]),
        reverse("distribution:run_exceptions", args=[run.run_id]),
        reverse("redistribution:plan_list"),
        reverse("redistribution:plan_detail", args=[plan.plan_id]),
        reverse("redistribution:plan_transfers", args=[plan.plan_id]),
        reverse("redistribution:plan_destinations", args=[plan.plan_id]),
        reverse("forecast:run_detail", args=[forecast.pk]),
        reverse("sales:legacy_upload"),
    ]
    pages += [reverse("job_detail", args=[pk]) for pk in Job.objects.values_list("pk", flat=True)]
    return pages


# Codes a page must show by their label (they may stay in a title="" tooltip).
RAW_CODES = [
    "macro_sales_import",
    "distribution_run",
    "redistribution_plan",
    "purchase_forecast",
    "job_failed",
    "COLD_START_CATEGORY",
    "NO_CATEGORY",
    "SALES_RATE",
    "BELOW_TARGET",
    "scope_skus",
    "purchase_units",
    "history_weeks",
    "min_woc",
]


def visible_text(page: str) -> str:
    """The page as read: no tags, attributes (tooltips), scripts or JSON blobs."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"<(select|option)[^>]*>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_page_in_english_shows_no_stored_spanish(world, planner_client):
    messages = stored_messages()
    spanish = set()
    for message in messages:
        es, en = render(message, "es"), render(message, "en")
        if es != en and len(es) > 3:
            spanish.add(es)
    assert spanish, "the world stored no translatable message: the test would prove nothing"
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    for url in english_pages(world):
        response = planner_client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        leaked = sorted(p for p in spanish if p in text)
        assert leaked == [], url
        codes = [code for code in RAW_CODES if re.search(rf"(?<![\w-]){code}(?![\w-])", text)]
        assert codes == [], url
        assert "Terminada" not in text and "Finished Finished" not in re.sub(r"\s+", " ", text), url


# Words of the Spanish line explanations (distribution.explain, redistribution.explain):
# rendered from the stored numbers in the viewer's language, none may show in English.
SPANISH_EXPLANATION = [
    r"\bsem\b",
    r"\bventa\b",
    r"\btienda\b",
    r"\bmín\b",
    r"\bdisponibles\b",
    r"\bsin (stock|límite)\b",
    r"\breservadas\b",
    r"\btránsito\b",
    r"\bcaja",
    r"Arranque en frío",
    r"\bSin ventas\b",
    r"\bdemanda\b",
    r"\bretiene\b",
    r"\bMotivo\b",
    r"\bcobertura\b",
]


def explanation_cells(page: str) -> list[str]:
    return [visible_text(cell) for cell in re.findall(r'<td class="explanation[^"]*">(.*?)</td>', page, re.S)]


def test_line_explanations_are_rendered_in_the_viewers_language(world, planner_client):
    """Explanations are rendered from the stored numbers when shown: in English,
    English words and decimal points; in Spanish, the Spanish sentence."""
    run, plan = world["run"], world["plan"]
    urls = [
        reverse("distribution:run_lines", args=[run.run_id]),
        reverse("distribution:run_exceptions", args=[run.run_id]),
        reverse("redistribution:plan_transfers", args=[plan.plan_id]),
    ]
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = {url: explanation_cells(planner_client.get(url).content.decode()) for url in urls}
    assert all(english.values()), "a page without explanation cells proves nothing"
    for url, cells in english.items():
        leaked = [(pattern, cell) for cell in cells for pattern in SPANISH_EXPLANATION if re.search(pattern, cell)]
        assert leaked == [], url
    lines = english[urls[0]]
    assert any(re.search(r"\(sales in \d+ of 12 wk, min 1\)", cell) for cell in lines), lines
    assert any("No sales in the last 12 weeks and no category" in cell for cell in english[urls[1]])
    planner_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    spanish = explanation_cells(planner_client.get(urls[0]).content.decode())
    assert any(re.search(r"\(venta en \d+ de 12 sem, mín 1\)", cell) for cell in spanish), spanish


def test_job_status_is_printed_once(world, planner_client):
    job = Job.objects.filter(status=Job.Status.DONE).first()
    text = re.sub(r"\s+", " ", visible_text(planner_client.get(reverse("job_detail", args=[job.pk])).content.decode()))
    assert text.count("Terminada") == 1
    heading = re.search(
        r'<h1 class="h3 mb-0">(.*?)</h1>',
        planner_client.get(reverse("job_detail", args=[job.pk])).content.decode(),
        re.S,
    )
    assert heading is not None and job.kind not in heading.group(1)


def test_every_table_header_is_capitalised(world, planner_client):
    for url in english_pages(world):
        page = planner_client.get(url).content.decode()
        for header in re.findall(r"<th[^>]*scope=\"col\"[^>]*>(.*?)</th>", page, re.S):
            text = visible_text(header).strip()
            assert not text or not text[0].isalpha() or text[0].isupper(), (url, text)


def test_dashboard_and_stock_query_have_an_as_of_week(world, planner_client):
    assert 'name="as_of"' in planner_client.get(reverse("home")).content.decode()
    url = reverse("inventory:stock_query") + f"?sku={world['sku']}"
    assert 'name="as_of"' in planner_client.get(url).content.decode()
    # An as-of week before the sales: no demand window with sales, the as-of is kept on the page.
    early = planner_client.get(url + "&as_of=2020-01-06").content.decode()
    assert 'value="2020-01-06"' in early


def test_stock_query_says_when_a_skus_sales_ended_before_the_window(db, week, planner_client):
    """Vieja sold in weeks 0-1 only; sales are loaded to week 15, so the 8-week
    demand window (weeks 8-15) has none of its sales."""
    norte = f.store("Tienda Norte")
    old, new = f.product("00000011", "Vieja"), f.product("00000012", "Nueva")
    f.weekly([(old, norte, week(w), 5) for w in range(2)] + [(new, norte, week(w), 1) for w in range(16)])
    url = reverse("inventory:stock_query")
    page = planner_client.get(url, {"sku": "00000011"}).content.decode()
    assert 'id="demand-note"' in page
    assert f"as_of={week(1):%Y-%m-%d}" in page
    # At that week the SKU's own demand shows: 10 units in the window / 8 weeks = 1,3 (1.25 half-up).
    at_last_sale = planner_client.get(url, {"sku": "00000011", "as_of": week(1).isoformat()}).content.decode()
    assert 'id="demand-note"' not in at_last_sale
    assert '<div class="kpi-value">1,3</div>' in at_last_sale
    assert planner_client.get(url, {"sku": "00000012"}).content.decode().count('id="demand-note"') == 0


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("es", "El archivo tiene 1 error; no se cargó nada.", "El archivo tiene 3 errores; no se cargó nada."),
        ("en", "The file has 1 error; nothing was loaded.", "The file has 3 errors; nothing was loaded."),
    ],
)
def test_stored_counts_are_shown_with_their_plural(language, one, many):
    """A count chooses the plural form (ngettext), in either language: no "(s)"."""
    with translation.override(language):
        assert render({"code": "files.refused", "params": {"n": 1}}) == one
        assert render({"code": "files.refused", "params": {"n": 3}}) == many
        shown = render({"code": "forecast.repeated_skus", "params": {"n": 2}})
        assert "(s)" not in shown and "2" in shown
