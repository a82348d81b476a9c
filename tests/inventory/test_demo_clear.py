"""Demo data kept apart: marked by seed_demo, shown by a banner, removed by
`clear_demo` (and the staff button) with every run and plan made on it —
and nothing that real files loaded."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from distribution.models import DistributionLine, DistributionRun
from fastdso import demo
from fastdso.jobs import job_start
from fastdso.lifecycle import run_transition
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from forecast.models import ForecastRun
from inventory import queries as inventory_queries
from inventory.jobs import CD_STOCK_IMPORT, STORE_STOCK_IMPORT
from inventory.models import CDStockSnapshot, Product, StockCommitment, Store, StoreStockSnapshot
from redistribution.models import TransferLine, TransferPlan
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
    assert all(job.status == Job.Status.DONE for job in jobs.values()), [message_text(j.message) for j in jobs.values()]
    return jobs


def _demo_only_category() -> str:
    """A category no real product has (the claimed demo SKU's is mixed now)."""
    real = set(Product.objects.filter(is_demo=False).values_list("category", flat=True))
    return Product.objects.filter(is_demo=True).exclude(category__in=real).values_list("category", flat=True)[0]


def _demo_plans(tmp_path) -> None:
    """A distribution run, a purchase forecast and a transfer plan on demo data only."""
    category = _demo_only_category()
    skus = list(Product.objects.filter(category=category).order_by("sku").values_list("sku", flat=True)[:2])
    request = _write(tmp_path, "pedido.csv", "sku\n" + "\n".join(skus) + "\n")
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
    events = set(AuditEvent.objects.values_list("pk", "action"))

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
    # Audit events are never deleted (the demo's own loads, runs and plans
    # included); the clearing is audited.
    assert AuditEvent.objects.filter(action="upload", user=planner).count() == 3
    assert {"upload", "run", "plan"} <= {action for _pk, action in events}
    assert set(AuditEvent.objects.exclude(action="demo_clear").values_list("pk", "action")) == events
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
    category = _demo_only_category()
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


def _lines(run):
    return sorted(DistributionLine.objects.filter(run=run).values_list("product__sku", "store__name", "allocated_qty"))


def _holds(source: str):
    return sorted(
        StockCommitment.objects.filter(source=source).values_list("kind", "product__sku", "store__name", "units")
    )


def _real_stores_and_stock(tmp_path, planner, *, claimed_stock: int = 0) -> None:
    """Tienda Real sells R-0001 and the claimed demo SKU for three weeks; a
    real CD count today (partial: the demo SKUs keep their demo quantity)."""
    last = SalesLoad.objects.order_by("-last_date").values_list("last_date", flat=True).first()
    rows = [
        f"{sku},Tienda Real,{last - dt.timedelta(days=7 * week)},{units},Real,Muebles"
        for week in range(3)
        for sku, units in (("R-0001", 4), (DEMO_SKU, 2))
    ]
    sales = _write(tmp_path, "ventas.csv", "sku,store,date,quantity,product_name,category\n" + "\n".join(rows) + "\n")
    today = dt.date.today().isoformat()
    cd = _write(tmp_path, "cd.csv", f"sku,quantity\nR-0001,40\n{DEMO_SKU},30\n")
    stores = _write(
        tmp_path, "tiendas.csv", f"sku,store,quantity\nR-0001,Tienda Real,1\n{DEMO_SKU},Tienda Real,{claimed_stock}\n"
    )
    jobs = [
        job_start(kind=MACRO_SALES_IMPORT, user=planner, path=sales, sync=True),
        job_start(kind=CD_STOCK_IMPORT, user=planner, path=cd, params={"date": today, "partial": True}, sync=True),
        job_start(kind=STORE_STOCK_IMPORT, user=planner, path=stores, params={"date": today}, sync=True),
    ]
    assert all(job.status == Job.Status.DONE for job in jobs), [message_text(j.message) for j in jobs]


def test_a_real_approved_run_naming_a_demo_sku_keeps_its_real_lines_reservation_job_and_audit(
    tiny_demo, tmp_path, planner
):
    """Issue 33 §3: the run touches real rows (R-0001, the claimed SKU, Tienda
    Real): it is real. Only its lines on demo data go — the demo SKU's and
    the claimed SKU's at demo stores — and its reservation follows."""
    _real_stores_and_stock(tmp_path, planner)
    request = _write(tmp_path, "pedido.csv", f"sku\nR-0001\n{DEMO_SKU}\n00010007\n")
    call_command("generate_distribution", str(request), "--rules", "v2", stdout=io.StringIO())  # v2 numbers
    run = DistributionRun.objects.get()
    run_transition(run_id=run.run_id, action="approve", user=planner)
    before = _lines(run)
    assert ("00010007", "Tienda Norte 002", 5) in before  # the demo SKU planned at demo stores
    assert (DEMO_SKU, "Tienda Norte 002", 2) in before  # the claimed SKU at a demo store
    assert ("cd_reserved", DEMO_SKU, None, -6) in _holds(run.run_id)  # 2 + 4
    events = set(AuditEvent.objects.values_list("pk", flat=True))
    assert AuditEvent.objects.filter(object_id=str(run.pk), action="lifecycle").exists()
    job_id = run.job_id

    out = io.StringIO()
    call_command("clear_demo", stdout=out)

    run.refresh_from_db()
    assert run.state == "approved" and run.job_id == job_id and Job.objects.filter(pk=job_id).exists()
    assert _lines(run) == [(DEMO_SKU, "Tienda Real", 4), ("R-0001", "Tienda Real", 7)]
    assert _holds(run.run_id) == [
        ("cd_reserved", DEMO_SKU, None, -4),
        ("cd_reserved", "R-0001", None, -7),
        ("in_transit", DEMO_SKU, "Tienda Real", 4),
        ("in_transit", "R-0001", "Tienda Real", 7),
    ]
    assert StockCommitment.objects.filter(source=run.run_id, is_open=True).count() == 4
    free = inventory_queries.cd_stock(list(Product.objects.values_list("pk", flat=True)), effective=True)
    skus = dict(Product.objects.values_list("pk", "sku"))
    assert dict(zip(free["product_id"].map(skus), free["units"], strict=True)) == {
        DEMO_SKU: 26,
        "R-0001": 33,
    }
    assert events <= set(AuditEvent.objects.values_list("pk", flat=True))  # nothing deleted
    cleared = AuditEvent.objects.get(action="demo_clear")
    assert cleared.details["demo_lines_removed_from"] == [run.run_id]
    assert run.run_id in out.getvalue()
    assert not Product.objects.filter(sku="00010007").exists() and not Store.objects.filter(is_demo=True).exists()


def test_a_real_approved_plan_keeps_what_it_moves_between_real_stores(tiny_demo, tmp_path, planner):
    _real_stores_and_stock(tmp_path, planner, claimed_stock=5)
    real, demo_store = Store.objects.get(name="Tienda Real"), Store.objects.filter(is_demo=True).first()
    other = Store.objects.create(name="Tienda Real Dos")
    claimed = Product.objects.get(sku=DEMO_SKU)
    plan = TransferPlan.objects.create(plan_id="TP-MIXTO", scope="category", category="Muebles")
    for destination, qty in ((other, 2), (demo_store, 1)):
        TransferLine.objects.create(
            plan=plan, product=claimed, origin_store=real, destination_store=destination, qty=qty
        )
    run_transition(run_id="TP-MIXTO", action="approve", user=planner)
    assert ("donor_out", DEMO_SKU, "Tienda Real", -3) in _holds("TP-MIXTO")

    call_command("clear_demo", stdout=io.StringIO())

    assert list(plan.lines.values_list("destination_store__name", "qty")) == [("Tienda Real Dos", 2)]
    assert _holds("TP-MIXTO") == [
        ("donor_out", DEMO_SKU, "Tienda Real", -2),
        ("in_transit", DEMO_SKU, "Tienda Real Dos", 2),
    ]


def test_clear_demo_refuses_a_real_plan_whose_own_destination_is_a_demo_store(tiny_demo, tmp_path, planner):
    """The plan's header names a demo store and its line a real one: it cannot
    be split. Refused, naming the plan; nothing changed."""
    _real_stores_and_stock(tmp_path, planner)
    real, demo_store = Store.objects.get(name="Tienda Real"), Store.objects.filter(is_demo=True).first()
    plan = TransferPlan.objects.create(
        plan_id="TP-A-DEMO", scope="category", category="Muebles", destination=demo_store
    )
    TransferLine.objects.create(
        plan=plan, product=Product.objects.get(sku=DEMO_SKU), origin_store=real, destination_store=demo_store, qty=1
    )
    stores, products = Store.objects.count(), Product.objects.count()

    with pytest.raises(CommandError, match="TP-A-DEMO"):
        call_command("clear_demo", stdout=io.StringIO())
    from fastdso.demo_clear import DemoClearRefused, demo_clear
    from fastdso.messages import render

    with pytest.raises(DemoClearRefused) as refused:  # a message: the viewer's language
        demo_clear()
    assert render(refused.value.message, "en").startswith("Nothing was deleted: TP-A-DEMO has a demo store")

    assert (Store.objects.count(), Product.objects.count()) == (stores, products)
    assert plan.lines.count() == 1 and not AuditEvent.objects.filter(action="demo_clear").exists()


def test_every_model_that_can_hold_demo_rows_is_registered_by_its_app():
    """clear_demo reads only the models the apps hand in (no model registry
    below the apps): a model naming a store, a product or a job that its app
    forgot to register would keep demo rows (or block deleting the marks)."""
    from django.apps import apps
    from django.db import models

    from fastdso.demo_clear import demo_models

    marked = (Product, Store, Job)
    expected = [
        model
        for model in apps.get_models()
        if model not in marked
        and any(
            isinstance(f, models.ForeignKey) and f.model is model and f.related_model in marked
            for f in model._meta.get_fields()
        )
    ]
    assert demo_models() == expected  # the same models, in the same order (deletion order)
    assert SalesLoad in expected and ReplayRun in expected and TransferLine in expected
