"""generate_distribution and export_run, exactly as SPEC §9."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from distribution.models import DistributionRun
from fastdso.models import AuditEvent
from tests import factories
from tests.distribution.helpers import request_file

COLUMNS = [
    "run_id",
    "sku",
    "product_name",
    "category",
    "store",
    "rate",
    "store_stock",
    "suggested_qty",
    "allocated_qty",
    "model_name",
    "reason",
]


@pytest.fixture
def data(db, week):
    centro, norte = factories.store("Tienda Centro 001"), factories.store("Tienda Norte 002")
    alfa = factories.product("00012345", "Consola Alfa", "Consolas")
    factories.weekly([(alfa, centro, w, 3) for w in (week(9), week(10), week(11))] + [(alfa, norte, week(11), 1)])
    factories.cd_stock([(alfa, 4)])
    factories.store_stock([(centro, alfa, 1)])


def _csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_generate_distribution_with_every_flag_writes_the_contract_csv(data, tmp_path, week):
    request = request_file(
        tmp_path, [("00012345",), ("00099999", "Consola Nueva", "Consolas"), ("00099998", "Sin", "")]
    )
    output = tmp_path / "dist.csv"
    out = io.StringIO()
    call_command(
        "generate_distribution",
        str(request),
        "--model",
        "SMA3",
        "--as-of",
        week(11).isoformat(),
        "--lookback-weeks",
        "12",
        "--min-weeks",
        "1",
        "--target-woc",
        "2.0",
        "--cold-start-min-fill",
        "2",
        "--cold-start-target-woc",
        "1.0",
        "--cold-start-top-n",
        "10",
        "--category-window-weeks",
        "12",
        "--cold-start-basis",
        "category",
        "--cd-rule",
        "priority",
        "--no-pack-rounding",
        "--output",
        str(output),
        stdout=out,
    )
    run = DistributionRun.objects.get()
    assert (run.params["cold_start_basis"], run.params["cd_rule"], run.params["round_to_pack"]) == (
        "category",
        "priority",
        False,
    )
    printed = out.getvalue()
    assert f"Run {run.run_id}" in printed and "SKUs solicitados: 3" in printed and "Sin categoría 1" in printed
    rows = _csv(output)
    assert list(rows[0])[: len(COLUMNS)] == COLUMNS
    assert list(rows[0])[len(COLUMNS) :] == ["explanation", "reason_label", "model_name_label"]
    assert {r["run_id"] for r in rows} == {run.run_id}
    by_key = {(r["sku"], r["store"]): r for r in rows}
    centro = by_key[("00012345", "Tienda Centro 001")]
    # SMA3: (3+3+3)/3 = 3/sem × 2 = 6 − 1 = 5; CD has 4 → 4 (highest rate first).
    assert (centro["rate"], centro["store_stock"], centro["suggested_qty"], centro["allocated_qty"]) == (
        "3.0",
        "1",
        "5",
        "4",
    )
    assert (centro["model_name"], centro["reason"]) == ("SMA3", "CD_LIMITED")
    norte = by_key[("00012345", "Tienda Norte 002")]
    assert (norte["suggested_qty"], norte["allocated_qty"], norte["reason"]) == ("1", "0", "CD_EXHAUSTED")
    exception = by_key[("00099998", "")]
    assert (exception["suggested_qty"], exception["allocated_qty"], exception["reason"]) == ("0", "0", "NO_CATEGORY")
    assert exception["rate"] in ("0.0", "0")
    cold = [r for r in rows if r["sku"] == "00099999"]
    assert {r["model_name"] for r in cold} == {"COLD_START_CATEGORY"} and {r["category"] for r in cold} == {"Consolas"}
    # A cold-start line's rate is the cat_rate it was planned at: Centro sold 9 Consolas in 12 weeks.
    assert by_key[("00099999", "Tienda Centro 001")]["rate"] == "0.75"
    assert output.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[1] == "00012345"


def test_generate_distribution_without_cd_limit_to_xlsx(data, tmp_path):
    output = tmp_path / "dist.xlsx"
    call_command(
        "generate_distribution",
        str(request_file(tmp_path, [("00012345",)])),
        "--no-cd-limit",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    sheet = load_workbook(output).active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert {r["sku"] for r in rows} == {"00012345"}
    assert all(r["allocated_qty"] == r["suggested_qty"] for r in rows)
    assert DistributionRun.objects.get().params["limit_by_cd"] is False


def test_empty_request_exits_non_zero_and_creates_no_run(db, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("sku,product_name,category\n", encoding="utf-8")
    with pytest.raises(CommandError, match="encabezado"):
        call_command("generate_distribution", str(empty), stdout=io.StringIO())
    assert not DistributionRun.objects.exists()


def test_bad_arguments_are_refused_before_running(db, tmp_path):
    request = request_file(tmp_path, [("1",)])
    with pytest.raises(CommandError, match=r"\.csv o \.xlsx"):
        call_command("generate_distribution", str(request), "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="semanas mínimas"):
        call_command("generate_distribution", str(request), "--min-weeks", "13")
    with pytest.raises(CommandError, match="No existe"):
        call_command("generate_distribution", str(tmp_path / "missing.csv"))
    assert not DistributionRun.objects.exists()


def test_export_run_writes_the_same_table(data, tmp_path):
    out = io.StringIO()
    call_command("generate_distribution", str(request_file(tmp_path, [("00012345",), ("NOPE",)])), stdout=out)
    run = DistributionRun.objects.get()
    # --headers codes, standard CSV: the same columns as the run page's export button
    call_command(
        "export_run", run.run_id, "--output", str(tmp_path / "run.csv"), "--headers", "codes",
        "--csv-dialect", "standard", stdout=io.StringIO(),
    )  # fmt: skip
    rows = _csv(tmp_path / "run.csv")
    assert list(rows[0])[:5] == ["run_id", "sku", "product_name", "category", "store_code"]
    assert {r["sku"] for r in rows} == {"00012345", "NOPE"}
    # by default: Spanish labels, Spanish-Excel CSV
    call_command("export_run", run.run_id, "--output", str(tmp_path / "es.csv"), stdout=io.StringIO())
    frame = pd.read_csv(tmp_path / "es.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype={"SKU": str})
    assert set(frame["SKU"]) == {"00012345", "NOPE"} and "Código de motivo" in frame.columns
    call_command("export_run", run.run_id, "--output", str(tmp_path / "run.xlsx"), stdout=io.StringIO())
    book = load_workbook(tmp_path / "run.xlsx")
    sheet = book.worksheets[0]
    assert sheet.cell(row=1, column=2).value == "SKU" and sheet.freeze_panes == "A2"
    assert sheet.cell(row=2, column=2).value == "00012345" and sheet.cell(row=2, column=2).number_format == "@"
    assert book.sheetnames == ["datos", "parametros"]
    assert AuditEvent.objects.filter(action="export", object_repr=run.run_id).count() == 3
    with pytest.raises(CommandError):
        call_command("export_run", run.run_id, "--output", str(tmp_path / "x.csv"), "--headers", "nope")


def test_export_run_of_an_unknown_run_fails(db, tmp_path):
    with pytest.raises(CommandError, match="No existe el run"):
        call_command("export_run", "DR-19990101-0001", "--output", str(tmp_path / "x.csv"))


def test_v2_flags_fair_share_and_packs(db, tmp_path, week):
    # Two stores selling 3/week (SMA1) → suggestion 6 each; pack 4 → 1.5 packs → 2 packs = 8 each.
    # CD 12 = 3 packs: fair share 3 × 2/4 = 1.5 packs each → 1 + the leftover pack to the first in
    # natural order (Tienda 9 before Tienda 10): 8 and 4.
    nine, ten = factories.store("Tienda 9"), factories.store("Tienda 10")
    item = factories.product("A", "Uno", "Audio")
    factories.weekly([(item, nine, week(11), 3), (item, ten, week(11), 3)])
    factories.cd_stock([(item, 12)])
    path = tmp_path / "req.csv"
    path.write_text("sku,unidades_por_caja\nA,4\n")
    output = tmp_path / "out.csv"
    call_command(
        "generate_distribution", str(path), "--model", "SMA1", "--cd-rule", "fair_share",
        "--as-of", week(11).isoformat(), "--output", str(output), stdout=io.StringIO(),
    )  # fmt: skip
    rows = {r["store"]: r for r in _csv(output)}
    assert {s: (r["suggested_qty"], r["allocated_qty"]) for s, r in rows.items()} == {
        "Tienda 9": ("8", "8"),
        "Tienda 10": ("8", "4"),
    }
    assert "CD reparto proporcional en cajas de 4" in rows["Tienda 9"]["explanation"]
    run = DistributionRun.objects.get()
    assert (run.params["cd_rule"], run.params["round_to_pack"], run.params["cold_start_basis"]) == (
        "fair_share",
        True,
        "per_sku",
    )
    # --no-pack-rounding: units, not packs; priority: Tienda 9 first.
    call_command(
        "generate_distribution", str(path), "--model", "SMA1", "--no-pack-rounding",
        "--as-of", week(11).isoformat(), "--output", str(output), stdout=io.StringIO(),
    )  # fmt: skip
    rows = {r["store"]: r for r in _csv(output)}
    assert {s: (r["suggested_qty"], r["allocated_qty"]) for s, r in rows.items()} == {
        "Tienda 9": ("6", "6"),
        "Tienda 10": ("6", "6"),
    }


def test_unknown_rule_values_are_refused(db, tmp_path):
    path = request_file(tmp_path, [("A",)])
    with pytest.raises(CommandError):
        call_command("generate_distribution", str(path), "--cd-rule", "greedy", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("generate_distribution", str(path), "--cold-start-basis", "store", stdout=io.StringIO())
    assert not DistributionRun.objects.exists()


def test_rules_v2_flag_puts_every_default_back_and_each_v3_flag_is_taken(data, tmp_path):
    request = request_file(tmp_path, [("00012345",)])
    call_command("generate_distribution", str(request), "--rules", "v2", stdout=io.StringIO())
    v2 = DistributionRun.objects.latest("id").params
    assert (v2["rules"], v2["cd_rule"], v2["rate_rule"], v2["pack_rule"], v2["launch_weeks"]) == (
        "v2",
        "priority",
        "sma",
        "nearest",
        0,
    )
    call_command(
        "generate_distribution",
        str(request),
        *("--rate-rule", "sma", "--cd-rule", "fair_share", "--pack-rule", "nearest", "--max-pack-woc", "6"),
        *("--launch-weeks", "3", "--launch-min-rate", "0.2", "--new-store-weeks", "5"),
        stdout=io.StringIO(),
    )
    v3 = DistributionRun.objects.latest("id").params
    assert (v3["rules"], v3["rate_rule"], v3["cd_rule"], v3["pack_rule"], v3["max_pack_woc"]) == (
        "v3",
        "sma",
        "fair_share",
        "nearest",
        6.0,
    )
    assert (v3["launch_weeks"], v3["launch_min_rate"], v3["new_store_weeks"]) == (3, 0.2, 5)
    with pytest.raises(CommandError, match="cobertura máxima por caja"):
        call_command("generate_distribution", str(request), "--max-pack-woc", "0", stdout=io.StringIO())
