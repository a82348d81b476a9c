"""Stock dated far from the sales: the generator page and the run's API warn
when the latest stock snapshot and the as-of week are more than two weeks apart."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from distribution.models import DistributionRun
from inventory.models import CDStockSnapshot
from inventory.queries import stock_date_gap
from tests.api.test_flows import REQUEST, csv


def test_gap_is_measured_from_the_as_of_week(data, week):
    as_of = week(11)  # the data's last week; the fixture's CD snapshot is dated 2026-03-01
    sunday = as_of + dt.timedelta(days=6)
    CDStockSnapshot.objects.update(snapshot_date=sunday + dt.timedelta(days=14))
    assert stock_date_gap(as_of) is None  # two weeks after: no warning yet
    CDStockSnapshot.objects.update(snapshot_date=sunday + dt.timedelta(days=15))
    gap = stock_date_gap(as_of)
    assert gap is not None and gap["days"] == 15 and gap["stock_after"]


def test_page_and_api_warn_when_stock_is_months_after_the_sales(planner_api, planner_client, data, week):
    as_of = week(11)
    planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", REQUEST), "as_of": as_of.isoformat()})
    run = DistributionRun.objects.get()
    CDStockSnapshot.objects.update(snapshot_date=as_of + dt.timedelta(days=6 + 9 * 7))  # 9 weeks later
    detail = planner_api.get(f"/api/v1/runs/{run.run_id}/").json()
    warning = detail["stock_warning"]
    assert (warning["code"], warning["days"], warning["as_of_week"]) == ("STOCK_AS_OF_GAP", 63, as_of.isoformat())
    assert "9 semanas posterior" in warning["message"]
    page = planner_client.get(reverse("distribution:generate")).content.decode()
    assert 'id="stock-gap"' in page and "9 semanas posterior" in page
    planner_client.cookies["django_language"] = "en"
    assert "9 weeks after" in planner_client.get(reverse("distribution:generate")).content.decode()
    planner_client.cookies["django_language"] = "es"
    CDStockSnapshot.objects.update(snapshot_date=as_of + dt.timedelta(days=6))
    assert planner_api.get(f"/api/v1/runs/{run.run_id}/").json()["stock_warning"] is None


def test_the_run_page_warns_like_the_api(planner_api, planner_client, data, week):
    """Issue 32: the run's own page (every tab) says what its API says."""
    as_of = week(11)
    planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", REQUEST), "as_of": as_of.isoformat()})
    run = DistributionRun.objects.get()
    CDStockSnapshot.objects.update(snapshot_date=as_of + dt.timedelta(days=6 + 9 * 7))
    for name in ("run_detail", "run_lines", "run_stores", "run_exceptions"):
        page = planner_client.get(reverse(f"distribution:{name}", args=[run.run_id])).content.decode()
        assert 'id="stock-gap"' in page and "9 semanas posterior" in page, name
    planner_client.cookies["django_language"] = "en"
    assert "9 weeks after" in planner_client.get(reverse("distribution:run_detail", args=[run.run_id])).content.decode()
    planner_client.cookies["django_language"] = "es"
    CDStockSnapshot.objects.update(snapshot_date=as_of + dt.timedelta(days=6))
    page = planner_client.get(reverse("distribution:run_detail", args=[run.run_id])).content.decode()
    assert 'id="stock-gap"' not in page
