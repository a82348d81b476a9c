"""Dashboard / Store Health, stock pages, Stock Query and the Audit page."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from distribution.models import DistributionRun
from fastdso.audit import audit_record
from fastdso.models import AuditEvent, Job
from health import queries
from inventory.models import CDStockSnapshot
from tests import factories

PAGES = [
    ("home", {}),
    ("inventory:health_alerts", {}),
    ("inventory:cd_stock", {}),
    ("inventory:store_stock", {}),
    ("inventory:stock_query", {}),
    ("inventory:stock_query", {"sku": "00012345"}),
    ("audit_list", {}),
]


@pytest.fixture(autouse=True)
def _fresh_health_cache():
    # Test databases reuse ids, so a data version can repeat between tests.
    queries.health_cache_clear()
    cache.clear()
    yield
    queries.health_cache_clear()


@pytest.fixture
def network(db, week):
    """Two stores, three SKUs (one with leading zeros and a twin without them),
    four weeks of sales up to Sunday 2026-02-01, CD and store stock."""
    north, south = factories.store("Tienda Norte", code="N1"), factories.store("Tienda Sur", code="S1")
    zero = factories.product("00012345", "Consola Alfa", "Consolas")
    twin = factories.product("12345", "Cable Beta", "Accesorios")
    dead = factories.product("00077777", "Radio Gamma", "Audio")
    # Weekly demand over the 8-week window ending week(3) = units / 8.
    factories.weekly(
        [
            (zero, north, week(0), 8),
            (zero, north, week(3), 8),  # 16 / 8 = 2 per week
            (zero, south, week(2), 4),  # 4 / 8 = 0.5 per week
            (twin, north, week(1), 16),  # 2 per week
        ],
        last_date=week(3) + dt.timedelta(days=6),
    )
    factories.cd_stock([(zero, 40), (twin, 7)])
    # North's old snapshot had 30 of 00012345; its latest one does not list it → 0.
    factories.store_stock([(north, zero, 30)], day=dt.date(2026, 1, 20))
    factories.store_stock([(north, twin, 1), (north, dead, 6)], day=dt.date(2026, 2, 1))
    factories.store_stock([(south, zero, 3)], day=dt.date(2026, 1, 31))
    return {"north": north, "south": south, "zero": zero, "twin": twin, "dead": dead}


def table_rows(html: str) -> int:
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in html else ""
    return body.count("<tr")


# --- access -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_every_page_renders_for_a_viewer(viewer_client, network, name, params):
    assert viewer_client.get(reverse(name), params).status_code == 200


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_every_page_renders_with_no_data(viewer_client, name, params):
    assert viewer_client.get(reverse(name), params).status_code == 200


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_anonymous_users_go_to_login(db, name, params):
    response = Client().get(reverse(name), params)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ["inventory:cd_stock_export", "inventory:store_stock_export"])
def test_exports_are_for_planners_only(viewer_client, network, name):
    assert viewer_client.get(reverse(name), {"format": "csv"}).status_code == 403
    assert viewer_client.get(reverse("inventory:health_alerts_export"), {"format": "csv"}).status_code == 403


# --- dashboard / Store Health -----------------------------------------------------------


def test_dashboard_kpis_and_store_table(viewer_client, network):
    page = viewer_client.get(reverse("home")).content.decode()
    context = viewer_client.get(reverse("home")).context
    kpis = context["kpis"]
    # Scope: 00012345 and 12345 sold in the last 90 days; 00077777 never sold and is in no run.
    assert kpis["scope_skus"] == 2
    # North: 00012345 absent from its latest snapshot (0) with demand 2 → stock-out;
    # 12345: 1 / 2 = 0.5 weeks → below min. South: 00012345 3 / 0.5 = 6 weeks → above max.
    assert (kpis["stockouts"], kpis["below_min"], kpis["above_max"], kpis["stores"]) == (1, 1, 1, 2)
    assert context["dates"]["as_of_week"] == dt.date(2026, 1, 26)
    assert context["dates"]["cd_stock_date"] == dt.date(2026, 3, 1)
    assert "Tienda Norte" in page and "Tienda Sur" in page
    assert 'data-chart="chart-sales"' in page and 'id="chart-sales"' in page  # Chart.js via json_script
    assert "<script>" not in page


def test_dashboard_lists_recent_runs_even_before_their_pages_exist(viewer_client, network):
    DistributionRun.objects.create(run_id="R-20260201-1", status=DistributionRun.Status.DONE, line_count=12)
    job = Job.objects.create(kind="import_store_stock", status=Job.Status.DONE, file_name="stock.csv")
    page = viewer_client.get(reverse("home")).content.decode()
    assert "R-20260201-1" in page
    assert reverse("job_detail", args=[job.pk]) in page


def test_runs_parameter_changes_the_scope(viewer_client, network, week):
    from distribution.models import DistributionLine

    run = DistributionRun.objects.create(run_id="R1", status=DistributionRun.Status.DONE)
    DistributionLine.objects.create(run=run, product=network["dead"], store=network["north"])
    for i in range(2):
        DistributionRun.objects.create(run_id=f"R{i + 2}", status=DistributionRun.Status.DONE)
    # 00077777 never sold: in scope only while its run is among the last X.
    assert viewer_client.get(reverse("home"), {"runs": 3}).context["kpis"]["scope_skus"] == 3
    kpis = viewer_client.get(reverse("home"), {"runs": 2}).context["kpis"]
    assert kpis["scope_skus"] == 2
    page = viewer_client.get(reverse("inventory:health_alerts"), {"runs": 3}).content.decode()
    assert "00077777" in page  # 6 units that do not sell: above max (no demand)


def test_alert_list_filters_by_store_category_and_type(viewer_client, network):
    url = reverse("inventory:health_alerts")
    page = viewer_client.get(url).content.decode()
    assert table_rows(page) == 3
    page = viewer_client.get(url, {"store": network["south"].pk}).content.decode()
    assert table_rows(page) == 1 and "Tienda Sur" in page
    page = viewer_client.get(url, {"category": "Accesorios"}).content.decode()
    assert table_rows(page) == 1 and "12345" in page and "Cable Beta" in page
    page = viewer_client.get(url, {"alert": "OUT_OF_STOCK_WITH_DEMAND"}).content.decode()
    assert table_rows(page) == 1 and "Consola Alfa" in page and "Tienda Norte" in page
    page = viewer_client.get(url, {"q": "0001"}).content.decode()
    assert table_rows(page) == 2  # SKU prefix: both rows of 00012345
    page = viewer_client.get(url, {"sort": "-woc"}).content.decode()
    assert table_rows(page) == 3


def test_alert_list_pages_a_large_frame(viewer_client, db, week, django_assert_max_num_queries):
    stores = [factories.store(f"Tienda {i:02d}") for i in range(6)]
    items = [factories.product(f"{i:08d}", category="Hogar") for i in range(20)]
    factories.weekly([(p, s, week(0), 8) for p in items for s in stores])  # 120 stock-outs
    url = reverse("inventory:health_alerts")
    viewer_client.get(url)  # computes and caches
    with django_assert_max_num_queries(8):
        page = viewer_client.get(url, {"per_page": 10, "page": 3}).content.decode()
    assert table_rows(page) == 10 and "21–30" in page and "120" in page


def test_alert_export_keeps_leading_zeros(planner_client, network):
    response = planner_client.get(reverse("inventory:health_alerts_export"), {"format": "csv", "csv": "standard"})
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "store,sku,product_name,category,stock,weekly_demand,woc,alert,alert_label"
    assert "Tienda Norte,00012345,Consola Alfa,Consolas,0,2.0,0.0,OUT_OF_STOCK_WITH_DEMAND" in text
    assert AuditEvent.objects.filter(action="export", details__rows=3).exists()


@pytest.mark.parametrize(
    "name", ["inventory:health_alerts_export", "inventory:cd_stock_export", "inventory:store_stock_export"]
)
def test_list_csv_exports_follow_the_viewers_language(planner_client, network, name):
    """Issue 32: one dialect rule for every CSV (fastdso.exports.csv_dialect):
    Spanish → `;`, decimal comma, BOM; English → `,` and a decimal point;
    `?csv=` overrides. Read back with pandas, the figures are the same."""
    url = reverse(name)
    spanish = planner_client.get(url, {"format": "csv"}).content
    assert spanish.startswith("\ufeff".encode())
    es = pd.read_csv(io.BytesIO(spanish), sep=";", decimal=",", encoding="utf-8-sig", dtype={"sku": str})
    planner_client.cookies["django_language"] = "en"
    en = pd.read_csv(
        io.BytesIO(planner_client.get(url, {"format": "csv"}).content), encoding="utf-8-sig", dtype={"sku": str}
    )
    forced = planner_client.get(url, {"format": "csv", "csv": "excel-es"}).content
    planner_client.cookies["django_language"] = "es"
    assert len(es) > 0 and list(es.columns[:4]) == list(en.columns[:4])
    numbers = [c for c in es.columns if c in ("units", "stock", "weekly_demand", "woc")]
    assert numbers and es[numbers].equals(en[numbers])
    assert es["sku"].tolist() == en["sku"].tolist() and "00012345" in es["sku"].tolist()
    assert forced.decode("utf-8-sig").splitlines()[0].count(";") == len(es.columns) - 1  # ?csv= wins
    assert planner_client.get(url, {"format": "csv", "csv": "latin"}).status_code == 400
    if name == "inventory:health_alerts_export":
        assert es["weekly_demand"].tolist() == en["weekly_demand"].tolist() and 0.5 in es["weekly_demand"].tolist()


# --- stock pages -------------------------------------------------------------------


def test_cd_stock_lists_the_latest_snapshot(viewer_client, network):
    CDStockSnapshot.objects.create(product=network["dead"], units=99, snapshot_date=dt.date(2026, 2, 1))
    page = viewer_client.get(reverse("inventory:cd_stock")).content.decode()
    # Latest CD date is 2026-03-01 (the factory's); the older 99 units are not current.
    assert "2026-03-01" in page and "00077777" not in page and table_rows(page) == 2


def test_store_stock_shows_each_stores_latest_snapshot(viewer_client, network):
    url = reverse("inventory:store_stock")
    page = viewer_client.get(url).content.decode()
    # Nothing chosen: the first store (Tienda Norte), its latest snapshot (2026-02-01) only.
    assert table_rows(page) == 2 and "Cable Beta" in page and "Radio Gamma" in page
    assert "Consola Alfa" not in page  # its older snapshot (2026-01-20) had 30 units: not current
    page = viewer_client.get(url, {"q": "00012345"}).content.decode()
    assert table_rows(page) == 1 and "Tienda Sur" in page  # all stores: absent at Norte (0), 3 at Sur
    page = viewer_client.get(url, {"category": "Consolas"}).content.decode()
    assert table_rows(page) == 1 and "2026-01-20" not in page
    page = viewer_client.get(url, {"store": network["north"].pk, "q": "Radio"}).content.decode()
    assert table_rows(page) == 1


def test_stock_search_by_sku_prefix_category_and_export(planner_client, network):
    url = reverse("inventory:cd_stock")
    assert table_rows(planner_client.get(url, {"q": "00012345"}).content.decode()) == 1
    assert table_rows(planner_client.get(url, {"q": "12345"}).content.decode()) == 1  # "12345", text
    assert table_rows(planner_client.get(url, {"category": "Consolas"}).content.decode()) == 1
    response = planner_client.get(reverse("inventory:store_stock_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == ("store", "sku", "product_name", "category", "units", "snapshot_date")
    assert rows[-1][:2] == ("Tienda Sur", "00012345") and len(rows) == 4


# The stock pages read what is reserved and in transit for the page's rows at
# once (SPEC v3 §5.7, inventory.queries.stock_position): +4 queries, whatever the rows.
@pytest.mark.parametrize(
    ("name", "limit"),
    [("inventory:cd_stock", 13), ("inventory:store_stock", 15), ("audit_list", 10)],
)
def test_stock_and_audit_lists_pin_their_query_count(
    viewer_client, db, week, name, limit, django_assert_max_num_queries
):
    stores = [factories.store(f"Tienda {i:02d}") for i in range(4)]
    items = [factories.product(f"{i:08d}", category=f"Cat {i % 3}") for i in range(30)]
    factories.cd_stock([(p, 5) for p in items])
    for s in stores:
        factories.store_stock([(s, p, 3) for p in items])
    for i in range(40):
        audit_record(user=None, action="upload", object_repr=f"archivo-{i}.csv", details={"rows": 1000 + i})
    with django_assert_max_num_queries(limit):
        page = viewer_client.get(reverse(name), {"per_page": 25}).content.decode()
    assert table_rows(page) == 25


def test_dashboard_pins_its_query_count(viewer_client, network, django_assert_max_num_queries):
    for i in range(8):
        DistributionRun.objects.create(run_id=f"R{i}", status=DistributionRun.Status.DONE)
    with django_assert_max_num_queries(30):  # cold: computes health in bulk
        viewer_client.get(reverse("home"))
    with django_assert_max_num_queries(12):  # warm: cached health, runs, plans, jobs
        viewer_client.get(reverse("home"), {"per_page": 10, "page": 1})
    with django_assert_max_num_queries(8):
        viewer_client.get(reverse("inventory:health_alerts"), {"alert": "BELOW_MIN_WOC"})


# --- Stock Query -----------------------------------------------------------------


def test_stock_query_sku_with_leading_zeros(viewer_client, network, django_assert_max_num_queries):
    # 16, plus 3 for the stock approved runs and plans still hold (SPEC §5.7): a constant, not per store.
    with django_assert_max_num_queries(19):
        response = viewer_client.get(reverse("inventory:stock_query"), {"sku": "00012345"})
    context = response.context
    assert context["product"] == network["zero"]  # not "12345"
    result = context["result"]
    assert result.cd_stock == 40
    stores = result.stores.set_index("name")
    north, south = stores.loc["Tienda Norte"], stores.loc["Tienda Sur"]
    # North: absent from its latest snapshot → 0 (its older 30 units do not count).
    assert (north["stock"], north["weekly_demand"], north["woc"]) == (0, 2.0, 0.0)
    assert north["last_sale_week"] == dt.date(2026, 1, 26)
    assert (south["stock"], south["weekly_demand"], south["woc"]) == (3, 0.5, 6.0)
    assert south["last_sale_week"] == dt.date(2026, 1, 19)
    page = response.content.decode()
    assert "Consola Alfa" in page and "Consolas" in page and 'data-chart="chart-sku-sales"' in page
    assert sum(result.network_units) == 20


def test_stock_query_search_and_store_lines(viewer_client, network):
    url = reverse("inventory:stock_query")
    response = viewer_client.get(url, {"sku": "12345"})
    assert response.context["product"] == network["twin"]  # an exact SKU wins
    response = viewer_client.get(url, {"sku": "2345"})
    assert {p.sku for p in response.context["candidates"]} == {"00012345", "12345"}
    assert response.context["result"] is None
    response = viewer_client.get(url, {"sku": "radio"})
    assert response.context["product"] == network["dead"]  # by name
    response = viewer_client.get(url, {"sku": "nada-así"})
    assert "No hay ningún producto" in response.content.decode()
    response = viewer_client.get(url, {"sku": "00012345", "store": [network["south"].pk, "x"]})
    datasets = response.context["sales_chart"]["data"]["datasets"]
    assert [d["label"] for d in datasets] == ["Red (todas las tiendas)", "Tienda Sur"]
    assert sum(datasets[1]["data"]) == 4


# --- audit ---------------------------------------------------------------------------


def test_audit_links_each_event_and_shows_counts(staff_client, staff_user, network):
    job = Job.objects.create(kind="import_cd_stock", status=Job.Status.DONE)
    audit_record(user=staff_user, action="upload", obj=job, details={"rows": 12500, "warnings": 2})
    audit_record(user=staff_user, action="admin_change", obj=network["zero"], details={"change": "[]"})
    page = staff_client.get(reverse("audit_list")).content.decode()
    assert reverse("job_detail", args=[job.pk]) in page
    assert reverse("admin:inventory_product_change", args=[network["zero"].pk]) in page
    assert "12\xa0500" in page or "12,500" in page or "12.500" in page
    assert "Carga" in page and "Cambio (admin)" in page
    page = staff_client.get(reverse("audit_list"), {"action": "upload", "q": "import"}).content.decode()
    assert table_rows(page) == 1


def test_audit_filters_by_date_range_and_user(planner_client, planner, viewer):
    old = audit_record(user=planner, action="upload", object_repr="enero.csv")
    audit_record(user=viewer, action="export", object_repr="stock-cd.xlsx")
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.make_aware(dt.datetime(2026, 1, 2, 10, 0)))
    url = reverse("audit_list")
    page = planner_client.get(url, {"date_to": "2026-01-31"}).content.decode()
    assert "enero.csv" in page and "stock-cd.xlsx" not in page
    page = planner_client.get(url, {"date_from": "2026-02-01"}).content.decode()
    assert "enero.csv" not in page and "stock-cd.xlsx" in page
    page = planner_client.get(url, {"user": viewer.pk, "q": "stock"}).content.decode()
    assert table_rows(page) == 1


def test_a_bad_runs_value_falls_back_to_five(viewer_client, network):
    for value in ("abc", "-1", "999"):
        response = viewer_client.get(reverse("home"), {"runs": value})
        assert response.status_code == 200 and response.context["runs"] == 5
