"""The API in a browser: the vendored Swagger UI renders every operation under
the page's CSP (a blocked script would be a console error and fail the test),
and a planner makes a token on the profile page that is shown once."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from api.models import ApiToken
from tests.e2e.conftest import SCREENSHOTS


def test_docs_page_renders_the_operations_with_no_cdn(planner_page: Page, live_server):
    page = planner_page
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(live_server.url) else outside.append(req.url))
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("FastDSO API")
    operations = page.locator(".swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 16
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/runs/{run_id}/lines/")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
    assert not [url for url in outside if not url.startswith("data:")], outside


def test_profile_makes_a_token_shown_once_and_revokes_it(planner_page: Page, planner):
    page = planner_page
    page.goto("/")
    page.locator("nav .dropdown button.dropdown-toggle").click()
    page.get_by_role("link", name="Perfil y tokens de API").click()
    page.get_by_label("Nombre del token").fill("ERP")
    page.get_by_role("button", name="Crear token").click()
    key = page.locator("#new-token-key").inner_text()
    assert re.fullmatch(r"fdso_[\w-]{40,}", key)
    page.goto("/profile/")
    expect(page.locator("#new-token-key")).to_have_count(0)
    expect(page.locator("table")).to_contain_text(key[:12])
    page.get_by_role("button", name="Revocar", exact=True).click()
    expect(page.locator("table")).to_contain_text("revocado")
    assert ApiToken.objects.get(user=planner).revoked_at is not None
