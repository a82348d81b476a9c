"""python manage.py redistribute, exactly as SPEC §9."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from redistribution.models import TransferPlan
from tests import factories as f

CONTRACT_COLUMNS = [
    "plan_id",
    "sku",
    "category",
    "origin_store",
    "destination_store",
    "qty",
    "origin_stock",
    "origin_retain",
    "destination_stock",
    "destination_demand",
    "reason",
]


@pytest.fixture
def shop(db, week):
    centro, norte = f.store("Tienda Centro 001", code="C001"), f.store("Tienda Norte 002")
    f.store("Tienda Sur 003")
    p1 = f.product("00012345", "Consola Alfa", "Consolas")
    p2 = f.product("00012346", "Control Beta", "Accesorios")
    rows = []
    for w in range(8):
        rows += [(p1, norte, week(w), 2), (p2, norte, week(w), 1), (p1, centro, week(w), 1)]
    f.weekly(rows)
    f.store_stock([(centro, p1, 40), (centro, p2, 30)])
    return {"centro": centro, "norte": norte}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("redistribute", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def read_csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_auto_category_all_stores_with_every_flag(shop, tmp_path):
    out_file = tmp_path / "plan.csv"
    output = run(
        "--mode", "auto", "--category", "Consolas", "--destination", "all", "--top-n", "20",
        "--history-weeks", "8", "--min-woc", "1", "--target-woc", "2", "--max-woc", "4",
        "--max-retain-woc", "2", "--min-store-stock", "1", "--min-fill", "2", "--max-rows", "2000",
        "--max-units-per-sku-per-dest", "20", "--output", str(out_file),
    )  # fmt: skip
    plan = TransferPlan.objects.get()
    assert plan.plan_id in output and "traslados" in output
    with open(out_file, encoding="utf-8-sig") as handle:
        header = handle.readline().strip().split(",")
    assert header[: len(CONTRACT_COLUMNS)] == CONTRACT_COLUMNS
    rows = read_csv(out_file)
    # Norte: blended = own 2 (only SKU of the category), needs 4; Centro keeps ceil(2 × 1) = 2.
    assert [(r["sku"], r["origin_store"], r["destination_store"], r["qty"]) for r in rows] == [
        ("00012345", "Tienda Centro 001", "Tienda Norte 002", "4")
    ]
    assert rows[0]["plan_id"] == plan.plan_id
    assert rows[0]["origin_retain"] == "2"
    assert plan.mode == "auto" and plan.destination is None


def test_manual_sku_list_one_store_with_override(shop, tmp_path):
    skus = tmp_path / "skus.csv"
    skus.write_text("sku,qty\n00012345,6\n00012346,3\n")
    out_file = tmp_path / "plan.xlsx"
    run(
        "--mode", "manual", "--skus", str(skus), "--destination", "Tienda Norte 002",
        "--origin", "C001", "--override-qty", "--output", str(out_file),
    )  # fmt: skip
    plan = TransferPlan.objects.get()
    assert plan.origin == shop["centro"] and plan.destination == shop["norte"]
    rows = list(load_workbook(out_file).active.iter_rows(values_only=True))
    got = {r[1]: r[5] for r in rows[1:]}
    assert got == {"00012345": 6, "00012346": 3}  # file quantities; SKUs kept as text


def test_manual_without_origin_picks_donors(shop, tmp_path):
    skus = tmp_path / "skus.csv"
    skus.write_text("sku\n00012345\n")
    run("--mode", "manual", "--skus", str(skus), "--destination", "tienda  norte 002")
    plan = TransferPlan.objects.get()
    assert plan.origin is None
    assert list(plan.lines.values_list("qty", flat=True)) == [4]


def test_unknown_store_exits_non_zero(shop):
    with pytest.raises(CommandError, match="Tienda desconocida: Tienda Luna"):
        run("--mode", "auto", "--category", "Consolas", "--destination", "Tienda Luna")
    assert not TransferPlan.objects.exists()


def test_bad_file_exits_non_zero_with_row_errors(shop, tmp_path):
    skus = tmp_path / "bad.csv"
    skus.write_text("sku,qty\n00012345,-1\n")
    with pytest.raises(CommandError, match="fila 2"):
        run("--mode", "manual", "--skus", str(skus), "--destination", "all", "--override-qty")
    assert not TransferPlan.objects.exists()


def test_no_macro_sales_exits_non_zero(db):
    f.store("Tienda Centro 001")
    with pytest.raises(CommandError, match="No hay ventas macro"):
        run("--mode", "auto", "--category", "Consolas", "--destination", "all")


def test_scope_is_required_and_exclusive(shop, tmp_path):
    with pytest.raises(CommandError):
        run("--mode", "auto", "--destination", "all")
    with pytest.raises(CommandError):
        run("--mode", "auto", "--category", "Consolas", "--skus", str(tmp_path / "x.csv"), "--destination", "all")


def test_origin_is_for_manual_mode(shop):
    with pytest.raises(CommandError, match="modo manual"):
        run("--mode", "auto", "--category", "Consolas", "--destination", "all", "--origin", "C001")


def test_category_without_products_warns_but_succeeds(shop):
    output = run("--mode", "auto", "--category", "Juguetes", "--destination", "all")
    assert "0 traslados" in output
