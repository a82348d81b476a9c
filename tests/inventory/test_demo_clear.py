"""Demo data kept apart: marked by seed_demo, shown by a banner, removed by
`clear_demo` (and the staff button) with every run and plan made on it —
and nothing that real files loaded."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from distribution.models import DistributionLine, DistributionRun
from fastdso import demo
from fastdso.jobs import job_start
from fastdso.lifecycle import run_transition
from fastdso.models import AuditEvent, Job
from forecast.models import ForecastRun
from inventory.jobs import CD_STOCK_IMPORT, STORE_STOCK_IMPORT
from inventory.models import CDStockSnapshot, Product, StockCommitment, Store, StoreStockSnapshot
from redistribution.models import TransferPlan
from replay.models import ReplayRun
from sales.jobs import MACRO_SALES_IMPORT
from sales.models import SalesLoad, SalesWeeklyAgg

TINY = {"stores": 3, "skus": 12, "categories": 2, "days": 21}
DEMO_SKU = "00010000"  # the first SKU of the generated demo


@pytest.fixture
def tiny_demo(db, monkeypatch):
    monkeypatch.setitem(demo.SIZES, "tiny", TINY)
    call_command("seed_demo", "--size", "tiny", "--no-users", stdout=io.StringIO())


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def _real_upload(tmp_path, planner) -> dict[str, Job]:
    """A planner's own files: a store and a SKU of their own, plus one demo SKU
    that the real file names too (it becomes real)."""
    # The real store's sales reach as far as the demo's (SPEC v2 §4.3: a store
    # whose data ends earlier would hold the network's as-of week back).
    last = SalesLoad.objects.order_by("-last_date").values_list("last_date", flat=True).first()
    monday = last - dt.timedelta(days=last.weekday())
    sales = _write(
        tmp_path,
        "ventas.csv",
        "sku,store,date,quantity,product_name\n"
        f"R-0001,Tienda Real,{monday},5,Real uno\n"
        f"R-0001,Tienda Real,{monday + dt.timedelta(days=1)},2,Real uno\n"
        f"{DEMO_SKU},Tienda Real,{monday},7,\n",
    )
    cd = _write(tmp_path, "cd.csv", f"sku,quantity\nR-0001,40\n{DEMO_SKU},9\n")
    stores = _write(tmp_path, "tiendas.csv", "sku,store,quantity\nR-0001,Tienda Real,3\n")
    jobs = {
        "sales": job_start(kind=MACRO_SALES_IMPORT, user=planner, path=sales, sync=True),
        "cd": job_start(kind=CD_STOCK_IMPORT, user=planner, path=cd, params={"date": "2026-03-08"}, sync=True),
        "stores": job_start(
            kind=STORE_STOCK_IMPORT, user=planner, path=stores, params={"date": "2026-03-08"}, sync=True
        ),
    }
    assert all(job.status == Job.Status.DONE for job in jobs.values()), [j.message for j in jobs.values()]
    return jobs


def _demo_plans(tmp_path) -> None:
    """A distribution run, a purchase forecast and a transfer plan on demo data."""
    category = Product.objects.filter(is_demo=True).values_list("category", flat=True).first()
    request = _write(tmp_path, "pedido.csv", f"sku\n{DEMO_SKU}\n00010007\n")
    out = io.StringIO()
    call_command("generate_distribution", str(request), stdout=out)
    call_command("forecast_purchase", "--category", category, stdout=out)
    # --min-fill 1: the tiny demo sells too little for a 2-unit move within max_woc (SPEC v2 §7).
    call_command(
        "redistribute", "--mode", "auto", "--category", category, "--destination", "all", "--min-fill", "1", stdout=out
    )


def test_seed_demo_marks_what_it_loads(tiny_demo):
    assert Store.objects.count() == Store.objects.filter(is_demo=True).count() == 3
    assert Product.objects.count() == Product.objects.filter(is_demo=True).count() == 12
    assert set(Job.objects.values_list("is_demo", "status")) == {(True, "done")}
    assert SalesLoad.objects.get().job.is_demo


def test_clear_demo_removes_demo_and_keeps_the_real_upload(tiny_demo, tmp_path, planner):
    jobs = _real_upload(tmp_path, planner)
    _demo_plans(tmp_path)
    assert DistributionRun.objects.exists() and ForecastRun.objects.exists() and TransferPlan.objects.exists()
    real_product = Product.objects.get(sku="R-0001")
    claimed = Product.objects.get(sku=DEMO_SKU)
    assert not claimed.is_demo  # a real file named it
    real_store = Store.objects.get(name="Tienda Real")
    real_weekly = sorted(SalesWeeklyAgg.objects.filter(store=real_store).values_list("product__sku", "units"))

    out = io.StringIO()
    call_command("clear_demo", stdout=out)

    assert "borrados" in out.getvalue()
    assert list(Store.objects.values_list("name", flat=True)) == ["Tienda Real"]
    assert sorted(Product.objects.values_list("sku", flat=True)) == [DEMO_SKU, "R-0001"]
    assert real_weekly == [(DEMO_SKU, 7), ("R-0001", 7)]
    assert sorted(SalesWeeklyAgg.objects.values_list("product__sku", "units")) == real_weekly
    assert list(SalesLoad.objects.values_list("job_id", flat=True)) == [jobs["sales"].pk]
    assert sorted(
        CDStockSnapshot.objects.filter(snapshot_date=dt.date(2026, 3, 8)).values_list("units", flat=True)
    ) == [
        9,
        40,
    ]
    assert list(StoreStockSnapshot.objects.values_list("product_id", "units")) == [(real_product.pk, 3)]
    # Every run and plan was made on demo data: all gone, with their jobs.
    assert not DistributionRun.objects.exists() and not DistributionLine.objects.exists()
    assert not ForecastRun.objects.exists() and not TransferPlan.objects.exists()
    assert sorted(Job.objects.values_list("pk", flat=True)) == sorted(job.pk for job in jobs.values())
    assert not Store.objects.filter(is_demo=True).exists() and not Product.objects.filter(is_demo=True).exists()
    # The real uploads keep their audit events; the clearing is audited.
    uploads = AuditEvent.objects.filter(action="upload")
    assert uploads.count() == 3 and all(e.user == planner for e in uploads)
    assert AuditEvent.objects.filter(action="demo_clear").count() == 1
    # Again: nothing left to remove, nothing else touched.
    call_command("clear_demo", stdout=out)
    assert SalesWeeklyAgg.objects.count() == 2


def test_banner_shows_while_demo_data_is_there(tiny_demo, planner_client):
    page = planner_client.get(reverse("job_list")).content.decode()
    assert "Datos de demostración" in page
    assert reverse("inventory:demo_clear") not in page  # the button is for staff
    call_command("clear_demo", stdout=io.StringIO())
    assert "Datos de demostración" not in planner_client.get(reverse("job_list")).content.decode()


def test_staff_button_clears_the_demo(tiny_demo, staff_client):
    page = staff_client.get(reverse("job_list")).content.decode()
    assert reverse("inventory:demo_clear") in page
    response = staff_client.post(reverse("inventory:demo_clear"))
    assert response.status_code == 302
    assert not Store.objects.exists() and not Product.objects.exists() and not Job.objects.exists()


def test_only_staff_may_clear_the_demo(tiny_demo, planner_client, viewer_client):
    assert planner_client.post(reverse("inventory:demo_clear")).status_code == 403
    assert viewer_client.post(reverse("inventory:demo_clear")).status_code == 403
    assert planner_client.get(reverse("inventory:demo_clear")).status_code in {403, 405}
    assert Store.objects.filter(is_demo=True).count() == 3


def test_users_only_starts_empty(db):
    out = io.StringIO()
    call_command("seed_demo", "--users-only", stdout=out)
    assert not Product.objects.exists() and not Store.objects.exists() and not Job.objects.exists()
    assert "planner" in out.getvalue()


def test_clear_demo_also_removes_replays_empty_plans_and_the_stock_demo_runs_held(tiny_demo, tmp_path, planner):
    jobs = _real_upload(tmp_path, planner)
    _demo_plans(tmp_path)
    category = Product.objects.filter(is_demo=True).values_list("category", flat=True).first()
    call_command("replay", "--category", category, "--weeks", "2", "--policy", "a:model=SMA1", stdout=io.StringIO())
    run = DistributionRun.objects.get()
    run_transition(run_id=run.run_id, action="approve", user=planner)
    assert StockCommitment.objects.filter(source=run.run_id, is_open=True).exists()
    # Plans that found nothing to move: no line names a store or product.
    TransferPlan.objects.create(plan_id="TP-DEMO-EMPTY", scope="category", category=category)
    real_plan = TransferPlan.objects.create(plan_id="TP-REAL-EMPTY", scope="category", category="Muebles")
    week_start = dt.date(2026, 3, 2)
    real_replay = ReplayRun.objects.create(
        replay_id="RP-REAL", scope="skus", skus=["R-0001"], as_of_week=week_start, first_week=week_start
    )

    call_command("clear_demo", stdout=io.StringIO())

    assert list(ReplayRun.objects.all()) == [real_replay]
    assert list(TransferPlan.objects.all()) == [real_plan]
    assert not DistributionRun.objects.exists()
    assert not StockCommitment.objects.exists()  # the demo run held the claimed SKU's CD units: not any more
    assert sorted(Job.objects.values_list("pk", flat=True)) == sorted(job.pk for job in jobs.values())
