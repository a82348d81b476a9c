"""The import commands of SPEC §9: same code as the uploads, summary, non-zero exit on bad input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot
from sales.models import DistributionRecord, SalesLoad, SalesWeeklyAgg
from tests.sales.uploads import csv_file, weekly_table


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_commands_load_every_dataset(db, tmp_path):
    products = csv_file(tmp_path, "p.csv", ["00012345,Consola Alfa,Consolas"], header="sku,product_name,category")
    assert "Productos nuevos: 1" in run("import_products", str(products))

    sales = csv_file(tmp_path, "m.csv", ["00012345,Tienda Centro 001,2026-01-05,3"])
    output = run("import_macro_sales", str(sales))
    assert "Filas leídas: 1" in output and "Modo: Reemplazar rango" in output
    run("import_macro_sales", str(sales), "--mode", "append_range")
    assert weekly_table() == {("00012345", "Tienda Centro 001", dt.date(2026, 1, 5)): (6, (6, 0, 0, 0, 0, 0, 0))}
    assert list(SalesLoad.objects.values_list("mode", flat=True)) == ["append_range", "replace_range"]

    cd = csv_file(tmp_path, "cd.csv", ["00012345,40"], header="sku,quantity")
    assert "Fecha del stock: 2026-02-08" in run("import_cd_stock", str(cd), "--date", "2026-02-08")
    assert CDStockSnapshot.objects.get().snapshot_date == dt.date(2026, 2, 8)

    stores = csv_file(tmp_path, "st.csv", ["00012345,Tienda Centro 001,1"], header="sku,store,quantity")
    run("import_store_stock", str(stores), "--date", "2026-02-08")
    assert StoreStockSnapshot.objects.get().units == 1
    assert Store.objects.get().stock_date == dt.date(2026, 2, 8)

    run("import_sales", str(sales))
    assert DistributionRecord.objects.get().units == 3
    assert Product.objects.count() == 1


def test_bad_input_exits_non_zero_with_the_error_report(db, tmp_path):
    bad = csv_file(tmp_path, "bad.csv", ["00012345,Tienda Centro 001,2026-02-30,x"])
    err = io.StringIO()
    with pytest.raises(CommandError, match="No se cargó nada"):
        call_command("import_macro_sales", str(bad), stdout=io.StringIO(), stderr=err)
    report = err.getvalue()
    assert "fila 2  columna date  valor «2026-02-30»" in report
    assert "fila 2  columna quantity  valor «x»: no es un número" in report
    assert not SalesWeeklyAgg.objects.exists() and not Product.objects.exists()


def test_missing_file_and_bad_date_are_refused(db, tmp_path):
    with pytest.raises(CommandError, match="No existe"):
        call_command("import_products", str(tmp_path / "nada.csv"))
    cd = csv_file(tmp_path, "cd.csv", ["0001,4"], header="sku,quantity")
    with pytest.raises(CommandError, match="Fecha inválida"):
        call_command("import_cd_stock", str(cd), "--date", "08/02/2026")
    with pytest.raises(CommandError):
        call_command("import_macro_sales", str(cd), "--mode", "sumar")
