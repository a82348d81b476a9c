"""Every XLSX export opens ready to use (issue 20): frozen header, autofilter,
fitted widths, number formats, SKUs as text, and a "parametros" sheet."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from distribution.models import DistributionRun
from forecast.models import ForecastRun
from redistribution.models import TransferPlan
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(week, tmp_path: Path) -> dict:
    centro, norte = f.store("Tienda Centro"), f.store("Tienda Norte")
    p1 = f.product("00000001", "Consola Uno", "Consolas")
    p2 = f.product("00000002", "Consola Dos", "Consolas")
    f.weekly([(p, s, week(w), u) for w in range(8) for p, s, u in ((p1, norte, 3), (p2, norte, 1), (p1, centro, 1))])
    f.cd_stock([(p1, 30), (p2, 4)])
    f.store_stock([(centro, p1, 40), (centro, p2, 40), (norte, p1, 0)])
    request = tmp_path / "request.csv"
    request.write_text("sku\n00000001\n00000002\n", encoding="utf-8")
    quiet = io.StringIO()
    call_command("generate_distribution", str(request), stdout=quiet)
    call_command("redistribute", "--mode", "auto", "--category", "Consolas", "--destination", "all", stdout=quiet)
    call_command("forecast_purchase", "--category", "Consolas", "--weeks", "8", stdout=quiet)
    return {
        "run": DistributionRun.objects.get(),
        "plan": TransferPlan.objects.get(),
        "forecast": ForecastRun.objects.get(),
    }


def export_urls(data: dict) -> dict[str, str]:
    run, plan, forecast = data["run"], data["plan"], data["forecast"]
    return {
        "run": reverse("distribution:run_export", args=[run.run_id, "xlsx"]) + "?headers=codes",
        "compare": reverse("distribution:compare_export", args=["xlsx"]) + f"?a={run.run_id}&b={run.run_id}",
        "plan": reverse("redistribution:plan_export", args=[plan.plan_id, "xlsx"]),
        "forecast": reverse("forecast:run_export", args=[forecast.pk, "xlsx"]),
        "cd_stock": reverse("inventory:cd_stock_export") + "?format=xlsx",
        "store_stock": reverse("inventory:store_stock_export") + "?format=xlsx",
        "alerts": reverse("inventory:health_alerts_export") + "?format=xlsx",
    }


def test_every_xlsx_export_opens_ready(data, planner_client):
    for name, url in export_urls(data).items():
        response = planner_client.get(url)
        assert response.status_code == 200, name
        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{sheet.max_row}", name
        assert all(c.font.bold for c in sheet[1]), name
        for i, column in enumerate(header, start=1):
            width = sheet.column_dimensions[sheet.cell(1, i).column_letter].width
            assert width >= min(len(str(column)) + 2, 60), (name, column, width)
        if sheet.max_row > 1 and "sku" in header:
            sku = sheet.cell(2, header.index("sku") + 1)
            assert isinstance(sku.value, str) and sku.value.startswith("0000") and sku.number_format == "@", name
        assert "parametros" in book.sheetnames, name
        info = book["parametros"]
        assert [c.value for c in info[1]] == ["parameter", "label", "value"], name
        assert info.max_row > 1 and info.freeze_panes == "A2", name


def _formats(sheet) -> dict[str, str]:
    header = [c.value for c in sheet[1]]
    return {name: sheet.cell(2, i).number_format for i, name in enumerate(header, start=1)}


def test_number_formats_labels_and_parameters_of_the_plan(data, planner_client):
    response = planner_client.get(export_urls(data)["plan"])
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    formats = _formats(sheet)
    assert formats["qty"] == "#,##0"  # integers
    assert formats["destination_demand"] in ("#,##0.0", "#,##0.00")  # one or two decimals
    assert "reason" in header and "reason_label" in header  # the code stays, its label beside it
    row = [c.value for c in sheet[2]]
    assert row[header.index("reason")] in ("URGENT", "BELOW_TARGET", "MIN_FILL")
    assert row[header.index("reason_label")] in ("Urgente", "Bajo el objetivo", "Subido al mínimo")
    params = {r[0].value: r[2].value for r in book["parametros"].iter_rows(min_row=2)}
    assert params["plan_id"] == data["plan"].plan_id
    assert params["min_woc"] == 1.0 and params["moves"] == data["plan"].summary["moves"]
    labels = {r[0].value: r[1].value for r in book["parametros"].iter_rows(min_row=2)}
    assert labels["min_woc"] == "Cobertura mínima (sem)"


def test_run_export_has_its_parameters_and_summary(data, planner_client):
    run = data["run"]
    book = load_workbook(io.BytesIO(planner_client.get(export_urls(data)["run"]).content))
    formats = _formats(book.worksheets[0])
    assert formats["allocated_qty"] == "#,##0" and formats["sku"] == "@" and formats["store_code"] == "@"
    params = {r[0].value: r[2].value for r in book["parametros"].iter_rows(min_row=2)}
    assert params["run_id"] == run.run_id and params["model"] == run.model_name
    assert params["target_woc"] == run.params["target_woc"]
    assert params["total_allocated"] == run.summary["total_allocated"]


def test_command_xlsx_has_the_same_shape(data, tmp_path, planner_client):
    out = tmp_path / "run.xlsx"
    call_command("export_run", data["run"].run_id, "--output", str(out), stdout=io.StringIO())
    book = load_workbook(out)
    assert book.worksheets[0].freeze_panes == "A2" and "parametros" in book.sheetnames
    # the labels' shape (the default): the parameters sheet's header in Spanish too
    assert [c.value for c in book["parametros"][1]] == ["Parámetro", "Descripción", "Valor"]
    button = reverse("distribution:run_export", args=[data["run"].run_id, "xlsx"])
    web = load_workbook(io.BytesIO(planner_client.get(button).content))
    assert [c.value for c in web.worksheets[0][1]] == [c.value for c in book.worksheets[0][1]]
