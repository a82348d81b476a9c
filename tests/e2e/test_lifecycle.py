"""A run's lifecycle in a real browser (SPEC §5.7): a planner generates,
approves, marks exported (XLSX), downloads the sent file again byte for
byte and closes; a viewer sees the state and gets 403 on every change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from distribution.models import DistributionRun
from inventory.models import StockCommitment
from tests import factories
from tests.e2e.test_workflows import job_done, shot, write


@pytest.fixture
def shop(db, week):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("00012345", category="Consolas")
    factories.weekly([(sku, a, week(11), 10), (sku, b, week(11), 10)])
    factories.cd_stock([(sku, 15)])  # SMA2: rate 5, need 10 per store → A 10, B 5
    factories.store_stock([(a, sku, 0), (b, sku, 0)])
    return sku


def _generate(page: Page, tmp_path: Path) -> DistributionRun:
    page.goto("/distribution/generate/")
    page.set_input_files("input[name=request_file]", str(write(tmp_path, "pedido.csv", ["sku", "00012345"])))
    page.get_by_role("button", name="Generar distribución").click()
    job_done(page)
    page.get_by_role("link", name="Ver resultado").click()
    return DistributionRun.objects.latest("pk")


def test_planner_approves_exports_downloads_again_and_closes(planner_page, shop, tmp_path):
    page = planner_page
    run = _generate(page, tmp_path)
    state = page.locator("#lifecycle-state")
    expect(state).to_have_text("Borrador")

    page.locator("button[data-action=approve]").click()
    expect(state).to_have_text("Aprobado")
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text(run.run_id)
    expect(page.locator("#lifecycle-held")).to_contain_text("15 u en el CD")
    assert StockCommitment.objects.filter(source=run.run_id, is_open=True).exists()
    shot(page, "lifecycle_approved")

    # A second run on the same request: B still needs 5, and the CD's 15 are held.
    second = _generate(page, tmp_path)
    page.get_by_role("link", name="Líneas").click()
    expect(page.locator("main table").first).to_contain_text(f"reservadas por {run.run_id}")
    assert second.total_allocated == 0

    page.goto(run.get_absolute_url())
    page.select_option("select[name=export_format]", "xlsx")
    page.locator("button[data-action=export]").click()
    expect(state).to_have_text("Exportado")
    run.refresh_from_db()
    with page.expect_download() as first_download:
        page.locator("#lifecycle-download").click()
    with page.expect_download() as second_download:
        page.locator("#lifecycle-download").click()
    files = []
    for index, download in enumerate((first_download.value, second_download.value)):
        target = tmp_path / f"sent-{index}.xlsx"
        download.save_as(target)
        files.append(target.read_bytes())
    with run.export_file.open("rb") as kept:
        assert files[0] == files[1] == kept.read()
    assert first_download.value.suggested_filename == f"{run.run_id}.xlsx"
    expect(page.locator("button[data-action=cancel]")).to_have_count(0)  # an exported run cannot be cancelled

    page.locator("button[data-action=close]").click()
    expect(state).to_have_text("Cerrado")
    expect(page.locator("button[data-action]")).to_have_count(0)
    assert not StockCommitment.objects.filter(source=run.run_id, is_open=True).exists()
    shot(page, "lifecycle_closed")

    page.goto("/distribution/runs/?state=closed")
    expect(page.locator("main table")).to_contain_text(run.run_id)
    expect(page.locator("main table")).not_to_contain_text(second.run_id)


def test_viewer_sees_the_state_and_cannot_change_it(new_page, planner, viewer, shop, tmp_path):
    run = _generate(new_page(planner), tmp_path)
    page = new_page(viewer)
    page.goto(run.get_absolute_url())
    expect(page.locator("#lifecycle-state")).to_have_text("Borrador")
    expect(page.locator("button[data-action]")).to_have_count(0)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    found = re.match(r"https?://[^/]+", page.url)
    assert found is not None
    origin = found.group(0)
    for action in ("approve", "export", "close", "cancel"):
        response = page.request.post(
            f"/lifecycle/{run.run_id}/",
            form={"action": action, "csrfmiddlewaretoken": token},
            headers={"Referer": page.url, "Origin": origin},
        )
        assert response.status == 403, (action, response.status)
    run.refresh_from_db()
    assert run.state == "draft"
