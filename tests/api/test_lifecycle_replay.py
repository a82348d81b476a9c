"""The API's lifecycle (SPEC §5.7) and replays (SPEC §13): the same service and
job as the web pages; refusals answer 409/403/404/400 and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from distribution.models import DistributionRun
from fastdso.models import AuditEvent, Job
from inventory.models import StockCommitment
from redistribution.models import TransferLine, TransferPlan
from replay.models import ReplayRun
from tests import factories


@pytest.fixture
def run(planner_api, db, week) -> DistributionRun:
    """One SKU, two stores selling 10 a week, CD 30: SMA1 target 2 → 20 + 20 asked, 30 allocated (20 + 10)."""
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001", category="Audio")
    factories.weekly([(sku, a, week(11), 10), (sku, b, week(11), 10)])
    factories.cd_stock([(sku, 30)])
    factories.store_stock([(a, sku, 0), (b, sku, 0)])
    request = SimpleUploadedFile("pedido.csv", b"sku\n0001\n", content_type="text/csv")
    # v2 numbers: pinned to rules=v2 (SPEC v3 changed the defaults).
    assert planner_api.post("/api/v1/runs/", {"file": request, "model": "SMA1", "rules": "v2"}).status_code == 202
    return DistributionRun.objects.get()


def status(client, run_id: str, action: str, **extra):
    return client.post(f"/api/v1/runs/{run_id}/status/", {"action": action, **extra}, format="json")


def test_approve_export_close_through_the_api(planner_api, planner, run):
    url = f"/api/v1/runs/{run.run_id}/"
    assert planner_api.get(url).json()["state"] == "draft"
    assert planner_api.get("/api/v1/runs/").json()["results"][0]["state"] == "draft"

    approved = status(planner_api, run.run_id, "approve")
    assert approved.status_code == 200, approved.json()
    assert approved.json() == {"id": run.run_id, "action": "approve", "from_state": "draft", "state": "approved",
                               "url": url}  # fmt: skip
    assert planner_api.get(url).json()["state"] == "approved"
    held = sorted(StockCommitment.objects.filter(is_open=True).values_list("units", flat=True))
    assert held == [-30, 10, 20]  # the CD holds 30, the stores have 20 + 10 in transit

    exported = status(planner_api, run.run_id, "export", export_format="xlsx")
    assert exported.status_code == 200 and exported.json()["state"] == "exported"
    run.refresh_from_db()
    assert run.export_format == "xlsx" and run.export_sha256

    closed = status(planner_api, run.run_id, "close")
    assert closed.status_code == 200 and closed.json()["from_state"] == "exported"
    detail = planner_api.get(url).json()
    assert detail["state"] == "closed" and detail["closed_at"] is not None
    assert not StockCommitment.objects.filter(is_open=True).exists()
    # audited by the service, by the token's user: three changes
    assert AuditEvent.objects.filter(user=planner, action="lifecycle").count() == 3


def test_a_refused_transition_is_409_and_changes_nothing(planner_api, run):
    response = status(planner_api, run.run_id, "close")
    assert response.status_code == 409
    body = response.json()
    assert "No se puede cerrar" in body["detail"] and body["message"] == body["detail"]
    # A stable code an integrator branches on, its parameters as data (states as codes).
    assert body["code"] == "lifecycle.refused_from_two"
    assert body["params"] == {
        "action": {"code": "lifecycle.action.close", "params": {}},
        "id": run.run_id,
        "state": "draft",
        "allowed": "exported",
        "other": "shipped",
    }
    assert body["detail"] == (
        f"No se puede cerrar {run.run_id}: está «Borrador»; solo se puede desde «Exportado» o «Despachado». "
        "Nada cambió."
    )
    english = planner_api.post(
        f"/api/v1/runs/{run.run_id}/status/", {"action": "close"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert english["code"] == "lifecycle.refused_from_two"
    assert english["message"] == (
        f"Cannot close {run.run_id}: it is “Draft”; only possible from “Exported” or “Shipped”. Nothing changed."
    )
    run.refresh_from_db()
    assert run.state == "draft" and run.closed_at is None
    assert not AuditEvent.objects.filter(action="lifecycle").exists()


def test_bad_action_is_400_naming_the_field(planner_api, run):
    response = status(planner_api, run.run_id, "delete")
    assert response.status_code == 400 and "action" in response.json()
    bad_format = status(planner_api, run.run_id, "export", export_format="pdf")
    assert bad_format.status_code == 400 and "export_format" in bad_format.json()
    run.refresh_from_db()
    assert run.state == "draft"


def test_viewer_gets_403_and_nothing_changes(viewer_api, run):
    response = status(viewer_api, run.run_id, "approve")
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.state == "draft"
    assert viewer_api.get(f"/api/v1/runs/{run.run_id}/").json()["state"] == "draft"  # reading is allowed


def test_unknown_ids_are_404(planner_api, db):
    assert status(planner_api, "DR-20000101-0001", "approve").status_code == 404
    assert planner_api.post("/api/v1/plans/TP-20000101-0001/status/", {"action": "approve"}).status_code == 404
    assert status(planner_api, "TP-20000101-0001", "approve").status_code == 404  # a plan id is no run


def test_plan_approve_then_cancel(planner_api, viewer_api, db):
    sku = factories.product("0002", category="Audio")
    c, d = factories.store("Tienda C"), factories.store("Tienda D")
    factories.store_stock([(c, sku, 9)])
    plan = TransferPlan.objects.create(plan_id="TP-20261129-0001", line_count=1, total_units=4)
    TransferLine.objects.create(plan=plan, product=sku, origin_store=c, destination_store=d, qty=4)
    url = f"/api/v1/plans/{plan.plan_id}/status/"
    assert viewer_api.post(url, {"action": "approve"}).status_code == 403
    assert planner_api.post(url, {"action": "approve"}).json()["state"] == "approved"
    assert planner_api.get(f"/api/v1/plans/{plan.plan_id}/").json()["state"] == "approved"
    assert StockCommitment.objects.filter(is_open=True).exists()
    cancelled = planner_api.post(url, {"action": "cancel"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert not StockCommitment.objects.filter(is_open=True).exists()


# --- Replays ---------------------------------------------------------------------------------

W = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(7)]


@pytest.fixture
def shop(db):
    """The replay tests' shop: two SKUs, two stores, seven weeks of sales."""
    a, b = factories.store("Tienda 1"), factories.store("Tienda 2")
    x, y = factories.product("000X", category="Consolas"), factories.product("000Y", category="Consolas")
    units = {(x, a): [2, 3, 4, 2, 1, 3, 2], (x, b): [1, 1, 2, 2, 1, 0, 1], (y, a): [0, 1, 0, 1, 1, 2, 0]}
    factories.weekly([(p, s, W[i], u) for (p, s), series in units.items() for i, u in enumerate(series) if u])


REPLAY = {"scope": "top", "top_n": 2, "weeks": 3, "cd_supply": 1.0, "policy_1": "base:model=SMA2",
          "policy_2": "alto:model=SMA3,target_woc=3"}  # fmt: skip


def test_replay_post_runs_the_job_and_get_shows_the_results(planner_api, planner, shop):
    created = planner_api.post("/api/v1/replays/", REPLAY)
    assert created.status_code == 202, created.json()
    job = planner_api.get(created["Location"]).json()
    assert job["status"] == "done" and job["kind"] == "replay"
    replay = ReplayRun.objects.get()
    assert replay.user == planner and replay.job_id == job["id"]
    assert job["result"] == {"type": "replay", "id": replay.replay_id, "url": f"/api/v1/replays/{replay.replay_id}/"}

    detail = planner_api.get(job["result"]["url"]).json()
    assert (detail["scope"], detail["top_n"], detail["weeks"], detail["sku_count"]) == ("top", 2, 3, 2)
    assert detail["as_of_week"] == W[-1].isoformat() and detail["first_week"] == W[4].isoformat()
    assert [p["name"] for p in detail["policies"]] == ["base", "alto"]
    assert [r["name"] for r in detail["results"]] == ["base", "alto"]
    assert all(len(r["weekly"]) == 3 for r in detail["results"])
    assert detail["results"] == replay.results
    assert detail["best_fill_policy"] in {"base", "alto"}
    listing = planner_api.get("/api/v1/replays/").json()
    assert [r["replay_id"] for r in listing["results"]] == [replay.replay_id]


def test_replay_bad_input_is_400_naming_the_field_and_starts_nothing(planner_api, viewer_api, shop):
    bad_policy = planner_api.post("/api/v1/replays/", {**REPLAY, "policy_1": "x:target_wok=3"})
    assert bad_policy.status_code == 400 and "target_wok" in str(bad_policy.json()["policy_1"])
    no_file = planner_api.post("/api/v1/replays/", {**REPLAY, "scope": "skus"})
    assert no_file.status_code == 400 and "file" in no_file.json()
    assert viewer_api.post("/api/v1/replays/", REPLAY).status_code == 403
    assert planner_api.get("/api/v1/replays/R-unknown/").status_code == 404
    assert not Job.objects.filter(kind="replay").exists() and not ReplayRun.objects.exists()
