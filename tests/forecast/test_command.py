"""`manage.py forecast_purchase` exactly as SPEC §9."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from forecast.models import ForecastRun
from tests import factories


@pytest.fixture
def data(db, week):
    a, b = factories.store("Tienda Centro 001", "001"), factories.store("Tienda Norte 002", "002")
    sold = factories.product("00012345", "Consola Alfa", "Consolas")
    factories.product("00099999", "Consola Nueva", "Consolas")
    factories.weekly([(sold, a, week(i), 3) for i in range(4)] + [(sold, b, week(i), 1) for i in range(4)])
    factories.cd_stock([(sold, 5)])
    factories.store_stock([(a, sold, 2), (b, sold, 7)])
    return a, b


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast_purchase", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_skus_file_to_csv(data, tmp_path, week):
    skus = tmp_path / "skus.csv"
    skus.write_text("sku\n00012345\n00099999\n")
    output = tmp_path / "fc.csv"
    out, _ = run_command(
        "--skus", str(skus), "--weeks", "4", "--coverage-weeks", "4", "--as-of", week(3).isoformat(),
        "--output", str(output),
    )  # fmt: skip
    rows = read_csv(output)
    assert list(rows[0])[:8] == [
        "sku",
        "product_name",
        "category",
        "avg_weekly",
        "cd_stock",
        "store_stock",
        "purchase_qty",
        "source",
    ]
    by_sku = {r["sku"]: r for r in rows}
    # 16 units over 4 weeks = 4 a week; × 4 = 16 − CD 5 − stores 9 = 2.
    assert by_sku["00012345"]["purchase_qty"] == "2"
    assert by_sku["00012345"]["source"] == "MACRO"
    # The new SKU: Consolas sold 16 units by one SKU in 4 weeks → 4 a week × 4 = 16.
    assert by_sku["00099999"]["source"] == "CATEGORY_PROXY"
    assert by_sku["00099999"]["purchase_qty"] == "16"
    assert "MACRO 1, CATEGORY_PROXY 1, NO_HISTORY 0" in out
    assert "2 filas escritas" in out


def test_category_and_stores_to_xlsx(data, tmp_path):
    output = tmp_path / "fc.xlsx"
    out, _ = run_command("--category", "consolas", "--stores", "Tienda Norte 002", "--output", str(output))
    run = ForecastRun.objects.get()
    assert run.category == "Consolas"
    assert run.store_names == ["Tienda Norte 002"]
    sheet = load_workbook(output).active
    assert sheet["A2"].value == "00012345"
    assert sheet["A2"].data_type == "s"
    assert sheet["F2"].value == 7  # store stock at Tienda Norte only
    assert "tiendas: Tienda Norte 002" in out


def test_a_category_typed_with_spaces_inside_is_the_catalogues(data, tmp_path):
    """The one resolver (inventory.queries.category_resolve): case and runs of
    spaces do not matter (forecast's own copy did not collapse inner spaces)."""
    factories.product("00077777", "Control Beta", "Mandos Inalámbricos")
    run_command("--category", "  mandos   INALÁMBRICOS ", "--weeks", "2")
    assert ForecastRun.objects.get().category == "Mandos Inalámbricos"


def test_stores_by_code(data, tmp_path):
    run_command("--category", "Consolas", "--stores", "001, 002", "--weeks", "2")
    assert ForecastRun.objects.get().store_names == ["Tienda Centro 001", "Tienda Norte 002"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--category", "Nada"], "Categoría desconocida"),
        (["--category", "Consolas", "--stores", "Tienda Fantasma"], "Tienda(s) desconocida(s): Tienda Fantasma"),
        (["--skus", "/no/existe.csv"], "No existe el archivo"),
        (["--category", "Consolas", "--weeks", "0"], "debe ser al menos 1"),
        (["--category", "Consolas", "--coverage-weeks", "x"], "no es un número"),
        (["--category", "Consolas", "--as-of", "2026-02-30"], "Fecha inválida"),
        (["--category", "Consolas", "--output", "fc.pdf"], ".csv o .xlsx"),
    ],
)
def test_bad_input_exits_with_a_clear_message(data, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_command(*args)
    assert not ForecastRun.objects.exists()


def test_bad_sku_file(data, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("codigo\n1\n")
    with pytest.raises(CommandError, match="Faltan columnas obligatorias: sku"):
        run_command("--skus", str(bad))
    empty = tmp_path / "empty.csv"
    empty.write_text("sku\n")
    with pytest.raises(CommandError, match="solo tiene el encabezado"):
        run_command("--skus", str(empty))
    assert not ForecastRun.objects.exists()


def test_scope_is_required_and_exclusive(data):
    with pytest.raises(CommandError):
        run_command()
    with pytest.raises(CommandError):
        run_command("--skus", "x.csv", "--category", "Consolas")


def test_no_macro_sales(db, tmp_path):
    factories.product("1", category="Consolas")
    with pytest.raises(CommandError, match="No hay ventas macro cargadas"):
        run_command("--category", "Consolas")
