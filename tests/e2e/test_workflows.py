"""The planners' workflows in a real browser (issue 9): uploads and their
jobs, distribution (tabs, compare, XLSX), purchase forecast, redistribution
in both modes and both destinations, dashboard and Stock Query, and what a
viewer sees on the pages that change data.

Files are small and hand-made (tmp_path + set_input_files). Jobs run inline
(FASTDSO_JOBS_SYNC): the job page is already final when it loads. Each test
saves one screenshot per main page in tests/e2e/screenshots/ to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from distribution.models import DistributionRun
from redistribution.models import TransferPlan
from tests import factories
from tests.e2e.conftest import SCREENSHOTS


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def macro_lines() -> list[str]:
    """Six weeks (2026-01-05 .. 2026-02-15) of daily sales of two SKUs at two stores."""
    lines = ["sku,store,date,quantity,category,product_name"]
    for week in range(6):
        monday = dt.date(2026, 1, 5) + dt.timedelta(weeks=week)
        lines += [
            f"00012345,Tienda Centro,{monday},3,Consolas,Consola Alfa",
            f"00012345,Tienda Centro,{monday + dt.timedelta(days=3)},2,Consolas,Consola Alfa",
            f"00012345,Tienda Norte,{monday + dt.timedelta(days=1)},1,Consolas,Consola Alfa",
            f"00012346,Tienda Norte,{monday + dt.timedelta(days=2)},4,Consolas,Consola Beta",
            f"00012346,Tienda Sur,{monday + dt.timedelta(days=6)},2,Consolas,Consola Beta",
        ]
    return lines


def job_done(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("[data-job-field=status_label]")).to_have_text("Terminada")


def upload(page: Page, url: str, path: Path, *, field: str = "file", fill: dict[str, str] | None = None) -> None:
    page.goto(url)
    page.set_input_files(f"input[name={field}]", str(path))
    for name, value in (fill or {}).items():
        page.fill(f"[name={name}]", value)
    page.locator("main form button[type=submit]").first.click()


def xlsx_skus_are_text(page, tmp_path):
    """The run's XLSX export: SKUs stay text with their leading zeros."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exportar XLSX").click()
    xlsx = tmp_path / "run.xlsx"
    download_info.value.save_as(xlsx)
    sheet = load_workbook(xlsx).active
    header = [cell.value for cell in sheet[1]]
    sku_column = header.index("SKU") + 1  # the warehouse shape: headers are labels (issue 32)
    skus = [sheet.cell(row=r, column=sku_column) for r in range(2, sheet.max_row + 1)]
    assert skus and all(isinstance(c.value, str) and c.value.startswith("000") for c in skus)
    assert {c.data_type for c in skus} == {"s"}


def test_uploads_then_distribution_tabs_compare_and_xlsx(planner_page, tmp_path):
    page = planner_page

    # Macro sales: the job reaches "Terminada" and shows its summary.
    page.goto("/sales_macro_upload")
    shot(page, "sales_macro_upload")
    upload(page, "/sales_macro_upload", write(tmp_path, "ventas.csv", macro_lines()))
    job_done(page)
    expect(page.locator("main")).to_contain_text("Resumen")
    expect(page.locator("main dl").last).to_contain_text("30")  # rows read
    expect(page.locator("main dl").last).to_contain_text("Filas leídas")
    expect(page.locator("[data-job-field=counts]")).to_be_empty()  # said once, in the summary
    shot(page, "job_macro_done")

    # CD and store stock.
    upload(
        page,
        "/stock/cd/upload/",
        write(tmp_path, "cd.csv", ["sku,quantity", "00012345,40", "00012346,3", "00099999,12"]),
        fill={"snapshot_date": "2026-02-16"},
    )
    job_done(page)
    upload(
        page,
        "/stock/stores/upload/",
        write(tmp_path, "tiendas.csv", ["sku,store,quantity", "00012345,Tienda Centro,2", "00012346,Tienda Norte,1"]),
        fill={"snapshot_date": "2026-02-16"},
    )
    job_done(page)

    # Distribution: two selling SKUs, a new SKU with a category, one without.
    request = write(
        tmp_path,
        "pedido.csv",
        [
            "sku,product_name,category",
            "00012345,,",
            "00012346,,",
            "00099999,Consola Nueva,Consolas",
            "00088888,Sin categoría,",
        ],
    )
    page.goto("/distribution/generate/")
    shot(page, "distribution_generate")
    page.set_input_files("input[name=request_file]", str(request))
    page.get_by_role("button", name="Generar distribución").click()
    job_done(page)
    first = DistributionRun.objects.latest("pk")
    page.get_by_role("link", name="Ver resultado").click()
    expect(page.locator("main h1")).to_contain_text(first.run_id)
    shot(page, "distribution_summary")

    tabs = page.locator("main .nav-tabs, main .nav")
    tabs.get_by_role("link", name="Líneas").click()
    expect(page.locator("main table").first).to_contain_text("00012345")
    explanation = page.locator("td.explanation").first
    expect(explanation).not_to_be_empty()
    assert "×" in explanation.inner_text() or "sem" in explanation.inner_text()
    shot(page, "distribution_lines")
    tabs.get_by_role("link", name="Por tienda").click()
    expect(page.locator("main table").first).to_contain_text("Tienda Centro")
    tabs.get_by_role("link", name="Excepciones").click()
    expect(page.locator("main table").first).to_contain_text("00088888")
    expect(page.locator("main table").nth(1)).to_contain_text("Sin resultados.")  # an empty table says so
    shot(page, "distribution_exceptions")

    xlsx_skus_are_text(page, tmp_path)

    # A second run with another target, then compare the two.
    page.goto("/distribution/generate/")
    page.set_input_files("input[name=request_file]", str(request))
    page.fill("[name=target_woc]", "4")
    page.get_by_role("button", name="Generar distribución").click()
    job_done(page)
    second = DistributionRun.objects.latest("pk")
    assert second.pk != first.pk
    page.goto(f"/distribution/compare/?a={first.run_id}&b={second.run_id}")
    expect(page.locator("main")).to_contain_text(first.run_id)
    expect(page.locator("main table").first).to_contain_text("00012345")
    shot(page, "distribution_compare")


@pytest.fixture
def shop(db, week):
    """Three stores; Norte sells Consolas, Centro holds stock and sells little."""
    centro, norte, sur = (
        factories.store(name, code)
        for name, code in (("Tienda Centro", "001"), ("Tienda Norte", "002"), ("Tienda Sur", "003"))
    )
    alfa = factories.product("00012345", "Consola Alfa", "Consolas")
    beta = factories.product("00012346", "Consola Beta", "Consolas")
    factories.weekly(
        [(alfa, norte, week(i), 4) for i in range(8)]
        + [(beta, norte, week(i), 2) for i in range(8)]
        + [(alfa, centro, week(i), 1) for i in range(8)]
        + [(beta, centro, week(i), 1) for i in range(8)]
    )
    factories.cd_stock([(alfa, 20), (beta, 5)])
    factories.store_stock([(centro, alfa, 40), (centro, beta, 40), (norte, alfa, 0), (sur, beta, 1)])
    return {"stores": (centro, norte, sur), "alfa": alfa, "beta": beta}


def test_purchase_forecast_from_pasted_skus(planner_page, shop):
    page = planner_page
    page.goto("/forecast/")
    page.locator("label[for=id_input_1]").click()  # "SKUs pegados"
    page.fill("[name=skus_text]", "00012345\n00012346")
    page.fill("[name=weeks]", "8")
    shot(page, "forecast_form")
    page.get_by_role("button", name="Calcular pronóstico").click()
    expect(page).to_have_url(re.compile(r"/forecast/runs/\d+/$"))
    table = page.locator("#pane-lines table")
    expect(table).to_contain_text("00012345")
    expect(table).to_contain_text("00012346")
    expect(page.locator(".chart-spark canvas").first).to_be_visible()
    shot(page, "forecast_result")


def _plan_form_defaults(page: Page) -> None:
    page.goto("/redistribution/")
    expect(page.get_by_role("button", name="Generar plan")).to_be_enabled()


def _walk_plan(page: Page, name: str) -> TransferPlan:
    expect(page).to_have_url(re.compile(r"/redistribution/plans/[^/]+/$"))
    plan = TransferPlan.objects.latest("id")
    expect(page.locator("main")).to_contain_text(plan.plan_id)
    shot(page, f"{name}_summary")
    nav = page.locator("main .nav")
    nav.get_by_role("link", name="Traslados").click()
    expect(page.locator("main table").first).to_contain_text("Tienda Centro")
    shot(page, f"{name}_transfers")
    nav.get_by_role("link", name="Por destino").click()
    expect(page).to_have_url(re.compile(r"/destinations/$"))
    expect(page.locator("main")).to_contain_text("Tienda Norte")
    shot(page, f"{name}_destinations")
    return plan


def test_redistribution_automatic_by_category_to_all_stores(planner_page, shop):
    page = planner_page
    _plan_form_defaults(page)
    page.locator("label[for=id_scope_1]").click()  # Categoría
    page.select_option("[name=category]", "Consolas")
    page.locator("label[for=id_destination_kind_1]").click()  # Todas las tiendas
    shot(page, "redistribution_form")
    page.get_by_role("button", name="Generar plan").click()
    plan = _walk_plan(page, "redistribution_auto")
    assert plan.lines.exists()


def test_redistribution_assisted_manual_with_a_sku_file_to_one_store(planner_page, shop, tmp_path):
    page = planner_page
    _plan_form_defaults(page)
    page.locator("label[for=id_mode_1]").click()  # Manual asistido
    page.set_input_files("input[name=sku_file]", str(write(tmp_path, "skus.csv", ["sku", "00012345", "00012346"])))
    page.select_option("[name=destination]", label="Tienda Norte")
    page.get_by_role("button", name="Generar plan").click()
    plan = _walk_plan(page, "redistribution_manual")
    assert set(plan.lines.values_list("destination_store__name", flat=True)) == {"Tienda Norte"}


def test_dashboard_and_stock_query_keep_leading_zeros(planner_page, shop):
    page = planner_page
    page.goto("/")
    expect(page.locator(".kpi").first).to_be_visible()
    assert page.locator("canvas[data-chart]").count() >= 1
    shot(page, "dashboard")
    page.goto("/stock/query/")
    page.fill("#sku-search", "00012345")
    page.keyboard.press("Enter")
    expect(page.locator(".kpi-value").first).to_have_text("00012345")
    expect(page.locator("main")).to_contain_text("Tienda Centro")
    shot(page, "stock_query")


@pytest.mark.parametrize(
    "url",
    [
        "/sales_macro_upload",
        "/sales_upload",
        "/products/upload/",
        "/stock/cd/upload/",
        "/stock/stores/upload/",
        "/distribution/generate/",
        "/redistribution/",
    ],
)
def test_a_viewer_gets_a_403_page_on_the_pages_that_change_data(viewer_page, url):
    """Pages that only upload or generate answer 403 (fastdso.roles), with a page, not a 500."""
    page = viewer_page
    response = page.goto(url)
    assert response.status == 403
    expect(page.locator("main h1")).to_contain_text("Acceso denegado")
    expect(page.locator("#mainnav")).to_be_visible()  # the app's page, with its menu
    assert page.locator("input[type=file]").count() == 0
    if url == "/distribution/generate/":
        shot(page, "viewer_403")


def test_a_viewer_sees_forecast_runs_but_no_form(viewer_page, shop):
    """The forecast page also lists past runs, so a viewer reaches it: without the form."""
    page = viewer_page
    response = page.goto("/forecast/")
    assert response.status == 200
    expect(page.locator("main")).to_contain_text("Solo los planificadores")
    assert page.locator("input[type=file], textarea[name=skus_text]").count() == 0
    assert page.locator("main form[method=post]").count() == 0
