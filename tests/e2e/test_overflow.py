"""No page is wider than a 1366 px laptop screen, and no table is clipped:
on every page (each menu entry, a run's tabs, compare, a plan, a replay, a
forecast, a job, the audit log with long details) the document has no
horizontal overflow and every table fits its box (no hidden columns behind a
horizontal scroll, no cell cut off)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLResolver, get_resolver, reverse
from playwright.sync_api import Page

from distribution.models import DistributionRun
from fastdso.audit import audit_record
from fastdso.menu import _all_items, item_url
from fastdso.models import Job
from forecast.models import ForecastRun
from redistribution.models import TransferPlan
from replay.models import ReplayRun
from tests import factories
from tests.api.conftest import token_client

WIDTH, HEIGHT = 1366, 768

MEASURE = """() => {
  const root = document.documentElement;
  const found = [];
  if (root.scrollWidth > root.clientWidth + 1) found.push(`page ${root.scrollWidth}px > ${root.clientWidth}px`);
  for (const table of document.querySelectorAll("main table")) {
    const name = table.id || table.className || "table";
    let box = table.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) found.push(`${name}: ${box.scrollWidth}px in ${box.clientWidth}px`);
    for (const cell of table.querySelectorAll("td, th")) {
      const style = getComputedStyle(cell);
      const hides = style.overflowX === "hidden" || style.textOverflow === "ellipsis";
      if (hides && cell.scrollWidth > cell.clientWidth + 1) {
        found.push(`${name}: cell cut «${cell.textContent.trim().slice(0, 40)}»`);
        break;
      }
    }
  }
  return found;
}"""


@pytest.fixture
def everything(db, planner):
    """A small network with a run (two, to compare), a plan, a replay, a forecast,
    finished jobs and audit events with long details."""
    stores = [factories.store(f"Tienda {name} con nombre largo", f"T{i:03d}") for i, name in enumerate("ABCDE")]
    products = [factories.product(f"0001234{i}", f"Consola de nombre muy largo {i}", "Consolas") for i in range(4)]
    monday = dt.date(2026, 1, 5)
    factories.weekly(
        [
            (p, s, monday + dt.timedelta(weeks=w), 1 + (i + j + w) % 4)
            for i, p in enumerate(products)
            for j, s in enumerate(stores)
            for w in range(12)
        ]
    )
    factories.cd_stock([(p, 50) for p in products])
    factories.store_stock([(s, p, 1) for s in stores for p in products])
    api = token_client(planner)
    skus = "\n".join(p.sku for p in products).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    for model in ("SMA2", "SMA3"):
        upload = SimpleUploadedFile("pedido.csv", b"sku\n" + skus + b"\n", content_type="text/csv")
        assert api.post("/api/v1/runs/", {"file": upload, "model": model}).status_code == 202
    plan = {"mode": "auto", "scope": "category", "category": "Consolas", "destination_kind": "all"}
    assert api.post("/api/v1/plans/", plan).status_code == 202
    assert api.post("/api/v1/forecast/", {"input": "text", "skus_text": products[0].sku}).status_code == 202
    replay = {"scope": "top", "top_n": 2, "weeks": 8, "policy_1": "a:model=SMA1", "policy_2": "b:model=SMA3"}
    assert api.post("/api/v1/replays/", replay).status_code == 202
    long_detail = {"filters": "store=" + "Tienda-con-un-nombre-muy-largo-" * 6, "rows": 123456, "file": "x" * 120}
    for _ in range(3):
        audit_record(user=planner, action="export", object_repr="Exportación " + "larga " * 20, details=long_detail)


def _pages() -> list[str]:
    runs = list(DistributionRun.objects.order_by("id").values_list("run_id", flat=True))
    pages = [item_url(item) for item in _all_items() if not item.url_name.startswith("admin")]
    pages += [
        reverse(name, args=[runs[0]])
        for name in (
            "distribution:run_detail",
            "distribution:run_lines",
            "distribution:run_stores",
            "distribution:run_exceptions",
        )
    ]
    pages.append(reverse("distribution:compare") + f"?a={runs[0]}&b={runs[1]}")
    pages.append(TransferPlan.objects.get().get_absolute_url())
    pages.append(ReplayRun.objects.get().get_absolute_url())
    pages.append(ForecastRun.objects.get().get_absolute_url())
    pages.append(reverse("job_detail", args=[Job.objects.order_by("id").first().pk]))
    pages.append(reverse("inventory:stock_query") + "?sku=00012340")
    pages += [reverse(name) for name in ("inventory:demo_clear", "api:profile")]
    return list(dict.fromkeys(pages))


NOT_PAGES = {"login", "logout", "set_language", "favicon", "api:not_found"}


def _routes(patterns: list, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(route, name) of every URL pattern, namespaces walked."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            found += _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            found.append((prefix + str(pattern.pattern), ":".join(n for n in (namespace, pattern.name) if n)))
    return found


def test_every_page_without_arguments_is_measured(everything):
    """The list above cannot fall behind: every named page that takes no
    argument (uploads of shipments, receipts, promotions, stores, the replay…)
    is measured, except the login/logout/language endpoints, exports and the API."""
    measured = set(_pages())
    missing = [
        name
        for route, name in _routes(get_resolver().url_patterns)
        if "<" not in route
        and not route.startswith(("admin", "api/", "^api"))
        and "export" not in route
        and name not in NOT_PAGES
        and reverse(name) not in measured
    ]
    assert not missing, missing


def test_no_page_overflows_or_clips_a_table_at_1366px(planner_page: Page, everything):
    page = planner_page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    problems = {}
    pages = _pages()
    assert len(pages) >= 15
    for url in pages:
        page.goto(url)
        found = page.evaluate(MEASURE)
        if found:
            problems[url] = found
    assert not problems, problems
