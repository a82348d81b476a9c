"""Shipments and receipts through every door (SPEC v3 §5.7, §9): the page, the
command, the API and the ship button, on the shop of the shipping tests
(SKU 0001; Tienda A gets 20 and Tienda B 10 of the CD's 30). Transfer plans
ship and receive the same way; the stock pages show the result apart."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from distribution.models import DistributionRun
from fastdso.lifecycle import run_transition
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from inventory import queries
from inventory.models import StockMovement
from inventory.services import movements_import
from redistribution.models import TransferLine, TransferPlan
from tests import factories
from tests.api.conftest import token_client
from tests.distribution.helpers import generate, request_file


@pytest.fixture
def shop(db, week, tmp_path):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001", category="Audio")
    factories.weekly([(sku, a, week(11), 10), (sku, b, week(11), 10)])
    factories.cd_stock([(sku, 30)], day=dt.date(2026, 3, 1))
    factories.store_stock([(a, sku, 0), (b, sku, 0)], day=dt.date(2026, 3, 1))
    return {"a": a, "b": b, "sku": sku, "tmp": tmp_path}


@pytest.fixture
def exported(shop, planner) -> DistributionRun:
    run = generate(request_file(shop["tmp"], [("0001",)]), model="SMA1").run
    for action in ("approve", "export"):
        run_transition(run_id=run.run_id, action=action, user=planner)
    return run


def _file(shop, name: str, lines: list[str]):
    path = shop["tmp"] / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


TODAY = timezone.localdate


def test_the_command_loads_shipments_and_receipts_and_refuses_a_bad_file(shop, exported):
    run_id, today = exported.run_id, TODAY()
    bad = _file(shop, "bad.csv", ["run_id,sku,store,qty,shipped_on", f"{run_id},0001,Tienda A,21,{today}"])
    with pytest.raises(CommandError, match="No se cargó nada"):
        call_command("import_shipments", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert not StockMovement.objects.exists()
    good = _file(shop, "ok.csv", ["run_id,sku,store,qty,shipped_on", f"{run_id},0001,Tienda A,20,{today}"])
    out = io.StringIO()
    call_command("import_shipments", str(good), stdout=out)
    assert "terminada" in out.getvalue()
    exported.refresh_from_db()
    assert exported.state == "shipped"
    receipt = _file(shop, "in.csv", ["run_id,sku,store,qty,received_on", f"{run_id},0001,Tienda A,20,{today}"])
    call_command("import_receipts", str(receipt), stdout=io.StringIO())
    too_much = _file(shop, "in2.csv", ["run_id,sku,store,qty,received_on", f"{run_id},0001,Tienda B,1,{today}"])
    with pytest.raises(CommandError):
        call_command("import_receipts", str(too_much), stdout=io.StringIO(), stderr=io.StringIO())
    lines = queries.source_lines(run_id).set_index("store_id")
    assert lines.loc[shop["a"].pk, ["reserved", "shipped", "in_transit", "received"]].tolist() == [0, 20, 0, 20]
    assert lines.loc[shop["b"].pk, ["reserved", "shipped", "in_transit", "received"]].tolist() == [10, 0, 0, 0]


def test_the_page_takes_the_file_and_the_backfill_box(shop, exported, planner_client):
    url = reverse("inventory:shipments_upload")
    assert planner_client.get(url).status_code == 200
    factories.cd_stock([(shop["sku"], 30)], day=TODAY())  # the CD counted today
    yesterday = TODAY() - dt.timedelta(days=1)
    text = f"run_id,sku,store,qty,shipped_on\n{exported.run_id},0001,Tienda B,10,{yesterday}\n"
    response = planner_client.post(url, {"file": SimpleUploadedFile("d.csv", text.encode())})
    job = Job.objects.latest("id")
    assert response.status_code == 302 and job.status == Job.Status.FAILED
    assert "--backfill" in message_text(job.errors[0]["message"])
    planner_client.post(url, {"file": SimpleUploadedFile("d.csv", text.encode()), "backfill": "on"})
    job = Job.objects.latest("id")
    assert job.status == Job.Status.DONE, message_text(job.message)
    assert StockMovement.objects.get().backfill
    assert AuditEvent.objects.filter(action="upload", details__backfill=True).exists()


def test_the_api_ships_by_file_and_by_action_and_lists_the_goods_per_line(shop, exported, planner):
    api = token_client(planner)
    text = f"run_id,sku,store,qty,shipped_on\n{exported.run_id},0001,Tienda A,5,{TODAY()}\n"
    answer = api.post(
        reverse("api:upload_shipments"), {"file": SimpleUploadedFile("d.csv", text.encode())}, format="multipart"
    )
    assert answer.status_code == 202 and answer.json()["status"] == "done", answer.json()
    answer = api.post(reverse("api:run_status", args=[exported.run_id]), {"action": "ship"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "shipped", answer.json()
    rows = api.get(reverse("api:run_lines", args=[exported.run_id])).json()["results"]
    goods = {r["store"]: (r["reserved_qty"], r["shipped_qty"], r["in_transit_qty"], r["received_qty"]) for r in rows}
    assert goods == {"Tienda A": (0, 20, 20, 0), "Tienda B": (0, 10, 10, 0)}
    # The rest shipped with the action: nothing left to ship.
    assert api.post(reverse("api:run_status", args=[exported.run_id]), {"action": "ship"}).status_code == 409


def test_the_ship_command_and_the_run_page_show_the_goods(shop, exported, planner_client):
    out = io.StringIO()
    call_command("run_status", exported.run_id, "ship", stdout=out)
    assert "Despachado" in out.getvalue()
    page = planner_client.get(reverse("distribution:run_lines", args=[exported.run_id])).content.decode()
    assert "despachado: 20" in page and "en tránsito: 10" in page


def test_a_plan_ships_from_its_origin_and_the_stock_pages_show_it_apart(shop, planner, viewer_client):
    a, b, sku = shop["a"], shop["b"], shop["sku"]
    factories.store_stock([(a, sku, 12), (b, sku, 0)], day=dt.date(2026, 3, 2))
    plan = TransferPlan.objects.create(plan_id="TP-20260302-0001", line_count=1, total_units=5)
    TransferLine.objects.create(plan=plan, product=sku, origin_store=a, destination_store=b, qty=5)
    for action in ("approve", "export"):
        run_transition(run_id=plan.plan_id, action=action, user=planner)
    path = _file(shop, "tp.csv", ["plan_id,sku,store,qty,shipped_on", f"{plan.plan_id},0001,Tienda B,3,{TODAY()}"])
    movements_import(path=path, kind="shipments")
    assert StockMovement.objects.get().origin_id == a.pk  # the plan's only origin for the pair
    position = queries.stock_position([sku.pk]).set_index("store_id")
    # A: 12 counted, 3 shipped after the count + 2 still promised out; B: 3 on the way + 2 promised.
    assert position.loc[a.pk, ["on_hand", "reserved", "in_transit", "available"]].tolist() == [12, 5, 0, 7]
    assert position.loc[b.pk, ["on_hand", "reserved", "in_transit", "available"]].tolist() == [0, 0, 5, 5]
    page = viewer_client.get(reverse("inventory:store_stock"), {"store": a.pk}).content.decode()
    assert "Reservado" in page and "En tránsito" in page and "Disponible" in page
