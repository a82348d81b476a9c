"""What an integrator pulls back: lists filtered strictly (an unknown or bad
filter is a 400 naming it), runs and plans by state, SKU and store code, and a
run's order as sent (only allocated lines, store codes, packs) in JSON, CSV or
XLSX: the same bytes as the file kept when the run was marked exported."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from distribution.models import DistributionLine, DistributionRun
from inventory.models import Product, Store
from redistribution.models import TransferLine, TransferPlan
from tests.api.test_flows import REQUEST, csv


@pytest.fixture
def run(planner_api, data):
    """alfa → Tienda Centro (C01) 8 and Tienda Norte (N02) 2; beta → Tienda Sur (no code) 4;
    00088888 an exception row (no category)."""
    Store.objects.filter(name="Tienda Centro").update(code="C01")
    Store.objects.filter(name="Tienda Norte").update(code="N02")
    Product.objects.filter(sku="00012345").update(pack_size=2)
    assert planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", REQUEST)}).status_code == 202
    return DistributionRun.objects.get()


def test_unknown_list_filters_are_refused_by_name(planner_api, run):
    for url in ("/api/v1/runs/", "/api/v1/plans/", "/api/v1/replays/", f"/api/v1/runs/{run.run_id}/lines/"):
        response = planner_api.get(url, {"stat": "approved"})
        assert response.status_code == 400, url
        assert list(response.json())[0] == "stat" and response.json()["code"] == "invalid"
    assert planner_api.get("/api/v1/runs/", {"page_size": 5}).status_code == 200
    bad = planner_api.get("/api/v1/runs/", {"state": "shipped-ish"})
    assert bad.status_code == 400 and list(bad.json())[0] == "state"


def test_runs_by_state_sku_and_store_code(planner_api, run, data):
    assert planner_api.get("/api/v1/runs/", {"state": "approved"}).json()["count"] == 0
    assert planner_api.get("/api/v1/runs/", {"state": "draft"}).json()["count"] == 1
    assert planner_api.post(f"/api/v1/runs/{run.run_id}/status/", {"action": "approve"}).status_code == 200
    approved = planner_api.get("/api/v1/runs/", {"state": "approved"}).json()
    assert [r["run_id"] for r in approved["results"]] == [run.run_id]
    assert approved["results"][0]["order_url"] == f"/api/v1/runs/{run.run_id}/order/"
    assert planner_api.get("/api/v1/runs/", {"state": "draft"}).json()["count"] == 0
    assert planner_api.get("/api/v1/runs/", {"sku": "00012346"}).json()["count"] == 1
    assert planner_api.get("/api/v1/runs/", {"sku": "12346"}).json()["count"] == 0  # SKUs are text
    assert planner_api.get("/api/v1/runs/", {"store": "N02"}).json()["count"] == 1
    assert planner_api.get("/api/v1/runs/", {"store": "tienda sur"}).json()["count"] == 1
    assert planner_api.get("/api/v1/runs/", {"store": "N0"}).json()["count"] == 0  # exact, not partial


def test_plans_by_state_sku_and_store_code(planner_api, data):
    alfa, (centro, norte, _sur) = data["alfa"], data["stores"]
    Store.objects.filter(pk=norte.pk).update(code="N02")
    plan = TransferPlan.objects.create(plan_id="TP-20261207-0001", line_count=1, total_units=3)
    TransferLine.objects.create(plan=plan, product=alfa, origin_store=centro, destination_store=norte, qty=3)
    TransferPlan.objects.create(plan_id="TP-20261207-0002", state="approved")
    assert [p["plan_id"] for p in planner_api.get("/api/v1/plans/", {"state": "approved"}).json()["results"]] == [
        "TP-20261207-0002"
    ]
    assert planner_api.get("/api/v1/plans/", {"sku": "00012345"}).json()["count"] == 1
    assert planner_api.get("/api/v1/plans/", {"store": "N02"}).json()["count"] == 1
    assert planner_api.get("/api/v1/plans/", {"store": "Tienda Centro"}).json()["count"] == 1  # the origin
    assert planner_api.get("/api/v1/plans/", {"store": "Centro"}).json()["count"] == 0
    lines = planner_api.get(f"/api/v1/plans/{plan.plan_id}/lines/").json()["results"]
    assert (lines[0]["origin_store_code"], lines[0]["destination_store_code"]) == (None, "N02")


def test_order_json_has_only_allocated_lines_with_codes_and_packs(planner_api, run):
    response = planner_api.get(f"/api/v1/runs/{run.run_id}/order/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == [
        {"sku": "00012345", "product_name": "Consola Alfa", "store_code": "C01", "store": "Tienda Centro",
         "qty": 8, "pack_size": 2, "packs": 4.0},
        {"sku": "00012345", "product_name": "Consola Alfa", "store_code": "N02", "store": "Tienda Norte",
         "qty": 2, "pack_size": 2, "packs": 1.0},
        {"sku": "00012346", "product_name": "Control Beta", "store_code": None, "store": "Tienda Sur",
         "qty": 4, "pack_size": 1, "packs": 4.0},
    ]  # fmt: skip
    # the run's lines list still has every row (the exception row included)
    assert DistributionLine.objects.filter(run=run).count() == 4


def test_order_csv_is_the_kept_file_and_reads_back(planner_api, run):
    url = f"/api/v1/runs/{run.run_id}/order/"
    before = planner_api.get(url, {"format": "csv"})
    assert before.status_code == 200 and before["Content-Type"].startswith("text/csv")
    planner_api.post(f"/api/v1/runs/{run.run_id}/status/", {"action": "approve"})
    planner_api.post(f"/api/v1/runs/{run.run_id}/status/", {"action": "export", "export_format": "csv"})
    run.refresh_from_db()
    kept = run.export_file.open("rb").read()
    after = planner_api.get(url, HTTP_ACCEPT="text/csv")
    assert after.content == kept == before.content
    frame = pd.read_csv(io.BytesIO(kept), sep=";", decimal=",", encoding="utf-8-sig", dtype={"SKU": str})
    assert frame["SKU"].tolist() == ["00012345", "00012345", "00012346"]
    assert frame["Código de tienda"].fillna("").tolist() == ["C01", "N02", ""]
    assert frame["Asignado"].tolist() == [8, 2, 4] and frame["Cajas"].tolist() == [4, 1, 4]
    assert frame["Motivo"].tolist() == ["Por venta"] * 3 and frame["Código de motivo"].tolist() == ["SALES_RATE"] * 3


def test_order_xlsx_reads_back_and_bad_formats_are_400(planner_api, run):
    url = f"/api/v1/runs/{run.run_id}/order/"
    response = planner_api.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Run", "SKU", "Producto", "Categoría", "Código de tienda", "Tienda"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["00012345", "00012345", "00012346"]
    assert book.sheetnames == ["datos", "parametros"]
    bad = planner_api.get(url, {"format": "pdf"})
    assert bad.status_code == 400 and list(bad.json())[0] == "format"
    assert planner_api.get(url, {"format": "csv", "headers": "codes"}).status_code == 400
    assert planner_api.get("/api/v1/runs/DR-NOPE/order/", {"format": "csv"}).status_code == 404


def test_plan_order_is_the_kept_file_in_every_format(planner_api, data, planner):
    """Issue 32: `/api/v1/plans/{id}/order/` as `/runs/{id}/order/`: only the
    moves with units, JSON or the kept file's bytes (CSV in the warehouse's
    Spanish dialect, XLSX); bad formats 400."""
    from fastdso.lifecycle import run_transition

    alfa, (centro, norte, _sur) = data["alfa"], data["stores"]
    Store.objects.filter(pk=norte.pk).update(code="N02")
    plan = TransferPlan.objects.create(plan_id="TP-20261207-0001", line_count=2, total_units=3)
    TransferLine.objects.create(
        plan=plan, product=alfa, origin_store=centro, destination_store=norte, qty=3, destination_demand=1.25
    )
    TransferLine.objects.create(plan=plan, product=alfa, origin_store=norte, destination_store=centro, qty=0)
    url = f"/api/v1/plans/{plan.plan_id}/order/"
    assert planner_api.get("/api/v1/plans/").json()["results"][0]["order_url"] == url
    assert planner_api.get(url).json() == [
        {"sku": "00012345", "product_name": "Consola Alfa", "origin_store_code": None, "origin_store": "Tienda Centro",
         "destination_store_code": "N02", "destination_store": "Tienda Norte", "qty": 3},
    ]  # fmt: skip
    before = planner_api.get(url, {"format": "csv"})
    assert before.status_code == 200 and before["Content-Type"].startswith("text/csv")
    run_transition(run_id=plan.plan_id, action="approve", user=planner)
    run_transition(run_id=plan.plan_id, action="export", user=planner, export_format="csv")
    plan.refresh_from_db()
    kept = plan.export_file.open("rb").read()
    assert planner_api.get(url, HTTP_ACCEPT="text/csv").content == kept == before.content
    assert kept.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(kept), sep=";", decimal=",", encoding="utf-8-sig", dtype={"sku": str})
    assert frame[["sku", "origin_store", "destination_store", "qty"]].values.tolist() == [
        ["00012345", "Tienda Centro", "Tienda Norte", 3]
    ]
    assert frame["destination_demand"].tolist() == [1.25]
    book = openpyxl.load_workbook(io.BytesIO(planner_api.get(url, {"format": "xlsx"}).content))
    assert [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["00012345"]
    bad = planner_api.get(url, {"format": "pdf"})
    assert bad.status_code == 400 and list(bad.json())[0] == "format" and bad.json()["code"] == "invalid"
    assert planner_api.get("/api/v1/plans/TP-NOPE/order/", {"format": "csv"}).status_code == 404
