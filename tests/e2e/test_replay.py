"""Replay in a real browser: form → side-by-side page with its charts → "usar
esta política" pre-fills the generator (no console error: CSP holds)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_workflows import shot


@pytest.fixture
def history(db):
    centro, norte = factories.store("Tienda Centro"), factories.store("Tienda Norte")
    alfa = factories.product("00012345", "Consola Alfa", "Consolas")
    beta = factories.product("00012346", "Consola Beta", "Consolas")
    monday = dt.date(2026, 1, 5)
    rows = []
    for i in range(12):
        week = monday + dt.timedelta(weeks=i)
        rows += [(alfa, centro, week, 2 + i % 3), (alfa, norte, week, 1 + i % 2), (beta, centro, week, i % 4)]
    factories.weekly([r for r in rows if r[3]])


def test_replay_two_policies_and_use_one(planner_page, history):
    page = planner_page
    page.goto("/distribution/replay/")
    page.fill("[name=top_n]", "2")
    page.fill("[name=weeks]", "4")
    page.fill("[name=cd_supply]", "0.6")
    # Policies are rows: name, model, target cover (the form starts with base/SMA2 and alto/SMA3).
    page.fill("[name=p1_name]", "base")
    page.select_option("[name=p1_model]", "SMA2")
    page.fill("[name=p2_name]", "alto")
    page.select_option("[name=p2_model]", "SMA3")
    page.fill("[name=p2_target_woc]", "3")
    shot(page, "replay_form")
    page.get_by_role("button", name="Simular políticas").click()
    expect(page).to_have_url(re.compile(r"/distribution/replay/RP-[^/]+/$"))
    table = page.locator("table.replay-compare")
    expect(table).to_contain_text("base")
    expect(table).to_contain_text("alto")
    expect(table.locator(".badge").first).to_be_visible()
    expect(page.locator("canvas[data-chart=replay-fill-chart]")).to_be_visible()
    expect(page.locator("canvas[data-chart=replay-stock-chart]")).to_be_visible()
    shot(page, "replay_result")
    table.locator("tr", has_text="alto").get_by_role("link", name="usar esta política").click()
    expect(page).to_have_url(re.compile(r"/distribution/generate/\?"))
    expect(page.locator("input[name=model][value=SMA3]")).to_be_checked()
    expect(page.locator("input[name=target_woc]")).to_have_value("3,0")
    expect(page.locator("input[name=limit_by_cd]")).to_be_checked()
