"""Store.code travels with the store: uploads name a store by its code, and
the run's lines (page, by-store tab, API), the plan's export and the stock
query carry it beside the name."""

from __future__ import annotations

import io

import pandas as pd
from django.urls import reverse

from distribution.models import DistributionRun
from inventory.models import Store, StoreStockSnapshot
from redistribution.models import TransferLine, TransferPlan
from redistribution.services import plan_lines_frame
from tests.api.test_flows import REQUEST, csv


def test_an_upload_names_a_store_by_its_code(planner_api, data):
    Store.objects.filter(name="Tienda Norte").update(code="N02")
    body = "sku,store,quantity\n00012345,N02,7\n00012345, tienda  centro ,1\n"
    job = planner_api.post("/api/v1/uploads/store_stock/", {"file": csv("s.csv", body), "date": "2026-03-08"}).json()
    assert job["status"] == "done", job
    got = dict(StoreStockSnapshot.objects.filter(snapshot_date="2026-03-08").values_list("store__name", "units"))
    assert got == {"Tienda Norte": 7, "Tienda Centro": 1}
    assert Store.objects.count() == 3  # no store made of the code
    stock = planner_api.get("/api/v1/stock/00012345/").json()
    assert {s["store"]: s["store_code"] for s in stock["stores"]}["Tienda Norte"] == "N02"


def test_run_lines_and_store_totals_show_the_code(planner_api, planner_client, data):
    Store.objects.filter(name="Tienda Norte").update(code="N02")
    planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", REQUEST)})
    run = DistributionRun.objects.get()
    lines = planner_api.get(f"/api/v1/runs/{run.run_id}/lines/", {"store": "N02"}).json()["results"]
    assert [(r["store"], r["store_code"]) for r in lines] == [("Tienda Norte", "N02")]
    page = planner_client.get(reverse("distribution:run_lines", args=[run.run_id]), {"store": "N02"})
    assert 'class="small text-muted store-code">N02<' in page.content.decode()
    stores = planner_client.get(reverse("distribution:run_stores", args=[run.run_id]))
    rows = {r.record["store__name"]: r.record["store__code"] for r in stores.context["table"].page.object_list}
    assert rows["Tienda Norte"] == "N02" and rows["Tienda Centro"] is None


def test_the_plan_export_carries_both_store_codes(planner_client, data):
    alfa, (centro, norte, _sur) = data["alfa"], data["stores"]
    Store.objects.filter(pk=centro.pk).update(code="C01")
    plan = TransferPlan.objects.create(plan_id="TP-20261207-0009", line_count=1, total_units=3)
    TransferLine.objects.create(plan=plan, product=alfa, origin_store=centro, destination_store=norte, qty=3)
    frame = plan_lines_frame(plan)
    assert frame[["origin_store", "origin_store_code", "destination_store_code"]].values.tolist() == [
        ["Tienda Centro", "C01", ""]
    ]
    response = planner_client.get(reverse("redistribution:plan_export", args=[plan.plan_id, "csv"]))
    exported = pd.read_csv(io.BytesIO(response.content), sep=";", encoding="utf-8-sig", dtype=str)
    assert exported["origin_store_code"].tolist() == ["C01"]
